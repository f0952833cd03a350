/*
 * The GICv3 virtual CPU interface seen from EL2: the list registers through
 * which the loaded VCPU's guest takes the interrupts injected for it, and
 * the state saved and restored with the VCPU.
 */
#include <arch/sysreg.h>
#include <arch/vcpu.h>
#include <arch/vgic.h>

#define ICH_AP0R0_EL2 S3_4_C12_C8_0
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_HCR_EL2 S3_4_C12_C11_0
#define ICH_VTR_EL2 S3_4_C12_C11_1
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define ICH_HCR_EN BIT(0)
#define ICH_LR_EOI BIT(41) /* a maintenance interrupt when the guest deactivates it */
#define ICH_LR_PENDING (1UL << 62)
#define ICH_LR_GROUP1 (1UL << 60)
#define ICH_LR_PRIORITY(p) ((word_t)(p) << 48)
#define ICH_LR_STATE (3UL << 62)

static unsigned lr_count;

void vgic_init_cpu(void)
{
    lr_count = (unsigned)(sysreg_read_enc(ICH_VTR_EL2) & 0x1f) + 1;
    if (lr_count > VGIC_MAX_LRS)
        lr_count = VGIC_MAX_LRS;
}

void vgic_init(struct vgic_state *s)
{
    s->hcr = ICH_HCR_EN;
}

/* ICH_LR<n>_EL2 by number: system registers cannot be indexed at run time. */
#define LR_CASE(n, crm, op2)                                                                       \
    case n:                                                                                        \
        if (write)                                                                                 \
            sysreg_write(S3_4_C12_##crm##_##op2, value);                                           \
        else                                                                                       \
            value = sysreg_read(S3_4_C12_##crm##_##op2);                                           \
        break;

static word_t lr_access(unsigned n, bool write, word_t value)
{
    switch (n) {
        /* clang-format off */
        LR_CASE(0, C12, 0) LR_CASE(1, C12, 1) LR_CASE(2, C12, 2) LR_CASE(3, C12, 3)
        LR_CASE(4, C12, 4) LR_CASE(5, C12, 5) LR_CASE(6, C12, 6) LR_CASE(7, C12, 7)
        LR_CASE(8, C13, 0) LR_CASE(9, C13, 1) LR_CASE(10, C13, 2) LR_CASE(11, C13, 3)
        LR_CASE(12, C13, 4) LR_CASE(13, C13, 5) LR_CASE(14, C13, 6) LR_CASE(15, C13, 7)
    default:
        break;
        /* clang-format on */
    }
    return value;
}

void vgic_save(struct vgic_state *s)
{
    s->vmcr = sysreg_read_enc(ICH_VMCR_EL2);
    s->ap0r0 = sysreg_read_enc(ICH_AP0R0_EL2);
    s->ap1r0 = sysreg_read_enc(ICH_AP1R0_EL2);
    for (unsigned i = 0; i < lr_count; i++)
        s->lr[i] = lr_access(i, false, 0);
}

void vgic_load(const struct vgic_state *s)
{
    sysreg_write_enc(ICH_VMCR_EL2, s->vmcr);
    sysreg_write_enc(ICH_AP0R0_EL2, s->ap0r0);
    sysreg_write_enc(ICH_AP1R0_EL2, s->ap1r0);
    for (unsigned i = 0; i < lr_count; i++)
        lr_access(i, true, s->lr[i]);
    sysreg_write_enc(ICH_HCR_EL2, s->hcr);
    isb();
}

void vgic_disable(void)
{
    sysreg_write_enc(ICH_HCR_EL2, 0);
}

_Static_assert(ARRAY_SIZE(((struct vcpu *)0)->pending) <= WORD_BITS, "one summary bit per word");

bool vgic_has_queued(const struct vcpu *v)
{
    return v->pending_words != 0;
}

/* An interrupt may be in one list register at most: one already there waits its turn. */
static bool in_a_register(unsigned virq, word_t free)
{
    for (unsigned i = 0; i < lr_count; i++)
        if (!(free & BIT(i)) && (lr_access(i, false, 0) & MASK(32)) == virq)
            return true;
    return false;
}

/*
 * List registers whose interrupt the guest has finished. ICH_ELRSR_EL2 cannot
 * say: it counts a finished register that asked for an EOI maintenance
 * interrupt as occupied, and that request stays asserted until the register
 * is cleared, so those are cleared here.
 */
static word_t reclaim_finished(void)
{
    word_t free = 0;
    for (unsigned i = 0; i < lr_count; i++) {
        word_t lr = lr_access(i, false, 0);
        if (lr & ICH_LR_STATE)
            continue;
        if (lr)
            lr_access(i, true, 0);
        free |= BIT(i);
    }
    return free;
}

bool vgic_any_register_pending(void)
{
    for (unsigned i = 0; i < lr_count; i++)
        if (lr_access(i, false, 0) & ICH_LR_PENDING)
            return true;
    return false;
}

/*
 * Moves queued interrupts into free list registers. While some still wait,
 * every occupied register asks for an EOI maintenance interrupt, so the
 * next one goes in as soon as the guest finishes one.
 */
void vgic_refill(struct vcpu *v)
{
    word_t free = reclaim_finished();
    for (word_t words = v->pending_words; words; words &= words - 1) {
        unsigned w = (unsigned)__builtin_ctzl(words);
        word_t candidates = v->pending[w];
        while (candidates) {
            unsigned bit = (unsigned)__builtin_ctzl(candidates), virq = w * WORD_BITS + bit;
            candidates &= ~BIT(bit);
            if (in_a_register(virq, free))
                continue;
            unsigned lr = free ? (unsigned)__builtin_ctzl(free) : lr_count;
            if (lr >= lr_count)
                break;
            lr_access(lr, true, ICH_LR_PENDING | ICH_LR_GROUP1 | ICH_LR_PRIORITY(0xa0) | virq);
            v->pending[w] &= ~BIT(bit);
            free &= ~BIT(lr);
        }
        if (!v->pending[w])
            v->pending_words &= ~BIT(w);
    }
    if (vgic_has_queued(v))
        for (unsigned i = 0; i < lr_count; i++)
            if (!(free & BIT(i)))
                lr_access(i, true, lr_access(i, false, 0) | ICH_LR_EOI);
    v->vgic.hcr = ICH_HCR_EN;
    sysreg_write_enc(ICH_HCR_EL2, v->vgic.hcr);
    isb();
}
