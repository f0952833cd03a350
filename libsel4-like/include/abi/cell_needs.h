/*
 * What a cell program needs from the manifest that runs it: the channel
 * ends, IRQs and maps it uses, by name and kind. A program declares each
 * with the macros of runtime/cell.h (CELL_CALLS, CELL_MAP, ...), which put
 * one record per need in the ELF sections below. Two readers use them:
 *
 *   - `cella-manifest check` and `build` read the records from the ELF and
 *     refuse a manifest that does not give the cell what its program
 *     declares (tools/cellatools/manifest/needs.py);
 *   - the runtime, before main, binds each record to the cell-info page
 *     entry of that name, and stops the cell, naming the end or map, if a
 *     required one is missing (runtime/cell.c).
 *
 * A record's first part is written by the compiler and read by both; the
 * rest is filled in by the runtime at start. The tool mirrors these numbers
 * (tools/cellatools/layout.py, kept in step by a test).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/cell_info.h>

#define CELL_NEEDS_ENDS_SECTION ".cella.ends"
#define CELL_NEEDS_MAPS_SECTION ".cella.maps"

/* flags of either record */
#define CELL_NEED_OPTIONAL 1u /* the program copes without it: the handle stays unbound */

/* A map's backing, as the program needs it (the numbers of the boot spec's map kinds). */
#define CELL_MAP_ANY 0u
#define CELL_MAP_PRIVATE 1u /* zero-filled memory no other cell or persona maps */
#define CELL_MAP_SHARED 2u  /* a [[region]] */
#define CELL_MAP_DEVICE 3u  /* device registers (a paddr) */

#define CELL_NEED_RIGHTS_MAX 4 /* "rw" and the like, NUL-terminated */

/*
 * One channel end or IRQ: kind is an enum cell_end_kind of cell_info.h.
 * `handle` is the program's name for it; the runtime points every handle
 * declared with one name (a header may declare it in several files) at the
 * same record, so handles compare equal to the ends the runtime hands over.
 */
struct cell_end {
    char name[CELL_NAME_MAX];         /* declared: the manifest's channel or IRQ name */
    uint32_t kind;                    /* declared */
    uint32_t flags;                   /* declared: CELL_NEED_* */
    const struct cell_end **handle;   /* declared: the program's handle */
    const struct cell_info_end *info; /* bound: the info page's entry; NULL when absent */
};

/* One map: at least min_size bytes with at least these rights and this backing. */
struct cell_map {
    char name[CELL_NAME_MAX];          /* declared: the map's name in the manifest */
    uint32_t backing;                  /* declared: CELL_MAP_* */
    uint32_t flags;                    /* declared: CELL_NEED_* */
    char rights[CELL_NEED_RIGHTS_MAX]; /* declared: letters of r, w, x */
    uint32_t reserved;
    uint64_t min_size; /* declared: bytes */
    void *base;        /* bound: where it is mapped; NULL when absent */
    uint64_t size;     /* bound: its size */
};

#define CELL_NEED_END_SIZE 56
#define CELL_NEED_END_KIND 32
#define CELL_NEED_END_FLAGS 36
#define CELL_NEED_MAP_SIZE 72
#define CELL_NEED_MAP_BACKING 32
#define CELL_NEED_MAP_FLAGS 36
#define CELL_NEED_MAP_RIGHTS 40
#define CELL_NEED_MAP_MIN_SIZE 48

_Static_assert(sizeof(struct cell_end) == CELL_NEED_END_SIZE, "end record size");
_Static_assert(offsetof(struct cell_end, kind) == CELL_NEED_END_KIND, "end record kind");
_Static_assert(offsetof(struct cell_end, flags) == CELL_NEED_END_FLAGS, "end record flags");
_Static_assert(sizeof(struct cell_map) == CELL_NEED_MAP_SIZE, "map record size");
_Static_assert(offsetof(struct cell_map, backing) == CELL_NEED_MAP_BACKING, "map record backing");
_Static_assert(offsetof(struct cell_map, flags) == CELL_NEED_MAP_FLAGS, "map record flags");
_Static_assert(offsetof(struct cell_map, rights) == CELL_NEED_MAP_RIGHTS, "map record rights");
_Static_assert(offsetof(struct cell_map, min_size) == CELL_NEED_MAP_MIN_SIZE, "map record size");
