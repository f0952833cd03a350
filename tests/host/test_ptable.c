/* Translation-table construction, checked by walking the tables it builds. */
#include <stdlib.h>
#include <string.h>

#include <arch/ptable.h>

#include "harness.h"

#define POOL 16
static pte_t root[PT_ENTRIES] __attribute__((aligned(4096)));
static pte_t tables[POOL][PT_ENTRIES] __attribute__((aligned(4096)));
static struct pt_pool pool;

static void reset(unsigned count)
{
    memset(root, 0, sizeof(root));
    pool = (struct pt_pool){ tables, count, 0 };
}

static paddr_t translate_or_zero(word_t va, pte_t *leaf)
{
    paddr_t pa = 0;
    pte_t dummy;
    if (!pt_translate(root, va, &pa, leaf ? leaf : &dummy))
        return 0;
    return pa;
}

static void test_index_arithmetic(void)
{
    CU_ASSERT_EQUAL(pt_level_shift(1), 30u);
    CU_ASSERT_EQUAL(pt_level_shift(2), 21u);
    CU_ASSERT_EQUAL(pt_level_shift(3), 12u);
    CU_ASSERT_EQUAL(pt_index(0x40200000UL, 1), 1u);
    CU_ASSERT_EQUAL(pt_index(0x40200000UL, 2), 1u);
    CU_ASSERT_EQUAL(pt_index(0x40203000UL, 3), 3u);
}

static void test_gigabyte_block_uses_no_tables(void)
{
    reset(POOL);
    CU_ASSERT_TRUE(pt_map(root, &pool, 0x40000000UL, 0x40000000UL, GIB(1), PTE_XN));
    CU_ASSERT_EQUAL(pool.used, 0u);
    pte_t leaf;
    CU_ASSERT_EQUAL(translate_or_zero(0x40123456UL, &leaf), 0x40123456UL);
    CU_ASSERT_TRUE((leaf & PTE_XN) != 0);
    CU_ASSERT_TRUE((leaf & PTE_AF) != 0);
    CU_ASSERT_EQUAL(translate_or_zero(0x80000000UL, NULL), 0);
}

static void test_mixed_sizes_pick_largest_blocks(void)
{
    reset(POOL);
    /* 4 KiB + 2 MiB + 4 KiB, starting one page below a 2 MiB boundary. */
    word_t va = 0x401ff000UL;
    CU_ASSERT_TRUE(pt_map(root, &pool, va, 0x801ff000UL, MIB(2) + 0x2000, 0));
    CU_ASSERT_EQUAL(pool.used, 3u); /* one level-2 table, two level-3 tables */
    CU_ASSERT_EQUAL(translate_or_zero(va, NULL), 0x801ff000UL);
    CU_ASSERT_EQUAL(translate_or_zero(0x40200000UL + 0x1234, NULL), 0x80200000UL + 0x1234);
    CU_ASSERT_EQUAL(translate_or_zero(0x40400fffUL, NULL), 0x80400fffUL);
    CU_ASSERT_EQUAL(translate_or_zero(0x40401000UL, NULL), 0);
    CU_ASSERT_EQUAL(translate_or_zero(0x401fe000UL, NULL), 0);
}

static void test_refusals(void)
{
    reset(POOL);
    CU_ASSERT_FALSE(pt_map(root, &pool, 0x1001, 0x1000, 0x1000, 0));
    CU_ASSERT_FALSE(pt_map(root, &pool, 0x1000, 0x1000, 0x800, 0));
    CU_ASSERT_FALSE(pt_map(root, &pool, BIT(39) - 0x1000, 0, 0x2000, 0)); /* past the input range */
    CU_ASSERT_FALSE(pt_map(root, &pool, 0, BIT(48), 0x1000, 0)); /* past the output range */
    reset(1);
    CU_ASSERT_FALSE(pt_map(root, &pool, 0x1000, 0x1000, 0x1000, 0)); /* needs two tables */
}

static void test_overwrite_keeps_other_entries(void)
{
    reset(POOL);
    CU_ASSERT_TRUE(pt_map(root, &pool, 0x40000000UL, 0x40000000UL, MIB(4), 0));
    CU_ASSERT_TRUE(pt_map(root, &pool, 0x40000000UL, 0x90000000UL, 0x1000, PTE_AP_RO));
    pte_t leaf;
    CU_ASSERT_EQUAL(translate_or_zero(0x40000000UL, &leaf), 0x90000000UL);
    CU_ASSERT_TRUE((leaf & PTE_AP_RO) != 0);
    CU_ASSERT_EQUAL(translate_or_zero(0x40300000UL, NULL), 0x40300000UL);
    /* The split 2 MiB block keeps the rest of its pages, with their attributes. */
    CU_ASSERT_EQUAL(translate_or_zero(0x40001000UL, &leaf), 0x40001000UL);
    CU_ASSERT_FALSE((leaf & PTE_AP_RO) != 0);
    CU_ASSERT_EQUAL(translate_or_zero(0x401ff000UL, NULL), 0x401ff000UL);
}

SUITE("ptable", TEST(test_index_arithmetic), TEST(test_gigabyte_block_uses_no_tables),
      TEST(test_mixed_sizes_pick_largest_blocks), TEST(test_refusals),
      TEST(test_overwrite_keeps_other_entries));
