/* FP/SIMD registers belong to each thread: switched lazily by the kernel, never seen by another. */
#include "ktest.h"

static volatile unsigned g_good[3];
static volatile uint64_t g_seen[4];

/* Puts a and b in q0 and q31, yields, and checks they are still there. x8-x18 are the ABI's to
 * clobber. */
static bool fp_survives_yield(uint64_t a, uint64_t b)
{
    uint64_t r0, r1, r2, r3;
    __asm__ volatile("fmov d0, %4\n"
                     "mov v0.d[1], %5\n"
                     "mov v31.d[0], %5\n"
                     "mov v31.d[1], %4\n"
                     "mov x7, #8\n" /* SYS_YIELD */
                     "svc #1\n"
                     "mov %0, v0.d[0]\n"
                     "mov %1, v0.d[1]\n"
                     "mov %2, v31.d[0]\n"
                     "mov %3, v31.d[1]\n"
                     : "=&r"(r0), "=&r"(r1), "=&r"(r2), "=&r"(r3)
                     : "r"(a), "r"(b)
                     : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                       "x12", "x13", "x14", "x15", "x16", "x17", "x18", "v0", "v31", "memory");
    return r0 == a && r1 == b && r2 == b && r3 == a;
}

static volatile unsigned g_done[3];

static void fp_rounds(uint64_t id)
{
    for (uint64_t i = 0; i < 20; i++)
        if (fp_survives_yield(id << 32 | i, ~(id << 32 | i)))
            g_good[id]++;
    g_done[id] = 1;
}

KTEST(fpu_registers_are_per_thread_across_yields)
{
    struct helper a, b;
    g_good[0] = g_good[1] = g_good[2] = 0;
    g_done[1] = g_done[2] = 0;
    CHECK(env_thread(env, &a, fp_rounds, 1, MAIN_PRIORITY));
    CHECK(env_thread(env, &b, fp_rounds, 2, MAIN_PRIORITY));
    fp_rounds(0); /* we take turns with them */
    for (int i = 0; i < 100 && !(g_done[1] && g_done[2]); i++)
        sys_yield();
    CHECK_EQ(g_good[0], 20);
    CHECK_EQ(g_good[1], 20);
    CHECK_EQ(g_good[2], 20);
}

/* Sets q7 and FPCR's rounding mode, spins for ms milliseconds (preempted meanwhile), checks both.
 */
static bool fp_survives_preemption(uint64_t value, uint64_t rmode, uint64_t ms)
{
    uint64_t got, fpcr, saved, now, freq;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
    __asm__ volatile("fmov d7, %2\n"
                     "msr fpcr, %3\n"
                     "1: isb\n"
                     "mrs x9, cntvct_el0\n"
                     "cmp x9, %4\n"
                     "b.lo 1b\n"
                     "fmov %0, d7\n"
                     "mrs %1, fpcr\n"
                     : "=&r"(got), "=&r"(fpcr)
                     : "r"(value), "r"(rmode << 22), "r"(now + ms * (freq / 1000))
                     : "x9", "v7", "cc", "memory");
    __asm__ volatile("msr fpcr, %0" ::"r"(saved));
    return got == value && ((fpcr >> 22) & 3) == rmode;
}

static void fp_spin(uint64_t id)
{
    g_good[id] = fp_survives_preemption(0x1111111111111111UL * (id + 1), id + 1, 40);
}

KTEST(fpu_registers_survive_preemption)
{
    struct helper a, b;
    g_good[1] = g_good[2] = 7;
    CHECK_OK(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY + 2));
    CHECK(env_thread(env, &a, fp_spin, 1, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, fp_spin, 2, MAIN_PRIORITY + 1));
    env_run_lower();
    CHECK_EQ(g_good[1], 1);
    CHECK_EQ(g_good[2], 1);
}

static void fp_write_and_wait(uint64_t value)
{
    __asm__ volatile("fmov d5, %0" ::"r"(value) : "v5");
    sys_wait(ktest_park);
}

static void fp_read(uint64_t arg)
{
    (void)arg;
    uint64_t v;
    __asm__ volatile("fmov %0, d5" : "=r"(v));
    g_seen[0] = v;
    g_seen[1] = 1;
}

KTEST(fpu_new_thread_does_not_see_another_threads_registers)
{
    struct helper a, b, a2, c;
    g_seen[0] = 99;
    g_seen[1] = 0;
    CHECK(env_thread(env, &a, fp_write_and_wait, 0x5ec12e7, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, fp_read, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[0], 0);
    /* nor once the thread that owns the registers is gone */
    CHECK(env_thread(env, &a2, fp_write_and_wait, 0x5ec12e8, MAIN_PRIORITY + 1));
    CHECK_OK(cnode_delete(INIT_CAP_CNODE, a2.tcb, 64));
    g_seen[0] = 99;
    g_seen[1] = 0;
    CHECK(env_thread(env, &c, fp_read, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[0], 0);
}
