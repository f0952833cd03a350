/*
 * The persona's disk: a virtio block device backed by the region the
 * manifest names as the persona's `disk`, which only this VMM maps. Reads
 * and writes are copies between that region and guest RAM, both checked;
 * the region lives as long as the system does, so the disk outlasts a
 * guest's reboot but not a power cycle.
 */
#include <stdio.h>
#include <string.h>

#include <abi/persona_layout.h>

#include "virtio.h"

#define F_SEG_MAX (1ULL << 2)
#define F_BLK_SIZE (1ULL << 6)
#define F_FLUSH (1ULL << 9)
#define SECTOR 512u
#define SEG_MAX (VIRTQ_CHAIN_MAX - 2) /* the header and the status take two descriptors */
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define ID_BYTES 20
#define REPORTS_MAX 8

struct request_header {
    uint32_t type, reserved;
    uint64_t sector;
};

static struct virtq queue;
static struct virtio_device device;
static uint8_t *disk;
static uint64_t disk_size;
static unsigned reports;

/* Copies between the disk and a chain's data, skipping `skip` bytes of the chain's side. */
static uint64_t copy_data(const struct vchain *c, bool to_guest, uint64_t skip, uint8_t *at,
                          uint64_t size)
{
    unsigned first = to_guest ? c->readable : 0,
             end = to_guest ? c->readable + c->writable : c->readable;
    uint64_t done = 0;
    for (unsigned i = first; i < end && done < size; i++) {
        uint64_t length = c->buf[i].length;
        if (skip >= length) {
            skip -= length;
            continue;
        }
        uint64_t n = length - skip < size - done ? length - skip : size - done;
        if (to_guest)
            memcpy(c->buf[i].data + skip, at + done, n);
        else
            memcpy(at + done, c->buf[i].data + skip, n);
        done += n;
        skip = 0;
    }
    return done;
}

static uint64_t writable_bytes(const struct vchain *c)
{
    uint64_t total = 0;
    for (unsigned i = c->readable; i < c->readable + c->writable; i++)
        total += c->buf[i].length;
    return total;
}

static uint8_t refuse(const char *what, uint64_t sector)
{
    if (++reports <= REPORTS_MAX)
        printf("vmm: persona '%s' disk: %s (sector %lu); refused\n", persona_name, what,
               (unsigned long)sector);
    return S_IOERR;
}

/* Reads or writes `length` bytes at the header's sector; returns the status. */
static uint8_t transfer(const struct vchain *c, const struct request_header *h, uint64_t length)
{
    bool read = h->type == T_IN;
    if (length % SECTOR)
        return refuse("transfer not a whole number of sectors", h->sector);
    if (h->sector >= disk_size / SECTOR || length > disk_size - h->sector * SECTOR)
        return refuse("transfer beyond the end of the disk", h->sector);
    uint8_t *at = disk + h->sector * SECTOR;
    uint64_t moved =
        read ? copy_data(c, true, 0, at, length) : copy_data(c, false, sizeof(*h), at, length);
    return moved == length ? S_OK : S_IOERR;
}

/* Serves one request; returns how many bytes it wrote into the guest's buffers. */
static uint32_t serve(const struct vchain *c)
{
    struct request_header h;
    uint64_t in_room = writable_bytes(c);
    if (in_room == 0)
        return 0; /* no status byte: nothing can be answered */
    uint8_t status = S_OK;
    uint64_t data_in = in_room - 1, written = 1;
    if (vchain_read(c, &h, sizeof(h)) != sizeof(h))
        status = refuse("request without a header", 0);
    else if (h.type == T_IN)
        status = transfer(c, &h, data_in), written += status == S_OK ? data_in : 0;
    else if (h.type == T_OUT)
        status = transfer(c, &h, vchain_readable_bytes(c) - sizeof(h));
    else if (h.type == T_GET_ID) {
        char id[ID_BYTES] = { 0 };
        snprintf(id, sizeof(id), "cella-%s", persona_name);
        written += copy_data(c, true, 0, (uint8_t *)id, data_in < ID_BYTES ? data_in : ID_BYTES);
    } else if (h.type != T_FLUSH)
        status = S_UNSUPP; /* the region is RAM: a flush has nothing to wait for */
    copy_data(c, true, in_room - 1, &status, 1);
    return (uint32_t)written;
}

static void notify(struct virtio_device *d, unsigned q)
{
    struct vchain c;
    bool served = false;
    while (q == 0 && virtq_pop(d, 0, &c) == 1) {
        virtq_push(d, 0, c.head, serve(&c));
        served = true;
    }
    if (served)
        virtio_interrupt(d);
}

/* struct virtio_blk_config: capacity, size_max, seg_max, geometry, blk_size. */
static uint64_t config_read(struct virtio_device *d, uint64_t offset, unsigned size)
{
    (void)d;
    uint8_t config[24] = { 0 };
    uint64_t sectors = disk_size / SECTOR;
    uint32_t seg_max = SEG_MAX, blk_size = SECTOR;
    memcpy(config, &sectors, 8);
    memcpy(config + 12, &seg_max, 4);
    memcpy(config + 20, &blk_size, 4);
    uint64_t value = 0;
    if (offset < sizeof(config) && size <= sizeof(config) - offset)
        memcpy(&value, config + offset, size);
    return value;
}

static const struct virtio_ops ops = { .notify = notify, .config_read = config_read };

static void block_access(struct mmio *m, uint64_t offset)
{
    virtio_mmio_access(&device, m, offset);
}

const struct device virtio_block_device = {
    "virtio-block",
    PERSONA_VIRTIO_BASE + PERSONA_VIRTIO_BLOCK *PERSONA_VIRTIO_SIZE,
    PERSONA_VIRTIO_SIZE,
    block_access,
};

/* Returns whether the persona has a disk (and so whether the device exists). */
bool virtio_block_init(const struct persona_info *info)
{
    disk = (uint8_t *)(uintptr_t)info->disk_vaddr;
    disk_size = info->disk_size;
    device = (struct virtio_device){
        .name = "virtio-block",
        .device_id = VIRTIO_ID_BLOCK,
        .features = VIRTIO_F_VERSION_1 | F_SEG_MAX | F_BLK_SIZE | F_FLUSH,
        .irq = 32 + PERSONA_VIRTIO_SPI + PERSONA_VIRTIO_BLOCK,
        .queue_count = 1,
        .queues = &queue,
        .ops = &ops,
    };
    return disk && disk_size >= SECTOR;
}
