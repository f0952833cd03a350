/*
 * Guest exits as a guest pays for them: this bare-metal guest runs as a
 * persona under the real VMM (vmm/) and counts, with the cycle counter
 * (instructions under QEMU's -icount shift=0; the benchmark kernel leaves the
 * counter to guests), every exit's round trip from its own side: a hypercall
 * the VMM answers, a load from an emulated device, a load from the emulated
 * GIC distributor, an SGI to a sibling vCPU and back, and the virtual timer
 * from expiry to the guest's handler. It prints one `BENCH key median=...`
 * line per figure, as the kernel benchmarks do (tools/bench reads them).
 */
#include <stdbool.h>
#include <stdint.h>

#include <abi/persona_layout.h>

#define RUNS 1001
#define WARMUP 16
#define SLOW_RUNS 5 /* figures of milliseconds each: fewer runs keep the benchmark short */

#define UART_DR 0x000
#define UART_FR 0x018
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_CTLR_ENABLE_G1NS (1u << 1)
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI_FRAME 0x10000
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define INTID_VTIMER 27
#define SGI_PING 1
#define SGI_PONG 2
#define INTID_SPURIOUS 1023

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u

#define sysreg_read(reg)                                                                           \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_));                                              \
        v_;                                                                                        \
    })
#define sysreg_write(reg, v) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")

void bench_main(void);
void secondary_main(void);
void irq_handler(void);
void exception_report(uint64_t esr, uint64_t elr);
extern char secondary_entry[];

static volatile uint32_t *reg32(uint64_t address)
{
    return (volatile uint32_t *)address;
}

static inline uint64_t cycles(void)
{
    isb();
    uint64_t c = sysreg_read(pmccntr_el0);
    isb();
    return c;
}

/* Console output through the emulated PL011: every byte is an exit, which is fine here. */
static void put_char(char c)
{
    *reg32(PERSONA_UART_BASE + UART_DR) = (uint8_t)c;
}

static void put_string(const char *s)
{
    while (*s)
        put_char(*s++);
}

static void put_decimal(uint64_t v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(digits[--n]);
}

static void put_hex(uint64_t v)
{
    put_string("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        put_char("0123456789abcdef"[(v >> shift) & 0xf]);
}

static uint64_t hypercall(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = function;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

void exception_report(uint64_t esr, uint64_t elr)
{
    put_string("BENCH exits failed: unexpected exception, ESR ");
    put_hex(esr);
    put_string(" ELR ");
    put_hex(elr);
    put_string("\n");
}

/* Medians of n samples (insertion sort: n is small and this runs once per figure). */
static void report(const char *key, uint64_t *samples, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
            uint64_t t = samples[j];
            samples[j] = samples[j - 1];
            samples[j - 1] = t;
        }
    put_string("BENCH ");
    put_string(key);
    put_string(" median=");
    put_decimal(samples[n / 2]);
    put_string(" min=");
    put_decimal(samples[0]);
    put_string(" max=");
    put_decimal(samples[n - 1]);
    put_string(" runs=");
    put_decimal(n);
    put_string("\n");
}

static uint64_t samples[RUNS];

/* --- the GIC, as Linux sets it up: distributor, this CPU's redistributor, the CPU interface --- */

static uint64_t redistributor(unsigned cpu)
{
    return PERSONA_GICR_BASE + cpu * PERSONA_GICR_STRIDE;
}

static void gic_cpu_setup(unsigned cpu)
{
    uint64_t rd = redistributor(cpu);
    *reg32(rd + GICR_WAKER) &= ~GICR_WAKER_SLEEP;
    while (*reg32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
        ;
    *reg32(rd + GICR_SGI_FRAME + GICR_IGROUPR0) = ~0u;
    *reg32(rd + GICR_SGI_FRAME + GICR_ISENABLER0) =
        1u << SGI_PING | 1u << SGI_PONG | 1u << INTID_VTIMER;
    sysreg_write(S3_0_C12_C12_5, 7); /* ICC_SRE_EL1: system-register interface */
    isb();
    sysreg_write(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1: every priority */
    sysreg_write(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
    isb();
    __asm__ volatile("msr daifclr, #2"); /* IRQs on */
}

static void send_sgi(unsigned sgi, unsigned target_cpu)
{
    sysreg_write(S3_0_C12_C11_5, (uint64_t)sgi << 24 | 1u << target_cpu); /* ICC_SGI1R_EL1 */
    isb();
}

/* --- what the interrupt handler records --- */

static volatile uint64_t pong_at;     /* CPU 0: when the sibling's answer arrived */
static volatile uint64_t timer_at;    /* when the virtual timer's interrupt reached us */
static volatile bool secondary_ready; /* CPU 1 is set up and waiting */

static unsigned this_cpu(void)
{
    return (unsigned)(sysreg_read(mpidr_el1) & 0xff);
}

void irq_handler(void)
{
    uint64_t now = cycles();
    uint64_t iar = sysreg_read(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
    unsigned intid = (unsigned)(iar & 0xffffff);
    if (intid == INTID_SPURIOUS)
        return;
    if (intid == SGI_PING)
        send_sgi(SGI_PONG, 0);
    else if (intid == SGI_PONG)
        pong_at = now;
    else if (intid == INTID_VTIMER) {
        timer_at = now;
        sysreg_write(cntv_ctl_el0, 2); /* masked: it stays quiet until armed again */
    }
    sysreg_write(S3_0_C12_C12_1, iar); /* ICC_EOIR1_EL1: priority drop and deactivation */
    isb();
}

void secondary_main(void)
{
    gic_cpu_setup(this_cpu());
    secondary_ready = true;
    for (;;)
        __asm__ volatile("wfi");
}

/* --- the figures --- */

static void bench_hypercall(void)
{
    for (unsigned i = 0; i < RUNS + WARMUP; i++) {
        uint64_t t0 = cycles();
        hypercall(PSCI_VERSION, 0, 0, 0);
        uint64_t t1 = cycles();
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    report("vmm_hvc_roundtrip", samples, RUNS);
}

static void bench_load(const char *key, uint64_t address)
{
    for (unsigned i = 0; i < RUNS + WARMUP; i++) {
        uint64_t t0 = cycles();
        (void)*reg32(address);
        uint64_t t1 = cycles();
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    report(key, samples, RUNS);
}

/*
 * An SGI to the sibling, which answers with one of its own. The sibling
 * waits in WFI; CPU 0 waits either in WFI too (the best case: it gives the
 * CPU away) or spinning with WFE as Linux's smp_call_function does.
 */
static void bench_ipi(const char *key, bool spin, unsigned runs)
{
    unsigned warmup = spin ? 1 : WARMUP;
    for (unsigned i = 0; i < runs + warmup; i++) {
        pong_at = 0;
        uint64_t t0 = cycles();
        send_sgi(SGI_PING, 1);
        while (!pong_at) {
            if (spin)
                __asm__ volatile("wfe");
            else
                __asm__ volatile("wfi");
        }
        if (i >= warmup)
            samples[i - warmup] = pong_at - t0;
    }
    report(key, samples, runs);
}

static uint64_t virtual_count(void)
{
    isb();
    return sysreg_read(cntvct_el0);
}

/* Instructions per virtual-counter tick, over a long stretch (16 under -icount shift=0). */
static uint64_t cycles_per_tick_x1024(void)
{
    uint64_t c0 = virtual_count(), p0 = cycles(), c1;
    do
        c1 = virtual_count();
    while (c1 - c0 < 65536);
    uint64_t p1 = cycles();
    return (p1 - p0) * 1024 / (c1 - c0);
}

/*
 * The virtual timer, from the moment its condition holds to the guest's
 * handler: the timer is armed a fixed number of ticks ahead, the expiry's
 * cycle count follows from the counter's rate, and the handler notes when it
 * ran. The guest waits in WFI (idle, as a phone's guest mostly is) or runs.
 */
static void bench_timer(const char *key, bool idle)
{
    uint64_t rate = cycles_per_tick_x1024();
    for (unsigned i = 0; i < RUNS + WARMUP; i++) {
        timer_at = 0;
        uint64_t c0 = virtual_count(), p0 = cycles();
        uint64_t ahead = 256; /* ticks: a few thousand instructions */
        sysreg_write(cntv_cval_el0, c0 + ahead);
        sysreg_write(cntv_ctl_el0, 1); /* enabled, unmasked */
        isb();
        while (!timer_at) {
            if (idle)
                __asm__ volatile("wfi");
        }
        uint64_t expiry = p0 + ahead * rate / 1024;
        if (i >= WARMUP)
            samples[i - WARMUP] = timer_at > expiry ? timer_at - expiry : 0;
    }
    report(key, samples, RUNS);
}

void bench_main(void)
{
    put_string("BENCH exits: a guest under the real VMM\n");
    gic_cpu_setup(0);
    bench_hypercall();
    bench_load("vmm_mmio_roundtrip", PERSONA_UART_BASE + UART_FR);
    bench_load("vmm_vgic_read", PERSONA_GICD_BASE + GICD_TYPER);
    bench_timer("vtimer_latency_idle", true);
    bench_timer("vtimer_latency_running", false);
    uint64_t status = hypercall(PSCI_CPU_ON, 1, (uint64_t)(uintptr_t)secondary_entry, 0);
    if (status != 0) {
        put_string("BENCH exits failed: PSCI CPU_ON returned ");
        put_hex(status);
        put_string("\n");
        return;
    }
    while (!secondary_ready)
        __asm__ volatile("wfe");
    bench_ipi("vcpu_ipi_roundtrip_idle", false, RUNS);
    bench_ipi("vcpu_ipi_roundtrip_spinning", true, SLOW_RUNS);
    put_string("BENCH exits done\n");
    hypercall(PSCI_SYSTEM_OFF, 0, 0, 0);
}
