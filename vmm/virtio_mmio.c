/*
 * The virtio-mmio transport (version 2): the register block through which
 * the guest's driver negotiates features, sets up its queues and kicks
 * them. Device models plug in through struct virtio_ops.
 */
#include <stdio.h>
#include <string.h>

#include "virtio.h"

#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_VENDOR_ID 0x00c
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC 0x080
#define REG_QUEUE_DRIVER 0x090
#define REG_QUEUE_DEVICE 0x0a0
#define REG_CONFIG_GENERATION 0x0fc
#define REG_CONFIG 0x100

#define MAGIC 0x74726976u     /* "virt" */
#define VENDOR_ID 0x4c4c4543u /* "CELL" */
#define STATUS_FEATURES_OK 8u
#define STATUS_DRIVER_OK 4u
#define STATUS_NEEDS_RESET 64u
#define INTERRUPT_USED 1u
#define INTERRUPT_CONFIG 2u
#define REPORTS_MAX 16

static unsigned reports;

static void reset(struct virtio_device *d)
{
    memset(d->queues, 0, d->queue_count * sizeof(d->queues[0]));
    d->driver_features = 0;
    d->device_features_sel = d->driver_features_sel = d->queue_sel = 0;
    d->status = d->interrupt_status = 0;
    d->broken = false;
    vgic_set_level(d->irq, false);
    if (d->ops->reset)
        d->ops->reset(d);
}

void virtio_interrupt(struct virtio_device *d)
{
    d->interrupt_status |= INTERRUPT_USED;
    vgic_set_level(d->irq, true);
}

void virtio_fail(struct virtio_device *d, const char *what, uint64_t detail)
{
    if (d->broken)
        return;
    d->broken = true;
    if (++reports <= REPORTS_MAX)
        printf("vmm: persona '%s' %s: %s (%#lx); device stopped until the guest resets it\n",
               persona_name, d->name, what, (unsigned long)detail);
    else if (reports == REPORTS_MAX + 1)
        printf("vmm: persona '%s': further virtio faults not reported\n", persona_name);
    d->status |= STATUS_NEEDS_RESET;
    if (d->status & STATUS_DRIVER_OK) {
        d->interrupt_status |= INTERRUPT_CONFIG;
        vgic_set_level(d->irq, true);
    }
}

static struct virtq *selected_queue(struct virtio_device *d)
{
    return d->queue_sel < d->queue_count ? &d->queues[d->queue_sel] : NULL;
}

/* Whether the queue's three rings, at its size, lie in guest RAM with the alignment virtio asks. */
static bool rings_valid(const struct virtq *q)
{
    uint64_t n = q->size;
    return n && n <= VIRTQ_MAX_SIZE && !(n & (n - 1)) && !(q->desc & 15) && !(q->avail & 1) &&
           !(q->used & 3) && guest_pointer(q->desc, 16 * n) && guest_pointer(q->avail, 6 + 2 * n) &&
           guest_pointer(q->used, 6 + 8 * n);
}

static void set_queue_ready(struct virtio_device *d, struct virtq *q, uint32_t value)
{
    if (!value) {
        q->ready = false;
        return;
    }
    if (!rings_valid(q)) {
        virtio_fail(d, "queue set up outside guest RAM or misaligned", q->desc);
        return;
    }
    q->ready = true;
}

static void set_status(struct virtio_device *d, uint32_t value)
{
    if (value == 0) {
        reset(d);
        return;
    }
    if ((value & STATUS_FEATURES_OK) && !(d->status & STATUS_FEATURES_OK)) {
        bool acceptable =
            !(d->driver_features & ~d->features) && (d->driver_features & VIRTIO_F_VERSION_1);
        if (!acceptable)
            value &= ~STATUS_FEATURES_OK; /* the driver reads it back and gives up */
    }
    d->status = value | (d->status & STATUS_NEEDS_RESET);
}

/* Queue addresses are written as two 32-bit halves. */
static void set_half(uint64_t *address, uint64_t offset, uint64_t value)
{
    if (offset & 4)
        *address = (*address & 0xffffffffULL) | (value << 32);
    else
        *address = (*address & ~0xffffffffULL) | (value & 0xffffffffULL);
}

static void write_queue_register(struct virtio_device *d, uint64_t offset, uint64_t value)
{
    struct virtq *q = selected_queue(d);
    if (!q || q->ready)
        return; /* a live queue's layout cannot change */
    if (offset == REG_QUEUE_NUM)
        q->size = (uint16_t)(value <= VIRTQ_MAX_SIZE ? value : 0);
    else if (offset - REG_QUEUE_DESC < 8)
        set_half(&q->desc, offset, value);
    else if (offset - REG_QUEUE_DRIVER < 8)
        set_half(&q->avail, offset, value);
    else if (offset - REG_QUEUE_DEVICE < 8)
        set_half(&q->used, offset, value);
}

static void write_register(struct virtio_device *d, uint64_t offset, uint64_t value)
{
    switch (offset) {
    case REG_DEVICE_FEATURES_SEL:
        d->device_features_sel = (uint32_t)value;
        return;
    case REG_DRIVER_FEATURES_SEL:
        d->driver_features_sel = (uint32_t)value;
        return;
    case REG_DRIVER_FEATURES:
        if (d->driver_features_sel < 2 && !(d->status & STATUS_FEATURES_OK)) {
            unsigned shift = 32 * d->driver_features_sel;
            d->driver_features =
                (d->driver_features & ~(0xffffffffULL << shift)) | (value << shift);
        }
        return;
    case REG_QUEUE_SEL:
        d->queue_sel = (uint32_t)value;
        return;
    case REG_QUEUE_READY:
        if (selected_queue(d))
            set_queue_ready(d, selected_queue(d), (uint32_t)value);
        return;
    case REG_QUEUE_NOTIFY:
        if (value < d->queue_count && !d->broken && (d->status & STATUS_DRIVER_OK))
            d->ops->notify(d, (unsigned)value);
        return;
    case REG_INTERRUPT_ACK:
        d->interrupt_status &= ~(uint32_t)value;
        if (!d->interrupt_status)
            vgic_set_level(d->irq, false);
        return;
    case REG_STATUS:
        set_status(d, (uint32_t)value);
        return;
    default:
        write_queue_register(d, offset, value);
        return;
    }
}

static uint64_t read_register(struct virtio_device *d, uint64_t offset)
{
    struct virtq *q = selected_queue(d);
    switch (offset) {
    case REG_MAGIC:
        return MAGIC;
    case REG_VERSION:
        return 2;
    case REG_DEVICE_ID:
        return d->device_id;
    case REG_VENDOR_ID:
        return VENDOR_ID;
    case REG_DEVICE_FEATURES:
        return d->device_features_sel < 2 ? (uint32_t)(d->features >> (32 * d->device_features_sel))
                                          : 0;
    case REG_QUEUE_NUM_MAX:
        return q ? VIRTQ_MAX_SIZE : 0;
    case REG_QUEUE_READY:
        return q && q->ready;
    case REG_INTERRUPT_STATUS:
        return d->interrupt_status;
    case REG_STATUS:
        return d->status;
    case REG_CONFIG_GENERATION:
        return d->config_generation;
    default:
        return 0;
    }
}

void virtio_mmio_access(struct virtio_device *d, struct mmio *m, uint64_t offset)
{
    if (offset >= REG_CONFIG) {
        if (m->write && d->ops->config_write)
            d->ops->config_write(d, offset - REG_CONFIG, m->size, m->value);
        else if (!m->write)
            m->value =
                d->ops->config_read ? d->ops->config_read(d, offset - REG_CONFIG, m->size) : 0;
        return;
    }
    if (m->size != 4 || (offset & 3)) { /* virtio allows only aligned 32-bit register accesses */
        m->value = 0;
        return;
    }
    if (m->write)
        write_register(d, offset, m->value & 0xffffffffULL);
    else
        m->value = read_register(d, offset);
}
