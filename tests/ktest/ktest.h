/*
 * The kernel's target test suite: runs as the initializer in QEMU, one test
 * at a time. Each test gets a fresh arena (an Untyped it may carve freely)
 * and a range of empty slots; afterwards the arena is revoked, which
 * destroys everything the test made, and the slots are swept.
 */
#pragma once

#include <stdio.h>
#include <string.h>

#include <runtime.h>

struct env {
    const struct boot_info *bi;
    cptr_t arena;          /* this test's Untyped */
    cptr_t next_slot;      /* next free slot in the root CNode */
    cptr_t slot_end;
    uint64_t next_vaddr;   /* next free page in the test mapping area */
    cptr_t page_tables[4]; /* the tables this test made for its mapping area */
    unsigned threads;      /* helper threads started by this test */
};

struct ktest {
    const char *name;
    void (*run)(struct env *env);
};

#define KTEST(fn)                                                                        \
    static void fn(struct env *env);                                                     \
    static const struct ktest ktest_##fn = { #fn, fn };                                  \
    __attribute__((used, retain, section("ktests"))) static const struct ktest *const ktest_ptr_##fn = &ktest_##fn; \
    static void fn(struct env *env)

void ktest_fail(const char *file, int line, const char *what, long got, long want);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            ktest_fail(__FILE__, __LINE__, #cond, 0, 0);                                 \
            return;                                                                      \
        }                                                                                \
    } while (0)

#define CHECK_EQ(expr, want)                                                             \
    do {                                                                                 \
        long got_ = (long)(expr), want_ = (long)(want);                                  \
        if (got_ != want_) {                                                             \
            ktest_fail(__FILE__, __LINE__, #expr " == " #want, got_, want_);             \
            return;                                                                      \
        }                                                                                \
    } while (0)

#define CHECK_OK(expr) CHECK_EQ(expr, ERR_NONE)

/* The test's resources. Each returns 0 (and the test should stop) if it could not. */
cptr_t env_slot(struct env *env);
cptr_t env_object(struct env *env, unsigned type, unsigned size_bits);
/* Maps a fresh frame into the initializer's VSpace; returns its address (0 on failure). */
uint64_t env_map_page(struct env *env, cptr_t *frame_out, unsigned rights);

/* A helper thread in the test's own VSpace and CSpace. */
struct helper {
    cptr_t tcb;
    uint64_t ipc_buffer;
};
bool env_thread(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                unsigned priority);
/* Same, but not started: the test sets it up further and resumes it. */
bool env_thread_prepare(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                        unsigned priority);

#define MAIN_PRIORITY 100
#define WORD(x) ((uint64_t)(x))
