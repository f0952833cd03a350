/*
 * CRC-32 (IEEE 802.3, as zlib.crc32): table-driven, the table built on first
 * use; and with the ARMv8 CRC32 instructions, which compute the same
 * polynomial eight bytes at a time, for CPUs that have them.
 */
#include <sel4like/crc32.h>

static uint32_t table[256];

static void build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

uint32_t crc32(const void *data, size_t size)
{
    if (!table[1])
        build_table();
    const uint8_t *p = data;
    uint32_t c = 0xffffffffu;
    while (size--)
        c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

#if defined(__aarch64__)
/* The CRC32 instructions are optional in ARMv8.0: only for CPUs whose ID_AA64ISAR0_EL1 says so. */
uint32_t crc32_arm(const void *data, size_t size)
{
    const uint8_t *p = data;
    uint32_t c = 0xffffffffu;
    for (; size && ((uintptr_t)p & 7); size--)
        __asm__(".arch_extension crc\n crc32b %w0, %w0, %w1" : "+r"(c) : "r"((uint32_t)*p++));
    for (; size >= 8; size -= 8, p += 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, 8);
        __asm__(".arch_extension crc\n crc32x %w0, %w0, %x1" : "+r"(c) : "r"(word));
    }
    for (; size; size--)
        __asm__(".arch_extension crc\n crc32b %w0, %w0, %w1" : "+r"(c) : "r"((uint32_t)*p++));
    return c ^ 0xffffffffu;
}
#endif
