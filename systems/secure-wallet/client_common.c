/* The payment path shared by the client and the payer (client.h). */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "crypto.h"

struct wallet_public_key client_wallet_key;
static uint64_t payments_made;

bool console_read_line(const char *prompt, char *out, size_t size, bool masked)
{
    struct console_arm arm = { masked ? CONSOLE_ECHO_MASKED : 0 };
    for (;;) {
        /* Armed before the prompt shows, so that what is typed after it is echoed as asked. */
        if (cell_request(CH_CONSOLE, CONSOLE_INPUT_ARM, &arm, sizeof(arm), NULL, 0) != SVC_OK)
            return false;
        if (prompt) {
            printf("%s\n", prompt);
            prompt = NULL;
        }
        cell_wait(NULL);
        struct console_line line;
        if (cell_request(CH_CONSOLE, CONSOLE_READ_LINE, NULL, 0, &line, sizeof(line)) != SVC_OK)
            continue;
        size_t n = line.length < size - 1 ? line.length : size - 1;
        if (n > CONSOLE_LINE_MAX)
            n = CONSOLE_LINE_MAX;
        memcpy(out, line.text, n);
        out[n] = '\0';
        return true;
    }
}

uint64_t client_fetch_wallet_key(void)
{
    return cell_request(CH_WALLET, WALLET_PUBLIC_KEY, NULL, 0, &client_wallet_key,
                        sizeof(client_wallet_key));
}

void payment_make(struct payment *p, uint64_t amount, const char *payee)
{
    struct billing_balance b;
    memset(p, 0, sizeof(*p));
    p->amount = amount;
    strncpy(p->payee, payee, WALLET_PAYEE_SIZE - 1);
    cell_request(CH_BILLING, BILLING_BALANCE, NULL, 0, &b, sizeof(b));
    uint64_t unique = (b.last_seq + 1) << 16 | (++payments_made & 0xffff), now = time_ticks();
    memcpy(p->nonce, &unique, 8);
    memcpy(p->nonce + 8, &now, 8);
}

uint64_t ask_token(const char *pin, const struct payment *p, struct auth_reply *reply)
{
    struct auth_request rq;
    memset(&rq, 0, sizeof(rq));
    memcpy(rq.pin, pin, strnlen(pin, WALLET_PIN_MAX)); /* NUL-padded; 16 digits is malformed */
    rq.payment = *p;
    uint64_t st = cell_request(CH_AUTH, AUTH_REQUEST_TOKEN, &rq, sizeof(rq), reply, sizeof(*reply));
    memset(&rq, 0, sizeof(rq));
    if (st == SVC_OK)
        printf("auth issued token %lu, bound to this payment\n", (unsigned long)reply->token.id);
    else if (st == SVC_EDENIED)
        printf("auth refused: wrong PIN (%lu attempts left)\n",
               (unsigned long)reply->attempts_left);
    else if (st == SVC_ELOCKED)
        printf("auth refused: locked out (retry in %lu ms)\n",
               (unsigned long)reply->retry_after_ms);
    else
        printf("auth refused: %s\n", svc_status_name(st));
    return st;
}

uint64_t ask_signature(const struct payment *p, const struct auth_token *token,
                       struct wallet_signature *sig)
{
    struct wallet_sign rq = { *p, *token };
    uint64_t st = cell_request(CH_WALLET, WALLET_SIGN, &rq, sizeof(rq), sig, sizeof(*sig));
    if (st == SVC_OK)
        printf("wallet signed the payment\n");
    else
        printf("wallet refused: %s\n", svc_status_name(st));
    return st;
}

bool check_signature(const struct payment *p, const struct wallet_signature *sig)
{
    bool ok = payment_signature_valid(p, sig->sig, client_wallet_key.key);
    printf(ok ? "signature verified with the wallet's public key\n"
              : "signature does NOT verify with the wallet's public key\n");
    return ok;
}

uint64_t ask_record(const struct payment *p, const struct wallet_signature *sig,
                    struct billing_receipt *receipt)
{
    struct billing_record rq;
    rq.payment = *p;
    memcpy(rq.sig, sig->sig, sizeof(rq.sig));
    uint64_t st =
        cell_request(CH_BILLING, BILLING_RECORD, &rq, sizeof(rq), receipt, sizeof(*receipt));
    if (st == SVC_OK) {
        char nonce[2 * WALLET_NONCE_SIZE + 1];
        hex_format(nonce, p->nonce, WALLET_NONCE_SIZE);
        printf("ack seq %lu amount %lu nonce %s\n", (unsigned long)receipt->seq,
               (unsigned long)p->amount, nonce);
    } else {
        printf("billing refused: %s\n", svc_status_name(st));
    }
    return st;
}

bool print_history(uint64_t first, uint64_t last, const char *prefix)
{
    bool all_ok = true;
    for (uint64_t seq = first; seq <= last; seq++) {
        struct billing_entry_query q = { seq };
        struct billing_entry e;
        uint64_t st = cell_request(CH_BILLING, BILLING_ENTRY, &q, sizeof(q), &e, sizeof(e));
        if (st != SVC_OK) {
            printf("%s seq %lu: %s\n", prefix, (unsigned long)seq, svc_status_name(st));
            all_ok = false;
            continue;
        }
        char what[64], nonce[2 * WALLET_NONCE_SIZE + 1];
        payment_describe(what, sizeof(what), &e.payment);
        hex_format(nonce, e.payment.nonce, WALLET_NONCE_SIZE);
        bool ok = payment_signature_valid(&e.payment, e.sig, client_wallet_key.key);
        all_ok = all_ok && ok;
        printf("%s seq %lu amount %lu nonce %s: %s, signature %s\n", prefix, (unsigned long)e.seq,
               (unsigned long)e.payment.amount, nonce, what, ok ? "verified" : "INVALID");
    }
    return all_ok;
}
