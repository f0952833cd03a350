/*
 * EL2 exception vectors.
 *
 * While a thread runs below EL2, SP_EL2 points at that thread's saved
 * context (struct user_context), so entry stores the registers straight
 * into it without any lookup, then switches to the kernel stack. Exit
 * loads a context and returns with SP_EL2 pointing at it again.
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

/* Move onto the kernel stack; the context pointer stays in x19 for the C handler. */
.macro enter_kernel_stack
    mov     x19, sp
    adr_l   x20, kernel_stack_top
    mov     sp, x20
.endm

/* Kernel-mode exceptions: build a frame on the kernel stack and report it. */
.macro kernel_trap kind
    sub     sp, sp, #CTX_SIZE
    stp     x0, x1, [sp, #CTX_X(0)]
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
    mov     x1, #\kind
    bl      kernel_exception
.endm

.macro vector target
    .balign 0x80
    b       \target
.endm

    .section .text.vectors, "ax"
    .balign 0x800
FUNCTION(exception_vectors)
    /* Current EL with SP_EL0: the kernel never runs on SP_EL0. */
    vector  kernel_sync
    vector  kernel_irq_on_sp0
    vector  kernel_fiq
    vector  kernel_serror
    /* Current EL with SP_EL2. */
    vector  kernel_sync
    vector  idle_irq
    vector  kernel_fiq
    vector  kernel_serror
    /* Lower EL, AArch64: native cells at EL0, guests at EL1. */
    vector  lower_sync
    vector  lower_irq
    vector  lower_fiq
    vector  lower_serror
    /* Lower EL, AArch32: not supported; reported as faults. */
    vector  lower_sync
    vector  lower_irq
    vector  lower_fiq
    vector  lower_serror
END(exception_vectors)

    .text
kernel_sync:       kernel_trap KIND_SYNC
kernel_irq_on_sp0: kernel_trap KIND_IRQ
kernel_fiq:        kernel_trap KIND_FIQ
kernel_serror:     kernel_trap KIND_SERROR

/* The only time the kernel takes an interrupt is while idle; idle keeps no state. */
idle_irq:
    adr_l   x20, kernel_stack_top
    mov     sp, x20
    b       handle_idle_interrupt

/*
 * Cella system calls (svc #1) with x7 = Call or ReplyRecv try the fastpath
 * first, with the arguments still in x0-x6 and the thread in x7 (a thread's
 * context is the start of its TCB); it saves them itself if it gives up.
 * x8-x18 are not saved on that path: those system calls may clobber them.
 */
lower_sync:
    save_preserved_registers
    enter_kernel_stack
    mrs     x20, esr_el2
    mov     w21, #(ESR_SVC_CELLA & 0xffff)
    movk    w21, #(ESR_SVC_CELLA >> 16), lsl #16
    cmp     w20, w21
    b.ne    1f
    cmp     x7, #SYS_CALL
    b.eq    2f
    cmp     x7, #SYS_REPLY_RECV
    b.eq    3f
1:  save_scratch_registers x19
    mov     x0, x19
    b       handle_lower_sync
2:  mov     x7, x19
    b       fastpath_call
3:  mov     x7, x19
    b       fastpath_reply_recv

lower_irq:
    save_user_context
    enter_kernel_stack
    mov     x0, x19
    b       handle_lower_irq

lower_fiq:
    save_user_context
    enter_kernel_stack
    mov     x0, x19
    mov     x1, #KIND_FIQ
    b       handle_lower_unexpected

lower_serror:
    save_user_context
    enter_kernel_stack
    mov     x0, x19
    mov     x1, #KIND_SERROR
    b       handle_lower_unexpected

/* void restore_user_context(struct user_context *ctx): never returns. */
FUNCTION(restore_user_context)
    mov     sp, x0
    ldp     x22, x23, [sp, #CTX_ELR]
    msr     elr_el2, x22
    msr     spsr_el2, x23
    ldp     x30, x21, [sp, #CTX_X(30)]
    msr     sp_el0, x21
    ldp     x0, x1, [sp, #CTX_X(0)]
    ldp     x2, x3, [sp, #CTX_X(2)]
    ldp     x4, x5, [sp, #CTX_X(4)]
    ldp     x6, x7, [sp, #CTX_X(6)]
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
    eret
END(restore_user_context)

/*
 * void fastpath_restore(badge, info, mr0, mr1, mr2, mr3, struct user_context *ctx):
 * returns to a thread with a fresh message in x0-x5, x6 and x7 (error) zero,
 * and everything else from its context. Never returns.
 */
FUNCTION(fastpath_restore)
    mov     sp, x6
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
    mov     x6, #0
    mov     x7, #0
    eret
END(fastpath_restore)

/* void arch_idle(void): waits for interrupts on an empty kernel stack; never returns. */
FUNCTION(arch_idle)
    adr_l   x0, kernel_stack_top
    mov     sp, x0
1:  msr     daifclr, #2
    wfi
    b       1b
END(arch_idle)
