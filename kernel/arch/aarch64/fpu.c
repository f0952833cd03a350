/*
 * Lazy FP/SIMD switching: the registers stay with their last owner, and
 * another thread's first FP instruction traps (CPTR_EL2.TFP) so the state
 * moves only for threads that use it.
 */
#include <arch/fpu.h>
#include <arch/sysreg.h>
#include <cella/tcb.h>


void fpu_save(struct fpu_state *state);
void fpu_load(const struct fpu_state *state);

struct tcb *fpu_owner;
bool fpu_trapping = true;

static void set_trap(bool trap)
{
    if (trap == fpu_trapping)
        return;
    fpu_trapping = trap;
    sysreg_write(cptr_el2, CPTR_EL2_RES1 | (trap ? CPTR_TFP : 0));
    isb();
}

void fpu_init(void)
{
    sysreg_write(cpacr_el1, 3UL << 20); /* EL0/EL1 may use FP, subject to the EL2 trap */
    fpu_trapping = false;
    set_trap(true);
}

void fpu_switch_to(struct tcb *t)
{
    set_trap(t != fpu_owner);
}

void fpu_take_ownership(struct tcb *t)
{
    set_trap(false);
    if (fpu_owner == t)
        return;
    if (fpu_owner)
        fpu_save(&fpu_owner->fpu);
    fpu_load(&t->fpu);
    fpu_owner = t;
}

void fpu_release(struct tcb *t)
{
    if (fpu_owner == t)
        fpu_owner = NULL;
}
