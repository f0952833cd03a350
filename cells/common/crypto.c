/* BearSSL underneath the secure-wallet cells (crypto.h). */
#include <string.h>

#include <bearssl.h>

#include "crypto.h"

void sha256(uint8_t out[SHA256_SIZE], const void *data, size_t size)
{
    br_sha256_context c;
    br_sha256_init(&c);
    br_sha256_update(&c, data, size);
    br_sha256_out(&c, out);
}

void hmac_sha256(uint8_t out[SHA256_SIZE], const void *key, size_t key_size, const void *data,
                 size_t size)
{
    br_hmac_key_context kc;
    br_hmac_context c;
    br_hmac_key_init(&kc, &br_sha256_vtable, key, key_size);
    br_hmac_init(&c, &kc, 0);
    br_hmac_update(&c, data, size);
    br_hmac_out(&c, out);
}

void pbkdf2_sha256(uint8_t out[SHA256_SIZE], const void *password, size_t password_size,
                   const void *salt, size_t salt_size, uint32_t iterations)
{
    br_hmac_key_context kc;
    br_hmac_context c;
    static const uint8_t block_index[4] = { 0, 0, 0, 1 };
    uint8_t u[SHA256_SIZE];
    br_hmac_key_init(&kc, &br_sha256_vtable, password, password_size);
    br_hmac_init(&c, &kc, 0);
    br_hmac_update(&c, salt, salt_size);
    br_hmac_update(&c, block_index, sizeof(block_index));
    br_hmac_out(&c, u);
    memcpy(out, u, SHA256_SIZE);
    for (uint32_t i = 1; i < iterations; i++) {
        br_hmac_init(&c, &kc, 0);
        br_hmac_update(&c, u, SHA256_SIZE);
        br_hmac_out(&c, u);
        for (unsigned b = 0; b < SHA256_SIZE; b++)
            out[b] ^= u[b];
    }
}

void token_mac(uint8_t out[WALLET_MAC_SIZE], const uint8_t key[WALLET_MAC_SIZE],
               const struct auth_token *token, const struct payment *payment)
{
    static const char domain[] = "cella-token-v1";
    br_hmac_key_context kc;
    br_hmac_context c;
    br_hmac_key_init(&kc, &br_sha256_vtable, key, WALLET_MAC_SIZE);
    br_hmac_init(&c, &kc, 0);
    br_hmac_update(&c, domain, sizeof(domain));
    br_hmac_update(&c, &token->id, sizeof(token->id));
    br_hmac_update(&c, &token->issued, sizeof(token->issued));
    br_hmac_update(&c, &token->expires, sizeof(token->expires));
    br_hmac_update(&c, payment, sizeof(*payment));
    br_hmac_out(&c, out);
}

void payment_digest(uint8_t out[SHA256_SIZE], const struct payment *payment)
{
    static const char domain[] = "cella-payment-v1";
    br_sha256_context c;
    br_sha256_init(&c);
    br_sha256_update(&c, domain, sizeof(domain));
    br_sha256_update(&c, payment, sizeof(*payment));
    br_sha256_out(&c, out);
}

bool payment_signature_valid(const struct payment *payment, const uint8_t sig[WALLET_SIG_SIZE],
                             const uint8_t public_key[WALLET_PUBKEY_SIZE])
{
    uint8_t digest[SHA256_SIZE], q[WALLET_PUBKEY_SIZE];
    memcpy(q, public_key, sizeof(q));
    br_ec_public_key pk = { .curve = BR_EC_secp256r1, .q = q, .qlen = sizeof(q) };
    payment_digest(digest, payment);
    return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, digest, sizeof(digest), &pk, sig,
                                 WALLET_SIG_SIZE) == 1;
}
