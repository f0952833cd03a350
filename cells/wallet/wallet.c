/*
 * wallet: holds the payment signing key (ECDSA P-256) and signs a payment
 * only with a valid authorisation token from auth.
 *
 * The key is made on first boot and kept sealed in the wallet's storage
 * partition: the private scalar encrypted with ChaCha20 and the record
 * MACed with HMAC-SHA256, under keys derived from this image's sealing key
 * (wallet_secrets.h). The storage cell only ever sees the sealed record.
 * At run time the key lives in the private map "keystore", which no other
 * cell maps; it is never sent, and nothing but the public key leaves.
 *
 * Entropy: QEMU's virt board has no TRNG. The HMAC-DRBG is seeded from a
 * per-image random seed (written by the build from the build machine's
 * os.urandom), the PL031 real-time clock and generic-timer samples taken
 * around I/O; see docs/wallet-protocol.md for what that is worth.
 *
 * Tokens: at each start the wallet draws a fresh token key and hands it to
 * auth over "wallet_auth". Tokens made under an earlier key (an earlier
 * boot, or before a restart) no longer verify; within one key, each token
 * id is accepted once and only in increasing order.
 */
#include <stdio.h>
#include <string.h>

#include <bearssl.h>
#include <wallet_secrets.h>

#include "crypto.h"
#include "service.h"

#define SEAL_MAGIC 0x31304c4145535743ULL  /* "CWSEAL01" */
#define SEAL_COMMIT 0x54494d4d4f434c53ULL /* "SLCOMMIT": written last */
#define TOKEN_MAX_LIFETIME_MS 60000u

/* The sealed record at offset 0 of the wallet's partition. */
struct sealed_key {
    uint64_t magic;
    uint64_t version;
    uint8_t iv[16];
    uint8_t secret[32]; /* the private scalar, ChaCha20-encrypted */
    uint8_t public_key[WALLET_PUBKEY_SIZE];
    uint8_t pad[7];
    uint8_t mac[WALLET_MAC_SIZE]; /* HMAC over everything above */
    uint8_t reserved[80];
    uint64_t commit; /* SEAL_COMMIT once the rest is written */
};
_Static_assert(sizeof(struct sealed_key) == 256, "one storage write and its commit word");
#define SEALED_MAC_SPAN offsetof(struct sealed_key, mac)

/* What lives in the private "keystore" map, and nowhere else. */
struct keystore {
    uint8_t secret[32];
    uint8_t public_key[WALLET_PUBKEY_SIZE];
    uint8_t token_key[WALLET_MAC_SIZE];
    uint8_t seal_enc[32], seal_mac[32];
    br_hmac_drbg_context drbg;
};

/* What the wallet needs from its manifest (cell.h): checked by cella-manifest, bound at start. */
CELL_CALLS(CH_STORAGE, "wallet_storage"); /* its partition: the sealed key */
CELL_CALLS(CH_AUTH, "wallet_auth");       /* where the token key goes */
CELL_MAP(MAP_KEYSTORE, "keystore", CELL_MAP_PRIVATE, "rw", sizeof(struct keystore));
CELL_MAP_OPTIONAL(MAP_RTC, "rtc", CELL_MAP_DEVICE, "r", 4096); /* PL031: an entropy input */

static struct keystore *ks;
static const uint8_t sealing_key[] = WALLET_SEALING_KEY;
static const uint8_t entropy_seed[] = WALLET_ENTROPY_SEED;
static uint64_t status = SVC_ENOTREADY; /* SVC_OK once the key is unsealed and auth provisioned */
static uint64_t last_token_id;

static void mix_timer(void)
{
    uint64_t t = time_ticks();
    br_hmac_drbg_update(&ks->drbg, &t, sizeof(t));
}

static void seed_drbg(void)
{
    static const char personalisation[] = "cella-wallet-drbg-v1";
    uint64_t rtc = 0;
    volatile uint32_t *pl031 = MAP_RTC->base;
    br_hmac_drbg_init(&ks->drbg, &br_sha256_vtable, entropy_seed, sizeof(entropy_seed));
    br_hmac_drbg_update(&ks->drbg, personalisation, sizeof(personalisation));
    if (pl031) {
        rtc = pl031[0]; /* RTCDR: seconds */
        br_hmac_drbg_update(&ks->drbg, &rtc, sizeof(rtc));
    }
    br_hmac_drbg_update(&ks->drbg, &runtime_cell_info->restarts,
                        sizeof(runtime_cell_info->restarts));
    mix_timer();
    printf("entropy: image seed + RTC %lu + timer samples (no hardware RNG on this board)\n",
           (unsigned long)rtc);
}

static void derive_seal_keys(void)
{
    hmac_sha256(ks->seal_enc, sealing_key, sizeof(sealing_key), "cella-seal-enc-v1", 17);
    hmac_sha256(ks->seal_mac, sealing_key, sizeof(sealing_key), "cella-seal-mac-v1", 17);
}

static uint64_t storage_read(uint32_t offset, void *out, uint32_t length)
{
    uint64_t st = storage_read_at(CH_STORAGE, offset, out, length);
    mix_timer();
    return st;
}

static uint64_t storage_write(uint32_t offset, const void *in, uint32_t length)
{
    uint64_t st = storage_write_at(CH_STORAGE, offset, in, length);
    mix_timer();
    return st;
}

static void seal_mac(uint8_t out[WALLET_MAC_SIZE], const struct sealed_key *s)
{
    hmac_sha256(out, ks->seal_mac, sizeof(ks->seal_mac), s, SEALED_MAC_SPAN);
}

static void chacha(uint8_t *data, size_t size, const uint8_t iv[16])
{
    br_chacha20_ct_run(ks->seal_enc, iv, 0, data, size);
}

/* First boot: a new key pair, sealed, written, then committed. */
static uint64_t create_key(void)
{
    br_ec_private_key sk;
    br_ec_public_key pk;
    uint8_t secret[BR_EC_KBUF_PRIV_MAX_SIZE], pub[BR_EC_KBUF_PUB_MAX_SIZE];
    if (br_ec_keygen(&ks->drbg.vtable, &br_ec_p256_m31, &sk, secret, BR_EC_secp256r1) != 32 ||
        br_ec_compute_pub(&br_ec_p256_m31, &pk, pub, &sk) != WALLET_PUBKEY_SIZE)
        return SVC_ESTORAGE;
    memcpy(ks->secret, secret, 32);
    memcpy(ks->public_key, pub, WALLET_PUBKEY_SIZE);
    memset(secret, 0, sizeof(secret));

    static struct sealed_key s;
    memset(&s, 0xff, sizeof(s));
    s.magic = SEAL_MAGIC;
    s.version = 1;
    br_hmac_drbg_generate(&ks->drbg, s.iv, sizeof(s.iv));
    memcpy(s.secret, ks->secret, 32);
    chacha(s.secret, sizeof(s.secret), s.iv);
    memcpy(s.public_key, ks->public_key, WALLET_PUBKEY_SIZE);
    memset(s.pad, 0, sizeof(s.pad));
    seal_mac(s.mac, &s);
    uint64_t commit = SEAL_COMMIT;
    uint64_t st = storage_write(0, &s, offsetof(struct sealed_key, commit));
    if (st == SVC_OK)
        st = storage_write(offsetof(struct sealed_key, commit), &commit, sizeof(commit));
    memset(&s, 0, sizeof(s));
    if (st == SVC_OK)
        printf("first boot: new P-256 key pair made and sealed in storage\n");
    return st;
}

static uint64_t unseal(struct sealed_key *s)
{
    uint8_t mac[WALLET_MAC_SIZE];
    seal_mac(mac, s);
    if (s->magic != SEAL_MAGIC || s->version != 1 || !equal_const_time(mac, s->mac, sizeof(mac)))
        return SVC_ETAMPERED;
    chacha(s->secret, sizeof(s->secret), s->iv);
    memcpy(ks->secret, s->secret, 32);
    memcpy(ks->public_key, s->public_key, WALLET_PUBKEY_SIZE);
    memset(s, 0, sizeof(*s));
    printf("sealed key unsealed from storage (MAC verified)\n");
    return SVC_OK;
}

static uint64_t load_or_create_key(void)
{
    static struct sealed_key s;
    uint64_t st = storage_read(0, &s, sizeof(s));
    if (st != SVC_OK)
        return st;
    if (s.commit == SEAL_COMMIT)
        return unseal(&s);
    /* Never committed (blank flash, or a first boot cut short): no signature was ever made with it.
     */
    uint8_t blank[sizeof(s)];
    memset(blank, 0xff, sizeof(blank));
    if (memcmp(&s, blank, sizeof(s)) != 0) {
        struct storage_erase er = { 0 };
        st = cell_request(CH_STORAGE, STORAGE_ERASE, &er, sizeof(er), NULL, 0);
        if (st != SVC_OK)
            return st;
        printf("no committed key in storage: sector erased\n");
    }
    return create_key();
}

static uint64_t provision_auth(void)
{
    struct auth_key k;
    br_hmac_drbg_generate(&ks->drbg, ks->token_key, sizeof(ks->token_key));
    memcpy(k.key, ks->token_key, sizeof(k.key));
    uint64_t st = cell_request(CH_AUTH, AUTH_SET_TOKEN_KEY, &k, sizeof(k), NULL, 0);
    memset(&k, 0, sizeof(k));
    return st;
}

static uint64_t check_token(const struct wallet_sign *rq)
{
    uint8_t mac[WALLET_MAC_SIZE];
    token_mac(mac, ks->token_key, &rq->token, &rq->payment);
    if (!equal_const_time(mac, rq->token.mac, sizeof(mac)))
        return SVC_ETOKEN;
    uint64_t now = time_ticks();
    if (rq->token.expires < rq->token.issued ||
        rq->token.expires - rq->token.issued > time_ms_to_ticks(TOKEN_MAX_LIFETIME_MS) ||
        now > rq->token.expires)
        return SVC_EEXPIRED;
    if (rq->token.id <= last_token_id)
        return SVC_EREPLAYED;
    return SVC_OK;
}

static uint64_t sign(const struct wallet_sign *rq, struct wallet_signature *out)
{
    if (!payment_well_formed(&rq->payment))
        return SVC_EMALFORMED;
    if (status != SVC_OK)
        return status;
    char what[64];
    payment_describe(what, sizeof(what), &rq->payment);
    uint64_t st = check_token(rq);
    if (st != SVC_OK) {
        printf("refused to sign %s: token %lu: %s\n", what, (unsigned long)rq->token.id,
               svc_status_name(st));
        return st;
    }
    last_token_id = rq->token.id;
    uint8_t digest[SHA256_SIZE];
    payment_digest(digest, &rq->payment);
    br_ec_private_key sk = { .curve = BR_EC_secp256r1, .x = ks->secret, .xlen = 32 };
    if (br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, digest, &sk, out->sig) !=
        WALLET_SIG_SIZE)
        return SVC_ESTORAGE;
    printf("token %lu valid: signed %s\n", (unsigned long)rq->token.id, what);
    return SVC_OK;
}

static void called(struct cell_message *msg)
{
    switch (msg->label) {
    case WALLET_PUBLIC_KEY: {
        struct wallet_public_key pk = { 0 };
        uint64_t st = msg->length != 0 ? SVC_EMALFORMED : status;
        if (st == SVC_OK)
            memcpy(pk.key, ks->public_key, WALLET_PUBKEY_SIZE);
        cell_reply(msg, st, &pk, sizeof(pk));
        return;
    }
    case WALLET_SIGN: {
        struct wallet_sign rq;
        struct wallet_signature sig = { 0 };
        uint64_t st = cell_take(msg, &rq, sizeof(rq)) ? sign(&rq, &sig) : SVC_EMALFORMED;
        cell_reply(msg, st, &sig, sizeof(sig));
        return;
    }
    default:
        cell_reply(msg, SVC_EMALFORMED, NULL, 0);
    }
}

int main(void)
{
    ks = MAP_KEYSTORE->base;
    seed_drbg();
    derive_seal_keys();
    status = load_or_create_key();
    if (status == SVC_OK)
        status = provision_auth();
    if (status == SVC_OK) {
        char hex[2 * 8 + 1];
        hex_format(hex, ks->public_key + 1, 8);
        printf("ready: public key %s..., private key at %p in the keystore, token key handed to "
               "auth\n",
               hex, (void *)ks->secret);
    } else {
        printf("NOT ready: %s; every request is refused\n", svc_status_name(status));
    }
    cell_serve(&(struct cell_handlers){ .called = called });
}
