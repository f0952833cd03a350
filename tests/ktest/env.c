/* Resources for tests: slots, objects from the arena, mapped pages and helper threads. */
#include "ktest.h"

#define HELPER_STACK_SIZE 16384
#define MAX_HELPERS 24
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

cptr_t env_mint(struct env *env, cptr_t cap, unsigned rights, uint64_t badge)
{
    cptr_t slot = env_slot(env);
    if (!slot || cnode_mint(INIT_CAP_CNODE, slot, 64, INIT_CAP_CNODE, cap, 64, rights, badge))
        return 0;
    return slot;
}

int env_map_at(struct env *env, cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights,
               unsigned attrs)
{
    int err;
    while ((err = frame_map(frame, vspace, vaddr, rights, attrs)) == ERR_FAILED_LOOKUP) {
        cptr_t pt = env_object(env, OBJ_PAGE_TABLE, 0);
        if (!pt || page_table_map(pt, vspace, vaddr))
            return ERR_FAILED_LOOKUP;
    }
    return err;
}

uint64_t env_map_frame(struct env *env, cptr_t frame, unsigned rights, unsigned attrs)
{
    uint64_t vaddr = env->next_vaddr;
    if (env_map_at(env, frame, INIT_CAP_VSPACE, vaddr, rights, attrs))
        return 0;
    env->next_vaddr += 4096;
    return vaddr;
}

uint64_t env_map_page(struct env *env, cptr_t *frame_out, unsigned rights)
{
    cptr_t frame = env_object(env, OBJ_FRAME_4K, 0);
    uint64_t vaddr = frame ? env_map_frame(env, frame, rights, 0) : 0;
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

/* Where a helper's entry function returns to. */
static void park(void)
{
    for (;;)
        sys_wait(ktest_park);
}

bool env_thread_prepare(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                        unsigned priority)
{
    if (env->threads >= MAX_HELPERS)
        return false;
    h->tcb = env_object(env, OBJ_TCB, 0);
    h->ipc_buffer = env_map_page(env, &h->ipc_buffer_frame, VM_READ | VM_WRITE);
    if (!h->tcb || !h->ipc_buffer)
        return false;
    char *stack_top = helper_stacks[env->threads++] + HELPER_STACK_SIZE;
    struct user_registers regs = { .pc = (uint64_t)(uintptr_t)entry,
                                   .sp = (uint64_t)(uintptr_t)stack_top };
    regs.x[0] = arg;
    regs.x[30] = (uint64_t)(uintptr_t)park;
    sys_debug_name_thread(h->tcb, "helper");
    return tcb_configure(h->tcb, 0, INIT_CAP_CNODE, 0, INIT_CAP_VSPACE, h->ipc_buffer,
                         h->ipc_buffer_frame) == 0 &&
           tcb_set_priority(h->tcb, INIT_CAP_TCB, priority) == 0 &&
           tcb_set_tls_base(h->tcb, current_tls()) == 0 &&
           tcb_write_registers(h->tcb, false, &regs, 3 + 31) == 0;
}

bool env_thread(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                unsigned priority)
{
    return env_thread_prepare(env, h, entry, arg, priority) && tcb_resume(h->tcb) == 0;
}

bool env_thread_named(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                      unsigned priority, cptr_t fault_ep, const char *name)
{
    if (!env_thread_prepare(env, h, entry, arg, priority) ||
        tcb_set_space(h->tcb, fault_ep, INIT_CAP_CNODE, 0, INIT_CAP_VSPACE))
        return false;
    sys_debug_name_thread(h->tcb, name);
    return tcb_resume(h->tcb) == 0;
}

void env_run_lower(void)
{
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, 0);
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY);
}

bool env_take_fault(cptr_t ep, cptr_t reply, struct fault_msg *f)
{
    uint64_t mr[4];
    struct sys_result r = sys_nb_recv(ep, mr, reply);
    if (r.error || msginfo_label(r.info) == FAULT_NONE)
        return false;
    f->badge = r.badge;
    f->label = msginfo_label(r.info);
    f->length = msginfo_length(r.info);
    for (unsigned i = 0; i < FAULT_UNKNOWN_SYSCALL_LENGTH; i++)
        f->mr[i] = i < MSG_REGISTERS_IN_CPU ? mr[i] : ipc_buffer()->msg[i];
    return true;
}

uint64_t env_fault_reply(cptr_t reply, uint64_t label, unsigned length, uint64_t mr0, uint64_t mr1,
                         uint64_t mr2)
{
    uint64_t mr[4] = { mr0, mr1, mr2, 0 };
    return sys_reply(reply, msginfo_new(label, 0, 0, length), mr).error;
}

__asm__(".pushsection .text.probes, \"ax\"\n"
        ".balign 4\n"
        ".global probe_load\n"
        "probe_load:\n"
        "    ldr x0, [x0]\n"
        "    ret\n"
        ".global probe_store\n"
        "probe_store:\n"
        "    str x1, [x0]\n"
        "    ret\n"
        ".popsection\n");

static volatile uint64_t probe_value, probe_done;
static volatile bool probe_write;

static void probe(uint64_t addr)
{
    if (probe_write)
        probe_store(addr, probe_value);
    else
        probe_value = probe_load(addr);
    probe_done = 1;
}

unsigned env_probe(struct env *env, uint64_t addr, bool write, uint64_t *value, struct fault_msg *f)
{
    struct helper h;
    struct fault_msg m;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), reply = env_object(env, OBJ_REPLY, 0);
    probe_done = 0;
    probe_write = write;
    probe_value = value ? *value : 0;
    if (!ep || !reply || !env_thread_named(env, &h, probe, addr, MAIN_PRIORITY + 1, ep, "probe"))
        return ~0u;
    if (probe_done) {
        if (value)
            *value = probe_value;
        return FAULT_NONE;
    }
    if (!env_take_fault(ep, reply, &m))
        return ~0u;
    if (f)
        *f = m;
    return (unsigned)m.label;
}

uint64_t env_usec(void)
{
    uint64_t ticks, freq;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(ticks));
    __asm__("mrs %0, cntfrq_el0" : "=r"(freq));
    return ticks / (freq / 1000000);
}
