/*
 * What the demo's client and the power-cut payer share: reading a line from
 * the console, and one payment from PIN to ledger through auth, wallet and
 * billing, with the signature checked on the client's side too.
 */
#pragma once

#include "service.h"

/* What the client and the payer need from their manifests (cell.h). */
CELL_CALLS(CH_CONSOLE, "client_console");
CELL_WAITS(CH_INPUT, "console_input"); /* a typed line is ready */
CELL_CALLS(CH_AUTH, "client_auth");
CELL_CALLS(CH_WALLET, "client_wallet");
CELL_CALLS(CH_BILLING, "client_billing");

/* Prints the prompt, then returns the line typed (masked: echoed as '*'); false if the console
 * refuses. */
bool console_read_line(const char *prompt, char *out, size_t size, bool masked);

/* The wallet's public key, fetched once. */
extern struct wallet_public_key client_wallet_key;
uint64_t client_fetch_wallet_key(void);

/* A fresh payment: nonce from the ledger's next sequence number, a counter and the timer. */
void payment_make(struct payment *p, uint64_t amount, const char *payee);

/* Each stage of a payment; each prints what happened. */
uint64_t ask_token(const char *pin, const struct payment *p, struct auth_reply *reply);
uint64_t ask_signature(const struct payment *p, const struct auth_token *token,
                       struct wallet_signature *sig);
bool check_signature(const struct payment *p, const struct wallet_signature *sig);
uint64_t ask_record(const struct payment *p, const struct wallet_signature *sig,
                    struct billing_receipt *receipt);

/* Prints every ledger entry from `first` with its signature checked; false if one does not verify.
 */
bool print_history(uint64_t first, uint64_t last, const char *prefix);
