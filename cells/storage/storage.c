/*
 * The storage driver: the one cell that owns the second flash bank of
 * QEMU's virt board (CFI, Intel command set, two 16-bit chips side by side
 * on a 32-bit bus). Each client channel gets a partition of its own, named
 * after the channel; a client can read, program erased bytes and erase
 * sectors inside it and nowhere else. Commands are written to both chips
 * at once and completion is polled in the status register, as on hardware.
 */
#include <stdio.h>
#include <string.h>

#include "service.h"

#define SECTOR_SIZE (256u * 1024)

#define CMD_PROGRAM 0x40
#define CMD_ERASE 0x20
#define CMD_CONFIRM 0xd0
#define CMD_CLEAR_STATUS 0x50
#define CMD_READ_ARRAY 0xff
#define STATUS_READY 0x80
#define STATUS_ERRORS 0x3a /* erase, program, VPP and lock errors */
#define POLL_LIMIT 100000000u

/* The call channels a partition may be reached over (cell.h); a system gives those it uses. */
CELL_SERVES_OPTIONAL(CH_WALLET, "wallet_storage");
CELL_SERVES_OPTIONAL(CH_BILLING, "billing_storage");
CELL_SERVES_OPTIONAL(CH_FUZZ, "fuzz_storage");
/* The flash bank: a device map holding at least the first partition. */
CELL_MAP(MAP_FLASH, "flash", CELL_MAP_DEVICE, "rw", SECTOR_SIZE);

struct partition {
    const struct cell_end *const *channel; /* the call channel whose caller owns it */
    uint32_t offset, size;
};

/* Offsets in the flash map; the map must cover them (system.toml). */
static const struct partition partitions[] = {
    { &CH_WALLET, 0, SECTOR_SIZE },
    { &CH_BILLING, SECTOR_SIZE, 4 * SECTOR_SIZE },
    { &CH_FUZZ, 5 * SECTOR_SIZE, SECTOR_SIZE },
};

static volatile uint32_t *flash;
static uint64_t flash_size;

static uint32_t both_chips(uint8_t command)
{
    return (uint32_t)command | (uint32_t)command << 16;
}

/* Polls the status register at word until both chips are ready; false on an error bit. */
static bool wait_ready(volatile uint32_t *word)
{
    for (uint32_t i = 0; i < POLL_LIMIT; i++) {
        uint32_t status = *word;
        if ((status & both_chips(STATUS_READY)) == both_chips(STATUS_READY)) {
            bool ok = !(status & both_chips(STATUS_ERRORS));
            if (!ok)
                *word = both_chips(CMD_CLEAR_STATUS);
            return ok;
        }
    }
    return false;
}

static void read_array_mode(void)
{
    flash[0] = both_chips(CMD_READ_ARRAY);
}

static const struct partition *partition_of(const struct cell_message *msg)
{
    for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
        if (msg->from == *partitions[i].channel && cell_has(msg->from) &&
            partitions[i].offset + partitions[i].size <= flash_size)
            return &partitions[i];
    return NULL;
}

static bool range_ok(const struct partition *p, uint64_t offset, uint64_t length)
{
    return length >= 8 && length <= STORAGE_IO_MAX && offset % 8 == 0 && length % 8 == 0 &&
           offset <= p->size && length <= p->size - offset;
}

static void copy_out(void *dst, uint32_t at, uint32_t length)
{
    for (uint32_t i = 0; i < length / 4; i++) {
        uint32_t w = flash[at / 4 + i];
        memcpy((uint8_t *)dst + 4 * i, &w, 4);
    }
}

static bool erased(uint32_t at, uint32_t length)
{
    for (uint32_t i = 0; i < length / 4; i++)
        if (flash[at / 4 + i] != 0xffffffffu)
            return false;
    return true;
}

static uint64_t do_read(const struct partition *p, const struct storage_read *rq,
                        struct storage_data *out)
{
    if (!range_ok(p, rq->offset, rq->length))
        return SVC_EMALFORMED;
    out->length = rq->length;
    copy_out(out->data, p->offset + rq->offset, rq->length);
    return SVC_OK;
}

static uint64_t do_write(const struct partition *p, const struct storage_write *rq)
{
    if (!range_ok(p, rq->offset, rq->length))
        return SVC_EMALFORMED;
    uint32_t at = p->offset + rq->offset;
    if (!erased(at, rq->length))
        return SVC_ENOTERASED;
    bool ok = true;
    for (uint32_t i = 0; ok && i < rq->length / 4; i++) {
        uint32_t w;
        memcpy(&w, rq->data + 4 * i, 4);
        volatile uint32_t *word = &flash[at / 4 + i];
        *word = both_chips(CMD_PROGRAM);
        *word = w;
        ok = wait_ready(word);
    }
    read_array_mode();
    uint8_t check[STORAGE_IO_MAX];
    copy_out(check, at, rq->length);
    return ok && memcmp(check, rq->data, rq->length) == 0 ? SVC_OK : SVC_ESTORAGE;
}

static uint64_t do_erase(const struct partition *p, const struct storage_erase *rq)
{
    if (rq->offset % SECTOR_SIZE || rq->offset >= p->size)
        return SVC_EMALFORMED;
    uint32_t at = p->offset + (uint32_t)rq->offset;
    volatile uint32_t *word = &flash[at / 4];
    *word = both_chips(CMD_ERASE);
    *word = both_chips(CMD_CONFIRM);
    bool ok = wait_ready(word);
    read_array_mode();
    return ok && erased(at, SECTOR_SIZE) ? SVC_OK : SVC_ESTORAGE;
}

static void called(struct cell_message *msg)
{
    const struct partition *p = partition_of(msg);
    if (!p) {
        cell_reply(msg, SVC_EFORBIDDEN, NULL, 0);
        return;
    }
    switch (msg->label) {
    case STORAGE_INFO: {
        struct storage_info info = { p->size, SECTOR_SIZE, STORAGE_IO_MAX };
        cell_reply(msg, msg->length == 0 ? SVC_OK : SVC_EMALFORMED, &info, sizeof(info));
        return;
    }
    case STORAGE_READ: {
        struct storage_read rq;
        static struct storage_data out;
        memset(&out, 0, sizeof(out));
        uint64_t status = cell_take(msg, &rq, sizeof(rq)) ? do_read(p, &rq, &out) : SVC_EMALFORMED;
        cell_reply(msg, status, &out, sizeof(out));
        return;
    }
    case STORAGE_WRITE: {
        static struct storage_write rq;
        cell_reply(msg, cell_take(msg, &rq, sizeof(rq)) ? do_write(p, &rq) : SVC_EMALFORMED, NULL,
                   0);
        return;
    }
    case STORAGE_ERASE: {
        struct storage_erase rq;
        cell_reply(msg, cell_take(msg, &rq, sizeof(rq)) ? do_erase(p, &rq) : SVC_EMALFORMED, NULL,
                   0);
        return;
    }
    default:
        cell_reply(msg, SVC_EMALFORMED, NULL, 0);
    }
}

int main(void)
{
    flash = MAP_FLASH->base;
    flash_size = MAP_FLASH->size;
    read_array_mode();
    printf("flash bank at %p, %lu KiB mapped, sectors of %u KiB\n", (void *)flash,
           (unsigned long)(flash_size / 1024), SECTOR_SIZE / 1024);
    cell_serve(&(struct cell_handlers){ .called = called });
}
