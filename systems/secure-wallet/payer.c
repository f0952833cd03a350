/*
 * The power-cut test's client: prints the whole ledger (each entry with its
 * signature checked), then pays again and again with the PIN typed once,
 * printing an acknowledgement per payment that billing confirmed. The test
 * (test_powercut.py) kills QEMU at random moments and compares.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"

#define PAYMENTS_MAX 1000

int main(void)
{
    struct billing_balance b;
    if (client_fetch_wallet_key() != SVC_OK ||
        cell_request(CH_BILLING, BILLING_BALANCE, NULL, 0, &b, sizeof(b)) != SVC_OK) {
        printf("the wallet or billing is not ready: FAIL\n");
        return 1;
    }
    bool ok = print_history(1, b.last_seq, "history");
    printf("history end: %lu records, %lu torn discarded, %s\n", (unsigned long)b.count,
           (unsigned long)b.discarded, ok ? "all verified" : "NOT all verified: FAIL");
    char pin[WALLET_PIN_MAX + 1];
    if (!console_read_line("enter PIN to start paying:", pin, sizeof(pin), true))
        return 1;
    for (unsigned i = 0; i < PAYMENTS_MAX; i++) {
        struct payment p;
        struct auth_reply reply;
        struct wallet_signature sig;
        struct billing_receipt receipt;
        payment_make(&p, 100 + i, "powercut");
        if (ask_token(pin, &p, &reply) != SVC_OK ||
            ask_signature(&p, &reply.token, &sig) != SVC_OK ||
            ask_record(&p, &sig, &receipt) != SVC_OK) {
            printf("payment %u failed: FAIL\n", i);
            return 1;
        }
    }
    printf("payer done\n");
    for (;;)
        cell_wait(NULL);
}
