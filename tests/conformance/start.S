/*
 * The conformance guest's entry, exception vectors and the few things C
 * cannot do: run a function at EL0, recover from an exception nobody
 * expected, jump to a given address.
 *
 * The program starts with an arm64 Image header, so the same bytes boot as
 * a Linux Image (QEMU's -kernel, a persona's kernel) and, as the ELF, where
 * a loader takes ELF files. It is linked 2 MiB into RAM, where both load an
 * Image with text_offset 0.
 */
#define FRAME_SIZE (34 * 8) /* x0-x30, ELR, SPSR, padding */
#define FRAME_ELR (31 * 8)
#define FRAME_SPSR (32 * 8)

    .section .text.head, "ax"
    .global _start
_start:
    b       entry
    .long   0
    .quad   0                   /* text_offset */
    .quad   _image_end - _start /* image_size, bss included */
    .quad   0xa                 /* little-endian, 4 KiB pages, anywhere in RAM */
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0

entry:
    adr     x9, boot_state
    stp     x0, x1, [x9]
    stp     x2, x3, [x9, #16]
    mrs     x10, CurrentEL
    mrs     x11, daif
    stp     x10, x11, [x9, #32]
    mrs     x10, sctlr_el1
    str     x10, [x9, #48]
    adr     x10, bss_start /* boot_state is in .data: the loop leaves it */
    adr     x11, bss_end
1:  cmp     x10, x11
    b.hs    2f
    str     xzr, [x10], #8
    b       1b
2:  adr     x10, stack_top
    mov     sp, x10
    adr     x10, vectors
    msr     vbar_el1, x10
    isb
    bl      main
3:  wfi
    b       3b

/*
 * The vectors: each entry saves every general register and ELR/SPSR in a
 * frame on SP_EL1 and calls exception(frame, vector index); the frame, as
 * the handler left it, is what the exception returns to.
 */
.macro vector index
    .balign 128
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\index
    b       exception_entry
.endm

    .text
    .balign 2048
    .global vectors
vectors:
    vector 0
    vector 1
    vector 2
    vector 3
    vector 4
    vector 5
    vector 6
    vector 7
    vector 8
    vector 9
    vector 10
    vector 11
    vector 12
    vector 13
    vector 14
    vector 15

exception_entry:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #FRAME_ELR]
    mov     x0, sp
    bl      exception
    ldp     x2, x3, [sp, #FRAME_ELR]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret

/* Callee-saved registers and sp, for a return to the point that saved them. */
.macro save_context base
    stp     x19, x20, [\base, #0]
    stp     x21, x22, [\base, #16]
    stp     x23, x24, [\base, #32]
    stp     x25, x26, [\base, #48]
    stp     x27, x28, [\base, #64]
    stp     x29, x30, [\base, #80]
    mov     x9, sp
    str     x9, [\base, #96]
.endm

.macro load_context base
    ldp     x19, x20, [\base, #0]
    ldp     x21, x22, [\base, #16]
    ldp     x23, x24, [\base, #32]
    ldp     x25, x26, [\base, #48]
    ldp     x27, x28, [\base, #64]
    ldp     x29, x30, [\base, #80]
    ldr     x9, [\base, #96]
    mov     sp, x9
.endm

/*
 * bool run_guarded(bool (*test)(void)): runs a test; if an exception nobody
 * expected ends it, the handler comes back through recover() and this
 * returns false.
 */
    .global run_guarded
run_guarded:
    adr     x10, recovery_context
    save_context x10
    blr     x0
    adr     x10, recovery_context
    ldp     x29, x30, [x10, #80]
    ret

    .global recovered
recovered:
    adr     x10, recovery_context
    load_context x10
    mov     x0, #0
    ret

/*
 * uint64_t run_at_el0(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t pstate_extra):
 * calls fn(arg) at EL0 on the EL0 stack, with IRQs and FIQs masked and
 * pstate_extra ORed into its PSTATE (SS for single step); fn ends with
 * el0_return (svc #0x1e1), whose x0 comes back here through el0_returned.
 */
    .global run_at_el0
run_at_el0:
    adr     x10, el0_context
    save_context x10
    mov     x9, #0xc0 /* EL0t, I and F masked */
    orr     x9, x9, x2
    msr     spsr_el1, x9
    msr     elr_el1, x0
    adr     x9, el0_stack_top
    msr     sp_el0, x9
    mov     x0, x1
    adr     x30, el0_return
    isb
    eret

    .global el0_return
el0_return:
    svc     #0x1e1
    b       .

    .global el0_returned
el0_returned:
    adr     x10, el0_context
    load_context x10
    ret

/* void jump_to(uint64_t address): branches there with x30 the return address. */
    .global jump_to
jump_to:
    mov     x9, x0
    br      x9

    .section .bss
    .balign 16
recovery_context:
    .space  112
el0_context:
    .space  112
    .balign 16
    .space  16384
stack_top:
    .space  4096
el0_stack_top:

/* Four instructions to step through at EL0; returns 6 through el0_return. */
    .text
    .balign 16
    .global step_target
step_target:
    mov     x0, #1
    add     x0, x0, #2
    add     x0, x0, #3
    ret
