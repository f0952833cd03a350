/* TCB invocations: a thread's registers, spaces, IPC buffer, priority and running state. */
#include <arch/thread_switch.h>
#include <cella/faults.h>
#include <cella/invocation.h>
#include <cella/vspace.h>

static struct tcb *target(const struct invocation *inv)
{
    return tcb_from_cap(inv->cap);
}

/* pc, sp, spsr, x0-x30, tls: the order of TCB_READ_REGISTERS and TCB_WRITE_REGISTERS. */
static word_t *register_at(struct tcb *t, unsigned i)
{
    switch (i) {
    case 0:
        return &t->ctx.pc;
    case 1:
        return &t->ctx.sp;
    case 2:
        return &t->ctx.spsr;
    case 34:
        return &t->tls_base;
    default:
        return &t->ctx.x[i - 3];
    }
}

static unsigned read_registers(struct invocation *inv)
{
    word_t count = inv_arg(inv, 0);
    if (count > TCB_REGISTER_COUNT)
        return inv_error(inv, ERR_RANGE, 0);
    struct tcb *t = target(inv);
    if (t == inv->thread)
        arch_save_tls(t);
    for (unsigned i = 0; i < count; i++)
        inv_result(inv, *register_at(t, i));
    return ERR_NONE;
}

static unsigned write_registers(struct invocation *inv)
{
    word_t count = inv_arg(inv, 1);
    if (count > TCB_REGISTER_COUNT || inv->length < 2 + count)
        return inv_error(inv, ERR_RANGE, 1);
    struct tcb *t = target(inv);
    for (unsigned i = 0; i < count; i++)
        *register_at(t, i) = inv_arg(inv, 2 + i);
    t->ctx.spsr = arch_sanitise_spsr(t->ctx.spsr, t->vcpu != NULL);
    if (t == inv->thread)
        arch_load_tls(t);
    if (inv_arg(inv, 0))
        thread_resume(t);
    return ERR_NONE;
}

static unsigned set_priority(struct invocation *inv, bool mcp)
{
    word_t prio = inv_arg(inv, 0);
    cap_t authority = inv->extra[0]->cap;
    if (cap_type(authority) != CAP_TCB)
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    if (prio > tcb_from_cap(authority)->mcp)
        return inv_error(inv, ERR_RANGE, 0);
    struct tcb *t = target(inv);
    if (mcp) {
        t->mcp = (uint8_t)prio;
        return ERR_NONE;
    }
    bool queued = t != current_thread && thread_is_runnable(t);
    if (queued)
        sched_dequeue(t);
    t->priority = (uint8_t)prio;
    if (queued)
        sched_enqueue(t);
    else if (t == current_thread)
        sched_yield(); /* a lower priority may mean someone else should run now */
    return ERR_NONE;
}

/* Checks that a capability may become a thread's CSpace root, with optional new guard data. */
static unsigned check_cspace(struct invocation *inv, cap_t cap, word_t data, unsigned which)
{
    if (cap_type(cap) != CAP_CNODE)
        return inv_error(inv, ERR_INVALID_CAPABILITY, which);
    if (data && !cnode_guard_fits(cap, data))
        return inv_error(inv, ERR_INVALID_ARGUMENT, 1);
    return ERR_NONE;
}

static unsigned check_vspace(struct invocation *inv, cap_t cap, unsigned which)
{
    if (cap_type(cap) != CAP_VSPACE || !vspace_of_cap(cap))
        return inv_error(inv, ERR_INVALID_CAPABILITY, which);
    return ERR_NONE;
}

static unsigned check_ipc_buffer(struct invocation *inv, word_t addr, struct cte *frame,
                                 unsigned which)
{
    if (addr == 0)
        return ERR_NONE;
    if (!is_aligned(addr, IPC_BUFFER_SIZE_BITS))
        return inv_error(inv, ERR_ALIGNMENT, 0);
    if (!frame || !cap_is_frame(frame->cap) || (cap_bits(frame->cap) & FRAME_BITS_DEVICE))
        return inv_error(inv, ERR_INVALID_CAPABILITY, which);
    return ERR_NONE;
}

/* Replaces the capability a TCB holds in one of its slots with a copy of src. */
static void install(struct invocation *inv, struct tcb *t, enum tcb_slot which, struct cte *src,
                    cap_t cap)
{
    cap_t invoked = inv->cap, source = src->cap;
    slot_delete(&t->slots[which]);
    /* The delete may have destroyed the thread or the source; then there is nothing to do. */
    if (!cap_same_object(inv->slot->cap, invoked) || src->cap.w0 != source.w0 ||
        src->cap.w1 != source.w1)
        return;
    mdb_insert_after(src, &t->slots[which], cap, 0);
}

static void set_ipc_buffer(struct invocation *inv, struct tcb *t, word_t addr, struct cte *frame)
{
    if (addr == 0) {
        slot_delete(&t->slots[TCB_SLOT_IPC_BUFFER]);
        t->ipc_buffer = NULL;
        t->ipc_buffer_addr = 0;
        if (t == current_thread)
            arch_load_tls(t);
        return;
    }
    install(inv, t, TCB_SLOT_IPC_BUFFER, frame, cap_derive_for_copy(frame->cap));
    word_t size = BIT(object_size_bits(cap_type(frame->cap), 0));
    t->ipc_buffer_addr = addr;
    t->ipc_buffer = (struct ipc_buffer *)(uintptr_t)(cap_addr(frame->cap) + (addr & (size - 1)));
    if (t == current_thread)
        arch_load_tls(t);
}

static void set_space(struct invocation *inv, struct tcb *t, word_t fault_ep, word_t data,
                      struct cte *cspace, struct cte *vspace)
{
    cap_t root = cspace->cap;
    if (data)
        root.w1 = data;
    t->fault_ep = fault_ep;
    install(inv, t, TCB_SLOT_CSPACE, cspace, root);
    install(inv, t, TCB_SLOT_VSPACE, vspace, vspace->cap);
    if (t == current_thread)
        arch_activate_vspace(t);
}

static unsigned configure(struct invocation *inv, bool with_buffer)
{
    struct cte *cspace = inv->extra[0], *vspace = inv->extra[1];
    struct cte *frame = with_buffer && inv->extra_count > 2 ? inv->extra[2] : NULL;
    word_t fault_ep = inv_arg(inv, 0), data = inv_arg(inv, 1);
    word_t buffer = with_buffer ? inv_arg(inv, 2) : 0;
    unsigned err;
    if ((err = check_cspace(inv, cspace->cap, data, 1)) ||
        (err = check_vspace(inv, vspace->cap, 2)) ||
        (with_buffer && (err = check_ipc_buffer(inv, buffer, frame, 3))))
        return err;
    struct tcb *t = target(inv);
    set_space(inv, t, fault_ep, data, cspace, vspace);
    if (with_buffer)
        set_ipc_buffer(inv, t, buffer, frame);
    return ERR_NONE;
}

static unsigned bind_notification(struct invocation *inv)
{
    cap_t cap = inv->extra[0]->cap;
    struct tcb *t = target(inv);
    if (cap_type(cap) != CAP_NOTIFICATION || !cap_has_rights(cap, RIGHT_READ))
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    struct notification *n = cap_ptr(cap);
    if (t->bound_notification || n->bound || n->queue.head)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, 0);
    notification_bind(n, t);
    return ERR_NONE;
}

static unsigned resume(struct invocation *inv)
{
    struct tcb *t = target(inv);
    if (!vspace_of_cap(t->slots[TCB_SLOT_VSPACE].cap) && !t->vcpu)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, 0); /* nowhere to run */
    thread_resume(t);
    return ERR_NONE;
}

/* Arguments and extra capabilities each TCB method needs. */
static const uint8_t needs[][2] = {
    [TCB_READ_REGISTERS] = { 1, 0 },
    [TCB_WRITE_REGISTERS] = { 2, 0 },
    [TCB_CONFIGURE] = { 3, 2 },
    [TCB_SET_PRIORITY] = { 1, 1 },
    [TCB_SET_MC_PRIORITY] = { 1, 1 },
    [TCB_SET_SPACE] = { 2, 2 },
    [TCB_SET_IPC_BUFFER] = { 1, 0 },
    [TCB_SUSPEND] = { 0, 0 },
    [TCB_RESUME] = { 0, 0 },
    [TCB_BIND_NOTIFICATION] = { 0, 1 },
    [TCB_UNBIND_NOTIFICATION] = { 0, 0 },
    [TCB_SET_TLS_BASE] = { 1, 0 },
    [TCB_SET_SYSCALL_EMULATION] = { 1, 0 },
};

unsigned decode_tcb(struct invocation *inv)
{
    word_t label = inv->label;
    if (label < TCB_READ_REGISTERS || label > TCB_SET_SYSCALL_EMULATION)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, label);
    unsigned err = inv_need(inv, needs[label][0], needs[label][1]);
    if (err)
        return err;
    struct tcb *t = target(inv);
    switch (label) {
    case TCB_READ_REGISTERS:
        return read_registers(inv);
    case TCB_WRITE_REGISTERS:
        return write_registers(inv);
    case TCB_CONFIGURE:
        return configure(inv, true);
    case TCB_SET_SPACE:
        return configure(inv, false);
    case TCB_SET_PRIORITY:
        return set_priority(inv, false);
    case TCB_SET_MC_PRIORITY:
        return set_priority(inv, true);
    case TCB_SET_IPC_BUFFER: {
        struct cte *frame = inv->extra_count ? inv->extra[0] : NULL;
        if ((err = check_ipc_buffer(inv, inv_arg(inv, 0), frame, 1)))
            return err;
        set_ipc_buffer(inv, t, inv_arg(inv, 0), frame);
        return ERR_NONE;
    }
    case TCB_SUSPEND:
        thread_suspend(t);
        return ERR_NONE;
    case TCB_RESUME:
        return resume(inv);
    case TCB_BIND_NOTIFICATION:
        return bind_notification(inv);
    case TCB_UNBIND_NOTIFICATION:
        if (!t->bound_notification)
            return inv_error(inv, ERR_ILLEGAL_OPERATION, 0);
        notification_unbind_tcb(t);
        return ERR_NONE;
    case TCB_SET_TLS_BASE:
        t->tls_base = inv_arg(inv, 0);
        if (t == inv->thread)
            arch_load_tls(t);
        return ERR_NONE;
    default: /* TCB_SET_SYSCALL_EMULATION */
        t->syscall_emulation = inv_arg(inv, 0);
        return ERR_NONE;
    }
}
