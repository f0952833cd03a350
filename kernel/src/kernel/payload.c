/*
 * The payload the build appended to the kernel image, on the first page
 * after the kernel: files for user level, the initializer first. Nothing in
 * it is trusted until its checksums match.
 */
#include <abi/payload.h>
#include <cella/boot.h>
#include <cella/boot_memory.h>
#include <cella/payload.h>
#include <cella/string.h>
#include <sel4like/crc32.h>

static const struct payload_entry *entries(const struct payload_header *h)
{
    return (const struct payload_entry *)(h + 1);
}

const char *payload_find(struct payload *out)
{
    const struct payload_header *h =
        (const void *)(uintptr_t)align_up((word_t)(uintptr_t)__kernel_end, 12);
    if (memcmp(h->magic, PAYLOAD_MAGIC, 8) != 0)
        return "no payload after the kernel";
    if (!ram_contains((paddr_t)(uintptr_t)h, h->total_size))
        return "payload runs past the end of RAM";
    if (h->version != PAYLOAD_VERSION || h->count == 0 || h->count > 4096 ||
        h->total_size < sizeof(*h) + h->count * sizeof(struct payload_entry))
        return "payload header is not valid";
    if (crc32(entries(h), h->count * sizeof(struct payload_entry)) != h->entries_crc32)
        return "payload entry table is damaged";
    const struct payload_entry *init = &entries(h)[0];
    if (memcmp(init->name, "initializer", 12) != 0)
        return "the first payload file is not the initializer";
    if (!range_contains(0, h->total_size, init->offset, init->size))
        return "the initializer lies outside the payload";
    const char *image = (const char *)h + init->offset;
    if (crc32(image, init->size) != init->crc32)
        return "the initializer is damaged";
    out->base = (paddr_t)(uintptr_t)h;
    out->size = h->total_size;
    out->initializer = image;
    out->initializer_size = init->size;
    return NULL;
}
