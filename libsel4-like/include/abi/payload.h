/*
 * The image payload (written by tools/cellatools/payload.py): a header,
 * `count` entries, then each file at a 4 KiB-aligned offset from the start.
 * Entry 0 is the initializer. Checksums are CRC-32 (IEEE, as zlib.crc32).
 */
#pragma once

#include <stdint.h>

#define PAYLOAD_MAGIC "CELLAPAY"
#define PAYLOAD_VERSION 1
#define PAYLOAD_NAME_MAX 40

struct payload_header {
    char magic[8];
    uint32_t version;
    uint32_t count;
    uint64_t total_size;
    uint32_t entries_crc32;
    uint32_t reserved[9];
};

struct payload_entry {
    char name[PAYLOAD_NAME_MAX]; /* NUL-padded */
    uint64_t offset;
    uint64_t size;
    uint32_t crc32;
    uint32_t reserved;
};

_Static_assert(sizeof(struct payload_header) == 64, "payload header layout");
_Static_assert(sizeof(struct payload_entry) == 64, "payload entry layout");
