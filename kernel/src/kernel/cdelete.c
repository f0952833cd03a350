/*
 * Deleting and revoking capabilities.
 *
 * Deleting the final capability to a CNode or a TCB must first empty the
 * slots that object holds, which may hold final capabilities to further
 * CNodes, without bound. Rather than recurse, the capability becomes a
 * Zombie that counts the slots still to empty; a Zombie found inside the
 * container being emptied pushes onto a stack threaded through the zombies'
 * own words, so any nesting costs no kernel stack. Nothing allocates while a
 * delete runs, so memory of a container already emptied stays intact until
 * the delete finishes.
 */
#include <abi/error.h>
#include <cella/cnode.h>
#include <cella/objects.h>
#include <cella/tcb.h>

static word_t container_slot_count(cap_t cap)
{
    return cap_type(cap) == CAP_TCB ? TCB_SLOT_COUNT : BIT(cnode_radix(cap));
}

static struct cte *zombie_slot(cap_t zombie, word_t index)
{
    if (zombie_is_tcb(zombie))
        return &((struct tcb *)cap_ptr(zombie))->slots[index];
    return (struct cte *)cap_ptr(zombie) + index;
}

static cap_t zombie_make(cap_t container, word_t slots_left, struct cte *below)
{
    unsigned bits = cap_type(container) == CAP_TCB ? ZOMBIE_TCB : cnode_radix(container);
    word_t link = (word_t)(uintptr_t)below >> CNODE_SLOT_SIZE_BITS;
    return cap_make(CAP_ZOMBIE, 0, bits, cap_addr(container), (slots_left << 32) | link);
}

static struct cte *zombie_below(cap_t zombie)
{
    return (struct cte *)(uintptr_t)((zombie.w1 & MASK(32)) << CNODE_SLOT_SIZE_BITS);
}

static void zombie_count_down(struct cte *slot)
{
    slot->cap.w1 -= 1UL << 32;
}

/* Finalises a container whose last capability sits in slot, and turns that cap into a Zombie. */
static void zombify(struct cte *slot, struct cte *below)
{
    cap_t cap = slot->cap;
    cap_finalise(cap, true);
    slot->cap = zombie_make(cap, container_slot_count(cap), below);
}

static void delete_container(struct cte *root)
{
    zombify(root, NULL);
    struct cte *top = root;
    while (top) {
        cap_t zombie = top->cap;
        word_t left = zombie_slots_left(zombie);
        if (left == 0) {
            struct cte *below = zombie_below(zombie);
            mdb_remove(top);
            top = below;
            continue;
        }
        struct cte *slot = zombie_slot(zombie, left - 1);
        /* Empty, or a zombie lower on this very stack (a container holding itself). */
        if (cap_is_null(slot->cap) || cap_type(slot->cap) == CAP_ZOMBIE) {
            zombie_count_down(top);
        } else if (cap_is_container(slot->cap) && slot_holds_final_cap(slot)) {
            zombify(slot, top);
            top = slot;
        } else {
            cap_finalise(slot->cap, slot_holds_final_cap(slot));
            mdb_remove(slot);
        }
    }
}

void slot_delete(struct cte *slot)
{
    if (cap_is_null(slot->cap))
        return;
    bool final = slot_holds_final_cap(slot);
    if (final && cap_is_container(slot->cap)) {
        delete_container(slot);
        return;
    }
    cap_finalise(slot->cap, final);
    mdb_remove(slot);
}

void slot_revoke(struct cte *slot)
{
    while (!cap_is_null(slot->cap) && slot_has_children(slot))
        slot_delete(slot->mdb.next);
}
