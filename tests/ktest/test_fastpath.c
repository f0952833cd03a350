/*
 * The kernel's fastpaths (kernel/src/fastpath): Call, ReplyRecv, Signal,
 * Yield, and fault delivery and reply. Each case a fastpath takes must give
 * what the general path gives: the registers the ABI keeps are kept, the
 * ones it may clobber (x8-x18) carry nothing of another thread's, and each
 * case is run beside one the fastpath leaves to the general path.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE
#define SECRET(n) (0x5ec0 + (n)) /* the caller's x8-x18 */
#define SERVER(n) (0x5e00 + (n)) /* the server's x8-x18 */
#define KEPT(n) (0xca00 + (n))   /* the caller's x19-x28 */

/*
 * fp_call_probe(ep, info, record): Calls ep with MR0-MR3 = 0x10-0x13, x8-x18 =
 * SECRET(n) and x19-x28 = KEPT(n), then writes x0-x28 as they came back to
 * record[0..28].
 *
 * fp_server_probe(args): args = { ep, reply, record }. Receives on ep;
 * for each message writes x0-x18 as it received them to record[0..18],
 * then with x8-x18 = SERVER(n) replies label 7, MR0-MR3 = 0x20-0x23 and
 * receives again (ReplyRecv).
 *
 * fp_svc_probe(regs): makes the system call in regs[0..7] (x0-x7) and
 * writes x0-x7 as they came back to regs[0..7].
 */
__asm__(".pushsection .text.fastpath_probes, \"ax\"\n"
        ".balign 4\n"
        ".global fp_call_probe\n"
        "fp_call_probe:\n"
        "    sub sp, sp, #96\n"
        "    stp x19, x20, [sp, #0]\n"
        "    stp x21, x22, [sp, #16]\n"
        "    stp x23, x24, [sp, #32]\n"
        "    stp x25, x26, [sp, #48]\n"
        "    stp x27, x28, [sp, #64]\n"
        "    stp x29, x30, [sp, #80]\n"
        "    mov x29, x2\n"
        "    mov x2, #0x10\n"
        "    mov x3, #0x11\n"
        "    mov x4, #0x12\n"
        "    mov x5, #0x13\n"
        "    mov x6, #0\n"
        "    mov x7, #1\n" /* SYS_CALL */
        "    mov x8, #0x5ec8\n"
        "    mov x9, #0x5ec9\n"
        "    mov x10, #0x5eca\n"
        "    mov x11, #0x5ecb\n"
        "    mov x12, #0x5ecc\n"
        "    mov x13, #0x5ecd\n"
        "    mov x14, #0x5ece\n"
        "    mov x15, #0x5ecf\n"
        "    mov x16, #0x5ed0\n"
        "    mov x17, #0x5ed1\n"
        "    mov x18, #0x5ed2\n"
        "    mov x19, #0xca13\n"
        "    mov x20, #0xca14\n"
        "    mov x21, #0xca15\n"
        "    mov x22, #0xca16\n"
        "    mov x23, #0xca17\n"
        "    mov x24, #0xca18\n"
        "    mov x25, #0xca19\n"
        "    mov x26, #0xca1a\n"
        "    mov x27, #0xca1b\n"
        "    mov x28, #0xca1c\n"
        "    svc #1\n"
        "    stp x0, x1, [x29, #0]\n"
        "    stp x2, x3, [x29, #16]\n"
        "    stp x4, x5, [x29, #32]\n"
        "    stp x6, x7, [x29, #48]\n"
        "    stp x8, x9, [x29, #64]\n"
        "    stp x10, x11, [x29, #80]\n"
        "    stp x12, x13, [x29, #96]\n"
        "    stp x14, x15, [x29, #112]\n"
        "    stp x16, x17, [x29, #128]\n"
        "    stp x18, x19, [x29, #144]\n"
        "    stp x20, x21, [x29, #160]\n"
        "    stp x22, x23, [x29, #176]\n"
        "    stp x24, x25, [x29, #192]\n"
        "    stp x26, x27, [x29, #208]\n"
        "    str x28, [x29, #224]\n"
        "    ldp x19, x20, [sp, #0]\n"
        "    ldp x21, x22, [sp, #16]\n"
        "    ldp x23, x24, [sp, #32]\n"
        "    ldp x25, x26, [sp, #48]\n"
        "    ldp x27, x28, [sp, #64]\n"
        "    ldp x29, x30, [sp, #80]\n"
        "    add sp, sp, #96\n"
        "    ret\n"
        ".global fp_server_probe\n"
        "fp_server_probe:\n"
        "    ldp x19, x20, [x0]\n"
        "    ldr x21, [x0, #16]\n"
        "    mov x0, x19\n"
        "    mov x1, #0\n"
        "    mov x6, x20\n"
        "    mov x7, #5\n" /* SYS_RECV */
        "    svc #1\n"
        "1:  stp x0, x1, [x21, #0]\n"
        "    stp x2, x3, [x21, #16]\n"
        "    stp x4, x5, [x21, #32]\n"
        "    stp x6, x7, [x21, #48]\n"
        "    stp x8, x9, [x21, #64]\n"
        "    stp x10, x11, [x21, #80]\n"
        "    stp x12, x13, [x21, #96]\n"
        "    stp x14, x15, [x21, #112]\n"
        "    stp x16, x17, [x21, #128]\n"
        "    str x18, [x21, #144]\n"
        "    mov x8, #0x5e08\n"
        "    mov x9, #0x5e09\n"
        "    mov x10, #0x5e0a\n"
        "    mov x11, #0x5e0b\n"
        "    mov x12, #0x5e0c\n"
        "    mov x13, #0x5e0d\n"
        "    mov x14, #0x5e0e\n"
        "    mov x15, #0x5e0f\n"
        "    mov x16, #0x5e10\n"
        "    mov x17, #0x5e11\n"
        "    mov x18, #0x5e12\n"
        "    mov x0, x19\n"
        "    mov x1, #0x7004\n" /* label 7, length 4 */
        "    mov x2, #0x20\n"
        "    mov x3, #0x21\n"
        "    mov x4, #0x22\n"
        "    mov x5, #0x23\n"
        "    mov x6, x20\n"
        "    mov x7, #2\n" /* SYS_REPLY_RECV */
        "    svc #1\n"
        "    b 1b\n"
        ".global fp_svc_probe\n"
        "fp_svc_probe:\n"
        "    stp x19, x30, [sp, #-16]!\n"
        "    mov x19, x0\n"
        "    ldp x0, x1, [x19, #0]\n"
        "    ldp x2, x3, [x19, #16]\n"
        "    ldp x4, x5, [x19, #32]\n"
        "    ldp x6, x7, [x19, #48]\n"
        "    svc #1\n"
        "    stp x0, x1, [x19, #0]\n"
        "    stp x2, x3, [x19, #16]\n"
        "    stp x4, x5, [x19, #32]\n"
        "    stp x6, x7, [x19, #48]\n"
        "    ldp x19, x30, [sp], #16\n"
        "    ret\n"
        ".popsection\n");

void fp_call_probe(cptr_t ep, uint64_t info, volatile uint64_t *record);
void fp_server_probe(uint64_t args);
void fp_svc_probe(uint64_t regs[8]);

static volatile uint64_t g_caller[29], g_server[19];
static uint64_t g_server_args[3];

/* A probe server above us, waiting on a fresh endpoint: our Calls to it take the fastpath. */
static bool start_probe_server(struct env *env, unsigned priority, cptr_t *ep)
{
    struct helper h;
    *ep = env_object(env, OBJ_ENDPOINT, 0);
    g_server_args[0] = *ep;
    g_server_args[1] = env_object(env, OBJ_REPLY, 0);
    g_server_args[2] = (uint64_t)(uintptr_t)g_server;
    return *ep && g_server_args[1] &&
           env_thread(env, &h, fp_server_probe, (uint64_t)(uintptr_t)g_server_args, priority);
}

/* One round trip through the probes: what each side saw, and that neither saw the other's x8-x18.
 */
static bool probe_round_trip(cptr_t ep, uint64_t badge)
{
    for (unsigned i = 0; i < 29; i++)
        g_caller[i] = ~0UL;
    fp_call_probe(ep, msginfo_new(5, 0, 0, 4), g_caller);
    bool ok = g_server[0] == badge && msginfo_label(g_server[1]) == 5 &&
              msginfo_length(g_server[1]) == 4 && g_server[2] == 0x10 && g_server[5] == 0x13 &&
              g_server[6] == 0 && g_server[7] == ERR_NONE;
    ok = ok && g_caller[0] == 0 && msginfo_label(g_caller[1]) == 7 && g_caller[2] == 0x20 &&
         g_caller[5] == 0x23 && g_caller[6] == 0 && g_caller[7] == ERR_NONE;
    for (unsigned n = 8; n <= 18; n++)
        ok = ok && g_server[n] != SECRET(n) && g_caller[n] != SERVER(n);
    for (unsigned n = 19; n <= 28; n++)
        ok = ok && g_caller[n] == KEPT(n);
    return ok;
}

KTEST(fastpath_call_and_reply_keep_registers_and_show_no_other_threads)
{
    cptr_t ep;
    CHECK(start_probe_server(env, MAIN_PRIORITY + 1, &ep));
    for (int i = 0; i < 3; i++)
        CHECK(probe_round_trip(ep, 0));
    cptr_t badged = env_mint(env, ep, RIGHTS_ALL, 0xb0b);
    CHECK(badged);
    CHECK(probe_round_trip(badged, 0xb0b));
}

KTEST(fastpath_call_to_lower_server_gives_the_same)
{
    cptr_t ep;
    CHECK(start_probe_server(env, MAIN_PRIORITY - 1, &ep));
    env_run_lower(); /* it reaches its Recv */
    for (int i = 0; i < 3; i++)
        CHECK(probe_round_trip(ep, 0));
}

static volatile uint64_t g_noted, g_noter_saw;

static void note_and_park(uint64_t arg)
{
    (void)arg;
    g_noter_saw = g_server[1]; /* still the marker if the server has not run yet */
    g_noted = 1;
    sys_wait(ktest_park);
}

/* A server below us with a thread ready between us: that thread runs before the server. */
KTEST(fastpath_call_leaves_it_to_the_general_path_when_another_outranks_the_server)
{
    cptr_t ep;
    struct helper noter;
    CHECK(start_probe_server(env, MAIN_PRIORITY - 2, &ep));
    env_run_lower();
    g_noted = 0;
    g_server[1] = 0xfeed;
    CHECK(env_thread_prepare(env, &noter, note_and_park, 0, MAIN_PRIORITY - 1));
    CHECK_OK(tcb_resume(noter.tcb)); /* ready, below us, above the server */
    CHECK(probe_round_trip(ep, 0));
    CHECK_EQ(g_noted, 1);
    CHECK_EQ(g_noter_saw, 0xfeed);
}

/* regs for fp_svc_probe: x0 = cap, x1-x5 = patterns, x6 = 0, x7 = number. */
static void svc_regs(uint64_t regs[8], cptr_t cap, unsigned number)
{
    regs[0] = cap;
    for (unsigned i = 1; i < 6; i++)
        regs[i] = 0xa0 + i;
    regs[6] = 0;
    regs[7] = number;
}

static bool x0_to_x5_kept_no_error(const uint64_t regs[8], cptr_t cap)
{
    bool ok = regs[0] == cap && regs[6] == 0 && regs[7] == ERR_NONE;
    for (unsigned i = 1; i < 6; i++)
        ok = ok && regs[i] == 0xa0 + i;
    return ok;
}

KTEST(fastpath_yield_alone_returns_every_argument_register)
{
    uint64_t regs[8];
    svc_regs(regs, 0x77, SYS_YIELD);
    fp_svc_probe(regs);
    CHECK(x0_to_x5_kept_no_error(regs, 0x77));
}

static cptr_t g_ntfn;
static volatile uint64_t g_woken[4];

static void wait_and_note(uint64_t arg)
{
    (void)arg;
    for (;;) {
        struct sys_result r = sys_wait(g_ntfn);
        g_woken[0] = r.badge;
        g_woken[1] = r.detail;
        g_woken[2] = r.error;
        g_woken[3]++;
    }
}

/* Signal with nobody waiting, a lower waiter and a higher waiter: the signaller's registers stay.
 */
KTEST(fastpath_signal_keeps_the_signallers_registers_and_delivers_the_bits)
{
    struct helper low, high;
    uint64_t regs[8], mr[4];
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t badged = env_mint(env, g_ntfn, RIGHTS_ALL, 0x30);
    CHECK(g_ntfn && badged);

    svc_regs(regs, badged, SYS_SEND); /* nobody waits: the bits wait in the word */
    fp_svc_probe(regs);
    CHECK(x0_to_x5_kept_no_error(regs, badged));
    struct sys_result r = sys_nb_recv(g_ntfn, mr, 0);
    CHECK_EQ(r.badge, 0x30);
    CHECK_EQ(r.detail, RECV_FROM_NOTIFICATION);

    g_woken[3] = 0;
    CHECK(env_thread(env, &low, wait_and_note, 0, MAIN_PRIORITY - 1));
    env_run_lower();
    svc_regs(regs, badged, SYS_SEND); /* a lower waiter: queued, we go on */
    fp_svc_probe(regs);
    CHECK(x0_to_x5_kept_no_error(regs, badged));
    CHECK_EQ(g_woken[3], 0);
    env_run_lower();
    CHECK_EQ(g_woken[3], 1);
    CHECK_EQ(g_woken[0], 0x30);
    CHECK_EQ(g_woken[1], RECV_FROM_NOTIFICATION);
    CHECK_EQ(g_woken[2], ERR_NONE);
    CHECK_OK(tcb_suspend(low.tcb));

    CHECK(env_thread(env, &high, wait_and_note, 0, MAIN_PRIORITY + 1));
    svc_regs(regs, g_ntfn, SYS_SEND); /* a higher waiter: it runs at once, unbadged bit 0 */
    fp_svc_probe(regs);
    CHECK_EQ(g_woken[3], 2);
    CHECK_EQ(g_woken[0], 1);
    CHECK_EQ(g_woken[1], RECV_FROM_NOTIFICATION);
    CHECK(x0_to_x5_kept_no_error(regs, g_ntfn));
}

/*
 * Faults: a handler above the faulter, waiting in Recv, takes each fault
 * straight from the fastpath and answers with ReplyRecv; the same faults
 * answered by the general path (test_fault.c) end the same way.
 */
static cptr_t g_fault_ep, g_fault_reply;
static volatile uint64_t g_label[8], g_fault_mr0[8], g_landed, g_after_skip, g_loaded;
static volatile uint64_t g_answer[8][5]; /* label, length, MR0-MR2 for each fault */
static volatile unsigned g_faults;
static uint64_t g_unmapped;
static cptr_t g_frame_copy;

static void fault_handler(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_fault_ep, mr, g_fault_reply);
    for (;;) {
        unsigned i = g_faults++;
        g_label[i] = msginfo_label(r.info);
        g_fault_mr0[i] = mr[0];
        if (g_label[i] == FAULT_VM) /* make the page, then let it retry */
            frame_map(g_frame_copy, INIT_CAP_VSPACE, g_unmapped, VM_READ, 0);
        mr[0] = g_answer[i][2];
        mr[1] = g_answer[i][3];
        mr[2] = g_answer[i][4];
        r = sys_reply_recv(g_fault_ep, msginfo_new(g_answer[i][0], 0, 0, (unsigned)g_answer[i][1]),
                           mr, g_fault_reply);
    }
}

static void landing(uint64_t value)
{
    g_landed = value;
    sys_wait(ktest_park);
}

static void faulter(uint64_t arg)
{
    (void)arg;
    fault_undefined(); /* skipped */
    g_after_skip = 1;
    g_loaded = probe_load(g_unmapped); /* retried once the handler maps the page */
    fault_brk();                       /* sent to landing(0x1a7d) with a stack of its own */
}

KTEST(fastpath_fault_delivery_and_replies_skip_resume_set_registers)
{
    struct helper handler, f;
    uint64_t *mine = (uint64_t *)(uintptr_t)env_map_page(env, NULL, VM_READ | VM_WRITE);
    cptr_t frame = env_object(env, OBJ_FRAME_4K, 0);
    uint64_t *data = (uint64_t *)(uintptr_t)env_map_frame(env, frame, VM_READ | VM_WRITE, 0);
    g_frame_copy = env_slot(env);
    g_fault_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_fault_reply = env_object(env, OBJ_REPLY, 0);
    CHECK(mine && data && g_frame_copy && g_fault_ep && g_fault_reply);
    CHECK_OK(cnode_copy(ROOT, g_frame_copy, 64, ROOT, frame, 64, RIGHTS_ALL));
    data[0] = 0xda7a;
    g_unmapped = env->next_vaddr; /* nobody maps it until the handler does */
    env->next_vaddr += 4096;
    g_faults = 0;
    g_landed = g_after_skip = g_loaded = 0;
    /* the page tables for g_unmapped, so the handler's map needs nothing more */
    CHECK_OK(env_map_at(env, g_frame_copy, INIT_CAP_VSPACE, g_unmapped, VM_READ, 0));
    CHECK_OK(frame_unmap(g_frame_copy));
    static const uint64_t answers[3][5] = {
        { FAULT_REPLY_SKIP, 0, 0, 0, 0 },
        { FAULT_REPLY_RESUME, 0, 0, 0, 0 },
        { FAULT_REPLY_SET_REGISTERS, 3, 0, 0, 0x1a7d }, /* pc, sp (below), x0 */
    };
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = 0; j < 5; j++)
            g_answer[i][j] = answers[i][j];
    g_answer[2][2] = (uint64_t)(uintptr_t)landing;
    g_answer[2][3] = (uint64_t)(uintptr_t)(mine + 512); /* a stack: the top of our spare page */
    CHECK(env_thread(env, &handler, fault_handler, 0, MAIN_PRIORITY + 2));
    CHECK(env_thread_named(env, &f, faulter, 0, MAIN_PRIORITY + 1, g_fault_ep, "faulter"));
    CHECK_EQ(g_faults, 3);
    CHECK_EQ(g_label[0], FAULT_USER_EXCEPTION);
    CHECK_EQ(g_fault_mr0[0], (uint64_t)(uintptr_t)fault_undefined);
    CHECK_EQ(g_after_skip, 1);
    CHECK_EQ(g_label[1], FAULT_VM);
    CHECK_EQ(g_fault_mr0[1], (uint64_t)(uintptr_t)probe_load);
    CHECK_EQ(g_loaded, 0xda7a);
    CHECK_EQ(g_label[2], FAULT_USER_EXCEPTION);
    CHECK_EQ(g_fault_mr0[2], (uint64_t)(uintptr_t)fault_brk);
    CHECK_EQ(g_landed, 0x1a7d); /* SET_REGISTERS: pc, sp, then x0 */
}

static void fault_twice(uint64_t arg)
{
    (void)arg;
    fault_undefined();
    g_after_skip = 1;
}

/* A reply that suspends the faulter: the handler's Recv half goes on by the general path. */
KTEST(fastpath_fault_reply_suspend_then_the_handler_takes_the_next_fault)
{
    struct helper handler, f1, f2;
    g_fault_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_fault_reply = env_object(env, OBJ_REPLY, 0);
    CHECK(g_fault_ep && g_fault_reply);
    g_faults = 0;
    g_after_skip = 0;
    g_answer[0][0] = FAULT_REPLY_SUSPEND;
    g_answer[0][1] = 0;
    g_answer[1][0] = FAULT_REPLY_SKIP;
    g_answer[1][1] = 0;
    CHECK(env_thread(env, &handler, fault_handler, 0, MAIN_PRIORITY + 2));
    CHECK(env_thread_named(env, &f1, fault_twice, 0, MAIN_PRIORITY + 1, g_fault_ep, "faulter"));
    CHECK_EQ(g_faults, 1);
    CHECK_EQ(g_after_skip, 0); /* suspended, not skipped */
    CHECK(env_thread_named(env, &f2, fault_twice, 0, MAIN_PRIORITY + 1, g_fault_ep, "faulter"));
    CHECK_EQ(g_faults, 2);
    CHECK_EQ(g_after_skip, 1);
}
