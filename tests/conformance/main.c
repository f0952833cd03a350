/*
 * The runner: each test in turn, guarded, one line per test ("ok N name" or
 * "FAIL N name: why"), then "conformance: N passed, N failed" and a PSCI
 * SYSTEM_OFF. The numbering and names are what tools/conformance compares.
 */
#include "conformance.h"

/* Written before the bss is cleared: it must not live there. */
struct boot_state boot_state __attribute__((section(".data")));

uint64_t ticks(void)
{
    isb();
    return read_sysreg(cntvct_el0);
}

uint64_t ticks_per_ms(void)
{
    return read_sysreg(cntfrq_el0) / 1000;
}

bool wait_for_change(volatile unsigned *count, unsigned before, unsigned ms)
{
    uint64_t end = ticks() + ms * ticks_per_ms();
    while (*count == before)
        if (ticks() > end)
            return false;
    return true;
}

void spin_ms(unsigned ms)
{
    uint64_t end = ticks() + ms * ticks_per_ms();
    while (ticks() < end)
        ;
}

int main(void);

int main(void)
{
    gic_init();
    say("conformance: %u tests; entered at EL%u, x0 %#lx\n", test_count,
        (unsigned)(boot_state.current_el >> 2), (unsigned long)boot_state.x[0]);
    unsigned passed = 0;
    for (unsigned i = 0; i < test_count; i++) {
        const struct test *t = &tests[i];
        failure_detail[0] = '\0';
        irq_hook = NULL;
        expect_none();
        irqs_off();
        bool ok = run_guarded(t->run) && !failure_detail[0];
        expect_none();
        irqs_off();
        irq_hook = NULL;
        if (t->cleanup)
            t->cleanup();
        gic_quiesce();
        passed += ok;
        if (ok)
            say("ok %u %s\n", i + 1, t->name);
        else
            say("FAIL %u %s: %s\n", i + 1, t->name,
                failure_detail[0] ? failure_detail : "returned false");
    }
    say("conformance: %u passed, %u failed\n", passed, test_count - passed);
    psci(PSCI_SYSTEM_OFF, 0, 0, 0);
    return 0;
}
