/*
 * Split virtqueues, read from guest RAM. The guest can rewrite its rings at
 * any moment, so each descriptor is copied once, then checked, then used;
 * the device's own position (last_avail, used_idx) never comes from the
 * guest.
 */
#include <string.h>

#include "virtio.h"

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct virtq_used_elem {
    uint32_t id, len;
};

static uint16_t *avail_ring(const struct virtq *q)
{
    return guest_pointer(q->avail, 6 + 2ULL * q->size);
}

/* Follows a chain from its head, checking every descriptor before taking it. */
static int walk_chain(struct virtio_device *d, const struct virtq *q, uint16_t head,
                      struct vchain *c)
{
    const struct virtq_desc *table = guest_pointer(q->desc, 16ULL * q->size);
    uint16_t i = head;
    memset(c, 0, sizeof(*c));
    c->head = head;
    for (unsigned n = 0;; n++) {
        if (i >= q->size) {
            virtio_fail(d, "descriptor index out of range", i);
            return -1;
        }
        if (n == q->size || n == VIRTQ_CHAIN_MAX) {
            virtio_fail(d, "descriptor chain too long or looping", head);
            return -1;
        }
        struct virtq_desc desc;
        memcpy(&desc, &table[i], sizeof(desc));
        if (desc.flags & VIRTQ_DESC_F_INDIRECT) {
            virtio_fail(d, "indirect descriptor, which was not offered", i);
            return -1;
        }
        uint8_t *data = guest_pointer(desc.addr, desc.len);
        if (!data) {
            virtio_fail(d, "descriptor points outside guest RAM", desc.addr);
            return -1;
        }
        bool writable = (desc.flags & VIRTQ_DESC_F_WRITE) != 0;
        if (!writable && c->writable) {
            virtio_fail(d, "device-readable descriptor after a writable one", i);
            return -1;
        }
        c->buf[n] = (struct vbuf){ data, desc.len };
        if (writable)
            c->writable++;
        else
            c->readable++;
        if (!(desc.flags & VIRTQ_DESC_F_NEXT))
            return 1;
        i = desc.next;
    }
}

int virtq_pop(struct virtio_device *d, unsigned queue, struct vchain *c)
{
    struct virtq *q = &d->queues[queue];
    if (d->broken)
        return -1;
    if (!q->ready)
        return 0;
    uint16_t *avail = avail_ring(q);
    uint16_t idx = __atomic_load_n(&avail[1], __ATOMIC_ACQUIRE);
    uint16_t waiting = (uint16_t)(idx - q->last_avail);
    if (waiting == 0)
        return 0;
    if (waiting > q->size) {
        virtio_fail(d, "available index ran ahead of the queue", idx);
        return -1;
    }
    uint16_t head = avail[2 + q->last_avail % q->size];
    int got = walk_chain(d, q, head, c);
    if (got == 1)
        q->last_avail++;
    return got;
}

void virtq_push(struct virtio_device *d, unsigned queue, uint16_t head, uint32_t written)
{
    struct virtq *q = &d->queues[queue];
    if (d->broken || !q->ready)
        return;
    uint8_t *used = guest_pointer(q->used, 6 + 8ULL * q->size);
    struct virtq_used_elem elem = { head, written };
    memcpy(used + 4 + 8 * (q->used_idx % q->size), &elem, sizeof(elem));
    q->used_idx++;
    __atomic_store_n((uint16_t *)(used + 2), q->used_idx, __ATOMIC_RELEASE);
}

uint64_t vchain_readable_bytes(const struct vchain *c)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < c->readable; i++)
        total += c->buf[i].length;
    return total;
}

uint32_t vchain_read(const struct vchain *c, void *out, uint32_t size)
{
    uint32_t done = 0;
    for (unsigned i = 0; i < c->readable && done < size; i++) {
        uint32_t n = c->buf[i].length < size - done ? c->buf[i].length : size - done;
        memcpy((uint8_t *)out + done, c->buf[i].data, n);
        done += n;
    }
    return done;
}

uint32_t vchain_write(const struct vchain *c, const void *in, uint32_t size)
{
    uint32_t done = 0;
    for (unsigned i = c->readable; i < c->readable + c->writable && done < size; i++) {
        uint32_t n = c->buf[i].length < size - done ? c->buf[i].length : size - done;
        memcpy(c->buf[i].data, (const uint8_t *)in + done, n);
        done += n;
    }
    return done;
}
