/*
 * auth: checks the user's PIN and issues authorisation tokens.
 *
 * The PIN exists here only as a salted PBKDF2-HMAC-SHA256 hash built into
 * the image (auth_pin_record.h, written by cells/common/make_secrets.py).
 * Three wrong PINs in a row lock it out for LOCKOUT_BASE_MS, and every
 * further failure doubles that; while locked, a PIN is not even checked.
 * A token is an HMAC over one payment (amount, payee, nonce), its id and
 * its validity, under a key that the wallet generates at each of its starts
 * and hands over on the channel "wallet_auth"; nobody else can set it, and
 * auth never sends it anywhere. Only the wallet can check a token.
 */
#include <stdio.h>
#include <string.h>

#include <auth_pin_record.h>

#include "crypto.h"
#include "service.h"

#define MAX_ATTEMPTS 3
#define LOCKOUT_BASE_MS 1000u
#define LOCKOUT_MAX_MS (3600u * 1000)
#define TOKEN_LIFETIME_MS 10000u

/* Only the wallet, over this channel, may set the token key (cell.h). */
CELL_SERVES(CH_KEYS, "wallet_auth");

static const uint8_t pin_salt[] = AUTH_PIN_SALT;
static const uint8_t pin_hash[] = AUTH_PIN_HASH;

static uint8_t token_key[WALLET_MAC_SIZE];
static bool provisioned;
static uint64_t failures, locked_until, tokens_issued, next_token_id = 1;

static uint64_t remaining_ms(void)
{
    uint64_t now = time_ticks();
    return locked_until > now ? time_ticks_to_ms(locked_until - now) + 1 : 0;
}

/* 4 to 15 digits, then NUL padding to the end of the field. */
static bool pin_well_formed(const char *pin, size_t *length)
{
    size_t n = 0;
    while (n < WALLET_PIN_MAX && pin[n] >= '0' && pin[n] <= '9')
        n++;
    for (size_t i = n; i < WALLET_PIN_MAX; i++)
        if (pin[i])
            return false;
    *length = n;
    return n >= 4 && n < WALLET_PIN_MAX;
}

static void record_failure(struct auth_reply *reply)
{
    failures++;
    if (failures >= MAX_ATTEMPTS) {
        uint64_t ms = LOCKOUT_BASE_MS;
        for (uint64_t i = MAX_ATTEMPTS; i < failures && ms < LOCKOUT_MAX_MS; i++)
            ms *= 2;
        if (ms > LOCKOUT_MAX_MS)
            ms = LOCKOUT_MAX_MS;
        locked_until = time_ticks() + time_ms_to_ticks(ms);
        printf("wrong PIN: %lu failures in a row, locked out for %lu ms\n", (unsigned long)failures,
               (unsigned long)ms);
    } else {
        printf("wrong PIN: %lu failure(s), %lu attempt(s) left\n", (unsigned long)failures,
               (unsigned long)(MAX_ATTEMPTS - failures));
    }
    reply->attempts_left = failures < MAX_ATTEMPTS ? MAX_ATTEMPTS - failures : 0;
}

static uint64_t request_token(const struct auth_request *rq, struct auth_reply *reply)
{
    size_t pin_length;
    if (!pin_well_formed(rq->pin, &pin_length) || !payment_well_formed(&rq->payment))
        return SVC_EMALFORMED;
    if (!provisioned)
        return SVC_ENOTREADY;
    reply->retry_after_ms = remaining_ms();
    if (reply->retry_after_ms) {
        printf("PIN not checked: locked out for %lu more ms\n",
               (unsigned long)reply->retry_after_ms);
        return SVC_ELOCKED;
    }
    uint8_t digest[SHA256_SIZE];
    uint64_t start = time_ticks();
    pbkdf2_sha256(digest, rq->pin, pin_length, pin_salt, sizeof(pin_salt), AUTH_PIN_ITERATIONS);
    uint64_t took = time_ticks_to_ms(time_ticks() - start);
    if (!equal_const_time(digest, pin_hash, sizeof(digest))) {
        record_failure(reply);
        return SVC_EDENIED;
    }
    failures = 0;
    struct auth_token *t = &reply->token;
    t->id = next_token_id++;
    t->issued = time_ticks();
    t->expires = t->issued + time_ms_to_ticks(TOKEN_LIFETIME_MS);
    token_mac(t->mac, token_key, t, &rq->payment);
    tokens_issued++;
    reply->attempts_left = MAX_ATTEMPTS;
    printf(
        "PIN accepted (PBKDF2, %u iterations, %lu ms): token %lu for %lu.%02lu to %s, valid %u s\n",
        AUTH_PIN_ITERATIONS, (unsigned long)took, (unsigned long)t->id,
        (unsigned long)(rq->payment.amount / 100), (unsigned long)(rq->payment.amount % 100),
        rq->payment.payee, TOKEN_LIFETIME_MS / 1000);
    return SVC_OK;
}

static void called(struct cell_message *msg)
{
    switch (msg->label) {
    case AUTH_REQUEST_TOKEN: {
        struct auth_request rq;
        struct auth_reply reply = { 0 };
        uint64_t status =
            cell_take(msg, &rq, sizeof(rq)) ? request_token(&rq, &reply) : SVC_EMALFORMED;
        memset(&rq, 0, sizeof(rq)); /* the PIN does not linger */
        cell_reply(msg, status, &reply, sizeof(reply));
        return;
    }
    case AUTH_SET_TOKEN_KEY: {
        struct auth_key rq;
        if (msg->from != CH_KEYS) {
            cell_reply(msg, SVC_EFORBIDDEN, NULL, 0);
            return;
        }
        if (!cell_take(msg, &rq, sizeof(rq))) {
            cell_reply(msg, SVC_EMALFORMED, NULL, 0);
            return;
        }
        memcpy(token_key, rq.key, sizeof(token_key));
        memset(&rq, 0, sizeof(rq));
        printf("token key %s by the wallet\n", provisioned ? "replaced" : "provisioned");
        provisioned = true;
        cell_reply(msg, SVC_OK, NULL, 0);
        return;
    }
    case AUTH_STATUS: {
        struct auth_status st = { failures, remaining_ms(), tokens_issued, provisioned };
        cell_reply(msg, msg->length == 0 ? SVC_OK : SVC_EMALFORMED, &st, sizeof(st));
        return;
    }
    default:
        cell_reply(msg, SVC_EMALFORMED, NULL, 0);
    }
}

int main(void)
{
    printf(
        "PIN record: PBKDF2-HMAC-SHA256, %u iterations, %zu-byte salt; lockout after %d failures\n",
        AUTH_PIN_ITERATIONS, sizeof(pin_salt), MAX_ATTEMPTS);
    cell_serve(&(struct cell_handlers){ .called = called });
}
