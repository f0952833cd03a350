/*
 * The IPC buffer: one per thread, in a frame the thread has mapped, 1 KiB
 * aligned. Message registers 0-3 travel in x2-x5; msg[0..3] here are unused
 * for messages, so msg[i] is message register i.
 */
#pragma once

#include <stdint.h>

#include <abi/msginfo.h>

#define IPC_BUFFER_SIZE_BITS 10

struct ipc_buffer {
    uint64_t tag;
    uint64_t msg[MSG_MAX_LENGTH];
    uint64_t user_data;
    /* Send: capability pointers of the extra caps. Receive: badges of unwrapped caps. */
    uint64_t caps_or_badges[MSG_MAX_EXTRA_CAPS];
    /* Where a received capability goes: a CNode, an index in it and a depth. */
    uint64_t receive_cnode;
    uint64_t receive_index;
    uint64_t receive_depth;
};

_Static_assert(sizeof(struct ipc_buffer) <= (1u << IPC_BUFFER_SIZE_BITS), "IPC buffer size");
