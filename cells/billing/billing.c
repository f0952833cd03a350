/*
 * billing: the ledger of signed payments, on flash through the storage cell.
 *
 * The ledger partition is an array of 256-byte slots. Slot 0 is the header
 * (it names the wallet key the ledger belongs to); every payment takes the
 * next slot. An append programs the record, then its commit word: a slot
 * whose commit word or CRC is wrong was torn by a power cut and is skipped
 * (and counted) at boot; an erased slot ends the ledger. At boot every
 * record is checked (CRC, commit, sequence, nonce, and the wallet's ECDSA
 * signature with the wallet's public key) before billing answers anyone.
 */
#include <stdio.h>
#include <string.h>

#include <sel4like/crc32.h>

#include "crypto.h"
#include "service.h"

#define SLOT_SIZE 256u
#define MAX_SLOTS 4096u
#define HEADER_MAGIC 0x3152454744454c43ULL /* "CLEDGER1" */
#define HEADER_COMMIT 0x444145484c41454cULL
#define RECORD_MAGIC 0x3144524345524c43ULL  /* "CLRECRD1" */
#define RECORD_COMMIT 0x5453494c4c4f434cULL /* xor seq */

struct ledger_header {
    uint64_t magic;
    uint64_t version;
    uint8_t wallet_key[WALLET_PUBKEY_SIZE];
    uint8_t pad[7];
    uint8_t reserved[152];
    uint32_t crc; /* CRC-32 of everything above */
    uint32_t zero;
    uint64_t commit; /* HEADER_COMMIT, written last */
};

struct ledger_record {
    uint64_t magic;
    uint64_t seq;
    struct payment payment;
    uint8_t sig[WALLET_SIG_SIZE];
    uint8_t reserved[104];
    uint32_t crc; /* CRC-32 of everything above */
    uint32_t zero;
    uint64_t commit; /* RECORD_COMMIT ^ seq, written last */
};
_Static_assert(sizeof(struct ledger_header) == SLOT_SIZE, "a slot");
_Static_assert(sizeof(struct ledger_record) == SLOT_SIZE, "a slot");

/* What billing needs from its manifest (cell.h). */
CELL_CALLS(CH_STORAGE, "billing_storage"); /* its partition: the ledger */
CELL_CALLS(CH_WALLET, "billing_wallet");   /* the public key, to verify the ledger */

static uint8_t wallet_key[WALLET_PUBKEY_SIZE];
static uint64_t status = SVC_ENOTREADY;
static uint32_t slots, sectors, sector_size, next_slot;
static uint64_t count, total, discarded;
static uint16_t slot_of_seq[MAX_SLOTS + 1]; /* seq -> slot */
static uint8_t nonces[MAX_SLOTS][WALLET_NONCE_SIZE];

static uint64_t read_slot(uint32_t slot, void *out)
{
    return storage_read_at(CH_STORAGE, slot * SLOT_SIZE, out, SLOT_SIZE);
}

static uint64_t write_bytes(uint32_t offset, const void *in, uint32_t length)
{
    return storage_write_at(CH_STORAGE, offset, in, length);
}

/* Writes a slot's body, then its last word: the commit. */
static uint64_t write_slot(uint32_t slot, const void *in)
{
    uint64_t st = write_bytes(slot * SLOT_SIZE, in, SLOT_SIZE - 8);
    if (st == SVC_OK)
        st = write_bytes(slot * SLOT_SIZE + SLOT_SIZE - 8, (const uint8_t *)in + SLOT_SIZE - 8, 8);
    return st;
}

static bool blank(const void *slot)
{
    const uint8_t *p = slot;
    for (unsigned i = 0; i < SLOT_SIZE; i++)
        if (p[i] != 0xff)
            return false;
    return true;
}

static uint32_t crc_of(const void *slot)
{
    return crc32(slot, SLOT_SIZE - 16);
}

static uint64_t format_ledger(bool erase)
{
    for (uint32_t s = 0; erase && s < sectors; s++) {
        struct storage_erase er = { (uint64_t)s * sector_size };
        uint64_t st = cell_request(CH_STORAGE, STORAGE_ERASE, &er, sizeof(er), NULL, 0);
        if (st != SVC_OK)
            return st;
    }
    struct ledger_header h;
    memset(&h, 0, sizeof(h));
    h.magic = HEADER_MAGIC;
    h.version = 1;
    memcpy(h.wallet_key, wallet_key, sizeof(wallet_key));
    h.crc = crc_of(&h);
    h.commit = HEADER_COMMIT;
    printf("new ledger%s for the wallet's key\n", erase ? " (partition erased)" : "");
    return write_slot(0, &h);
}

static uint64_t open_header(void)
{
    struct ledger_header h;
    uint64_t st = read_slot(0, &h);
    if (st != SVC_OK)
        return st;
    if (h.commit != HEADER_COMMIT)
        return format_ledger(!blank(&h)); /* never completed: no record can follow it */
    if (h.magic != HEADER_MAGIC || h.version != 1 || h.crc != crc_of(&h)) {
        printf("ledger header damaged: refusing to touch the ledger\n");
        return SVC_ETAMPERED;
    }
    if (memcmp(h.wallet_key, wallet_key, sizeof(wallet_key)) != 0) {
        printf("ledger belongs to another wallet key: refusing it\n");
        return SVC_ETAMPERED;
    }
    return SVC_OK;
}

static bool nonce_known(const uint8_t nonce[WALLET_NONCE_SIZE])
{
    for (uint64_t s = 1; s <= count; s++)
        if (memcmp(nonces[s - 1], nonce, WALLET_NONCE_SIZE) == 0)
            return true;
    return false;
}

static void remember(const struct ledger_record *r, uint32_t slot)
{
    memcpy(nonces[count], r->payment.nonce, WALLET_NONCE_SIZE);
    count++;
    slot_of_seq[count] = (uint16_t)slot;
    total += r->payment.amount;
}

/* Every record before billing serves anyone; false if the ledger does not verify. */
static uint64_t replay(void)
{
    uint64_t start = time_ticks();
    static struct ledger_record r;
    next_slot = slots;
    for (uint32_t slot = 1; slot < slots; slot++) {
        uint64_t st = read_slot(slot, &r);
        if (st != SVC_OK)
            return st;
        if (blank(&r)) {
            next_slot = slot;
            break;
        }
        if (r.commit != (RECORD_COMMIT ^ r.seq) || r.crc != crc_of(&r) || r.magic != RECORD_MAGIC) {
            printf("slot %u: torn record (no valid commit or checksum): discarded\n", slot);
            discarded++;
            continue;
        }
        if (r.seq != count + 1 || !payment_well_formed(&r.payment) ||
            nonce_known(r.payment.nonce) ||
            !payment_signature_valid(&r.payment, r.sig, wallet_key)) {
            printf("slot %u: committed record seq %lu does not verify: ledger INVALID\n", slot,
                   (unsigned long)r.seq);
            return SVC_ESIGNATURE;
        }
        remember(&r, slot);
    }
    printf(
        "ledger verified: %lu records (signatures checked with the wallet's key), total %lu.%02lu, "
        "%lu torn discarded, %lu ms\n",
        (unsigned long)count, (unsigned long)(total / 100), (unsigned long)(total % 100),
        (unsigned long)discarded, (unsigned long)time_ticks_to_ms(time_ticks() - start));
    return SVC_OK;
}

static uint64_t record(const struct billing_record *rq, struct billing_receipt *out)
{
    if (!payment_well_formed(&rq->payment))
        return SVC_EMALFORMED;
    if (status != SVC_OK)
        return status;
    if (!payment_signature_valid(&rq->payment, rq->sig, wallet_key))
        return SVC_ESIGNATURE;
    if (nonce_known(rq->payment.nonce))
        return SVC_EDUPLICATE;
    if (next_slot >= slots || count >= MAX_SLOTS)
        return SVC_EFULL;
    static struct ledger_record r;
    memset(&r, 0, sizeof(r));
    r.magic = RECORD_MAGIC;
    r.seq = count + 1;
    r.payment = rq->payment;
    memcpy(r.sig, rq->sig, sizeof(r.sig));
    r.crc = crc_of(&r);
    r.commit = RECORD_COMMIT ^ r.seq;
    uint32_t slot = next_slot++;
    printf("appending seq %lu in slot %u\n", (unsigned long)r.seq, slot);
    uint64_t st = write_slot(slot, &r);
    if (st != SVC_OK)
        return st; /* the slot is spoiled; boot will discard it */
    remember(&r, slot);
    out->seq = r.seq;
    out->total = total;
    return SVC_OK;
}

static uint64_t entry(const struct billing_entry_query *rq, struct billing_entry *out)
{
    if (status != SVC_OK)
        return status;
    if (rq->seq == 0 || rq->seq > count)
        return SVC_ENOTFOUND;
    static struct ledger_record r;
    uint64_t st = read_slot(slot_of_seq[rq->seq], &r);
    if (st != SVC_OK)
        return st;
    if (r.seq != rq->seq || r.crc != crc_of(&r))
        return SVC_ESTORAGE;
    out->seq = r.seq;
    out->payment = r.payment;
    memcpy(out->sig, r.sig, sizeof(out->sig));
    return SVC_OK;
}

static void called(struct cell_message *msg)
{
    switch (msg->label) {
    case BILLING_RECORD: {
        struct billing_record rq;
        struct billing_receipt out = { 0 };
        uint64_t st = cell_take(msg, &rq, sizeof(rq)) ? record(&rq, &out) : SVC_EMALFORMED;
        cell_reply(msg, st, &out, sizeof(out));
        return;
    }
    case BILLING_BALANCE: {
        struct billing_balance b = { count, total, count, discarded };
        cell_reply(msg, msg->length != 0 ? SVC_EMALFORMED : status, &b, sizeof(b));
        return;
    }
    case BILLING_ENTRY: {
        struct billing_entry_query rq;
        struct billing_entry out;
        memset(&out, 0, sizeof(out));
        uint64_t st = cell_take(msg, &rq, sizeof(rq)) ? entry(&rq, &out) : SVC_EMALFORMED;
        cell_reply(msg, st, &out, sizeof(out));
        return;
    }
    default:
        cell_reply(msg, SVC_EMALFORMED, NULL, 0);
    }
}

static uint64_t open_ledger(void)
{
    struct storage_info info;
    struct wallet_public_key pk;
    uint64_t st = cell_request(CH_STORAGE, STORAGE_INFO, NULL, 0, &info, sizeof(info));
    if (st != SVC_OK)
        return st;
    sector_size = (uint32_t)info.sector_size;
    sectors = sector_size ? (uint32_t)(info.partition_size / sector_size) : 0;
    slots = (uint32_t)(info.partition_size / SLOT_SIZE);
    if (slots > MAX_SLOTS + 1)
        slots = MAX_SLOTS + 1;
    st = cell_request(CH_WALLET, WALLET_PUBLIC_KEY, NULL, 0, &pk, sizeof(pk));
    if (st != SVC_OK)
        return st;
    memcpy(wallet_key, pk.key, sizeof(wallet_key));
    st = open_header();
    return st == SVC_OK ? replay() : st;
}

int main(void)
{
    status = open_ledger();
    if (status != SVC_OK)
        printf("NOT ready: %s; every request is refused\n", svc_status_name(status));
    cell_serve(&(struct cell_handlers){ .called = called });
}
