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
#define GUEST_CNODE_RADIX 4 /* slot 1 + n: the exit endpoint, badged for virtual CPU n */
#define LARGE_PAGE (1UL << 21)
#define VMM_MIN_CNODE_RADIX 6 /* the guest's capabilities fit in the upper half */

/* The guest's objects' capabilities, in a sub-CNode of the initializer's for each persona. */
enum {
    G_VSPACE, G_CNODE, G_EXITS,
    G_TCB0, G_VCPU0 = G_TCB0 + PERSONA_MAX_VCPUS, /* each virtual CPU's thread and VCPU */
    G_FIRST_FREE = G_VCPU0 + PERSONA_MAX_VCPUS,
};

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
        .restart = BOOTSPEC_RESTART_NEVER,
        .cnode_radix = p->cnode_radix < VMM_MIN_CNODE_RADIX ? VMM_MIN_CNODE_RADIX : p->cnode_radix,
        .stack_size = VMM_STACK, .heap_size = VMM_HEAP, .first_end = p->first_end,
        .end_count = p->end_count, .notification_slot = p->notification_slot,
    };
    /*
     * The guest's capabilities go at the top of the VMM's CNode: the manifest
     * tool sizes it to leave the upper half free, at least 32 slots here.
     */
    uint32_t top = (1u << c->desc.cnode_radix) - 1;
    unsigned vcpus = p->vcpus < 1 ? 1 : p->vcpus > PERSONA_MAX_VCPUS ? PERSONA_MAX_VCPUS : p->vcpus;
    uint64_t initrd_size = 0;
    if (p->initramfs && !payload_file(bi, spec_string(spec, p->initramfs), &initrd_size))
        initrd_size = 0;
    c->persona_info = (struct persona_info){
        .magic = PERSONA_INFO_MAGIC, .ram_base = PERSONA_RAM_BASE, .ram_size = p->memory_size,
        .ram_vaddr = PERSONA_RAM_VMM_VADDR, .kernel_entry = PERSONA_RAM_BASE + PERSONA_KERNEL_OFFSET,
        .dtb = PERSONA_RAM_BASE + PERSONA_DTB_OFFSET, .initrd = PERSONA_RAM_BASE + PERSONA_INITRD_OFFSET,
        .guest_vspace_slot = top, .exit_endpoint_slot = top - 1, .exit_reply_slot = top - 2,
        .vcpus = vcpus, .initrd_size = initrd_size,
    };
    for (unsigned n = 0; n < vcpus; n++) {
        c->persona_info.vcpu_tcb_slot[n] = top - 3 - 2 * n;
        c->persona_info.vcpu_slot[n] = top - 4 - 2 * n;
    }
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

/*
 * Virtual CPU n: a thread bound to a VCPU, in the guest's VSpace, whose
 * exits reach the VMM badged 1 + n. CPU 0 starts at the kernel's entry with
 * the device tree in x0 (the arm64 boot protocol); the others wait,
 * suspended, for the guest to start them through PSCI CPU_ON.
 */
static void make_vcpu(struct guest_build *g, unsigned n)
{
    struct cell *vmm = g->vmm;
    struct slot store = g->store, exits = sub_slot(store.index, G_EXITS);
    cptr_t cnode = slot_cptr(sub_slot(store.index, G_CNODE));
    cptr_t tcb = slot_cptr(sub_slot(store.index, G_TCB0 + n));
    cptr_t vcpu = slot_cptr(sub_slot(store.index, G_VCPU0 + n));
    int err = cnode_mint(cnode, 1 + n, GUEST_CNODE_RADIX, root_cnode(), slot_index(exits),
                         slot_depth(exits), RIGHT_WRITE, 1 + n);
    if (!err)
        err = invoke(vcpu, VCPU_SET_TCB, NULL, 0, (cptr_t[]){ tcb }, 1, NULL, 0).error;
    if (!err) /* MPIDR: bit 31 RES1, affinity level 0 the CPU's number */
        err = invoke(vcpu, VCPU_WRITE_REGISTER, (uint64_t[]){ VCPU_VMPIDR_EL2, (1UL << 31) | n }, 2,
                     NULL, 0, NULL, 0).error;
    if (!err)
        err = tcb_configure(tcb, 1 + n, cnode, cnode_guard_data(0, 64 - GUEST_CNODE_RADIX),
                            slot_cptr(sub_slot(store.index, G_VSPACE)), 0, 0);
    if (!err)
        err = tcb_set_priority(tcb, slot_cptr(root_slot(INIT_CAP_TCB)), vmm->persona->priority);
    if (!err && n == 0) {
        struct user_registers regs = { .pc = vmm->persona_info.kernel_entry, .spsr = 0x3c5 };
        regs.x[0] = vmm->persona_info.dtb;
        err = tcb_write_registers(tcb, false, &regs, 7);
    }
    if (err)
        fail(vmm, "cannot set up its virtual CPUs", err);
#ifdef CELLA_DEBUG
    char name[CELL_NAME_MAX + 8];
    snprintf(name, sizeof(name), n ? "%s.%u" : "%s", vmm->name, n);
    sys_debug_name_thread(tcb, name);
#endif
}

/* The guest's TCB, VCPU and VSpace, and its exits' endpoint and a reply object, for the VMM. */
static void hand_to_vmm(struct guest_build *g)
{
    struct cell *vmm = g->vmm;
    const struct persona_info *info = &vmm->persona_info;
    cptr_t cnode = slot_cptr(vmm->cnode);
    unsigned radix = vmm->desc.cnode_radix;
    struct vmm_cap { uint32_t slot; uint32_t object; unsigned rights; } caps[2 + 2 * PERSONA_MAX_VCPUS] = {
        { info->guest_vspace_slot, G_VSPACE, RIGHTS_ALL },
        { info->exit_endpoint_slot, G_EXITS, RIGHT_READ },
    };
    unsigned count = 2;
    for (unsigned n = 0; n < info->vcpus; n++) {
        caps[count++] = (struct vmm_cap){ info->vcpu_tcb_slot[n], G_TCB0 + n, RIGHTS_ALL };
        caps[count++] = (struct vmm_cap){ info->vcpu_slot[n], G_VCPU0 + n, RIGHTS_ALL };
    }
    for (unsigned i = 0; i < count; i++) {
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
    if (!pool_retype(OBJ_CNODE, SUB_RADIX, g.store))
        fail(vmm, "no memory for its capability store", ERR_NOT_ENOUGH_MEMORY);
    bool made = pool_retype(OBJ_VSPACE, 0, sub_slot(g.store.index, G_VSPACE)) &&
                pool_retype(OBJ_CNODE, GUEST_CNODE_RADIX, sub_slot(g.store.index, G_CNODE)) &&
                pool_retype(OBJ_ENDPOINT, 0, sub_slot(g.store.index, G_EXITS));
    for (unsigned n = 0; made && n < vmm->persona_info.vcpus; n++)
        made = pool_retype(OBJ_TCB, 0, sub_slot(g.store.index, G_TCB0 + n)) &&
               pool_retype(OBJ_VCPU, 0, sub_slot(g.store.index, G_VCPU0 + n));
    if (!made)
        fail(vmm, "no memory for its guest's objects", ERR_NOT_ENOUGH_MEMORY);
    make_ram(&g);
    map_shared_regions(spec, &g);
    map_disk(spec, &g);
    load_images(spec, &g, bi);
    for (unsigned n = 0; n < vmm->persona_info.vcpus; n++)
        make_vcpu(&g, n);
    hand_to_vmm(&g);
    return true;
}
