/*
 * The initializer's main: switch to a two-level CSpace, read the boot spec,
 * make the shared objects, build every cell, start them highest priority
 * first, then supervise.
 */
#include <stdio.h>
#include <stdlib.h>

#include <platform_config.h>

#include "initializer.h"

void slots_set_root(cptr_t cptr);

static struct cell cells[MAX_CELLS];

/*
 * Root slots become (slot << 12): the low 12 bits then name a slot in a
 * sub-CNode. The thread's root capability gets a 40-bit guard for that; a
 * second root capability, without a guard, sits in slot R so that the cptr
 * (R << 12 | R) names it exactly and CNode invocations can go through it.
 */
static void use_two_level_cspace(const struct boot_info *bi)
{
    cptr_t plain = bi->empty.start, guarded = plain + 1;
    int err = cnode_mint(INIT_CAP_CNODE, plain, 64, INIT_CAP_CNODE, INIT_CAP_CNODE, 64, RIGHTS_ALL,
                         cnode_guard_data(0, 0));
    if (!err)
        err = cnode_mint(INIT_CAP_CNODE, guarded, 64, INIT_CAP_CNODE, INIT_CAP_CNODE, 64,
                         RIGHTS_ALL, cnode_guard_data(0, ROOT_GUARD_BITS));
    if (!err)
        err = tcb_set_space(INIT_CAP_TCB, 0, guarded, 0, INIT_CAP_VSPACE);
    if (err) {
        say("cannot set up its CSpace: error %d\n", err);
        exit(1);
    }
    slots_set_root((plain << SUB_RADIX) | plain);
}

/*
 * On a release kernel there is no debug console: the initializer writes to
 * the board's UART itself (the console server cell maps the same device).
 */
static void open_console(void)
{
#ifndef CELLA_DEBUG
    struct slot uart;
    const uint64_t vaddr = 0x6000000000UL;
    if (!device_frame(PLATFORM_CONSOLE_BASE & ~0xfffUL, &uart) ||
        map_frame(slot_cptr(uart), slot_cptr(root_slot(INIT_CAP_VSPACE)), vaddr, VM_READ | VM_WRITE,
                  VM_ATTR_DEVICE, NULL, next_root_slot, NULL))
        return; /* no console then; the system still runs */
    pl011_use((void *)(uintptr_t)(vaddr + (PLATFORM_CONSOLE_BASE & 0xfffUL)));
#endif
}

static int by_priority(const void *a, const void *b)
{
    const struct cell *x = *(const struct cell *const *)a, *y = *(const struct cell *const *)b;
    return (int)y->desc.priority - (int)x->desc.priority;
}

static void start_in_priority_order(uint32_t count)
{
    static struct cell *order[MAX_CELLS];
    for (uint32_t i = 0; i < count; i++)
        order[i] = &cells[i];
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): it sorts pointers */
    qsort(order, count, sizeof(order[0]), by_priority);
    for (uint32_t i = 0; i < count; i++)
        cell_start(order[i]);
}

int main(void)
{
    const struct boot_info *bi = runtime_boot_info;
    uint64_t size;
    const void *data = payload_file(bi, "bootspec", &size);
    struct spec spec;
    const char *why = data ? spec_load(&spec, data, size) : "the image has no boot spec";
    if (why) {
        say("boot spec: %s\n", why);
        return 1;
    }
    uint32_t count = spec.cell_count + spec.persona_count;
    if (count > MAX_CELLS) {
        say("boot spec: more than %d cells and personas\n", MAX_CELLS);
        return 1;
    }
    use_two_level_cspace(bi);
    memory_init(bi);
    open_console();
    say("system '%s': %u cells, %u channels, %u regions\n", spec.system_name, spec.cell_count,
        spec.channel_count, spec.region_count);
    for (uint32_t i = 0; i < spec.cell_count; i++) {
        cells[i] = (struct cell){ .desc = *spec_cell(&spec, i), .index = i };
        cells[i].name = spec_string(&spec, cells[i].desc.name);
        cells[i].program = spec_string(&spec, cells[i].desc.program);
    }
    for (uint32_t i = 0; i < spec.persona_count; i++)
        persona_describe(&spec, i, &cells[spec.cell_count + i], bi);
    shared_objects_create(&spec, cells, count);
    for (uint32_t i = 0; i < count; i++) {
        bool built = cells[i].persona ? persona_build(&spec, &cells[i], bi)
                                      : cell_build(&spec, &cells[i], bi);
        if (!built)
            return 1;
    }
    start_in_priority_order(count);
    say("%u cells and %u personas started\n", spec.cell_count, spec.persona_count);
    supervise(&spec, cells, count, bi);
}
