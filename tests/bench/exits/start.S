/*
 * The exit benchmarks' guest: a bare-metal AArch64 kernel image (arm64 Image
 * header, so the VMM loads it as it loads Linux) that runs at EL1 with its
 * MMU off. CPU 0 enters at _start with the device tree in x0; CPU 1 enters
 * at secondary_entry through PSCI CPU_ON. All code is position-independent.
 */
    .section .head, "ax"
    .global _start
_start:
    b       primary_entry           /* code0/code1 */
    .long   0
    .quad   0                       /* text_offset */
    .quad   image_end - _start      /* image_size */
    .quad   0xa                     /* flags: little endian, 4K pages, anywhere */
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0

    .text
primary_entry:
    adr     x1, stack0_top
    mov     sp, x1
    bl      cpu_setup
    adr     x0, __bss_start
    adr     x1, __bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  bl      bench_main
3:  wfi
    b       3b

    .global secondary_entry
secondary_entry:
    adr     x1, stack1_top
    mov     sp, x1
    bl      cpu_setup
    bl      secondary_main
4:  wfi
    b       4b

/* Vectors, the FP unit on, the cycle counter counting. */
cpu_setup:
    adr     x1, vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    mrs     x1, pmcr_el0
    orr     x1, x1, #1              /* E */
    msr     pmcr_el0, x1
    mov     x1, #(1 << 31)          /* C */
    msr     pmcntenset_el0, x1
    isb
    ret

/* Only IRQs taken at EL1 with SP_EL1 are expected; anything else stops the CPU with a report. */
    .macro  vector handler
    .balign 0x80
    b       \handler
    .endm
    .balign 0x800
vectors:
    vector  unexpected_exception    /* current EL, SP_EL0 */
    vector  unexpected_exception
    vector  unexpected_exception
    vector  unexpected_exception
    vector  unexpected_exception    /* current EL, SP_ELx: synchronous */
    vector  irq_entry               /* IRQ */
    vector  unexpected_exception
    vector  unexpected_exception
    .rept   8
    vector  unexpected_exception    /* lower EL */
    .endr

irq_entry:
    sub     sp, sp, #(20 * 8)
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x30, [sp, #144]
    bl      irq_handler
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x30, [sp, #144]
    add     sp, sp, #(20 * 8)
    eret

unexpected_exception:
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    bl      exception_report
5:  wfi
    b       5b

    .bss
    .balign 16
    .space  8192
stack0_top:
    .space  8192
stack1_top:
