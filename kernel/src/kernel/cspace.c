/*
 * Resolving capability addresses: seL4-style guarded radix decoding. At each
 * CNode, the next guard-size bits of the address must equal the guard, and
 * the following radix bits index a slot.
 */
#include <abi/error.h>
#include <cella/cnode.h>

static struct lookup lookup_failed(unsigned bits_left)
{
    return (struct lookup){ NULL, ERR_FAILED_LOOKUP, bits_left };
}

static struct lookup resolve(cap_t node, word_t cptr, unsigned depth, bool stop_at_leaf)
{
    if (depth < 1 || depth > WORD_BITS)
        return (struct lookup){ NULL, ERR_RANGE, depth };
    unsigned left = depth;
    for (;;) {
        if (cap_type(node) != CAP_CNODE)
            return lookup_failed(left);
        unsigned radix = cnode_radix(node), guard_size = cnode_guard_size(node);
        unsigned level = radix + guard_size;
        if (level > left)
            return lookup_failed(left);
        word_t guard = guard_size ? (cptr >> (left - guard_size)) & MASK_UPTO64(guard_size) : 0;
        if (guard != cnode_guard(node))
            return lookup_failed(left);
        word_t index = (cptr >> (left - level)) & MASK(radix);
        struct cte *slot = cnode_slots(node) + index;
        left -= level;
        if (left == 0 || (stop_at_leaf && cap_type(slot->cap) != CAP_CNODE))
            return (struct lookup){ slot, ERR_NONE, left };
        node = slot->cap;
    }
}

/*
 * Guard data (Mint, Mutate, a TCB's CSpace): size in bits 0-5, guard above.
 * Guard and radix fit in an address, and the guard in its size; a guard
 * may be as long as the address allows, so a small CNode can be a whole
 * CSpace on its own.
 */
bool cnode_guard_fits(cap_t cnode, word_t data)
{
    unsigned size = data & 63;
    word_t guard = data >> 6; /* 58 bits: any guard fits a size of 58 or more */
    return size + cnode_radix(cnode) <= WORD_BITS &&
           (size >= WORD_BITS - 6 || (guard >> size) == 0);
}

struct lookup cspace_lookup_slot(cap_t root, word_t cptr, unsigned depth)
{
    return resolve(root, cptr, depth, false);
}

struct lookup cspace_lookup_cap(cap_t root, word_t cptr)
{
    return resolve(root, cptr, WORD_BITS, true);
}
