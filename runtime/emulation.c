/*
 * The Linux system calls musl makes, answered in-process. Compiled without
 * FP/SIMD, and calling nothing in musl, because it runs in the middle of
 * whatever musl function made the call.
 */
#include <stdint.h>

#include "runtime.h"

#define SYS_ioctl 29
#define SYS_write 64
#define SYS_writev 66
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_set_tid_address 96
#define SYS_futex 98
#define SYS_clock_gettime 113
#define SYS_sched_yield 124
#define SYS_kill 129
#define SYS_tkill 130
#define SYS_tgkill 131
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_getpid 172
#define SYS_gettid 178
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_madvise 233

#define ENOMEM 12
#define ENOTTY 25
#define EINVAL 22
#define ENOSYS 38
#define MAP_ANONYMOUS 0x20
#define TIOCGWINSZ 0x5413
#define SIGABRT 6

/* The heap: brk grows up from its base, anonymous mmap grows down from its top. */
static uintptr_t heap_base, heap_break, heap_mmap_top;

void runtime_heap_init(void *base, size_t size)
{
    heap_base = heap_break = (uintptr_t)base;
    heap_mmap_top = (uintptr_t)base + size;
}

struct iovec_abi {
    const void *base;
    size_t length;
};

static long sys_brk(uintptr_t wanted)
{
    if (wanted >= heap_base && wanted <= heap_mmap_top)
        heap_break = wanted;
    return (long)heap_break;
}

static long sys_mmap(uintptr_t addr, size_t length, long flags)
{
    length = (length + 4095) & ~(size_t)4095;
    if (addr || !(flags & MAP_ANONYMOUS) || length > heap_mmap_top - heap_break)
        return -ENOMEM;
    heap_mmap_top -= length;
    for (size_t i = 0; i < length; i += 8)
        *(volatile uint64_t *)(heap_mmap_top + i) = 0;
    return (long)heap_mmap_top;
}

static long sys_writev(const struct iovec_abi *iov, long count)
{
    long total = 0;
    for (long i = 0; i < count; i++) {
        runtime_console_write(iov[i].base, iov[i].length);
        total += (long)iov[i].length;
    }
    return total;
}

static long clock_gettime(uint64_t *ts)
{
    uint64_t ticks, freq;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(ticks));
    __asm__("mrs %0, cntfrq_el0" : "=r"(freq));
    ts[0] = ticks / freq;
    ts[1] = (ticks % freq) * 1000000000u / freq;
    return 0;
}

long emulate_syscall(long a0, long a1, long a2, long a3, long a4, long a5, long number)
{
    (void)a3;
    (void)a4;
    (void)a5;
    switch (number) {
    case SYS_set_tid_address:
    case SYS_getpid:
    case SYS_gettid:
        return 1;
    case SYS_write:
        runtime_console_write((const char *)a1, (size_t)a2);
        return a2;
    case SYS_writev:
        return sys_writev((const struct iovec_abi *)a1, a2);
    case SYS_ioctl: /* the console is a terminal: musl then line-buffers stdout */
        return a1 == TIOCGWINSZ ? 0 : -ENOTTY;
    case SYS_brk:
        return sys_brk((uintptr_t)a0);
    case SYS_mmap:
        return sys_mmap((uintptr_t)a0, (size_t)a1, a3);
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_madvise:
    case SYS_futex:
    case SYS_rt_sigaction:
    case SYS_rt_sigprocmask:
        return 0;
    case SYS_sched_yield:
        sys_yield();
        return 0;
    case SYS_clock_gettime:
        return clock_gettime((uint64_t *)a1);
    case SYS_exit:
    case SYS_exit_group:
        runtime_exit((int)a0);
    case SYS_kill:
    case SYS_tkill:
    case SYS_tgkill:
        runtime_exit(128 + SIGABRT);
    default:
        return -ENOSYS;
    }
}
