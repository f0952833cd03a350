/* The AArch64 virtual CPU: EL1 state, the virtual timer and the GICv3 virtual interface. */
#pragma once

#include <abi/vcpu.h>
#include <cella/util.h>

#define VGIC_MAX_LRS 16

struct vgic_state {
    word_t hcr, vmcr, ap0r0, ap1r0;
    word_t lr[VGIC_MAX_LRS];
};

struct vcpu {
    word_t regs[VCPU_REGISTER_COUNT];
    struct vgic_state vgic;
    word_t pending[(VCPU_IRQ_MAX + WORD_BITS - 1) / WORD_BITS]; /* injected, not yet in an LR */
    word_t pending_words; /* bit w: pending[w] may be nonzero */
    struct tcb *tcb;
    bool waiting;            /* its thread waits in WFI for an interrupt */
    bool timer_parked;       /* its timer is armed while another VCPU has the CPU */
    word_t timer_deadline;   /* then: the physical count at which it fires */
    struct vcpu *timer_next; /* the other parked timers */
};

_Static_assert(sizeof(struct vcpu) <= 4096, "VCPU object size");

struct tcb;

void vcpu_init(struct vcpu *v);
void vcpu_bind(struct vcpu *v, struct tcb *t);
void vcpu_unbind_tcb(struct tcb *t);
void vcpu_destroy(struct vcpu *v);
void vcpu_inject(struct vcpu *v, unsigned virq);
word_t vcpu_read_register(struct vcpu *v, unsigned reg);
void vcpu_write_register(struct vcpu *v, unsigned reg, word_t value);

/* Thread switching: HCR_EL2 for the thread's kind, and the VCPU state it needs loaded. */
void vcpu_switch(struct tcb *prev, struct tcb *next);
void vcpu_init_cpu(void);

/* Exits and their replies, interrupts for guests. */
void vcpu_handle_exit(struct tcb *t, uint32_t esr);
/* The VMM's reply to an exit applied to the guest's registers; false: the guest stays suspended. */
bool vcpu_apply_reply(struct tcb *guest, struct tcb *vmm);
void vcpu_vtimer_interrupt(void);
void vcpu_maintenance_interrupt(void);
/* The wake-up timer fired: the parked timers of VCPUs off the CPU whose deadline has come fire. */
/* Parked guest timers due by now fire; the caller (timeouts.c) resets the wake-up timer. */
void vcpu_wake_timers(word_t now);
word_t vcpu_earliest_parked_timer(void); /* ~0 when none is parked */
/* Something for the guest to take: queued, or pending in a list register. */
bool vcpu_interrupt_waiting(const struct vcpu *v);
/* Writes the exit's words after MR3 (hypercall arguments) for the VMM. */
unsigned vcpu_exit_message_extra(struct tcb *guest, struct tcb *vmm);
