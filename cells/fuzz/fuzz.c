/*
 * The fuzz cell: sends seeded random, malformed and almost-well-formed
 * messages to every service it has a channel to ("fuzz_<service>"), a
 * bounded number of rounds each, then checks that each service still
 * answers a correct request correctly. Its verdict is its last line.
 */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "service.h"

#define FUZZ_SEED 0x5eed5eedcafef00dULL
#define ROUNDS 2000

static uint64_t rng_state = FUZZ_SEED;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Its channel to each service (cell.h). */
CELL_CALLS(CH_STORAGE, "fuzz_storage");
CELL_CALLS(CH_AUTH, "fuzz_auth");
CELL_CALLS(CH_WALLET, "fuzz_wallet");
CELL_CALLS(CH_BILLING, "fuzz_billing");

struct target {
    const struct cell_end *const *channel;
    uint64_t first_method, methods; /* the service's own method numbers */
    size_t sizes[4];                /* its request sizes, to hit the right lengths often */
};

static const struct target targets[] = {
    { &CH_STORAGE,
      STORAGE_INFO,
      4,
      { 0, sizeof(struct storage_read), sizeof(struct storage_write),
        sizeof(struct storage_erase) } },
    { &CH_AUTH,
      AUTH_REQUEST_TOKEN,
      3,
      { sizeof(struct auth_request), sizeof(struct auth_key), 0, 0 } },
    { &CH_WALLET, WALLET_PUBLIC_KEY, 2, { 0, sizeof(struct wallet_sign), 0, 0 } },
    { &CH_BILLING,
      BILLING_RECORD,
      3,
      { sizeof(struct billing_record), 0, sizeof(struct billing_entry_query), 0 } },
};

static void set_word(unsigned i, uint64_t w, uint64_t mr[4])
{
    if (i < 4)
        mr[i] = w;
    else
        ipc_buffer()->msg[i] = w;
}

/* A well-formed payment at word `at`: 1 to 1000.00, a short printable payee, a random nonce. */
static void put_payment(unsigned at, uint64_t mr[4])
{
    struct payment p;
    memset(&p, 0, sizeof(p));
    p.amount = 1 + next_random() % 100000;
    memcpy(p.payee, "fuzzed-payee", 12);
    uint64_t n[2] = { next_random(), next_random() };
    memcpy(p.nonce, n, sizeof(n));
    for (unsigned i = 0; i < sizeof(p) / 8; i++) {
        uint64_t w;
        memcpy(&w, (const uint8_t *)&p + 8 * i, 8);
        set_word(at + i, w, mr);
    }
}

/* One message: a random label and length, or a right label and length with random contents. */
static uint64_t send_one(const struct cell_end *channel, const struct target *t)
{
    uint64_t r = next_random(), label, words;
    if (r % 4 == 0) {
        label = next_random() % 0x50;
        words = next_random() % (MSG_MAX_LENGTH + 1);
    } else {
        unsigned m = (unsigned)(next_random() % t->methods);
        label = t->first_method + m;
        words = t->sizes[m] / 8;
        if (r % 4 == 1 && words)
            words += (next_random() % 3) - 1; /* off by one either way */
    }
    uint64_t mr[4];
    for (unsigned i = 0; i < 4; i++)
        mr[i] = next_random();
    for (unsigned i = 4; i < MSG_MAX_LENGTH; i++)
        ipc_buffer()->msg[i] = next_random();
    /* Sometimes small offsets and lengths, so storage requests are in range and reach the flash. */
    if ((label == STORAGE_READ || label == STORAGE_WRITE) && next_random() % 2)
        mr[0] = (next_random() % 64) * 8 | ((next_random() % 40) * 8) << 32;
    if (label == STORAGE_ERASE && next_random() % 2)
        mr[0] = 0;
    /* Often a well-formed payment (and PIN), so tokens, MACs and signatures get checked. */
    if (next_random() % 3 == 0) {
        if (label == WALLET_SIGN || label == BILLING_RECORD)
            put_payment(0, mr);
        else if (label == AUTH_REQUEST_TOKEN) {
            char pin[WALLET_PIN_MAX] = { 0 };
            unsigned digits = 4 + (unsigned)(next_random() % 4);
            for (unsigned i = 0; i < digits; i++)
                pin[i] = (char)('0' + next_random() % 10);
            memcpy(&mr[0], pin, 8);
            memcpy(&mr[1], pin + 8, 8);
            put_payment(2, mr);
        }
    }
    struct sys_result res = cell_call(channel, label, mr, (unsigned)words);
    return res.error ? res.error : msginfo_label(res.info);
}

static bool check(bool ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "WRONG");
    return ok;
}

/* After the storm: one correct request per service, and a correct answer. */
static bool services_answer(void)
{
    bool ok = true;
    struct storage_info info;
    ok &= check(cell_request(CH_STORAGE, STORAGE_INFO, NULL, 0, &info, sizeof(info)) == SVC_OK &&
                    info.io_max == STORAGE_IO_MAX && info.partition_size > 0,
                "storage answers its info");
    struct storage_erase er = { 0 };
    static struct storage_write wr;
    static struct storage_data back;
    struct storage_read rd = { 64, 32 };
    wr.offset = 64;
    wr.length = 32;
    memset(wr.data, 0xa5, sizeof(wr.data));
    ok &= check(cell_request(CH_STORAGE, STORAGE_ERASE, &er, sizeof(er), NULL, 0) == SVC_OK &&
                    cell_request(CH_STORAGE, STORAGE_WRITE, &wr, sizeof(wr), NULL, 0) == SVC_OK &&
                    cell_request(CH_STORAGE, STORAGE_READ, &rd, sizeof(rd), &back, sizeof(back)) ==
                        SVC_OK &&
                    memcmp(back.data, wr.data, 32) == 0,
                "storage erases, writes and reads back");
    struct auth_status st;
    ok &= check(cell_request(CH_AUTH, AUTH_STATUS, NULL, 0, &st, sizeof(st)) == SVC_OK &&
                    st.provisioned == 1,
                "auth answers its status, still provisioned by the wallet");
    struct wallet_public_key pk;
    ok &= check(cell_request(CH_WALLET, WALLET_PUBLIC_KEY, NULL, 0, &pk, sizeof(pk)) == SVC_OK &&
                    pk.key[0] == 0x04,
                "wallet answers its public key");
    struct billing_balance b;
    ok &= check(cell_request(CH_BILLING, BILLING_BALANCE, NULL, 0, &b, sizeof(b)) == SVC_OK &&
                    b.count == 0,
                "billing answers its balance; nothing was recorded");
    struct auth_key k = { { 0 } };
    ok &= check(cell_request(CH_AUTH, AUTH_SET_TOKEN_KEY, &k, sizeof(k), NULL, 0) == SVC_EFORBIDDEN,
                "auth refuses a token key from anyone but the wallet");
    return ok;
}

int main(void)
{
    printf("seed %#llx, %d rounds per service\n", (unsigned long long)FUZZ_SEED, ROUNDS);
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        const struct cell_end *channel = *targets[t].channel;
        unsigned ok = 0, refused = 0;
        uint64_t start = time_ticks();
        for (unsigned i = 0; i < ROUNDS; i++) {
            uint64_t st = send_one(channel, &targets[t]);
            if (st == SVC_OK)
                ok++;
            else
                refused++;
        }
        printf("%s: %u answered ok, %u refused, %lu ms\n", channel->name, ok, refused,
               (unsigned long)time_ticks_to_ms(time_ticks() - start));
    }
    printf(services_answer() ? "fuzz: PASS\n" : "fuzz: FAIL\n");
    for (;;)
        cell_wait(NULL);
}
