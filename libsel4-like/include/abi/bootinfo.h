/*
 * What the kernel hands the initializer: capabilities in its root CNode at
 * the slots below, and a boot-info page whose address arrives in x0.
 */
#pragma once

#include <stdint.h>

/* The initializer's root CNode: radix 12, guard 52 zero bits, so a slot number is a cptr. */
#define INIT_CNODE_RADIX 12
#define INIT_CNODE_GUARD_BITS (64 - INIT_CNODE_RADIX)

#define INIT_CAP_NULL 0
#define INIT_CAP_TCB 1
#define INIT_CAP_CNODE 2
#define INIT_CAP_VSPACE 3
#define INIT_CAP_IRQ_CONTROL 4
#define INIT_CAP_IPC_BUFFER 5
#define INIT_CAP_BOOT_INFO 6
#define INIT_CAP_FIRST_FREE 7 /* the untyped caps start here */

#define BOOT_INFO_MAGIC 0x3149424c4c4543ULL /* "CELLBI1" */
#define BOOT_INFO_MAX_UNTYPED 200

/* cpu_features: optional instructions the CPU has, from its ID registers (EL0 cannot read them). */
#define BOOT_INFO_CPU_CRC32 1 /* CRC32B..CRC32X (ID_AA64ISAR0_EL1.CRC32): crc32_arm may run */

struct slot_range {
    uint64_t start; /* first slot */
    uint64_t end;   /* one past the last slot */
};

struct untyped_desc {
    uint64_t paddr;
    uint8_t size_bits;
    uint8_t is_device;
    uint8_t reserved[6];
};

struct boot_info {
    uint64_t magic;
    uint64_t kernel_version; /* major << 16 | minor << 8 | patch */
    struct slot_range untyped;
    struct slot_range empty;
    uint64_t ipc_buffer; /* the initializer's IPC buffer, mapped */
    uint64_t payload;    /* the image's payload, mapped read-only */
    uint64_t payload_size;
    uint64_t stack_base; /* the initializer's stack: [stack_base, stack_top) */
    uint64_t stack_top;
    uint64_t timer_frequency; /* Hz of the counter (CNTVCT_EL0 is readable at EL0) */
    uint64_t untyped_count;
    struct untyped_desc untyped_list[BOOT_INFO_MAX_UNTYPED];
    uint64_t cpu_features; /* BOOT_INFO_CPU_* bits; last, so earlier offsets stay as they were */
};

_Static_assert(sizeof(struct boot_info) <= 4096, "boot info fits one page");

/* Where the kernel maps things in the initializer's VSpace (see also abi/cell_layout.h). */
#define INIT_PAYLOAD_VADDR 0x4000000000UL
#define INIT_STACK_PAGES 64
