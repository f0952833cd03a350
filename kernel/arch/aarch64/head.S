/*
 * Entry from QEMU's ELF loader (or any boot loader that jumps to the ELF
 * entry at EL2 with the MMU off). Only the boot CPU continues.
 */
#include <arch/asm.h>

    .section .text.boot, "ax"
FUNCTION(_start)
    msr     daifset, #0xf
    mrs     x0, CurrentEL
    cmp     x0, #(2 << 2)
    b.ne    park
    mrs     x0, mpidr_el1
    tst     x0, #0xffffff          /* Aff0-2: secondary CPUs wait */
    b.ne    park

    adr_l   x0, kernel_stack_top
    mov     sp, x0

    adr_l   x0, __bss_start        /* 16-byte aligned by the linker script */
    adr_l   x1, __bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:
    adr_l   x0, exception_vectors
    msr     vbar_el2, x0
    isb
    bl      cpu_init
    bl      mmu_enable
    b       kernel_main

park:
    wfe
    b       park
END(_start)

/*
 * The one kernel stack: the kernel is not preemptible and every entry starts
 * it afresh. Page aligned and a whole number of pages, so its top is too.
 */
    .section .bss.kernel_stack, "aw", %nobits
    .balign 4096
kernel_stack:
    .space  KERNEL_STACK_SIZE
    .global kernel_stack_top
kernel_stack_top:
