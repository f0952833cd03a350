/*
 * System-call stubs. Message registers 0-3 travel in x2-x5 as mr[0..3];
 * further ones are ipc_buffer()->msg[4..]. Every call returns the kernel's
 * error code (ERR_*, from x7) in .error.
 */
#pragma once

#include <stdint.h>

#include <abi/error.h>
#include <abi/ipc_buffer.h>
#include <abi/msginfo.h>
#include <abi/syscall.h>

typedef uint64_t cptr_t;

struct sys_result {
    uint64_t badge;  /* x0: the sender's badge, or a notification's bits */
    uint64_t info;   /* x1: message info */
    uint64_t detail; /* x6: error detail */
    uint64_t error;  /* x7: ERR_* */
};

/* This thread's IPC buffer; the kernel keeps its address in TPIDRRO_EL0. */
static inline struct ipc_buffer *ipc_buffer(void)
{
    struct ipc_buffer *b;
    __asm__("mrs %0, tpidrro_el0" : "=r"(b));
    return b;
}

/* in: message registers 0-3 to send (or NULL); out: where those of the answer go (or NULL). */
static inline struct sys_result sys_raw(uint64_t number, cptr_t cptr, uint64_t info,
                                        const uint64_t *in, uint64_t *out, cptr_t reply)
{
    register uint64_t x0 __asm__("x0") = cptr;
    register uint64_t x1 __asm__("x1") = info;
    register uint64_t x2 __asm__("x2") = in ? in[0] : 0;
    register uint64_t x3 __asm__("x3") = in ? in[1] : 0;
    register uint64_t x4 __asm__("x4") = in ? in[2] : 0;
    register uint64_t x5 __asm__("x5") = in ? in[3] : 0;
    register uint64_t x6 __asm__("x6") = reply;
    register uint64_t x7 __asm__("x7") = number;
    __asm__ volatile(
        "svc #1"
        : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x7)
        :
        : "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "memory");
    if (out) {
        out[0] = x2;
        out[1] = x3;
        out[2] = x4;
        out[3] = x5;
    }
    return (struct sys_result){ x0, x1, x6, x7 };
}

/* Send, wait for the reply (or invoke a kernel object and get its result). */
static inline struct sys_result sys_call(cptr_t dest, uint64_t info, uint64_t mr[4])
{
    return sys_raw(SYS_CALL, dest, info, mr, mr, 0);
}

static inline struct sys_result sys_send(cptr_t dest, uint64_t info, const uint64_t mr[4])
{
    return sys_raw(SYS_SEND, dest, info, mr, 0, 0);
}

static inline struct sys_result sys_nb_send(cptr_t dest, uint64_t info, const uint64_t mr[4])
{
    return sys_raw(SYS_NB_SEND, dest, info, mr, 0, 0);
}

/* Wait for a message on an endpoint (a caller is linked to reply), or for a notification. */
static inline struct sys_result sys_recv(cptr_t src, uint64_t mr[4], cptr_t reply)
{
    return sys_raw(SYS_RECV, src, 0, 0, mr, reply);
}

static inline struct sys_result sys_nb_recv(cptr_t src, uint64_t mr[4], cptr_t reply)
{
    return sys_raw(SYS_NB_RECV, src, 0, 0, mr, reply);
}

static inline struct sys_result sys_reply(cptr_t reply, uint64_t info, const uint64_t mr[4])
{
    return sys_raw(SYS_REPLY, 0, info, mr, 0, reply);
}

/* Reply to the caller linked to reply, then wait on src with the same reply object. */
static inline struct sys_result sys_reply_recv(cptr_t src, uint64_t info, uint64_t mr[4],
                                               cptr_t reply)
{
    return sys_raw(SYS_REPLY_RECV, src, info, mr, mr, reply);
}

static inline void sys_yield(void)
{
    sys_raw(SYS_YIELD, 0, 0, 0, 0, 0);
}

/* Notifications: Signal sets the capability's badge bits; Wait and Poll take them. */
static inline uint64_t sys_signal(cptr_t notification)
{
    return sys_send(notification, 0, 0).error;
}

static inline struct sys_result sys_wait(cptr_t notification)
{
    return sys_recv(notification, 0, 0);
}

static inline struct sys_result sys_poll(cptr_t notification)
{
    return sys_nb_recv(notification, 0, 0);
}

/* Debug kernels only. */
static inline void sys_debug_put_char(char c)
{
    sys_raw(SYS_DEBUG_PUT_CHAR, (uint64_t)(unsigned char)c, 0, 0, 0, 0);
}

static inline void sys_debug_dump(void)
{
    sys_raw(SYS_DEBUG_DUMP, 0, 0, 0, 0, 0);
}

static inline uint64_t sys_debug_cap_identify(cptr_t cap)
{
    return sys_raw(SYS_DEBUG_CAP_IDENTIFY, cap, 0, 0, 0, 0).badge;
}

void sys_debug_name_thread(cptr_t tcb, const char *name);

static inline void sys_debug_halt(void)
{
    sys_raw(SYS_DEBUG_HALT, 0, 0, 0, 0, 0);
}
