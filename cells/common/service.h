/*
 * What the secure-wallet cells share besides the cell API (cell.h, where
 * requests and replies are marshalled): status names, the storage client,
 * the generic timer as a clock, and small helpers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <cell.h>

#include "wallet_protocol.h"

/* A status of the protocol (SVC_*) or a kernel error, by name. */
const char *svc_status_name(uint64_t status);

/*
 * Storage client: reads or writes `length` bytes (at most STORAGE_IO_MAX)
 * at `offset` of the partition behind `channel`. A read fills `out` only
 * when it succeeds. Returns the status.
 */
uint64_t storage_read_at(const struct cell_end *channel, uint32_t offset, void *out,
                         uint32_t length);
uint64_t storage_write_at(const struct cell_end *channel, uint32_t offset, const void *in,
                          uint32_t length);

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
