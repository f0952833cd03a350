/* Status names, the storage client, time and helpers for the secure-wallet cells (service.h). */
#include <stdio.h>
#include <string.h>

#include "service.h"

const char *svc_status_name(uint64_t status)
{
    if (status == ERR_INVALID_CAPABILITY)
        return "no capability (ERR_INVALID_CAPABILITY)";
    return wallet_status_name(status);
}

uint64_t time_ticks(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

uint64_t time_frequency(void)
{
    uint64_t f;
    __asm__("mrs %0, cntfrq_el0" : "=r"(f));
    return f ? f : 1;
}

uint64_t time_ms_to_ticks(uint64_t ms)
{
    return ms * (time_frequency() / 1000);
}

uint64_t time_ticks_to_ms(uint64_t ticks)
{
    return ticks / (time_frequency() / 1000);
}

void time_sleep_ms(uint64_t ms)
{
    uint64_t end = time_ticks() + time_ms_to_ticks(ms);
    while (time_ticks() < end)
        sys_yield();
}

void hex_format(char *out, const void *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < size; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * size] = '\0';
}

bool equal_const_time(const void *a, const void *b, size_t size)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < size; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

bool payment_well_formed(const struct payment *p)
{
    size_t n = 0;
    while (n < WALLET_PAYEE_SIZE && p->payee[n] >= 0x20 && p->payee[n] < 0x7f)
        n++;
    if (n == 0 || n == WALLET_PAYEE_SIZE)
        return false;
    for (size_t i = n; i < WALLET_PAYEE_SIZE; i++)
        if (p->payee[i])
            return false;
    return p->amount > 0 && p->amount <= WALLET_AMOUNT_MAX;
}

void payment_describe(char *out, size_t size, const struct payment *p)
{
    char payee[WALLET_PAYEE_SIZE + 1] = { 0 };
    memcpy(payee, p->payee, WALLET_PAYEE_SIZE);
    for (size_t i = 0; payee[i]; i++)
        if (payee[i] < 0x20 || payee[i] >= 0x7f)
            payee[i] = '?';
    snprintf(out, size, "%lu.%02lu to %s", (unsigned long)(p->amount / 100),
             (unsigned long)(p->amount % 100), payee);
}

uint64_t storage_read_at(const struct cell_end *channel, uint32_t offset, void *out,
                         uint32_t length)
{
    struct storage_read rq = { offset, length };
    static struct storage_data data; /* larger than a cell's stack should carry */
    if (length > sizeof(data.data))
        return SVC_EMALFORMED;
    uint64_t st = cell_request(channel, STORAGE_READ, &rq, sizeof(rq), &data, sizeof(data));
    if (st == SVC_OK)
        memcpy(out, data.data, length);
    return st;
}

uint64_t storage_write_at(const struct cell_end *channel, uint32_t offset, const void *in,
                          uint32_t length)
{
    static struct storage_write rq;
    if (length > sizeof(rq.data))
        return SVC_EMALFORMED;
    memset(&rq, 0, sizeof(rq));
    rq.offset = offset;
    rq.length = length;
    memcpy(rq.data, in, length);
    return cell_request(channel, STORAGE_WRITE, &rq, sizeof(rq), NULL, 0);
}
