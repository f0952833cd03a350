/* The guest's own GICv3 driver: one CPU, every interrupt Group 1 at one priority. */
#include "conformance.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP BIT(31)
#define GICD_CTLR_ENABLE_G1 BIT(1)
#define GICD_CTLR_ARE BIT(4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)
#define GIC_IGROUPR 0x0080
#define GIC_ISENABLER 0x0100
#define GIC_ICENABLER 0x0180
#define GIC_ICPENDR 0x0280
#define GIC_ICACTIVER 0x0380
#define GIC_IPRIORITYR 0x0400
#define PRIORITY 0xa0

#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

static void distributor_wait(void)
{
    while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
        ;
}

void gic_init(void)
{
    mmio_write32(GICD_BASE + GICD_CTLR, 0);
    distributor_wait();
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
    distributor_wait();
    mmio_write32(GICR_BASE + GICR_WAKER, mmio_read32(GICR_BASE + GICR_WAKER) & ~GICR_WAKER_SLEEP);
    while (mmio_read32(GICR_BASE + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
        ;
    mmio_write32(GICR_SGI_BASE + GIC_IGROUPR, ~0u);
    for (unsigned i = 0; i < 32; i += 4)
        mmio_write32(GICR_SGI_BASE + GIC_IPRIORITYR + i, PRIORITY * 0x01010101u);
    gic_quiesce();
    write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
    isb();
    write_sysreg(ICC_PMR_EL1, 0xff);
    write_sysreg(ICC_BPR1_EL1, 0);
    write_sysreg(ICC_CTLR_EL1, 0);
    write_sysreg(ICC_IGRPEN1_EL1, 1);
    isb();
}

/* Every private interrupt disabled, not pending and not active: how each test starts. */
void gic_quiesce(void)
{
    mmio_write32(GICR_SGI_BASE + GIC_ICENABLER, ~0u);
    mmio_write32(GICR_SGI_BASE + GIC_ICPENDR, ~0u);
    mmio_write32(GICR_SGI_BASE + GIC_ICACTIVER, ~0u);
}

void gic_enable_private(unsigned intid)
{
    mmio_write32(GICR_SGI_BASE + GIC_ISENABLER, 1u << intid);
}

void gic_disable_private(unsigned intid)
{
    mmio_write32(GICR_SGI_BASE + GIC_ICENABLER, 1u << intid);
}

/* To CPU 0 by target list (Aff3-1 zero): the CPU this program runs on. */
void gic_send_sgi_to_self(unsigned sgi)
{
    write_sysreg(ICC_SGI1R_EL1, ((uint64_t)sgi << 24) | 1);
    isb();
}
