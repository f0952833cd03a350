/*
 * The interrupt controller as software sees it: SGIs delivered, and the
 * pending and active state of private (redistributor) and shared
 * (distributor) interrupts readable and changeable through ISPENDR,
 * ICPENDR, ISACTIVER and ICACTIVER, whoever holds that state.
 */
#include "conformance.h"

#define GIC_IGROUPR 0x0080
#define GIC_ISENABLER 0x0100
#define GIC_ICENABLER 0x0180
#define GIC_ISPENDR 0x0200
#define GIC_ICPENDR 0x0280
#define GIC_ISACTIVER 0x0300
#define GIC_ICACTIVER 0x0380
#define GIC_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define TEST_SPI 90 /* free on QEMU's virt and in a persona */
#define NO_IRQ_MS 5
#define IRQ_MS 200

static bool private_bit(unsigned offset, unsigned intid)
{
    return (mmio_read32(GICR_SGI_BASE + offset) >> intid) & 1;
}

static bool shared_bit(unsigned offset, unsigned intid)
{
    return (mmio_read32(GICD_BASE + offset + intid / 32 * 4) >> (intid % 32)) & 1;
}

static void shared_set(unsigned offset, unsigned intid)
{
    mmio_write32(GICD_BASE + offset + intid / 32 * 4, 1u << (intid % 32));
}

/* Unmasks interrupts for a while: true if intid was taken (at least once) meanwhile. */
static bool taken_when_unmasked(unsigned intid, unsigned ms)
{
    unsigned before = irq_count[intid];
    irqs_on();
    bool changed = wait_for_change(&irq_count[intid], before, ms);
    irqs_off();
    return changed;
}

bool test_gic_sgi_delivered(void)
{
    gic_enable_private(1);
    gic_send_sgi_to_self(1);
    if (!taken_when_unmasked(1, IRQ_MS))
        return fail("SGI 1 never arrived");
    return true;
}

/* A pending SGI shows in ISPENDR0; cleared through ICPENDR0, it is never taken. */
bool test_gic_sgi_pending_visible(void)
{
    gic_enable_private(2);
    gic_send_sgi_to_self(2);
    if (!private_bit(GIC_ISPENDR, 2))
        return fail("SGI 2 sent with interrupts masked: not pending in ISPENDR0");
    mmio_write32(GICR_SGI_BASE + GIC_ICPENDR, 1u << 2);
    if (private_bit(GIC_ISPENDR, 2))
        return fail("SGI 2 still pending after ICPENDR0");
    if (taken_when_unmasked(2, NO_IRQ_MS))
        return fail("SGI 2 taken after its pending state was cleared");
    return true;
}

static volatile bool active_in_handler;

static void note_active(unsigned intid)
{
    if (intid == 3)
        active_in_handler = private_bit(GIC_ISACTIVER, 3);
}

/* While the handler runs the SGI is active; after its EOI it is not. */
bool test_gic_sgi_active_visible(void)
{
    active_in_handler = false;
    irq_hook = note_active;
    gic_enable_private(3);
    gic_send_sgi_to_self(3);
    if (!taken_when_unmasked(3, IRQ_MS))
        return fail("SGI 3 never arrived");
    if (!active_in_handler)
        return fail("SGI 3 not active in ISACTIVER0 while being handled");
    if (private_bit(GIC_ISACTIVER, 3))
        return fail("SGI 3 still active after its EOI");
    return true;
}

/* Software makes an interrupt pending through ISPENDR0, and it is taken. */
bool test_gic_set_pending(void)
{
    gic_enable_private(4);
    mmio_write32(GICR_SGI_BASE + GIC_ISPENDR, 1u << 4);
    if (!private_bit(GIC_ISPENDR, 4))
        return fail("SGI 4 not pending after ISPENDR0");
    if (!taken_when_unmasked(4, IRQ_MS))
        return fail("SGI 4, set pending, never arrived");
    return true;
}

/* A disabled interrupt still becomes pending; it is taken once enabled. */
bool test_gic_pending_while_disabled(void)
{
    gic_disable_private(5);
    gic_send_sgi_to_self(5);
    if (!private_bit(GIC_ISPENDR, 5))
        return fail("SGI 5 sent while disabled: not pending");
    if (taken_when_unmasked(5, NO_IRQ_MS))
        return fail("SGI 5 taken while disabled");
    gic_enable_private(5);
    if (!taken_when_unmasked(5, IRQ_MS))
        return fail("SGI 5 not taken once enabled");
    return true;
}

bool test_gic_active_set_clear(void)
{
    mmio_write32(GICR_SGI_BASE + GIC_ISACTIVER, 1u << 6);
    if (!private_bit(GIC_ISACTIVER, 6))
        return fail("SGI 6 not active after ISACTIVER0");
    mmio_write32(GICR_SGI_BASE + GIC_ICACTIVER, 1u << 6);
    if (private_bit(GIC_ISACTIVER, 6))
        return fail("SGI 6 still active after ICACTIVER0");
    return true;
}

static void spi_setup(void)
{
    mmio_write32(GICD_BASE + GIC_IGROUPR + TEST_SPI / 32 * 4,
                 mmio_read32(GICD_BASE + GIC_IGROUPR + TEST_SPI / 32 * 4) | 1u << (TEST_SPI % 32));
    *(volatile uint8_t *)(GICD_BASE + GIC_IPRIORITYR + TEST_SPI) = 0xa0;
    *(volatile uint64_t *)(GICD_BASE + GICD_IROUTER + TEST_SPI * 8) = 0; /* CPU 0 */
    shared_set(GIC_ISENABLER, TEST_SPI);
}

void spi_cleanup(void)
{
    shared_set(GIC_ICENABLER, TEST_SPI);
    shared_set(GIC_ICPENDR, TEST_SPI);
    shared_set(GIC_ICACTIVER, TEST_SPI);
}

bool test_gic_spi_set_pending(void)
{
    spi_setup();
    shared_set(GIC_ISPENDR, TEST_SPI);
    if (!shared_bit(GIC_ISPENDR, TEST_SPI))
        return fail("SPI %u not pending after GICD_ISPENDR", TEST_SPI);
    if (!taken_when_unmasked(TEST_SPI, IRQ_MS))
        return fail("SPI %u, set pending, never arrived", TEST_SPI);
    if (shared_bit(GIC_ISPENDR, TEST_SPI) || shared_bit(GIC_ISACTIVER, TEST_SPI))
        return fail("SPI %u still pending or active after it was handled", TEST_SPI);
    return true;
}

bool test_gic_spi_clear_pending(void)
{
    spi_setup();
    shared_set(GIC_ISPENDR, TEST_SPI);
    shared_set(GIC_ICPENDR, TEST_SPI);
    if (shared_bit(GIC_ISPENDR, TEST_SPI))
        return fail("SPI %u still pending after GICD_ICPENDR", TEST_SPI);
    if (taken_when_unmasked(TEST_SPI, NO_IRQ_MS))
        return fail("SPI %u taken after its pending state was cleared", TEST_SPI);
    return true;
}
