/*
 * A tiny guest for the VCPU tests: copied into a frame and run at EL1 with
 * its MMU off from guest-physical 0x40000000. x2 holds an address with no
 * memory behind it (so loads and stores there exit to the VMM).
 */
    .text
    .global vcpu_guest_code, vcpu_guest_code_end
vcpu_guest_code:
    hvc     #0x42                 /* the VMM puts 123 in x0 */
    ldr     w1, [x2]              /* an emulated load: the VMM supplies 0x55 */
    str     w1, [x2, #4]          /* an emulated store of it */
    hvc     #1                    /* report x0, x1 */
    mov     x3, #7
    msr     S3_0_C12_C12_5, x3    /* ICC_SRE_EL1: the system-register interface */
    mov     x3, #0xff
    msr     S3_0_C4_C6_0, x3      /* ICC_PMR_EL1: let every priority through */
    mov     x3, #1
    msr     S3_0_C12_C12_7, x3    /* ICC_IGRPEN1_EL1: group 1 on */
    isb
    msr     daifclr, #2           /* interrupts on: VBAR_EL1 is 0, nothing is mapped there */
1:  wfi                           /* sleeps until the VMM injects an interrupt */
    b       1b
vcpu_guest_code_end:

/*
 * A guest that reaches for what it must not have: the debug registers, the
 * cycle counter and the EL1 physical timer, all shared by every world on
 * the CPU. Each access traps to the VMM (this test), which answers reads.
 */
    .global vcpu_trap_code, vcpu_trap_code_end
vcpu_trap_code:
    mrs     x5, mdscr_el1         /* debug: the VMM supplies 0x77 */
    msr     dbgwvr0_el1, x2       /* a watchpoint: the VMM ignores it */
    mrs     x6, pmccntr_el0       /* the cycle counter: the VMM supplies 0x88 */
    mrs     x7, cntp_ctl_el0      /* the physical timer: the VMM supplies 0x99 */
    mov     x0, x5
    mov     x1, x6
    mov     x2, x7
    hvc     #2                    /* report them */
    hvc     #3                    /* only reached if a read answer were taken for the hypercall */
vcpu_trap_code_end:

/*
 * A guest that sets its virtual timer 1 ms ahead and waits for it in WFI.
 * Its interrupt goes through VBAR_EL1 + 0x280, where nothing is mapped, so
 * its arrival is an exit.
 */
    .global vcpu_timer_code, vcpu_timer_code_end
vcpu_timer_code:
    mov     x3, #7
    msr     S3_0_C12_C12_5, x3    /* ICC_SRE_EL1 */
    mov     x3, #0xff
    msr     S3_0_C4_C6_0, x3      /* ICC_PMR_EL1 */
    mov     x3, #1
    msr     S3_0_C12_C12_7, x3    /* ICC_IGRPEN1_EL1 */
    mrs     x3, cntfrq_el0
    mov     x4, #1000
    udiv    x3, x3, x4            /* a millisecond in counter ticks */
    mrs     x4, cntvct_el0
    add     x4, x4, x3
    msr     cntv_cval_el0, x4
    mov     x3, #1
    msr     cntv_ctl_el0, x3      /* enabled, not masked */
    isb
    msr     daifclr, #2
1:  wfi
    b       1b
vcpu_timer_code_end:
