/* CRC-32 (IEEE 802.3, as zlib.crc32), table-driven; the table is built on first use. */
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
