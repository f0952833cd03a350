/* Files in the image payload, which the kernel mapped read-only for the initializer. */
#include <string.h>

#include <abi/payload.h>
#include <sel4like/crc32.h>

#include "initializer.h"

/*
 * A guest's kernel and initramfs are tens of MiB, and checking them a byte
 * at a time was most of what Cella added to the guest's boot: the CRC32
 * instructions take eight bytes at a time where the kernel says the CPU
 * has them. A wrong result cannot pass unnoticed: the file is refused.
 */
static uint32_t checksum(const struct boot_info *bi, const void *data, size_t size)
{
    return (bi->cpu_features & BOOT_INFO_CPU_CRC32) ? crc32_arm(data, size) : crc32(data, size);
}

const void *payload_file(const struct boot_info *bi, const char *name, uint64_t *size)
{
    const struct payload_header *h = (const void *)(uintptr_t)bi->payload;
    const struct payload_entry *entries = (const void *)(h + 1);
    for (uint32_t i = 0; i < h->count; i++) {
        const struct payload_entry *e = &entries[i];
        if (strncmp(e->name, name, PAYLOAD_NAME_MAX) != 0)
            continue;
        if (e->offset + e->size > bi->payload_size || e->offset + e->size < e->offset)
            return NULL;
        const void *data = (const char *)h + e->offset;
        if (checksum(bi, data, e->size) != e->crc32) {
            say("payload file '%s' is damaged\n", name);
            return NULL;
        }
        *size = e->size;
        return data;
    }
    return NULL;
}
