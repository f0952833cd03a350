/*
 * The cell-info page: written by the initializer at CELL_INFO_PAGE in every
 * cell (read-only there), it tells the cell who it is and what its
 * capabilities are called. The runtime looks names up in it (runtime/cell.h).
 */
#pragma once

#include <stdint.h>

#include <abi/cell_layout.h>
#include <abi/persona_layout.h>

#define CELL_INFO_MAGIC 0x31464e494c4c4543ULL /* "CELLINF1" */
#define CELL_NAME_MAX 32
#define CELL_INFO_MAX_ENDS 32
#define CELL_INFO_MAX_MAPS 16

enum cell_end_kind {
    CELL_END_CALL_CLIENT = 1,   /* slot: an endpoint to call */
    CELL_END_CALL_SERVER = 2,   /* calls from `peer` arrive at the cell's endpoint with `badge` */
    CELL_END_NOTIFY_SIGNAL = 3, /* slot: a notification to signal */
    CELL_END_NOTIFY_WAIT = 4, /* signals from `peer` set `badge` bits on the cell's notification */
    CELL_END_IRQ = 5,         /* slot: the IRQ handler; the interrupt sets `badge` bits */
};

struct cell_info_end {
    char name[CELL_NAME_MAX]; /* the channel's or IRQ's name */
    char peer[CELL_NAME_MAX]; /* the cell or persona at the other end ("" for an IRQ) */
    uint8_t kind;             /* enum cell_end_kind */
    uint8_t reserved[3];
    uint32_t slot; /* capability slot (0 when the end adds none) */
    uint64_t badge;
};

struct cell_info_map {
    char name[CELL_NAME_MAX];
    uint64_t vaddr;
    uint64_t size;
};

/*
 * A persona's screen that this (display) cell shows: the persona's
 * framebuffer, mapped read-only at vaddr (also listed among the maps, as
 * "<persona>_fb"), `stride` bytes a row, in BOOTSPEC_SCREEN_* `format`.
 */
struct cell_info_screen {
    char persona[CELL_NAME_MAX];
    uint64_t vaddr;
    uint16_t width, height; /* pixels */
    uint16_t stride;        /* bytes */
    uint16_t format;        /* enum bootspec_screen_format */
};

#define CELL_INFO_DEBUG_CONSOLE 1u /* flags: the kernel has the debug console call */

/*
 * A persona's VMM also learns about its guest: where the guest's RAM is
 * (guest-physical, and where the VMM sees it), where the kernel, device tree
 * and initramfs were loaded, and which slots of the VMM's CNode hold the
 * guest's TCB, VCPU and VSpace, and the endpoint and reply object its exits
 * arrive through.
 */
#define PERSONA_INFO_MAGIC 0x314f534e53524550ULL /* "PERSNSO1" */

struct persona_info {
    uint64_t magic;
    uint64_t ram_base, ram_size;
    uint64_t ram_vaddr;
    uint64_t kernel_entry, dtb, initrd, initrd_size;
    uint32_t guest_vspace_slot;
    uint32_t exit_endpoint_slot,
        exit_reply_slot; /* an exit's badge is 1 + its virtual CPU's number */
    uint32_t vcpus;
    uint32_t vcpu_tcb_slot[PERSONA_MAX_VCPUS]; /* virtual CPU n: its thread and its VCPU */
    uint32_t vcpu_slot[PERSONA_MAX_VCPUS];
    uint64_t disk_vaddr, disk_size; /* its disk, where the VMM sees it; 0 if it has none */
};

struct cell_info {
    uint64_t magic;
    uint64_t flags;
    char name[CELL_NAME_MAX];
    uint32_t cell_index;
    uint32_t restarts; /* how many times this cell has been restarted */
    uint64_t heap_base, heap_size;
    uint64_t stack_base, stack_top;
    uint32_t endpoint_slot; /* 0 unless it serves calls */
    uint32_t reply_slot;
    uint32_t notification_slot; /* 0 unless something signals it */
    uint32_t supervisor_slot;   /* CELL_SUPERVISOR_SLOT */
    uint32_t end_count;
    uint32_t map_count;
    struct cell_info_end ends[CELL_INFO_MAX_ENDS];
    struct cell_info_map maps[CELL_INFO_MAX_MAPS];
    struct persona_info persona; /* a VMM's; magic 0 in other cells */
    uint32_t screen_count;       /* a display cell's: the personas' screens it shows */
    uint32_t reserved;
    struct cell_info_screen screens[CELL_MAX_SCREENS];
};

_Static_assert(sizeof(struct cell_info) <= 4096, "the cell-info page is one page");

/* A cell's message to its supervisor (on CELL_SUPERVISOR_SLOT) that it has ended: MR0 status. */
#define CELL_EXIT_LABEL 0x100

/*
 * The exit statuses of a persona's VMM when its guest has stopped: it
 * powered off (PSCI SYSTEM_OFF), asked for a reset (PSCI SYSTEM_RESET), or
 * did something the VMM cannot answer. The supervisor applies the persona's
 * restart policy to a reset or a crash, never to a power-off. Other statuses
 * are the VMM's own failures. None is a status 0-255 of an ordinary exit.
 */
#define VMM_EXIT_GUEST_OFF 0x100
#define VMM_EXIT_GUEST_RESET 0x101
#define VMM_EXIT_GUEST_CRASHED 0x102

/*
 * The exit status of a cell whose manifest does not give it an end or map
 * its program declares it needs (abi/cell_needs.h); the cell printed which.
 * Restarting it cannot help, so the supervisor never does.
 */
#define CELL_EXIT_UNMET_NEEDS 0x103
