/*
 * The secure-wallet services' wire protocol (docs/wallet-protocol.md):
 * storage, auth, wallet and billing, and the console's input methods.
 *
 * Every request and every reply is a fixed-size structure of whole 64-bit
 * words, carried in message registers (MR0-MR3 in registers, the rest in
 * the IPC buffer) and never by pointer, so a persona's channel device can
 * carry the same bytes. The call's label is the method; the reply's label
 * is a status (SVC_OK or SVC_E*). A server answers a request whose label,
 * length or contents are wrong with an error status, never with a crash.
 * All integers are little-endian.
 */
#pragma once

#include <stdint.h>

/* Reply statuses (the reply's label). Kernel errors (ERR_*) stay below 64. */
enum svc_status {
    SVC_OK = 0,
    SVC_EMALFORMED = 64, /* unknown method, wrong length, or a field out of range */
    SVC_EFORBIDDEN = 65, /* this channel may not use this method */
    SVC_EDENIED = 66,    /* auth: wrong PIN */
    SVC_ELOCKED = 67,    /* auth: locked out after failed attempts; retry later */
    SVC_ETOKEN = 68,     /* wallet: the token's MAC does not match this request */
    SVC_EEXPIRED = 69,   /* wallet: the token has expired */
    SVC_EREPLAYED = 70,  /* wallet: the token was already used (or superseded) */
    SVC_ENOTREADY = 71,  /* the service is not provisioned (yet) */
    SVC_ESTORAGE = 72,   /* storage failed (device error, verify mismatch) */
    SVC_EFULL = 73,      /* billing: the ledger is full */
    SVC_ESIGNATURE = 74, /* billing: the wallet's signature does not verify */
    SVC_EDUPLICATE = 75, /* billing: this payment nonce is already in the ledger */
    SVC_ENOTFOUND = 76,  /* no such entry; console: no input line yet */
    SVC_ENOTERASED = 77, /* storage: the range to program is not erased */
    SVC_ETAMPERED = 78,  /* wallet: the sealed key does not verify */
};

/* A status in words ("wrong PIN"); kernel errors are just "kernel error" (status_names.c). */
const char *wallet_status_name(uint64_t status);

/* Sizes shared by several messages. */
#define WALLET_PIN_MAX 16    /* bytes, NUL-padded digits */
#define WALLET_PAYEE_SIZE 32 /* bytes, NUL-padded text */
#define WALLET_NONCE_SIZE 16
#define WALLET_MAC_SIZE 32           /* HMAC-SHA256 */
#define WALLET_PUBKEY_SIZE 65        /* uncompressed P-256 point: 0x04 || X || Y */
#define WALLET_SIG_SIZE 64           /* raw ECDSA P-256: r || s */
#define WALLET_AMOUNT_MAX 100000000u /* cents: a million */

/* A payment: what the user approves, the wallet signs and billing records. */
struct payment {
    uint64_t amount; /* in cents */
    char payee[WALLET_PAYEE_SIZE];
    uint8_t nonce[WALLET_NONCE_SIZE]; /* unique per payment, chosen by the client */
};

/* An authorisation token: auth's HMAC over one payment, checked by the wallet alone. */
struct auth_token {
    uint64_t id;      /* auth's counter, strictly increasing within one key */
    uint64_t issued;  /* CNTVCT ticks */
    uint64_t expires; /* CNTVCT ticks */
    uint8_t mac[WALLET_MAC_SIZE];
};

/* ---- storage: a partition of flash per channel ------------------------- */
#define STORAGE_IO_MAX 256 /* bytes per read or write */

enum storage_method {
    STORAGE_INFO = 0x10,  /* -> storage_info */
    STORAGE_READ = 0x11,  /* storage_read -> storage_data */
    STORAGE_WRITE = 0x12, /* storage_write -> (nothing): program an erased range */
    STORAGE_ERASE = 0x13, /* storage_erase -> (nothing): erase one sector */
};

struct storage_info {
    uint64_t partition_size; /* bytes */
    uint64_t sector_size;    /* the erase unit */
    uint64_t io_max;         /* STORAGE_IO_MAX */
};

struct storage_read {
    uint32_t offset; /* in the partition; a multiple of 8 */
    uint32_t length; /* 8 to STORAGE_IO_MAX, a multiple of 8 */
};

struct storage_data {
    uint64_t length;
    uint8_t data[STORAGE_IO_MAX];
};

struct storage_write {
    uint32_t offset; /* a multiple of 8 */
    uint32_t length; /* 8 to STORAGE_IO_MAX, a multiple of 8 */
    uint8_t data[STORAGE_IO_MAX];
};

struct storage_erase {
    uint64_t offset; /* of the sector, sector-aligned */
};

/* ---- auth --------------------------------------------------------------- */
enum auth_method {
    AUTH_REQUEST_TOKEN = 0x20, /* auth_request -> auth_reply */
    AUTH_SET_TOKEN_KEY = 0x21, /* auth_key -> (nothing); the wallet's channel only */
    AUTH_STATUS = 0x22,        /* (nothing) -> auth_status */
};

struct auth_request {
    char pin[WALLET_PIN_MAX];
    struct payment payment; /* what the token will be bound to */
};

/* Always the whole structure: on SVC_EDENIED attempts_left, on SVC_ELOCKED retry_after_ms. */
struct auth_reply {
    uint64_t attempts_left;
    uint64_t retry_after_ms;
    struct auth_token token; /* on SVC_OK */
};

struct auth_key {
    uint8_t key[WALLET_MAC_SIZE];
};

struct auth_status {
    uint64_t failures;       /* consecutive failed PIN checks */
    uint64_t retry_after_ms; /* 0 unless locked */
    uint64_t tokens_issued;
    uint64_t provisioned; /* 1 once the wallet has handed over the token key */
};

/* ---- wallet ------------------------------------------------------------- */
enum wallet_method {
    WALLET_PUBLIC_KEY = 0x30, /* (nothing) -> wallet_public_key */
    WALLET_SIGN = 0x31,       /* wallet_sign -> wallet_signature */
};

struct wallet_public_key {
    uint8_t key[WALLET_PUBKEY_SIZE];
    uint8_t pad[7];
};

struct wallet_sign {
    struct payment payment;
    struct auth_token token;
};

struct wallet_signature {
    uint8_t sig[WALLET_SIG_SIZE];
};

/* ---- billing ------------------------------------------------------------ */
enum billing_method {
    BILLING_RECORD = 0x40,  /* billing_record -> billing_receipt */
    BILLING_BALANCE = 0x41, /* (nothing) -> billing_balance */
    BILLING_ENTRY = 0x42,   /* billing_entry_query -> billing_entry */
};

struct billing_record {
    struct payment payment;
    uint8_t sig[WALLET_SIG_SIZE];
};

struct billing_receipt {
    uint64_t seq;   /* the payment's sequence number in the ledger, from 1 */
    uint64_t total; /* the sum of every recorded amount, this one included */
};

struct billing_balance {
    uint64_t count; /* verified records */
    uint64_t total; /* sum of their amounts */
    uint64_t last_seq;
    uint64_t discarded; /* torn records found and skipped at boot */
};

struct billing_entry_query {
    uint64_t seq;
};

struct billing_entry {
    uint64_t seq;
    struct payment payment;
    uint8_t sig[WALLET_SIG_SIZE];
};

/* ---- console input (the console server's methods besides CONSOLE_WRITE = 1) ---- */
enum console_method {
    CONSOLE_WRITE = 1,     /* MR0 length, the text from MR1 on (runtime/console.c) */
    CONSOLE_INPUT_ARM = 2, /* console_arm -> (nothing): signal me when a line is ready */
    CONSOLE_READ_LINE = 3, /* (nothing) -> console_line, or SVC_ENOTFOUND */
};

#define CONSOLE_ECHO_MASKED 1u /* echo '*' for each character (PINs) */
/* Keystrokes as they come, unechoed, for a reader with a terminal of its own (a persona):
 * each CONSOLE_READ_LINE returns what was typed since the last, and the mode stays. */
#define CONSOLE_INPUT_RAW 2u
#define CONSOLE_LINE_MAX 64

struct console_arm {
    uint64_t flags;
};

struct console_line {
    uint64_t length;
    char text[CONSOLE_LINE_MAX];
};

/* Every message is whole words and fits the message registers. */
#define WALLET_MSG_CHECK(t)                                                                        \
    _Static_assert(sizeof(struct t) % 8 == 0 && sizeof(struct t) / 8 <= 120, #t " is whole words")
WALLET_MSG_CHECK(payment);
WALLET_MSG_CHECK(auth_token);
WALLET_MSG_CHECK(storage_info);
WALLET_MSG_CHECK(storage_read);
WALLET_MSG_CHECK(storage_data);
WALLET_MSG_CHECK(storage_write);
WALLET_MSG_CHECK(storage_erase);
WALLET_MSG_CHECK(auth_request);
WALLET_MSG_CHECK(auth_reply);
WALLET_MSG_CHECK(auth_key);
WALLET_MSG_CHECK(auth_status);
WALLET_MSG_CHECK(wallet_public_key);
WALLET_MSG_CHECK(wallet_sign);
WALLET_MSG_CHECK(wallet_signature);
WALLET_MSG_CHECK(billing_record);
WALLET_MSG_CHECK(billing_receipt);
WALLET_MSG_CHECK(billing_balance);
WALLET_MSG_CHECK(billing_entry_query);
WALLET_MSG_CHECK(billing_entry);
WALLET_MSG_CHECK(console_arm);
WALLET_MSG_CHECK(console_line);
