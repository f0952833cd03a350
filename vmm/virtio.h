/*
 * virtio-mmio devices (virtio 1.x, split virtqueues) as the VMM emulates
 * them. Everything the guest puts in a ring is copied out once and checked
 * before use: a descriptor that points outside guest RAM, a chain that
 * loops, or an index out of range stops the device (DEVICE_NEEDS_RESET) and
 * is reported; it never reaches memory the guest does not own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "vmm.h"

#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VIRTQ_MAX_SIZE 64
#define VIRTQ_CHAIN_MAX 16

struct virtq {
    uint16_t size;
    bool ready;
    uint64_t desc, avail, used; /* guest-physical */
    uint16_t last_avail, used_idx;
};

/* One buffer of a chain, already checked to lie in guest RAM. */
struct vbuf {
    uint8_t *data;
    uint32_t length;
};

/* A descriptor chain: the device-readable buffers, then the device-writable ones. */
struct vchain {
    uint16_t head;
    unsigned readable, writable;
    struct vbuf buf[VIRTQ_CHAIN_MAX];
};

struct virtio_device;

struct virtio_ops {
    void (*reset)(struct virtio_device *d);
    void (*notify)(struct virtio_device *d, unsigned queue);
    uint64_t (*config_read)(struct virtio_device *d, uint64_t offset, unsigned size);
    void (*config_write)(struct virtio_device *d, uint64_t offset, unsigned size, uint64_t value);
};

struct virtio_device {
    const char *name;
    uint32_t device_id;
    uint64_t features;
    unsigned irq;
    unsigned queue_count;
    struct virtq *queues;
    const struct virtio_ops *ops;
    /* the transport's registers */
    uint64_t driver_features;
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint32_t status, interrupt_status, config_generation;
    bool broken;
};

void virtio_mmio_access(struct virtio_device *d, struct mmio *m, uint64_t offset);

/* 1: *c is the next chain; 0: the queue is empty (or not ready); -1: the device is broken. */
int virtq_pop(struct virtio_device *d, unsigned queue, struct vchain *c);
/* Returns a chain to the guest, with how many bytes the device wrote into it. */
void virtq_push(struct virtio_device *d, unsigned queue, uint16_t head, uint32_t written);
/* Tells the guest its used rings have moved. */
void virtio_interrupt(struct virtio_device *d);
/* The guest broke the rules: the device stops until it resets it, and the VMM says why. */
void virtio_fail(struct virtio_device *d, const char *what, uint64_t detail);

/* Copies out of / into a chain's readable / writable buffers; return the bytes moved. */
uint32_t vchain_read(const struct vchain *c, void *out, uint32_t size);
uint32_t vchain_write(const struct vchain *c, const void *in, uint32_t size);
uint64_t vchain_readable_bytes(const struct vchain *c);
