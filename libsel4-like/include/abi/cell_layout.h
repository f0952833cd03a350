/*
 * Where things live in a native cell's address space (a VSpace translates
 * 39-bit addresses). The manifest tool mirrors these numbers in
 * tools/cellatools/layout.py and refuses regions that collide with them.
 */
#pragma once

#define CELL_NULL_GUARD_END 0x200000UL /* [0, 2 MiB) is never mapped */
#define CELL_PROGRAM_BASE 0x200000UL   /* where cell programs are linked */
#define CELL_INFO_PAGE 0x10000000UL    /* read-only: name, channels, regions */
#define CELL_IPC_BUFFER 0x10001000UL   /* the cell's IPC buffer page */
#define CELL_HEAP_BASE 0x20000000UL    /* heap: [base, base + heap_size) */
#define CELL_STACK_TOP 0x30000000UL    /* stack: [top - stack_size, top) */
#define CELL_RESERVED_END 0x40000000UL /* manifest regions go at or above this */
#define CELL_VSPACE_END (1UL << 39)

/*
 * A display cell sees the framebuffer of each persona it shows (the
 * persona's manifest display key) read-only, screen n at
 * CELL_SCREEN_VADDR + n * CELL_SCREEN_STRIDE; its info page lists them.
 */
#define CELL_SCREEN_VADDR 0x4000000000UL
#define CELL_SCREEN_STRIDE 0x10000000UL
#define CELL_MAX_SCREENS 8

/*
 * A cell's CNode: slot 0 stays empty, slot 1 holds a badged capability to
 * the initializer's endpoint, where the cell's faults (and its exit) go; the
 * manifest tool assigns the slots from 2 up (tools/cellatools/manifest/caps.py).
 */
#define CELL_SUPERVISOR_SLOT 1
#define CELL_FIRST_FREE_SLOT 2
