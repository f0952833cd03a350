/*
 * The guest's GICv3 distributor and redistributors, emulated: enable, group,
 * priority, configuration and routing registers, and enough identification
 * for Linux's driver. Interrupts 0-31 (SGIs and PPIs) are each virtual
 * CPU's own, set up through its redistributor's SGI frame; shared ones (SPIs)
 * go to the CPU their router names. Delivery itself is the kernel's: an
 * interrupt that is asserted and enabled is injected into the target VCPU's
 * list registers.
 */
#include <stddef.h>
#include <string.h>

#include <abi/persona_layout.h>

#include "vmm.h"

#define MAX_IRQS 1024
#define PRIVATE_IRQS 32
#define GICD_CTLR_ENABLE_G1A (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GIC_PIDR2_V3 0x30
#define GIC_IIDR_ARM 0x0000043bu
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_FRAME 0x10000
#define IROUTER_ANY (1ULL << 31)

/* What each virtual CPU has of its own: its SGIs and PPIs, and its redistributor's WAKER. */
struct private_irqs {
    uint32_t enabled, asserted, group;
    uint32_t config[2];
    uint8_t priority[PRIVATE_IRQS];
    uint32_t waker;
};

static struct {
    uint32_t ctlr;
    unsigned lines; /* interrupt IDs the distributor has: 32 private ones plus SPIs */
    unsigned cpus;
    uint32_t enabled[MAX_IRQS / 32]; /* the shared ones' state; words 0 unused */
    uint32_t asserted[MAX_IRQS / 32];
    uint32_t group[MAX_IRQS / 32];
    uint32_t config[MAX_IRQS / 16];
    uint8_t priority[MAX_IRQS];
    uint64_t router[MAX_IRQS];
    struct private_irqs cpu[PERSONA_MAX_VCPUS];
} gic;

void vgic_init(unsigned spi_count, unsigned cpus)
{
    memset(&gic, 0, sizeof(gic));
    gic.lines = PRIVATE_IRQS + spi_count;
    gic.cpus = cpus;
    for (unsigned c = 0; c < cpus; c++) {
        gic.cpu[c].waker = GICR_WAKER_SLEEP | GICR_WAKER_CHILDREN_ASLEEP;
        gic.cpu[c].config[0] = 0xaaaaaaaau; /* SGIs are edge-triggered, read-only */
    }
}

/* The word of a bit set that holds irq, for CPU cpu (the shared word for SPIs). */
static uint32_t *word_of(uint32_t *shared, size_t private_offset, unsigned cpu, unsigned irq)
{
    if (irq < PRIVATE_IRQS)
        return (uint32_t *)((uint8_t *)&gic.cpu[cpu] + private_offset);
    return &shared[irq / 32];
}

#define ENABLED(cpu, irq) word_of(gic.enabled, offsetof(struct private_irqs, enabled), cpu, irq)
#define ASSERTED(cpu, irq) word_of(gic.asserted, offsetof(struct private_irqs, asserted), cpu, irq)
#define GROUP(cpu, irq) word_of(gic.group, offsetof(struct private_irqs, group), cpu, irq)

static bool bit(const uint32_t *word, unsigned irq)
{
    return (*word >> (irq % 32)) & 1;
}

/* An SPI goes to the CPU its router names, or to CPU 0 when that is none of ours. */
static unsigned target_of(unsigned irq)
{
    uint64_t aff0 = gic.router[irq] & 0xff;
    return (gic.router[irq] & IROUTER_ANY) || aff0 >= gic.cpus ? 0 : (unsigned)aff0;
}

static void deliver_if_ready(unsigned cpu, unsigned irq)
{
    bool distributor_on = irq < PRIVATE_IRQS || (gic.ctlr & GICD_CTLR_ENABLE_G1A);
    if (irq >= PRIVATE_IRQS)
        cpu = target_of(irq);
    if (bit(ASSERTED(cpu, irq), irq) && bit(ENABLED(cpu, irq), irq) && distributor_on)
        vmm_inject(cpu, irq);
}

void vgic_set_level(unsigned irq, bool level)
{
    if (irq < PRIVATE_IRQS || irq >= gic.lines)
        return;
    if (level)
        gic.asserted[irq / 32] |= 1u << (irq % 32);
    else
        gic.asserted[irq / 32] &= ~(1u << (irq % 32));
    deliver_if_ready(0, irq);
}

void vgic_send_sgi(unsigned cpu, unsigned sgi)
{
    if (cpu < gic.cpus && sgi < 16 && bit(&gic.cpu[cpu].enabled, sgi))
        vmm_inject(cpu, sgi);
}

/* A set-enable or clear-enable word for the interrupts from `first` on. */
static void change_enables(unsigned cpu, unsigned first, uint32_t bits, bool set)
{
    if (first >= gic.lines)
        return;
    uint32_t *word = ENABLED(cpu, first);
    *word = set ? *word | bits : *word & ~bits;
    for (unsigned i = 0; set && i < 32; i++)
        if (bits & (1u << i))
            deliver_if_ready(cpu, first + i);
}

static void priority_access(struct mmio *m, unsigned cpu, unsigned first)
{
    for (unsigned i = 0; i < m->size && first + i < MAX_IRQS; i++) {
        unsigned irq = first + i;
        uint8_t *p = irq < PRIVATE_IRQS ? &gic.cpu[cpu].priority[irq] : &gic.priority[irq];
        if (m->write)
            *p = (uint8_t)(m->value >> (8 * i));
        else
            m->value = (i ? m->value : 0) | (uint64_t)*p << (8 * i);
    }
}

static void config_access(struct mmio *m, unsigned cpu, unsigned word)
{
    uint32_t *p = word < 2               ? &gic.cpu[cpu].config[word]
                  : word < MAX_IRQS / 16 ? &gic.config[word]
                                         : NULL;
    if (!p)
        m->value = 0;
    else if (!m->write)
        m->value = *p;
    else if (word != 0) /* SGIs stay edge-triggered */
        *p = (uint32_t)m->value;
}

/*
 * The registers the distributor (for SPIs) and a redistributor's SGI frame
 * (for its CPU's interrupts 0-31) share, at the same offsets.
 */
static bool common_register(struct mmio *m, uint64_t offset, unsigned cpu, bool private)
{
    unsigned index = (unsigned)(offset & 0x7f) / 4, irq = index * 32;
    if (private != (irq < PRIVATE_IRQS) && offset < 0x400) {
        if (!m->write) /* each side sees only its own interrupts */
            m->value = 0;
        return offset >= 0x80;
    }
    if (offset >= 0x80 && offset < 0x100) { /* IGROUPR */
        uint32_t *word = GROUP(cpu, irq);
        if (m->write)
            *word = (uint32_t)m->value;
        else
            m->value = *word;
    } else if (offset >= 0x100 && offset < 0x200) { /* ISENABLER, ICENABLER */
        if (m->write)
            change_enables(cpu, irq, (uint32_t)m->value, offset < 0x180);
        else
            m->value = irq < gic.lines ? *ENABLED(cpu, irq) : 0;
    } else if (offset >= 0x200 && offset < 0x400) { /* pending and active: not visible here */
        if (!m->write)
            m->value = 0;
    } else if (offset >= 0x400 && offset < 0x800) { /* IPRIORITYR, byte or word accessible */
        unsigned first = (unsigned)(offset - 0x400);
        if (private == (first < PRIVATE_IRQS))
            priority_access(m, cpu, first);
        else if (!m->write)
            m->value = 0;
    } else if (offset >= 0xc00 && offset < 0xd00) { /* ICFGR: two words per 32 interrupts */
        unsigned word = (unsigned)(offset - 0xc00) / 4;
        if (private == (word < 2))
            config_access(m, cpu, word);
        else if (!m->write)
            m->value = 0;
    } else {
        return false;
    }
    return true;
}

static void distributor_write(uint64_t offset, uint64_t value)
{
    if (offset != 0x0)
        return; /* everything else is accepted and ignored */
    gic.ctlr = (uint32_t)value & (GICD_CTLR_ENABLE_G1A | GICD_CTLR_ARE | 1u);
    for (unsigned irq = PRIVATE_IRQS; irq < gic.lines; irq++)
        deliver_if_ready(0, irq);
}

static void distributor_access(struct mmio *m, uint64_t offset)
{
    if (offset >= 0x6000 && offset < 0x8000) { /* IROUTER */
        unsigned irq = (unsigned)(offset - 0x6000) / 8;
        if (m->write && irq >= PRIVATE_IRQS && irq < MAX_IRQS)
            gic.router[irq] = m->value;
        else if (!m->write)
            m->value = irq < MAX_IRQS ? gic.router[irq] : 0;
        return;
    }
    if (offset >= 0x80 && offset < 0xd00 && common_register(m, offset, 0, false))
        return;
    if (m->write) {
        distributor_write(offset, m->value);
        return;
    }
    switch (offset) {
    case 0x0:
        m->value = gic.ctlr;
        break; /* RWP reads 0: writes take effect at once */
    case 0x4:
        m->value = ((gic.lines / 32) - 1) | (9u << 19);
        break; /* TYPER: lines, 10 ID bits */
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

/* TYPER: this redistributor's processor number and affinity (Aff0 = the CPU's number). */
static uint64_t redistributor_typer(unsigned cpu)
{
    return ((uint64_t)cpu << 32) | ((uint64_t)cpu << 8) |
           (cpu + 1 == gic.cpus ? GICR_TYPER_LAST : 0);
}

static void redistributor_access(struct mmio *m, uint64_t offset)
{
    unsigned cpu = (unsigned)(offset / PERSONA_GICR_STRIDE);
    offset %= PERSONA_GICR_STRIDE;
    if (cpu >= gic.cpus) {
        m->value = 0; /* room for more CPUs than this persona has */
        return;
    }
    if (offset >= GICR_SGI_FRAME) {
        if (!common_register(m, offset - GICR_SGI_FRAME, cpu, true) && !m->write)
            m->value = 0;
        return;
    }
    struct private_irqs *p = &gic.cpu[cpu];
    if (m->write) {
        if (offset == 0x14) { /* WAKER: the redistributor wakes or sleeps as asked */
            uint32_t sleep = (uint32_t)m->value & GICR_WAKER_SLEEP;
            p->waker = sleep | (sleep ? GICR_WAKER_CHILDREN_ASLEEP : 0);
        }
        return;
    }
    uint64_t typer = redistributor_typer(cpu);
    switch (offset) {
    case 0x4:
        m->value = GIC_IIDR_ARM;
        break;
    case 0x8:
        m->value = m->size == 8 ? typer : (uint32_t)typer;
        break;
    case 0xc:
        m->value = typer >> 32;
        break;
    case 0x14:
        m->value = p->waker;
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
const struct device vgic_redistributor = { "GIC redistributors", PERSONA_GICR_BASE,
                                           PERSONA_GICR_SIZE, redistributor_access };
