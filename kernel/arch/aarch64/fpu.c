/*
 * Lazy FP/SIMD switching: the registers stay with their last owner, and
 * another thread's first FP instruction traps (CPTR_EL2.TFP) so the state
 * moves only for threads that use it.
 */
#include <arch/fpu.h>
#include <arch/sysreg.h>
#include <cella/tcb.h>

/* In vectors.S, in space the vector table's alignment costs anyway. */
void fpu_save(struct fpu_state *state);
void fpu_load(const struct fpu_state *state);

struct tcb *fpu_owner;

static void write_trap(bool trap)
{
    sysreg_write(cptr_el2, CPTR_EL2_RES1 | (trap ? CPTR_TFP : 0));
    isb(); /* the trap's own handler uses the registers next */
}

static void set_trap(bool trap)
{
    if (((sysreg_read(cptr_el2) & CPTR_TFP) != 0) != trap)
        write_trap(trap);
}

void fpu_init(void)
{
    sysreg_write(cpacr_el1, 3UL << 20); /* EL0/EL1 may use FP, subject to the EL2 trap */
    write_trap(true);
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
    if (fpu_owner) {
        fpu_save(&fpu_owner->fpu);
        fpu_owner->fpu_owned = false;
    }
    fpu_load(&t->fpu);
    fpu_owner = t;
    t->fpu_owned = true;
}

void fpu_release(struct tcb *t)
{
    if (fpu_owner == t) {
        fpu_owner = NULL;
        t->fpu_owned = false;
    }
}
