/*
 * The kernel benchmarks (README.md). Each measures one operation
 * BENCH_RUNS times with the cycle counter, which counts instructions under
 * QEMU's -icount shift=0, and reports the median.
 */
#include <stdio.h>

#include <abi/vcpu.h>
#include <platform_config.h>

#include "bench.h"

#define MAIN_PRIORITY 200
#define STACK_SIZE 16384
#define SHARED_VADDR 0x60000000UL
#define SERVER_CODE_VADDR 0x61000000UL

static char stacks[4][STACK_SIZE] __attribute__((aligned(16)));
static uint64_t samples[3][BENCH_RUNS];
static struct bench_env env;
static cptr_t ep, reply, ntfn, ntfn2, fault_ep;

static uint64_t stack_top(int i)
{
    return (uint64_t)(uintptr_t)(stacks[i] + STACK_SIZE);
}

/* Server for the same-VSpace IPC benchmarks: timestamps arrival and departure. */
static volatile uint64_t server_arrived, server_leaving;

static void timing_server(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    sys_recv(ep, mr, reply);
    for (;;) {
        server_arrived = cycles();
        server_leaving = cycles();
        sys_reply_recv(ep, 0, mr, reply);
    }
}

static void bench_ipc(void)
{
    cptr_t server =
        bench_thread(&env, INIT_CAP_VSPACE, timing_server, 0, stack_top(0), MAIN_PRIORITY);
    sys_yield(); /* let the server block in Recv */
    uint64_t mr[4] = { 0 };
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t start = cycles();
        sys_call(ep, 0, mr);
        uint64_t end = cycles();
        samples[0][i] = server_arrived - start;
        samples[1][i] = end - server_leaving;
        samples[2][i] = end - start;
    }
    bench_report("ipc_call_oneway", samples[0], BENCH_RUNS);
    bench_report("ipc_replyrecv_oneway", samples[1], BENCH_RUNS);
    bench_report("ipc_roundtrip", samples[2], BENCH_RUNS);
    tcb_suspend(server);
}

extern char bench_server_code[], bench_server_code_end[];

/* The server lives in its own VSpace and runs code copied into a frame mapped there. */
static void bench_ipc_cross_vspace(void)
{
    cptr_t vspace = bench_object(&env, OBJ_VSPACE, 0), code;
    char *local = (char *)(uintptr_t)bench_map_page(&env, INIT_CAP_VSPACE, SERVER_CODE_VADDR, &code,
                                                    VM_READ | VM_WRITE);
    for (char *p = bench_server_code; p < bench_server_code_end; p++)
        local[p - bench_server_code] = *p;
    cptr_t copy = env.next_slot++;
    cnode_copy(INIT_CAP_CNODE, copy, 64, INIT_CAP_CNODE, code, 64, RIGHTS_ALL);
    bench_map(&env, copy, vspace, SERVER_CODE_VADDR, VM_READ | VM_EXECUTE, 0);
    cptr_t server = bench_object(&env, OBJ_TCB, 0);
    struct user_registers regs = { .pc = SERVER_CODE_VADDR };
    regs.x[0] = ep;
    regs.x[6] = reply;
    tcb_configure(server, 0, INIT_CAP_CNODE, 0, vspace, 0, 0);
    tcb_set_priority(server, INIT_CAP_TCB, MAIN_PRIORITY);
    tcb_write_registers(server, true, &regs, 3 + 7);
    sys_yield();
    uint64_t mr[4] = { 0 };
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t start = cycles();
        sys_call(ep, 0, mr);
        samples[0][i] = cycles() - start;
    }
    bench_report("ipc_roundtrip_cross_vspace", samples[0], BENCH_RUNS);
    tcb_suspend(server);
}

static volatile uint64_t woken_at;

static void waiter(uint64_t arg)
{
    (void)arg;
    for (;;) {
        sys_wait(ntfn);
        woken_at = cycles();
    }
}

/* A lower-priority thread waits; the signal costs the signaller only the wake-up. */
static void bench_signal_to_lower(void)
{
    cptr_t w = bench_thread(&env, INIT_CAP_VSPACE, waiter, 0, stack_top(1), MAIN_PRIORITY - 1);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY - 2); /* let it wait again */
        tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY);
        uint64_t start = cycles();
        sys_signal(ntfn);
        samples[0][i] = cycles() - start;
    }
    bench_report("signal_to_lower", samples[0], BENCH_RUNS);
    tcb_suspend(w);
}

/* A higher-priority thread waits; the signal switches straight to it. */
static void bench_signal_to_higher(void)
{
    cptr_t w = bench_thread(&env, INIT_CAP_VSPACE, waiter, 0, stack_top(1), MAIN_PRIORITY + 1);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t start = cycles();
        sys_signal(ntfn);
        samples[0][i] = woken_at - start;
    }
    bench_report("signal_to_higher", samples[0], BENCH_RUNS);
    tcb_suspend(w);
}

static void fault_handler(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    sys_recv(fault_ep, mr, reply);
    for (;;)
        sys_reply_recv(fault_ep, msginfo_new(FAULT_REPLY_SKIP, 0, 0, 0), mr, reply);
}

static volatile uint64_t fault_done;

/* Faults on purpose: an undefined instruction, which the handler skips. */
static void faulter(uint64_t arg)
{
    (void)arg;
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t start = cycles();
        __asm__ volatile(".word 0" ::: "memory");
        samples[0][i] = cycles() - start;
    }
    fault_done = 1;
    sys_wait(ntfn2);
}

static void bench_fault(void)
{
    cptr_t handler =
        bench_thread(&env, INIT_CAP_VSPACE, fault_handler, 0, stack_top(1), MAIN_PRIORITY + 2);
    cptr_t f = bench_object(&env, OBJ_TCB, 0);
    tcb_configure(f, fault_ep, INIT_CAP_CNODE, 0, INIT_CAP_VSPACE, 0, 0);
    tcb_set_priority(f, INIT_CAP_TCB, MAIN_PRIORITY + 1);
    tcb_start(f, (uint64_t)(uintptr_t)faulter, stack_top(2), 0);
    while (!fault_done)
        sys_yield();
    bench_report("fault_roundtrip", samples[0], BENCH_RUNS);
    tcb_suspend(f);
    tcb_suspend(handler);
}

extern char bench_guest_code[], bench_guest_code_end[];

/*
 * Guest exits: a null hypercall and an emulated MMIO load, each a round trip
 * guest -> kernel -> VMM (this thread) -> kernel -> guest, counted inside the guest.
 */
static void bench_guest_exits(void)
{
    cptr_t vspace = bench_object(&env, OBJ_VSPACE, 0), code, tcb = bench_object(&env, OBJ_TCB, 0);
    cptr_t vcpu = bench_object(&env, OBJ_VCPU, 0);
    char *local = (char *)(uintptr_t)bench_map_page(&env, INIT_CAP_VSPACE, 0x63000000UL, &code,
                                                    VM_READ | VM_WRITE);
    for (char *p = bench_guest_code; p < bench_guest_code_end; p++)
        local[p - bench_guest_code] = *p;
    cptr_t copy = env.next_slot++;
    cnode_copy(INIT_CAP_CNODE, copy, 64, INIT_CAP_CNODE, code, 64, RIGHTS_ALL);
    bench_map(&env, copy, vspace, 0x40000000UL, VM_READ | VM_EXECUTE, 0);
    invoke(vcpu, VCPU_SET_TCB, NULL, 0, (cptr_t[]){ tcb }, 1, NULL, 0);
    tcb_configure(tcb, fault_ep, INIT_CAP_CNODE, 0, vspace, 0, 0);
    tcb_set_priority(tcb, INIT_CAP_TCB, MAIN_PRIORITY);
    tcb_write_registers(tcb, true, &(struct user_registers){ .pc = 0x40000000UL, .spsr = 0x3c5 },
                        3);
    uint64_t mr[4];
    struct sys_result r = sys_recv(fault_ep, mr, reply);
    for (unsigned i = 0; i < BENCH_RUNS;) {
        uint64_t reason = mr[0] & 0xffff;
        if (reason == VCPU_EXIT_HVC && (mr[0] >> 16) == 1) {
            struct user_registers regs;
            tcb_read_registers(tcb, &regs);
            samples[0][i] = regs.x[20];
            samples[1][i] = regs.x[21];
            i++;
        }
        unsigned label = reason == VCPU_EXIT_DATA_ABORT ? VCPU_REPLY_READ_DONE : FAULT_REPLY_RESUME;
        mr[0] = 0;
        r = sys_reply_recv(fault_ep, msginfo_new(label, 0, 0, 1), mr, reply);
    }
    (void)r;
    tcb_suspend(tcb);
    bench_report("null_hypercall_roundtrip", samples[0], BENCH_RUNS);
    bench_report("mmio_exit_roundtrip", samples[1], BENCH_RUNS);
}

static void bench_yield(void)
{
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t start = cycles();
        sys_yield();
        samples[0][i] = cycles() - start;
    }
    bench_report("yield", samples[0], BENCH_RUNS);
}

/* Release kernels have no debug console: write to the board's UART from a device frame. */
static void open_console(const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->untyped_count; i++) {
        const struct untyped_desc *u = &bi->untyped_list[i];
        if (u->is_device && u->paddr == (PLATFORM_CONSOLE_BASE & ~0xfffUL)) {
            cptr_t frame = env.next_slot++;
            untyped_retype(bi->untyped.start + i, OBJ_FRAME_4K, 0, INIT_CAP_CNODE, 0, 0, frame, 1);
            uint64_t va = 0x62000000UL;
            bench_map(&env, frame, INIT_CAP_VSPACE, va, VM_READ | VM_WRITE, VM_ATTR_DEVICE);
            pl011_use((void *)(uintptr_t)(va + (PLATFORM_CONSOLE_BASE & 0xfff)));
            return;
        }
    }
}

static cptr_t largest_untyped(const struct boot_info *bi)
{
    unsigned best = 0, index = 0;
    for (unsigned i = 0; i < bi->untyped_count; i++)
        if (!bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits > best) {
            best = bi->untyped_list[i].size_bits;
            index = i;
        }
    return bi->untyped.start + index;
}

int main(void)
{
    const struct boot_info *bi = runtime_boot_info;
    env = (struct bench_env){ bi, largest_untyped(bi), bi->empty.start, SHARED_VADDR };
    open_console(bi);
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY);
    ep = bench_object(&env, OBJ_ENDPOINT, 0);
    reply = bench_object(&env, OBJ_REPLY, 0);
    ntfn = bench_object(&env, OBJ_NOTIFICATION, 0);
    ntfn2 = bench_object(&env, OBJ_NOTIFICATION, 0);
    fault_ep = bench_object(&env, OBJ_ENDPOINT, 0);
    printf("bench: %u runs each, medians in instructions (-icount shift=0)\n",
           BENCH_RUNS - BENCH_WARMUP);
    bench_ipc();
    bench_ipc_cross_vspace();
    bench_signal_to_lower();
    bench_signal_to_higher();
    bench_fault();
    bench_yield();
    bench_guest_exits();
    printf("BENCH done\n");
    for (;;)
        sys_wait(ntfn2);
}
