/*
 * How the program was started (the arm64 Linux boot protocol, which both
 * QEMU and Cella follow for an Image) and the firmware interface, PSCI.
 */
#include "conformance.h"

#define FDT_MAGIC 0xd00dfeedu
#define SCTLR_M BIT(0)
#define SCTLR_C BIT(2)
#define DAIF_ALL (0xfUL << 6)

#define PSCI_VERSION 0x84000000u
#define PSCI_FEATURES 0x8400000au
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define AFFINITY_ON 0

int64_t psci(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = function;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return (int64_t)x0;
}

static uint32_t big_endian32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* EL1, MMU and data cache off, every exception masked. */
bool test_boot_state(void)
{
    if (boot_state.current_el >> 2 != 1)
        return fail("entered at EL%lu", (unsigned long)(boot_state.current_el >> 2));
    if ((boot_state.daif & DAIF_ALL) != DAIF_ALL)
        return fail("DAIF %#lx at entry, not all masked", (unsigned long)boot_state.daif);
    if (boot_state.sctlr & (SCTLR_M | SCTLR_C))
        return fail("SCTLR_EL1 %#lx at entry: MMU or data cache on",
                    (unsigned long)boot_state.sctlr);
    return true;
}

bool test_boot_registers(void)
{
    for (unsigned i = 1; i < 4; i++)
        if (boot_state.x[i])
            return fail("x%u is %#lx at entry, not 0", i, (unsigned long)boot_state.x[i]);
    return true;
}

/*
 * x0 is a device tree, 8-byte aligned, within the first 512 MiB of RAM and
 * after the image (its bss included), as the boot protocol and QEMU place it.
 */
bool test_boot_device_tree(void)
{
    uint64_t dtb = boot_state.x[0];
    if (dtb < RAM_BASE || dtb >= RAM_BASE + RAM_SIZE || (dtb & 7))
        return fail("x0 %#lx is not an aligned address in RAM", (unsigned long)dtb);
    uint32_t magic = big_endian32((const void *)dtb);
    uint32_t size = big_endian32((const void *)(dtb + 4));
    if (magic != FDT_MAGIC || size < 40 || size > (2u << 20))
        return fail("no device tree at %#lx (magic %#x, size %u)", (unsigned long)dtb, magic, size);
    if (dtb < (uint64_t)_image_end)
        return fail("device tree at %#lx, below the image's end %#lx", (unsigned long)dtb,
                    (unsigned long)_image_end);
    if (dtb + size > RAM_BASE + (512UL << 20))
        return fail("device tree at %#lx ends past the first 512 MiB", (unsigned long)dtb);
    return true;
}

bool test_psci_version(void)
{
    int64_t v = psci(PSCI_VERSION, 0, 0, 0);
    if (v < 0x10001)
        return fail("PSCI_VERSION %#lx, below 1.1", (unsigned long)v);
    return true;
}

/* What PSCI 1.1 makes mandatory, in the SMC64 forms a 64-bit caller uses. */
bool test_psci_mandatory(void)
{
    static const uint32_t mandatory[] = { 0x84000000, 0xc4000001, 0x84000002, 0xc4000003,
                                          0xc4000004, 0x84000008, 0x84000009, 0x8400000a };
    for (unsigned i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
        int64_t r = psci(PSCI_FEATURES, mandatory[i], 0, 0);
        if (r < 0)
            return fail("PSCI_FEATURES(%#x) is %ld", mandatory[i], (long)r);
    }
    return true;
}

bool test_psci_unknown(void)
{
    static const uint32_t unknown[] = { 0x8400001f, 0xc400001f, 0x84000100, 0x12345678 };
    for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        int64_t r = psci(PSCI_FEATURES, unknown[i], 0, 0);
        if (r != PSCI_NOT_SUPPORTED)
            return fail("PSCI_FEATURES(%#x) is %ld, not NOT_SUPPORTED", unknown[i], (long)r);
    }
    return true;
}

/*
 * PSCI_FEATURES is truthful: a function it calls unsupported answers
 * NOT_SUPPORTED when called, and one it calls supported does not. Functions
 * that would stop or suspend this program are only called when PSCI_FEATURES
 * says they are not there.
 */
struct psci_probe {
    uint32_t function;
    bool safe;
    uint64_t a1, a2, a3;
};

bool test_psci_truthful(void)
{
    static const struct psci_probe probes[] = {
        { 0x84000000, true, 0, 0, 0 },           /* PSCI_VERSION */
        { 0x84000003, true, 0, RAM_BASE, 0 },    /* CPU_ON of CPU 0 (on already), SMC32 */
        { 0xc4000003, true, 0, RAM_BASE, 0 },    /* and SMC64 */
        { 0x84000004, true, 0, 0, 0 },           /* AFFINITY_INFO of CPU 0 */
        { 0xc4000004, true, 0, 0, 0 },           /* */
        { 0x84000005, false, 0, 0, 0 },          /* MIGRATE */
        { 0xc4000005, false, 0, 0, 0 },          /* */
        { 0x84000006, true, 0, 0, 0 },           /* MIGRATE_INFO_TYPE */
        { 0x84000007, true, 0, 0, 0 },           /* MIGRATE_INFO_UP_CPU */
        { 0xc4000007, true, 0, 0, 0 },           /* */
        { 0x8400000b, false, 0, 0, 0 },          /* CPU_FREEZE */
        { 0xc400000c, false, RAM_BASE, 0, 0 },   /* CPU_DEFAULT_SUSPEND */
        { 0xc400000d, true, 0, 0, 0 },           /* NODE_HW_STATE of CPU 0 */
        { 0xc400000e, false, RAM_BASE, 0, 0 },   /* SYSTEM_SUSPEND */
        { 0x8400000f, false, 0, 0, 0 },          /* PSCI_SET_SUSPEND_MODE */
        { 0xc4000010, true, 0, 0, 0 },           /* PSCI_STAT_RESIDENCY */
        { 0xc4000011, true, 0, 0, 0 },           /* PSCI_STAT_COUNT */
        { 0xc4000012, false, 0, 0, 0 },          /* SYSTEM_RESET2 */
        { 0x84000013, false, 0, 0, 0 },          /* MEM_PROTECT */
        { 0xc4000014, true, RAM_BASE, 4096, 0 }, /* MEM_PROTECT_CHECK_RANGE */
    };
    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        const struct psci_probe *p = &probes[i];
        bool claimed = psci(PSCI_FEATURES, p->function, 0, 0) != PSCI_NOT_SUPPORTED;
        if (claimed && !p->safe)
            continue;
        int64_t r = psci(p->function, p->a1, p->a2, p->a3);
        if (claimed != (r != PSCI_NOT_SUPPORTED))
            return fail("PSCI_FEATURES(%#x) says %s, but the call answers %ld", p->function,
                        claimed ? "supported" : "not supported", (long)r);
    }
    return true;
}

bool test_psci_affinity(void)
{
    int64_t self = psci(0xc4000004, 0, 0, 0), absent = psci(0xc4000004, 7, 0, 0);
    if (self != AFFINITY_ON)
        return fail("AFFINITY_INFO(CPU 0) is %ld, not ON", (long)self);
    if (absent != PSCI_INVALID_PARAMETERS)
        return fail("AFFINITY_INFO(CPU 7, absent) is %ld, not INVALID_PARAMETERS", (long)absent);
    int64_t on = psci(0xc4000003, 0, RAM_BASE, 0);
    if (on != PSCI_ALREADY_ON)
        return fail("CPU_ON(CPU 0, running) is %ld, not ALREADY_ON", (long)on);
    return true;
}
