/*
 * Debug system calls: console output, dumps, capability identification,
 * thread names and halting. Compiled out of release builds, where these
 * numbers are unknown system calls like any other.
 */
#include <abi/syscall.h>
#include <cella/console.h>
#include <cella/debug.h>
#include <cella/power.h>
#include <cella/printk.h>

#ifdef CELLA_DEBUG
extern struct tcb *debug_thread_list;

static const char *const state_names[] = {
    [THREAD_INACTIVE] = "inactive",      [THREAD_RUNNING] = "running",
    [THREAD_BLOCKED_ON_RECV] = "recv",   [THREAD_BLOCKED_ON_SEND] = "send",
    [THREAD_BLOCKED_ON_REPLY] = "reply", [THREAD_BLOCKED_ON_NOTIFICATION] = "notification",
    [THREAD_BLOCKED_ON_VIRQ] = "wfi",
};

static void dump_threads(void)
{
    printk("threads:\n");
    for (struct tcb *t = debug_thread_list; t; t = t->debug_next)
        printk("  %-20s prio %3u %-12s pc %lx%s\n", t->name[0] ? t->name : "(unnamed)", t->priority,
               state_names[t->state], t->ctx.pc, t == current_thread ? " (current)" : "");
}

static word_t cap_identify(struct tcb *t, word_t cptr)
{
    struct lookup l = cspace_lookup_cap(thread_cspace(t), cptr);
    return l.error ? 0 : cap_type(l.slot->cap);
}

static void name_thread(struct tcb *t, word_t cptr)
{
    struct lookup l = cspace_lookup_cap(thread_cspace(t), cptr);
    if (l.error || cap_type(l.slot->cap) != CAP_TCB || !thread_ipc_buffer(t))
        return;
    struct tcb *target = tcb_from_cap(l.slot->cap);
    const char *name = (const char *)&thread_ipc_buffer(t)->msg[0];
    unsigned i = 0;
    for (; i + 1 < sizeof(target->name) && name[i]; i++)
        target->name[i] = name[i];
    target->name[i] = '\0';
}

bool debug_syscall(struct tcb *t, word_t number)
{
    switch (number) {
    case SYS_DEBUG_PUT_CHAR:
        console_putc((char)t->ctx.x[0]);
        return true;
    case SYS_DEBUG_DUMP:
        dump_threads();
        return true;
    case SYS_DEBUG_CAP_IDENTIFY:
        t->ctx.x[0] = cap_identify(t, t->ctx.x[0]);
        return true;
    case SYS_DEBUG_NAME_THREAD:
        name_thread(t, t->ctx.x[0]);
        return true;
    case SYS_DEBUG_HALT:
        power_off();
    default:
        return false;
    }
}
#else
bool debug_syscall(struct tcb *t, word_t number)
{
    (void)t;
    (void)number;
    return false;
}
#endif
