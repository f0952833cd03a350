/* Untyped memory, slots, device frames and a scratch window for filling frames. */
#include <stdio.h>

#include "initializer.h"

#define SCRATCH_VADDR 0x7000000000UL       /* 4 KiB frames, through a level-3 table */
#define SCRATCH_VADDR_LARGE 0x7000200000UL /* 2 MiB frames: a block of its own */
#define MAX_POOL 128
#define MAX_DEVICE_FRAMES 1024

struct pool_untyped {
    cptr_t cptr;
    uint64_t base;
    unsigned size_bits;
    bool device;
    uint64_t used;
};

static struct pool_untyped pool[MAX_POOL];
static unsigned pool_count;
static uint32_t root_slots_used;
static struct {
    uint64_t paddr;
    struct slot slot;
} device_frames[MAX_DEVICE_FRAMES];
static unsigned device_frame_count;

void memory_init(const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->untyped_count && pool_count < MAX_POOL; i++) {
        const struct untyped_desc *u = &bi->untyped_list[i];
        pool[pool_count++] =
            (struct pool_untyped){ slot_cptr(root_slot((uint32_t)(bi->untyped.start + i))),
                                   u->paddr, u->size_bits, u->is_device, 0 };
    }
    root_slots_used = (uint32_t)bi->empty.start + 2; /* the first two hold root capabilities */
}

struct slot alloc_root_slot(void)
{
    if (root_slots_used >= (1u << SUB_RADIX)) {
        say("out of slots in the root CNode\n");
        runtime_exit(1);
    }
    return root_slot(root_slots_used++);
}

static uint64_t align_up(uint64_t v, unsigned bits)
{
    return (v + (1UL << bits) - 1) & ~((1UL << bits) - 1);
}

static int retype(cptr_t untyped, unsigned type, unsigned size_bits, struct slot dest)
{
    if (dest.cnode)
        return untyped_retype(untyped, type, size_bits, root_cnode(), dest.cnode, SUB_RADIX,
                              dest.index, 1);
    return untyped_retype(untyped, type, size_bits, root_cnode(), 0, 0, dest.index, 1);
}

/* The kernel places an object at the watermark rounded up to the object's size; so do we. */
static bool place(uint64_t base, unsigned ut_bits, uint64_t *used, unsigned obj_bits)
{
    uint64_t start = align_up(base + *used, obj_bits);
    if (obj_bits > ut_bits || start + (1UL << obj_bits) > base + (1UL << ut_bits))
        return false;
    *used = start + (1UL << obj_bits) - base;
    return true;
}

static unsigned object_bits(unsigned type, unsigned size_bits)
{
    switch (type) {
    case OBJ_UNTYPED:
        return size_bits;
    case OBJ_CNODE:
        return size_bits + CNODE_SLOT_SIZE_BITS;
    case OBJ_TCB:
        return TCB_SIZE_BITS;
    case OBJ_ENDPOINT:
        return ENDPOINT_SIZE_BITS;
    case OBJ_NOTIFICATION:
        return NOTIFICATION_SIZE_BITS;
    case OBJ_REPLY:
        return REPLY_SIZE_BITS;
    case OBJ_FRAME_2M:
        return FRAME_2M_SIZE_BITS;
    default: /* 4 KiB frames, page tables, VSpaces */
        return 12;
    }
}

bool pool_retype(unsigned type, unsigned size_bits, struct slot dest)
{
    unsigned bits = object_bits(type, size_bits);
    for (unsigned i = 0; i < pool_count; i++) {
        struct pool_untyped *u = &pool[i];
        uint64_t used = u->used;
        if (u->device || !place(u->base, u->size_bits, &used, bits))
            continue;
        int err = retype(u->cptr, type, size_bits, dest);
        if (err) {
            say("retype of type %u failed: error %d\n", type, err);
            return false;
        }
        u->used = used;
        return true;
    }
    return false;
}

static bool arena_place(struct arena *a, unsigned type, unsigned size_bits, uint64_t *used)
{
    *used = a->used;
    return place(0, (unsigned)__builtin_ctzl(a->size), used, object_bits(type, size_bits));
}

bool arena_retype(struct arena *a, unsigned type, unsigned size_bits, struct slot dest)
{
    uint64_t used;
    if (!arena_place(a, type, size_bits, &used) ||
        retype(slot_cptr(a->untyped), type, size_bits, dest))
        return false;
    a->used = used;
    return true;
}

bool arena_retype_into(struct arena *a, unsigned type, cptr_t cnode, uint64_t offset)
{
    uint64_t used;
    if (!arena_place(a, type, 0, &used) ||
        untyped_retype(slot_cptr(a->untyped), type, 0, cnode, 0, 0, offset, 1))
        return false;
    a->used = used;
    return true;
}

static bool known_device_frame(uint64_t paddr, struct slot *frame)
{
    for (unsigned i = 0; i < device_frame_count; i++)
        if (device_frames[i].paddr == paddr) {
            *frame = device_frames[i].slot;
            return true;
        }
    return false;
}

/*
 * Skips a device untyped's watermark forward to paddr with Untyped children
 * as large as alignment allows; they join the pool, so the frames they
 * cover can still be made later.
 */
static bool skip_to(struct pool_untyped *u, uint64_t paddr)
{
    while (u->base + u->used < paddr) {
        uint64_t at = u->base + u->used;
        unsigned bits = 12;
        while (bits + 1 < u->size_bits && !(at & ((1UL << (bits + 1)) - 1)) &&
               at + (2UL << bits) <= paddr)
            bits++;
        if (pool_count >= MAX_POOL)
            return false;
        struct slot s = alloc_root_slot();
        if (retype(u->cptr, OBJ_UNTYPED, bits, s))
            return false;
        pool[pool_count++] = (struct pool_untyped){ slot_cptr(s), at, bits, true, 0 };
        u->used += 1UL << bits;
    }
    return true;
}

/* Device frames come from the device untypeds in address order, so the ones passed are kept. */
bool device_frame(uint64_t paddr, struct slot *frame)
{
    if (known_device_frame(paddr, frame))
        return true;
    for (unsigned i = 0; i < pool_count; i++) {
        struct pool_untyped *u = &pool[i];
        if (!u->device || paddr < u->base + u->used || paddr >= u->base + (1UL << u->size_bits))
            continue;
        if (!skip_to(u, paddr & ~4095UL) || device_frame_count >= MAX_DEVICE_FRAMES)
            return false;
        struct slot s = alloc_root_slot();
        if (retype(u->cptr, OBJ_FRAME_4K, 0, s))
            return false;
        device_frames[device_frame_count].paddr = u->base + u->used;
        device_frames[device_frame_count++].slot = s;
        u->used += 4096;
        return known_device_frame(paddr, frame);
    }
    return false;
}

int map_frame(cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights, unsigned attrs,
              struct arena *tables_from, struct slot (*next_slot)(void *ctx), void *ctx)
{
    int err;
    while ((err = frame_map(frame, vspace, vaddr, rights, attrs)) == ERR_FAILED_LOOKUP) {
        struct slot pt = next_slot(ctx);
        bool made = tables_from ? arena_retype(tables_from, OBJ_PAGE_TABLE, 0, pt)
                                : pool_retype(OBJ_PAGE_TABLE, 0, pt);
        if (!made || page_table_map(slot_cptr(pt), vspace, vaddr))
            return ERR_NOT_ENOUGH_MEMORY;
    }
    return err;
}

struct slot next_root_slot(void *ctx)
{
    (void)ctx;
    return alloc_root_slot();
}

/*
 * Frames are filled through a window in the initializer's own VSpace, by way
 * of a copy of their capability: the original may already be mapped in a
 * cell, and a capability maps one place at a time.
 */
static struct slot scratch_slot;

void *scratch_map_sized(struct slot frame, bool large)
{
    uint64_t vaddr = large ? SCRATCH_VADDR_LARGE : SCRATCH_VADDR;
    if (!scratch_slot.index)
        scratch_slot = alloc_root_slot();
    int err = cnode_copy(root_cnode(), slot_index(scratch_slot), slot_depth(scratch_slot),
                         root_cnode(), slot_index(frame), slot_depth(frame), RIGHTS_ALL);
    if (!err)
        err = map_frame(slot_cptr(scratch_slot), slot_cptr(root_slot(INIT_CAP_VSPACE)), vaddr,
                        VM_READ | VM_WRITE, 0, NULL, next_root_slot, NULL);
    if (err) {
        say("cannot map a frame to fill it: error %d\n", err);
        runtime_exit(1);
    }
    return (void *)vaddr;
}

void *scratch_map(struct slot frame)
{
    return scratch_map_sized(frame, false);
}

void scratch_unmap(void)
{
    cnode_delete(root_cnode(), slot_index(scratch_slot), slot_depth(scratch_slot));
}
