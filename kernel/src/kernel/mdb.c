/*
 * The capability derivation tree, kept as a list in depth-first order. A
 * capability's children follow it; whether the next capability is a child
 * is decided from the two capabilities and the revocable and first-badged
 * flags, as in seL4.
 */
#include <cella/cnode.h>
#include <cella/objects.h>

static void set_prev(struct cte *slot, struct cte *prev)
{
    slot->mdb.prev = (word_t)(uintptr_t)prev | (slot->mdb.prev & MDB_FLAGS);
}

void mdb_insert_root(struct cte *slot, cap_t cap, word_t flags)
{
    slot->cap = cap;
    slot->mdb.prev = flags;
    slot->mdb.next = NULL;
}

void mdb_insert_after(struct cte *parent, struct cte *slot, cap_t cap, word_t flags)
{
    struct cte *next = parent->mdb.next;
    slot->cap = cap;
    slot->mdb.prev = (word_t)(uintptr_t)parent | flags;
    slot->mdb.next = next;
    if (next)
        set_prev(next, slot);
    parent->mdb.next = slot;
}

void mdb_remove(struct cte *slot)
{
    struct cte *prev = mdb_prev(slot), *next = slot->mdb.next;
    if (prev)
        prev->mdb.next = next;
    if (next) {
        set_prev(next, prev);
        /* A badged copy's first-badged mark passes on, so its siblings stay siblings. */
        next->mdb.prev |= slot->mdb.prev & MDB_FIRST_BADGED;
    }
    slot->cap = cap_null();
    slot->mdb.prev = 0;
    slot->mdb.next = NULL;
}

void mdb_move(struct cte *from, struct cte *to)
{
    struct cte *prev = mdb_prev(from), *next = from->mdb.next;
    *to = *from;
    if (prev)
        prev->mdb.next = to;
    if (next)
        set_prev(next, to);
    from->cap = cap_null();
    from->mdb.prev = 0;
    from->mdb.next = NULL;
}

/* The memory an object capability names, for untyped containment. */
static word_t cap_region_size(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_UNTYPED:
        return BIT(untyped_size_bits(c));
    case CAP_CNODE:
        return BIT(cnode_radix(c) + CNODE_SLOT_SIZE_BITS);
    case CAP_ZOMBIE:
        return zombie_is_tcb(c) ? BIT(TCB_SIZE_BITS) : BIT(zombie_radix(c) + CNODE_SLOT_SIZE_BITS);
    case CAP_IRQ_CONTROL:
    case CAP_IRQ_HANDLER:
    case CAP_NULL:
        return 0;
    default:
        return BIT(object_size_bits(cap_type(c), 0));
    }
}

/* Zombies stand for the CNode or TCB they are destroying. */
static unsigned identity_type(cap_t c)
{
    if (cap_type(c) == CAP_ZOMBIE)
        return zombie_is_tcb(c) ? CAP_TCB : CAP_CNODE;
    return cap_type(c);
}

bool cap_same_object(cap_t a, cap_t b)
{
    unsigned ta = identity_type(a), tb = identity_type(b);
    if (ta != tb || ta == CAP_NULL)
        return false;
    switch (ta) {
    case CAP_IRQ_CONTROL:
        return true;
    case CAP_IRQ_HANDLER:
        return a.w1 == b.w1;
    case CAP_UNTYPED:
        return cap_addr(a) == cap_addr(b) && untyped_size_bits(a) == untyped_size_bits(b);
    default:
        return cap_addr(a) == cap_addr(b);
    }
}

bool cap_same_region(cap_t a, cap_t b)
{
    if (cap_type(a) == CAP_UNTYPED) {
        word_t size = cap_region_size(b);
        return size && range_contains(cap_addr(a), BIT(untyped_size_bits(a)), cap_addr(b), size);
    }
    if (cap_type(a) == CAP_IRQ_CONTROL)
        return cap_type(b) == CAP_IRQ_HANDLER || cap_type(b) == CAP_IRQ_CONTROL;
    return cap_same_object(a, b);
}

bool mdb_is_parent_of(const struct cte *parent, const struct cte *child)
{
    if (!mdb_revocable(parent) || !cap_same_region(parent->cap, child->cap))
        return false;
    unsigned type = cap_type(parent->cap);
    if (type == CAP_ENDPOINT || type == CAP_NOTIFICATION) {
        word_t badge = cap_badge(parent->cap);
        return badge == 0 || (badge == cap_badge(child->cap) && !mdb_first_badged(child));
    }
    return true;
}

bool slot_has_children(const struct cte *slot)
{
    return slot->mdb.next && mdb_is_parent_of(slot, slot->mdb.next);
}

/* Every capability to an object sits next to another one, so neighbours decide finality. */
bool slot_holds_final_cap(const struct cte *slot)
{
    const struct cte *prev = mdb_prev(slot), *next = slot->mdb.next;
    return !(prev && cap_same_object(prev->cap, slot->cap)) &&
           !(next && cap_same_object(next->cap, slot->cap));
}
