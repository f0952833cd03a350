/*
 * The boot spec: the system a manifest describes, compiled by
 * tools/cella-manifest into payload entry "bootspec" for the initializer.
 * docs/bootspec.md describes it byte by byte; this header is its C view.
 *
 * Everything is little-endian. The spec starts with a header and a table of
 * sections; each section is an array of fixed-size records at an 8-byte
 * aligned offset from the start of the spec. Records refer to each other by
 * index (u32, BOOTSPEC_NONE for none) and to names by offset into the string
 * section (u32, 0 for the empty string / none).
 */
#pragma once

#include <stdint.h>

#define BOOTSPEC_MAGIC "CELLSPEC" /* 8 bytes, no NUL */
#define BOOTSPEC_VERSION_MAJOR 1  /* readers refuse any other major version */
#define BOOTSPEC_VERSION_MINOR 4  /* readers accept any minor version */
#define BOOTSPEC_NONE 0xffffffffu /* "no record" in an index field */
#define BOOTSPEC_CRC_START 12     /* the CRC-32 covers bytes [12, total_size) */
#define BOOTSPEC_ALIGN 8          /* every section starts at a multiple of this */

/* The header, at offset 0. */
struct bootspec_header {
    char magic[8];               /* BOOTSPEC_MAGIC */
    uint32_t crc32;              /* CRC-32 (IEEE, as zlib) of bytes [12, total_size) */
    uint32_t total_size;         /* bytes, header included; a multiple of 8 */
    uint16_t version_major;      /* BOOTSPEC_VERSION_MAJOR */
    uint16_t version_minor;      /* BOOTSPEC_VERSION_MINOR of the writer */
    uint16_t section_count;      /* entries in the section table */
    uint16_t section_entry_size; /* sizeof(struct bootspec_section) or more */
    uint32_t system_name;        /* string */
    uint32_t platform_name;      /* string: the board folder the spec was built for */
};

/* The section table follows the header: section_count entries. */
enum bootspec_section_type {
    BOOTSPEC_SECTION_STRINGS = 1,  /* NUL-terminated UTF-8 strings; byte 0 is NUL */
    BOOTSPEC_SECTION_CELLS = 2,    /* struct bootspec_cell, in manifest order */
    BOOTSPEC_SECTION_PERSONAS = 3, /* struct bootspec_persona, in manifest order */
    BOOTSPEC_SECTION_REGIONS = 4,  /* struct bootspec_region, in manifest order */
    BOOTSPEC_SECTION_CHANNELS = 5, /* struct bootspec_channel, in manifest order */
    BOOTSPEC_SECTION_MAPS = 6,     /* struct bootspec_map: each cell's, then each persona's */
    BOOTSPEC_SECTION_ENDS = 7,     /* struct bootspec_end: each cell's, then each persona's */
    BOOTSPEC_SECTION_SCREENS = 8,  /* since 1.4: struct bootspec_screen, in persona order */
};

struct bootspec_section {
    uint32_t type;       /* enum bootspec_section_type; skip types you do not know */
    uint32_t offset;     /* from the start of the spec; a multiple of BOOTSPEC_ALIGN */
    uint32_t count;      /* records (for STRINGS: bytes) */
    uint32_t entry_size; /* bytes per record (STRINGS: 1); >= the struct below */
};

enum bootspec_restart {
    BOOTSPEC_RESTART_NEVER = 0,
    BOOTSPEC_RESTART_ALWAYS = 1,
    BOOTSPEC_RESTART_LIMITED = 2, /* at most restart_limit times */
};

/* A native cell. Its fixed layout (program, info page, IPC buffer, heap,
 * stack) comes from cell_layout.h, the program's ELF and the sizes here;
 * the maps listed for it are the manifest's, all at or above
 * CELL_RESERVED_END. Slots are in the cell's own CNode; 0 means none. */
struct bootspec_cell {
    uint32_t name;          /* string */
    uint32_t program;       /* string: the payload entry holding its ELF */
    uint8_t priority;       /* 0..255 */
    uint8_t restart;        /* enum bootspec_restart */
    uint16_t restart_limit; /* BOOTSPEC_RESTART_LIMITED: the most restarts; else 0 */
    uint8_t cnode_radix;    /* its CNode has 2^cnode_radix slots */
    uint8_t reserved0[3];
    uint64_t stack_size; /* bytes, a multiple of 4 KiB */
    uint64_t heap_size;  /* bytes, a multiple of 4 KiB; may be 0 */
    uint32_t first_map;  /* index in MAPS */
    uint32_t map_count;
    uint32_t first_end; /* index in ENDS */
    uint32_t end_count;
    uint16_t endpoint_slot;     /* its endpoint (receive right), if it serves calls */
    uint16_t reply_slot;        /* its reply object, if it serves calls */
    uint16_t notification_slot; /* its notification (wait right), bound to its TCB */
    uint16_t reserved1;
};

enum bootspec_persona_kind {
    BOOTSPEC_PERSONA_LINUX = 1,
};

#define BOOTSPEC_PERSONA_NOTIFIED 1u /* flags: something signals it; it needs a notification */

/*
 * A guest, run by a VMM cell of its own (program "vmm") that holds the
 * persona's channel ends in its CNode (since version 1.1: cnode_radix and
 * notification_slot; a 1.0 writer left them zero), and serves its disk
 * (since 1.2). Since 1.3 it has a restart policy, in fields older writers
 * left zero (never restarted); restart_limit is read only from a record
 * that has it (entry_size 56).
 */
struct bootspec_persona {
    uint32_t name;       /* string */
    uint32_t kernel;     /* string: the kernel image's payload entry */
    uint32_t initramfs;  /* string, or 0 for none */
    uint32_t bootargs;   /* string, or 0 for none */
    uint8_t kind;        /* enum bootspec_persona_kind */
    uint8_t priority;    /* 0..255 */
    uint8_t vcpus;       /* 1..8 */
    uint8_t flags;       /* BOOTSPEC_PERSONA_* */
    uint8_t cnode_radix; /* its VMM's CNode */
    uint8_t restart;     /* since 1.3: enum bootspec_restart, when its guest resets or crashes */
    uint16_t notification_slot; /* its VMM's notification, if anything signals the persona */
    uint64_t memory_size;       /* guest RAM in bytes, a multiple of 2 MiB */
    uint32_t first_map;         /* index in MAPS; vaddr there is a guest-physical address */
    uint32_t map_count;
    uint32_t first_end; /* index in ENDS; their slots are in its VMM's CNode */
    uint32_t end_count;
    uint32_t disk;          /* since 1.2: 1 + the index in REGIONS of its disk, or 0 for none */
    uint16_t restart_limit; /* since 1.3, BOOTSPEC_RESTART_LIMITED: the most restarts; else 0 */
    uint16_t reserved1;
};

/* A 1.0 or 1.1 writer's persona records end before `disk`. */
#define BOOTSPEC_PERSONA_MIN_SIZE 48u

/* Region flags: paddr is given; otherwise the initializer picks frames. */
#define BOOTSPEC_REGION_FIXED 1u

/* Shared memory: one set of zero-filled frames mapped by every map that names it. */
struct bootspec_region {
    uint32_t name;     /* string */
    uint8_t page_bits; /* 12 (4 KiB frames) or 21 (2 MiB frames) */
    uint8_t flags;     /* BOOTSPEC_REGION_* */
    uint16_t reserved;
    uint64_t size;  /* bytes, a multiple of the page size */
    uint64_t paddr; /* BOOTSPEC_REGION_FIXED: physical address in RAM; else 0 */
};

enum bootspec_channel_kind {
    BOOTSPEC_CHANNEL_CALL = 1,   /* sender = client, receiver = server (always a cell) */
    BOOTSPEC_CHANNEL_NOTIFY = 2, /* sender signals, receiver waits */
};

#define BOOTSPEC_CHANNEL_GRANT 1u       /* the client's cap has RIGHT_GRANT */
#define BOOTSPEC_CHANNEL_GRANT_REPLY 2u /* the client's cap has RIGHT_GRANT_REPLY */

enum bootspec_subject_kind {
    BOOTSPEC_SUBJECT_NONE = 0,
    BOOTSPEC_SUBJECT_CELL = 1,    /* an index in CELLS */
    BOOTSPEC_SUBJECT_PERSONA = 2, /* an index in PERSONAS */
};

/* A channel, as a whole; each of its two ends also appears in ENDS. */
struct bootspec_channel {
    uint32_t name;         /* string */
    uint8_t kind;          /* enum bootspec_channel_kind */
    uint8_t flags;         /* BOOTSPEC_CHANNEL_* */
    uint8_t sender_kind;   /* enum bootspec_subject_kind */
    uint8_t receiver_kind; /* enum bootspec_subject_kind */
    uint32_t sender;       /* index */
    uint32_t receiver;     /* index */
    uint64_t badge;        /* CALL: the badge; NOTIFY: 1 << the receiver's bit */
};

enum bootspec_map_kind {
    BOOTSPEC_MAP_PRIVATE = 1, /* fresh zero-filled 4 KiB frames */
    BOOTSPEC_MAP_SHARED = 2,  /* the frames of region `region` */
    BOOTSPEC_MAP_DEVICE = 3,  /* device frames at paddr (from the device untypeds) */
};

/* One mapping of a cell's VSpace (or a persona's guest-physical space). */
struct bootspec_map {
    uint64_t vaddr;          /* aligned to 2^page_bits */
    uint64_t size;           /* bytes, a multiple of 2^page_bits */
    uint64_t paddr;          /* DEVICE: the physical address; else 0 */
    uint32_t name;           /* string: the map's name in the manifest */
    uint32_t region;         /* SHARED: index in REGIONS; else BOOTSPEC_NONE */
    uint8_t kind;            /* enum bootspec_map_kind */
    uint8_t rights;          /* VM_READ | VM_WRITE | VM_EXECUTE (rights.h) */
    uint8_t attributes;      /* VM_ATTR_DEVICE or VM_ATTR_UNCACHED (rights.h), or 0 */
    uint8_t page_bits;       /* 12 or 21 */
    uint16_t frame_cap_slot; /* nonzero: copies of the frame caps go to the cell's slots
                                frame_cap_slot .. frame_cap_slot + size / 2^page_bits - 1 */
    uint16_t reserved;
};

enum bootspec_end_kind {
    BOOTSPEC_END_CALL_CLIENT = 1,   /* mint the peer's endpoint into slot: rights, badge */
    BOOTSPEC_END_CALL_SERVER = 2,   /* no new cap: calls arrive at the endpoint slot with badge */
    BOOTSPEC_END_NOTIFY_SIGNAL = 3, /* mint the peer's notification into slot: rights, badge */
    BOOTSPEC_END_NOTIFY_WAIT = 4,   /* no new cap: the bits of badge arrive at the notification */
    BOOTSPEC_END_IRQ = 5,           /* IRQ handler for IRQ `peer` into slot; it signals the
                                       owner's notification with badge */
};

#define BOOTSPEC_END_EDGE_TRIGGERED 1u /* flags, IRQ ends: edge (else level) triggered */

/* Something a cell or persona knows by name: a channel end or an IRQ. */
struct bootspec_end {
    uint32_t name;     /* string: the channel's (or IRQ's) name */
    uint32_t channel;  /* index in CHANNELS, or BOOTSPEC_NONE for an IRQ */
    uint8_t kind;      /* enum bootspec_end_kind */
    uint8_t rights;    /* RIGHT_* (rights.h) of the minted cap; 0 if the end mints none */
    uint8_t peer_kind; /* enum bootspec_subject_kind of the other end; NONE for an IRQ */
    uint8_t flags;     /* BOOTSPEC_END_* */
    uint16_t slot;     /* the owner's slot for this end; 0 for a persona's ends */
    uint16_t reserved0;
    uint32_t peer; /* index of the other end's cell or persona; the IRQ number for an IRQ */
    uint32_t reserved1;
    uint64_t badge; /* what the receiving side sees: a call badge, or 1 << bit */
};

enum bootspec_screen_format {
    BOOTSPEC_SCREEN_XRGB8888 = 1, /* 32 bits a pixel, little-endian: blue, green, red, unused */
};

/*
 * A persona's screen (since 1.4; an older spec has no SCREENS section): its
 * framebuffer is region `region`, which MAPS already lists twice, read-write
 * in the persona at guest_address and read-only in display cell `cell` at
 * cell_vaddr. The initializer tells the display cell about it in its info page.
 */
struct bootspec_screen {
    uint32_t persona; /* index in PERSONAS: who draws */
    uint32_t cell;    /* index in CELLS: who shows it */
    uint32_t region;  /* index in REGIONS: the framebuffer */
    uint16_t width;   /* pixels */
    uint16_t height;
    uint32_t stride; /* bytes from one row to the next */
    uint32_t format; /* enum bootspec_screen_format */
    uint64_t guest_address;
    uint64_t cell_vaddr;
};

_Static_assert(sizeof(struct bootspec_header) == 32, "bootspec header layout");
_Static_assert(sizeof(struct bootspec_section) == 16, "bootspec section layout");
_Static_assert(sizeof(struct bootspec_cell) == 56, "bootspec cell layout");
_Static_assert(sizeof(struct bootspec_persona) == 56, "bootspec persona layout");
_Static_assert(sizeof(struct bootspec_region) == 24, "bootspec region layout");
_Static_assert(sizeof(struct bootspec_channel) == 24, "bootspec channel layout");
_Static_assert(sizeof(struct bootspec_map) == 40, "bootspec map layout");
_Static_assert(sizeof(struct bootspec_end) == 32, "bootspec end layout");
_Static_assert(sizeof(struct bootspec_screen) == 40, "bootspec screen layout");
