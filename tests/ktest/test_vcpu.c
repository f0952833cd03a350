/*
 * Virtual CPUs: a small guest at EL1 exits to this test (its VMM) for a
 * hypercall, an emulated load and store, and takes an injected interrupt.
 */
#include <abi/vcpu.h>

#include "ktest.h"

#define GUEST_BASE 0x40000000UL
#define GUEST_MMIO 0x09000000UL

extern char vcpu_guest_code[], vcpu_guest_code_end[];
extern char vcpu_trap_code[], vcpu_trap_code_end[];
extern char vcpu_timer_code[], vcpu_timer_code_end[];

/* Maps frame into vspace at vaddr, making the page tables it needs from the arena. */
static bool map_in(struct env *env, cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights)
{
    int err;
    while ((err = frame_map(frame, vspace, vaddr, rights, 0)) == ERR_FAILED_LOOKUP) {
        cptr_t pt = env_object(env, OBJ_PAGE_TABLE, 0);
        if (!pt || page_table_map(pt, vspace, vaddr))
            return false;
    }
    return err == ERR_NONE;
}

struct guest {
    cptr_t tcb, vcpu, vspace, fault_ep, reply;
};

static bool start_guest_with(struct env *env, struct guest *g, const char *code_start,
                             const char *code_end)
{
    cptr_t code;
    char *local = (char *)(uintptr_t)env_map_page(env, &code, VM_READ | VM_WRITE);
    cptr_t copy = env_slot(env);
    g->vspace = env_object(env, OBJ_VSPACE, 0);
    g->tcb = env_object(env, OBJ_TCB, 0);
    g->vcpu = env_object(env, OBJ_VCPU, 0);
    g->fault_ep = env_object(env, OBJ_ENDPOINT, 0);
    g->reply = env_object(env, OBJ_REPLY, 0);
    if (!local || !copy || !g->vspace || !g->tcb || !g->vcpu || !g->fault_ep || !g->reply)
        return false;
    memcpy(local, code_start, (size_t)(code_end - code_start));
    struct user_registers regs = { .pc = GUEST_BASE, .spsr = 0x3c5 };
    regs.x[2] = GUEST_MMIO;
    return cnode_copy(INIT_CAP_CNODE, copy, 64, INIT_CAP_CNODE, code, 64, RIGHTS_ALL) == 0 &&
           map_in(env, copy, g->vspace, GUEST_BASE, VM_READ | VM_EXECUTE) &&
           invoke(g->vcpu, VCPU_SET_TCB, NULL, 0, (cptr_t[]){ g->tcb }, 1, NULL, 0).error == 0 &&
           tcb_configure(g->tcb, g->fault_ep, INIT_CAP_CNODE, 0, g->vspace, 0, 0) == 0 &&
           tcb_set_priority(g->tcb, INIT_CAP_TCB, MAIN_PRIORITY - 1) == 0 &&
           tcb_write_registers(g->tcb, true, &regs, 6) == 0;
}

static bool start_guest(struct env *env, struct guest *g)
{
    return start_guest_with(env, g, vcpu_guest_code, vcpu_guest_code_end);
}

KTEST(vcpu_guest_exits_for_hypercalls_and_mmio)
{
    struct guest g;
    CHECK(start_guest(env, &g));
    uint64_t mr[4];
    struct sys_result r = sys_recv(g.fault_ep, mr, g.reply);
    CHECK_EQ(msginfo_label(r.info), FAULT_VCPU);
    CHECK_EQ(mr[0], VCPU_EXIT_HVC | (0x42UL << 16));

    mr[0] = 123;
    r = sys_reply_recv(g.fault_ep, msginfo_new(VCPU_REPLY_SET_X0_X3, 0, 0, 1), mr, g.reply);
    CHECK_EQ(mr[0], VCPU_EXIT_DATA_ABORT);
    CHECK_EQ(mr[1], GUEST_MMIO);
    CHECK((mr[2] >> 24) & 1);      /* a valid syndrome: the VMM knows size and register */
    CHECK_EQ((mr[2] >> 6) & 1, 0); /* a read */

    mr[0] = 0x55;
    r = sys_reply_recv(g.fault_ep, msginfo_new(VCPU_REPLY_READ_DONE, 0, 0, 1), mr, g.reply);
    CHECK_EQ(mr[0], VCPU_EXIT_DATA_ABORT);
    CHECK_EQ(mr[1], GUEST_MMIO + 4);
    CHECK_EQ((mr[2] >> 6) & 1, 1); /* a write, of the value the load got */
    CHECK_EQ(mr[3], 0x55);

    r = sys_reply_recv(g.fault_ep, msginfo_new(FAULT_REPLY_SKIP, 0, 0, 0), mr, g.reply);
    CHECK_EQ(mr[0], VCPU_EXIT_HVC | (1UL << 16));
    CHECK_EQ(mr[1], 123);  /* x0 from the first hypercall's answer */
    CHECK_EQ(mr[2], 0x55); /* x1 from the emulated load */
    tcb_suspend(g.tcb);
}

KTEST(vcpu_injected_interrupt_wakes_a_waiting_guest)
{
    struct guest g;
    CHECK(start_guest(env, &g));
    uint64_t mr[4];
    struct sys_result r = sys_recv(g.fault_ep, mr, g.reply);
    mr[0] = 1;
    r = sys_reply_recv(g.fault_ep, msginfo_new(VCPU_REPLY_SET_X0_X3, 0, 0, 1), mr, g.reply);
    r = sys_reply_recv(g.fault_ep, msginfo_new(VCPU_REPLY_READ_DONE, 0, 0, 1), mr, g.reply);
    r = sys_reply_recv(g.fault_ep, msginfo_new(FAULT_REPLY_SKIP, 0, 0, 0), mr, g.reply);
    CHECK_EQ(mr[0], VCPU_EXIT_HVC | (1UL << 16));
    /* Let it reach WFI: nothing arrives while it waits. */
    sys_reply(g.reply, msginfo_new(VCPU_REPLY_SET_X0_X3, 0, 0, 0), mr);
    r = sys_nb_recv(g.fault_ep, mr, g.reply);
    CHECK_EQ(r.info, 0);
    CHECK_OK(invoke(g.vcpu, VCPU_INJECT_IRQ, (uint64_t[]){ 40 }, 1, NULL, 0, NULL, 0).error);
    /* The interrupt goes through VBAR_EL1 + 0x280, where nothing is mapped: an exit proves
     * delivery. */
    r = sys_recv(g.fault_ep, mr, g.reply);
    CHECK_EQ(msginfo_label(r.info), FAULT_VCPU);
    CHECK_EQ(mr[0], VCPU_EXIT_INSTRUCTION_ABORT);
    CHECK_EQ(mr[1], 0x280);
    tcb_suspend(g.tcb);
}

KTEST(vcpu_refuses_bad_arguments)
{
    cptr_t vcpu = env_object(env, OBJ_VCPU, 0), ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(vcpu && ep);
    CHECK_EQ(invoke(vcpu, VCPU_INJECT_IRQ, (uint64_t[]){ 5000 }, 1, NULL, 0, NULL, 0).error,
             ERR_RANGE);
    CHECK_EQ(invoke(vcpu, VCPU_READ_REGISTER, (uint64_t[]){ 999 }, 1, NULL, 0, NULL, 0).error,
             ERR_RANGE);
    CHECK_EQ(invoke(vcpu, VCPU_SET_TCB, NULL, 0, (cptr_t[]){ ep }, 1, NULL, 0).error,
             ERR_INVALID_CAPABILITY);
    CHECK_EQ(invoke(vcpu, VCPU_SET_TCB, NULL, 0, NULL, 0, NULL, 0).error, ERR_TRUNCATED_MESSAGE);
    uint64_t value = 0;
    CHECK_OK(invoke(vcpu, VCPU_WRITE_REGISTER, (uint64_t[]){ VCPU_VBAR_EL1, 0x1000 }, 2, NULL, 0,
                    NULL, 0)
                 .error);
    CHECK_OK(invoke(vcpu, VCPU_READ_REGISTER, (uint64_t[]){ VCPU_VBAR_EL1 }, 1, NULL, 0, &value, 1)
                 .error);
    CHECK_EQ(value, 0x1000);
}

#define EC_SYSREG 0x18
#define SYSREG_RT(esr) (((esr) >> 5) & 31)
#define SYSREG_ID(esr) ((esr)&0x3ffc1e) /* op0 op2 op1 CRn CRm */
#define SYSREG(op0, op1, crn, crm, op2)                                                            \
    ((uint64_t)(op0) << 20 | (uint64_t)(op2) << 17 | (uint64_t)(op1) << 14 |                       \
     (uint64_t)(crn) << 10 | (uint64_t)(crm) << 1)

/* Checks that the exit in mr is a trapped system register access and answers it. */
static struct sys_result expect_sysreg(struct guest *g, uint64_t *mr, uint64_t id, bool read,
                                       unsigned rt, uint64_t answer, bool *ok)
{
    *ok = mr[0] == VCPU_EXIT_SYSTEM_REGISTER && (mr[1] >> 26) == EC_SYSREG &&
          SYSREG_ID(mr[1]) == id && (mr[1] & 1) == read && SYSREG_RT(mr[1]) == rt;
    mr[0] = answer;
    uint64_t label = read ? VCPU_REPLY_READ_DONE : FAULT_REPLY_SKIP;
    return sys_reply_recv(g->fault_ep, msginfo_new(label, 0, 0, read), mr, g->reply);
}

KTEST(vcpu_debug_registers_counters_and_physical_timer_trap_to_the_vmm)
{
    struct guest g;
    bool ok;
    CHECK(start_guest_with(env, &g, vcpu_trap_code, vcpu_trap_code_end));
    uint64_t mr[4];
    struct sys_result r = sys_recv(g.fault_ep, mr, g.reply);
    CHECK_EQ(msginfo_label(r.info), FAULT_VCPU);
    r = expect_sysreg(&g, mr, SYSREG(2, 0, 0, 2, 2), true, 5, 0x77, &ok); /* MDSCR_EL1 */
    CHECK(ok);
    r = expect_sysreg(&g, mr, SYSREG(2, 0, 0, 0, 6), false, 2, 0, &ok); /* DBGWVR0_EL1 */
    CHECK(ok);
    r = expect_sysreg(&g, mr, SYSREG(3, 3, 9, 13, 0), true, 6, 0x88, &ok); /* PMCCNTR_EL0 */
    CHECK(ok);
    r = expect_sysreg(&g, mr, SYSREG(3, 3, 14, 2, 1), true, 7, 0x99, &ok); /* CNTP_CTL_EL0 */
    CHECK(ok);
    CHECK_EQ(mr[0], VCPU_EXIT_HVC | (2UL << 16));
    CHECK_EQ(mr[1], 0x77); /* each answer went into the register the access named */
    CHECK_EQ(mr[2], 0x88);
    CHECK_EQ(mr[3], 0x99);

    /* A read answer to a hypercall names no register: the guest stays stopped. */
    sys_reply(g.reply, msginfo_new(VCPU_REPLY_READ_DONE, 0, 0, 1), mr);
    r = sys_nb_recv(g.fault_ep, mr, g.reply);
    CHECK_EQ(r.info, 0);
    tcb_suspend(g.tcb);
}

/*
 * A guest waiting in WFI for its timer while another VCPU holds the CPU: its
 * timer is parked, and the kernel's wake-up timer (not the tick) fires it.
 */
KTEST(vcpu_parked_timer_wakes_its_guest)
{
    struct guest waiter, other;
    CHECK(start_guest_with(env, &waiter, vcpu_timer_code, vcpu_timer_code_end));
    CHECK(start_guest(env, &other)); /* queued behind the waiter at the same priority */
    uint64_t mr[4];
    /* The waiter sets its timer and sleeps; then the other guest runs and exits, and keeps the
     * CPU's VCPU. */
    struct sys_result r = sys_recv(other.fault_ep, mr, other.reply);
    CHECK_EQ(msginfo_label(r.info), FAULT_VCPU);
    CHECK_EQ(mr[0], VCPU_EXIT_HVC | (0x42UL << 16));
    r = sys_recv(waiter.fault_ep, mr, waiter.reply);
    CHECK_EQ(msginfo_label(r.info), FAULT_VCPU);
    CHECK_EQ(mr[0], VCPU_EXIT_INSTRUCTION_ABORT);
    CHECK_EQ(mr[1], 0x280); /* its timer interrupt, through the vector it has nothing at */
    tcb_suspend(waiter.tcb);
    tcb_suspend(other.tcb);
}
