/* CNodes, slots, capability lookup and the capability derivation tree. */
#pragma once

#include <cella/cap.h>

/*
 * The derivation tree is a doubly linked list in depth-first order: a
 * capability's descendants follow it directly. prev carries two flags in
 * its low bits (slots are 32-byte aligned).
 */
#define MDB_REVOCABLE 1UL
#define MDB_FIRST_BADGED 2UL
#define MDB_FLAGS 3UL

struct mdb {
    word_t prev; /* struct cte * | flags */
    struct cte *next;
};

struct cte {
    cap_t cap;
    struct mdb mdb;
};

_Static_assert(sizeof(struct cte) == (1u << CNODE_SLOT_SIZE_BITS), "slot size");

static inline struct cte *mdb_prev(const struct cte *slot)
{
    return (struct cte *)(uintptr_t)(slot->mdb.prev & ~MDB_FLAGS);
}

static inline bool mdb_revocable(const struct cte *slot)
{
    return (slot->mdb.prev & MDB_REVOCABLE) != 0;
}

static inline bool mdb_first_badged(const struct cte *slot)
{
    return (slot->mdb.prev & MDB_FIRST_BADGED) != 0;
}

static inline struct cte *cnode_slots(cap_t cnode)
{
    return cap_ptr(cnode);
}

/* Result of resolving a capability address. */
struct lookup {
    struct cte *slot;
    unsigned error;     /* ERR_* */
    unsigned bits_left; /* for ERR_FAILED_LOOKUP */
};

/*
 * The common case in one step: a root CNode whose guard and radix take all
 * 64 bits. The fastpath decodes the root once, then resolves each address
 * it needs with a shift and a compare.
 */
struct single_level {
    struct cte *slots;
    cap_t cap;
    unsigned radix;
};

/* Whether root is such a CNode; if so, fills *r. */
static ALWAYS_INLINE bool single_level_root(cap_t root, struct single_level *r)
{
    *r = (struct single_level){ cnode_slots(root), root, cnode_radix(root) };
    return cap_type(root) == CAP_CNODE && cnode_is_single_level(root);
}

/* The slot cptr names under a root that single_level_root accepted; false if the guard differs. */
static ALWAYS_INLINE bool single_level_slot(struct single_level root, word_t cptr,
                                            struct cte **slot)
{
    word_t guard = cptr >> root.radix;
    *slot = root.slots + (cptr - (guard << root.radix)); /* the low radix bits */
    return guard == cnode_guard(root.cap);
}

/* Both steps at once. NULL means "not that case", not "not found". */
static ALWAYS_INLINE struct cte *cspace_lookup_single_level(cap_t root, word_t cptr)
{
    struct single_level r;
    struct cte *slot;
    return single_level_root(root, &r) && single_level_slot(r, cptr, &slot) ? slot : NULL;
}

bool cnode_guard_fits(cap_t cnode, word_t data);
/* Follows cptr from root through guards and radixes, consuming exactly depth bits. */
struct lookup cspace_lookup_slot(cap_t root, word_t cptr, unsigned depth);
/*
 * As above with depth 64, but stops early at the first capability that is not
 * a CNode: the bits left over are ignored, as in seL4, so a capability in a
 * shallow slot can be named by any cptr that leads to it.
 */
struct lookup cspace_lookup_cap(cap_t root, word_t cptr);

/* Derivation tree */
void mdb_insert_after(struct cte *parent, struct cte *slot, cap_t cap, word_t flags);
void mdb_insert_root(struct cte *slot, cap_t cap, word_t flags);
void mdb_remove(struct cte *slot);
void mdb_move(struct cte *from, struct cte *to);
bool mdb_is_parent_of(const struct cte *parent, const struct cte *child);
bool slot_has_children(const struct cte *slot);
bool cap_same_object(cap_t a, cap_t b);
bool cap_same_region(cap_t a, cap_t b);
bool slot_holds_final_cap(const struct cte *slot);

/* A capability as it may be copied: a frame's copy is unmapped; some types never copy (null). */
cap_t cap_derive_for_copy(cap_t cap);

/* Deleting and revoking (cdelete.c). */
void slot_delete(struct cte *slot);
void slot_revoke(struct cte *slot);
