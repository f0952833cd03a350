/* The boot info's cpu_features, and crc32_arm where they offer it. */
#include <sel4like/crc32.h>

#include "ktest.h"

/* The board's Cortex-A53 has the CRC32 instructions; no other bit is defined. */
KTEST(cpu_features_report_crc32)
{
    CHECK_EQ(env->bi->cpu_features, BOOT_INFO_CPU_CRC32);
}

/* Every path of crc32_arm: the unaligned head, 32-byte rounds, 8-byte words and the tail. */
KTEST(crc32_arm_matches_table)
{
    if (!(env->bi->cpu_features & BOOT_INFO_CPU_CRC32))
        return;
    static uint8_t bytes[300];
    for (unsigned i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)(i * 151 + 7);
    CHECK_EQ(crc32_arm("123456789", 9), 0xcbf43926u);
    for (unsigned start = 0; start < 8; start++)
        for (size_t size = 0; start + size <= sizeof(bytes); size++)
            CHECK_EQ(crc32_arm(bytes + start, size), crc32(bytes + start, size));
}
