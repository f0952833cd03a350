/* Capability addresses resolved through guarded radix CNodes (src/kernel/cspace.c). */
#include <abi/error.h>
#include <cella/cnode.h>

#include "harness.h"
#include "kmem.h"

static cap_t endpoint(void)
{
    return kmem_object(CAP_ENDPOINT, ENDPOINT_SIZE_BITS, 0);
}

static struct cte *slot(cap_t cnode, word_t index)
{
    return cnode_slots(cnode) + index;
}

/* Lookups read only capabilities, so the derivation tree is left out. */
static void put(struct cte *s, cap_t cap)
{
    s->cap = cap;
}

#define CHECK_FOUND(l, want_slot, want_left)                                                       \
    do {                                                                                           \
        struct lookup l_ = (l);                                                                    \
        CU_ASSERT_EQUAL(l_.error, ERR_NONE);                                                       \
        CU_ASSERT_PTR_EQUAL(l_.slot, (want_slot));                                                 \
        CU_ASSERT_EQUAL(l_.bits_left, (want_left));                                                \
    } while (0)

#define CHECK_FAILED(l, want_error, want_left)                                                     \
    do {                                                                                           \
        struct lookup l_ = (l);                                                                    \
        CU_ASSERT_EQUAL(l_.error, (want_error));                                                   \
        CU_ASSERT_PTR_NULL(l_.slot);                                                               \
        CU_ASSERT_EQUAL(l_.bits_left, (want_left));                                                \
    } while (0)

static void test_one_level(void)
{
    kmem_reset();
    cap_t root = kmem_cnode(4, 0, 60);
    CHECK_FOUND(cspace_lookup_slot(root, 5, 64), slot(root, 5), 0u);
    CHECK_FOUND(cspace_lookup_slot(root, 15, 64), slot(root, 15), 0u);
    CHECK_FOUND(cspace_lookup_cap(root, 0), slot(root, 0), 0u);
    /* A set bit in the guard: nothing resolved at all. */
    CHECK_FAILED(cspace_lookup_slot(root, BIT(63) | 5, 64), ERR_FAILED_LOOKUP, 64u);
    CHECK_FAILED(cspace_lookup_slot(root, BIT(4) | 5, 64), ERR_FAILED_LOOKUP, 64u);
    CHECK_FAILED(cspace_lookup_cap(root, BIT(4)), ERR_FAILED_LOOKUP, 64u);
}

/* Guards of every size a capability holds, mismatched in their top and in their bottom bit. */
static void test_guard_sizes(void)
{
    static const unsigned sizes[] = { 0, 1, 2, 7, 13, 32, 40, 55, 56 };
    kmem_reset();
    for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
        unsigned g = sizes[i], radix = 8, depth = g + radix;
        word_t guard = 0xa5c3e1f0b4d29687UL & MASK_UPTO64(g);
        if (g)
            guard |= BIT(g - 1) | 1; /* both ends set, so flipping either matters */
        cap_t root = kmem_cnode(radix, guard, g);
        word_t cptr = guard << radix | 0x3c;
        CHECK_FOUND(cspace_lookup_slot(root, cptr, depth), slot(root, 0x3c), 0u);
        if (!g)
            continue;
        if (depth < 64) /* one bit more shifts the guard off what it must match */
            CHECK_FAILED(cspace_lookup_slot(root, cptr, depth + 1), ERR_FAILED_LOOKUP, depth + 1);
        word_t top = cptr ^ BIT(depth - 1), bottom = cptr ^ BIT(radix);
        CHECK_FAILED(cspace_lookup_slot(root, top, depth), ERR_FAILED_LOOKUP, depth);
        CHECK_FAILED(cspace_lookup_slot(root, bottom, depth), ERR_FAILED_LOOKUP, depth);
    }
}

/* The largest guard a capability holds (58 bits) with the smallest radix that makes 64. */
static void test_large_guard(void)
{
    kmem_reset();
    word_t guard = MASK(58) & ~BIT(20);
    cap_t root = kmem_cnode(6, guard, 58);
    CU_ASSERT_EQUAL(cnode_guard(root), guard);
    CU_ASSERT_EQUAL(cnode_guard_size(root), 58u);
    CHECK_FOUND(cspace_lookup_slot(root, guard << 6 | 63, 64), slot(root, 63), 0u);
    CHECK_FOUND(cspace_lookup_cap(root, guard << 6 | 1), slot(root, 1), 0u);
    CHECK_FAILED(cspace_lookup_cap(root, (guard | BIT(20)) << 6 | 1), ERR_FAILED_LOOKUP, 64u);
    CHECK_FAILED(cspace_lookup_cap(root, 63), ERR_FAILED_LOOKUP, 64u);
}

/*
 * Three levels taking all 64 bits:
 *   root: guard 2 bits = 0b01, radix 4      (bits 63..58)
 *   l1 at root[9]: guard 3 bits = 0, radix 5 (bits 57..50)
 *   l2 at l1[17]: guard 44 bits = 0x5, radix 6 (bits 49..0)
 */
struct tree {
    cap_t root, l1, l2;
};

static struct tree three_levels(void)
{
    struct tree t = { kmem_cnode(4, 1, 2), kmem_cnode(5, 0, 3), kmem_cnode(6, 5, 44) };
    put(slot(t.root, 9), t.l1);
    put(slot(t.l1, 17), t.l2);
    return t;
}

static word_t path(word_t l1_index, word_t l2_index)
{
    return 1UL << 62 | 9UL << 58 | l1_index << 50 | 5UL << 6 | l2_index;
}

static void test_several_levels(void)
{
    kmem_reset();
    struct tree t = three_levels();
    CHECK_FOUND(cspace_lookup_slot(t.root, path(17, 42), 64), slot(t.l2, 42), 0u);
    CHECK_FOUND(cspace_lookup_slot(t.root, path(17, 0), 64), slot(t.l2, 0), 0u);
    /* A depth that ends at a slot holding a CNode stops there. */
    CHECK_FOUND(cspace_lookup_slot(t.root, path(17, 0) >> 50, 14), slot(t.l1, 17), 0u);
    CHECK_FOUND(cspace_lookup_slot(t.root, path(17, 0) >> 58, 6), slot(t.root, 9), 0u);
    /* lookup_cap goes through every level when CNodes lead all the way. */
    put(slot(t.l2, 42), endpoint());
    CHECK_FOUND(cspace_lookup_cap(t.root, path(17, 42)), slot(t.l2, 42), 0u);
    /* A guard mismatch deep down reports the bits left at that level. */
    CHECK_FAILED(cspace_lookup_slot(t.root, path(17, 42) ^ BIT(30), 64), ERR_FAILED_LOOKUP, 50u);
    CHECK_FAILED(cspace_lookup_slot(t.root, path(17, 42) ^ BIT(55), 64), ERR_FAILED_LOOKUP, 58u);
}

static void test_depth_mismatch(void)
{
    kmem_reset();
    struct tree t = three_levels();
    word_t cptr = path(17, 42);
    /* Fewer bits than the root's guard and radix. */
    CHECK_FAILED(cspace_lookup_slot(t.root, cptr >> 61, 3), ERR_FAILED_LOOKUP, 3u);
    /* Ends in the middle of the second level. */
    CHECK_FAILED(cspace_lookup_slot(t.root, cptr >> 54, 10), ERR_FAILED_LOOKUP, 4u);
    /* Ends in the middle of the third level (its guard alone is 44 bits). */
    CHECK_FAILED(cspace_lookup_slot(t.root, cptr >> 44, 20), ERR_FAILED_LOOKUP, 6u);
    CHECK_FAILED(cspace_lookup_slot(t.root, cptr >> 1, 63), ERR_FAILED_LOOKUP, 49u);
}

/* cspace_lookup_cap stops at the first slot that is not a CNode; cspace_lookup_slot fails there. */
static void test_leaf_before_bits_run_out(void)
{
    kmem_reset();
    struct tree t = three_levels();
    cap_t ep = endpoint();
    put(slot(t.l1, 3), ep);
    CHECK_FOUND(cspace_lookup_cap(t.root, path(3, 42)), slot(t.l1, 3), 50u);
    CHECK_FAILED(cspace_lookup_slot(t.root, path(3, 42), 64), ERR_FAILED_LOOKUP, 50u);
    /* An empty slot is not a CNode either. */
    CHECK_FOUND(cspace_lookup_cap(t.root, path(4, 0)), slot(t.l1, 4), 50u);
    CHECK_FAILED(cspace_lookup_slot(t.root, path(4, 0), 64), ERR_FAILED_LOOKUP, 50u);
    CHECK_FOUND(cspace_lookup_cap(t.root, 1UL << 62 | 2UL << 58), slot(t.root, 2), 58u);
}

static void test_bad_depths(void)
{
    kmem_reset();
    cap_t root = kmem_cnode(4, 0, 60);
    CHECK_FAILED(cspace_lookup_slot(root, 1, 0), ERR_RANGE, 0u);
    CHECK_FAILED(cspace_lookup_slot(root, 1, 65), ERR_RANGE, 65u);
    CHECK_FAILED(cspace_lookup_slot(root, 1, 128), ERR_RANGE, 128u);
    CHECK_FAILED(cspace_lookup_slot(root, 1, ~0u), ERR_RANGE, ~0u);
    CHECK_FOUND(cspace_lookup_slot(root, 1, 64), slot(root, 1), 0u);
    /* Depth 1: one bit, the smallest possible CNode level. */
    cap_t tiny = kmem_cnode(1, 0, 0);
    CHECK_FOUND(cspace_lookup_slot(tiny, 1, 1), slot(tiny, 1), 0u);
}

static void test_root_not_a_cnode(void)
{
    kmem_reset();
    CHECK_FAILED(cspace_lookup_slot(endpoint(), 0, 64), ERR_FAILED_LOOKUP, 64u);
    CHECK_FAILED(cspace_lookup_slot(cap_null(), 0, 12), ERR_FAILED_LOOKUP, 12u);
    CHECK_FAILED(cspace_lookup_cap(cap_null(), 0), ERR_FAILED_LOOKUP, 64u);
    CU_ASSERT_PTR_NULL(cspace_lookup_single_level(endpoint(), 0));
}

/* A CNode whose slot 0 holds itself with no guard: every level leads back, 64 / 4 times. */
static void test_cnode_holding_itself(void)
{
    kmem_reset();
    cap_t root = kmem_cnode(4, 0, 0);
    put(slot(root, 0), root);
    CHECK_FOUND(cspace_lookup_cap(root, 0), slot(root, 0), 0u);
    CHECK_FOUND(cspace_lookup_slot(root, 7, 64), slot(root, 7), 0u);
    CHECK_FOUND(cspace_lookup_cap(root, 7UL << 4), slot(root, 7), 4u);
    CHECK_FAILED(cspace_lookup_slot(root, 7UL << 4, 64), ERR_FAILED_LOOKUP, 4u);
}

static word_t rng_state = 0x9e3779b97f4a7c15UL;

static word_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* The fastpath's one-step lookup finds what the general lookup finds, or declines. */
static void test_single_level_agrees(void)
{
    static const struct {
        unsigned radix, guard_bits;
        word_t guard;
    } roots[] = {
        { 12, 52, 0 }, { 6, 58, MASK(58) }, { 16, 48, 0x123456789aUL },
        { 8, 56, 1 },  { 12, 50, 0 }, /* not a single level: 62 bits */
        { 4, 0, 0 },                  /* a radix alone */
    };
    kmem_reset();
    for (unsigned r = 0; r < ARRAY_SIZE(roots); r++) {
        cap_t root = kmem_cnode(roots[r].radix, roots[r].guard, roots[r].guard_bits);
        bool single = roots[r].radix + roots[r].guard_bits == 64;
        for (unsigned i = 0; i < 2000; i++) {
            word_t cptr = rng();
            if (i % 2)
                cptr = roots[r].guard << roots[r].radix | (cptr & MASK(roots[r].radix));
            if (i % 3 == 0)
                cptr ^= BIT(rng() % 64);
            struct lookup l = cspace_lookup_slot(root, cptr, 64);
            struct cte *s = cspace_lookup_single_level(root, cptr);
            if (!single) {
                CU_ASSERT_PTR_NULL(s);
            } else if (l.error) {
                CU_ASSERT_PTR_NULL(s);
            } else {
                CU_ASSERT_PTR_EQUAL(s, l.slot);
                CU_ASSERT_PTR_EQUAL(s, cspace_lookup_cap(root, cptr).slot);
            }
        }
    }
}

/* The single-level mark follows the guard data: set exactly when guard and radix take 64 bits. */
static void test_single_level_mark_follows_the_guard(void)
{
    kmem_reset();
    cap_t c = kmem_cnode(12, 0, 52);
    CU_ASSERT_TRUE(cnode_is_single_level(c));
    CU_ASSERT_EQUAL(cnode_radix(c), 12u);
    cap_t d = cnode_with_guard(c, 3UL << 6 | 50);
    CU_ASSERT_FALSE(cnode_is_single_level(d));
    CU_ASSERT_EQUAL(cnode_radix(d), 12u);
    CU_ASSERT_EQUAL(cnode_guard(d), 3u);
    CU_ASSERT_EQUAL(cnode_guard_size(d), 50u);
    CU_ASSERT_EQUAL(cap_addr(d), cap_addr(c));
    CU_ASSERT_TRUE(cnode_is_single_level(cnode_with_guard(d, 52)));
    CU_ASSERT_PTR_NULL(cspace_lookup_single_level(d, 3UL << 14 | 5));
    CU_ASSERT_PTR_EQUAL(cspace_lookup_single_level(c, 5), slot(c, 5));
}

SUITE("cspace", TEST(test_one_level), TEST(test_guard_sizes), TEST(test_large_guard),
      TEST(test_several_levels), TEST(test_depth_mismatch), TEST(test_leaf_before_bits_run_out),
      TEST(test_bad_depths), TEST(test_root_not_a_cnode), TEST(test_cnode_holding_itself),
      TEST(test_single_level_agrees), TEST(test_single_level_mark_follows_the_guard));
