/*
 * Personas: a guest run by a VMM cell of its own. The VMM is described as a
 * cell ("vmm.elf", the persona's channel ends) and built like one; then its
 * guest gets a VSpace, a TCB bound to a VCPU, RAM mapped both in the guest
 * (at PERSONA_RAM_BASE) and in the VMM, and its kernel, device tree and
 * initramfs copied into that RAM. The VMM starts the guest.
 */
#include <string.h>

#include <abi/persona_layout.h>
#include <abi/vcpu.h>

#include "initializer.h"

#define VMM_STACK (64 * 1024)
#define VMM_HEAP (1024 * 1024)
#define GUEST_CNODE_RADIX 2
#define LARGE_PAGE (1UL << 21)

/* The guest's objects' capabilities, in a sub-CNode of the initializer's for each persona. */
enum { G_VSPACE, G_TCB, G_VCPU, G_CNODE, G_EXITS, G_FIRST_FREE };

#define MAX_RAM_FRAMES 1024 /* 2 GiB */

struct guest_build {
    struct cell *vmm;
    struct slot store;
    uint32_t next;
    uint32_t ram_frames[MAX_RAM_FRAMES]; /* where in store each 2 MiB of RAM is */
};

static struct slot guest_slot(void *ctx)
{
    struct guest_build *g = ctx;
    if (g->next >= (1u << SUB_RADIX)) {
        say("persona '%s': too many capabilities\n", g->vmm->name);
        runtime_exit(1);
    }
    return sub_slot(g->store.index, g->next++);
}

static void fail(struct cell *vmm, const char *what, int err)
{
    say("persona '%s': %s (error %d)\n", vmm->name, what, err);
    runtime_exit(1);
}

void persona_describe(const struct spec *spec, uint32_t i, struct cell *c, const struct boot_info *bi)
{
    const struct bootspec_persona *p = spec_persona(spec, i);
    *c = (struct cell){ .index = spec->cell_count + i, .persona = p, .program = "vmm.elf" };
    c->name = spec_string(spec, p->name);
    c->desc = (struct bootspec_cell){
        .name = p->name, .priority = p->priority < 255 ? p->priority + 1 : 255, /* above its guest */
        .restart = BOOTSPEC_RESTART_NEVER, .cnode_radix = p->cnode_radix < 5 ? 5 : p->cnode_radix,
        .stack_size = VMM_STACK, .heap_size = VMM_HEAP, .first_end = p->first_end,
        .end_count = p->end_count, .notification_slot = p->notification_slot,
    };
    /* The guest's capabilities go at the top of the VMM's CNode, above the manifest's slots. */
    uint32_t top = (1u << c->desc.cnode_radix) - 1;
    uint64_t initrd_size = 0;
    if (p->initramfs && !payload_file(bi, spec_string(spec, p->initramfs), &initrd_size))
        initrd_size = 0;
    c->persona_info = (struct persona_info){
        .magic = PERSONA_INFO_MAGIC, .ram_base = PERSONA_RAM_BASE, .ram_size = p->memory_size,
        .ram_vaddr = PERSONA_RAM_VMM_VADDR, .kernel_entry = PERSONA_RAM_BASE + PERSONA_KERNEL_OFFSET,
        .dtb = PERSONA_RAM_BASE + PERSONA_DTB_OFFSET, .initrd = PERSONA_RAM_BASE + PERSONA_INITRD_OFFSET,
        .guest_tcb_slot = top, .vcpu_slot = top - 1, .guest_vspace_slot = top - 2,
        .exit_endpoint_slot = top - 3, .exit_reply_slot = top - 4, .vcpus = p->vcpus,
        .initrd_size = initrd_size,
    };
    uint32_t disk = spec_persona_disk(spec, p);
    if (disk != SPEC_NONE) {
        c->persona_info.disk_vaddr = PERSONA_DISK_VMM_VADDR;
        c->persona_info.disk_size = spec_region(spec, disk)->size;
    }
}

static void copy_file(struct guest_build *g, uint64_t offset, const void *data, uint64_t size)
{
    const char *src = data;
    while (size) {
        uint64_t frame = offset / LARGE_PAGE, within = offset % LARGE_PAGE;
        uint64_t n = LARGE_PAGE - within < size ? LARGE_PAGE - within : size;
        char *dst = scratch_map_sized(sub_slot(g->store.index, g->ram_frames[frame]), true);
        memcpy(dst + within, src, n);
        scratch_unmap();
        src += n;
        offset += n;
        size -= n;
    }
}

/* RAM in 2 MiB frames: each mapped in the guest, and a copy of its capability in the VMM. */
static void make_ram(struct guest_build *g)
{
    const struct persona_info *info = &g->vmm->persona_info;
    if (info->ram_size > MAX_RAM_FRAMES * LARGE_PAGE)
        fail(g->vmm, "more RAM than a persona may have", ERR_RANGE);
    cptr_t guest_vspace = slot_cptr(sub_slot(g->store.index, G_VSPACE));
    cptr_t vmm_vspace = slot_cptr(g->vmm->vspace);
    for (uint64_t off = 0; off < info->ram_size; off += LARGE_PAGE) {
        struct slot frame = guest_slot(g), copy = guest_slot(g);
        g->ram_frames[off / LARGE_PAGE] = frame.index;
        int err = pool_retype(OBJ_FRAME_2M, 0, frame) ? 0 : ERR_NOT_ENOUGH_MEMORY;
        if (!err)
            err = map_frame(slot_cptr(frame), guest_vspace, info->ram_base + off,
                            VM_READ | VM_WRITE | VM_EXECUTE, 0, NULL, guest_slot, g);
        if (!err)
            err = cnode_copy(root_cnode(), slot_index(copy), slot_depth(copy), root_cnode(),
                             slot_index(frame), slot_depth(frame), RIGHTS_ALL);
        if (!err)
            err = map_frame(slot_cptr(copy), vmm_vspace, info->ram_vaddr + off, VM_READ | VM_WRITE, 0,
                            NULL, guest_slot, g);
        if (err)
            fail(g->vmm, "not enough memory for its RAM", err);
    }
}

/* The manifest's shared regions, at their guest-physical addresses (the map's vaddr). */
static void map_shared_regions(const struct spec *spec, struct guest_build *g)
{
    const struct bootspec_persona *p = g->vmm->persona;
    cptr_t guest_vspace = slot_cptr(sub_slot(g->store.index, G_VSPACE));
    for (uint32_t i = 0; i < p->map_count; i++) {
        const struct bootspec_map *m = spec_map(spec, p->first_map + i);
        uint64_t step = 1UL << m->page_bits;
        for (uint64_t n = 0; m->kind == BOOTSPEC_MAP_SHARED && n < m->size / step; n++) {
            struct slot frame = region_frame(m->region, n), copy = guest_slot(g);
            int err = cnode_copy(root_cnode(), slot_index(copy), slot_depth(copy), root_cnode(),
                                 slot_index(frame), slot_depth(frame), RIGHTS_ALL);
            if (!err)
                err = map_frame(slot_cptr(copy), guest_vspace, m->vaddr + n * step, m->rights,
                                m->attributes, NULL, guest_slot, g);
            if (err)
                fail(g->vmm, "cannot map a shared region into its guest", err);
        }
    }
}

/* The persona's disk: a region only its VMM maps, read and written for the guest's block device. */
static void map_disk(const struct spec *spec, struct guest_build *g)
{
    uint32_t disk = spec_persona_disk(spec, g->vmm->persona);
    if (disk == SPEC_NONE)
        return;
    const struct bootspec_region *r = spec_region(spec, disk);
    uint64_t step = 1UL << r->page_bits;
    for (uint64_t n = 0; n < r->size / step; n++) {
        struct slot frame = region_frame(disk, n), copy = guest_slot(g);
        int err = cnode_copy(root_cnode(), slot_index(copy), slot_depth(copy), root_cnode(),
                             slot_index(frame), slot_depth(frame), RIGHTS_ALL);
        if (!err)
            err = map_frame(slot_cptr(copy), slot_cptr(g->vmm->vspace), PERSONA_DISK_VMM_VADDR + n * step,
                            VM_READ | VM_WRITE, 0, NULL, guest_slot, g);
        if (err)
            fail(g->vmm, "cannot map its disk into its VMM", err);
    }
}

static void load_images(const struct spec *spec, struct guest_build *g, const struct boot_info *bi)
{
    struct cell *vmm = g->vmm;
    const struct bootspec_persona *p = vmm->persona;
    char dtb_name[CELL_NAME_MAX + 8];
    snprintf(dtb_name, sizeof(dtb_name), "%s.dtb", vmm->name);
    const char *names[] = { spec_string(spec, p->kernel), dtb_name, spec_string(spec, p->initramfs) };
    const uint64_t offsets[] = { PERSONA_KERNEL_OFFSET, PERSONA_DTB_OFFSET, PERSONA_INITRD_OFFSET };
    for (unsigned i = 0; i < 3; i++) {
        uint64_t size;
        if (!names[i][0])
            continue;
        const void *data = payload_file(bi, names[i], &size);
        if (!data)
            fail(vmm, "a guest file is missing from the image", ERR_FAILED_LOOKUP);
        if (offsets[i] + size > p->memory_size)
            fail(vmm, "a guest file does not fit its RAM", ERR_RANGE);
        copy_file(g, offsets[i], data, size);
    }
}

static void make_guest_thread(struct guest_build *g)
{
    struct cell *vmm = g->vmm;
    struct slot store = g->store;
    struct slot cnode = sub_slot(store.index, G_CNODE), exits = sub_slot(store.index, G_EXITS);
    cptr_t tcb = slot_cptr(sub_slot(store.index, G_TCB)), vcpu = slot_cptr(sub_slot(store.index, G_VCPU));
    struct user_registers regs = { .pc = vmm->persona_info.kernel_entry, .spsr = 0x3c5 };
    regs.x[0] = vmm->persona_info.dtb; /* the arm64 boot protocol: x0 the device tree, x1-x3 zero */
    int err = cnode_mint(slot_cptr(cnode), 1, GUEST_CNODE_RADIX, root_cnode(), slot_index(exits),
                         slot_depth(exits), RIGHT_WRITE, 1);
    if (!err)
        err = invoke(vcpu, VCPU_SET_TCB, NULL, 0, (cptr_t[]){ tcb }, 1, NULL, 0).error;
    if (!err)
        err = tcb_configure(tcb, 1, slot_cptr(cnode), cnode_guard_data(0, 64 - GUEST_CNODE_RADIX),
                            slot_cptr(sub_slot(store.index, G_VSPACE)), 0, 0);
    if (!err)
        err = tcb_set_priority(tcb, slot_cptr(root_slot(INIT_CAP_TCB)), vmm->persona->priority);
    if (!err)
        err = tcb_write_registers(tcb, false, &regs, 7);
    if (err)
        fail(vmm, "cannot set up its virtual CPU", err);
#ifdef CELLA_DEBUG
    sys_debug_name_thread(tcb, vmm->name);
#endif
}

/* The guest's TCB, VCPU and VSpace, and its exits' endpoint and a reply object, for the VMM. */
static void hand_to_vmm(struct guest_build *g)
{
    struct cell *vmm = g->vmm;
    const struct persona_info *info = &vmm->persona_info;
    cptr_t cnode = slot_cptr(vmm->cnode);
    unsigned radix = vmm->desc.cnode_radix;
    const struct { uint32_t slot; uint32_t object; unsigned rights; } caps[] = {
        { info->guest_tcb_slot, G_TCB, RIGHTS_ALL },
        { info->vcpu_slot, G_VCPU, RIGHTS_ALL },
        { info->guest_vspace_slot, G_VSPACE, RIGHTS_ALL },
        { info->exit_endpoint_slot, G_EXITS, RIGHT_READ },
    };
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        struct slot from = sub_slot(g->store.index, caps[i].object);
        int err = cnode_mint(cnode, caps[i].slot, radix, root_cnode(), slot_index(from),
                             slot_depth(from), caps[i].rights, 0);
        if (err)
            fail(vmm, "cannot give its VMM the guest", err);
    }
    if (!arena_retype_into(&vmm->arena, OBJ_REPLY, cnode, info->exit_reply_slot))
        fail(vmm, "no memory for its VMM's reply object", ERR_NOT_ENOUGH_MEMORY);
}

bool persona_build(const struct spec *spec, struct cell *vmm, const struct boot_info *bi)
{
    if (!cell_build(spec, vmm, bi))
        return false;
    static struct guest_build g;
    g = (struct guest_build){ .vmm = vmm, .store = alloc_root_slot(), .next = G_FIRST_FREE };
    static const unsigned objects[] = { OBJ_VSPACE, OBJ_TCB, OBJ_VCPU, OBJ_CNODE, OBJ_ENDPOINT };
    if (!pool_retype(OBJ_CNODE, SUB_RADIX, g.store))
        fail(vmm, "no memory for its capability store", ERR_NOT_ENOUGH_MEMORY);
    for (unsigned i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
        if (!pool_retype(objects[i], objects[i] == OBJ_CNODE ? GUEST_CNODE_RADIX : 0,
                         sub_slot(g.store.index, i)))
            fail(vmm, "no memory for its guest's objects", ERR_NOT_ENOUGH_MEMORY);
    make_ram(&g);
    map_shared_regions(spec, &g);
    map_disk(spec, &g);
    load_images(spec, &g, bi);
    make_guest_thread(&g);
    hand_to_vmm(&g);
    return true;
}
