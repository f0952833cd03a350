/*
 * TCB invocations: registers, spaces, IPC buffer, TLS base, priorities,
 * suspend and resume, notification binding and system-call emulation.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static volatile uint64_t g_seen[8];
static cptr_t g_self, g_ep, g_ntfn, g_frame;

static uint64_t read_tpidrro(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, tpidrro_el0" : "=r"(v));
    return v;
}

static uint64_t read_tpidr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
    return v;
}

static void write_tpidr(uint64_t v)
{
    __asm__ volatile("msr tpidr_el0, %0" ::"r"(v));
}

static void fill_registers(struct user_registers *r, uint64_t base)
{
    r->pc = base;
    r->sp = base + 0x1000;
    r->spsr = 0;
    for (unsigned i = 0; i < 31; i++)
        r->x[i] = base + 100 + i;
    r->tls = base + 0x77;
}

KTEST(tcb_write_then_read_all_35_registers)
{
    cptr_t t = env_object(env, OBJ_TCB, 0);
    struct user_registers in, out;
    CHECK(t);
    fill_registers(&in, 0x4000);
    memset(&out, 0xee, sizeof(out));
    CHECK_OK(tcb_write_registers(t, false, &in, TCB_REGISTER_COUNT));
    CHECK_OK(tcb_read_registers(t, &out));
    CHECK_EQ(out.pc, in.pc);
    CHECK_EQ(out.sp, in.sp);
    CHECK_EQ(out.spsr, 0);
    for (unsigned i = 0; i < 31; i++)
        CHECK_EQ(out.x[i], in.x[i]);
    CHECK_EQ(out.tls, in.tls);
}

KTEST(tcb_read_registers_returns_the_count_asked)
{
    cptr_t t = env_object(env, OBJ_TCB, 0);
    struct user_registers in;
    uint64_t out[4] = { 1, 1, 1, 1 };
    fill_registers(&in, 0x8000);
    CHECK_OK(tcb_write_registers(t, false, &in, TCB_REGISTER_COUNT));
    struct sys_result r = invoke(t, TCB_READ_REGISTERS, (uint64_t[]){ 2 }, 1, NULL, 0, out, 4);
    CHECK_OK(r.error);
    CHECK_EQ(msginfo_length(r.info), 2);
    CHECK_EQ(out[0], 0x8000);
    CHECK_EQ(out[1], 0x9000);
    r = invoke(t, TCB_READ_REGISTERS, (uint64_t[]){ TCB_REGISTER_COUNT + 1 }, 1, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_RANGE);
    r = invoke(t, TCB_READ_REGISTERS, NULL, 0, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
}

KTEST(tcb_write_registers_checks_its_count)
{
    cptr_t t = env_object(env, OBJ_TCB, 0);
    struct user_registers out;
    CHECK(t);
    /* count 36, count 5 with only three values, and no count at all */
    struct sys_result r = invoke(t, TCB_WRITE_REGISTERS, (uint64_t[]){ 0, TCB_REGISTER_COUNT + 1 },
                                 2, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_RANGE);
    r = invoke(t, TCB_WRITE_REGISTERS, (uint64_t[]){ 0, 5, 0x1234, 0x5678, 0 }, 5, NULL, 0, NULL,
               0);
    CHECK_EQ(r.error, ERR_RANGE);
    r = invoke(t, TCB_WRITE_REGISTERS, (uint64_t[]){ 0 }, 1, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    CHECK_OK(tcb_read_registers(t, &out));
    CHECK_EQ(out.pc, 0); /* nothing was written */
}

KTEST(tcb_write_registers_sanitises_spsr)
{
    cptr_t t = env_object(env, OBJ_TCB, 0);
    struct user_registers r = { .spsr = 0xf00003c5 }; /* NZCV, DAIF masked, EL1h */
    struct user_registers out;
    CHECK(t);
    CHECK_OK(tcb_write_registers(t, false, &r, 3));
    CHECK_OK(tcb_read_registers(t, &out));
    CHECK_EQ(out.spsr, 0xf0000000); /* flags kept; EL0t, interrupts unmasked */
    r.spsr = 0x9;                   /* EL2h */
    CHECK_OK(tcb_write_registers(t, false, &r, 3));
    CHECK_OK(tcb_read_registers(t, &out));
    CHECK_EQ(out.spsr, 0);
}

static void read_current_el(uint64_t arg)
{
    (void)arg;
    uint64_t el;
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el)); /* undefined at EL0 */
    g_seen[0] = el + 1;
}

KTEST(tcb_thread_given_el2_spsr_still_runs_at_el0)
{
    struct helper h;
    struct user_registers r;
    struct fault_msg f;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), reply = env_object(env, OBJ_REPLY, 0);
    CHECK(ep && reply);
    g_seen[0] = 0;
    CHECK(env_thread_prepare(env, &h, read_current_el, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_set_space(h.tcb, ep, ROOT, 0, INIT_CAP_VSPACE));
    CHECK_OK(tcb_read_registers(h.tcb, &r));
    r.spsr = 0x3c9; /* EL2h with interrupts masked */
    CHECK_OK(tcb_write_registers(h.tcb, true, &r, 3));
    CHECK(env_take_fault(ep, reply, &f));
    CHECK_EQ(f.label, FAULT_USER_EXCEPTION);
    CHECK_EQ(g_seen[0], 0);
    CHECK_OK(tcb_read_registers(h.tcb, &r));
    CHECK_EQ(r.spsr & 0xf, 0);
}

static void set_flag(uint64_t value)
{
    g_seen[0] = value;
}

KTEST(tcb_write_registers_with_resume_starts_thread)
{
    struct helper h;
    g_seen[0] = 0;
    CHECK(env_thread_prepare(env, &h, set_flag, 5, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[0], 0);
    /* pc, sp and x0 replaced: the new stack is the top of the IPC buffer's page, unused */
    CHECK_OK(tcb_start(h.tcb, (uint64_t)(uintptr_t)set_flag, h.ipc_buffer + 4096, 6));
    CHECK_EQ(g_seen[0], 6);
}

KTEST(tcb_resume_without_vspace_is_illegal)
{
    cptr_t t = env_object(env, OBJ_TCB, 0);
    CHECK_EQ(tcb_resume(t), ERR_ILLEGAL_OPERATION);
    CHECK_OK(tcb_suspend(t)); /* suspending an inactive thread is harmless */
}

KTEST(tcb_configure_checks_spaces)
{
    cptr_t t = env_object(env, OBJ_TCB, 0), ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(t && ep);
    struct sys_result r = invoke(t, TCB_CONFIGURE, (uint64_t[]){ 0, 0, 0 }, 3,
                                 (cptr_t[]){ ep, INIT_CAP_VSPACE }, 2, NULL, 0);
    CHECK_EQ(r.error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(r.detail, 1);
    r = invoke(t, TCB_CONFIGURE, (uint64_t[]){ 0, 0, 0 }, 3, (cptr_t[]){ ROOT, ep }, 2, NULL, 0);
    CHECK_EQ(r.error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(r.detail, 2);
    /* a guard that does not fit with the root's 12-bit radix, and one wider than its size */
    CHECK_EQ(tcb_configure(t, 0, ROOT, cnode_guard_data(0, 53), INIT_CAP_VSPACE, 0, 0),
             ERR_INVALID_ARGUMENT);
    CHECK_EQ(tcb_set_space(t, 0, ROOT, cnode_guard_data(0x100, 8), INIT_CAP_VSPACE),
             ERR_INVALID_ARGUMENT);
    r = invoke(t, TCB_CONFIGURE, (uint64_t[]){ 0, 0, 0 }, 3, (cptr_t[]){ ROOT }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    r = invoke(t, TCB_CONFIGURE, (uint64_t[]){ 0, 0 }, 2, (cptr_t[]){ ROOT, INIT_CAP_VSPACE }, 2,
               NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(tcb_resume(t), ERR_ILLEGAL_OPERATION); /* still nowhere to run */
}

KTEST(tcb_configure_checks_ipc_buffer)
{
    cptr_t t = env_object(env, OBJ_TCB, 0), ep = env_object(env, OBJ_ENDPOINT, 0),
           frame = env_object(env, OBJ_FRAME_4K, 0);
    CHECK(t && ep && frame);
    CHECK_EQ(tcb_configure(t, 0, ROOT, 0, INIT_CAP_VSPACE, 0x50000010, frame), ERR_ALIGNMENT);
    CHECK_EQ(tcb_configure(t, 0, ROOT, 0, INIT_CAP_VSPACE, 0x50000000, ep), ERR_INVALID_CAPABILITY);
    struct sys_result r = invoke(t, TCB_CONFIGURE, (uint64_t[]){ 0, 0, 0x50000000 }, 3,
                                 (cptr_t[]){ ROOT, INIT_CAP_VSPACE }, 2, NULL, 0);
    CHECK_EQ(r.error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(r.detail, 3);
    CHECK_EQ(tcb_set_ipc_buffer(t, 0x50000400, ep), ERR_INVALID_CAPABILITY);
    CHECK_EQ(tcb_set_ipc_buffer(t, 0x50000200, frame), ERR_ALIGNMENT);
    CHECK_OK(tcb_configure(t, 0, ROOT, 0, INIT_CAP_VSPACE, 0x50000400, frame));
}

KTEST(tcb_ipc_buffer_in_device_memory_is_refused)
{
    const struct boot_info *bi = env->bi;
    cptr_t device = 0, t = env_object(env, OBJ_TCB, 0), frame = env_slot(env);
    for (unsigned i = 0; i < bi->untyped_count; i++)
        if (bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits >= 12)
            device = bi->untyped.start + i;
    CHECK(device && t && frame);
    CHECK_OK(untyped_retype(device, OBJ_FRAME_4K, 0, ROOT, 0, 0, frame, 1));
    CHECK_EQ(tcb_set_ipc_buffer(t, 0x50000000, frame), ERR_INVALID_CAPABILITY);
    CHECK_OK(cnode_delete(ROOT, frame, 64));
}

static void signal_slot_one(uint64_t arg)
{
    (void)arg;
    g_seen[0] = sys_signal(1) + 1;
    for (;;)
        sys_wait(2); /* the parking notification, in this CSpace */
}

KTEST(tcb_set_space_gives_thread_a_new_cspace)
{
    struct helper h;
    cptr_t c = env_object(env, OBJ_CNODE, 2), n = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(c && n);
    CHECK_OK(cnode_copy(c, 1, 2, ROOT, n, 64, RIGHTS_ALL));
    CHECK_OK(cnode_copy(c, 2, 2, ROOT, ktest_park, 64, RIGHTS_ALL));
    g_seen[0] = 0;
    CHECK(env_thread_prepare(env, &h, signal_slot_one, 0, MAIN_PRIORITY + 1));
    /* slot 1 of a 2-bit CNode with a 62-bit guard of zeros is cptr 1 */
    CHECK_OK(tcb_set_space(h.tcb, 0, c, cnode_guard_data(0, 62), INIT_CAP_VSPACE));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(sys_poll(n).badge, 1);
}

static void report_ipc_buffer(uint64_t arg)
{
    (void)arg;
    for (unsigned i = 0;; i++) {
        g_seen[i & 7] = read_tpidrro();
        sys_wait(g_ntfn);
    }
}

KTEST(tcb_set_ipc_buffer_moves_tpidrro)
{
    struct helper h;
    cptr_t frame2;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    uint64_t page2 = env_map_page(env, &frame2, VM_READ | VM_WRITE);
    CHECK(g_ntfn && page2);
    CHECK(env_thread(env, &h, report_ipc_buffer, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[0], h.ipc_buffer);
    CHECK_OK(tcb_set_ipc_buffer(h.tcb, page2 + 0x400, frame2));
    sys_signal(g_ntfn);
    CHECK_EQ(g_seen[1], page2 + 0x400);
    CHECK_OK(tcb_set_ipc_buffer(h.tcb, 0, 0));
    sys_signal(g_ntfn);
    CHECK_EQ(g_seen[2], 0);
    CHECK_EQ(read_tpidrro(), (uint64_t)(uintptr_t)ipc_buffer()); /* ours is untouched */
}

static void set_own_ipc_buffer(uint64_t addr)
{
    g_seen[0] = read_tpidrro();
    g_seen[1] = tcb_set_ipc_buffer(g_self, addr, g_frame);
    g_seen[2] = read_tpidrro();
}

KTEST(tcb_set_ipc_buffer_on_itself_takes_effect_at_once)
{
    struct helper h;
    cptr_t frame2;
    uint64_t page2 = env_map_page(env, &frame2, VM_READ | VM_WRITE);
    CHECK(page2);
    CHECK(env_thread_prepare(env, &h, set_own_ipc_buffer, page2 + 0x800, MAIN_PRIORITY + 1));
    g_self = h.tcb;
    g_frame = frame2;
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[0], h.ipc_buffer);
    CHECK_OK(g_seen[1]);
    CHECK_EQ(g_seen[2], page2 + 0x800);
}

static void long_receiver(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_ep, mr, 0);
    g_seen[0] = msginfo_length(r.info);
    g_seen[1] = mr[3];
    /* an invocation with an extra capability needs the buffer too */
    g_seen[2] = sys_raw(SYS_CALL, ROOT, msginfo_new(CNODE_COPY, 0, 1, 4), mr, 0, 0).error;
}

KTEST(tcb_without_ipc_buffer_gets_four_registers_only)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(g_ep);
    CHECK(env_thread_prepare(env, &h, long_receiver, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_set_ipc_buffer(h.tcb, 0, 0));
    CHECK_OK(tcb_resume(h.tcb));
    ipc_buffer()->msg[5] = 55;
    uint64_t mr[4] = { 1, 2, 3, 4 };
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 0, 10), mr).error);
    CHECK_EQ(g_seen[0], 4);
    CHECK_EQ(g_seen[1], 4);
    CHECK_EQ(g_seen[2], ERR_TRUNCATED_MESSAGE);
}

static void receive_long(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    for (;;)
        g_seen[0] = sys_recv(g_ep, mr, 0).error + 1;
}

/* A capability word as the kernel lays it out (kernel/include/cella/cap.h): a frame of physical
 * memory. */
#define FORGED_FRAME(paddr) ((uint64_t)OBJ_FRAME_4K << 59 | (uint64_t)RIGHTS_ALL << 55 | (paddr))

KTEST(tcb_ipc_buffer_goes_with_its_frame)
{
    struct helper h;
    cptr_t u = env_object(env, OBJ_UNTYPED, 12), frame = env_slot(env), c = env_slot(env),
           forged = env_slot(env);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(u && frame && c && forged && g_ep);
    CHECK_OK(untyped_retype(u, OBJ_FRAME_4K, 0, ROOT, 0, 0, frame, 1));
    CHECK(env_thread_prepare(env, &h, receive_long, 0, MAIN_PRIORITY + 1));
    CHECK_OK(
        tcb_set_ipc_buffer(h.tcb, 0x7000000000UL, frame)); /* where it is mapped does not matter */
    CHECK_OK(tcb_resume(h.tcb));
    /* the frame goes, and its memory becomes a CNode: slot 2 is bytes 64-95, message registers 7
     * and 8 */
    CHECK_OK(cnode_revoke(ROOT, u, 64));
    CHECK_OK(untyped_retype(u, OBJ_CNODE, 7, ROOT, 0, 0, c, 1));
    struct ipc_buffer *buf = ipc_buffer();
    buf->msg[7] = FORGED_FRAME(0x40000000UL);
    buf->msg[8] = 0;
    uint64_t mr[4] = { 0 };
    g_seen[0] = 0;
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 0, 9), mr).error);
    CHECK_EQ(g_seen[0], 1);
    /* the message stopped at the registers: no capability appeared in the CNode */
    CHECK_EQ(cnode_copy(ROOT, forged, 64, c, 2, 7, RIGHTS_ALL), ERR_FAILED_LOOKUP);
    CHECK_EQ(sys_debug_cap_identify(forged), CAP_NULL);
}

static void report_tls(uint64_t slot)
{
    g_seen[slot] = read_tpidr();
    sys_yield();
    g_seen[slot + 2] = read_tpidr();
}

KTEST(tcb_tls_base_is_per_thread)
{
    struct helper a, b;
    uint64_t mine = read_tpidr();
    CHECK(env_thread_prepare(env, &a, report_tls, 0, MAIN_PRIORITY + 1));
    CHECK(env_thread_prepare(env, &b, report_tls, 1, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_set_tls_base(a.tcb, 0xaaaa000));
    CHECK_OK(tcb_set_tls_base(b.tcb, 0xbbbb000));
    /* both ready before either runs, so their yields interleave them */
    CHECK_OK(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY + 2));
    CHECK_OK(tcb_resume(a.tcb));
    CHECK_OK(tcb_resume(b.tcb));
    env_run_lower();
    CHECK_EQ(g_seen[0], 0xaaaa000);
    CHECK_EQ(g_seen[1], 0xbbbb000);
    CHECK_EQ(g_seen[2], 0xaaaa000);
    CHECK_EQ(g_seen[3], 0xbbbb000);
    CHECK_EQ(read_tpidr(), mine);
}

static void write_tls_and_wait(uint64_t value)
{
    write_tpidr(value);
    sys_wait(g_ntfn);
    g_seen[0] = read_tpidr();
    g_seen[1] = tcb_set_tls_base(g_self, value + 1);
    g_seen[2] = read_tpidr();
}

KTEST(tcb_tls_written_at_el0_is_kept_and_read_back)
{
    struct helper h;
    struct user_registers r;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(g_ntfn);
    CHECK(env_thread_prepare(env, &h, write_tls_and_wait, 0x5150000, MAIN_PRIORITY + 1));
    g_self = h.tcb;
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_OK(tcb_read_registers(h.tcb, &r));
    CHECK_EQ(r.tls, 0x5150000);
    sys_signal(g_ntfn);
    CHECK_EQ(g_seen[0], 0x5150000);
    CHECK_OK(g_seen[1]);
    CHECK_EQ(g_seen[2], 0x5150001); /* SetTLSBase on itself is immediate */
}

KTEST(tcb_set_priority_is_bounded_by_authority_mcp)
{
    cptr_t auth = env_object(env, OBJ_TCB, 0), t = env_object(env, OBJ_TCB, 0);
    CHECK(auth && t);
    CHECK_EQ(tcb_set_priority(t, auth, 1), ERR_RANGE); /* a fresh TCB's MCP is 0 */
    CHECK_OK(tcb_set_mc_priority(auth, INIT_CAP_TCB, 50));
    CHECK_OK(tcb_set_priority(t, auth, 50));
    CHECK_EQ(tcb_set_priority(t, auth, 51), ERR_RANGE);
    CHECK_EQ(tcb_set_mc_priority(t, auth, 60), ERR_RANGE);
    CHECK_OK(tcb_set_mc_priority(t, auth, 40));
    CHECK_EQ(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, PRIORITY_MAX + 1), ERR_RANGE);
}

KTEST(tcb_set_priority_needs_a_tcb_authority)
{
    cptr_t t = env_object(env, OBJ_TCB, 0), ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(t && ep);
    struct sys_result r =
        invoke(t, TCB_SET_PRIORITY, (uint64_t[]){ 1 }, 1, (cptr_t[]){ ep }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(r.detail, 1);
    r = invoke(t, TCB_SET_PRIORITY, (uint64_t[]){ 1 }, 1, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(tcb_set_mc_priority(t, ep, 0), ERR_INVALID_CAPABILITY);
}

static void receive_once(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    g_seen[0] = sys_recv(g_ep, mr, 0).error + 1;
    g_seen[1] = 1;
}

KTEST(tcb_suspend_takes_thread_out_of_recv)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_seen[0] = g_seen[1] = 0;
    CHECK(g_ep && env_thread(env, &h, receive_once, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_suspend(h.tcb));
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_nb_send(g_ep, msginfo_new(1, 0, 0, 0), mr).error); /* nobody is waiting now */
    CHECK_EQ(g_seen[1], 0);
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[0], ERR_CANCELLED + 1);
}

KTEST(tcb_resume_of_a_blocked_thread_changes_nothing)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_seen[0] = g_seen[1] = 0;
    CHECK(g_ep && env_thread(env, &h, receive_once, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[1], 0); /* still waiting for a message */
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(1, 0, 0, 0), mr).error);
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[0], ERR_NONE + 1);
}

static void suspend_self(uint64_t arg)
{
    (void)arg;
    g_seen[0] = 1;
    g_seen[2] = tcb_suspend(g_self) + 1;
    g_seen[1] = 1;
}

KTEST(tcb_thread_suspends_itself_and_resumes_where_it_stopped)
{
    struct helper h;
    g_seen[0] = g_seen[1] = g_seen[2] = 0;
    CHECK(env_thread_prepare(env, &h, suspend_self, 0, MAIN_PRIORITY + 1));
    g_self = h.tcb;
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(g_seen[1], 0);
    env_run_lower();
    CHECK_EQ(g_seen[1], 0); /* suspended, not merely waiting for the CPU */
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[2], ERR_NONE + 1);
}

static void delete_self(uint64_t arg)
{
    (void)arg;
    g_seen[0] = 1;
    cnode_delete(ROOT, g_self, 64);
    g_seen[1] = 1;
}

KTEST(tcb_thread_deletes_its_own_tcb)
{
    struct helper h, other;
    g_seen[0] = g_seen[1] = 0;
    CHECK(env_thread_prepare(env, &h, delete_self, 0, MAIN_PRIORITY + 1));
    g_self = h.tcb;
    CHECK_OK(tcb_resume(h.tcb));
    env_run_lower();
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(g_seen[1], 0);
    CHECK_EQ(sys_debug_cap_identify(h.tcb), CAP_NULL);
    /* and the next thread runs as usual */
    CHECK(env_thread(env, &other, set_flag, 9, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[0], 9);
}

static void send_value(uint64_t value)
{
    uint64_t mr[4] = { value, 0, 0, 0 };
    sys_send(g_ep, msginfo_new(0, 0, 0, 1), mr);
}

KTEST(tcb_deleting_thread_blocked_in_send_leaves_queue_intact)
{
    struct helper a, b, c;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(g_ep);
    CHECK(env_thread(env, &a, send_value, 1, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, send_value, 2, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &c, send_value, 3, MAIN_PRIORITY + 1));
    CHECK_OK(cnode_delete(ROOT, b.tcb, 64)); /* from the middle of the queue */
    CHECK_OK(cnode_delete(ROOT, a.tcb, 64)); /* and its head */
    uint64_t mr[4];
    CHECK_OK(sys_nb_recv(g_ep, mr, 0).error);
    CHECK_EQ(mr[0], 3);
    CHECK_EQ(sys_nb_recv(g_ep, mr, 0).info, 0);
}

static void call_server(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4] = { 0 };
    sys_call(g_ep, msginfo_new(0, 0, 0, 0), mr);
    g_seen[0] = 1;
}

KTEST(tcb_deleting_caller_waiting_for_reply_is_harmless)
{
    struct helper h;
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_seen[0] = 0;
    CHECK(reply && g_ep && env_thread(env, &h, call_server, 0, MAIN_PRIORITY + 1));
    uint64_t mr[4];
    CHECK_OK(sys_nb_recv(g_ep, mr, reply).error);
    CHECK_OK(cnode_delete(ROOT, h.tcb, 64));
    CHECK_OK(sys_reply(reply, 0, mr).error);
    CHECK_EQ(g_seen[0], 0);
}

static void wait_on_ntfn(uint64_t arg)
{
    (void)arg;
    sys_wait(g_ntfn);
}

KTEST(tcb_bind_notification_refusals)
{
    struct helper waiter;
    cptr_t t = env_object(env, OBJ_TCB, 0), t2 = env_object(env, OBJ_TCB, 0);
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0), n2 = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(t && t2 && n && n2 && ep && g_ntfn);
    cptr_t signal_only = env_mint(env, n2, RIGHT_WRITE, 0);
    CHECK(signal_only);
    CHECK_EQ(tcb_bind_notification(t, ep), ERR_INVALID_CAPABILITY);
    CHECK_EQ(tcb_bind_notification(t, signal_only), ERR_INVALID_CAPABILITY);
    CHECK_EQ(invoke(t, TCB_BIND_NOTIFICATION, NULL, 0, NULL, 0, NULL, 0).error,
             ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(tcb_unbind_notification(t), ERR_ILLEGAL_OPERATION);
    CHECK_OK(tcb_bind_notification(t, n));
    CHECK_EQ(tcb_bind_notification(t, n2), ERR_ILLEGAL_OPERATION); /* t is bound */
    CHECK_EQ(tcb_bind_notification(t2, n), ERR_ILLEGAL_OPERATION); /* n is bound */
    CHECK(env_thread(env, &waiter, wait_on_ntfn, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(tcb_bind_notification(t2, g_ntfn), ERR_ILLEGAL_OPERATION); /* it has a waiter */
    CHECK_OK(tcb_unbind_notification(t));
    CHECK_EQ(tcb_unbind_notification(t), ERR_ILLEGAL_OPERATION);
    CHECK_OK(tcb_bind_notification(t2, n));
}

KTEST(tcb_invocations_check_label_and_arguments)
{
    cptr_t t = env_object(env, OBJ_TCB, 0);
    CHECK(t);
    CHECK_EQ(invoke(t, CNODE_COPY, NULL, 0, NULL, 0, NULL, 0).error, ERR_ILLEGAL_OPERATION);
    CHECK_EQ(invoke(t, INV_NONE, NULL, 0, NULL, 0, NULL, 0).error, ERR_ILLEGAL_OPERATION);
    CHECK_EQ(invoke(t, TCB_SET_TLS_BASE, NULL, 0, NULL, 0, NULL, 0).error, ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(t, TCB_SET_SYSCALL_EMULATION, NULL, 0, NULL, 0, NULL, 0).error,
             ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(t, TCB_SET_IPC_BUFFER, NULL, 0, NULL, 0, NULL, 0).error, ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(
        invoke(t, TCB_SET_SPACE, (uint64_t[]){ 0, 0 }, 2, (cptr_t[]){ ROOT }, 1, NULL, 0).error,
        ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(t, TCB_SET_MC_PRIORITY, NULL, 0, (cptr_t[]){ INIT_CAP_TCB }, 1, NULL, 0).error,
             ERR_TRUNCATED_MESSAGE);
}

/* An emulation entry: answers x8 + 1000 in x0, as a foreign system call's result. */
extern const char emulate_add_1000[];
__asm__(".pushsection .text.emulate, \"ax\"\n"
        ".balign 4\n"
        "emulate_add_1000:\n"
        "    add x0, x8, #1000\n"
        "    svc #2\n"
        ".popsection\n");

static void foreign_call(uint64_t arg)
{
    (void)arg;
    register uint64_t x0 __asm__("x0") = 0;
    register uint64_t x8 __asm__("x8") = 42;
    register uint64_t x9 __asm__("x9") = 0x99;
    __asm__ volatile("svc #0" : "+r"(x0), "+r"(x8), "+r"(x9) : : "memory");
    g_seen[0] = x0;
    g_seen[1] = x8;
    g_seen[2] = x9;
}

KTEST(tcb_syscall_emulation_entry_answers_foreign_calls)
{
    struct helper h;
    g_seen[0] = g_seen[1] = g_seen[2] = 0;
    CHECK(env_thread_prepare(env, &h, foreign_call, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_set_syscall_emulation(h.tcb, (uint64_t)(uintptr_t)emulate_add_1000));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[0], 1042);
    CHECK_EQ(g_seen[1], 42);
    CHECK_EQ(g_seen[2], 0x99);
}
