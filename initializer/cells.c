/*
 * Building cells from the boot spec. A cell's own objects (TCB, CNode,
 * VSpace, page tables, private frames, reply object, and the sub-CNode that
 * holds their capabilities) all come from its arena, so revoking the arena
 * removes the cell entirely; the objects its peers hold capabilities to are
 * made once by shared_objects_create and survive restarts.
 */
#include <stdio.h>
#include <string.h>

#include <abi/cell_layout.h>

#include "elf_load.h"
#include "initializer.h"

#define CELL_IPC_BUFFER_RIGHTS (VM_READ | VM_WRITE)

static struct slot fault_endpoint, own_reply, shared_frames;
static uint32_t shared_frames_used;
static struct slot cell_endpoint[MAX_CELLS], cell_notification[MAX_CELLS];
static struct slot region_first_frame[MAX_REGIONS];
static struct slot irq_handler[MAX_CELLS][CELL_INFO_MAX_ENDS];

cptr_t supervisor_endpoint(void)
{
    return slot_cptr(fault_endpoint);
}

cptr_t supervisor_reply(void)
{
    return slot_cptr(own_reply);
}

static struct slot make_shared(unsigned type)
{
    struct slot s = alloc_root_slot();
    if (!pool_retype(type, 0, s)) {
        say("out of memory for shared objects\n");
        runtime_exit(1);
    }
    return s;
}

static int mint(struct slot dest_cnode_slot, unsigned dest_radix, uint64_t dest_index,
                struct slot src, unsigned rights, uint64_t badge)
{
    return cnode_mint(slot_cptr(dest_cnode_slot), dest_index, dest_radix, root_cnode(),
                      slot_index(src), slot_depth(src), rights, badge);
}

struct slot region_frame(uint32_t region, uint64_t index)
{
    struct slot first = region_first_frame[region];
    return sub_slot(first.cnode, first.index + (uint32_t)index);
}

static void make_region_frames(const struct spec *spec)
{
    for (uint32_t r = 0; r < spec->region_count; r++) {
        const struct bootspec_region *region = spec_region(spec, r);
        if (region->flags & BOOTSPEC_REGION_FIXED) {
            say("region '%s': fixed physical addresses are not supported yet\n",
                spec_string(spec, region->name));
            runtime_exit(1);
        }
        uint64_t pages = region->size >> region->page_bits;
        region_first_frame[r] = sub_slot(shared_frames.index, shared_frames_used);
        for (uint64_t p = 0; p < pages; p++) {
            struct slot s = sub_slot(shared_frames.index, shared_frames_used++);
            if (shared_frames_used > (1u << SUB_RADIX) ||
                !pool_retype(region->page_bits == 21 ? OBJ_FRAME_2M : OBJ_FRAME_4K, 0, s)) {
                say("region '%s' does not fit in memory\n", spec_string(spec, region->name));
                runtime_exit(1);
            }
        }
    }
}

/* An IRQ line handed to a cell signals the cell's notification with the end's badge. */
static void make_irq_handler(uint32_t cell, uint32_t n, const struct bootspec_end *e)
{
    struct slot handler = alloc_root_slot(), badged = alloc_root_slot();
    int err = irq_control_get(slot_cptr(root_slot(INIT_CAP_IRQ_CONTROL)), e->peer, root_cnode(),
                              slot_index(handler), slot_depth(handler));
    if (!err)
        err = cnode_mint(root_cnode(), slot_index(badged), slot_depth(badged), root_cnode(),
                         slot_index(cell_notification[cell]), slot_depth(cell_notification[cell]),
                         RIGHT_WRITE, e->badge);
    if (!err)
        err = irq_handler_set_notification(slot_cptr(handler), slot_cptr(badged));
    cnode_delete(root_cnode(), slot_index(badged), slot_depth(badged));
    if (err) {
        say("cannot hand IRQ %u to a cell: error %d\n", e->peer, err);
        runtime_exit(1);
    }
    irq_handler[cell][n] = handler;
}

void shared_objects_create(const struct spec *spec, const struct cell *cells, uint32_t count)
{
    fault_endpoint = make_shared(OBJ_ENDPOINT);
    own_reply = make_shared(OBJ_REPLY);
    shared_frames = alloc_root_slot();
    if (!pool_retype(OBJ_CNODE, SUB_RADIX, shared_frames))
        runtime_exit(1);
    for (uint32_t i = 0; i < count; i++) {
        const struct bootspec_cell *c = &cells[i].desc;
        if (c->endpoint_slot)
            cell_endpoint[i] = make_shared(OBJ_ENDPOINT);
        if (c->notification_slot)
            cell_notification[i] = make_shared(OBJ_NOTIFICATION);
        for (uint32_t n = 0; n < c->end_count; n++) {
            const struct bootspec_end *e = spec_end(spec, c->first_end + n);
            if (e->kind == BOOTSPEC_END_IRQ)
                make_irq_handler(i, n, e);
        }
    }
    make_region_frames(spec);
}

/* One page of a cell's address space, and where its contents come from. */
enum page_source { PAGE_ZERO, PAGE_PROGRAM, PAGE_SHARED, PAGE_DEVICE };

struct page {
    uint64_t vaddr;
    unsigned bits;   /* 12 or 21 */
    unsigned rights; /* VM_* */
    unsigned attrs;
    enum page_source source;
    const struct elf64_phdr *segment; /* PAGE_PROGRAM */
    struct slot shared;               /* PAGE_SHARED: the region's frame */
    uint64_t paddr;                   /* PAGE_DEVICE */
    const struct bootspec_map *map;   /* the manifest map it belongs to, if any */
    uint64_t index_in_map;
};

struct builder {
    const struct spec *spec;
    struct cell *cell;
    const void *elf;
    uint64_t elf_size;
    /* counting pass */
    bool counting;
    uint64_t arena_bytes;
    uint32_t caps;
    uint64_t l2_blocks[64], l3_blocks[512];
    unsigned l2_count, l3_count;
    /* building pass */
    uint32_t next_book;
    struct slot ipc_frame, info_frame;
};

static struct slot next_book(void *ctx)
{
    struct builder *b = ctx;
    if (b->next_book >= (1u << SUB_RADIX)) {
        say("cell '%s' needs more than %u capabilities\n", b->cell->name, 1u << SUB_RADIX);
        runtime_exit(1);
    }
    return sub_slot(b->cell->books.index, b->next_book++);
}

static bool remember(uint64_t *set, unsigned *count, unsigned max, uint64_t value)
{
    for (unsigned i = 0; i < *count; i++)
        if (set[i] == value)
            return false;
    if (*count < max)
        set[(*count)++] = value;
    return true;
}

/* The counting pass: memory from the arena, and page tables the pages will need. */
static void count_page(struct builder *b, const struct page *p)
{
    b->caps++;
    if (p->source == PAGE_ZERO || p->source == PAGE_PROGRAM)
        b->arena_bytes += 1UL << p->bits;
    if (remember(b->l2_blocks, &b->l2_count, 64, p->vaddr >> 30))
        b->arena_bytes += 4096, b->caps++;
    if (p->bits == 12 && remember(b->l3_blocks, &b->l3_count, 512, p->vaddr >> 21))
        b->arena_bytes += 4096, b->caps++;
}

/* The segment's file bytes that fall in this page, in one copy; the rest stays zero. */
static void fill_from_program(struct builder *b, struct slot frame, const struct page *p)
{
    const struct elf64_phdr *seg = p->segment;
    uint64_t file_end = seg->vaddr + seg->filesz;
    uint64_t from = p->vaddr > seg->vaddr ? p->vaddr : seg->vaddr;
    uint64_t to = p->vaddr + 4096 < file_end ? p->vaddr + 4096 : file_end;
    if (from >= to)
        return; /* all bss: the new frame is already zero */
    char *dst = scratch_map(frame);
    const char *src = (const char *)b->elf + seg->offset + (from - seg->vaddr);
    memcpy(dst + (from - p->vaddr), src, to - from);
    scratch_unmap();
}

static struct slot frame_for(struct builder *b, const struct page *p)
{
    struct slot s = next_book(b);
    int err = 0;
    switch (p->source) {
    case PAGE_ZERO:
    case PAGE_PROGRAM:
        if (!arena_retype(&b->cell->arena, p->bits == 21 ? OBJ_FRAME_2M : OBJ_FRAME_4K, 0, s))
            err = ERR_NOT_ENOUGH_MEMORY;
        else if (p->source == PAGE_PROGRAM)
            fill_from_program(b, s, p);
        break;
    case PAGE_SHARED:
        err = cnode_copy(root_cnode(), slot_index(s), slot_depth(s), root_cnode(),
                         slot_index(p->shared), slot_depth(p->shared), RIGHTS_ALL);
        break;
    case PAGE_DEVICE: {
        struct slot dev;
        err = device_frame(p->paddr, &dev)
                  ? cnode_copy(root_cnode(), slot_index(s), slot_depth(s), root_cnode(),
                               slot_index(dev), slot_depth(dev), RIGHTS_ALL)
                  : ERR_FAILED_LOOKUP;
        break;
    }
    }
    if (err) {
        say("cell '%s': no frame for %#lx: error %d\n", b->cell->name, (unsigned long)p->vaddr,
            err);
        runtime_exit(1);
    }
    return s;
}

static void build_page(struct builder *b, const struct page *p)
{
    struct slot frame = frame_for(b, p);
    int err = map_frame(slot_cptr(frame), slot_cptr(b->cell->vspace), p->vaddr, p->rights, p->attrs,
                        &b->cell->arena, next_book, b);
    if (err) {
        say("cell '%s': cannot map %#lx: error %d\n", b->cell->name, (unsigned long)p->vaddr, err);
        runtime_exit(1);
    }
    if (p->vaddr == CELL_IPC_BUFFER)
        b->ipc_frame = frame;
    else if (p->vaddr == CELL_INFO_PAGE)
        b->info_frame = frame;
    if (p->map && p->map->frame_cap_slot) {
        const struct bootspec_cell *c = &b->cell->desc;
        err = cnode_copy(slot_cptr(b->cell->cnode), p->map->frame_cap_slot + p->index_in_map,
                         c->cnode_radix, root_cnode(), slot_index(frame), slot_depth(frame),
                         RIGHTS_ALL);
        if (err)
            say("cell '%s': frame capability for map '%s' not given: error %d\n", b->cell->name,
                spec_string(b->spec, p->map->name), err);
    }
}

static void visit(struct builder *b, const struct page *p)
{
    if (b->counting)
        count_page(b, p);
    else
        build_page(b, p);
}

static void visit_range(struct builder *b, uint64_t vaddr, uint64_t size, unsigned rights)
{
    for (uint64_t va = vaddr; va < vaddr + size; va += 4096)
        visit(b, &(struct page){ .vaddr = va, .bits = 12, .rights = rights, .source = PAGE_ZERO });
}

static unsigned segment_rights(uint32_t flags)
{
    return ((flags & PF_R) ? VM_READ : 0) | ((flags & PF_W) ? VM_WRITE : 0) |
           ((flags & PF_X) ? VM_EXECUTE : 0);
}

static void visit_program(struct builder *b)
{
    for (unsigned i = 0; i < elf_phnum(b->elf); i++) {
        const struct elf64_phdr *seg = elf_phdr(b->elf, i);
        if (seg->type != PT_LOAD || seg->memsz == 0)
            continue;
        for (uint64_t va = seg->vaddr & ~4095UL; va < seg->vaddr + seg->memsz; va += 4096)
            visit(b, &(struct page){ .vaddr = va,
                                     .bits = 12,
                                     .rights = segment_rights(seg->flags),
                                     .source = PAGE_PROGRAM,
                                     .segment = seg });
    }
}

static void visit_map(struct builder *b, const struct bootspec_map *m)
{
    uint64_t step = 1UL << m->page_bits;
    for (uint64_t i = 0; i < m->size / step; i++) {
        struct page p = { .vaddr = m->vaddr + i * step,
                          .bits = m->page_bits,
                          .rights = m->rights,
                          .attrs = m->attributes,
                          .map = m,
                          .index_in_map = i };
        if (m->kind == BOOTSPEC_MAP_SHARED) {
            p.source = PAGE_SHARED;
            p.shared = region_frame(m->region, i);
        } else if (m->kind == BOOTSPEC_MAP_DEVICE) {
            p.source = PAGE_DEVICE;
            p.paddr = m->paddr + i * step;
            p.attrs |= VM_ATTR_DEVICE;
        } else {
            p.source = PAGE_ZERO;
        }
        visit(b, &p);
    }
}

/* Every page of the cell, the same way for both passes. */
static void visit_address_space(struct builder *b)
{
    const struct bootspec_cell *c = &b->cell->desc;
    visit_program(b);
    visit_range(b, CELL_INFO_PAGE, 4096, VM_READ);
    visit_range(b, CELL_IPC_BUFFER, 4096, CELL_IPC_BUFFER_RIGHTS);
    visit_range(b, CELL_HEAP_BASE, c->heap_size, VM_READ | VM_WRITE);
    visit_range(b, CELL_STACK_TOP - c->stack_size, c->stack_size, VM_READ | VM_WRITE);
    for (uint32_t i = 0; i < c->map_count; i++)
        visit_map(b, spec_map(b->spec, c->first_map + i));
}

static void fail(struct cell *c, const char *what, int err)
{
    say("cell '%s': %s (error %d)\n", c->name, what, err);
    runtime_exit(1);
}

static uint64_t arena_size_for(struct builder *b)
{
    uint64_t need = b->arena_bytes + b->cell->extra_arena +
                    (1UL << (SUB_RADIX + CNODE_SLOT_SIZE_BITS)) +
                    (1UL << (b->cell->desc.cnode_radix + CNODE_SLOT_SIZE_BITS)) + 3 * 4096;
    for (uint32_t i = 0; i < b->cell->desc.map_count; i++)
        if (spec_map(b->spec, b->cell->desc.first_map + i)->page_bits == 21)
            need += 1UL << 21; /* room to align a 2 MiB frame */
    uint64_t size = 4096;
    while (size < need)
        size <<= 1;
    return size;
}

/* The arena and the sub-CNode for its capabilities: made once, reused by every restart. */
static void prepare_arena(struct builder *b)
{
    struct cell *c = b->cell;
    if (!c->arena.size) {
        c->arena.untyped = alloc_root_slot();
        c->books = alloc_root_slot();
        c->arena.size = arena_size_for(b);
        if (!pool_retype(OBJ_UNTYPED, (unsigned)__builtin_ctzl(c->arena.size), c->arena.untyped))
            fail(c, "not enough memory for the cell", ERR_NOT_ENOUGH_MEMORY);
    }
    c->arena.used = 0;
    if (!arena_retype(&c->arena, OBJ_CNODE, SUB_RADIX, c->books))
        fail(c, "cannot make its capability store", ERR_NOT_ENOUGH_MEMORY);
    b->next_book = 0;
    c->cnode = next_book(b);
    c->vspace = next_book(b);
    c->tcb = next_book(b);
    if (!arena_retype(&c->arena, OBJ_CNODE, c->desc.cnode_radix, c->cnode) ||
        !arena_retype(&c->arena, OBJ_VSPACE, 0, c->vspace) ||
        !arena_retype(&c->arena, OBJ_TCB, 0, c->tcb))
        fail(c, "not enough memory for its CNode, VSpace and TCB", ERR_NOT_ENOUGH_MEMORY);
}

/* Cells come first in the initializer's table, then each persona's VMM. */
static uint32_t peer_index(const struct spec *spec, const struct bootspec_end *e)
{
    return e->peer_kind == BOOTSPEC_SUBJECT_PERSONA ? spec->cell_count + e->peer : e->peer;
}

static void give_end_caps(struct builder *b)
{
    const struct spec *spec = b->spec;
    struct cell *c = b->cell;
    const struct bootspec_cell *cs = &c->desc;
    struct slot cnode = c->cnode;
    int err = mint(cnode, cs->cnode_radix, CELL_SUPERVISOR_SLOT, fault_endpoint, RIGHT_WRITE,
                   c->index + 1);
    if (!err && cs->endpoint_slot)
        err =
            mint(cnode, cs->cnode_radix, cs->endpoint_slot, cell_endpoint[c->index], RIGHT_READ, 0);
    if (!err && cs->reply_slot &&
        !arena_retype_into(&c->arena, OBJ_REPLY, slot_cptr(cnode), cs->reply_slot))
        err = ERR_NOT_ENOUGH_MEMORY;
    if (!err && cs->notification_slot)
        err = mint(cnode, cs->cnode_radix, cs->notification_slot, cell_notification[c->index],
                   RIGHT_READ, 0);
    for (uint32_t n = 0; !err && n < cs->end_count; n++) {
        const struct bootspec_end *e = spec_end(spec, cs->first_end + n);
        if (e->kind == BOOTSPEC_END_CALL_CLIENT)
            err =
                mint(cnode, cs->cnode_radix, e->slot, cell_endpoint[e->peer], e->rights, e->badge);
        else if (e->kind == BOOTSPEC_END_NOTIFY_SIGNAL)
            err = mint(cnode, cs->cnode_radix, e->slot, cell_notification[peer_index(spec, e)],
                       e->rights, e->badge);
        else if (e->kind == BOOTSPEC_END_IRQ)
            err = mint(cnode, cs->cnode_radix, e->slot, irq_handler[c->index][n], RIGHTS_ALL, 0);
    }
    if (err)
        fail(c, "cannot give it its capabilities", err);
}

static void copy_name(char *dst, const char *src)
{
    strncpy(dst, src, CELL_NAME_MAX - 1);
    dst[CELL_NAME_MAX - 1] = '\0';
}

static const char *peer_name(const struct spec *spec, const struct bootspec_end *e)
{
    if (e->peer_kind == BOOTSPEC_SUBJECT_CELL)
        return spec_string(spec, spec_cell(spec, e->peer)->name);
    if (e->peer_kind == BOOTSPEC_SUBJECT_PERSONA)
        return spec_string(spec, spec_persona(spec, e->peer)->name);
    return "";
}

/* The screens a display cell shows: the personas' framebuffers, which it maps read-only. */
static void write_screens(const struct spec *spec, uint32_t cell, struct cell_info *info)
{
    for (uint32_t i = 0; i < spec->screen_count; i++) {
        const struct bootspec_screen *s = spec_screen(spec, i);
        if (s->cell != cell)
            continue;
        struct cell_info_screen *out = &info->screens[info->screen_count++];
        copy_name(out->persona, spec_string(spec, spec_persona(spec, s->persona)->name));
        out->vaddr = s->cell_vaddr;
        out->width = s->width;
        out->height = s->height;
        out->stride = (uint16_t)s->stride;
        out->format = (uint16_t)s->format;
    }
}

static void write_info_page(struct builder *b)
{
    struct cell *c = b->cell;
    const struct bootspec_cell *cs = &c->desc;
    struct cell_info *info = scratch_map(b->info_frame);
    info->magic = CELL_INFO_MAGIC;
#ifdef CELLA_DEBUG
    info->flags = CELL_INFO_DEBUG_CONSOLE;
#endif
    copy_name(info->name, c->name);
    info->cell_index = c->index;
    info->restarts = c->restarts;
    info->heap_base = CELL_HEAP_BASE;
    info->heap_size = cs->heap_size;
    info->stack_base = CELL_STACK_TOP - cs->stack_size;
    info->stack_top = CELL_STACK_TOP;
    info->endpoint_slot = cs->endpoint_slot;
    info->reply_slot = cs->reply_slot;
    info->notification_slot = cs->notification_slot;
    info->supervisor_slot = CELL_SUPERVISOR_SLOT;
    info->end_count = cs->end_count;
    for (uint32_t n = 0; n < cs->end_count; n++) {
        const struct bootspec_end *e = spec_end(b->spec, cs->first_end + n);
        struct cell_info_end *out = &info->ends[n];
        copy_name(out->name, spec_string(b->spec, e->name));
        copy_name(out->peer, peer_name(b->spec, e));
        out->kind = e->kind; /* enum cell_end_kind mirrors enum bootspec_end_kind */
        out->slot = e->slot;
        out->badge = e->badge;
    }
    if (c->persona)
        info->persona = c->persona_info;
    info->map_count = cs->map_count;
    for (uint32_t i = 0; i < cs->map_count; i++) {
        const struct bootspec_map *m = spec_map(b->spec, cs->first_map + i);
        copy_name(info->maps[i].name, spec_string(b->spec, m->name));
        info->maps[i].vaddr = m->vaddr;
        info->maps[i].size = m->size;
    }
    if (!c->persona)
        write_screens(b->spec, c->index, info);
    scratch_unmap();
}

static void configure_thread(struct builder *b)
{
    struct cell *c = b->cell;
    const struct bootspec_cell *cs = &c->desc;
    cptr_t tcb = slot_cptr(c->tcb);
    uint64_t entry = elf_entry(b->elf);
    struct user_registers regs = { .pc = entry, .sp = CELL_STACK_TOP };
    regs.x[0] = CELL_INFO_PAGE;
    int err = tcb_configure(tcb, CELL_SUPERVISOR_SLOT, slot_cptr(c->cnode),
                            cnode_guard_data(0, 64 - cs->cnode_radix), slot_cptr(c->vspace),
                            CELL_IPC_BUFFER, slot_cptr(b->ipc_frame));
    if (!err)
        err = tcb_set_priority(tcb, slot_cptr(root_slot(INIT_CAP_TCB)), cs->priority);
    if (!err)
        err = tcb_set_syscall_emulation(tcb, entry + 4); /* the crt0 convention */
    if (!err && cs->notification_slot)
        err = tcb_bind_notification(tcb, slot_cptr(cell_notification[c->index]));
    if (!err)
        err = tcb_write_registers(tcb, false, &regs, 4);
    if (err)
        fail(c, "cannot set up its thread", err);
#ifdef CELLA_DEBUG
    sys_debug_name_thread(tcb, c->name);
#endif
}

bool cell_build(const struct spec *spec, struct cell *c, const struct boot_info *bi)
{
    struct builder b = { .spec = spec, .cell = c };
    const char *program = c->program;
    b.elf = payload_file(bi, program, &b.elf_size);
    const char *why = b.elf ? elf_check(b.elf, b.elf_size) : "not in the image";
    if (why) {
        say("cell '%s': program '%s': %s\n", c->name, program, why);
        return false;
    }
    b.counting = true;
    visit_address_space(&b);
    b.counting = false;
    prepare_arena(&b);
    visit_address_space(&b);
    give_end_caps(&b);
    write_info_page(&b);
    configure_thread(&b);
    c->books_used = b.next_book;
    return true;
}

void cell_start(struct cell *c)
{
    int err = tcb_resume(slot_cptr(c->tcb));
    if (err)
        fail(c, "cannot start it", err);
}

/* Everything the cell was made of goes; what its peers hold stays. */
void cell_destroy(struct cell *c)
{
    cnode_revoke(root_cnode(), slot_index(c->arena.untyped), slot_depth(c->arena.untyped));
}
