/*
 * What the secure-wallet cells share: fixed-size messages in and out of the
 * message registers, the generic timer as a clock, and small helpers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <cell.h>

#include "wallet_protocol.h"

/* Server side: copies the request out of the message registers; false if its length is not exactly
 * `size`. */
bool msg_take(const struct cell_message *msg, void *request, size_t size);
/* Server side: the reply's status and its words (reply may be NULL with size 0). */
void msg_give(struct cell_message *msg, uint64_t status, const void *reply, size_t size);

/*
 * Client side: calls `channel` with a request of `request_size` bytes and
 * copies the reply into `reply` (zero-filled when shorter). Returns the
 * reply's status, or the kernel's error (ERR_*, below 64) if the call
 * itself failed.
 */
uint64_t svc_call(const char *channel, uint64_t method, const void *request, size_t request_size,
                  void *reply, size_t reply_size);
/* The same through a capability slot, for callers who name slots themselves. */
uint64_t svc_call_slot(cptr_t slot, uint64_t method, const void *request, size_t request_size,
                       void *reply, size_t reply_size);
const char *svc_status_name(uint64_t status);

/*
 * Storage client: reads or writes `length` bytes (at most STORAGE_IO_MAX)
 * at `offset` of the partition behind `channel`. A read fills `out` only
 * when it succeeds. Returns the status.
 */
uint64_t storage_read_at(const char *channel, uint32_t offset, void *out, uint32_t length);
uint64_t storage_write_at(const char *channel, uint32_t offset, const void *in, uint32_t length);

/* The generic timer, readable at EL0 in every cell. */
uint64_t time_ticks(void);
uint64_t time_frequency(void);
uint64_t time_ms_to_ticks(uint64_t ms);
uint64_t time_ticks_to_ms(uint64_t ticks);
/* Yields until ms milliseconds have passed. */
void time_sleep_ms(uint64_t ms);

/* A payment's fields are sane: 1 to WALLET_AMOUNT_MAX cents, a printable NUL-padded payee. */
bool payment_well_formed(const struct payment *p);
/* "42.00 to coffee-shop" */
void payment_describe(char *out, size_t size, const struct payment *p);

/* Lowercase hex of size bytes into out (2 * size + 1 bytes). */
void hex_format(char *out, const void *data, size_t size);
/* Compares in time independent of where the bytes differ. */
bool equal_const_time(const void *a, const void *b, size_t size);
