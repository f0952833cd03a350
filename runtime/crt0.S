#include <abi/cell_layout.h>

/*
 * The Cella ABI note (abi/cell_layout.h), which user.ld puts in a PT_NOTE
 * segment: cella-manifest refuses a cell program without it.
 */
    .section .note.cella, "a", %note
    .balign 4
    .long   2f - 1f                /* namesz, with the NUL */
    .long   4f - 3f                /* descsz */
    .long   CELL_ABI_NOTE_TYPE
1:  .asciz  "Cella"
2:  .balign 4
3:  .long   CELL_ABI_VERSION
4:

/*
 * Program entry. The word after _start is part of the ABI: entry + 4 is the
 * foreign-system-call emulation entry a supervisor installs for the thread
 * (docs/abi.md), so musl's Linux-style `svc #0` lands in emulation.c.
 */
    .section .text.start, "ax"
    .global _start
    .type _start, %function
_start:
    b       runtime_start          /* x0: boot-info or cell-info page; sp: stack top */
    b       syscall_emulation_entry
    .size _start, . - _start

    .text
/*
 * Entered by the kernel in place of a foreign svc, every register as the
 * caller left it: x8 the Linux system-call number, x0-x5 its arguments.
 * Only x0 may change, so everything the C handler could touch is saved.
 */
    .global syscall_emulation_entry
    .type syscall_emulation_entry, %function
syscall_emulation_entry:
    sub     sp, sp, #(20 * 8)
    stp     x1, x2, [sp, #0]
    stp     x3, x4, [sp, #16]
    stp     x5, x6, [sp, #32]
    stp     x7, x8, [sp, #48]
    stp     x9, x10, [sp, #64]
    stp     x11, x12, [sp, #80]
    stp     x13, x14, [sp, #96]
    stp     x15, x16, [sp, #112]
    stp     x17, x18, [sp, #128]
    stp     x29, x30, [sp, #144]
    mrs     x9, nzcv
    str     x9, [sp, #160]
    mov     x6, x8
    bl      emulate_syscall
    ldr     x9, [sp, #160]
    msr     nzcv, x9
    ldp     x1, x2, [sp, #0]
    ldp     x3, x4, [sp, #16]
    ldp     x5, x6, [sp, #32]
    ldp     x7, x8, [sp, #48]
    ldp     x9, x10, [sp, #64]
    ldp     x11, x12, [sp, #80]
    ldp     x13, x14, [sp, #96]
    ldp     x15, x16, [sp, #112]
    ldp     x17, x18, [sp, #128]
    ldp     x29, x30, [sp, #144]
    add     sp, sp, #(20 * 8)
    svc     #2
    .size syscall_emulation_entry, . - syscall_emulation_entry
