/*
 * GICv3: distributor, this CPU's redistributor, and the system-register CPU
 * interface. All interrupts are Group 1, level-sensitive unless firmware
 * says otherwise, and routed to the boot CPU.
 */
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <cella/irq.h>
#include <cella/panic.h>
#include <platform_config.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)

#define GICR_FRAME_SIZE 0x20000
#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI 0x10000 /* SGI_base frame: SGIs and PPIs */

#define DEFAULT_PRIORITY 0xa0u
#define FIRST_SPI 32u
#define ICC_SRE_ENABLE_ALL 0xfu /* SRE, DFB, DIB, and EL1 may use SRE */

static paddr_t redistributor;
static unsigned irq_count;

static void gicd_wait_for_writes(void)
{
    while (mmio_read32(PLATFORM_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
        ;
}

static uint32_t mpidr_affinity(void)
{
    word_t mpidr = sysreg_read(mpidr_el1);
    return (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24));
}

/* Finds the redistributor frame whose affinity matches this CPU. */
static paddr_t find_redistributor(void)
{
    for (paddr_t frame = PLATFORM_GICR_BASE; frame < PLATFORM_GICR_BASE + PLATFORM_GICR_SIZE;
         frame += GICR_FRAME_SIZE) {
        uint64_t typer =
            mmio_read32(frame + GICR_TYPER) | (uint64_t)mmio_read32(frame + GICR_TYPER + 4) << 32;
        if ((uint32_t)(typer >> 32) == mpidr_affinity())
            return frame;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    panic("gicv3: no redistributor for this CPU");
}

static void distributor_init(void)
{
    irq_count = ((mmio_read32(PLATFORM_GICD_BASE + GICD_TYPER) & 0x1f) + 1) * 32;
    if (irq_count > IRQ_NONE)
        irq_count = IRQ_NONE;
    mmio_write32(PLATFORM_GICD_BASE + GICD_CTLR, 0);
    gicd_wait_for_writes();
    for (unsigned irq = FIRST_SPI; irq < irq_count; irq += 32) {
        mmio_write32(PLATFORM_GICD_BASE + GICD_ICENABLER + irq / 8, ~0u);
        mmio_write32(PLATFORM_GICD_BASE + GICD_IGROUPR + irq / 8, ~0u);
    }
    for (unsigned irq = FIRST_SPI; irq < irq_count; irq += 4)
        mmio_write32(PLATFORM_GICD_BASE + GICD_IPRIORITYR + irq, DEFAULT_PRIORITY * 0x01010101u);
    for (unsigned irq = FIRST_SPI; irq < irq_count; irq++)
        mmio_write64(PLATFORM_GICD_BASE + GICD_IROUTER + irq * 8, mpidr_affinity() & 0xffffff);
    gicd_wait_for_writes();
    mmio_write32(PLATFORM_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
    gicd_wait_for_writes();
}

static void redistributor_init(void)
{
    redistributor = find_redistributor();
    uint32_t waker = mmio_read32(redistributor + GICR_WAKER);
    mmio_write32(redistributor + GICR_WAKER, waker & ~GICR_WAKER_SLEEP);
    while (mmio_read32(redistributor + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
        ;
    paddr_t sgi = redistributor + GICR_SGI;
    mmio_write32(sgi + GICD_ICENABLER, ~0u);
    mmio_write32(sgi + GICD_IGROUPR, ~0u);
    for (unsigned irq = 0; irq < FIRST_SPI; irq += 4)
        mmio_write32(sgi + GICD_IPRIORITYR + irq, DEFAULT_PRIORITY * 0x01010101u);
}

static void cpu_interface_init(void)
{
    sysreg_write_enc(ICC_SRE_EL2, ICC_SRE_ENABLE_ALL);
    isb();
    sysreg_write_enc(ICC_PMR_EL1, 0xff);
    sysreg_write_enc(ICC_BPR1_EL1, 0);
    sysreg_write_enc(ICC_CTLR_EL1, 0); /* EOI both drops priority and deactivates */
    sysreg_write_enc(ICC_IGRPEN1_EL1, 1);
    isb();
}

void irq_controller_init(void)
{
    distributor_init();
    redistributor_init();
    cpu_interface_init();
}

/* Private interrupts live in the redistributor, shared ones in the distributor. */
static paddr_t enable_register(unsigned irq, unsigned offset)
{
    paddr_t base = irq < FIRST_SPI ? redistributor + GICR_SGI : PLATFORM_GICD_BASE;
    return base + offset + (irq / 32) * 4;
}

void irq_enable(unsigned irq)
{
    if (irq < irq_count)
        mmio_write32(enable_register(irq, GICD_ISENABLER), 1u << (irq % 32));
}

void irq_disable(unsigned irq)
{
    if (irq < irq_count)
        mmio_write32(enable_register(irq, GICD_ICENABLER), 1u << (irq % 32));
}

unsigned irq_acknowledge(void)
{
    unsigned irq = (unsigned)sysreg_read_enc(ICC_IAR1_EL1) & 0xffffff;
    return irq >= IRQ_NONE ? IRQ_NONE : irq;
}

void irq_end(unsigned irq)
{
    sysreg_write_enc(ICC_EOIR1_EL1, irq);
    isb();
}

unsigned irq_line_count(void)
{
    return irq_count;
}
