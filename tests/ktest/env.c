/* Resources for tests: slots, objects from the arena, mapped pages and helper threads. */
#include "ktest.h"

#define HELPER_STACK_SIZE 16384
#define MAX_HELPERS 16
static char helper_stacks[MAX_HELPERS][HELPER_STACK_SIZE] __attribute__((aligned(16)));

cptr_t env_slot(struct env *env)
{
    if (env->next_slot >= env->slot_end) {
        printf("    out of test slots\n");
        return 0;
    }
    return env->next_slot++;
}

cptr_t env_object(struct env *env, unsigned type, unsigned size_bits)
{
    cptr_t slot = env_slot(env);
    if (!slot)
        return 0;
    int err = untyped_retype(env->arena, type, size_bits, INIT_CAP_CNODE, 0, 0, slot, 1);
    if (err) {
        printf("    retype of type %u failed: %d\n", type, err);
        return 0;
    }
    return slot;
}

/* The mapping area needs a level-2 and a level-3 table the first time. */
static bool ensure_tables(struct env *env, uint64_t vaddr)
{
    for (;;) {
        cptr_t frame = env_object(env, OBJ_FRAME_4K, 0);
        if (!frame)
            return false;
        int err = frame_map(frame, INIT_CAP_VSPACE, vaddr, VM_READ | VM_WRITE, 0);
        cnode_delete(INIT_CAP_CNODE, frame, 64);
        if (err == ERR_NONE) {
            return true; /* the probe mapping went away with its capability */
        }
        if (err != ERR_FAILED_LOOKUP)
            return false;
        cptr_t pt = env_object(env, OBJ_PAGE_TABLE, 0);
        if (!pt || page_table_map(pt, INIT_CAP_VSPACE, vaddr))
            return false;
    }
}

uint64_t env_map_page(struct env *env, cptr_t *frame_out, unsigned rights)
{
    uint64_t vaddr = env->next_vaddr;
    if (!ensure_tables(env, vaddr))
        return 0;
    cptr_t frame = env_object(env, OBJ_FRAME_4K, 0);
    if (!frame || frame_map(frame, INIT_CAP_VSPACE, vaddr, rights, 0))
        return 0;
    env->next_vaddr += 4096;
    if (frame_out)
        *frame_out = frame;
    return vaddr;
}

static uint64_t current_tls(void)
{
    uint64_t tp;
    __asm__("mrs %0, tpidr_el0" : "=r"(tp));
    return tp;
}

bool env_thread_prepare(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                        unsigned priority)
{
    cptr_t frame;
    if (env->threads >= MAX_HELPERS)
        return false;
    h->tcb = env_object(env, OBJ_TCB, 0);
    h->ipc_buffer = env_map_page(env, &frame, VM_READ | VM_WRITE);
    if (!h->tcb || !h->ipc_buffer)
        return false;
    char *stack_top = helper_stacks[env->threads++] + HELPER_STACK_SIZE;
    struct user_registers regs = { .pc = (uint64_t)(uintptr_t)entry, .sp = (uint64_t)(uintptr_t)stack_top };
    regs.x[0] = arg;
    return tcb_configure(h->tcb, 0, INIT_CAP_CNODE, 0, INIT_CAP_VSPACE, h->ipc_buffer, frame) == 0 &&
           tcb_set_priority(h->tcb, INIT_CAP_TCB, priority) == 0 &&
           tcb_set_tls_base(h->tcb, current_tls()) == 0 &&
           tcb_write_registers(h->tcb, false, &regs, 4) == 0;
}

bool env_thread(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                unsigned priority)
{
    return env_thread_prepare(env, h, entry, arg, priority) && tcb_resume(h->tcb) == 0;
}
