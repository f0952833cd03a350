/* The test driver: finds the tests, gives each an arena and a clean slate, reports. */
#include <stdlib.h>

#include "ktest.h"

extern const struct ktest *const __start_ktests[], *const __stop_ktests[];

#define ARENA_BITS 23
#define SLOTS_PER_TEST 256

static cptr_t pool_untyped; /* the biggest RAM Untyped: arenas come from it */
static cptr_t arena_slot, first_test_slot;
static int current_failed;
cptr_t ktest_park;

void ktest_fail(const char *file, int line, const char *what, long got, long want)
{
    current_failed = 1;
    printf("    check failed at %s:%d: %s", file, line, what);
    if (got || want)
        printf(" (got %ld, want %ld)", got, want);
    printf("\n");
}

static void find_pool(const struct boot_info *bi)
{
    unsigned best = 0;
    for (unsigned i = 0; i < bi->untyped_count; i++) {
        const struct untyped_desc *u = &bi->untyped_list[i];
        if (!u->is_device && u->size_bits > best) {
            best = u->size_bits;
            pool_untyped = bi->untyped.start + i;
        }
    }
}

/* A RAM Untyped other than the pool, for what lives through every test (the pool must stay empty).
 */
static cptr_t spare_untyped(const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->untyped_count; i++)
        if (!bi->untyped_list[i].is_device && bi->untyped.start + i != pool_untyped)
            return bi->untyped.start + i;
    return 0;
}

static void sweep_slots(cptr_t from, cptr_t to)
{
    for (cptr_t s = from; s < to; s++)
        cnode_delete(INIT_CAP_CNODE, s, 64);
}

static int run_one(const struct boot_info *bi, const struct ktest *t)
{
    struct env env = { .bi = bi,
                       .arena = arena_slot,
                       .next_slot = first_test_slot,
                       .slot_end = first_test_slot + SLOTS_PER_TEST,
                       .next_vaddr = 0x50000000 };
    current_failed = 0;
    if (untyped_retype(pool_untyped, OBJ_UNTYPED, ARENA_BITS, INIT_CAP_CNODE, 0, 0, arena_slot,
                       1)) {
        printf("    cannot make the test arena\n");
        return 1;
    }
    t->run(&env);
    /* A failed test may leave the initializer changed: put back what tests change. */
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY);
    cnode_revoke(INIT_CAP_CNODE, arena_slot, 64);
    cnode_delete(INIT_CAP_CNODE, arena_slot, 64);
    sweep_slots(first_test_slot, env.slot_end);
    return current_failed;
}

int main(void)
{
    const struct boot_info *bi = runtime_boot_info;
    find_pool(bi);
    arena_slot = bi->empty.start;
    ktest_park = arena_slot + 1;
    first_test_slot = arena_slot + 2;
    if (untyped_retype(spare_untyped(bi), OBJ_NOTIFICATION, 0, INIT_CAP_CNODE, 0, 0, ktest_park,
                       1)) {
        printf("ktest: cannot make the parking notification\nCELLA FAIL\n");
        return 1;
    }
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY);
    sys_debug_name_thread(INIT_CAP_TCB, "ktest");
    unsigned passed = 0, failed = 0;
    printf("ktest: %ld tests\n", (long)(__stop_ktests - __start_ktests));
    for (const struct ktest *const *t = __start_ktests; t < __stop_ktests; t++) {
        printf("  %s\n", (*t)->name);
        if (run_one(bi, *t)) {
            failed++;
            printf("  %s FAILED\n", (*t)->name);
        } else {
            passed++;
        }
    }
    printf("ktest: %u passed, %u failed\n", passed, failed);
    printf(failed ? "CELLA FAIL\n" : "CELLA PASS\n");
    return failed ? 1 : 0;
}
