/*
 * EL2 exception vectors.
 *
 * While a thread runs below EL2, SP_EL2 points at that thread's saved
 * context (struct user_context), so entry stores the registers straight
 * into it without any lookup, then switches to the kernel stack. Exit
 * loads a context and returns with SP_EL2 pointing at it again.
 *
 * The table must be 2 KiB aligned with 128-byte entries; each entry holds
 * its handler's code itself rather than a branch to it, so the space the
 * alignment costs anyway does the work (slot fails the build on overflow).
 */
#include <arch/asm.h>
#include <abi/syscall.h>
#include <arch/context.h>

/* ESR_EL2 of an `svc #1` from AArch64: EC 0x15, IL set, immediate 1. */
#define ESR_SVC_CELLA ((0x15 << 26) | (1 << 25) | SVC_CELLA)

#define KIND_SYNC 0
#define KIND_IRQ 1
#define KIND_FIQ 2
#define KIND_SERROR 3

/* Save x0-x30, SP_EL0, ELR and SPSR into the context SP_EL2 points at. */
.macro save_user_context
    save_preserved_registers
    save_scratch_registers sp
.endm

/*
 * x0-x18: the registers a Cella system call may clobber (docs/abi.md), so
 * the fastpath does not save them; everything else saves them after it.
 */
.macro save_scratch_registers base
    stp     x0, x1, [\base, #CTX_X(0)]
    stp     x2, x3, [\base, #CTX_X(2)]
    stp     x4, x5, [\base, #CTX_X(4)]
    stp     x6, x7, [\base, #CTX_X(6)]
    stp     x8, x9, [\base, #CTX_X(8)]
    stp     x10, x11, [\base, #CTX_X(10)]
    stp     x12, x13, [\base, #CTX_X(12)]
    stp     x14, x15, [\base, #CTX_X(14)]
    stp     x16, x17, [\base, #CTX_X(16)]
    str     x18, [\base, #CTX_X(18)]
.endm

/* x19-x30, SP_EL0, ELR and SPSR. */
.macro save_preserved_registers
    str     x19, [sp, #CTX_X(19)]
    stp     x20, x21, [sp, #CTX_X(20)]
    stp     x22, x23, [sp, #CTX_X(22)]
    stp     x24, x25, [sp, #CTX_X(24)]
    stp     x26, x27, [sp, #CTX_X(26)]
    stp     x28, x29, [sp, #CTX_X(28)]
    mrs     x21, sp_el0
    stp     x30, x21, [sp, #CTX_X(30)]
    mrs     x22, elr_el2
    mrs     x23, spsr_el2
    stp     x22, x23, [sp, #CTX_ELR]
.endm

/*
 * Move onto the kernel stack; the context pointer stays in x19 for the C
 * handler. The stack's top is page aligned (kernel.ld), so adrp alone finds it.
 */
.macro enter_kernel_stack
    mov     x19, sp
    adrp    x20, kernel_stack_top
    mov     sp, x20
.endm

/* A system call's fastpath: x0-x6 its arguments, x7 the thread, on the kernel stack. */
.macro fast_syscall fastpath
    mov     x7, sp
    adrp    x20, kernel_stack_top
    mov     sp, x20
    b       \fastpath
.endm

/*
 * Kernel-mode exceptions: build a frame on the kernel stack and report it.
 * Each entry saves x0 and x1 to free x1 for the kind; kernel_trap_common
 * (in the first entry's slot) does the rest, so the slots keep room for
 * other code.
 */
.macro kernel_trap kind
    sub     sp, sp, #CTX_SIZE
    stp     x0, x1, [sp, #CTX_X(0)]
    mov     x1, #\kind
    b       kernel_trap_common
.endm

/*
 * A return to a thread, sp at its context: ELR, SPSR, SP_EL0 and x8-x30.
 * x0-x7 are the caller's to load (the fastpath's message is already there).
 */
.macro restore_from_x8
    ldp     x22, x23, [sp, #CTX_ELR]
    msr     elr_el2, x22
    msr     spsr_el2, x23
    ldp     x30, x21, [sp, #CTX_X(30)]
    msr     sp_el0, x21
    ldp     x8, x9, [sp, #CTX_X(8)]
    ldp     x10, x11, [sp, #CTX_X(10)]
    ldp     x12, x13, [sp, #CTX_X(12)]
    ldp     x14, x15, [sp, #CTX_X(14)]
    ldp     x16, x17, [sp, #CTX_X(16)]
    ldp     x18, x19, [sp, #CTX_X(18)]
    ldp     x20, x21, [sp, #CTX_X(20)]
    ldp     x22, x23, [sp, #CTX_X(22)]
    ldp     x24, x25, [sp, #CTX_X(24)]
    ldp     x26, x27, [sp, #CTX_X(26)]
    ldp     x28, x29, [sp, #CTX_X(28)]
.endm

/* A user context goes to a C handler (x0 the context) with every register saved. */
.macro lower_exception handler, kind
    save_user_context
    enter_kernel_stack
    mov     x0, x19
    mov     x1, #\kind
    b       \handler
.endm

/* The entry at offset off; .org cannot move backwards, so an entry that overflowed its slot stops the build. */
.macro slot off
    .org    \off
.endm

    .section .text.vectors, "ax"
    .balign 0x800
FUNCTION(exception_vectors)
    /* Current EL with SP_EL0: the kernel never runs on SP_EL0. */
slot 0x000
    kernel_trap KIND_SYNC
kernel_trap_common:
    stp     x2, x3, [sp, #CTX_X(2)]
    stp     x4, x5, [sp, #CTX_X(4)]
    stp     x6, x7, [sp, #CTX_X(6)]
    stp     x8, x9, [sp, #CTX_X(8)]
    stp     x10, x11, [sp, #CTX_X(10)]
    stp     x12, x13, [sp, #CTX_X(12)]
    stp     x14, x15, [sp, #CTX_X(14)]
    stp     x16, x17, [sp, #CTX_X(16)]
    stp     x18, x19, [sp, #CTX_X(18)]
    stp     x20, x21, [sp, #CTX_X(20)]
    stp     x22, x23, [sp, #CTX_X(22)]
    stp     x24, x25, [sp, #CTX_X(24)]
    stp     x26, x27, [sp, #CTX_X(26)]
    stp     x28, x29, [sp, #CTX_X(28)]
    add     x21, sp, #CTX_SIZE
    stp     x30, x21, [sp, #CTX_X(30)]
    mrs     x22, elr_el2
    mrs     x23, spsr_el2
    stp     x22, x23, [sp, #CTX_ELR]
    mov     x0, sp
    bl      kernel_exception
slot 0x080
    kernel_trap KIND_IRQ
/*
 * void fpu_save(struct fpu_state *state): the 32 SIMD registers, FPSR and
 * FPCR (fpu.c). Here rather than in a file of its own: the slot's space is
 * spent anyway.
 */
FUNCTION(fpu_save)
    stp     q0, q1, [x0, #0x000]
    stp     q2, q3, [x0, #0x020]
    stp     q4, q5, [x0, #0x040]
    stp     q6, q7, [x0, #0x060]
    stp     q8, q9, [x0, #0x080]
    stp     q10, q11, [x0, #0x0a0]
    stp     q12, q13, [x0, #0x0c0]
    stp     q14, q15, [x0, #0x0e0]
    stp     q16, q17, [x0, #0x100]
    stp     q18, q19, [x0, #0x120]
    stp     q20, q21, [x0, #0x140]
    stp     q22, q23, [x0, #0x160]
    stp     q24, q25, [x0, #0x180]
    stp     q26, q27, [x0, #0x1a0]
    stp     q28, q29, [x0, #0x1c0]
    stp     q30, q31, [x0, #0x1e0]
    mrs     x1, fpsr
    mrs     x2, fpcr
    add     x3, x0, #0x200
    stp     w1, w2, [x3]
    ret
END(fpu_save)
slot 0x100
    kernel_trap KIND_FIQ
/* void fpu_load(const struct fpu_state *state): fpu_save's reverse. */
FUNCTION(fpu_load)
    ldp     q0, q1, [x0, #0x000]
    ldp     q2, q3, [x0, #0x020]
    ldp     q4, q5, [x0, #0x040]
    ldp     q6, q7, [x0, #0x060]
    ldp     q8, q9, [x0, #0x080]
    ldp     q10, q11, [x0, #0x0a0]
    ldp     q12, q13, [x0, #0x0c0]
    ldp     q14, q15, [x0, #0x0e0]
    ldp     q16, q17, [x0, #0x100]
    ldp     q18, q19, [x0, #0x120]
    ldp     q20, q21, [x0, #0x140]
    ldp     q22, q23, [x0, #0x160]
    ldp     q24, q25, [x0, #0x180]
    ldp     q26, q27, [x0, #0x1a0]
    ldp     q28, q29, [x0, #0x1c0]
    ldp     q30, q31, [x0, #0x1e0]
    add     x3, x0, #0x200
    ldp     w1, w2, [x3]
    msr     fpsr, x1
    msr     fpcr, x2
    ret
END(fpu_load)
slot 0x180
    kernel_trap KIND_SERROR

    /* Current EL with SP_EL2. */
slot 0x200
    kernel_trap KIND_SYNC
slot 0x280
    /* The only time the kernel takes an interrupt is while idle; idle keeps no state. */
    adrp    x20, kernel_stack_top
    mov     sp, x20
    b       handle_idle_interrupt
slot 0x300
    kernel_trap KIND_FIQ
slot 0x380
    kernel_trap KIND_SERROR

    /*
     * Lower EL, AArch64: native cells at EL0, guests at EL1.
     *
     * Cella system calls (svc #1) that have a fastpath go to it with the
     * arguments still in x0-x6 and the thread in x7 (a thread's context is
     * the start of its TCB); it saves them itself if it gives up. x8-x18
     * are not saved on that path: system calls may clobber them.
     */
slot 0x400
lower_sync:
    save_preserved_registers
    mrs     x20, esr_el2
    ldr     w21, =ESR_SVC_CELLA
    cmp     w20, w21
    b.ne    lower_sync_other
    cmp     x7, #SYS_CALL
    b.eq    1f
    cmp     x7, #SYS_REPLY_RECV
    b.eq    2f
    cmp     x7, #SYS_SEND
    b.eq    3f
    cmp     x7, #SYS_YIELD
    b.eq    4f
    b       lower_sync_other
1:  fast_syscall fastpath_call
2:  fast_syscall fastpath_reply_recv
slot 0x480
lower_irq:
    lower_exception handle_lower_irq, KIND_IRQ
slot 0x500
lower_fiq:
    lower_exception handle_lower_unexpected, KIND_FIQ
slot 0x580
lower_serror:
    lower_exception handle_lower_unexpected, KIND_SERROR

    /*
     * Lower EL, AArch32 (a guest's 32-bit EL0): handled as the AArch64
     * ones, so each slot is a branch to its twin and the rest holds code.
     */
slot 0x600
    b       lower_sync
3:  fast_syscall fastpath_send
4:  fast_syscall fastpath_yield
/* Everything but a fast system call: every register saved, then C. */
lower_sync_other:
    enter_kernel_stack
    save_scratch_registers x19
    mov     x0, x19
    b       handle_lower_sync
slot 0x680
    b       lower_irq
/*
 * void restore_user_context(struct user_context *ctx): never returns.
 * fastpath_resume is the same, for C that must see it as returning (fastpath.h).
 */
FUNCTION(fastpath_resume)
FUNCTION(restore_user_context)
    mov     sp, x0
    restore_from_x8
    ldp     x0, x1, [sp, #CTX_X(0)]
    ldp     x2, x3, [sp, #CTX_X(2)]
    ldp     x4, x5, [sp, #CTX_X(4)]
    ldp     x6, x7, [sp, #CTX_X(6)]
    eret
END(restore_user_context)
END(fastpath_resume)
slot 0x700
    b       lower_fiq
/*
 * void fastpath_restore(badge, info, mr0, mr1, mr2, mr3, struct user_context *ctx):
 * returns to a thread with a fresh message in x0-x5, x6 and x7 (error) zero,
 * and everything else from its context. Never returns.
 */
FUNCTION(fastpath_restore)
    mov     sp, x6
    restore_from_x8
    mov     x6, #0
    mov     x7, #0
    eret
END(fastpath_restore)
slot 0x780
    b       lower_serror
/* void arch_idle(void): waits for interrupts on an empty kernel stack; never returns. */
FUNCTION(arch_idle)
    adrp    x0, kernel_stack_top
    mov     sp, x0
1:  msr     daifclr, #2
    wfi
    b       1b
END(arch_idle)
    .ltorg
END(exception_vectors)

