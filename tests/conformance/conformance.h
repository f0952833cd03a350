/*
 * The conformance guest: a bare-metal program that checks, one test at a
 * time, that the machine it runs on behaves as an Arm machine does. It runs
 * bare under QEMU (-M virt,gic-version=3, at EL1) and as a Cella persona;
 * tools/conformance compares the two runs test by test.
 *
 * Every address here is one QEMU's virt board and a persona share
 * (libsel4-like/include/abi/persona_layout.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BIT(n) (1UL << (n))

#define read_sysreg(r)                                                                             \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " #r : "=r"(v_)::"memory");                                      \
        v_;                                                                                        \
    })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline void isb(void)
{
    __asm__ volatile("isb" ::: "memory");
}

static inline uint32_t mmio_read32(uint64_t address)
{
    return *(volatile uint32_t *)address;
}

static inline void mmio_write32(uint64_t address, uint32_t value)
{
    *(volatile uint32_t *)address = value;
}

#define RAM_BASE 0x40000000UL
#define RAM_SIZE (128UL << 20) /* the persona's memory and QEMU's -m */
#define UNBACKED 0x50000000UL  /* past the end of RAM: nothing answers there */
#define GICD_BASE 0x08000000UL
#define GICR_BASE 0x080a0000UL /* CPU 0's redistributor */
#define GICR_SGI_BASE (GICR_BASE + 0x10000)
#define UART_BASE 0x09000000UL

/* Output (print.c): a printf subset (%s %c %d %u %x, l and # modifiers), and a test's failure. */
void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
bool fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
extern char failure_detail[160];

/* How the program was entered (start.S fills it before anything else runs). */
struct boot_state {
    uint64_t x[4];
    uint64_t current_el, daif, sctlr;
};
extern struct boot_state boot_state;
extern char _image_start[], _image_end[];

/* Exceptions (exception.c). */
struct frame {
    uint64_t x[31];
    uint64_t elr, spsr, pad;
};

/* What the last expected synchronous exception was, as the handler saw it. */
struct taken {
    unsigned count;
    unsigned vector; /* 0-15: the entry of the table it came through */
    uint64_t esr, far, elr, spsr;
    uint64_t daif, spsel, current_el; /* PSTATE in the handler */
};
extern volatile struct taken taken;

#define VECTOR_CURRENT_SP0 0
#define VECTOR_CURRENT_SPX 4
#define VECTOR_LOWER_A64 8

#define EC(esr) ((unsigned)((esr) >> 26) & 0x3f)
#define ESR_IL BIT(25)

/*
 * The next synchronous exceptions are expected: each is recorded in `taken`,
 * then hook decides where the program goes on (NULL: past the instruction).
 */
typedef void (*sync_hook)(struct frame *f);
void expect_exceptions(sync_hook hook);
void expect_none(void);
void resume_at_lr(struct frame *f);
void resume_same(struct frame *f);

/* Interrupts (exception.c): counted per INTID, and a hook the test may set. */
extern volatile unsigned irq_count[1024];
extern void (*volatile irq_hook)(unsigned intid);
static inline void irqs_on(void)
{
    __asm__ volatile("msr daifclr, #2" ::: "memory");
}
static inline void irqs_off(void)
{
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

/* start.S */
bool run_guarded(bool (*test)(void));
uint64_t run_at_el0(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t pstate_extra);
void jump_to(uint64_t address);
extern char el0_return[];

/* Time (timer.c): the virtual counter. */
uint64_t ticks(void);
uint64_t ticks_per_ms(void);
/* Spins until *count differs from before or ms pass; true if it changed. */
bool wait_for_change(volatile unsigned *count, unsigned before, unsigned ms);
void spin_ms(unsigned ms);

/* The GIC (gic.c). */
void gic_init(void);
void gic_enable_private(unsigned intid);
void gic_disable_private(unsigned intid);
void gic_send_sgi_to_self(unsigned sgi);
void gic_quiesce(void);

/* PSCI through HVC (boot.c). */
int64_t psci(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3);
#define PSCI_SYSTEM_OFF 0x84000008u

/* The tests, in the order they run (tests.c lists them). */
struct test {
    const char *name;
    bool (*run)(void);
    void (*cleanup)(void); /* what the test may leave behind when it fails midway; or NULL */
};
extern const struct test tests[];
extern const unsigned test_count;
#include "tests.h"
