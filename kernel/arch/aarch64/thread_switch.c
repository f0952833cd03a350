/* Per-thread CPU state that is not saved on every kernel entry: TLS, VSpace, FP ownership. */
#include <arch/cpu.h>
#include <arch/fast_switch.h>
#include <arch/stage2.h>
#include <arch/sysreg.h>
#include <arch/thread_switch.h>
#include <arch/vcpu.h>
#include <cella/vspace.h>

#define SPSR_FLAGS (0xfUL << 28)

/* A thread with no VSpace runs on a table that maps nothing, so it can only fault. */
static pte_t empty_root[PT_ENTRIES] ALIGNED(PAGE_SIZE);
static word_t loaded_vttbr;

void arch_threads_init(void)
{
    stage2_init();
    vcpu_init_cpu();
    sysreg_write(hcr_el2, HCR_NATIVE);
    loaded_vttbr = (word_t)(uintptr_t)empty_root;
    sysreg_write(vttbr_el2, loaded_vttbr);
    isb();
}

void arch_save_tls(struct tcb *t)
{
    t->tls_base = sysreg_read(tpidr_el0);
}

/* TPIDRRO_EL0 tells user level where its IPC buffer is; it cannot change it. */
void arch_load_tls(struct tcb *t)
{
    sysreg_write(tpidr_el0, t->tls_base);
    sysreg_write(tpidrro_el0, t->ipc_buffer_addr);
}

/*
 * No ISB after the write: the kernel makes no stage-2 translations itself
 * (flush_vmid synchronises its own VTTBR writes), and the exception return
 * that runs the thread is a context synchronisation.
 */
void arch_activate_vspace(struct tcb *t)
{
    cap_t cap = t->slots[TCB_SLOT_VSPACE].cap;
    pte_t *root = vspace_of_cap(cap);
    word_t vttbr = root ? ((word_t)vmid_for_asid(vspace_asid(cap)) << 48) | (word_t)(uintptr_t)root
                        : (word_t)(uintptr_t)empty_root;
    if (vttbr != loaded_vttbr) {
        loaded_vttbr = vttbr;
        sysreg_write(vttbr_el2, vttbr);
    }
}

void arch_switch_thread(struct tcb *prev, struct tcb *next)
{
    if (prev) {
        arch_save_tls(prev);
        arch_fpu_switch_between(prev, next);
    } else {
        fpu_switch_to(next); /* after idle: the trap may be set for whoever ran before it */
    }
    arch_load_tls(next);
    arch_activate_vspace(next);
    vcpu_switch(prev, next);
}

word_t arch_sanitise_spsr(word_t spsr, bool guest)
{
    word_t mode = spsr & 0xf;
    if (guest && (mode == 0x4 || mode == 0x5)) /* EL1t, EL1h */
        return (spsr & (SPSR_FLAGS | 0x3c0)) | mode;
    return spsr & SPSR_FLAGS; /* EL0t */
}
