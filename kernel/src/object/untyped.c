/*
 * Untyped memory: the only source of kernel objects. Retype carves objects
 * from the untyped's watermark upward, each aligned to its size; revoking
 * the untyped destroys them all and lets the memory be carved again.
 */
#include <cella/invocation.h>
#include <cella/untyped.h>
#include <cella/vspace.h>

struct retype {
    word_t type, size_bits, count;
    unsigned obj_bits;
    struct cte *dest;
    struct placement place;
};

static bool device_may_hold(unsigned type)
{
    return type == OBJ_UNTYPED || type == OBJ_FRAME_4K || type == OBJ_FRAME_2M;
}

static unsigned check_type_and_size(struct invocation *inv, struct retype *r)
{
    if (r->type == CAP_NULL || r->type >= OBJ_TYPE_COUNT)
        return inv_error(inv, ERR_INVALID_ARGUMENT, 0);
    if (r->type == OBJ_UNTYPED &&
        (r->size_bits < UNTYPED_MIN_SIZE_BITS || r->size_bits > UNTYPED_MAX_SIZE_BITS))
        return inv_error(inv, ERR_RANGE, 1);
    if (r->type != OBJ_UNTYPED && r->type != OBJ_CNODE)
        r->size_bits = 0; /* fixed-size objects ignore it */
    if (r->type == OBJ_CNODE && (r->size_bits < CNODE_MIN_RADIX || r->size_bits > CNODE_MAX_RADIX))
        return inv_error(inv, ERR_RANGE, 1);
    if (r->count < 1 || r->count > RETYPE_MAX_OBJECTS)
        return inv_error(inv, ERR_RANGE, 5);
    if (untyped_is_device(inv->cap) && !device_may_hold(r->type))
        return inv_error(inv, ERR_INVALID_ARGUMENT, 0);
    r->obj_bits = (unsigned)object_size_bits((unsigned)r->type, (unsigned)r->size_bits);
    return ERR_NONE;
}

/* The destination: count empty slots from offset in the CNode named by (index, depth). */
static unsigned check_destination(struct invocation *inv, struct retype *r)
{
    cap_t root = inv->extra[0]->cap;
    word_t index = inv_arg(inv, 2), depth = inv_arg(inv, 3), offset = inv_arg(inv, 4);
    cap_t node = root;
    if (depth != 0) {
        struct lookup l = cspace_lookup_slot(root, index, (unsigned)depth);
        if (l.error)
            return inv_error(inv, l.error, l.bits_left);
        node = l.slot->cap;
    }
    if (cap_type(node) != CAP_CNODE)
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    if (offset >= BIT(cnode_radix(node)) || r->count > BIT(cnode_radix(node)) - offset)
        return inv_error(inv, ERR_RANGE, 4);
    r->dest = cnode_slots(node) + offset;
    for (unsigned i = 0; i < r->count; i++)
        if (!cap_is_null(r->dest[i].cap))
            return inv_error(inv, ERR_DELETE_FIRST, offset + i);
    return ERR_NONE;
}

static unsigned check_space(struct invocation *inv, struct retype *r)
{
    cap_t ut = inv->cap;
    word_t used = untyped_used(inv->slot);
    r->place = untyped_place(cap_addr(ut), untyped_size_bits(ut), used, r->obj_bits, r->count);
    if (!r->place.fits)
        return inv_error(inv, ERR_NOT_ENOUGH_MEMORY, BIT(untyped_size_bits(ut)) - used);
    if (r->type == OBJ_VSPACE && !vspace_asids_available(r->count))
        return inv_error(inv, ERR_NOT_ENOUGH_MEMORY, 0);
    return ERR_NONE;
}

static void invoke_retype(struct invocation *inv, const struct retype *r)
{
    bool device = untyped_is_device(inv->cap);
    inv->slot->cap.w1 = r->place.watermark | (device ? UNTYPED_DEVICE : 0);
    for (unsigned i = 0; i < r->count; i++) {
        word_t addr = r->place.start + ((word_t)i << r->obj_bits);
        cap_t cap = object_create((unsigned)r->type, addr, (unsigned)r->size_bits, device);
        mdb_insert_after(inv->slot, &r->dest[i], cap, MDB_REVOCABLE);
    }
}

unsigned decode_untyped(struct invocation *inv)
{
    if (inv->label != UNTYPED_RETYPE)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    unsigned err = inv_need(inv, 6, 1);
    if (err)
        return err;
    struct retype r = {
        inv_arg(inv, 0), inv_arg(inv, 1), inv_arg(inv, 5), 0, NULL, { false, 0, 0 }
    };
    if ((err = check_type_and_size(inv, &r)) || (err = check_destination(inv, &r)) ||
        (err = check_space(inv, &r)))
        return err;
    invoke_retype(inv, &r);
    return ERR_NONE;
}
