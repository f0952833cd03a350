/* The generated description of one board is self-consistent. */
#include <cella/util.h>
#include <platform_config.h>

#include "harness.h"

struct region {
    word_t base, size;
};

static const struct region ram[] = PLATFORM_RAM_REGIONS;
static const struct region devices[] = PLATFORM_DEVICE_REGIONS;
static const char *const device_names[] = PLATFORM_DEVICE_NAMES;

static void check_sorted_disjoint_pages(const struct region *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        CU_ASSERT_TRUE(r[i].size > 0);
        CU_ASSERT_TRUE(is_aligned(r[i].base | r[i].size, 12));
        CU_ASSERT_TRUE(range_is_valid(r[i].base, r[i].size));
        if (i > 0)
            CU_ASSERT_TRUE(r[i - 1].base + r[i - 1].size <= r[i].base);
    }
}

static void test_counts_match(void)
{
    CU_ASSERT_EQUAL(ARRAY_SIZE(ram), PLATFORM_RAM_COUNT);
    CU_ASSERT_EQUAL(ARRAY_SIZE(devices), PLATFORM_DEVICE_COUNT);
    CU_ASSERT_EQUAL(ARRAY_SIZE(device_names), PLATFORM_DEVICE_COUNT);
    CU_ASSERT_TRUE(PLATFORM_RAM_COUNT >= 1);
}

static void test_regions_well_formed(void)
{
    check_sorted_disjoint_pages(ram, ARRAY_SIZE(ram));
    check_sorted_disjoint_pages(devices, ARRAY_SIZE(devices));
}

static void test_devices_apart_from_ram(void)
{
    for (unsigned d = 0; d < ARRAY_SIZE(devices); d++)
        for (unsigned r = 0; r < ARRAY_SIZE(ram); r++)
            CU_ASSERT_FALSE(
                ranges_overlap(devices[d].base, devices[d].size, ram[r].base, ram[r].size));
}

static void test_kernel_load_address_in_ram(void)
{
    bool inside = false;
    for (unsigned r = 0; r < ARRAY_SIZE(ram); r++)
        inside |= range_contains(ram[r].base, ram[r].size, PLATFORM_KERNEL_LOAD_ADDRESS, MIB(2));
    CU_ASSERT_TRUE(inside);
    CU_ASSERT_TRUE(is_aligned(PLATFORM_KERNEL_LOAD_ADDRESS, 21));
}

/* The console is one of the user-visible devices; the GIC belongs to the kernel alone. */
static void test_device_ownership(void)
{
    bool console_listed = false;
    for (unsigned d = 0; d < ARRAY_SIZE(devices); d++) {
        console_listed |= range_contains(devices[d].base, devices[d].size, PLATFORM_CONSOLE_BASE,
                                         PLATFORM_CONSOLE_SIZE);
        CU_ASSERT_FALSE(ranges_overlap(devices[d].base, devices[d].size, PLATFORM_GICD_BASE,
                                       PLATFORM_GICD_SIZE));
        CU_ASSERT_FALSE(ranges_overlap(devices[d].base, devices[d].size, PLATFORM_GICR_BASE,
                                       PLATFORM_GICR_SIZE));
    }
    CU_ASSERT_TRUE(console_listed);
}

static void test_interrupt_numbers(void)
{
    /* Per-CPU timers are PPIs (16-31); the console is a shared interrupt. */
    CU_ASSERT_TRUE(PLATFORM_TIMER_HYP_IRQ >= 16 && PLATFORM_TIMER_HYP_IRQ < 32);
    CU_ASSERT_TRUE(PLATFORM_TIMER_VIRT_IRQ >= 16 && PLATFORM_TIMER_VIRT_IRQ < 32);
    CU_ASSERT_NOT_EQUAL(PLATFORM_TIMER_HYP_IRQ, PLATFORM_TIMER_VIRT_IRQ);
    CU_ASSERT_TRUE(PLATFORM_CONSOLE_IRQ >= 32 && PLATFORM_CONSOLE_IRQ < 1020);
}

SUITE(PLATFORM_NAME, TEST(test_counts_match), TEST(test_regions_well_formed),
      TEST(test_devices_apart_from_ram), TEST(test_kernel_load_address_in_ram),
      TEST(test_device_ownership), TEST(test_interrupt_numbers));
