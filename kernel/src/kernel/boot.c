/* From the architecture's entry to a running system. */
#include <arch/thread_switch.h>
#include <cella/boot.h>
#include <cella/boot_memory.h>
#include <cella/console.h>
#include <cella/init_task.h>
#include <cella/interrupt.h>
#include <cella/irq.h>
#include <cella/payload.h>
#include <cella/power.h>
#include <cella/printk.h>
#include <cella/timer.h>
#include <cella/version.h>
#include <platform_config.h>

static const struct {
    paddr_t base;
    word_t size;
} ram[] = PLATFORM_RAM_REGIONS, devices[] = PLATFORM_DEVICE_REGIONS;

#ifdef CELLA_DEBUG
static const char *const device_names[] = PLATFORM_DEVICE_NAMES;
#endif

static word_t image_bytes(const char *start, const char *end)
{
    return (word_t)(end - start);
}

static void print_memory_map(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(ram); i++)
        printk("  ram     0x%010lx-0x%010lx %lu MiB\n", ram[i].base, ram[i].base + ram[i].size - 1,
               ram[i].size >> 20);
    printk("  kernel  0x%010lx-0x%010lx text %lu, rodata %lu, data %lu, bss %lu bytes\n",
           (word_t)(uintptr_t)__kernel_start, (word_t)(uintptr_t)__kernel_end - 1,
           image_bytes(__kernel_start, __text_used_end), image_bytes(__text_end, __rodata_used_end),
           image_bytes(__data_start, __data_end), image_bytes(__bss_start, __bss_end));
    for (unsigned i = 0; i < ARRAY_SIZE(devices); i++) {
        printk("  device  0x%010lx-0x%010lx", devices[i].base,
               devices[i].base + devices[i].size - 1);
        debug_printk(" %s", device_names[i]);
        printk("\n");
    }
}

static void print_banner(void)
{
    printk("\nCella %s (%s, %s) on %s\n", CELLA_VERSION, CELLA_BUILD_KIND, CELLA_COMPILER,
           PLATFORM_NAME);
    print_memory_map();
}

/* The image must carry an initializer; without one there is nothing to run. */
static void start_initializer(void)
{
    struct payload payload;
    const char *why = payload_find(&payload);
    if (why) {
        printk("Cella: %s; nothing to run, powering off\n", why);
        power_off();
    }
    boot_memory_init((paddr_t)(uintptr_t)__kernel_start, payload.base + payload.size);
    init_task_create(&payload);
    printk("  payload 0x%010lx-0x%010lx %lu bytes, initializer %lu bytes\n", payload.base,
           payload.base + payload.size - 1, payload.size, payload.initializer_size);
}

void kernel_main(void)
{
    console_init();
    print_banner();
#ifdef CELLA_BOOT_SELFTEST_PANIC
    *(volatile word_t *)0xdead0000UL = 1; /* unmapped: the panic path must report it */
#endif
    irq_controller_init();
    timer_init();
    fpu_init();
    arch_threads_init();
    start_initializer();
    interrupt_init();
    kernel_exit();
}
