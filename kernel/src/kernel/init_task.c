/*
 * The initializer: the first user thread. The kernel builds its CNode,
 * VSpace and TCB, loads its ELF, maps the payload, and hands it every
 * remaining byte of memory as Untyped capabilities, described in the
 * boot-info page. From then on user level makes every object.
 */
#include <abi/bootinfo.h>
#include <abi/cell_layout.h>
#include <abi/invocation.h>
#include <arch/cpu.h>
#include <arch/stage2.h>
#include <cella/boot_memory.h>
#include <cella/elf.h>
#include <cella/init_task.h>
#include <cella/panic.h>
#include <cella/string.h>
#include <cella/tcb.h>
#include <cella/timer.h>
#include <cella/vspace.h>
#include <platform_config.h>

#define CELLA_VERSION_WORD 0x000100 /* 0.1.0 */

struct init_task {
    struct cte *slots;
    pte_t *root;
    unsigned asid;
    struct boot_info *info;
};

static const struct {
    paddr_t base;
    word_t size;
} device_regions[] = PLATFORM_DEVICE_REGIONS;

/* Maps one page, making any missing tables from boot memory. */
static void map_page(struct init_task *it, word_t vaddr, paddr_t frame, unsigned rights)
{
    for (;;) {
        unsigned missing;
        pte_t *entry = stage2_entry(it->root, vaddr, PT_LAST_LEVEL, &missing);
        if (entry) {
            stage2_set(entry, stage2_leaf(frame, PT_LAST_LEVEL, rights, 0));
            return;
        }
        pte_t *parent = stage2_entry(it->root, vaddr, missing - 1, &missing);
        stage2_set(parent, stage2_table(boot_alloc(PAGE_TABLE_SIZE_BITS)));
    }
}

static paddr_t map_new_page(struct init_task *it, word_t vaddr, unsigned rights)
{
    paddr_t frame = boot_alloc(FRAME_4K_SIZE_BITS);
    map_page(it, vaddr, frame, rights);
    return frame;
}

static unsigned segment_rights(uint32_t flags)
{
    return ((flags & PF_R) ? VM_READ : 0) | ((flags & PF_W) ? VM_WRITE : 0) |
           ((flags & PF_X) ? VM_EXECUTE : 0);
}

/* Page by page: the file's bytes of each page in one copy (a byte-by-byte loop cost 14 a byte). */
static void load_segment(struct init_task *it, const char *image, const struct elf64_phdr *p)
{
    word_t file_end = p->vaddr + p->filesz;
    for (word_t page = align_down(p->vaddr, 12); page < p->vaddr + p->memsz; page += PAGE_SIZE) {
        char *frame = (char *)(uintptr_t)map_new_page(it, page, segment_rights(p->flags));
        word_t from = page < p->vaddr ? p->vaddr : page;
        word_t to = page + PAGE_SIZE < file_end ? page + PAGE_SIZE : file_end;
        if (from < to)
            memcpy(frame + (from - page), image + p->offset + (from - p->vaddr), to - from);
    }
}

static struct cte *put_cap(struct init_task *it, unsigned slot, cap_t cap)
{
    mdb_insert_root(&it->slots[slot], cap, MDB_REVOCABLE);
    return &it->slots[slot];
}

static void add_untyped(struct init_task *it, paddr_t base, unsigned size_bits, bool device)
{
    struct boot_info *info = it->info;
    if (info->untyped_count == BOOT_INFO_MAX_UNTYPED)
        return;
    unsigned slot = (unsigned)(info->untyped.start + info->untyped_count);
    info->untyped_list[info->untyped_count++] =
        (struct untyped_desc){ base, (uint8_t)size_bits, device, { 0 } };
    put_cap(it, slot,
            cap_make(CAP_UNTYPED, RIGHTS_ALL, size_bits, base, device ? UNTYPED_DEVICE : 0));
}

/* Cuts [base, end) into the largest naturally aligned power-of-two blocks. */
static void add_untyped_range(struct init_task *it, paddr_t base, paddr_t end, bool device)
{
    while (end - base >= PAGE_SIZE) {
        unsigned bits = base ? (unsigned)__builtin_ctzl(base) : UNTYPED_MAX_SIZE_BITS;
        if (bits > UNTYPED_MAX_SIZE_BITS)
            bits = UNTYPED_MAX_SIZE_BITS;
        while (BIT(bits) > end - base)
            bits--;
        add_untyped(it, base, bits, device);
        base += BIT(bits);
    }
}

static void hand_out_memory(struct init_task *it)
{
    const struct phys_region *free;
    unsigned n = boot_free_regions(&free);
    it->info->untyped.start = INIT_CAP_FIRST_FREE;
    for (unsigned i = 0; i < n; i++)
        add_untyped_range(it, free[i].base, free[i].end, false);
    for (unsigned i = 0; i < ARRAY_SIZE(device_regions); i++)
        add_untyped_range(it, device_regions[i].base,
                          device_regions[i].base + device_regions[i].size, true);
    it->info->untyped.end = it->info->untyped.start + it->info->untyped_count;
    it->info->empty.start = it->info->untyped.end;
    it->info->empty.end = BIT(INIT_CNODE_RADIX);
}

static struct cte *map_cap_page(struct init_task *it, unsigned slot, word_t vaddr, unsigned rights,
                                paddr_t *frame)
{
    *frame = map_new_page(it, vaddr, rights);
    cap_t cap =
        cap_make(CAP_FRAME_4K, RIGHTS_ALL, 0, *frame, mapping_make(it->asid, vaddr, PT_LAST_LEVEL));
    return put_cap(it, slot, cap);
}

static void start_thread(struct tcb *t, const void *image, struct cte *cnode, struct cte *vspace,
                         struct cte *buffer, paddr_t buffer_frame)
{
    mdb_insert_after(cnode, &t->slots[TCB_SLOT_CSPACE], cnode->cap, 0);
    mdb_insert_after(vspace, &t->slots[TCB_SLOT_VSPACE], vspace->cap, 0);
    mdb_insert_after(buffer, &t->slots[TCB_SLOT_IPC_BUFFER], cap_derive_for_copy(buffer->cap), 0);
    t->ipc_buffer_addr = CELL_IPC_BUFFER;
    t->ipc_buffer = (struct ipc_buffer *)(uintptr_t)buffer_frame;
    t->ctx.pc = elf_entry(image);
    t->ctx.sp = CELL_STACK_TOP;
    t->ctx.x[0] = CELL_INFO_PAGE;
    t->priority = t->mcp = PRIORITY_MAX;
#ifdef CELLA_DEBUG
    memcpy(t->name, "initializer", 12);
#endif
    sched_wake(t, false);
}

void init_task_create(const struct payload *payload)
{
    struct init_task it;
    const char *why = elf_check(payload->initializer, payload->initializer_size);
    if (why)
        panic("initializer: %s", why);
    paddr_t cnode = boot_alloc(INIT_CNODE_RADIX + CNODE_SLOT_SIZE_BITS);
    it.slots = (struct cte *)(uintptr_t)cnode;
    it.root = (pte_t *)(uintptr_t)boot_alloc(VSPACE_SIZE_BITS);
    it.asid = vspace_init(it.root);
    struct tcb *t = (struct tcb *)(uintptr_t)boot_alloc(TCB_SIZE_BITS);
    thread_init(t);

    cap_t cnode_cap = cap_make(CAP_CNODE, RIGHTS_ALL, INIT_CNODE_RADIX, cnode, 0);
    struct cte *cnode_slot =
        put_cap(&it, INIT_CAP_CNODE, cnode_with_guard(cnode_cap, INIT_CNODE_GUARD_BITS));
    struct cte *vspace_slot =
        put_cap(&it, INIT_CAP_VSPACE,
                cap_make(CAP_VSPACE, RIGHTS_ALL, 0, (paddr_t)(uintptr_t)it.root, it.asid));
    put_cap(&it, INIT_CAP_TCB, cap_make(CAP_TCB, RIGHTS_ALL, 0, (paddr_t)(uintptr_t)t, 0));
    put_cap(&it, INIT_CAP_IRQ_CONTROL, cap_make(CAP_IRQ_CONTROL, RIGHTS_ALL, 0, 0, 0));

    for (unsigned i = 0; i < elf_phnum(payload->initializer); i++) {
        const struct elf64_phdr *p = elf_phdr(payload->initializer, i);
        if (p->type == PT_LOAD)
            load_segment(&it, payload->initializer, p);
    }
    for (word_t page = CELL_STACK_TOP - INIT_STACK_PAGES * PAGE_SIZE; page < CELL_STACK_TOP;
         page += PAGE_SIZE)
        map_new_page(&it, page, VM_READ | VM_WRITE);
    for (word_t off = 0; off < payload->size; off += PAGE_SIZE)
        map_page(&it, INIT_PAYLOAD_VADDR + off, payload->base + off, VM_READ);

    paddr_t buffer_frame, info_frame;
    struct cte *buffer =
        map_cap_page(&it, INIT_CAP_IPC_BUFFER, CELL_IPC_BUFFER, VM_READ | VM_WRITE, &buffer_frame);
    map_cap_page(&it, INIT_CAP_BOOT_INFO, CELL_INFO_PAGE, VM_READ, &info_frame);
    it.info = (struct boot_info *)(uintptr_t)info_frame;
    it.info->magic = BOOT_INFO_MAGIC; /* the page is already zeroed */
    it.info->kernel_version = CELLA_VERSION_WORD;
    it.info->ipc_buffer = CELL_IPC_BUFFER;
    it.info->payload = INIT_PAYLOAD_VADDR;
    it.info->payload_size = payload->size;
    it.info->stack_base = CELL_STACK_TOP - INIT_STACK_PAGES * PAGE_SIZE;
    it.info->stack_top = CELL_STACK_TOP;
    it.info->timer_frequency = timer_frequency();
    it.info->cpu_features = arch_cpu_features();
    start_thread(t, payload->initializer, cnode_slot, vspace_slot, buffer, buffer_frame);
    hand_out_memory(&it);
}
