/*
 * CNode invocations: copying, minting, moving, mutating, deleting and
 * revoking capabilities. The invoked CNode is the root under which the
 * destination (index, depth) is looked up.
 */
#include <cella/faults.h>
#include <cella/invocation.h>

/* Applies Mint/Mutate data to a capability; a null result means the data is not acceptable. */
static cap_t cap_with_data(cap_t cap, word_t data, bool *newly_badged)
{
    *newly_badged = false;
    switch (cap_type(cap)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        if (cap_badge(cap) == 0 && data != 0) {
            cap.w1 = data;
            *newly_badged = true;
        }
        return cap;
    case CAP_CNODE:
        if (!cnode_guard_fits(cap, data))
            return cap_null();
        cap.w1 = data;
        return cap;
    default:
        return cap;
    }
}

static unsigned lookup_source(struct invocation *inv, struct cte **src)
{
    cap_t root = inv->extra[0]->cap;
    if (cap_type(root) != CAP_CNODE)
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    struct lookup l = cspace_lookup_slot(root, inv_arg(inv, 2), (unsigned)inv_arg(inv, 3));
    if (l.error)
        return inv_error(inv, l.error, l.bits_left);
    if (cap_is_null(l.slot->cap))
        return inv_error(inv, ERR_FAILED_LOOKUP, 0);
    *src = l.slot;
    return ERR_NONE;
}

/* Copy and Mint: a derived capability with no more rights than the source, as its child. */
static unsigned decode_copy(struct invocation *inv, struct cte *dest, struct cte *src, bool mint)
{
    cap_t cap = src->cap;
    if (cap_type(cap) == CAP_UNTYPED)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, 0); /* two watermarks over one memory */
    if (cap_type(cap) == CAP_PAGE_TABLE && !mapping_asid(cap))
        return inv_error(inv, ERR_ILLEGAL_OPERATION, 0); /* only a mapped table may be shared */
    cap_t copy = cap_type(cap) == CAP_PAGE_TABLE ? cap : cap_derive_for_copy(cap);
    if (cap_is_null(copy))
        return inv_error(inv, ERR_ILLEGAL_OPERATION, 0);
    copy = cap_with_rights(copy, cap_rights(cap) & (unsigned)inv_arg(inv, 4));
    bool badged = false;
    if (mint) {
        copy = cap_with_data(copy, inv_arg(inv, 5), &badged);
        if (cap_is_null(copy))
            return inv_error(inv, ERR_INVALID_ARGUMENT, 5);
    }
    mdb_insert_after(src, dest, copy, badged ? MDB_REVOCABLE | MDB_FIRST_BADGED : 0);
    return ERR_NONE;
}

static unsigned decode_move(struct invocation *inv, struct cte *dest, struct cte *src, bool mutate)
{
    cap_t cap = src->cap;
    if (mutate) {
        bool badged;
        cap = cap_with_data(cap, inv_arg(inv, 4), &badged);
        if (cap_is_null(cap))
            return inv_error(inv, ERR_INVALID_ARGUMENT, 4);
    }
    mdb_move(src, dest);
    dest->cap = cap;
    return ERR_NONE;
}

static const unsigned args_needed[] = {
    [CNODE_REVOKE] = 2, [CNODE_DELETE] = 2, [CNODE_COPY] = 5,
    [CNODE_MINT] = 6,   [CNODE_MOVE] = 4,   [CNODE_MUTATE] = 5,
};

unsigned decode_cnode(struct invocation *inv)
{
    word_t label = inv->label;
    if (label < CNODE_REVOKE || label > CNODE_MUTATE)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, label);
    bool two_slots = label >= CNODE_COPY;
    unsigned err = inv_need(inv, args_needed[label], two_slots ? 1 : 0);
    if (err)
        return err;
    struct lookup l = cspace_lookup_slot(inv->cap, inv_arg(inv, 0), (unsigned)inv_arg(inv, 1));
    if (l.error)
        return inv_error(inv, l.error, l.bits_left);
    struct cte *dest = l.slot;
    if (label == CNODE_REVOKE) {
        slot_revoke(dest);
        return ERR_NONE;
    }
    if (label == CNODE_DELETE) {
        slot_delete(dest);
        return ERR_NONE;
    }
    struct cte *src;
    if ((err = lookup_source(inv, &src)))
        return err;
    if (!cap_is_null(dest->cap))
        return inv_error(inv, ERR_DELETE_FIRST, 0);
    if (label == CNODE_COPY || label == CNODE_MINT)
        return decode_copy(inv, dest, src, label == CNODE_MINT);
    return decode_move(inv, dest, src, label == CNODE_MUTATE);
}
