/* VCPU invocations: binding a thread, injecting interrupts, EL1 registers (arch/vcpu.h). */
#include <arch/vcpu.h>
#include <cella/invocation.h>

static unsigned set_tcb(struct invocation *inv, struct vcpu *v)
{
    unsigned err = inv_need(inv, 0, 1);
    if (err)
        return err;
    cap_t tcb = inv->extra[0]->cap;
    if (cap_type(tcb) != CAP_TCB)
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    vcpu_bind(v, tcb_from_cap(tcb));
    return ERR_NONE;
}

static unsigned register_access(struct invocation *inv, struct vcpu *v, bool write)
{
    unsigned err = inv_need(inv, write ? 2 : 1, 0);
    if (err)
        return err;
    word_t reg = inv_arg(inv, 0);
    if (reg >= VCPU_REGISTER_COUNT)
        return inv_error(inv, ERR_RANGE, 0);
    if (write)
        vcpu_write_register(v, (unsigned)reg, inv_arg(inv, 1));
    else
        inv_result(inv, vcpu_read_register(v, (unsigned)reg));
    return ERR_NONE;
}

unsigned decode_vcpu(struct invocation *inv)
{
    struct vcpu *v = cap_ptr(inv->cap);
    switch (inv->label) {
    case VCPU_SET_TCB:
        return set_tcb(inv, v);
    case VCPU_INJECT_IRQ: {
        unsigned err = inv_need(inv, 1, 0);
        if (err)
            return err;
        if (inv_arg(inv, 0) >= VCPU_IRQ_MAX)
            return inv_error(inv, ERR_RANGE, 0);
        vcpu_inject(v, (unsigned)inv_arg(inv, 0));
        return ERR_NONE;
    }
    case VCPU_READ_REGISTER:
        return register_access(inv, v, false);
    case VCPU_WRITE_REGISTER:
        return register_access(inv, v, true);
    default:
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    }
}
