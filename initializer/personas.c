/*
 * Personas: a guest run by a VMM cell of its own. The VMM is described as a
 * cell ("vmm.elf", the persona's channel ends) and built like one; then its
 * guest gets a VSpace, a TCB bound to a VCPU per virtual CPU, RAM mapped both
 * in the guest (at PERSONA_RAM_BASE) and in the VMM, and its kernel, device
 * tree and initramfs copied into that RAM. The VMM starts the guest.
 *
 * What outlives one boot of the guest comes from the general pool, once: the
 * guest's VSpace, its RAM frames and the tables mapping them, and an arena
 * Untyped. Everything else is made again at each boot: the VMM from its own
 * arena (cell_build), its view of the guest's RAM and disk from the same
 * arena, and the guest's TCBs, VCPUs, CNode and exit endpoint from the
 * guest's arena. A restart revokes both arenas, so the new guest starts from
 * new objects: no register, pending interrupt, list register or armed timer
 * of the old one survives.
 */
#include <string.h>

#include <abi/persona_layout.h>
#include <abi/vcpu.h>

#include "initializer.h"

#define VMM_STACK (64 * 1024)
#define VMM_HEAP (1024 * 1024)
#define GUEST_CNODE_RADIX 4 /* slot 1 + n: the exit endpoint, badged for virtual CPU n */
#define LARGE_PAGE (1UL << 21)
#define TABLE_SPAN (1UL << 30) /* what one level-2 table maps */
#define VMM_MIN_CNODE_RADIX 6  /* the guest's capabilities fit in the upper half */

/* The guest's capabilities, in a sub-CNode of the initializer's for each persona. */
enum {
    G_VSPACE,
    G_ARENA,
    G_CNODE,
    G_EXITS,
    G_TCB0,
    G_VCPU0 = G_TCB0 + PERSONA_MAX_VCPUS,       /* each virtual CPU's thread and VCPU */
    G_FIRST_FREE = G_VCPU0 + PERSONA_MAX_VCPUS, /* then RAM, and the tables mapping it */
};

#define MAX_RAM_FRAMES 1024 /* 2 GiB */

static void fail(struct cell *vmm, const char *what, int err)
{
    say("persona '%s': %s (error %d)\n", vmm->name, what, err);
    runtime_exit(1);
}

static struct slot guest_slot(void *ctx)
{
    struct cell *vmm = ctx;
    struct guest *g = &vmm->guest;
    if (g->next >= (1u << SUB_RADIX))
        fail(vmm, "too many capabilities", ERR_RANGE);
    return sub_slot(g->store.index, g->next++);
}

static struct slot guest_object(const struct cell *vmm, uint32_t object)
{
    return sub_slot(vmm->guest.store.index, object);
}

/* A slot of the VMM's books: its capabilities there go when its arena is revoked. */
static struct slot vmm_book(void *ctx)
{
    struct cell *vmm = ctx;
    if (vmm->books_used >= (1u << SUB_RADIX))
        fail(vmm, "too many capabilities for its VMM", ERR_RANGE);
    return sub_slot(vmm->books.index, vmm->books_used++);
}

/* The guest's arena: its CNode, exit endpoint, and a TCB and a VCPU per virtual CPU. */
static unsigned guest_arena_bits(unsigned vcpus)
{
    uint64_t need = vcpus * ((1UL << VCPU_SIZE_BITS) + (1UL << TCB_SIZE_BITS)) +
                    (1UL << (GUEST_CNODE_RADIX + CNODE_SLOT_SIZE_BITS)) +
                    (1UL << ENDPOINT_SIZE_BITS);
    unsigned bits = 12;
    while ((1UL << bits) < need)
        bits++;
    return bits;
}

/*
 * The guest's files in the payload, found (and their checksums checked)
 * once: the payload is read-only, and a restart loads them again.
 */
static void find_files(const struct spec *spec, struct cell *c, const struct boot_info *bi)
{
    const struct bootspec_persona *p = c->persona;
    char dtb_name[CELL_NAME_MAX + 8];
    snprintf(dtb_name, sizeof(dtb_name), "%s.dtb", c->name);
    const char *names[GUEST_FILES] = { spec_string(spec, p->kernel), dtb_name,
                                       spec_string(spec, p->initramfs) };
    const uint64_t offsets[GUEST_FILES] = { PERSONA_KERNEL_OFFSET, PERSONA_DTB_OFFSET,
                                            PERSONA_INITRD_OFFSET };
    for (unsigned i = 0; i < GUEST_FILES; i++) {
        struct guest_file *f = &c->guest.files[i];
        *f = (struct guest_file){ .offset = offsets[i] };
        if (!names[i][0])
            continue;
        f->data = payload_file(bi, names[i], &f->size);
        if (!f->data)
            fail(c, "a guest file is missing from the image", ERR_FAILED_LOOKUP);
        if (f->offset + f->size > p->memory_size)
            fail(c, "a guest file does not fit its RAM", ERR_RANGE);
    }
}

void persona_describe(const struct spec *spec, uint32_t i, struct cell *c,
                      const struct boot_info *bi)
{
    const struct bootspec_persona *p = spec_persona(spec, i);
    *c = (struct cell){ .index = spec->cell_count + i, .persona = p, .program = "vmm.elf" };
    c->name = spec_string(spec, p->name);
    c->desc = (struct bootspec_cell){
        .name = p->name,
        .priority = p->priority < 255 ? p->priority + 1 : 255, /* above its guest */
        .restart = p->restart,
        .restart_limit = spec_persona_restart_limit(spec, p), /* the persona's */
        .cnode_radix = p->cnode_radix < VMM_MIN_CNODE_RADIX ? VMM_MIN_CNODE_RADIX : p->cnode_radix,
        .stack_size = VMM_STACK,
        .heap_size = VMM_HEAP,
        .first_end = p->first_end,
        .end_count = p->end_count,
        .notification_slot = p->notification_slot,
    };
    /*
     * The guest's capabilities go at the top of the VMM's CNode: the manifest
     * tool sizes it to leave the upper half free, at least 32 slots here.
     */
    uint32_t top = (1u << c->desc.cnode_radix) - 1;
    unsigned vcpus = p->vcpus < 1 ? 1 : p->vcpus > PERSONA_MAX_VCPUS ? PERSONA_MAX_VCPUS : p->vcpus;
    find_files(spec, c, bi);
    c->persona_info = (struct persona_info){
        .magic = PERSONA_INFO_MAGIC,
        .ram_base = PERSONA_RAM_BASE,
        .ram_size = p->memory_size,
        .ram_vaddr = PERSONA_RAM_VMM_VADDR,
        .kernel_entry = PERSONA_RAM_BASE + PERSONA_KERNEL_OFFSET,
        .dtb = PERSONA_RAM_BASE + PERSONA_DTB_OFFSET,
        .initrd = PERSONA_RAM_BASE + PERSONA_INITRD_OFFSET,
        .guest_vspace_slot = top,
        .exit_endpoint_slot = top - 1,
        .exit_reply_slot = top - 2,
        .vcpus = vcpus,
        .initrd_size = c->guest.files[GUEST_INITRAMFS].size,
    };
    for (unsigned n = 0; n < vcpus; n++) {
        c->persona_info.vcpu_tcb_slot[n] = top - 3 - 2 * n;
        c->persona_info.vcpu_slot[n] = top - 4 - 2 * n;
    }
    /* The VMM's arena also holds the tables of its view of the guest's RAM and disk, and a reply
     * object. */
    uint64_t tables = p->memory_size / TABLE_SPAN + 1;
    uint32_t disk = spec_persona_disk(spec, p);
    if (disk != SPEC_NONE) {
        const struct bootspec_region *r = spec_region(spec, disk);
        c->persona_info.disk_vaddr = PERSONA_DISK_VMM_VADDR;
        c->persona_info.disk_size = r->size;
        tables += r->size / TABLE_SPAN + 1 + (r->page_bits == 12 ? r->size / LARGE_PAGE + 1 : 0);
    }
    c->extra_arena = (tables + 1) * 4096;
}

/*
 * RAM in 2 MiB frames, made once and mapped in the guest for good. Their
 * slots come first, one after the other, then the tables mapping them.
 */
static void make_ram(struct cell *vmm)
{
    struct guest *g = &vmm->guest;
    const struct persona_info *info = &vmm->persona_info;
    if (info->ram_size > MAX_RAM_FRAMES * LARGE_PAGE)
        fail(vmm, "more RAM than a persona may have", ERR_RANGE);
    cptr_t guest_vspace = slot_cptr(guest_object(vmm, G_VSPACE));
    g->ram_first = g->next;
    for (uint64_t off = 0; off < info->ram_size; off += LARGE_PAGE)
        if (!pool_retype(OBJ_FRAME_2M, 0, guest_slot(vmm)))
            fail(vmm, "not enough memory for its RAM", ERR_NOT_ENOUGH_MEMORY);
    for (uint64_t off = 0; off < info->ram_size; off += LARGE_PAGE) {
        struct slot frame = sub_slot(g->store.index, g->ram_first + (uint32_t)(off / LARGE_PAGE));
        int err = map_frame(slot_cptr(frame), guest_vspace, info->ram_base + off,
                            VM_READ | VM_WRITE | VM_EXECUTE, 0, NULL, guest_slot, vmm);
        if (err)
            fail(vmm, "not enough memory for its RAM", err);
    }
}

/* A copy of a frame capability in the VMM's books, mapped read-write in the VMM at vaddr. */
static int give_vmm_frame(struct cell *vmm, struct slot frame, uint64_t vaddr)
{
    struct slot copy = vmm_book(vmm);
    int err = cnode_copy(root_cnode(), slot_index(copy), slot_depth(copy), root_cnode(),
                         slot_index(frame), slot_depth(frame), RIGHTS_ALL);
    if (!err)
        err = map_frame(slot_cptr(copy), slot_cptr(vmm->vspace), vaddr, VM_READ | VM_WRITE, 0,
                        &vmm->arena, vmm_book, vmm);
    return err;
}

/*
 * The VMM's view of the guest's RAM and of the persona's disk (a region only
 * its VMM maps): copies of the frames' capabilities and the tables mapping
 * them, all in the VMM's arena, so they go with the VMM.
 */
static void map_for_vmm(const struct spec *spec, struct cell *vmm)
{
    const struct persona_info *info = &vmm->persona_info;
    for (uint64_t off = 0; off < info->ram_size; off += LARGE_PAGE) {
        struct slot frame =
            sub_slot(vmm->guest.store.index, vmm->guest.ram_first + (uint32_t)(off / LARGE_PAGE));
        int err = give_vmm_frame(vmm, frame, info->ram_vaddr + off);
        if (err)
            fail(vmm, "cannot map its RAM into its VMM", err);
    }
    uint32_t disk = spec_persona_disk(spec, vmm->persona);
    if (disk == SPEC_NONE)
        return;
    const struct bootspec_region *r = spec_region(spec, disk);
    uint64_t step = 1UL << r->page_bits;
    for (uint64_t n = 0; n < r->size / step; n++) {
        int err = give_vmm_frame(vmm, region_frame(disk, n), PERSONA_DISK_VMM_VADDR + n * step);
        if (err)
            fail(vmm, "cannot map its disk into its VMM", err);
    }
}

/* The manifest's shared regions, at their guest-physical addresses (the map's vaddr). */
static void map_shared_regions(const struct spec *spec, struct cell *vmm)
{
    const struct bootspec_persona *p = vmm->persona;
    cptr_t guest_vspace = slot_cptr(guest_object(vmm, G_VSPACE));
    for (uint32_t i = 0; i < p->map_count; i++) {
        const struct bootspec_map *m = spec_map(spec, p->first_map + i);
        uint64_t step = 1UL << m->page_bits;
        for (uint64_t n = 0; m->kind == BOOTSPEC_MAP_SHARED && n < m->size / step; n++) {
            struct slot frame = region_frame(m->region, n), copy = guest_slot(vmm);
            int err = cnode_copy(root_cnode(), slot_index(copy), slot_depth(copy), root_cnode(),
                                 slot_index(frame), slot_depth(frame), RIGHTS_ALL);
            if (!err)
                err = map_frame(slot_cptr(copy), guest_vspace, m->vaddr + n * step, m->rights,
                                m->attributes, NULL, guest_slot, vmm);
            if (err)
                fail(vmm, "cannot map a shared region into its guest", err);
        }
    }
}

/*
 * The guest's RAM as at power-on: the device tree, the kernel and the
 * initramfs at their offsets, and, when the RAM was used before (a restart),
 * zeros everywhere else, so a new boot finds nothing of the last one. One
 * pass over the frames, each mapped once.
 */
static void fill_ram(struct cell *vmm, bool used)
{
    const struct guest *g = &vmm->guest;
    for (uint64_t base = 0; base < vmm->persona_info.ram_size; base += LARGE_PAGE) {
        struct slot frame = sub_slot(g->store.index, g->ram_first + (uint32_t)(base / LARGE_PAGE));
        char *dst = NULL;
        if (used) {
            dst = scratch_map_sized(frame, true);
            memset(dst, 0, LARGE_PAGE);
        }
        for (unsigned i = 0; i < GUEST_FILES; i++) {
            const struct guest_file *f = &g->files[i];
            uint64_t from = f->offset > base ? f->offset : base;
            uint64_t to =
                f->offset + f->size < base + LARGE_PAGE ? f->offset + f->size : base + LARGE_PAGE;
            if (!f->data || from >= to)
                continue;
            if (!dst)
                dst = scratch_map_sized(frame, true);
            memcpy(dst + (from - base), f->data + (from - f->offset), to - from);
        }
        if (dst)
            scratch_unmap();
    }
}

/* A new CNode, exit endpoint, and TCB and VCPU per virtual CPU, from the guest's (empty) arena. */
static void make_guest_objects(struct cell *vmm)
{
    struct arena *a = &vmm->guest.arena;
    a->used = 0;
    bool made = true;
    for (unsigned n = 0; made && n < vmm->persona_info.vcpus; n++) /* largest first: no gaps */
        made = arena_retype(a, OBJ_VCPU, 0, guest_object(vmm, G_VCPU0 + n));
    for (unsigned n = 0; made && n < vmm->persona_info.vcpus; n++)
        made = arena_retype(a, OBJ_TCB, 0, guest_object(vmm, G_TCB0 + n));
    if (!made || !arena_retype(a, OBJ_CNODE, GUEST_CNODE_RADIX, guest_object(vmm, G_CNODE)) ||
        !arena_retype(a, OBJ_ENDPOINT, 0, guest_object(vmm, G_EXITS)))
        fail(vmm, "no memory for its guest's objects", ERR_NOT_ENOUGH_MEMORY);
}

/*
 * Virtual CPU n: a thread bound to a VCPU, in the guest's VSpace, whose
 * exits reach the VMM badged 1 + n. CPU 0 starts at the kernel's entry with
 * the device tree in x0 (the arm64 boot protocol); the others wait,
 * suspended, for the guest to start them through PSCI CPU_ON.
 */
static void make_vcpu(struct cell *vmm, unsigned n)
{
    struct slot exits = guest_object(vmm, G_EXITS);
    cptr_t cnode = slot_cptr(guest_object(vmm, G_CNODE));
    cptr_t tcb = slot_cptr(guest_object(vmm, G_TCB0 + n));
    cptr_t vcpu = slot_cptr(guest_object(vmm, G_VCPU0 + n));
    int err = cnode_mint(cnode, 1 + n, GUEST_CNODE_RADIX, root_cnode(), slot_index(exits),
                         slot_depth(exits), RIGHT_WRITE, 1 + n);
    if (!err)
        err = (int)invoke(vcpu, VCPU_SET_TCB, NULL, 0, (cptr_t[]){ tcb }, 1, NULL, 0).error;
    if (!err) /* MPIDR: bit 31 RES1, affinity level 0 the CPU's number */
        err = (int)invoke(vcpu, VCPU_WRITE_REGISTER,
                          (uint64_t[]){ VCPU_VMPIDR_EL2, (1UL << 31) | n }, 2, NULL, 0, NULL, 0)
                  .error;
    if (!err)
        err = tcb_configure(tcb, 1 + n, cnode, cnode_guard_data(0, 64 - GUEST_CNODE_RADIX),
                            slot_cptr(guest_object(vmm, G_VSPACE)), 0, 0);
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
static void hand_to_vmm(struct cell *vmm)
{
    const struct persona_info *info = &vmm->persona_info;
    cptr_t cnode = slot_cptr(vmm->cnode);
    unsigned radix = vmm->desc.cnode_radix;
    struct vmm_cap {
        uint32_t slot;
        uint32_t object;
        unsigned rights;
    } caps[2 + 2 * PERSONA_MAX_VCPUS] = {
        { info->guest_vspace_slot, G_VSPACE, RIGHTS_ALL },
        { info->exit_endpoint_slot, G_EXITS, RIGHT_READ },
    };
    unsigned count = 2;
    for (unsigned n = 0; n < info->vcpus; n++) {
        caps[count++] = (struct vmm_cap){ info->vcpu_tcb_slot[n], G_TCB0 + n, RIGHTS_ALL };
        caps[count++] = (struct vmm_cap){ info->vcpu_slot[n], G_VCPU0 + n, RIGHTS_ALL };
    }
    for (unsigned i = 0; i < count; i++) {
        struct slot from = guest_object(vmm, caps[i].object);
        int err = cnode_mint(cnode, caps[i].slot, radix, root_cnode(), slot_index(from),
                             slot_depth(from), caps[i].rights, 0);
        if (err)
            fail(vmm, "cannot give its VMM the guest", err);
    }
    if (!arena_retype_into(&vmm->arena, OBJ_REPLY, cnode, info->exit_reply_slot))
        fail(vmm, "no memory for its VMM's reply object", ERR_NOT_ENOUGH_MEMORY);
}

/* One boot: the VMM, its view of the guest, the guest's new threads and VCPUs, its RAM filled. */
static bool persona_boot(const struct spec *spec, struct cell *vmm, const struct boot_info *bi,
                         bool used)
{
    if (!cell_build(spec, vmm, bi))
        return false;
    map_for_vmm(spec, vmm);
    make_guest_objects(vmm);
    fill_ram(vmm, used);
    for (unsigned n = 0; n < vmm->persona_info.vcpus; n++)
        make_vcpu(vmm, n);
    hand_to_vmm(vmm);
    return true;
}

bool persona_build(const struct spec *spec, struct cell *vmm, const struct boot_info *bi)
{
    struct guest *g = &vmm->guest;
    g->store = alloc_root_slot();
    g->next = G_FIRST_FREE;
    g->arena = (struct arena){ .untyped = guest_object(vmm, G_ARENA),
                               .size = 1UL << guest_arena_bits(vmm->persona_info.vcpus) };
    if (!pool_retype(OBJ_CNODE, SUB_RADIX, g->store))
        fail(vmm, "no memory for its capability store", ERR_NOT_ENOUGH_MEMORY);
    if (!pool_retype(OBJ_VSPACE, 0, guest_object(vmm, G_VSPACE)) ||
        !pool_retype(OBJ_UNTYPED, guest_arena_bits(vmm->persona_info.vcpus), g->arena.untyped))
        fail(vmm, "no memory for its guest's objects", ERR_NOT_ENOUGH_MEMORY);
    make_ram(vmm);
    map_shared_regions(spec, vmm);
    return persona_boot(spec, vmm, bi, false); /* new frames: the kernel zeroed them */
}

/* The persona stays stopped: its guest's CPUs and its VMM are suspended; their memory stays. */
void persona_stop(struct cell *vmm)
{
    for (unsigned n = 0; n < vmm->persona_info.vcpus; n++)
        tcb_suspend(slot_cptr(guest_object(vmm, G_TCB0 + n)));
    tcb_suspend(slot_cptr(vmm->tcb));
    vmm->stopped = true;
}

/*
 * A restart: the guest's CPUs stop where they are, the VMM goes (one revoke
 * of its arena: its CNode with its capabilities to the guest, its view of
 * the RAM and disk), then the guest's TCBs, VCPUs, CNode and exit endpoint
 * (one revoke of the guest's arena). The VSpace, the RAM and the shared
 * regions stay; the RAM is zeroed and loaded again, and a new VMM starts
 * the new CPU 0. The heavy part (zeroing and copying the RAM) runs at the
 * persona's own priority, like the guest it replaces: cells above it keep
 * the CPU, cells at its level share it.
 */
bool persona_restart(const struct spec *spec, struct cell *vmm, const struct boot_info *bi)
{
    cptr_t self = slot_cptr(root_slot(INIT_CAP_TCB));
    for (unsigned n = 0; n < vmm->persona_info.vcpus; n++)
        tcb_suspend(slot_cptr(guest_object(vmm, G_TCB0 + n)));
    cell_destroy(vmm);
    struct slot arena = vmm->guest.arena.untyped;
    cnode_revoke(root_cnode(), slot_index(arena), slot_depth(arena));
    tcb_set_priority(self, self, vmm->persona->priority);
    bool built = persona_boot(spec, vmm, bi, true);
    tcb_set_priority(self, self, PRIORITY_MAX);
    if (built)
        cell_start(vmm);
    return built;
}
