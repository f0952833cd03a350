/*
 * The demo's client: a native cell standing in for the work persona. It
 * pays in front of the user (PIN from the console), then shows what the
 * system refuses: a wrong PIN, the lockout, a replayed token, a token bound
 * to another payment, and an intruder cell that tries to reach the key.
 * Each step prints what happened; the last line is the verdict.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"

#define HISTORY_SHOWN 6

CELL_SIGNALS(CH_INTRUDER, "intruder_go"); /* the intruder's cue */

static int failures;

static void expect(bool ok, const char *what)
{
    if (!ok) {
        failures++;
        printf("unexpected: %s\n", what);
    }
}

static void read_pin(char *pin, size_t size, const struct payment *p, const char *hint)
{
    char what[64], prompt[128];
    payment_describe(what, sizeof(what), p);
    snprintf(prompt, sizeof(prompt), "enter PIN to pay %s%s:", what, hint);
    if (!console_read_line(prompt, pin, size, true))
        pin[0] = '\0';
}

/* One payment end to end; true when billing acknowledged it. */
static bool pay(uint64_t amount, const char *payee, struct wallet_sign *used)
{
    struct payment p;
    struct auth_reply reply;
    struct wallet_signature sig;
    struct billing_receipt receipt;
    char pin[WALLET_PIN_MAX + 1];
    payment_make(&p, amount, payee);
    read_pin(pin, sizeof(pin), &p, "");
    uint64_t st = ask_token(pin, &p, &reply);
    memset(pin, 0, sizeof(pin));
    if (st != SVC_OK)
        return false;
    if (ask_signature(&p, &reply.token, &sig) != SVC_OK || !check_signature(&p, &sig))
        return false;
    if (used)
        *used = (struct wallet_sign){ p, reply.token };
    return ask_record(&p, &sig, &receipt) == SVC_OK;
}

/* A PIN attempt that must be refused with `want`; returns auth's reply. */
static struct auth_reply refused_pin(uint64_t want, const char *why, const char *hint)
{
    struct payment p;
    struct auth_reply reply;
    char pin[WALLET_PIN_MAX + 1];
    payment_make(&p, 999, "lockout-test");
    read_pin(pin, sizeof(pin), &p, hint);
    uint64_t st = ask_token(pin, &p, &reply);
    memset(pin, 0, sizeof(pin));
    expect(st == want, why);
    if (st == want)
        printf("refused as expected: %s\n", svc_status_name(st));
    return reply;
}

static void show_ledger(void)
{
    struct billing_balance b;
    uint64_t st = cell_request(CH_BILLING, BILLING_BALANCE, NULL, 0, &b, sizeof(b));
    expect(st == SVC_OK, "billing answers its balance");
    printf("the ledger holds %lu earlier payment(s), total %lu.%02lu, %lu torn record(s) discarded "
           "at boot\n",
           (unsigned long)b.count, (unsigned long)(b.total / 100), (unsigned long)(b.total % 100),
           (unsigned long)b.discarded);
    uint64_t first = b.last_seq > HISTORY_SHOWN ? b.last_seq - HISTORY_SHOWN + 1 : 1;
    expect(print_history(first, b.last_seq, "earlier payment"), "every earlier payment verifies");
}

static void replay_token(const struct wallet_sign *used)
{
    struct wallet_signature sig;
    printf("-- replaying token %lu for the same payment\n", (unsigned long)used->token.id);
    uint64_t st = ask_signature(&used->payment, &used->token, &sig);
    expect(st == SVC_EREPLAYED, "a replayed token is refused");
    if (st == SVC_EREPLAYED)
        printf("refused as expected: %s\n", svc_status_name(st));

    struct payment other = used->payment;
    other.amount *= 100;
    printf("-- using token %lu for a bigger payment it was not issued for\n",
           (unsigned long)used->token.id);
    st = ask_signature(&other, &used->token, &sig);
    expect(st == SVC_ETOKEN, "a token bound to another payment is refused");
    if (st == SVC_ETOKEN)
        printf("refused as expected: %s\n", svc_status_name(st));
}

int main(void)
{
    printf("secure-wallet demo: auth, wallet and billing are cells of their own\n");
    if (client_fetch_wallet_key() != SVC_OK) {
        printf("the wallet is not ready\nsecure-wallet demo: FAIL\n");
        return 1;
    }
    char hex[2 * 8 + 1];
    hex_format(hex, client_wallet_key.key + 1, 8);
    printf("wallet public key %s...\n", hex);
    show_ledger();

    printf("-- 1. a payment: PIN, token, signature, ledger\n");
    struct wallet_sign used;
    expect(pay(4200, "coffee-shop", &used), "the first payment goes through");

    printf("-- 2. a wrong PIN\n");
    refused_pin(SVC_EDENIED, "a wrong PIN is refused", " (type a wrong one)");

    printf("-- 3. lockout after repeated wrong PINs\n");
    refused_pin(SVC_EDENIED, "the second wrong PIN is refused", " (a wrong one again)");
    refused_pin(SVC_EDENIED, "the third wrong PIN is refused",
                " (a third wrong one locks auth out)");
    struct auth_reply locked = refused_pin(
        SVC_ELOCKED, "while locked out, even the right PIN is refused", " (now the right one)");
    printf("waiting %lu ms for the lockout to end\n", (unsigned long)locked.retry_after_ms);
    time_sleep_ms(locked.retry_after_ms + 20);
    expect(pay(1250, "book-store", &used), "the right PIN works after the lockout");

    printf("-- 4. replayed and misused tokens\n");
    replay_token(&used);

    printf("-- 5. an intruder cell without a channel to the wallet\n");
    expect(cell_signal(CH_INTRUDER) == 0, "the intruder can be woken");
    printf("the intruder has had its go; the wallet must still work\n");

    printf("-- 6. paying again after the intrusion\n");
    expect(pay(899, "train-ticket", NULL), "the wallet still signs after the intrusion");

    show_ledger();
    printf(failures ? "secure-wallet demo: FAIL (%d unexpected results)\n"
                    : "secure-wallet demo: PASS\n",
           failures);
    printf("demo over; the cells keep running (Ctrl-A x quits QEMU when interactive)\n");
    for (;;)
        cell_wait(NULL);
}
