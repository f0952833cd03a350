/*
 * The tests in the order they run, each with what undoes its state if it
 * fails midway. CONFORMANCE_PENDING lists tests of behaviour Cella does not
 * have yet: they are built, and join the first list when Cella passes them.
 */
#pragma once

/* clang-format off */
#define CONFORMANCE_TESTS(X)                                                                       \
    X(boot_state, NULL)                                                                            \
    X(boot_registers, NULL)                                                                        \
    X(psci_unknown, NULL)                                                                          \
    X(psci_truthful, NULL)                                                                         \
    X(psci_affinity, NULL)                                                                         \
    X(exc_brk, NULL)                                                                               \
    X(exc_absent_sysreg, NULL)                                                                     \
    X(gic_sgi_delivered, NULL)                                                                     \
    X(gic_spi_clear_pending, spi_cleanup)                                                          \
    X(timer_counters, NULL)                                                                        \
    X(vtimer_fires, timers_cleanup)                                                                \
    X(id_gic_sysregs, NULL)                                                                        \
    X(id_reserved_raz, NULL)                                                                       \
    X(pmu_event_counters, pmu_cleanup)                                                             \
    X(pmu_overflow_interrupt, pmu_cleanup)

#define CONFORMANCE_PENDING(X)                                                                     \
    X(boot_device_tree, NULL)                                                                      \
    X(psci_version, NULL)                                                                          \
    X(psci_mandatory, NULL)                                                                        \
    X(exc_fetch_unbacked, NULL)                                                                    \
    X(exc_load_unbacked, NULL)                                                                     \
    X(exc_store_unbacked, NULL)                                                                    \
    X(exc_load_pair_unbacked, NULL)                                                                \
    X(exc_el0_load_unbacked, NULL)                                                                 \
    X(exc_sp0_vector, NULL)                                                                        \
    X(gic_sgi_pending_visible, NULL)                                                               \
    X(gic_sgi_active_visible, NULL)                                                                \
    X(gic_set_pending, NULL)                                                                       \
    X(gic_pending_while_disabled, NULL)                                                            \
    X(gic_active_set_clear, NULL)                                                                  \
    X(gic_spi_set_pending, spi_cleanup)                                                            \
    X(vtimer_ctl_as_written, timers_cleanup)                                                       \
    X(vtimer_pending_visible, timers_cleanup)                                                      \
    X(ptimer_fires, ptimer_cleanup)                                                                \
    X(ptimer_registers, ptimer_cleanup)                                                            \
    X(pmu_cycle_counter, pmu_cleanup)                                                              \
    X(debug_os_lock, debug_cleanup)                                                                \
    X(debug_registers_hold, debug_cleanup)                                                         \
    X(debug_breakpoint_el0, debug_cleanup)                                                         \
    X(debug_watchpoint_el0, debug_cleanup)                                                         \
    X(debug_single_step_el0, debug_cleanup)                                                        \
    X(debug_breakpoint_el1, debug_cleanup)
/* clang-format on */

#define CONFORMANCE_DECLARE(name, cleanup) bool test_##name(void);
CONFORMANCE_TESTS(CONFORMANCE_DECLARE)
CONFORMANCE_PENDING(CONFORMANCE_DECLARE)
void timers_cleanup(void);
void ptimer_cleanup(void);
void spi_cleanup(void);
void pmu_cleanup(void);
void debug_cleanup(void);
