/*
 * The secure-wallet cells' cryptography, on BearSSL: SHA-256, HMAC-SHA256,
 * PBKDF2-HMAC-SHA256, the digests that tokens and signatures cover, and
 * ECDSA P-256 verification.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wallet_protocol.h"

#define SHA256_SIZE 32

void sha256(uint8_t out[SHA256_SIZE], const void *data, size_t size);
void hmac_sha256(uint8_t out[SHA256_SIZE], const void *key, size_t key_size, const void *data,
                 size_t size);
/* One 32-byte block of PBKDF2-HMAC-SHA256 (RFC 8018), as Python's hashlib.pbkdf2_hmac. */
void pbkdf2_sha256(uint8_t out[SHA256_SIZE], const void *password, size_t password_size,
                   const void *salt, size_t salt_size, uint32_t iterations);

/* The MAC auth puts in a token: HMAC-SHA256(key, "cella-token-v1" || id || issued || expires ||
 * payment). */
void token_mac(uint8_t out[WALLET_MAC_SIZE], const uint8_t key[WALLET_MAC_SIZE],
               const struct auth_token *token, const struct payment *payment);
/* What the wallet signs: SHA-256("cella-payment-v1" || payment). */
void payment_digest(uint8_t out[SHA256_SIZE], const struct payment *payment);
/* Checks a raw P-256 signature of a payment against an uncompressed public key. */
bool payment_signature_valid(const struct payment *payment, const uint8_t sig[WALLET_SIG_SIZE],
                             const uint8_t public_key[WALLET_PUBKEY_SIZE]);
