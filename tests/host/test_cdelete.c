/*
 * Deleting and revoking (src/kernel/cdelete.c) over the real derivation tree,
 * with cap_finalise recording (finalise_record.h): each capability must be
 * finalised exactly once, as final exactly when it was the last one.
 */
#include <cella/cnode.h>
#include <cella/objects.h>
#include <cella/tcb.h>

#include "finalise_record.h"
#include "harness.h"
#include "kmem.h"

static struct cte *root; /* 64 slots standing for a thread's CSpace */

static void setup(void)
{
    kmem_reset();
    finalised_reset();
    root = cnode_slots(kmem_cnode(6, 0, 0));
}

static cap_t new_endpoint(word_t badge)
{
    return kmem_object(CAP_ENDPOINT, ENDPOINT_SIZE_BITS, badge);
}

static cap_t new_notification(void)
{
    return kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0);
}

static bool all_empty(const struct cte *slots, word_t n)
{
    for (word_t i = 0; i < n; i++)
        if (!cap_is_null(slots[i].cap) || slots[i].mdb.prev || slots[i].mdb.next)
            return false;
    return true;
}

/* Puts cap into slot as a fresh original. */
static struct cte *put(struct cte *slot, cap_t cap)
{
    mdb_insert_root(slot, cap, MDB_REVOCABLE);
    return slot;
}

static struct cte *copy(struct cte *from, struct cte *to)
{
    mdb_insert_after(from, to, from->cap, 0);
    return to;
}

static void test_delete_empty_slot(void)
{
    setup();
    slot_delete(&root[0]);
    CU_ASSERT_EQUAL(finalised_count, 0u);
    CU_ASSERT_TRUE(all_empty(root, 64));
}

static void test_delete_final(void)
{
    setup();
    cap_t ep = new_endpoint(0);
    slot_delete(put(&root[3], ep));
    CU_ASSERT_EQUAL(finalised_count, 1u);
    CU_ASSERT_EQUAL(finalised_times(ep, true), 1u);
    CU_ASSERT_TRUE(all_empty(root, 64));
}

static void test_delete_non_final(void)
{
    setup();
    cap_t ep = new_endpoint(0);
    struct cte *orig = put(&root[0], ep), *dup = copy(orig, &root[1]);
    slot_delete(dup);
    CU_ASSERT_EQUAL(finalised_count, 1u);
    CU_ASSERT_EQUAL(finalised_times(ep, false), 1u);
    CU_ASSERT_TRUE(cap_is_null(dup->cap));
    CU_ASSERT_PTR_NULL(orig->mdb.next);
    CU_ASSERT_TRUE(slot_holds_final_cap(orig));
    /* The original goes too, now as the final one. */
    slot_delete(orig);
    CU_ASSERT_EQUAL(finalised_times(ep, true), 1u);
    CU_ASSERT_TRUE(all_empty(root, 64));
}

/*
 * An untyped U with children: ep2, and ep1 with two copies; before U an
 * unrelated capability, after the children another. Revoking U deletes the
 * four children and nothing else.
 */
static void test_revoke_removes_exactly_the_descendants(void)
{
    setup();
    word_t base = (word_t)(uintptr_t)kmem_alloc(12);
    cap_t ut = cap_make(CAP_UNTYPED, RIGHTS_ALL, 12, base, 0x40);
    cap_t ep1 = cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, base, 0);
    cap_t ep2 = cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, base + 0x10, 0);
    cap_t before = new_endpoint(0), after = new_notification();
    struct cte *b = put(&root[0], before), *u = &root[1];
    mdb_insert_after(b, u, ut, MDB_REVOCABLE);
    mdb_insert_after(u, &root[2], ep1, MDB_REVOCABLE);
    copy(copy(&root[2], &root[3]), &root[4]);
    mdb_insert_after(u, &root[5], ep2, MDB_REVOCABLE);
    mdb_insert_after(&root[4], &root[6], after, MDB_REVOCABLE);
    CU_ASSERT_FALSE(mdb_is_parent_of(u, &root[6]));

    slot_revoke(u);
    CU_ASSERT_EQUAL(finalised_count, 4u);
    CU_ASSERT_EQUAL(finalised_times(ep2, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(ep1, false), 2u);
    CU_ASSERT_EQUAL(finalised_times(ep1, true), 1u);
    CU_ASSERT_TRUE(all_empty(&root[2], 4));
    CU_ASSERT_EQUAL(u->cap.w0, ut.w0);
    CU_ASSERT_PTR_EQUAL(b->mdb.next, u);
    CU_ASSERT_PTR_EQUAL(u->mdb.next, &root[6]);
    CU_ASSERT_PTR_EQUAL(mdb_prev(&root[6]), u);
    CU_ASSERT_EQUAL(root[6].cap.w0, after.w0);
    CU_ASSERT_FALSE(slot_has_children(u));
    /* Nothing left to revoke. */
    slot_revoke(u);
    CU_ASSERT_EQUAL(finalised_count, 4u);
}

/* Revoking a badged mint takes its copies; not the original, nor a sibling mint of its badge. */
static void test_revoke_badged(void)
{
    setup();
    cap_t ep = new_endpoint(0);
    cap_t b5 = cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, cap_addr(ep), 5);
    struct cte *e = put(&root[0], ep), *m5 = &root[1], *sib = &root[4];
    mdb_insert_after(e, sib, b5, MDB_REVOCABLE | MDB_FIRST_BADGED);
    mdb_insert_after(e, m5, b5, MDB_REVOCABLE | MDB_FIRST_BADGED);
    copy(copy(m5, &root[2]), &root[3]);
    slot_revoke(m5);
    CU_ASSERT_EQUAL(finalised_count, 2u);
    CU_ASSERT_EQUAL(finalised_times(b5, false), 2u);
    CU_ASSERT_TRUE(all_empty(&root[2], 2));
    CU_ASSERT_PTR_EQUAL(m5->mdb.next, sib);
    CU_ASSERT_EQUAL(cap_badge(sib->cap), 5u);
    /* Revoking the original takes every badge. */
    slot_revoke(e);
    CU_ASSERT_EQUAL(finalised_count, 4u);
    CU_ASSERT_TRUE(all_empty(&root[1], 4));
    CU_ASSERT_PTR_NULL(e->mdb.next);
}

/* A final CNode capability: its slots are emptied, each cap finalised with the right flag. */
static void test_delete_cnode_holding_caps(void)
{
    setup();
    cap_t x = kmem_cnode(3, 0, 0);
    struct cte *xs = cnode_slots(x);
    cap_t ep = new_endpoint(0), shared = new_endpoint(3), n = new_notification();
    put(&xs[1], ep);
    struct cte *outside = put(&root[9], shared);
    copy(outside, &xs[6]);
    copy(put(&xs[2], n), &xs[7]);
    put(&root[0], x);
    slot_delete(&root[0]);
    CU_ASSERT_EQUAL(finalised_times(x, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(ep, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(shared, false), 1u);
    CU_ASSERT_EQUAL(finalised_times(n, false), 1u);
    CU_ASSERT_EQUAL(finalised_times(n, true), 1u);
    CU_ASSERT_EQUAL(finalised_count, 5u);
    CU_ASSERT_TRUE(all_empty(xs, 8));
    CU_ASSERT_TRUE(cap_is_null(root[0].cap));
    CU_ASSERT_PTR_NULL(outside->mdb.next);
    CU_ASSERT_EQUAL(outside->cap.w0, shared.w0);
}

/* A copy of a CNode cap is not final: deleting it leaves the CNode and its contents alone. */
static void test_delete_non_final_cnode(void)
{
    setup();
    cap_t x = kmem_cnode(2, 0, 0);
    put(&cnode_slots(x)[1], new_endpoint(0));
    copy(put(&root[0], x), &root[1]);
    slot_delete(&root[1]);
    CU_ASSERT_EQUAL(finalised_count, 1u);
    CU_ASSERT_EQUAL(finalised_times(x, false), 1u);
    CU_ASSERT_FALSE(cap_is_null(cnode_slots(x)[1].cap));
}

/* CNodes nested DEPTH deep, each holding the next one's only capability and an endpoint. */
#define DEPTH 8

static void test_delete_nested_cnodes(void)
{
    setup();
    cap_t nodes[DEPTH], eps[DEPTH];
    struct cte *holder = &root[5];
    for (unsigned i = 0; i < DEPTH; i++) {
        nodes[i] = kmem_cnode(2 + i % 3, 0, 0);
        eps[i] = new_endpoint(0);
        put(holder, nodes[i]);
        struct cte *slots = cnode_slots(nodes[i]);
        word_t count = BIT(cnode_radix(nodes[i]));
        put(&slots[i % count], eps[i]);
        holder = &slots[(i + 1) % count]; /* never the endpoint's: count is at least 4 */
    }
    put(&root[6], new_endpoint(0)); /* a neighbour that must survive */
    slot_delete(&root[5]);
    CU_ASSERT_EQUAL(finalised_count, 2u * DEPTH);
    for (unsigned i = 0; i < DEPTH; i++) {
        CU_ASSERT_EQUAL(finalised_times(nodes[i], true), 1u);
        CU_ASSERT_EQUAL(finalised_times(eps[i], true), 1u);
        CU_ASSERT_TRUE(all_empty(cnode_slots(nodes[i]), BIT(cnode_radix(nodes[i]))));
    }
    CU_ASSERT_TRUE(all_empty(&root[5], 1));
    CU_ASSERT_EQUAL(cap_type(root[6].cap), CAP_ENDPOINT);
}

/* A CNode whose own slot holds the only capability to it: it meets its own Zombie. */
static void test_delete_cnode_holding_itself(void)
{
    setup();
    cap_t x = kmem_cnode(3, 0, 0);
    struct cte *xs = cnode_slots(x);
    cap_t ep0 = new_endpoint(0), ep7 = new_endpoint(0);
    put(&xs[2], x);
    put(&xs[0], ep0);
    put(&xs[7], ep7);
    slot_delete(&xs[2]);
    CU_ASSERT_EQUAL(finalised_times(x, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(ep0, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(ep7, true), 1u);
    CU_ASSERT_EQUAL(finalised_count, 3u);
    CU_ASSERT_TRUE(all_empty(xs, 8));
}

/* Two CNodes each holding the other's only capability, deleted from inside. */
static void test_delete_cnode_cycle(void)
{
    setup();
    cap_t x = kmem_cnode(2, 0, 0), y = kmem_cnode(3, 0, 0);
    struct cte *xs = cnode_slots(x), *ys = cnode_slots(y);
    put(&xs[1], y);
    put(&ys[6], x);
    cap_t n = new_notification();
    put(&ys[0], n);
    slot_delete(&ys[6]);
    CU_ASSERT_EQUAL(finalised_times(x, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(y, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(n, true), 1u);
    CU_ASSERT_EQUAL(finalised_count, 3u);
    CU_ASSERT_TRUE(all_empty(xs, 4));
    CU_ASSERT_TRUE(all_empty(ys, 8));
}

/* A TCB is a container too: its slots hold its CSpace (not final here) and a final CNode. */
static void test_delete_tcb(void)
{
    setup();
    struct tcb *t = kmem_alloc(TCB_SIZE_BITS);
    cap_t tcb = cap_make(CAP_TCB, RIGHTS_ALL, 0, (word_t)(uintptr_t)t, 0);
    cap_t cspace = kmem_cnode(4, 0, 0), inner = kmem_cnode(2, 0, 0);
    cap_t ep = new_endpoint(0);
    put(&cnode_slots(inner)[3], ep);
    copy(put(&root[1], cspace), &t->slots[TCB_SLOT_CSPACE]);
    put(&t->slots[TCB_SLOT_VSPACE], inner);
    put(&root[0], tcb);
    slot_delete(&root[0]);
    CU_ASSERT_EQUAL(finalised_times(tcb, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(cspace, false), 1u);
    CU_ASSERT_EQUAL(finalised_times(inner, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(ep, true), 1u);
    CU_ASSERT_EQUAL(finalised_count, 4u);
    CU_ASSERT_TRUE(all_empty(t->slots, TCB_SLOT_COUNT));
    CU_ASSERT_TRUE(all_empty(&root[0], 1));
    CU_ASSERT_TRUE(slot_holds_final_cap(&root[1]));
}

/* A thread's CSpace holding the only capability to the thread. */
static void test_delete_tcb_inside_its_cspace(void)
{
    setup();
    struct tcb *t = kmem_alloc(TCB_SIZE_BITS);
    cap_t tcb = cap_make(CAP_TCB, RIGHTS_ALL, 0, (word_t)(uintptr_t)t, 0);
    cap_t cspace = kmem_cnode(3, 0, 0);
    struct cte *cs = cnode_slots(cspace);
    put(&cs[1], tcb);
    put(&t->slots[TCB_SLOT_CSPACE], cspace);
    slot_delete(&cs[1]);
    CU_ASSERT_EQUAL(finalised_times(tcb, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(cspace, true), 1u);
    CU_ASSERT_EQUAL(finalised_count, 2u);
    CU_ASSERT_TRUE(all_empty(cs, 8));
    CU_ASSERT_TRUE(all_empty(t->slots, TCB_SLOT_COUNT));
}

/*
 * Revoking an untyped whose child is the final capability to a CNode that
 * holds the untyped itself: the revoked slot empties during the revoke, and
 * the revoke must stop there.
 */
static void test_revoke_slot_emptied_by_its_child(void)
{
    setup();
    void *mem = kmem_alloc(12);
    cap_t ut = cap_make(CAP_UNTYPED, RIGHTS_ALL, 12, (word_t)(uintptr_t)mem, 0x100);
    cap_t x = cap_make(CAP_CNODE, RIGHTS_ALL, 3, (word_t)(uintptr_t)mem, 0);
    struct cte *xs = cnode_slots(x), *u = put(&xs[4], ut);
    mdb_insert_after(u, &root[0], x, MDB_REVOCABLE);
    slot_revoke(u);
    CU_ASSERT_EQUAL(finalised_times(x, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(ut, true), 1u);
    CU_ASSERT_EQUAL(finalised_count, 2u);
    CU_ASSERT_TRUE(all_empty(&root[0], 1));
}

/* Revoking an untyped whose child CNode holds another of its children: each goes exactly once. */
static void test_revoke_child_inside_child(void)
{
    setup();
    word_t base = (word_t)(uintptr_t)kmem_alloc(12);
    cap_t ut = cap_make(CAP_UNTYPED, RIGHTS_ALL, 12, base, 0x110);
    cap_t x = cap_make(CAP_CNODE, RIGHTS_ALL, 3, base, 0);
    cap_t ep = cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, base + 0x100, 0);
    struct cte *u = put(&root[0], ut), *xs = cnode_slots(x);
    mdb_insert_after(u, &xs[5], ep, MDB_REVOCABLE);
    mdb_insert_after(u, &root[1], x, MDB_REVOCABLE); /* list: ut, x, ep (ep lives in x) */
    put(&root[2], new_endpoint(0));
    slot_revoke(u);
    CU_ASSERT_EQUAL(finalised_times(x, true), 1u);
    CU_ASSERT_EQUAL(finalised_times(ep, true), 1u);
    CU_ASSERT_EQUAL(finalised_count, 2u);
    CU_ASSERT_TRUE(all_empty(&root[1], 1));
    CU_ASSERT_TRUE(all_empty(xs, 8));
    CU_ASSERT_PTR_NULL(u->mdb.next);
    CU_ASSERT_EQUAL(cap_type(root[2].cap), CAP_ENDPOINT);
}

SUITE("cdelete", TEST(test_delete_empty_slot), TEST(test_delete_final), TEST(test_delete_non_final),
      TEST(test_revoke_removes_exactly_the_descendants), TEST(test_revoke_badged),
      TEST(test_delete_cnode_holding_caps), TEST(test_delete_non_final_cnode),
      TEST(test_delete_nested_cnodes), TEST(test_delete_cnode_holding_itself),
      TEST(test_delete_cnode_cycle), TEST(test_delete_tcb), TEST(test_delete_tcb_inside_its_cspace),
      TEST(test_revoke_slot_emptied_by_its_child), TEST(test_revoke_child_inside_child));
