/*
 * CRC-32 as the payload and boot spec carry it (zlib's): the table-driven
 * crc32 against known values, and, where the host is AArch64 with the CRC32
 * instructions, crc32_arm against crc32 at every length and alignment its
 * head, 32-byte rounds and tail can meet.
 */
#include <stdint.h>
#include <string.h>

#include <sel4like/crc32.h>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#include "harness.h"

static void test_known_values(void)
{
    CU_ASSERT_EQUAL(crc32("", 0), 0u);
    CU_ASSERT_EQUAL(crc32("a", 1), 0xe8b7be43u);
    CU_ASSERT_EQUAL(crc32("123456789", 9), 0xcbf43926u); /* the standard check value */
    uint8_t bytes[1024];
    for (unsigned i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)i;
    /* Python's zlib.crc32(bytes(range(256)) * 4) */
    CU_ASSERT_EQUAL(crc32(bytes, sizeof(bytes)), 0xb70b4c26u);
}

static void test_detects_one_bit(void)
{
    uint8_t bytes[100] = { 0 };
    uint32_t clean = crc32(bytes, sizeof(bytes));
    bytes[57] ^= 0x10;
    CU_ASSERT_NOT_EQUAL(crc32(bytes, sizeof(bytes)), clean);
}

#if defined(__aarch64__) && defined(__linux__)
static void test_arm_matches_table(void)
{
    if (!(getauxval(AT_HWCAP) & HWCAP_CRC32))
        return; /* no CRC32 instructions on this host: the kernel would not offer them either */
    static uint8_t bytes[300];
    for (unsigned i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)(i * 151 + 7);
    for (unsigned start = 0; start < 8; start++)
        for (size_t size = 0; start + size <= sizeof(bytes); size++)
            CU_ASSERT_EQUAL_FATAL(crc32_arm(bytes + start, size), crc32(bytes + start, size));
}
#define ARM_TESTS , TEST(test_arm_matches_table)
#else
#define ARM_TESTS /* crc32_arm is AArch64 code: an x86 host tests the portable one alone */
#endif

SUITE("crc32", TEST(test_known_values), TEST(test_detects_one_bit) ARM_TESTS);
