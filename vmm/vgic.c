/*
 * The guest's GICv3 distributor and redistributor, emulated: enable, group,
 * priority and configuration registers, and enough identification for
 * Linux's driver. Delivery itself is the kernel's: an interrupt that is
 * asserted and enabled is injected into the VCPU's list registers.
 */
#include <string.h>

#include <abi/persona_layout.h>

#include "vmm.h"

#define MAX_IRQS 1024
#define GICD_CTLR_ENABLE_G1A (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GIC_PIDR2_V3 0x30
#define GIC_IIDR_ARM 0x0000043bu
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

static struct {
    uint32_t ctlr;
    unsigned lines; /* interrupt IDs the distributor has: 32 private ones plus SPIs */
    uint32_t enabled[MAX_IRQS / 32];
    uint32_t asserted[MAX_IRQS / 32];
    uint32_t group[MAX_IRQS / 32];
    uint32_t config[MAX_IRQS / 16];
    uint8_t priority[MAX_IRQS];
    uint64_t router[MAX_IRQS];
    uint32_t waker;
} gic;

void vgic_init(unsigned spi_count)
{
    memset(&gic, 0, sizeof(gic));
    gic.lines = 32 + spi_count;
    gic.waker = GICR_WAKER_SLEEP | GICR_WAKER_CHILDREN_ASLEEP;
}

static bool bit(const uint32_t *set, unsigned irq)
{
    return (set[irq / 32] >> (irq % 32)) & 1;
}

static void deliver_if_ready(unsigned irq)
{
    bool distributor_on = irq < 32 || (gic.ctlr & GICD_CTLR_ENABLE_G1A);
    if (bit(gic.asserted, irq) && bit(gic.enabled, irq) && distributor_on)
        vmm_inject(irq);
}

void vgic_set_level(unsigned irq, bool level)
{
    if (irq >= gic.lines)
        return;
    if (level)
        gic.asserted[irq / 32] |= 1u << (irq % 32);
    else
        gic.asserted[irq / 32] &= ~(1u << (irq % 32));
    deliver_if_ready(irq);
}

/* A set-enable or clear-enable word for the interrupts from `first` on. */
static void change_enables(unsigned first, uint32_t bits, bool set)
{
    if (first >= gic.lines)
        return;
    if (set)
        gic.enabled[first / 32] |= bits;
    else
        gic.enabled[first / 32] &= ~bits;
    for (unsigned i = 0; set && i < 32; i++)
        if (bits & (1u << i))
            deliver_if_ready(first + i);
}

/* The registers the distributor and the redistributor's SGI frame share, at the same offsets. */
static bool banked_register(struct mmio *m, uint64_t offset, unsigned first_irq)
{
    unsigned index = (unsigned)(offset & 0x7f) / 4, irq = first_irq + index * 32;
    uint32_t v = (uint32_t)m->value;
    if (offset >= 0x80 && offset < 0x100) { /* IGROUPR */
        if (m->write)
            gic.group[irq / 32 % (MAX_IRQS / 32)] = v;
        else
            m->value = gic.group[irq / 32 % (MAX_IRQS / 32)];
    } else if (offset >= 0x100 && offset < 0x200) { /* ISENABLER, ICENABLER */
        if (m->write)
            change_enables(irq, v, offset < 0x180);
        else
            m->value = irq < MAX_IRQS ? gic.enabled[irq / 32] : 0;
    } else if (offset >= 0x200 && offset < 0x400) { /* pending and active: not visible here */
        if (!m->write)
            m->value = 0;
    } else if (offset >= 0x400 && offset < 0x800) { /* IPRIORITYR, byte or word accessible */
        unsigned first = first_irq + (unsigned)(offset - 0x400);
        for (unsigned i = 0; i < m->size && first + i < MAX_IRQS; i++) {
            if (m->write)
                gic.priority[first + i] = (uint8_t)(m->value >> (8 * i));
            else
                m->value = (i ? m->value : 0) | (uint64_t)gic.priority[first + i] << (8 * i);
        }
    } else if (offset >= 0xc00 && offset < 0xd00) { /* ICFGR */
        unsigned word = first_irq / 16 + (unsigned)(offset - 0xc00) / 4;
        if (word < MAX_IRQS / 16) {
            if (m->write)
                gic.config[word] = v;
            else
                m->value = gic.config[word];
        }
    } else {
        return false;
    }
    return true;
}

static void distributor_access(struct mmio *m, uint64_t offset)
{
    if (offset >= 0x6000 && offset < 0x8000) { /* IROUTER: all to virtual CPU 0 */
        unsigned irq = (unsigned)(offset - 0x6000) / 8;
        if (m->write && irq < MAX_IRQS)
            gic.router[irq] = m->value;
        else if (!m->write)
            m->value = irq < MAX_IRQS ? gic.router[irq] : 0;
        return;
    }
    if (offset >= 0x80 && offset < 0xd00 && banked_register(m, offset, 0))
        return;
    if (m->write) {
        if (offset == 0x0) {
            gic.ctlr = (uint32_t)m->value & (GICD_CTLR_ENABLE_G1A | GICD_CTLR_ARE | 1u);
            for (unsigned irq = 32; irq < gic.lines; irq++)
                deliver_if_ready(irq);
        }
        return; /* everything else is accepted and ignored */
    }
    switch (offset) {
    case 0x0:
        m->value = gic.ctlr; /* RWP reads 0: writes take effect at once */
        break;
    case 0x4: /* TYPER: ITLinesNumber, 10 ID bits */
        m->value = ((gic.lines / 32) - 1) | (9u << 19);
        break;
    case 0x8:
        m->value = GIC_IIDR_ARM;
        break;
    case 0xffe8:
        m->value = GIC_PIDR2_V3;
        break;
    default:
        m->value = 0;
        break;
    }
}

static void redistributor_access(struct mmio *m, uint64_t offset)
{
    if (offset >= 0x10000) { /* the SGI frame: private interrupts 0-31 */
        if (!banked_register(m, offset - 0x10000, 0) && !m->write)
            m->value = 0;
        return;
    }
    if (m->write) {
        if (offset == 0x14) { /* WAKER: the redistributor wakes or sleeps as asked */
            uint32_t sleep = (uint32_t)m->value & GICR_WAKER_SLEEP;
            gic.waker = sleep | (sleep ? GICR_WAKER_CHILDREN_ASLEEP : 0);
        }
        return;
    }
    switch (offset) {
    case 0x4:
        m->value = GIC_IIDR_ARM;
        break;
    case 0x8: /* TYPER: affinity 0, processor 0, the last redistributor */
        m->value = GICR_TYPER_LAST;
        break;
    case 0xc:
        m->value = 0; /* TYPER's upper half: affinity 0.0.0.0 */
        break;
    case 0x14:
        m->value = gic.waker;
        break;
    case 0xffe8:
        m->value = GIC_PIDR2_V3;
        break;
    default:
        m->value = 0;
        break;
    }
}

const struct device vgic_distributor = { "GIC distributor", PERSONA_GICD_BASE, PERSONA_GICD_SIZE,
                                         distributor_access };
const struct device vgic_redistributor = { "GIC redistributor", PERSONA_GICR_BASE, PERSONA_GICR_SIZE,
                                           redistributor_access };
