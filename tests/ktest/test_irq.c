/*
 * Interrupts: IRQControl_Get and the IRQHandler methods, and real
 * interrupts from the board's PL031 real-time clock, whose match interrupt
 * fires at once when the match register is set to the current count.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE
#define FREE_SPI 100
#define TIMER_IRQ 26      /* the kernel's tick (hypervisor timer PPI) */
#define WAKE_TIMER_IRQ 30 /* the kernel's guest wake-up timer (EL1 physical timer PPI) */

#define RTC_PADDR 0x9010000UL
#define RTC_IRQ 34                                                            /* SPI 2 */
enum { RTC_DR, RTC_MR, RTC_LR, RTC_CR, RTC_IMSC, RTC_RIS, RTC_MIS, RTC_ICR }; /* 32-bit registers */

static volatile uint64_t g_seen[8];
static cptr_t g_ntfn;

static cptr_t get_handler(struct env *env, unsigned irq)
{
    cptr_t slot = env_slot(env);
    return slot && irq_control_get(INIT_CAP_IRQ_CONTROL, irq, ROOT, slot, 64) == 0 ? slot : 0;
}

KTEST(irq_control_get_issues_a_handler)
{
    cptr_t h = get_handler(env, FREE_SPI);
    CHECK(h);
    CHECK_EQ(sys_debug_cap_identify(h), CAP_IRQ_HANDLER);
}

KTEST(irq_control_get_twice_is_revoke_first)
{
    cptr_t h = get_handler(env, FREE_SPI), again = env_slot(env);
    CHECK(h && again);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, FREE_SPI, ROOT, again, 64), ERR_REVOKE_FIRST);
    CHECK_EQ(sys_debug_cap_identify(again), CAP_NULL);
}

KTEST(irq_control_refuses_kernel_and_software_lines)
{
    cptr_t s = env_slot(env);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, TIMER_IRQ, ROOT, s, 64), ERR_REVOKE_FIRST);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, WAKE_TIMER_IRQ, ROOT, s, 64), ERR_REVOKE_FIRST);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, 0, ROOT, s, 64), ERR_RANGE);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, 15, ROOT, s, 64), ERR_RANGE);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, 1020, ROOT, s, 64), ERR_RANGE);
    CHECK_EQ(invoke(INIT_CAP_IRQ_CONTROL, IRQ_CONTROL_GET,
                    (uint64_t[]){ (1UL << 32) | FREE_SPI, s, 64 }, 3, (cptr_t[]){ ROOT }, 1, NULL,
                    0)
                 .error,
             ERR_RANGE); /* no truncation to 32 bits */
    CHECK_EQ(sys_debug_cap_identify(s), CAP_NULL);
}

KTEST(irq_deleting_last_handler_cap_frees_the_line)
{
    cptr_t h = get_handler(env, FREE_SPI), copy = env_slot(env), again = env_slot(env);
    CHECK(h && copy && again);
    CHECK_OK(cnode_copy(ROOT, copy, 64, ROOT, h, 64, RIGHTS_ALL));
    CHECK_OK(cnode_delete(ROOT, h, 64));
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, FREE_SPI, ROOT, again, 64), ERR_REVOKE_FIRST);
    CHECK_OK(cnode_delete(ROOT, copy, 64));
    CHECK_OK(irq_control_get(INIT_CAP_IRQ_CONTROL, FREE_SPI, ROOT, again, 64));
}

KTEST(irq_control_get_checks_its_destination)
{
    cptr_t occupied = env_object(env, OBJ_ENDPOINT, 0), s = env_slot(env);
    CHECK(occupied && s);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, FREE_SPI, ROOT, occupied, 64), ERR_DELETE_FIRST);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, FREE_SPI, occupied, s, 64),
             ERR_INVALID_CAPABILITY);
    CHECK_EQ(irq_control_get(INIT_CAP_IRQ_CONTROL, FREE_SPI, ROOT, s, 0), ERR_RANGE);
    CHECK_EQ(invoke(INIT_CAP_IRQ_CONTROL, IRQ_CONTROL_GET, (uint64_t[]){ FREE_SPI, s, 64 }, 3, NULL,
                    0, NULL, 0)
                 .error,
             ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(INIT_CAP_IRQ_CONTROL, IRQ_CONTROL_GET, (uint64_t[]){ FREE_SPI, s }, 2,
                    (cptr_t[]){ ROOT }, 1, NULL, 0)
                 .error,
             ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(INIT_CAP_IRQ_CONTROL, IRQ_HANDLER_ACK, NULL, 0, NULL, 0, NULL, 0).error,
             ERR_ILLEGAL_OPERATION);
    /* nothing was taken by the refused requests */
    CHECK_OK(irq_control_get(INIT_CAP_IRQ_CONTROL, FREE_SPI, ROOT, s, 64));
}

KTEST(irq_handler_set_notification_checks_its_capability)
{
    cptr_t h = get_handler(env, FREE_SPI), ep = env_object(env, OBJ_ENDPOINT, 0),
           n = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(h && ep && n);
    cptr_t wait_only = env_mint(env, n, RIGHT_READ, 0);
    CHECK(wait_only);
    CHECK_EQ(irq_handler_set_notification(h, ep), ERR_INVALID_CAPABILITY);
    CHECK_EQ(irq_handler_set_notification(h, wait_only), ERR_INVALID_CAPABILITY);
    CHECK_EQ(invoke(h, IRQ_HANDLER_SET_NOTIFICATION, NULL, 0, NULL, 0, NULL, 0).error,
             ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(h, IRQ_CONTROL_GET, NULL, 0, NULL, 0, NULL, 0).error, ERR_ILLEGAL_OPERATION);
    CHECK_OK(irq_handler_set_notification(h, n));
    CHECK_OK(irq_handler_clear(h));
    CHECK_OK(irq_handler_ack(h));
}

/* The RTC: its registers mapped, its interrupt line's handler, a notification it signals. */
struct rtc {
    volatile uint32_t *reg;
    cptr_t handler, ntfn;
};

static bool rtc_open(struct env *env, struct rtc *r, uint64_t badge)
{
    const struct boot_info *bi = env->bi;
    cptr_t untyped = 0, frame = env_slot(env);
    for (unsigned i = 0; i < bi->untyped_count; i++)
        if (bi->untyped_list[i].is_device && bi->untyped_list[i].paddr == RTC_PADDR)
            untyped = bi->untyped.start + i;
    if (!untyped || !frame || untyped_retype(untyped, OBJ_FRAME_4K, 0, ROOT, 0, 0, frame, 1))
        return false;
    r->reg = (volatile uint32_t *)(uintptr_t)env_map_frame(env, frame, VM_READ | VM_WRITE,
                                                           VM_ATTR_DEVICE);
    r->handler = get_handler(env, RTC_IRQ);
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    r->ntfn = n;
    if (!r->reg || !r->handler || !n)
        return false;
    r->reg[RTC_IMSC] = 0; /* quiet, whatever an earlier test left */
    r->reg[RTC_ICR] = 1;
    cptr_t badged = env_mint(env, n, RIGHTS_ALL, badge);
    return badged && irq_handler_set_notification(r->handler, badged) == 0;
}

/* Makes the RTC raise its interrupt now: the match register set to the count (which may tick). */
static bool rtc_fire(struct rtc *r)
{
    r->reg[RTC_IMSC] = 1;
    for (int i = 0; i < 5; i++) {
        r->reg[RTC_MR] = r->reg[RTC_DR];
        if (r->reg[RTC_RIS] & 1)
            return true;
    }
    return false;
}

static void rtc_clear(struct rtc *r)
{
    r->reg[RTC_ICR] = 1;
}

KTEST(irq_rtc_interrupt_signals_notification_with_badge)
{
    struct rtc r;
    CHECK(rtc_open(env, &r, 0x400));
    CHECK_EQ(sys_poll(r.ntfn).badge, 0);
    CHECK(rtc_fire(&r));
    struct sys_result res = sys_wait(r.ntfn);
    CHECK_EQ(res.badge, 0x400);
    rtc_clear(&r);
    CHECK_OK(irq_handler_ack(r.handler));
    CHECK_EQ(sys_poll(r.ntfn).badge, 0);
}

KTEST(irq_line_stays_masked_until_acknowledged)
{
    struct rtc r;
    CHECK(rtc_open(env, &r, 1));
    CHECK(rtc_fire(&r));
    CHECK_EQ(sys_wait(r.ntfn).badge, 1);
    /* the device still asserts the line, but it was masked when delivered */
    CHECK(r.reg[RTC_MIS] & 1);
    CHECK_EQ(sys_poll(r.ntfn).badge, 0);
    CHECK_OK(irq_handler_ack(r.handler)); /* unmasked while still asserted: delivered again */
    CHECK_EQ(sys_poll(r.ntfn).badge, 1);
    rtc_clear(&r);
    CHECK_OK(irq_handler_ack(r.handler));
    CHECK_EQ(sys_poll(r.ntfn).badge, 0);
}

KTEST(irq_handler_clear_stops_delivery)
{
    struct rtc r;
    CHECK(rtc_open(env, &r, 2));
    CHECK_OK(irq_handler_clear(r.handler));
    CHECK(rtc_fire(&r));
    CHECK_OK(irq_handler_ack(r.handler)); /* unmasked, but with no notification */
    CHECK_EQ(sys_poll(r.ntfn).badge, 0);
    CHECK_OK(irq_handler_set_notification(r.handler, r.ntfn));
    CHECK_EQ(sys_poll(r.ntfn).badge, 1); /* still asserted: now it arrives (unbadged cap) */
    rtc_clear(&r);
}

KTEST(irq_deleting_notification_stops_delivery)
{
    struct rtc r;
    CHECK(rtc_open(env, &r, 4));
    cptr_t n2 = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(n2);
    CHECK_OK(cnode_revoke(ROOT, r.ntfn, 64));
    CHECK_OK(cnode_delete(ROOT, r.ntfn, 64));
    CHECK(rtc_fire(&r)); /* delivered to nobody */
    CHECK_OK(irq_handler_ack(r.handler));
    CHECK_OK(irq_handler_set_notification(r.handler, n2));
    CHECK_EQ(sys_poll(n2).badge, 1);
    rtc_clear(&r);
}

KTEST(irq_deleting_handler_masks_the_line)
{
    struct rtc r;
    CHECK(rtc_open(env, &r, 8));
    CHECK_OK(cnode_delete(ROOT, r.handler, 64));
    CHECK(rtc_fire(&r));
    CHECK_EQ(sys_poll(r.ntfn).badge, 0);
    cptr_t again = get_handler(env, RTC_IRQ);
    CHECK(again);
    CHECK_OK(irq_handler_set_notification(again, r.ntfn));
    CHECK_EQ(sys_poll(r.ntfn).badge, 1);
    rtc_clear(&r);
}

static void wait_for_interrupt(uint64_t arg)
{
    (void)arg;
    g_seen[0] = sys_wait(g_ntfn).badge;
    g_seen[1] = 1;
}

KTEST(irq_wakes_higher_priority_thread_at_once)
{
    struct rtc r;
    struct helper h;
    CHECK(rtc_open(env, &r, 0x10));
    g_ntfn = r.ntfn;
    g_seen[1] = 0;
    CHECK(env_thread(env, &h, wait_for_interrupt, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[1], 0);
    CHECK(rtc_fire(&r));
    /* the interrupt came as soon as the line rose, and the waiter ran before us */
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[0], 0x10);
    rtc_clear(&r);
}

static void write_tls_then_wait(uint64_t value)
{
    __asm__ volatile("msr tpidr_el0, %0" ::"r"(value));
    sys_wait(g_ntfn);
    uint64_t now;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(now));
    g_seen[2] = now;
}

KTEST(irq_thread_state_survives_the_idle_loop)
{
    struct rtc r;
    struct helper h;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(g_ntfn && rtc_open(env, &r, 1));
    CHECK(env_thread(env, &h, write_tls_then_wait, 0x7150, MAIN_PRIORITY - 1));
    /* The alarm at the next second; meanwhile we wait, it runs and waits, and nothing is left to
     * run. */
    r.reg[RTC_IMSC] = 1;
    r.reg[RTC_MR] = r.reg[RTC_DR] + 1;
    CHECK_EQ(sys_wait(r.ntfn).badge, 1);
    rtc_clear(&r);
    r.reg[RTC_IMSC] = 0;
    sys_signal(g_ntfn);
    env_run_lower();
    CHECK_EQ(g_seen[2], 0x7150);
}
