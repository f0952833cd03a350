/*
 * Faults: what the handler receives for each kind (abi/fault.h), what each
 * reply label does, and what happens without a handler or when the
 * handler goes away.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static volatile uint64_t g_seen[8];
static cptr_t g_ep;

/* The faulting routines of ktest.h, and one more. */
void fault_registers_then_undefined(void); /* x6 = 0x66, x7 = 0x77, then .word 0 (third) */
__asm__(".pushsection .text.faults, \"ax\"\n"
        ".balign 4\n"
        ".global fault_undefined\n"
        "fault_undefined:\n"
        "    .word 0\n"
        "    ret\n"
        ".global fault_brk\n"
        "fault_brk:\n"
        "    brk #7\n"
        "    ret\n"
        ".global fault_registers_then_undefined\n"
        "fault_registers_then_undefined:\n"
        "    mov x6, #0x66\n"
        "    mov x7, #0x77\n"
        "    .word 0\n"
        "    ret\n"
        ".global fault_svc1_200\n"
        "fault_svc1_200:\n"
        "    mov x0, #10\n"
        "    mov x1, #11\n"
        "    mov x2, #12\n"
        "    mov x3, #13\n"
        "    mov x4, #14\n"
        "    mov x5, #15\n"
        "    mov x6, #16\n"
        "    mov x7, #200\n"
        "    svc #1\n"
        "    ret\n"
        ".global fault_svc5\n"
        "fault_svc5:\n"
        "    mov x7, #0x77\n"
        "    mov x8, #0x88\n"
        "    svc #5\n"
        "    ret\n"
        ".global fault_svc0\n"
        "fault_svc0:\n"
        "    mov x8, #0x88\n"
        "    svc #0\n"
        "    ret\n"
        ".global fault_svc2\n"
        "fault_svc2:\n"
        "    mov x7, #0x77\n"
        "    mov x8, #0x88\n"
        "    svc #2\n"
        "    ret\n"
        ".popsection\n");

#define PC(fn) ((uint64_t)(uintptr_t)(fn))

static uint64_t g_addr;
static void (*g_routine)(void);

static void load_and_record(uint64_t arg)
{
    (void)arg;
    g_seen[1] = probe_load(g_addr);
    g_seen[0] = 1;
}

static void store_and_record(uint64_t value)
{
    probe_store(g_addr, value);
    g_seen[0] = 1;
}

static void run_routine(uint64_t arg)
{
    (void)arg;
    g_routine();
    g_seen[0] = 1;
}

/* A fault endpoint and reply object, and a helper that runs fn (above us: it faults at once). */
struct faulter {
    struct helper h;
    cptr_t ep, reply;
};

static bool start_faulter(struct env *env, struct faulter *f, void (*fn)(uint64_t), uint64_t arg)
{
    f->ep = env_object(env, OBJ_ENDPOINT, 0);
    f->reply = env_object(env, OBJ_REPLY, 0);
    g_seen[0] = 0;
    return f->ep && f->reply &&
           env_thread_named(env, &f->h, fn, arg, MAIN_PRIORITY + 1, f->ep, "faulter");
}

KTEST(fault_vm_read_of_unmapped_page)
{
    struct faulter t;
    struct fault_msg m;
    g_addr = 0x6000000000UL;
    CHECK(start_faulter(env, &t, load_and_record, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_VM);
    CHECK_EQ(m.length, FAULT_VM_LENGTH);
    CHECK_EQ(m.mr[0], PC(probe_load));
    CHECK_EQ(m.mr[1], g_addr);
    CHECK_EQ(m.mr[2], 0);
    CHECK_EQ(ESR_EC(m.mr[3]), EC_DABT_LOWER);
    CHECK_EQ(m.mr[3] & ESR_WNR, 0);
    CHECK_EQ(g_seen[0], 0);
}

KTEST(fault_vm_write_to_read_only_page)
{
    struct faulter t;
    struct fault_msg m;
    g_addr = env_map_page(env, NULL, VM_READ);
    CHECK(g_addr);
    CHECK(start_faulter(env, &t, store_and_record, 5));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_VM);
    CHECK_EQ(m.mr[0], PC(probe_store));
    CHECK_EQ(m.mr[1], g_addr);
    CHECK_EQ(ESR_EC(m.mr[3]), EC_DABT_LOWER);
    CHECK(m.mr[3] & ESR_WNR);
    CHECK_EQ(*(volatile uint64_t *)(uintptr_t)g_addr, 0);
}

KTEST(fault_vm_instruction_fetch_from_non_executable_page)
{
    struct faulter t;
    struct fault_msg m;
    uint32_t *code = (uint32_t *)(uintptr_t)env_map_page(env, NULL, VM_READ | VM_WRITE);
    CHECK(code);
    code[0] = 0xd65f03c0; /* ret */
    g_routine = (void (*)(void))(uintptr_t)code;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_VM);
    CHECK_EQ(m.mr[0], PC(code));
    CHECK_EQ(m.mr[1], PC(code));
    CHECK_EQ(m.mr[2], 1);
    CHECK_EQ(ESR_EC(m.mr[3]), EC_IABT_LOWER);
}

KTEST(fault_vm_resume_after_mapping_the_page)
{
    struct faulter t;
    struct fault_msg m;
    cptr_t frame = env_object(env, OBJ_FRAME_4K, 0);
    volatile uint64_t *mine =
        (volatile uint64_t *)(uintptr_t)env_map_frame(env, frame, VM_READ | VM_WRITE, 0);
    cptr_t copy = env_slot(env);
    CHECK(frame && mine && copy);
    mine[0] = 0x1234;
    g_addr = env->next_vaddr; /* a page nobody maps but us, below */
    env->next_vaddr += 4096;
    g_seen[1] = 0;
    CHECK(start_faulter(env, &t, load_and_record, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.mr[1], g_addr);
    CHECK_OK(cnode_copy(ROOT, copy, 64, ROOT, frame, 64, RIGHTS_ALL));
    CHECK_OK(env_map_at(env, copy, INIT_CAP_VSPACE, g_addr, VM_READ, 0));
    CHECK_OK(env_fault_reply(t.reply, FAULT_REPLY_RESUME, 0, 0, 0, 0));
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(g_seen[1], 0x1234);
}

KTEST(fault_undefined_instruction_is_user_exception)
{
    struct faulter t;
    struct fault_msg m;
    struct user_registers r;
    g_routine = fault_undefined;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_OK(tcb_read_registers(t.h.tcb, &r));
    CHECK_EQ(m.label, FAULT_USER_EXCEPTION);
    CHECK_EQ(m.length, FAULT_USER_EXCEPTION_LENGTH);
    CHECK_EQ(m.mr[0], PC(fault_undefined));
    CHECK_EQ(m.mr[1], r.sp);
    CHECK_EQ(ESR_EC(m.mr[2]), EC_UNKNOWN);
    CHECK_EQ(m.mr[3], EC_UNKNOWN);
    CHECK_EQ(r.pc, PC(fault_undefined));
}

KTEST(fault_brk_reports_its_syndrome)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_brk;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_USER_EXCEPTION);
    CHECK_EQ(m.mr[0], PC(fault_brk));
    CHECK_EQ(m.mr[3], EC_BRK);
    CHECK_EQ(m.mr[2] & 0xffff, 7);
}

KTEST(fault_misaligned_pc_is_user_exception)
{
    struct faulter t;
    struct fault_msg m;
    struct user_registers r;
    t.ep = env_object(env, OBJ_ENDPOINT, 0);
    t.reply = env_object(env, OBJ_REPLY, 0);
    CHECK(t.ep && t.reply);
    CHECK(env_thread_prepare(env, &t.h, run_routine, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_set_space(t.h.tcb, t.ep, ROOT, 0, INIT_CAP_VSPACE));
    CHECK_OK(tcb_read_registers(t.h.tcb, &r));
    r.pc = PC(run_routine) + 2;
    CHECK_OK(tcb_write_registers(t.h.tcb, true, &r, 3));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_USER_EXCEPTION);
    CHECK_EQ(m.mr[0], PC(run_routine) + 2);
    CHECK_EQ(m.mr[3], EC_PC_ALIGN);
}

KTEST(fault_unknown_syscall_number_on_svc1)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_svc1_200;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_UNKNOWN_SYSCALL);
    CHECK_EQ(m.length, FAULT_UNKNOWN_SYSCALL_LENGTH);
    CHECK_EQ(m.mr[0], PC(fault_svc1_200) + 9 * 4); /* where the thread resumes: after the svc */
    CHECK_EQ(m.mr[2], 200);
    CHECK_EQ(ESR_EC(m.mr[3]), EC_SVC64);
    CHECK_EQ(m.mr[3] & 0xffff, 1);
    for (unsigned i = 0; i < 7; i++)
        CHECK_EQ(m.mr[4 + i], 10 + i);
    CHECK_EQ(m.mr[11], 200);
    /* resuming goes on after the svc */
    CHECK_OK(env_fault_reply(t.reply, FAULT_REPLY_RESUME, 0, 0, 0, 0));
    CHECK_EQ(g_seen[0], 1);
}

KTEST(fault_unknown_svc_immediate)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_svc5;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_UNKNOWN_SYSCALL);
    CHECK_EQ(m.mr[0], PC(fault_svc5) + 3 * 4);
    CHECK_EQ(m.mr[2], 0x88); /* x8: the number for anything but svc #1 */
    CHECK_EQ(ESR_EC(m.mr[3]), EC_SVC64);
    CHECK_EQ(m.mr[3] & 0xffff, 5);
    CHECK_EQ(m.mr[11], 0x77);
}

KTEST(fault_foreign_syscall_without_emulation)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_svc0;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_UNKNOWN_SYSCALL);
    CHECK_EQ(m.mr[2], 0x88);
    CHECK_EQ(m.mr[3] & 0xffff, 0);
}

KTEST(fault_emulation_return_outside_emulation)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_svc2;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_UNKNOWN_SYSCALL);
    CHECK_EQ(m.mr[0], PC(fault_svc2) + 3 * 4);
    CHECK_EQ(m.mr[2], 0x88);
    CHECK_EQ(m.mr[3] & 0xffff, 2);
}

static void recovered(uint64_t value)
{
    g_seen[2] = value;
}

KTEST(fault_reply_set_registers_redirects_thread)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_undefined;
    g_seen[2] = 0;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    /* pc, sp, x0: "recovered(0x55)" returns where fault_undefined would have */
    CHECK_OK(env_fault_reply(t.reply, FAULT_REPLY_SET_REGISTERS, 3, PC(recovered), m.mr[1], 0x55));
    CHECK_EQ(g_seen[2], 0x55);
    CHECK_EQ(g_seen[0], 1);
}

static void recovered_four(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    g_seen[2] = a + b + c + d;
}

KTEST(fault_reply_set_registers_beyond_the_cpu_registers)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_undefined;
    g_seen[2] = 0;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    /* pc, sp, x0-x3: the last two message registers travel in our IPC buffer */
    uint64_t mr[4] = { PC(recovered_four), m.mr[1], 1, 20 };
    ipc_buffer()->msg[4] = 300;
    ipc_buffer()->msg[5] = 4000;
    CHECK_OK(sys_reply(t.reply, msginfo_new(FAULT_REPLY_SET_REGISTERS, 0, 0, 6), mr).error);
    CHECK_EQ(g_seen[2], 4321);
}

KTEST(fault_reply_skip_steps_over_instruction)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_undefined;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(g_seen[0], 0);
    CHECK_OK(env_fault_reply(t.reply, FAULT_REPLY_SKIP, 0, 0, 0, 0));
    CHECK_EQ(g_seen[0], 1);
}

KTEST(fault_reply_resume_retries_instruction)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_undefined;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_OK(env_fault_reply(t.reply, FAULT_REPLY_RESUME, 0, 0, 0, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m)); /* the same fault again */
    CHECK_EQ(m.mr[0], PC(fault_undefined));
    CHECK_EQ(g_seen[0], 0);
}

KTEST(fault_reply_suspend_leaves_thread_suspended)
{
    struct faulter t;
    struct fault_msg m;
    g_routine = fault_undefined;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_OK(env_fault_reply(t.reply, FAULT_REPLY_SUSPEND, 0, 0, 0, 0));
    env_run_lower();
    CHECK(!env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(g_seen[0], 0);
    CHECK_OK(tcb_resume(t.h.tcb)); /* it retries, and faults once more */
    CHECK(env_take_fault(t.ep, t.reply, &m));
    CHECK_EQ(m.label, FAULT_USER_EXCEPTION);
}

KTEST(fault_message_carries_the_endpoint_badge)
{
    struct helper h;
    struct fault_msg m;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), reply = env_object(env, OBJ_REPLY, 0);
    CHECK(ep && reply);
    cptr_t badged = env_mint(env, ep, RIGHTS_ALL, 0xfa);
    CHECK(badged);
    g_routine = fault_undefined;
    CHECK(env_thread_named(env, &h, run_routine, 0, MAIN_PRIORITY + 1, badged, "faulter"));
    CHECK(env_take_fault(ep, reply, &m));
    CHECK_EQ(m.badge, 0xfa);
}

static void bystander(uint64_t arg)
{
    g_seen[3] = arg;
}

KTEST(fault_without_handler_suspends_only_the_faulter)
{
    struct helper bad, good;
    struct user_registers r;
    g_routine = fault_undefined;
    g_seen[0] = g_seen[3] = 0;
    CHECK(env_thread_named(env, &bad, run_routine, 0, MAIN_PRIORITY + 1, 0, NO_HANDLER_NAME));
    env_run_lower();
    CHECK_EQ(g_seen[0], 0);
    CHECK_OK(tcb_read_registers(bad.tcb, &r));
    CHECK_EQ(r.pc, PC(fault_undefined));
    CHECK(env_thread(env, &good, bystander, 7, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[3], 7);
}

KTEST(fault_handler_cap_must_be_endpoint_with_write_right)
{
    struct helper a, b;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), reply = env_object(env, OBJ_REPLY, 0),
           n = env_object(env, OBJ_NOTIFICATION, 0);
    struct fault_msg m;
    CHECK(ep && reply && n);
    cptr_t read_only = env_mint(env, ep, RIGHT_READ, 0);
    g_routine = fault_undefined;
    g_seen[0] = 0;
    CHECK(env_thread_named(env, &a, run_routine, 0, MAIN_PRIORITY + 1, read_only, NO_HANDLER_NAME));
    CHECK(env_thread_named(env, &b, run_routine, 0, MAIN_PRIORITY + 1, n, NO_HANDLER_NAME));
    CHECK(!env_take_fault(ep, reply, &m));
    CHECK_EQ(sys_poll(n).badge, 0);
    CHECK_EQ(g_seen[0], 0);
}

KTEST(fault_handler_deleted_while_faulter_waits_keeps_its_registers)
{
    struct helper h;
    struct user_registers r;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(ep);
    g_routine = fault_registers_then_undefined;
    CHECK(env_thread_named(env, &h, run_routine, 0, MAIN_PRIORITY + 1, ep, NO_HANDLER_NAME));
    CHECK_OK(cnode_delete(ROOT, ep, 64)); /* it retries, and now has no handler */
    env_run_lower();
    CHECK_OK(tcb_read_registers(h.tcb, &r));
    CHECK_EQ(r.pc, PC(fault_registers_then_undefined) + 8);
    CHECK_EQ(r.x[6], 0x66);
    CHECK_EQ(r.x[7], 0x77);
}

static void call_and_record(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4] = { 0 };
    struct sys_result r = sys_call(g_ep, msginfo_new(1, 0, 0, 0), mr);
    g_seen[4] = msginfo_label(r.info);
    g_seen[5] = mr[0];
}

KTEST(fault_abandoned_then_restarted_thread_gets_normal_replies)
{
    struct faulter t;
    struct fault_msg m;
    struct user_registers r;
    cptr_t reply2 = env_object(env, OBJ_REPLY, 0);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(reply2 && g_ep);
    g_routine = fault_undefined;
    g_seen[4] = g_seen[5] = 0;
    CHECK(start_faulter(env, &t, run_routine, 0));
    CHECK(env_take_fault(t.ep, t.reply, &m));
    /* instead of answering the fault, restart the thread somewhere else */
    CHECK_OK(tcb_suspend(t.h.tcb));
    CHECK_OK(tcb_read_registers(t.h.tcb, &r));
    r.pc = PC(call_and_record);
    CHECK_OK(tcb_write_registers(t.h.tcb, true, &r, 3));
    uint64_t mr[4];
    CHECK_OK(sys_nb_recv(g_ep, mr, reply2).error);
    mr[0] = 0x99;
    CHECK_OK(sys_reply(reply2, msginfo_new(5, 0, 0, 1), mr).error);
    CHECK_EQ(g_seen[4], 5);
    CHECK_EQ(g_seen[5], 0x99);
}

KTEST(fault_unhandled_then_restarted_thread_gets_normal_replies)
{
    struct helper h;
    struct user_registers r;
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(reply && g_ep);
    g_routine = fault_undefined;
    g_seen[4] = g_seen[5] = 0;
    CHECK(env_thread_named(env, &h, run_routine, 0, MAIN_PRIORITY + 1, 0, NO_HANDLER_NAME));
    CHECK_OK(tcb_read_registers(h.tcb, &r));
    CHECK_EQ(r.pc, PC(fault_undefined));
    r.pc = PC(call_and_record);
    CHECK_OK(tcb_write_registers(h.tcb, true, &r, 3));
    uint64_t mr[4];
    CHECK_OK(sys_nb_recv(g_ep, mr, reply).error);
    mr[0] = 0x98;
    CHECK_OK(sys_reply(reply, msginfo_new(6, 0, 0, 1), mr).error);
    CHECK_EQ(g_seen[4], 6);
    CHECK_EQ(g_seen[5], 0x98);
}

KTEST(fault_handler_receives_faults_from_several_threads_in_order)
{
    struct helper a, b;
    struct fault_msg m;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), reply = env_object(env, OBJ_REPLY, 0);
    CHECK(ep && reply);
    cptr_t ba = env_mint(env, ep, RIGHTS_ALL, 1), bb = env_mint(env, ep, RIGHTS_ALL, 2);
    CHECK(ba && bb);
    g_routine = fault_brk;
    CHECK(env_thread_named(env, &a, run_routine, 0, MAIN_PRIORITY + 1, ba, "faulter"));
    CHECK(env_thread_named(env, &b, run_routine, 0, MAIN_PRIORITY + 1, bb, "faulter"));
    CHECK(env_take_fault(ep, reply, &m));
    CHECK_EQ(m.badge, 1);
    CHECK_OK(env_fault_reply(reply, FAULT_REPLY_SKIP, 0, 0, 0, 0));
    CHECK(env_take_fault(ep, reply, &m));
    CHECK_EQ(m.badge, 2);
    CHECK_OK(env_fault_reply(reply, FAULT_REPLY_SKIP, 0, 0, 0, 0));
    CHECK(!env_take_fault(ep, reply, &m));
}
