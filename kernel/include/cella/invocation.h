/*
 * Decoding object invocations. A decoder checks every argument, right and
 * capability and returns an error without changing anything; only once all
 * checks pass does it call the object's invoke step, which cannot fail.
 */
#pragma once

#include <abi/error.h>
#include <abi/invocation.h>
#include <cella/tcb.h>

/* The longest answer: TCB_READ_REGISTERS returns every register. */
#define INVOCATION_MAX_RESULTS TCB_REGISTER_COUNT

struct invocation {
    struct tcb *thread; /* the invoker */
    struct cte *slot;   /* where the invoked capability lives */
    cap_t cap;
    word_t label;
    unsigned length; /* message registers supplied */
    unsigned extra_count;
    struct cte *extra[MSG_MAX_EXTRA_CAPS];
    word_t detail; /* error detail for x6 */
    unsigned result_length;
    word_t result[INVOCATION_MAX_RESULTS];
};

static inline word_t inv_arg(const struct invocation *inv, unsigned i)
{
    return thread_message_register(inv->thread, i);
}

/* Fails with ERR_TRUNCATED_MESSAGE unless the message has n arguments and the call k extra caps. */
static inline unsigned inv_need(struct invocation *inv, unsigned n, unsigned k)
{
    if (inv->length < n) {
        inv->detail = n;
        return ERR_TRUNCATED_MESSAGE;
    }
    if (inv->extra_count < k) {
        inv->detail = k;
        return ERR_TRUNCATED_MESSAGE;
    }
    return ERR_NONE;
}

static inline unsigned inv_error(struct invocation *inv, unsigned error, word_t detail)
{
    inv->detail = detail;
    return error;
}

static inline void inv_result(struct invocation *inv, word_t value)
{
    if (inv->result_length < INVOCATION_MAX_RESULTS)
        inv->result[inv->result_length++] = value;
}

/* Looks up the destination slot (index, depth) under a root CNode capability. */
unsigned inv_lookup_empty_slot(struct invocation *inv, cap_t root, word_t index, word_t depth,
                               struct cte **slot);

unsigned decode_invocation(struct invocation *inv);
unsigned decode_untyped(struct invocation *inv);
unsigned decode_cnode(struct invocation *inv);
unsigned decode_tcb(struct invocation *inv);
unsigned decode_irq_control(struct invocation *inv);
unsigned decode_irq_handler(struct invocation *inv);
unsigned decode_frame(struct invocation *inv);
unsigned decode_page_table(struct invocation *inv);
unsigned decode_vcpu(struct invocation *inv);
unsigned decode_notification(struct invocation *inv);
