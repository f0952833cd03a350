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
    cptr_t arena;     /* this test's Untyped */
    cptr_t next_slot; /* next free slot in the root CNode */
    cptr_t slot_end;
    uint64_t next_vaddr; /* next free page in the test mapping area */
    unsigned threads;    /* helper threads started by this test */
};

struct ktest {
    const char *name;
    void (*run)(struct env *env);
};

#define KTEST(fn)                                                                                  \
    static void fn(struct env *env);                                                               \
    static const struct ktest ktest_##fn = { #fn, fn };                                            \
    __attribute__((used, retain,                                                                   \
                   section("ktests"))) static const struct ktest *const ktest_ptr_##fn =           \
        &ktest_##fn;                                                                               \
    static void fn(struct env *env)

void ktest_fail(const char *file, int line, const char *what, long got, long want);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest_fail(__FILE__, __LINE__, #cond, 0, 0);                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(expr, want)                                                                       \
    do {                                                                                           \
        long got_ = (long)(expr), want_ = (long)(want);                                            \
        if (got_ != want_) {                                                                       \
            ktest_fail(__FILE__, __LINE__, #expr " == " #want, got_, want_);                       \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_OK(expr) CHECK_EQ(expr, ERR_NONE)

/* The test's resources. Each returns 0 (and the test should stop) if it could not. */
cptr_t env_slot(struct env *env);
cptr_t env_object(struct env *env, unsigned type, unsigned size_bits);
/* A copy of cap with the given rights and badge (mint data), in a fresh slot. */
cptr_t env_mint(struct env *env, cptr_t cap, unsigned rights, uint64_t badge);
/* Maps a fresh frame into the initializer's VSpace; returns its address (0 on failure). */
uint64_t env_map_page(struct env *env, cptr_t *frame_out, unsigned rights);
/* Maps frame (unmapped) at the next free page of the initializer's VSpace. */
uint64_t env_map_frame(struct env *env, cptr_t frame, unsigned rights, unsigned attrs);
/* Maps frame at vaddr in vspace, making the page tables that are missing. */
int env_map_at(struct env *env, cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights,
               unsigned attrs);

/* A helper thread in the test's own VSpace and CSpace. Returning from entry parks it for good. */
struct helper {
    cptr_t tcb;
    uint64_t ipc_buffer;
    cptr_t ipc_buffer_frame;
};
bool env_thread(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                unsigned priority);
/* Same, but not started: the test sets it up further and resumes it. */
bool env_thread_prepare(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                        unsigned priority);
/* Same, with faults going to fault_ep (a cptr in the initializer's CNode) and a debug name. */
bool env_thread_named(struct env *env, struct helper *h, void (*entry)(uint64_t), uint64_t arg,
                      unsigned priority, cptr_t fault_ep, const char *name);
/* The slot of the notification parked helpers wait on forever (nobody signals it). */
extern cptr_t ktest_park;

/*
 * Threads that are meant to fault without a handler carry this name: the
 * kernel reports such faults on the console and the runner fails on any
 * other thread's.
 */
#define NO_HANDLER_NAME "nohandler"

/* Lets every ready thread below the initializer's priority run until it blocks. */
void env_run_lower(void);

/* A fault message as the handler receives it. */
struct fault_msg {
    uint64_t badge, label, length;
    uint64_t mr[FAULT_UNKNOWN_SYSCALL_LENGTH];
};
/* Takes a fault waiting at ep without blocking (the faulter then waits on reply). */
bool env_take_fault(cptr_t ep, cptr_t reply, struct fault_msg *f);
/* Answers the fault linked to reply with a label and up to three message registers. */
uint64_t env_fault_reply(cptr_t reply, uint64_t label, unsigned length, uint64_t mr0, uint64_t mr1,
                         uint64_t mr2);

/* Faulting routines (test_fault.c): the faulting instruction is the first, unless noted. */
void fault_undefined(void);
void fault_brk(void);
void fault_svc1_200(void); /* x0-x6 = 10-16, x7 = 200, svc #1 (eighth) */
void fault_svc5(void);     /* x7 = 0x77, x8 = 0x88, svc #5 (third) */
void fault_svc0(void);     /* x8 = 0x88, svc #0 (second) */
void fault_svc2(void);     /* x7 = 0x77, x8 = 0x88, svc #2 (third) */

/* Memory accesses with known addresses: the access is the first instruction. */
uint64_t probe_load(uint64_t addr);
void probe_store(uint64_t addr, uint64_t value);
/*
 * Reads addr (or writes value there) from a fresh helper thread in our
 * VSpace. Returns FAULT_NONE if the access went through (a read's value in
 * *value), else the fault's kind, with its message in *f if f is not NULL.
 */
unsigned env_probe(struct env *env, uint64_t addr, bool write, uint64_t *value,
                   struct fault_msg *f);

/* The counter time, in microseconds. */
uint64_t env_usec(void);

/* ESR exception classes the fault tests look for. */
#define EC_UNKNOWN 0x00
#define EC_SVC64 0x15
#define EC_IABT_LOWER 0x20
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOWER 0x24
#define EC_BRK 0x3c
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_WNR (1u << 6)

/*
 * Threads in a VSpace of their own (remote.c). Their code is copied into a
 * fresh frame mapped executable at REMOTE_CODE; a second frame is mapped
 * at REMOTE_SHARED in their VSpace and in the initializer's. They share the
 * initializer's CNode and have no IPC buffer.
 */
#define REMOTE_CODE 0x400000UL
#define REMOTE_SHARED 0x401000UL

struct remote {
    cptr_t vspace, tcb, code_frame, shared_frame;
    volatile uint64_t *shared; /* the initializer's view of the shared frame */
};
/* Code the remote threads run, position independent: see remote.c. */
extern const char remote_code_start[], remote_code_end[];
extern const char remote_counter[], remote_syscall_then_count[], remote_load[];

/* Makes the VSpace (or uses vspace if nonzero), the frames and an unstarted TCB. */
bool env_remote(struct env *env, struct remote *r, cptr_t vspace, unsigned priority,
                cptr_t fault_ep);
/* (Re)starts it at entry (a symbol above) with x0-x13 from regs, but x10 = REMOTE_SHARED. */
#define REMOTE_REGS 14
bool env_remote_start(struct remote *r, const char *entry, const uint64_t regs[REMOTE_REGS]);

#define MAIN_PRIORITY 100
#define WORD(x) ((uint64_t)(x))
