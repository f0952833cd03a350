/*
 * The guest for the exit benchmarks: runs at EL1 from guest-physical
 * 0x40000000 with its MMU off. It reads the cycle counter around each exit
 * and leaves the counts in x20 (hypercall) and x21 (MMIO load) for the VMM,
 * which collects them at the next exit.
 */
    .text
    .global bench_guest_code, bench_guest_code_end
bench_guest_code:
    mov     x2, #0x09000000         /* nothing is mapped here: loads exit to the VMM */
1:  isb
    mrs     x3, pmccntr_el0
    hvc     #0
    isb
    mrs     x4, pmccntr_el0
    sub     x20, x4, x3
    isb
    mrs     x3, pmccntr_el0
    ldr     w1, [x2]
    isb
    mrs     x4, pmccntr_el0
    sub     x21, x4, x3
    hvc     #1                      /* report: the VMM reads x20 and x21 */
    b       1b
bench_guest_code_end:
