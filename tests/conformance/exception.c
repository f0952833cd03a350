/*
 * The guest's exception handling: synchronous exceptions a test expects are
 * recorded and resumed as it says; interrupts are acknowledged, counted and
 * ended; anything else fails the running test and recovers to the next one.
 */
#include "conformance.h"

#define EC_SVC64 0x15
#define SVC_EL0_RETURN 0x1e1
#define SPSR_EL1H_MASKED 0x3c5
#define INTID_SPURIOUS 1020

volatile struct taken taken;
volatile unsigned irq_count[1024];
void (*volatile irq_hook)(unsigned intid);

static sync_hook hook;
static bool expecting;

extern char recovered[], el0_returned[];

void exception(struct frame *f, unsigned vector);

void expect_exceptions(sync_hook h)
{
    taken = (struct taken){ 0 };
    hook = h;
    expecting = true;
}

void expect_none(void)
{
    expecting = false;
    hook = NULL;
}

void resume_at_lr(struct frame *f)
{
    f->elr = f->x[30];
}

void resume_same(struct frame *f)
{
    (void)f;
}

static void interrupt(void)
{
    unsigned intid = (unsigned)read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */
    if (intid >= INTID_SPURIOUS)
        return;
    irq_count[intid]++;
    if (irq_hook)
        irq_hook(intid);
    write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1: priority drop and deactivation */
    isb();
}

static void record(struct frame *f, unsigned vector, uint64_t esr)
{
    taken.count++;
    taken.vector = vector;
    taken.esr = esr;
    taken.far = read_sysreg(far_el1);
    taken.elr = f->elr;
    taken.spsr = f->spsr;
    taken.daif = read_sysreg(daif);
    taken.spsel = read_sysreg(spsel);
    taken.current_el = read_sysreg(CurrentEL);
}

void exception(struct frame *f, unsigned vector)
{
    if (vector % 4 == 1) {
        interrupt();
        return;
    }
    uint64_t esr = read_sysreg(esr_el1);
    if (vector == VECTOR_LOWER_A64 && EC(esr) == EC_SVC64 && (esr & 0xffff) == SVC_EL0_RETURN) {
        f->elr = (uint64_t)el0_returned; /* x0 stays: the EL0 function's result */
        f->spsr = SPSR_EL1H_MASKED;
        return;
    }
    if (expecting && vector % 4 == 0) {
        record(f, vector, esr);
        if (hook)
            hook(f);
        else
            f->elr += 4;
        return;
    }
    fail("unexpected exception: vector %#x, ESR %#lx, FAR %#lx, ELR %#lx, SPSR %#lx", vector,
         (unsigned long)esr, (unsigned long)read_sysreg(far_el1), (unsigned long)f->elr,
         (unsigned long)f->spsr);
    expecting = false;
    f->elr = (uint64_t)recovered;
    f->spsr = SPSR_EL1H_MASKED;
}
