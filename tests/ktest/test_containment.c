/*
 * Fault containment: threads that fault in every way, spin forever, run
 * random instructions or call the kernel with garbage. Afterwards the
 * kernel still runs and other threads still work. The garbage comes from a
 * fixed-seed generator, so a failure repeats.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t x = rng_state; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static uint64_t rng_below(uint64_t n)
{
    return rng() % n;
}

/* An echo round trip with a fresh thread, and a fresh object: the kernel still serves us. */
static cptr_t g_echo_ep, g_echo_reply;

static void echo(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_echo_ep, mr, g_echo_reply);
    for (;;) {
        mr[0] += 1;
        r = sys_reply_recv(g_echo_ep, msginfo_new(msginfo_label(r.info), 0, 0, 1), mr,
                           g_echo_reply);
    }
}

static bool kernel_still_works(struct env *env)
{
    struct helper h;
    g_echo_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_echo_reply = env_object(env, OBJ_REPLY, 0);
    if (!g_echo_ep || !g_echo_reply || !env_thread(env, &h, echo, 0, MAIN_PRIORITY + 1))
        return false;
    uint64_t mr[4] = { 41, 0, 0, 0 };
    struct sys_result r = sys_call(g_echo_ep, msginfo_new(3, 0, 0, 1), mr);
    return r.error == 0 && msginfo_label(r.info) == 3 && mr[0] == 42 &&
           sys_debug_cap_identify(INIT_CAP_CNODE) == OBJ_CNODE &&
           sys_debug_cap_identify(INIT_CAP_TCB) == OBJ_TCB;
}

/* Ways to fault, each a routine whose first instruction faults (or runs into one that does). */
void contain_hvc(void);
void contain_smc(void);
void contain_msr_el1(void);
void contain_mrs_el2(void);
void contain_svc_many(void);
void contain_bad_sp(void);
void contain_eret(void);
void contain_dc_ivac(void);
__asm__(".pushsection .text.contain, \"ax\"\n"
        ".balign 4\n"
        ".global contain_hvc\n"
        "contain_hvc: hvc #0\n ret\n"
        ".global contain_smc\n"
        "contain_smc: smc #0\n ret\n"
        ".global contain_msr_el1\n"
        "contain_msr_el1: msr vbar_el1, x0\n ret\n"
        ".global contain_mrs_el2\n"
        "contain_mrs_el2: mrs x0, hcr_el2\n ret\n"
        ".global contain_svc_many\n"
        "contain_svc_many: svc #0xffff\n ret\n"
        ".global contain_bad_sp\n"
        "contain_bad_sp: mov x9, sp\n mov sp, #0x10\n ldr x0, [sp]\n mov sp, x9\n ret\n"
        ".global contain_eret\n"
        "contain_eret: eret\n ret\n"
        ".global contain_dc_ivac\n"
        "contain_dc_ivac: dc ivac, x0\n ret\n"
        ".popsection\n");

static void (*const g_faults[])(void) = {
    fault_undefined,  fault_brk,      fault_svc1_200, fault_svc5,      fault_svc0,
    fault_svc2,       contain_hvc,    contain_smc,    contain_msr_el1, contain_mrs_el2,
    contain_svc_many, contain_bad_sp, contain_eret,   contain_dc_ivac,
};
#define FAULT_KINDS (sizeof(g_faults) / sizeof(g_faults[0]))

static volatile uint64_t g_after[FAULT_KINDS + 2];

static void fault_then_note(uint64_t i)
{
    if (i < FAULT_KINDS)
        g_faults[i]();
    else if (i == FAULT_KINDS)
        probe_load(0x7000000000UL);
    else
        ((void (*)(void))(uintptr_t)0x200001)(); /* misaligned pc */
    g_after[i] = 1;
}

KTEST(containment_threads_faulting_every_way_without_handler)
{
    struct helper h[FAULT_KINDS + 2];
    for (unsigned i = 0; i < FAULT_KINDS + 2; i++) {
        g_after[i] = 0;
        CHECK(env_thread_named(env, &h[i], fault_then_note, i, MAIN_PRIORITY + 1, 0,
                               NO_HANDLER_NAME));
    }
    env_run_lower();
    for (unsigned i = 0; i < FAULT_KINDS + 2; i++)
        CHECK_EQ(g_after[i], 0);
    CHECK(kernel_still_works(env));
}

KTEST(containment_fault_loop_answered_by_resume)
{
    struct helper h;
    struct fault_msg m;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), reply = env_object(env, OBJ_REPLY, 0);
    CHECK(ep && reply);
    g_after[0] = 0;
    CHECK(env_thread_named(env, &h, fault_then_note, 0, MAIN_PRIORITY + 1, ep, "faulter"));
    for (int i = 0; i < 2000; i++) {
        CHECK(env_take_fault(ep, reply, &m));
        CHECK_EQ(m.label, FAULT_USER_EXCEPTION);
        CHECK_OK(
            env_fault_reply(reply, FAULT_REPLY_RESUME, 0, 0, 0, 0)); /* retried, faults again */
    }
    CHECK_OK(tcb_suspend(h.tcb));
    CHECK_EQ(g_after[0], 0);
    CHECK(kernel_still_works(env));
}

static volatile uint64_t g_spins[4];

static void spin(uint64_t id)
{
    for (;;)
        g_spins[id]++;
}

KTEST(containment_spinning_threads_at_our_priority_leave_us_our_share)
{
    struct helper h[3];
    for (unsigned i = 0; i < 3; i++) {
        g_spins[i] = 0;
        CHECK(env_thread(env, &h[i], spin, i, MAIN_PRIORITY));
    }
    uint64_t start = env_usec();
    while (env_usec() - start < 80000)
        ;
    for (unsigned i = 0; i < 3; i++)
        CHECK(g_spins[i] > 0);
    CHECK(kernel_still_works(env)); /* a higher-priority server still answers at once */
    for (unsigned i = 0; i < 3; i++)
        CHECK_OK(tcb_suspend(h[i].tcb));
}

/*
 * A sandbox: a thread whose CSpace is a 16-slot CNode holding a few objects
 * of its own (from a small untyped), so nothing it does reaches ours.
 */
enum {
    SB_CNODE = 1,
    SB_EP,
    SB_NTFN,
    SB_REPLY,
    SB_FRAME,
    SB_PT,
    SB_VSPACE,
    SB_UNTYPED,
    SB_TCB,
    SB_FAULT_EP,
    SB_SLOTS = 16
};

struct sandbox {
    cptr_t untyped, cnode, fault_ep, tcb, vspace; /* the last a copy of the sandbox's own */
};

/* (Re)fills the sandbox: whatever its untyped held before is destroyed first. */
static bool sandbox_fill(struct sandbox *s)
{
    static const unsigned kinds[] = {
        [SB_EP] = OBJ_ENDPOINT,    [SB_NTFN] = OBJ_NOTIFICATION, [SB_REPLY] = OBJ_REPLY,
        [SB_FRAME] = OBJ_FRAME_4K, [SB_PT] = OBJ_PAGE_TABLE,     [SB_VSPACE] = OBJ_VSPACE
    };
    if (cnode_revoke(ROOT, s->untyped, 64) ||
        untyped_retype(s->untyped, OBJ_CNODE, 4, ROOT, 0, 0, s->cnode, 1))
        return false;
    for (unsigned i = SB_EP; i <= SB_VSPACE; i++)
        if (untyped_retype(s->untyped, kinds[i], 0, ROOT, s->cnode, 64, i, 1))
            return false;
    /*
     * The CNode itself, guarded so that a slot number is a cptr; a small
     * untyped; an idle thread of priority 0 living in the sandbox; the fault
     * endpoint.
     */
    if (untyped_retype(s->untyped, OBJ_TCB, 0, ROOT, 0, 0, s->tcb, 1) ||
        cnode_copy(ROOT, s->vspace, 64, s->cnode, SB_VSPACE, 4, RIGHTS_ALL))
        return false;
    sys_debug_name_thread(s->tcb, NO_HANDLER_NAME);
    return cnode_mint(s->cnode, SB_CNODE, 4, ROOT, s->cnode, 64, RIGHTS_ALL,
                      cnode_guard_data(0, 60)) == 0 &&
           untyped_retype(s->untyped, OBJ_UNTYPED, 14, ROOT, s->cnode, 64, SB_UNTYPED, 1) == 0 &&
           cnode_mint(s->cnode, SB_FAULT_EP, 4, ROOT, s->fault_ep, 64, RIGHTS_ALL, 0xf) == 0 &&
           tcb_configure(s->tcb, SB_FAULT_EP, s->cnode, cnode_guard_data(0, 60), s->vspace, 0, 0) ==
               0 &&
           cnode_move(s->cnode, SB_TCB, 4, ROOT, s->tcb, 64) == 0;
}

static bool sandbox_make(struct env *env, struct sandbox *s)
{
    s->untyped = env_object(env, OBJ_UNTYPED, 17);
    s->fault_ep = env_object(env, OBJ_ENDPOINT, 0);
    s->cnode = env_slot(env);
    s->tcb = env_slot(env);
    s->vspace = env_slot(env);
    return s->untyped && s->fault_ep && s->cnode && s->tcb && s->vspace && sandbox_fill(s);
}

/* Gives a thread the sandbox's CSpace (and optionally its VSpace). */
static bool sandbox_enter(struct sandbox *s, cptr_t tcb, bool own_vspace)
{
    return tcb_set_space(tcb, SB_FAULT_EP, s->cnode, cnode_guard_data(0, 60),
                         own_vspace ? s->vspace : INIT_CAP_VSPACE) == 0;
}

static bool sandbox_thread(struct env *env, struct sandbox *s, struct helper *h,
                           void (*entry)(uint64_t), unsigned priority)
{
    if (!env_thread_prepare(env, h, entry, 0, priority) || !sandbox_enter(s, h->tcb, false))
        return false;
    sys_debug_name_thread(h->tcb, NO_HANDLER_NAME);
    return true;
}

/* Garbage that is often nearly right: small numbers, real slots, real labels. */
static uint64_t garbage_small(uint64_t n)
{
    switch (rng_below(8)) {
    case 0:
        return rng();
    case 1:
        return rng() & 0xffff;
    default:
        return rng_below(n);
    }
}

/* A slot of the sandbox's CNode, most often one that holds something. */
static uint64_t garbage_slot(void)
{
    return rng_below(4) ? 1 + rng_below(SB_FAULT_EP) : garbage_small(SB_SLOTS);
}

/* An argument: a slot, a depth, an object type or size, or anything. */
static uint64_t garbage_arg(void)
{
    static const uint64_t likely[] = {
        0, 1, 4, 12, 14, 64, VM_READ | VM_WRITE, 0x400000, 0x600000
    };
    switch (rng_below(4)) {
    case 0:
        return garbage_slot();
    case 1:
        return likely[rng_below(sizeof(likely) / sizeof(likely[0]))];
    case 2:
        return rng_below(OBJ_TYPE_COUNT + 1);
    default:
        return garbage_small(65);
    }
}

/* A label, most often one of the methods of what the slot held at first. */
static uint64_t garbage_label(cptr_t slot)
{
    if (rng_below(4) == 0)
        return rng_below(8) ? 1 + rng_below(INV_LABEL_COUNT - 1) : garbage_small(64);
    switch (slot) {
    case SB_CNODE:
        return CNODE_REVOKE + rng_below(CNODE_MUTATE - CNODE_REVOKE + 1);
    case SB_UNTYPED:
        return UNTYPED_RETYPE;
    case SB_FRAME:
        return FRAME_MAP + rng_below(FRAME_GET_ADDRESS - FRAME_MAP + 1);
    case SB_PT:
        return PAGE_TABLE_MAP + rng_below(2);
    case SB_TCB:
        return TCB_READ_REGISTERS + rng_below(TCB_SET_SYSCALL_EMULATION - TCB_READ_REGISTERS + 1);
    default:
        return 1 + rng_below(INV_LABEL_COUNT - 1);
    }
}

static volatile uint64_t g_calls;

/*
 * Arguments and extra capabilities that make sense for the label: the way
 * to reach past the first checks. Returns how many capabilities.
 */
static unsigned plausible(uint64_t label, uint64_t *a, uint64_t *caps)
{
    uint64_t slot = rng_below(SB_SLOTS), page = 0x400000 + (rng_below(1024) << 12);
    caps[0] = SB_CNODE;
    switch (label) {
    case UNTYPED_RETYPE:
        a[0] = 1 + rng_below(OBJ_TYPE_COUNT - 1), a[1] = rng_below(15), a[2] = 0, a[3] = 0,
        a[4] = slot, a[5] = 1 + rng_below(2);
        return 1;
    case CNODE_REVOKE:
    case CNODE_DELETE:
        a[0] = slot, a[1] = 64;
        return 0;
    case CNODE_COPY:
    case CNODE_MINT:
    case CNODE_MOVE:
    case CNODE_MUTATE:
        a[0] = slot, a[1] = 64, a[2] = rng_below(SB_SLOTS), a[3] = 64, a[4] = rng_below(16),
        a[5] = rng_below(4);
        if (label == CNODE_MUTATE)
            a[4] = a[5];
        return 1;
    case FRAME_MAP:
    case PAGE_TABLE_MAP:
        a[0] = page, a[1] = 1 + rng_below(7), a[2] = rng_below(4), caps[0] = SB_VSPACE;
        return 1;
    case TCB_WRITE_REGISTERS:
        a[0] = rng_below(2), a[1] = rng_below(TCB_REGISTER_COUNT + 1), a[2] = page,
        a[3] = page + 0x800, a[4] = rng();
        return 0;
    case TCB_CONFIGURE:
    case TCB_SET_SPACE:
        a[0] = SB_FAULT_EP, a[1] = rng_below(2) ? 0 : cnode_guard_data(0, 60), a[2] = page,
        caps[1] = SB_VSPACE, caps[2] = SB_FRAME;
        return 3;
    case TCB_SET_PRIORITY:
    case TCB_SET_MC_PRIORITY:
        a[0] = rng_below(3), caps[0] = SB_TCB;
        return 1;
    case TCB_SET_IPC_BUFFER:
        a[0] = page + (rng_below(4) << 10), caps[0] = SB_FRAME;
        return 1;
    case TCB_BIND_NOTIFICATION:
        caps[0] = SB_NTFN;
        return 1;
    default:
        a[0] = rng_below(2) ? slot : rng_below(TCB_REGISTER_COUNT + 1);
        return 0;
    }
}

static void fuzz_syscalls(uint64_t arg)
{
    (void)arg;
    struct ipc_buffer *buf = ipc_buffer();
    for (;;) {
        uint64_t number = rng_below(10) ? 1 + rng_below(SYS_COUNT - 1) : garbage_small(32);
        if (number >= SYS_DEBUG_PUT_CHAR && number <= SYS_DEBUG_HALT)
            number = 0; /* debug calls print, and one stops the machine */
        cptr_t target = garbage_slot();
        uint64_t label = garbage_label(target);
        uint64_t a[8], caps[3];
        for (unsigned i = 0; i < 8; i++)
            a[i] = garbage_arg();
        for (unsigned i = 0; i < 3; i++)
            caps[i] = garbage_slot();
        unsigned extra = rng_below(3) ? (unsigned)rng_below(2) : (unsigned)rng_below(4);
        unsigned length = (unsigned)garbage_small(MSG_MAX_LENGTH + 8);
        if (rng_below(2)) { /* well formed, then perhaps one thing spoiled */
            extra = plausible(label, a, caps);
            length = 8;
            if (rng_below(2))
                a[rng_below(8)] = garbage_arg();
        }
        uint64_t info = msginfo_new(label, (unsigned)rng(), extra, length);
        uint64_t mr[4] = { a[0], a[1], a[2], a[3] };
        for (unsigned i = 0; i < 3; i++)
            buf->caps_or_badges[i] = caps[i];
        for (unsigned i = 4; i < 8; i++)
            buf->msg[i] = a[i];
        buf->receive_cnode = garbage_slot();
        buf->receive_index = garbage_small(SB_SLOTS);
        buf->receive_depth = garbage_arg();
        sys_raw(number, target, info, mr, mr, garbage_slot());
        g_calls++;
    }
}

KTEST(containment_garbage_system_calls_from_a_sandbox)
{
    enum { CALLS = 4000 };
    struct sandbox s;
    struct helper h;
    rng_state = 0x9e3779b97f4a7c15UL;
    g_calls = 0;
    CHECK(sandbox_make(env, &s));
    CHECK(sandbox_thread(env, &s, &h, fuzz_syscalls, MAIN_PRIORITY));
    CHECK_OK(tcb_resume(h.tcb));
    uint64_t start = env_usec();
    /*
     * It runs at our priority, so we take turns; whenever it blocks (in IPC,
     * or on a fault nobody answers) we take it out of that and let it go on.
     */
    for (unsigned turn = 1; g_calls < CALLS && env_usec() - start < 10000000; turn++) {
        sys_yield();
        CHECK_OK(tcb_suspend(h.tcb));
        if (turn % 64 == 0) /* a fresh sandbox now and then: the old one is wrecked */
            CHECK(sandbox_fill(&s) && sandbox_enter(&s, h.tcb, false));
        CHECK_OK(tcb_resume(h.tcb));
    }
    CHECK_OK(tcb_suspend(h.tcb));
    CHECK(g_calls >= CALLS);
    CHECK(kernel_still_works(env));
    /* everything it made goes with its untyped */
    CHECK_OK(cnode_revoke(ROOT, s.untyped, 64));
    CHECK_OK(untyped_retype(s.untyped, OBJ_UNTYPED, 17, ROOT, 0, 0, env_slot(env), 1));
}

/* Registers full of garbage, and random instructions to run, in a VSpace of its own. */
#define SANDBOX_CODE 0x800000UL

static void fill_random(volatile uint32_t *code)
{
    for (unsigned i = 0; i < 1024; i++)
        code[i] = (uint32_t)rng();
}

KTEST(containment_random_code_and_registers_in_a_sandbox)
{
    enum { ROUNDS = 300 };
    struct sandbox s;
    struct helper h;
    struct fault_msg m;
    cptr_t reply = env_object(env, OBJ_REPLY, 0), frame = env_object(env, OBJ_FRAME_4K, 0),
           copy = env_slot(env);
    rng_state = 0x2545f4914f6cdd1dUL;
    CHECK(reply && frame && copy && sandbox_make(env, &s));
    volatile uint32_t *code =
        (volatile uint32_t *)(uintptr_t)env_map_frame(env, frame, VM_READ | VM_WRITE, 0);
    CHECK(code);
    CHECK_OK(cnode_copy(ROOT, copy, 64, ROOT, frame, 64, RIGHTS_ALL));
    /* its VSpace is the sandbox's own, with the code page mapped in it */
    CHECK_OK(env_map_at(env, copy, s.vspace, SANDBOX_CODE, VM_READ | VM_WRITE | VM_EXECUTE, 0));
    CHECK(sandbox_thread(env, &s, &h, fuzz_syscalls, MAIN_PRIORITY) &&
          sandbox_enter(&s, h.tcb, true));
    unsigned faults = 0;
    for (unsigned round = 0; round < ROUNDS; round++) {
        struct user_registers r;
        uint64_t *words = (uint64_t *)&r;
        for (unsigned i = 0; i < TCB_REGISTER_COUNT; i++)
            words[i] = rng();
        r.pc = SANDBOX_CODE + (rng_below(1024) << 2);
        fill_random(code);
        CHECK_OK(tcb_suspend(h.tcb));
        CHECK_OK(tcb_write_registers(h.tcb, true, &r, TCB_REGISTER_COUNT));
        /* at our priority it runs when we yield, until it faults or its time slice ends */
        for (int turn = 0; turn < 3; turn++) {
            sys_yield();
            if (!env_take_fault(s.fault_ep, reply, &m))
                continue;
            faults++;
            uint64_t label = rng_below(6); /* the four answers, and two that are none */
            env_fault_reply(reply, label, (unsigned)rng_below(5),
                            SANDBOX_CODE + (rng_below(1024) << 2), rng(), rng());
        }
    }
    CHECK_OK(tcb_suspend(h.tcb));
    CHECK(faults > ROUNDS / 2);
    CHECK(kernel_still_works(env));
}
