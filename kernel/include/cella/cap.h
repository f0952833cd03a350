/*
 * Capabilities: two words each.
 *
 *   w0: type [63:59] | rights [58:55] | type bits [54:48] | object address [47:0]
 *   w1: depends on the type (badge, guard, untyped watermark, mapping, ...)
 *
 * Kernel pointers are physical addresses (the kernel identity-maps RAM), so
 * an object's address fits in 48 bits.
 */
#pragma once

#include <abi/objects.h>
#include <abi/rights.h>
#include <cella/util.h>

/* Capability types: the object types of abi/objects.h, plus these. */
enum cap_type {
    CAP_UNTYPED = OBJ_UNTYPED,
    CAP_TCB = OBJ_TCB,
    CAP_ENDPOINT = OBJ_ENDPOINT,
    CAP_NOTIFICATION = OBJ_NOTIFICATION,
    CAP_CNODE = OBJ_CNODE,
    CAP_REPLY = OBJ_REPLY,
    CAP_FRAME_4K = OBJ_FRAME_4K,
    CAP_FRAME_2M = OBJ_FRAME_2M,
    CAP_PAGE_TABLE = OBJ_PAGE_TABLE,
    CAP_VSPACE = OBJ_VSPACE,
    CAP_VCPU = OBJ_VCPU,
    /* CAP_NULL, CAP_IRQ_CONTROL and CAP_IRQ_HANDLER come from abi/objects.h. */
    CAP_ZOMBIE = 18, /* a container being destroyed; never visible to user level */
};

typedef struct cap {
    word_t w0;
    word_t w1;
} cap_t;

#define CAP_ADDR_BITS 48

static inline cap_t cap_make(unsigned type, unsigned rights, unsigned bits, word_t addr, word_t w1)
{
    cap_t c = { ((word_t)type << 59) | ((word_t)(rights & 0xf) << 55) |
                    ((word_t)(bits & 0x7f) << 48) | (addr & MASK(CAP_ADDR_BITS)),
                w1 };
    return c;
}

static inline cap_t cap_null(void)
{
    return (cap_t){ 0, 0 };
}

static inline unsigned cap_type(cap_t c)
{
    return (unsigned)(c.w0 >> 59);
}

static inline unsigned cap_rights(cap_t c)
{
    return (unsigned)(c.w0 >> 55) & 0xf;
}

static inline unsigned cap_bits(cap_t c)
{
    return (unsigned)(c.w0 >> 48) & 0x7f;
}

static inline word_t cap_addr(cap_t c)
{
    return c.w0 & MASK(CAP_ADDR_BITS);
}

static inline void *cap_ptr(cap_t c)
{
    return (void *)(uintptr_t)cap_addr(c);
}

static inline bool cap_is_null(cap_t c)
{
    return cap_type(c) == CAP_NULL;
}

static inline bool cap_has_rights(cap_t c, unsigned rights)
{
    return (cap_rights(c) & rights) == rights;
}

static inline cap_t cap_with_rights(cap_t c, unsigned rights)
{
    c.w0 = (c.w0 & ~(0xfUL << 55)) | ((word_t)(rights & 0xf) << 55);
    return c;
}

static inline bool cap_is_frame(cap_t c)
{
    return cap_type(c) == CAP_FRAME_4K || cap_type(c) == CAP_FRAME_2M;
}

/* Endpoint and notification caps: w1 is the badge. */
static inline word_t cap_badge(cap_t c)
{
    return c.w1;
}

/* Untyped: bits = size_bits, w1 = watermark (bytes used) | device << 63. */
#define UNTYPED_DEVICE BIT(63)

static inline unsigned untyped_size_bits(cap_t c)
{
    return cap_bits(c);
}

static inline word_t untyped_watermark(cap_t c)
{
    return c.w1 & ~UNTYPED_DEVICE;
}

static inline bool untyped_is_device(cap_t c)
{
    return (c.w1 & UNTYPED_DEVICE) != 0;
}

/*
 * CNode: bits = radix | CNODE_SINGLE_LEVEL, w1 = guard << 6 | guard size
 * (the guard data of Mint, Mutate and TCB_Configure). CNODE_SINGLE_LEVEL
 * says guard and radix take all 64 bits, so an address resolves in one
 * step; the fastpath reads it instead of working it out. cnode_with_guard
 * keeps it true.
 */
#define CNODE_SINGLE_LEVEL_BIT 6
#define CNODE_SINGLE_LEVEL (1u << CNODE_SINGLE_LEVEL_BIT)

static inline unsigned cnode_radix(cap_t c)
{
    return (unsigned)(c.w0 >> 48) & 0x3f;
}

/* Written as a sign test: the compiler makes it one bit test, where a mask and shift take two. */
static inline bool cnode_is_single_level(cap_t c)
{
    return (int64_t)(c.w0 << (63 - 48 - CNODE_SINGLE_LEVEL_BIT)) < 0;
}

static inline unsigned cnode_guard_size(cap_t c)
{
    return (unsigned)(c.w1 & 63);
}

static inline word_t cnode_guard(cap_t c)
{
    return c.w1 >> 6;
}

/* A CNode capability with new guard data (size in bits 0-5, guard above). */
static inline cap_t cnode_with_guard(cap_t c, word_t data)
{
    unsigned radix = cnode_radix(c);
    unsigned single = radix + (data & 63) == WORD_BITS ? CNODE_SINGLE_LEVEL : 0;
    return cap_make(CAP_CNODE, cap_rights(c), radix | single, cap_addr(c), data);
}

/*
 * Frames and page tables: w1 = asid << 48 | mapped address | level (page tables).
 * asid 0 means not mapped. Frames: bits bit 0 = device memory.
 */
#define MAPPING_ASID_SHIFT 48
#define FRAME_BITS_DEVICE 1u

static inline unsigned mapping_asid(cap_t c)
{
    return (unsigned)(c.w1 >> MAPPING_ASID_SHIFT);
}

static inline word_t mapping_vaddr(cap_t c)
{
    return c.w1 & MASK(MAPPING_ASID_SHIFT) & ~MASK(12);
}

static inline unsigned mapping_level(cap_t c)
{
    return (unsigned)(c.w1 & 3);
}

static inline word_t mapping_make(unsigned asid, word_t vaddr, unsigned level)
{
    return ((word_t)asid << MAPPING_ASID_SHIFT) | vaddr | level;
}

/* VSpace: w1 = asid. IRQ handler: w1 = irq number. */
static inline unsigned vspace_asid(cap_t c)
{
    return (unsigned)c.w1;
}

/*
 * Zombie: bits = ZOMBIE_TCB, or the radix of the CNode being destroyed;
 * w1 = slots left << 32 | the zombie below it on the delete stack (slot address >> 5, so
 * slots of CNodes and TCBs must lie below 128 GiB).
 */
#define ZOMBIE_TCB 0x40u

static inline bool zombie_is_tcb(cap_t c)
{
    return (cap_bits(c) & ZOMBIE_TCB) != 0;
}

static inline unsigned zombie_radix(cap_t c)
{
    return cap_bits(c) & 0x3f;
}

static inline word_t zombie_slots_left(cap_t c)
{
    return c.w1 >> 32;
}
