/*
 * Threads in a VSpace of their own. The initializer's program is not mapped
 * there, so they run a few position-independent routines copied into a
 * code frame, with everything they need preset in registers.
 */
#include "ktest.h"

/*
 * remote_counter: x10 the shared frame, x11 an endpoint. Forever: add one
 * to the shared word, then wait on the endpoint.
 * remote_syscall_then_count: makes the system call preset in x0-x7, stores
 * its error (x7) in shared word 1, then goes on as remote_counter.
 * remote_load: loads from the address in x13 into shared word 2, then goes
 * on as remote_counter.
 */
__asm__(".pushsection .text.remote, \"ax\"\n"
        ".balign 4\n"
        ".global remote_code_start\n"
        "remote_code_start:\n"
        ".global remote_syscall_then_count\n"
        "remote_syscall_then_count:\n"
        "    svc #1\n"
        "    str x7, [x10, #8]\n"
        ".global remote_counter\n"
        "remote_counter:\n"
        "    ldr x12, [x10]\n"
        "    add x12, x12, #1\n"
        "    str x12, [x10]\n"
        "    mov x0, x11\n"
        "    mov x6, #0\n"
        "    mov x7, #5\n" /* SYS_RECV */
        "    svc #1\n"
        "    b remote_counter\n"
        ".global remote_load\n"
        "remote_load:\n"
        "    ldr x12, [x13]\n"
        "    str x12, [x10, #16]\n"
        "    b remote_counter\n"
        ".global remote_code_end\n"
        "remote_code_end:\n"
        ".popsection\n");

bool env_remote(struct env *env, struct remote *r, cptr_t vspace, unsigned priority,
                cptr_t fault_ep)
{
    r->vspace = vspace ? vspace : env_object(env, OBJ_VSPACE, 0);
    r->tcb = env_object(env, OBJ_TCB, 0);
    cptr_t code = env_object(env, OBJ_FRAME_4K, 0);
    r->shared_frame = env_object(env, OBJ_FRAME_4K, 0);
    r->code_frame = env_slot(env);
    cptr_t shared_copy = env_slot(env);
    if (!r->vspace || !r->tcb || !code || !r->shared_frame || !r->code_frame || !shared_copy)
        return false;
    /* Write the code through a mapping of our own, then map a copy of the frame over there. */
    char *text = (char *)(uintptr_t)env_map_frame(env, code, VM_READ | VM_WRITE, 0);
    r->shared =
        (volatile uint64_t *)(uintptr_t)env_map_frame(env, r->shared_frame, VM_READ | VM_WRITE, 0);
    if (!text || !r->shared)
        return false;
    memcpy(text, remote_code_start, (size_t)(remote_code_end - remote_code_start));
    sys_debug_name_thread(r->tcb, "remote");
    return cnode_copy(INIT_CAP_CNODE, r->code_frame, 64, INIT_CAP_CNODE, code, 64, RIGHTS_ALL) ==
               0 &&
           cnode_copy(INIT_CAP_CNODE, shared_copy, 64, INIT_CAP_CNODE, r->shared_frame, 64,
                      RIGHTS_ALL) == 0 &&
           env_map_at(env, r->code_frame, r->vspace, REMOTE_CODE, VM_READ | VM_EXECUTE, 0) == 0 &&
           env_map_at(env, shared_copy, r->vspace, REMOTE_SHARED, VM_READ | VM_WRITE, 0) == 0 &&
           tcb_configure(r->tcb, fault_ep, INIT_CAP_CNODE, 0, r->vspace, 0, 0) == 0 &&
           tcb_set_priority(r->tcb, INIT_CAP_TCB, priority) == 0;
}

bool env_remote_start(struct remote *r, const char *entry, const uint64_t regs[REMOTE_REGS])
{
    struct user_registers u = { .pc = REMOTE_CODE + (uint64_t)(entry - remote_code_start) };
    for (unsigned i = 0; i < REMOTE_REGS; i++)
        u.x[i] = regs[i];
    u.x[10] = REMOTE_SHARED;
    return tcb_write_registers(r->tcb, true, &u, 3 + REMOTE_REGS) == 0;
}
