/* Address arithmetic used all over the kernel. */
#include <cella/util.h>

#include "harness.h"

static void test_alignment(void)
{
    CU_ASSERT_TRUE(is_aligned(0x40200000, 21));
    CU_ASSERT_FALSE(is_aligned(0x40201000, 21));
    CU_ASSERT_TRUE(is_aligned(0, 63));
    CU_ASSERT_EQUAL(align_up(0x1001, 12), 0x2000);
    CU_ASSERT_EQUAL(align_up(0x1000, 12), 0x1000);
    CU_ASSERT_EQUAL(align_down(0x1fff, 12), 0x1000);
    CU_ASSERT_EQUAL(align_up(0, 12), 0);
}

static void test_bits(void)
{
    CU_ASSERT_EQUAL(BIT(0), 1UL);
    CU_ASSERT_EQUAL(BIT(63), 0x8000000000000000UL);
    CU_ASSERT_EQUAL(MASK(12), 0xfffUL);
    CU_ASSERT_EQUAL(MIB(2), 0x200000UL);
    CU_ASSERT_EQUAL(GIB(1), 0x40000000UL);
}

static void test_ranges(void)
{
    CU_ASSERT_TRUE(ranges_overlap(0x1000, 0x1000, 0x1fff, 1));
    CU_ASSERT_FALSE(ranges_overlap(0x1000, 0x1000, 0x2000, 0x1000));
    CU_ASSERT_FALSE(ranges_overlap(0x1000, 0, 0x1000, 0x1000));
    CU_ASSERT_TRUE(range_contains(0x1000, 0x2000, 0x1000, 0x2000));
    CU_ASSERT_FALSE(range_contains(0x1000, 0x2000, 0x1000, 0x2001));
    CU_ASSERT_FALSE(range_contains(0x1000, 0x2000, 0xfff, 1));
    CU_ASSERT_FALSE(range_is_valid(~0UL, 2));
    CU_ASSERT_TRUE(range_is_valid(0x1000, 0));
    /* The end must be representable, so the very last byte cannot be named. */
    CU_ASSERT_FALSE(range_is_valid(~0UL, 1));
    CU_ASSERT_TRUE(range_is_valid(~0UL - 1, 1));
    /* A range that wraps is never contained, however the sums fall out. */
    CU_ASSERT_FALSE(range_contains(0, ~0UL, 0x10, ~0UL));
}

SUITE("util", TEST(test_alignment), TEST(test_bits), TEST(test_ranges));
