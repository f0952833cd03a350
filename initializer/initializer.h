/*
 * The initializer: builds the system the boot spec describes, then
 * supervises it (faults, exits, restarts).
 *
 * Its CSpace is two levels: the root CNode (4096 slots, guard 40) and
 * sub-CNodes in root slots, so a cptr is (root slot << 12 | sub slot).
 * Each cell's memory comes from an arena Untyped of its own, so restarting
 * a cell is a revoke of its arena and a rebuild; the objects its peers hold
 * capabilities to (endpoints, notifications, shared frames) live outside it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <abi/bootspec.h>
#include <abi/cell_info.h>
#include <runtime.h>

/* A slot: in the root CNode (cnode 0) or in the sub-CNode held at root slot `cnode`. */
struct slot {
    uint32_t cnode;
    uint32_t index;
};

#define SUB_RADIX 12
#define MAX_CELLS 64
#define MAX_REGIONS 64
#define MAX_CNODE_RADIX 16 /* a cell's or a VMM's CNode */
#define ROOT_GUARD_BITS (64 - 2 * SUB_RADIX)

cptr_t slot_cptr(struct slot s);
/* Every CNode invocation goes through the root CNode capability with the two-level guard. */
cptr_t root_cnode(void);
uint64_t slot_index(struct slot s);
unsigned slot_depth(struct slot s);
struct slot root_slot(uint32_t index);
struct slot sub_slot(uint32_t cnode, uint32_t index);

/* memory.c: untyped memory, slots and the scratch window. */
void memory_init(const struct boot_info *bi);
struct slot alloc_root_slot(void);
/* alloc_root_slot in the shape map_frame wants for its page tables. */
struct slot next_root_slot(void *ctx);
/* Makes an object from the general pool into dest; false when memory runs out. */
bool pool_retype(unsigned type, unsigned size_bits, struct slot dest);
/* Makes an object from an arena Untyped into dest, tracking the arena's watermark. */
struct arena {
    struct slot untyped;
    uint64_t size;
    uint64_t used;
};
bool arena_retype(struct arena *a, unsigned type, unsigned size_bits, struct slot dest);
/* The same into a slot of a CNode deeper than the initializer can name a slot in. */
bool arena_retype_into(struct arena *a, unsigned type, cptr_t cnode, uint64_t offset);
/* Maps a copy of frame at the scratch address in the initializer's own VSpace, and back out. */
void *scratch_map(struct slot frame);
void *scratch_map_sized(struct slot frame, bool large);
void scratch_unmap(void);
/* Maps a frame into a VSpace, making page tables from a (pool or arena) source. */
int map_frame(cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights, unsigned attrs,
              struct arena *tables_from, struct slot (*next_slot)(void *ctx), void *ctx);
/* A device frame at paddr (kept by the initializer; callers map copies of it). */
bool device_frame(uint64_t paddr, struct slot *frame);

/* payload.c */
const void *payload_file(const struct boot_info *bi, const char *name, uint64_t *size);

/* spec.c: a checked view of the boot spec. */
struct spec {
    const uint8_t *base;
    uint32_t size;
    const char *system_name;
    const char *strings;
    uint32_t strings_size;
    const struct bootspec_cell *cells;
    uint32_t cell_count, cell_stride;
    const struct bootspec_region *regions;
    uint32_t region_count, region_stride;
    const struct bootspec_channel *channels;
    uint32_t channel_count, channel_stride;
    const struct bootspec_map *maps;
    uint32_t map_count, map_stride;
    const struct bootspec_end *ends;
    uint32_t end_count, end_stride;
    const struct bootspec_persona *personas;
    uint32_t persona_count, persona_stride;
    const struct bootspec_screen *screens; /* none from a writer older than 1.4 */
    uint32_t screen_count, screen_stride;
};
/* Fills spec from the bytes, or returns what is wrong with them. */
const char *spec_load(struct spec *spec, const void *data, uint64_t size);
const char *spec_string(const struct spec *spec, uint32_t offset);
const struct bootspec_cell *spec_cell(const struct spec *spec, uint32_t i);
const struct bootspec_region *spec_region(const struct spec *spec, uint32_t i);
const struct bootspec_map *spec_map(const struct spec *spec, uint32_t i);
const struct bootspec_end *spec_end(const struct spec *spec, uint32_t i);
const struct bootspec_persona *spec_persona(const struct spec *spec, uint32_t i);
const struct bootspec_screen *spec_screen(const struct spec *spec, uint32_t i);
#define SPEC_NONE 0xffffffffu
/* The region that is the persona's disk, or SPEC_NONE (always for a writer older than 1.2). */
uint32_t spec_persona_disk(const struct spec *spec, const struct bootspec_persona *p);
/* Its restart limit: 0 from a writer older than 1.3 (before 1.2 the record ends before it). */
uint16_t spec_persona_restart_limit(const struct spec *spec, const struct bootspec_persona *p);

/*
 * What a persona keeps from one boot of its guest to the next (personas.c):
 * made once from the general pool, whose memory cannot be given back, so a
 * restart reuses it. Everything else of a boot (the VMM cell, the guest's
 * threads and VCPUs) comes from arenas that a restart revokes.
 */
enum { GUEST_KERNEL, GUEST_DTB, GUEST_INITRAMFS, GUEST_FILES };
struct guest_file {
    const char *data;      /* in the payload; NULL for none */
    uint64_t offset, size; /* where in its RAM */
};
struct guest {
    struct guest_file files[GUEST_FILES];
    struct slot store;  /* sub-CNode: the guest's VSpace, RAM frames and tables, and its arena */
    struct arena arena; /* the guest's TCBs, VCPUs, CNode and exit endpoint, remade at each boot */
    uint32_t ram_first; /* store slot of the first 2 MiB frame of its RAM; the others follow */
    uint32_t next;      /* the store's next free slot */
};

/* cells.c */
/*
 * A cell to build: from a cell record of the spec, or a persona's VMM, which
 * the initializer describes the same way (program "vmm.elf", the persona's
 * ends, the persona's restart policy) and then gives its guest.
 */
struct cell {
    struct bootspec_cell desc;
    const char *name;
    const char *program;
    const struct bootspec_persona *persona; /* a VMM's persona, or NULL */
    struct persona_info persona_info;
    struct guest guest; /* a VMM's guest */
    uint64_t
        extra_arena; /* bytes its arena holds besides its own pages (a VMM's view of its guest) */
    uint32_t index;
    struct arena arena;
    struct slot books;   /* the sub-CNode holding this cell's objects' capabilities */
    uint32_t books_used; /* after cell_build: its first free slot */
    struct slot tcb, vspace, cnode;
    uint32_t restarts, faults;
    bool stopped;
};
/* Objects that outlive any one cell: made once, before the cells. */
void shared_objects_create(const struct spec *spec, const struct cell *cells, uint32_t count);
/* The frame capability for page `index` of a shared region (after shared_objects_create). */
struct slot region_frame(uint32_t region, uint64_t index);
bool cell_build(const struct spec *spec, struct cell *c, const struct boot_info *bi);
void cell_start(struct cell *c);
void cell_destroy(struct cell *c);
/* The initializer's endpoint every cell's faults and exits arrive at, and its reply object. */
cptr_t supervisor_endpoint(void);
cptr_t supervisor_reply(void);

/* personas.c */
void persona_describe(const struct spec *spec, uint32_t i, struct cell *c,
                      const struct boot_info *bi);
bool persona_build(const struct spec *spec, struct cell *vmm, const struct boot_info *bi);
/* Suspends the guest's CPUs and its VMM, for good. */
void persona_stop(struct cell *vmm);
/* Suspends the guest, destroys its VMM and the guest's threads, and boots it again on the same RAM.
 */
bool persona_restart(const struct spec *spec, struct cell *vmm, const struct boot_info *bi);

/* supervisor.c */
_Noreturn void supervise(const struct spec *spec, struct cell *cells, uint32_t count,
                         const struct boot_info *bi);

#define say(...) printf("initializer: " __VA_ARGS__)
