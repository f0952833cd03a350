/*
 * IRQControl and IRQHandler. An interrupt line with a handler signals the
 * handler's notification and stays masked until the handler acknowledges
 * it, so a device that keeps interrupting cannot starve anyone.
 */
#include <cella/invocation.h>
#include <cella/irq.h>
#include <cella/irq_handler.h>

enum irq_state { IRQ_FREE, IRQ_ISSUED, IRQ_KERNEL };

static struct irq_line {
    struct notification *notification;
    word_t badge;
    uint8_t state;
} lines[IRQ_LINES];

void irq_reserve(unsigned irq)
{
    if (irq < IRQ_LINES)
        lines[irq].state = IRQ_KERNEL;
}

void irq_deliver(unsigned irq)
{
    struct irq_line *line = irq < IRQ_LINES ? &lines[irq] : NULL;
    irq_disable(irq);
    if (line && line->notification)
        notification_signal(line->notification, line->badge);
}

void irq_handler_destroy(unsigned irq)
{
    irq_disable(irq);
    lines[irq] = (struct irq_line){ NULL, 0, IRQ_FREE };
}

void irq_forget_notification(struct notification *n)
{
    for (unsigned i = 0; i < IRQ_LINES; i++)
        if (lines[i].notification == n)
            lines[i].notification = NULL;
}

/* Lines from the first private peripheral interrupt up; software-generated ones stay the kernel's.
 */
#define FIRST_USER_IRQ 16

unsigned decode_irq_control(struct invocation *inv)
{
    if (inv->label != IRQ_CONTROL_GET)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    unsigned err = inv_need(inv, 3, 1);
    if (err)
        return err;
    word_t irq = inv_arg(inv, 0);
    if (irq < FIRST_USER_IRQ || irq >= IRQ_LINES || irq >= irq_line_count())
        return inv_error(inv, ERR_RANGE, 0);
    if (lines[irq].state != IRQ_FREE)
        return inv_error(inv, ERR_REVOKE_FIRST, 0);
    struct cte *dest;
    if ((err = inv_lookup_empty_slot(inv, inv->extra[0]->cap, inv_arg(inv, 1), inv_arg(inv, 2),
                                     &dest)))
        return err;
    lines[irq].state = IRQ_ISSUED;
    mdb_insert_after(inv->slot, dest, cap_make(CAP_IRQ_HANDLER, RIGHTS_ALL, 0, 0, irq), 0);
    return ERR_NONE;
}

unsigned decode_irq_handler(struct invocation *inv)
{
    unsigned irq = (unsigned)inv->cap.w1;
    switch (inv->label) {
    case IRQ_HANDLER_ACK:
        irq_enable(irq);
        return ERR_NONE;
    case IRQ_HANDLER_SET_NOTIFICATION: {
        unsigned err = inv_need(inv, 0, 1);
        if (err)
            return err;
        cap_t n = inv->extra[0]->cap;
        if (cap_type(n) != CAP_NOTIFICATION || !cap_has_rights(n, RIGHT_WRITE))
            return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
        lines[irq].notification = cap_ptr(n);
        lines[irq].badge = cap_badge(n);
        irq_enable(irq);
        return ERR_NONE;
    }
    case IRQ_HANDLER_CLEAR:
        irq_disable(irq);
        lines[irq].notification = NULL;
        return ERR_NONE;
    default:
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    }
}
