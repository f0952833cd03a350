/* Boot-time physical memory; see cella/boot_memory.h. */
#include <cella/boot_memory.h>
#include <cella/panic.h>
#include <cella/string.h>
#include <platform_config.h>

static const struct {
    paddr_t base;
    word_t size;
} ram[] = PLATFORM_RAM_REGIONS;

#define MAX_FREE_REGIONS (2 * PLATFORM_RAM_COUNT)
static struct phys_region free_regions[MAX_FREE_REGIONS];
static unsigned free_count;

bool ram_contains(paddr_t base, word_t size)
{
    for (unsigned i = 0; i < ARRAY_SIZE(ram); i++)
        if (range_contains(ram[i].base, ram[i].size, base, size))
            return true;
    return false;
}

static void add_free(paddr_t base, paddr_t end)
{
    if (base < end)
        free_regions[free_count++] = (struct phys_region){ base, end };
}

void boot_memory_init(paddr_t reserved_base, paddr_t reserved_end)
{
    for (unsigned i = 0; i < ARRAY_SIZE(ram); i++) {
        paddr_t base = ram[i].base, end = ram[i].base + ram[i].size;
        if (reserved_end <= base || reserved_base >= end) {
            add_free(base, end);
            continue;
        }
        add_free(base, reserved_base);
        add_free(reserved_end, end);
    }
}

paddr_t boot_alloc(unsigned size_bits)
{
    for (unsigned i = free_count; i-- > 0;) {
        struct phys_region *r = &free_regions[i];
        if (r->end - r->base < BIT(size_bits))
            continue;
        paddr_t addr = align_down(r->end - BIT(size_bits), size_bits);
        if (addr < r->base)
            continue;
        r->end = addr;
        memzero((void *)(uintptr_t)addr, BIT(size_bits));
        return addr;
    }
    panic("boot: out of memory for the initial task");
}

unsigned boot_free_regions(const struct phys_region **regions)
{
    *regions = free_regions;
    return free_count;
}
