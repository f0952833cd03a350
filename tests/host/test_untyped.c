/* Where Untyped_Retype puts objects (src/object/untyped_space.c); how revoking frees the space. */
#include <cella/untyped.h>

#include "finalise_record.h"
#include "harness.h"
#include "kmem.h"

#define BASE 0x80000000UL

#define CHECK_PLACED(p, want_start, want_watermark)                                                \
    do {                                                                                           \
        struct placement p_ = (p);                                                                 \
        CU_ASSERT_TRUE(p_.fits);                                                                   \
        CU_ASSERT_EQUAL(p_.start, (want_start));                                                   \
        CU_ASSERT_EQUAL(p_.watermark, (want_watermark));                                           \
    } while (0)

static void test_aligned_to_object_size(void)
{
    /* 16 bytes used of a 1 MiB untyped: a page goes at the next page, an endpoint right there. */
    CHECK_PLACED(untyped_place(BASE, 20, 0x10, 12, 1), BASE + 0x1000, 0x2000u);
    CHECK_PLACED(untyped_place(BASE, 20, 0x10, 4, 1), BASE + 0x10, 0x20u);
    CHECK_PLACED(untyped_place(BASE, 20, 0x11, 4, 1), BASE + 0x20, 0x30u);
    CHECK_PLACED(untyped_place(BASE, 20, 0x10, 11, 2), BASE + 0x800, 0x1800u);
    CHECK_PLACED(untyped_place(BASE, 20, 0x801, 11, 1), BASE + 0x1000, 0x1800u);
    /* Already aligned: no gap. */
    CHECK_PLACED(untyped_place(BASE, 20, 0x3000, 12, 1), BASE + 0x3000, 0x4000u);
    /* A 2 MiB frame in a 4 MiB untyped after one page: the second half. */
    CHECK_PLACED(untyped_place(BASE, 22, 0x1000, 21, 1), BASE + 0x200000, 0x400000u);
    /* Alignment is of the address, not of the offset in the untyped. */
    CHECK_PLACED(untyped_place(BASE + 0x100, 8, 0, 4, 3), BASE + 0x100, 0x30u);
    CHECK_PLACED(untyped_place(BASE + 0x1000, 12, 0x10, 12, 0), BASE + 0x2000, 0x1000u);
    for (unsigned bits = 4; bits <= 20; bits++) {
        struct placement p = untyped_place(BASE, 20, 0x18, bits, 1);
        if (bits == 20) {
            CU_ASSERT_FALSE(p.fits);
            continue;
        }
        CU_ASSERT_TRUE(p.fits);
        CU_ASSERT_TRUE(is_aligned(p.start, bits));
        CU_ASSERT_TRUE(p.start >= BASE + 0x18);
        CU_ASSERT_TRUE(p.start - BIT(bits) < BASE + 0x18); /* the first aligned address */
    }
}

/* Successive retypes: each starts at the watermark the one before left. */
static void test_watermark_advances(void)
{
    static const struct {
        unsigned bits;
        word_t count, start, watermark;
    } steps[] = {
        { 4, 3, 0x0, 0x30 },          /* three endpoints */
        { 11, 1, 0x800, 0x1000 },     /* a TCB */
        { 12, 2, 0x1000, 0x3000 },    /* two pages */
        { 5, 1, 0x3000, 0x3020 },     /* a notification */
        { 14, 1, 0x4000, 0x8000 },    /* a CNode of 512 slots */
        { 4, 2048, 0x8000, 0x10000 }, /* the rest, exactly */
    };
    word_t used = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(steps); i++) {
        struct placement p = untyped_place(BASE, 16, used, steps[i].bits, steps[i].count);
        CHECK_PLACED(p, BASE + steps[i].start, steps[i].watermark);
        used = p.watermark;
    }
    CU_ASSERT_FALSE(untyped_place(BASE, 16, used, 4, 1).fits);
}

static void test_exhaustion(void)
{
    CHECK_PLACED(untyped_place(BASE, 16, 0, 12, 16), BASE, 0x10000u);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0, 12, 17).fits);
    /* 0x1001 used: the pages start at 0x2000, so 14 fit and 15 do not. */
    CHECK_PLACED(untyped_place(BASE, 16, 0x1001, 12, 14), BASE + 0x2000, 0x10000u);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0x1001, 12, 15).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0x10000, 4, 1).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0xfff1, 4, 1).fits);
    CHECK_PLACED(untyped_place(BASE, 16, 0xfff0, 4, 1), BASE + 0xfff0, 0x10000u);
    /* A watermark past the end (never made by the kernel) fits nothing. */
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0x20000, 4, 0).fits);
}

static void test_object_bigger_than_untyped(void)
{
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0, 17, 1).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 12, 0, FRAME_2M_SIZE_BITS, 1).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 4, 0, TCB_SIZE_BITS, 1).fits);
    /* Exactly the untyped's size: one fits, only while nothing is used. */
    CHECK_PLACED(untyped_place(BASE, 16, 0, 16, 1), BASE, 0x10000u);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0, 16, 2).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 1, 16, 1).fits);
}

/* Counts whose total size would wrap a word are refused, not wrapped. */
static void test_counts(void)
{
    CHECK_PLACED(untyped_place(BASE, 12, 0, 4, RETYPE_MAX_OBJECTS), BASE, 0x1000u);
    CU_ASSERT_FALSE(untyped_place(BASE, 12, 0, 4, RETYPE_MAX_OBJECTS + 1).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0, 12, 1UL << 52).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 16, 0, 12, ~0UL).fits);
    CU_ASSERT_FALSE(untyped_place(BASE, 47, 0, 21, 1UL << 43).fits);
    CHECK_PLACED(untyped_place(0, 47, 0, 21, 1UL << 26), 0, BIT(47));
    /* None: the watermark only moves to the alignment. */
    CHECK_PLACED(untyped_place(BASE, 16, 0x10, 12, 0), BASE + 0x1000, 0x1000u);
}

/* Sizes at the edges: the largest untyped, and ones that would reach past the top of memory. */
static void test_edges(void)
{
    CHECK_PLACED(untyped_place(BIT(47), UNTYPED_MAX_SIZE_BITS, 0, 12, 1), BIT(47), 0x1000u);
    CHECK_PLACED(untyped_place(0, 63, BIT(62), 62, 1), BIT(62), BIT(63));
    CU_ASSERT_FALSE(untyped_place(~0UL << 12, 12, 0, 4, 1).fits); /* the end is not representable */
    CU_ASSERT_FALSE(untyped_place(0, 64, 0, 4, 1).fits);
    CU_ASSERT_FALSE(untyped_place(0, 200, 0, 4, 1).fits);
    CHECK_PLACED(untyped_place(BASE, UNTYPED_MIN_SIZE_BITS, 0, 4, 1), BASE, 0x10u);
}

static cap_t frame_at(word_t addr)
{
    return cap_make(CAP_FRAME_4K, RIGHTS_ALL, 0, addr, 0);
}

/*
 * The watermark counts only while something made from the untyped is left:
 * revoking its children (the real cdelete.c) frees all of it again, and
 * deleting only some of them frees nothing.
 */
static void test_reset_after_revoke(void)
{
    kmem_reset();
    finalised_reset();
    struct cte *slots = cnode_slots(kmem_cnode(4, 0, 0)), *ut = &slots[0];
    word_t base = (word_t)(uintptr_t)kmem_alloc(16);
    mdb_insert_root(ut, cap_make(CAP_UNTYPED, RIGHTS_ALL, 16, base, UNTYPED_DEVICE), MDB_REVOCABLE);
    CU_ASSERT_EQUAL(untyped_used(ut), 0u);

    /* Two retypes, done as Untyped_Retype does them. */
    for (unsigned i = 0; i < 2; i++) {
        struct placement p = untyped_place(base, 16, untyped_used(ut), 12, 2);
        CU_ASSERT_TRUE(p.fits);
        CU_ASSERT_EQUAL(p.start, base + i * 0x2000);
        ut->cap.w1 = p.watermark | UNTYPED_DEVICE;
        for (unsigned k = 0; k < 2; k++)
            mdb_insert_after(ut, &slots[1 + 2 * i + k], frame_at(p.start + k * 0x1000),
                             MDB_REVOCABLE);
    }
    CU_ASSERT_EQUAL(untyped_used(ut), 0x4000u);
    CU_ASSERT_TRUE(untyped_is_device(ut->cap));

    /* Deleting some objects leaves holes, not free space. */
    slot_delete(&slots[1]);
    slot_delete(&slots[2]);
    CU_ASSERT_EQUAL(untyped_used(ut), 0x4000u);
    CU_ASSERT_EQUAL(untyped_place(base, 16, untyped_used(ut), 12, 1).start, base + 0x4000);

    slot_revoke(ut);
    CU_ASSERT_EQUAL(finalised_count, 4u);
    CU_ASSERT_FALSE(slot_has_children(ut));
    CU_ASSERT_EQUAL(untyped_used(ut), 0u);
    CHECK_PLACED(untyped_place(base, 16, untyped_used(ut), 12, 16), base, 0x10000u);

    /* A capability that follows but was not made from the untyped does not hold space. */
    mdb_insert_after(ut, &slots[9], frame_at(base + 0x10000), MDB_REVOCABLE);
    CU_ASSERT_EQUAL(untyped_used(ut), 0u);
}

SUITE("untyped", TEST(test_aligned_to_object_size), TEST(test_watermark_advances),
      TEST(test_exhaustion), TEST(test_object_bigger_than_untyped), TEST(test_counts),
      TEST(test_edges), TEST(test_reset_after_revoke));
