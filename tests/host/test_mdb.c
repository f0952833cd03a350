/* The capability derivation tree: list operations and who is whose parent (src/kernel/mdb.c). */
#include <cella/cnode.h>
#include <cella/objects.h>

#include "harness.h"
#include "kmem.h"

static struct cte *s; /* 32 slots, fresh for each test */

static void setup(void)
{
    kmem_reset();
    s = cnode_slots(kmem_cnode(5, 0, 0));
}

static cap_t endpoint_at(word_t addr, word_t badge)
{
    return cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, addr, badge);
}

static cap_t untyped_at(word_t addr, unsigned size_bits)
{
    return cap_make(CAP_UNTYPED, RIGHTS_ALL, size_bits, addr, 0);
}

/* Walks the list from first and checks it holds exactly the given slots, linked both ways. */
static void check_list(struct cte *first, struct cte *const *want, unsigned n)
{
    CU_ASSERT_PTR_NULL(mdb_prev(first));
    struct cte *at = first, *prev = NULL;
    for (unsigned i = 0; i < n; i++) {
        CU_ASSERT_PTR_EQUAL(at, want[i]);
        if (at != want[i])
            return;
        CU_ASSERT_PTR_EQUAL(mdb_prev(at), prev);
        prev = at;
        at = at->mdb.next;
    }
    CU_ASSERT_PTR_NULL(at);
}

#define CHECK_LIST(first, ...)                                                                     \
    do {                                                                                           \
        struct cte *const want_[] = { __VA_ARGS__ };                                               \
        check_list((first), want_, ARRAY_SIZE(want_));                                             \
    } while (0)

static void check_empty(const struct cte *slot)
{
    CU_ASSERT_TRUE(cap_is_null(slot->cap));
    CU_ASSERT_EQUAL(slot->mdb.prev, 0u);
    CU_ASSERT_PTR_NULL(slot->mdb.next);
}

static void test_insert_root(void)
{
    setup();
    cap_t ep = endpoint_at(0x1000, 0);
    s[0].mdb.next = &s[9]; /* stale links are overwritten */
    mdb_insert_root(&s[0], ep, MDB_REVOCABLE);
    CU_ASSERT_EQUAL(s[0].cap.w0, ep.w0);
    CU_ASSERT_TRUE(mdb_revocable(&s[0]));
    CU_ASSERT_FALSE(mdb_first_badged(&s[0]));
    CHECK_LIST(&s[0], &s[0]);
    mdb_insert_root(&s[1], ep, 0);
    CU_ASSERT_FALSE(mdb_revocable(&s[1]));
}

static void test_insert_after(void)
{
    setup();
    mdb_insert_root(&s[0], endpoint_at(0x1000, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[0], &s[1], endpoint_at(0x1000, 5), MDB_REVOCABLE | MDB_FIRST_BADGED);
    CHECK_LIST(&s[0], &s[0], &s[1]);
    /* Between a parent and its child: the child keeps its flags. */
    mdb_insert_after(&s[0], &s[2], endpoint_at(0x1000, 0), 0);
    CHECK_LIST(&s[0], &s[0], &s[2], &s[1]);
    CU_ASSERT_TRUE(mdb_revocable(&s[1]));
    CU_ASSERT_TRUE(mdb_first_badged(&s[1]));
    CU_ASSERT_FALSE(mdb_revocable(&s[2]));
    CU_ASSERT_TRUE(mdb_revocable(&s[0]));
    /* At the end. */
    mdb_insert_after(&s[1], &s[3], endpoint_at(0x1000, 5), 0);
    CHECK_LIST(&s[0], &s[0], &s[2], &s[1], &s[3]);
    CU_ASSERT_EQUAL(cap_badge(s[3].cap), 5u);
}

static void test_remove(void)
{
    setup();
    mdb_insert_root(&s[0], endpoint_at(0x1000, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[0], &s[1], endpoint_at(0x1000, 0), 0);
    mdb_insert_after(&s[1], &s[2], endpoint_at(0x1000, 0), 0);
    mdb_remove(&s[1]);
    check_empty(&s[1]);
    CHECK_LIST(&s[0], &s[0], &s[2]);
    CU_ASSERT_TRUE(mdb_revocable(&s[0]));
    mdb_remove(&s[0]); /* the first */
    check_empty(&s[0]);
    CHECK_LIST(&s[2], &s[2]);
    mdb_remove(&s[2]); /* the only one */
    check_empty(&s[2]);
}

/*
 * E (unbadged), then two mints with badge 5: B2 (newer) and B1, and C1 a copy
 * of B1. Removing B1 must not make C1 a child of B2: the first-badged mark
 * passes on to C1.
 */
static void test_remove_passes_first_badged(void)
{
    setup();
    mdb_insert_root(&s[0], endpoint_at(0x1000, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[0], &s[1], endpoint_at(0x1000, 5), MDB_REVOCABLE | MDB_FIRST_BADGED);
    mdb_insert_after(&s[1], &s[3], endpoint_at(0x1000, 5), 0);
    mdb_insert_after(&s[0], &s[2], endpoint_at(0x1000, 5), MDB_REVOCABLE | MDB_FIRST_BADGED);
    CHECK_LIST(&s[0], &s[0], &s[2], &s[1], &s[3]);
    CU_ASSERT_FALSE(mdb_is_parent_of(&s[2], &s[1]));
    CU_ASSERT_TRUE(mdb_is_parent_of(&s[1], &s[3]));
    CU_ASSERT_FALSE(slot_has_children(&s[2]));
    mdb_remove(&s[1]);
    CHECK_LIST(&s[0], &s[0], &s[2], &s[3]);
    CU_ASSERT_TRUE(mdb_first_badged(&s[3]));
    CU_ASSERT_FALSE(mdb_revocable(&s[3]));
    CU_ASSERT_FALSE(mdb_is_parent_of(&s[2], &s[3]));
    CU_ASSERT_FALSE(slot_has_children(&s[2]));
    CU_ASSERT_TRUE(mdb_is_parent_of(&s[0], &s[3]));
    /* A removed cap without the mark passes nothing on. */
    mdb_insert_after(&s[3], &s[4], endpoint_at(0x1000, 5), 0);
    mdb_insert_after(&s[4], &s[5], endpoint_at(0x1000, 5), 0);
    mdb_remove(&s[4]);
    CU_ASSERT_FALSE(mdb_first_badged(&s[5]));
}

static void test_move(void)
{
    setup();
    mdb_insert_root(&s[0], endpoint_at(0x1000, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[0], &s[1], endpoint_at(0x1000, 7), MDB_REVOCABLE | MDB_FIRST_BADGED);
    mdb_insert_after(&s[1], &s[2], endpoint_at(0x1000, 7), 0);
    cap_t moved = s[1].cap;
    mdb_move(&s[1], &s[10]);
    check_empty(&s[1]);
    CHECK_LIST(&s[0], &s[0], &s[10], &s[2]);
    CU_ASSERT_EQUAL(s[10].cap.w0, moved.w0);
    CU_ASSERT_EQUAL(s[10].cap.w1, moved.w1);
    CU_ASSERT_TRUE(mdb_revocable(&s[10]));
    CU_ASSERT_TRUE(mdb_first_badged(&s[10]));
    CU_ASSERT_TRUE(mdb_is_parent_of(&s[10], &s[2]));
    /* The first and the last of the list move too. */
    mdb_move(&s[0], &s[11]);
    mdb_move(&s[2], &s[12]);
    CHECK_LIST(&s[11], &s[11], &s[10], &s[12]);
    CU_ASSERT_TRUE(mdb_revocable(&s[11]));
    check_empty(&s[0]);
    check_empty(&s[2]);
}

static void test_untyped_containment(void)
{
    setup();
    const word_t base = 0x80000000UL;
    mdb_insert_root(&s[0], untyped_at(base, 16), MDB_REVOCABLE);
    struct {
        cap_t cap;
        bool inside;
    } cases[] = {
        { endpoint_at(base, 0), true },
        { endpoint_at(base + 0xfff0, 0), true },
        { endpoint_at(base + 0x10000, 0), false },
        { endpoint_at(base - 0x10, 0), false },
        { cap_make(CAP_TCB, RIGHTS_ALL, 0, base + 0xf800, 0), true },
        { cap_make(CAP_TCB, RIGHTS_ALL, 0, base + 0xfc00, 0), false }, /* ends past the untyped */
        { cap_make(CAP_FRAME_4K, RIGHTS_ALL, 0, base + 0xf000, 0), true },
        { cap_make(CAP_FRAME_2M, RIGHTS_ALL, 0, base, 0), false },
        { cap_make(CAP_CNODE, RIGHTS_ALL, 11, base, 0), true },  /* exactly the untyped */
        { cap_make(CAP_CNODE, RIGHTS_ALL, 12, base, 0), false }, /* twice its size */
        { cap_make(CAP_ZOMBIE, 0, ZOMBIE_TCB, base + 0x800, 0), true },
        { cap_make(CAP_ZOMBIE, 0, 11, base, 0), true },
        { cap_make(CAP_ZOMBIE, 0, 12, base, 0), false },
        { untyped_at(base, 16), true },
        { untyped_at(base + 0x8000, 15), true },
        { untyped_at(base, 17), false },
        { cap_make(CAP_IRQ_HANDLER, RIGHTS_ALL, 0, 0, 3), false },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        s[1] = (struct cte){ cases[i].cap, { (word_t)(uintptr_t)&s[0], NULL } };
        CU_ASSERT_EQUAL(mdb_is_parent_of(&s[0], &s[1]), cases[i].inside);
        CU_ASSERT_EQUAL(cap_same_region(s[0].cap, cases[i].cap), cases[i].inside);
    }
    /* Only a revocable capability has children. */
    mdb_insert_root(&s[2], untyped_at(base, 16), 0);
    s[1] = (struct cte){ endpoint_at(base, 0), { 0, NULL } };
    CU_ASSERT_FALSE(mdb_is_parent_of(&s[2], &s[1]));
    /* An object is parent of its copies (same object), not of other objects. */
    mdb_insert_root(&s[3], endpoint_at(base, 0), MDB_REVOCABLE);
    s[1].cap = endpoint_at(base + 0x10, 0);
    CU_ASSERT_FALSE(mdb_is_parent_of(&s[3], &s[1]));
    s[1].cap = endpoint_at(base, 0);
    CU_ASSERT_TRUE(mdb_is_parent_of(&s[3], &s[1]));
}

static void test_slot_has_children(void)
{
    setup();
    const word_t base = 0x80000000UL;
    mdb_insert_root(&s[0], untyped_at(base, 16), MDB_REVOCABLE);
    CU_ASSERT_FALSE(slot_has_children(&s[0]));
    mdb_insert_after(&s[0], &s[1], endpoint_at(base + 0x20, 0), MDB_REVOCABLE);
    CU_ASSERT_TRUE(slot_has_children(&s[0]));
    CU_ASSERT_FALSE(slot_has_children(&s[1]));
    /* The next capability in the list is not a child when it lies elsewhere. */
    mdb_insert_root(&s[5], untyped_at(base + 0x10000, 16), MDB_REVOCABLE);
    mdb_insert_after(&s[5], &s[6], untyped_at(base, 16), MDB_REVOCABLE);
    CU_ASSERT_FALSE(slot_has_children(&s[5]));
}

/*
 * Badges (seL4's rules): an unbadged original is parent of every copy, badged
 * or not; a badged capability only of the copies of itself that follow it,
 * same badge and not first-badged, never of a separate mint with that badge.
 */
static void test_badged_endpoints(void)
{
    setup();
    for (unsigned type = CAP_ENDPOINT; type <= CAP_NOTIFICATION; type++) {
        const word_t addr = 0x1000;
        cap_t orig = cap_make(type, RIGHTS_ALL, 0, addr, 0);
        cap_t b5 = cap_make(type, RIGHTS_ALL, 0, addr, 5);
        cap_t b7 = cap_make(type, RIGHTS_ALL, 0, addr, 7);
        struct cte *e = &s[0], *m5 = &s[1], *c5 = &s[2], *m7 = &s[3], *u = &s[4], *m5b = &s[5];
        mdb_insert_root(e, orig, MDB_REVOCABLE);
        mdb_insert_after(e, m7, b7, MDB_REVOCABLE | MDB_FIRST_BADGED);
        mdb_insert_after(e, m5, b5, MDB_REVOCABLE | MDB_FIRST_BADGED);
        mdb_insert_after(m5, c5, b5, 0);
        mdb_insert_after(e, u, orig, 0);
        mdb_insert_after(m7, m5b, b5, MDB_REVOCABLE | MDB_FIRST_BADGED);
        CHECK_LIST(e, e, u, m5, c5, m7, m5b);
        for (struct cte *child = u; child; child = child->mdb.next)
            CU_ASSERT_TRUE(mdb_is_parent_of(e, child));
        CU_ASSERT_TRUE(mdb_is_parent_of(m5, c5));
        CU_ASSERT_FALSE(mdb_is_parent_of(m5, m7));
        CU_ASSERT_FALSE(mdb_is_parent_of(m5, m5b));
        CU_ASSERT_FALSE(mdb_is_parent_of(m7, m5b));
        CU_ASSERT_FALSE(mdb_is_parent_of(c5, m5b)); /* a plain copy is not revocable */
        CU_ASSERT_FALSE(mdb_is_parent_of(m5, e));
        CU_ASSERT_FALSE(mdb_is_parent_of(u, m5));
        CU_ASSERT_TRUE(slot_has_children(e));
        CU_ASSERT_TRUE(slot_has_children(m5));
        CU_ASSERT_FALSE(slot_has_children(c5));
        CU_ASSERT_FALSE(slot_has_children(m7));
        /* Another object with the same badge is unrelated. */
        cap_t other = cap_make(type, RIGHTS_ALL, 0, addr + 0x40, 5);
        s[6] = (struct cte){ other, { 0, NULL } };
        CU_ASSERT_FALSE(mdb_is_parent_of(m5, &s[6]));
        CU_ASSERT_FALSE(mdb_is_parent_of(e, &s[6]));
        setup();
    }
}

static void test_final_cap(void)
{
    setup();
    const word_t base = 0x80000000UL;
    mdb_insert_root(&s[0], endpoint_at(base, 0), MDB_REVOCABLE);
    CU_ASSERT_TRUE(slot_holds_final_cap(&s[0]));
    mdb_insert_after(&s[0], &s[1], endpoint_at(base, 9), MDB_REVOCABLE | MDB_FIRST_BADGED);
    CU_ASSERT_FALSE(slot_holds_final_cap(&s[0])); /* a badge does not make another object */
    CU_ASSERT_FALSE(slot_holds_final_cap(&s[1]));
    mdb_remove(&s[0]);
    CU_ASSERT_TRUE(slot_holds_final_cap(&s[1]));

    /* An untyped and the first object made from it share an address, not an object. */
    mdb_insert_root(&s[2], untyped_at(base, 16), MDB_REVOCABLE);
    mdb_insert_after(&s[2], &s[3], endpoint_at(base, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[2], &s[4], untyped_at(base, 12), MDB_REVOCABLE);
    CU_ASSERT_TRUE(slot_holds_final_cap(&s[2]));
    CU_ASSERT_TRUE(slot_holds_final_cap(&s[3]));
    CU_ASSERT_TRUE(slot_holds_final_cap(&s[4]));

    /* Neighbours on either side count; a Zombie stands for its CNode or TCB. */
    mdb_insert_root(&s[5], cap_make(CAP_CNODE, RIGHTS_ALL, 4, base, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[5], &s[6], cap_make(CAP_CNODE, RIGHTS_ALL, 4, base, 0x3c1), 0);
    CU_ASSERT_FALSE(slot_holds_final_cap(&s[5]));
    CU_ASSERT_FALSE(slot_holds_final_cap(&s[6]));
    s[5].cap = cap_make(CAP_ZOMBIE, 0, 4, base, 0);
    CU_ASSERT_FALSE(slot_holds_final_cap(&s[6]));
    mdb_insert_root(&s[7], cap_make(CAP_TCB, RIGHTS_ALL, 0, base, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[7], &s[8], cap_make(CAP_ZOMBIE, 0, ZOMBIE_TCB, base, 0), 0);
    CU_ASSERT_FALSE(slot_holds_final_cap(&s[7]));
    mdb_insert_after(&s[7], &s[9], cap_make(CAP_CNODE, RIGHTS_ALL, 4, base, 0), 0);
    CU_ASSERT_TRUE(slot_holds_final_cap(&s[9]));

    /* IRQ handlers are the same object when they name the same line. */
    mdb_insert_root(&s[10], cap_make(CAP_IRQ_HANDLER, RIGHTS_ALL, 0, 0, 33), MDB_REVOCABLE);
    mdb_insert_after(&s[10], &s[11], cap_make(CAP_IRQ_HANDLER, RIGHTS_ALL, 0, 0, 34), 0);
    CU_ASSERT_TRUE(slot_holds_final_cap(&s[10]));
    mdb_insert_after(&s[10], &s[12], cap_make(CAP_IRQ_HANDLER, RIGHTS_ALL, 0, 0, 33), 0);
    CU_ASSERT_FALSE(slot_holds_final_cap(&s[10]));
}

static void test_irq_control_is_parent_of_handlers(void)
{
    setup();
    mdb_insert_root(&s[0], cap_make(CAP_IRQ_CONTROL, RIGHTS_ALL, 0, 0, 0), MDB_REVOCABLE);
    mdb_insert_after(&s[0], &s[1], cap_make(CAP_IRQ_HANDLER, RIGHTS_ALL, 0, 0, 40), 0);
    CU_ASSERT_TRUE(mdb_is_parent_of(&s[0], &s[1]));
    CU_ASSERT_TRUE(slot_has_children(&s[0]));
    s[1].cap = endpoint_at(0x1000, 0);
    CU_ASSERT_FALSE(mdb_is_parent_of(&s[0], &s[1]));
    CU_ASSERT_FALSE(cap_same_object(cap_null(), cap_null()));
}

SUITE("mdb", TEST(test_insert_root), TEST(test_insert_after), TEST(test_remove),
      TEST(test_remove_passes_first_badged), TEST(test_move), TEST(test_untyped_containment),
      TEST(test_slot_has_children), TEST(test_badged_endpoints), TEST(test_final_cap),
      TEST(test_irq_control_is_parent_of_handlers));
