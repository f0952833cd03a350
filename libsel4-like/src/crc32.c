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
/*
 * The CRC32 instructions are optional in ARMv8.0, and the build targets
 * plain armv8-a: each asm statement enables them for the assembler itself
 * (.arch_extension, which gas and clang's integrated assembler both take),
 * so no compiler target option or attribute is needed, and only CPUs whose
 * ID_AA64ISAR0_EL1 says so may call these (BOOT_INFO_CPU_CRC32).
 */
static inline uint32_t crc32_byte(uint32_t c, uint8_t byte)
{
    __asm__(".arch_extension crc\n\tcrc32b %w0, %w0, %w1" : "+r"(c) : "r"((uint32_t)byte));
    return c;
}

static inline uint32_t crc32_word(uint32_t c, uint64_t word)
{
    __asm__(".arch_extension crc\n\tcrc32x %w0, %w0, %x1" : "+r"(c) : "r"(word));
    return c;
}

/*
 * The 64 bytes at p (8-aligned): four ldp and eight crc32x, written out
 * because GCC at -O2 loads a word per ldr whatever the C says. Guest
 * kernels are tens of MiB, so this is the loop that counts.
 */
static inline uint32_t crc32_64(uint32_t c, const uint8_t *p)
{
    uint64_t a, b;
    __asm__(".arch_extension crc\n\t"
            "ldp %x1, %x2, [%3]\n\t"
            "crc32x %w0, %w0, %x1\n\tcrc32x %w0, %w0, %x2\n\t"
            "ldp %x1, %x2, [%3, #16]\n\t"
            "crc32x %w0, %w0, %x1\n\tcrc32x %w0, %w0, %x2\n\t"
            "ldp %x1, %x2, [%3, #32]\n\t"
            "crc32x %w0, %w0, %x1\n\tcrc32x %w0, %w0, %x2\n\t"
            "ldp %x1, %x2, [%3, #48]\n\t"
            "crc32x %w0, %w0, %x1\n\tcrc32x %w0, %w0, %x2"
            : "+r"(c), "=&r"(a), "=&r"(b)
            : "r"(p), "m"(*(const uint8_t(*)[64])p));
    return c;
}

uint32_t crc32_arm(const void *data, size_t size)
{
    const uint8_t *p = data;
    uint32_t c = 0xffffffffu;
    for (; size && ((uintptr_t)p & 7); size--)
        c = crc32_byte(c, *p++);
    for (; size >= 64; size -= 64, p += 64)
        c = crc32_64(c, p);
    for (; size >= 8; size -= 8, p += 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, sizeof(word));
        c = crc32_word(c, word);
    }
    for (; size; size--)
        c = crc32_byte(c, *p++);
    return c ^ 0xffffffffu;
}
#endif
