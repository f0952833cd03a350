/*
 * A minimal server for the cross-VSpace round trip, position-independent so
 * it can be copied into a frame of another VSpace: x0 the endpoint, x6 the
 * reply object, no stack, no IPC buffer.
 */
#include <abi/syscall.h>

    .text
    .global bench_server_code, bench_server_code_end
bench_server_code:
    mov     x19, x0
    mov     x20, x6
    mov     x1, #0
    mov     x7, #SYS_RECV
    svc     #1
1:  mov     x0, x19
    mov     x6, x20
    mov     x1, #0
    mov     x7, #SYS_REPLY_RECV
    svc     #1
    b       1b
bench_server_code_end:
