/*
 * System-call numbers and register conventions (docs/abi.md).
 *
 * Cella system calls are `svc #1`. `svc #0` is a foreign (Linux-ABI) system
 * call, as musl makes them: the kernel hands it to the thread's emulation
 * entry if one is set (TCB_SET_SYSCALL_EMULATION), which finishes with
 * `svc #2`; without an entry it is an unknown-system-call fault.
 *
 *   in:  x0 capability pointer   x1 message info   x2-x5 message registers 0-3
 *        x6 reply-object cptr    x7 system-call number
 *   out: x0 badge                x1 message info   x2-x5 message registers 0-3
 *        x6 error detail, or on success the source: RECV_FROM_NOTIFICATION when
 *           x0 holds a notification's bits rather than a message's badge
 *        x7 error code (ERR_*; 0 on success)
 * x8-x18 may be clobbered, as by a function call; every other register is preserved.
 */
#pragma once

#define RECV_FROM_NOTIFICATION 1

#define SVC_FOREIGN 0
#define SVC_CELLA 1
#define SVC_EMULATION_RETURN 2

#define SYS_CALL 1
#define SYS_REPLY_RECV 2
#define SYS_SEND 3
#define SYS_NB_SEND 4
#define SYS_RECV 5
#define SYS_NB_RECV 6
#define SYS_REPLY 7
#define SYS_YIELD 8
#define SYS_COUNT 9

/* Debug builds only; a release kernel treats them as unknown system calls. */
#define SYS_DEBUG_PUT_CHAR 16
#define SYS_DEBUG_DUMP 17
#define SYS_DEBUG_CAP_IDENTIFY 18
#define SYS_DEBUG_NAME_THREAD 19
#define SYS_DEBUG_HALT 20

/* Message registers carried in x2-x5; the rest live in the IPC buffer. */
#define MSG_REGISTERS_IN_CPU 4
