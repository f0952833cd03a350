/*
 * The kernel's own address space at EL2: an identity map, so a physical
 * address is also the kernel's pointer to it. Kernel text is the only
 * executable memory and is read-only; everything else is execute-never.
 */
#include <arch/mmu.h>
#include <arch/ptable.h>
#include <arch/sysreg.h>
#include <cella/boot.h>
#include <cella/panic.h>
#include <platform_config.h>

/* MAIR_EL2 slots. */
#define MAIR_NORMAL_WB 0xffUL
#define MAIR_DEVICE_NGNRE 0x04UL
#define ATTR_NORMAL PTE_ATTR_INDEX(0)
#define ATTR_DEVICE PTE_ATTR_INDEX(1)

#define TCR_EL2_RES1 (BIT(31) | BIT(23))
#define TCR_T0SZ(bits) (64UL - (bits))
#define TCR_IRGN0_WBWA (1UL << 8)
#define TCR_ORGN0_WBWA (1UL << 10)
#define TCR_SH0_INNER (3UL << 12)
#define TCR_PS_SHIFT 16
#define VA_BITS 39

#define SCTLR_EL2_RES1 0x30c50830UL
#define SCTLR_M BIT(0)
#define SCTLR_C BIT(2)
#define SCTLR_SA BIT(3)
#define SCTLR_I BIT(12)
#define SCTLR_WXN BIT(19)

#define KERNEL_POOL_TABLES 8

static pte_t kernel_root[PT_ENTRIES] ALIGNED(PAGE_SIZE);
static pte_t kernel_tables[KERNEL_POOL_TABLES][PT_ENTRIES] ALIGNED(PAGE_SIZE);

static const struct {
    paddr_t base;
    word_t size;
} ram_regions[] = PLATFORM_RAM_REGIONS;

static void map_or_panic(struct pt_pool *pool, paddr_t base, word_t size, pte_t attrs)
{
    if (size && !pt_map(kernel_root, pool, base, base, size, attrs))
        panic("mmu: cannot map %lx+%lx", (unsigned long)base, (unsigned long)size);
}

/* Maps one RAM region, giving the kernel image's part of it its tighter rights. */
static void map_ram_region(struct pt_pool *pool, paddr_t base, word_t size)
{
    const pte_t data = ATTR_NORMAL | PTE_SH_INNER | PTE_XN;
    paddr_t image_base = (paddr_t)(uintptr_t)__kernel_start;
    paddr_t image_end = align_up((paddr_t)(uintptr_t)__kernel_end, PAGE_BITS);
    if (!ranges_overlap(base, size, image_base, image_end - image_base)) {
        map_or_panic(pool, base, size, data);
        return;
    }
    paddr_t text_end = (paddr_t)(uintptr_t)__text_end;
    paddr_t rodata_end = (paddr_t)(uintptr_t)__rodata_end;
    map_or_panic(pool, base, image_base - base, data);
    map_or_panic(pool, image_base, text_end - image_base, ATTR_NORMAL | PTE_SH_INNER | PTE_AP_RO);
    map_or_panic(pool, text_end, rodata_end - text_end, data | PTE_AP_RO);
    map_or_panic(pool, rodata_end, image_end - rodata_end, data);
    map_or_panic(pool, image_end, base + size - image_end, data);
}

static void build_kernel_map(void)
{
    struct pt_pool pool = { kernel_tables, KERNEL_POOL_TABLES, 0 };
    const pte_t device = ATTR_DEVICE | PTE_XN;
    for (unsigned i = 0; i < ARRAY_SIZE(ram_regions); i++)
        map_ram_region(&pool, ram_regions[i].base, ram_regions[i].size);
    map_or_panic(&pool, align_down(PLATFORM_CONSOLE_BASE, PAGE_BITS), PAGE_SIZE, device);
    map_or_panic(&pool, PLATFORM_GICD_BASE, PLATFORM_GICD_SIZE, device);
    map_or_panic(&pool, PLATFORM_GICR_BASE, PLATFORM_GICR_SIZE, device);
}

/* The tables were written with the MMU and caches off: drop any stale cached copies. */
static void invalidate_table_lines(void)
{
    for (uintptr_t p = (uintptr_t)kernel_root; p < (uintptr_t)(kernel_root + PT_ENTRIES); p += 64)
        __asm__ volatile("dc ivac, %0" ::"r"(p) : "memory");
    for (uintptr_t p = (uintptr_t)kernel_tables;
         p < (uintptr_t)(kernel_tables + KERNEL_POOL_TABLES); p += 64)
        __asm__ volatile("dc ivac, %0" ::"r"(p) : "memory");
    dsb(sy);
}

void mmu_enable(void)
{
    build_kernel_map();
    invalidate_table_lines();
    word_t pa_range = sysreg_read(id_aa64mmfr0_el1) & 0xf;
    if (pa_range > 5)
        pa_range = 5; /* 48 bits: all a 4 KiB-granule table can name */
    sysreg_write(mair_el2, MAIR_NORMAL_WB | (MAIR_DEVICE_NGNRE << 8));
    sysreg_write(tcr_el2, TCR_EL2_RES1 | TCR_T0SZ(VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
                              TCR_SH0_INNER | (pa_range << TCR_PS_SHIFT));
    sysreg_write(ttbr0_el2, (word_t)(uintptr_t)kernel_root);
    isb();
    __asm__ volatile("tlbi alle2" ::: "memory");
    __asm__ volatile("ic iallu" ::: "memory");
    dsb(sy);
    isb();
    sysreg_write(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN);
    isb();
}

unsigned mmu_pa_bits(void)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48 };
    word_t pa_range = sysreg_read(id_aa64mmfr0_el1) & 0xf;
    return pa_range < ARRAY_SIZE(bits) ? bits[pa_range] : 48;
}
