/*
 * steal: a hostile program in the work persona, run as root, that tries to
 * read what the wallet cell protects. It must fail; the system tests check
 * that it does and that the VMM reports it (docs/secure-wallet-demo.md).
 *
 *   steal memory   /dev/mem at every 4 KiB page of the machine's RAM above
 *                  the guest's, and at the flash bank that holds the sealed
 *                  wallet key: guest-physical addresses with nothing behind
 *                  them, so each read traps to the VMM, which refuses it.
 *   steal virtio   takes the channel device from its driver and programs it
 *                  by hand: a ring placed outside guest RAM, a descriptor
 *                  pointing at the sealed key's flash, one running past the
 *                  end of guest RAM. The VMM must refuse each (the device
 *                  reports DEVICE_NEEDS_RESET) and copy nothing. The driver
 *                  gets the device back afterwards.
 *
 * Each attack ends with a line "steal: <attack>: nothing leaked" or
 * "steal: <attack>: LEAKED ..." and the exit status says the same (0: no leak).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "channels.h"

#define PAGE 4096UL
#define CHUNK (2UL << 20)
#define GUEST_RAM_BASE 0x40000000UL  /* abi/persona_layout.h */
#define MACHINE_RAM_END 0x80000000UL /* QEMU virt with 1 GiB, as the platform has it */
#define SECURE_FLASH 0x04000000UL    /* pflash unit 1: the sealed key's partition */
#define CHANNEL_DEVICE 0x0a000000UL
#define CHANNEL_DEVICE_NAME "a000000.virtio_mmio"
#define MMIO_DRIVER "/sys/bus/platform/drivers/virtio-mmio/"

/* The end of my RAM, as the device tree the VMM gave me says (two cells of address, two of size).
 */
static uint64_t guest_ram_end(void)
{
    uint8_t reg[16];
    int fd = open("/proc/device-tree/memory@40000000/reg", O_RDONLY);
    int ok = fd >= 0 && read(fd, reg, sizeof(reg)) == (ssize_t)sizeof(reg);
    if (fd >= 0)
        close(fd);
    if (!ok)
        return GUEST_RAM_BASE + (256UL << 20);
    uint64_t base = 0, size = 0;
    for (int i = 0; i < 8; i++) {
        base = base << 8 | reg[i];
        size = size << 8 | reg[8 + i];
    }
    return base + size;
}

/* Reads one word of each page in [start, end) through /dev/mem; counts what came back. */
static void scan(int fd, uint64_t start, uint64_t end, uint64_t *pages, uint64_t *nonzero,
                 uint64_t *denied)
{
    for (uint64_t chunk = start; chunk < end; chunk += CHUNK) {
        uint64_t size = end - chunk < CHUNK ? end - chunk : CHUNK;
        volatile uint32_t *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)chunk);
        if (p == MAP_FAILED) {
            *denied += size / PAGE;
            continue;
        }
        for (uint64_t off = 0; off < size; off += PAGE) {
            (*pages)++;
            if (p[off / 4] != 0)
                (*nonzero)++;
        }
        munmap((void *)p, size);
    }
}

static int steal_memory(void)
{
    int fd = open("/dev/mem", O_RDONLY | O_SYNC);
    if (fd < 0) {
        printf("steal: memory: cannot open /dev/mem: %s\n", strerror(errno));
        return 2;
    }
    uint64_t above = guest_ram_end(), pages = 0, nonzero = 0, denied = 0;
    printf("steal: memory: reading /dev/mem at %#" PRIx64 "-%#lx (machine RAM above mine) and the "
           "sealed key's flash at %#lx\n",
           above, MACHINE_RAM_END, SECURE_FLASH);
    scan(fd, SECURE_FLASH, SECURE_FLASH + (256UL << 10), &pages, &nonzero, &denied);
    scan(fd, above, MACHINE_RAM_END, &pages, &nonzero, &denied);
    close(fd);
    printf("steal: memory: %" PRIu64 " pages read, %" PRIu64 " with data, %" PRIu64
           " refused by Linux\n",
           pages, nonzero, denied);
    if (nonzero) {
        printf("steal: memory: LEAKED data from %" PRIu64 " pages outside my RAM\n", nonzero);
        return 1;
    }
    printf("steal: memory: nothing leaked\n");
    return 0;
}

/* ---- virtio ---------------------------------------------------------------------------- */

#define R_MAGIC 0x000
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0
#define S_ACKNOWLEDGE 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 64u
#define QUEUE_SIZE 8
#define PORT0_TRANSMIT 1

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static volatile uint32_t *regs;

static void reg_write(unsigned offset, uint32_t value)
{
    regs[offset / 4] = value;
}

static uint32_t reg_read(unsigned offset)
{
    return regs[offset / 4];
}

static void reg_write64(unsigned offset, uint64_t value)
{
    reg_write(offset, (uint32_t)value);
    reg_write(offset + 4, (uint32_t)(value >> 32));
}

static int sysfs_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    int ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok ? 0 : -1;
}

/* The guest-physical address of a locked page of ours, from /proc/self/pagemap. */
static uint64_t physical(void *page)
{
    uint64_t entry = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0)
        return 0;
    off_t at = (off_t)((uintptr_t)page / PAGE * 8);
    if (pread(fd, &entry, sizeof(entry), at) != sizeof(entry))
        entry = 0;
    close(fd);
    if (!(entry >> 63))
        return 0;
    return (entry & ((1ULL << 55) - 1)) * PAGE;
}

/* Resets the device and negotiates only what every virtio 1 device offers. */
static void negotiate(void)
{
    reg_write(R_STATUS, 0);
    reg_write(R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
    reg_write(R_DRIVER_FEATURES_SEL, 1);
    reg_write(R_DRIVER_FEATURES, 1); /* VIRTIO_F_VERSION_1 */
    reg_write(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
}

/* Queue PORT0_TRANSMIT with its rings at desc, avail and used; returns whether the device took it.
 */
static int set_queue(uint64_t desc, uint64_t avail, uint64_t used)
{
    reg_write(R_QUEUE_SEL, PORT0_TRANSMIT);
    reg_write(R_QUEUE_NUM, QUEUE_SIZE);
    reg_write64(R_QUEUE_DESC, desc);
    reg_write64(R_QUEUE_DRIVER, avail);
    reg_write64(R_QUEUE_DEVICE, used);
    reg_write(R_QUEUE_READY, 1);
    return reg_read(R_QUEUE_READY) == 1;
}

/* Offers one device-readable buffer [addr, addr + len) on the transmit queue and kicks it. */
static int offer_buffer(uint8_t *page, uint64_t page_pa, uint64_t addr, uint32_t len)
{
    struct desc *table = (struct desc *)page;
    volatile uint16_t *avail = (volatile uint16_t *)(page + 1024);
    volatile uint16_t *used = (volatile uint16_t *)(page + 2048);
    memset(page, 0, PAGE);
    table[0] = (struct desc){ addr, len, 0, 0 };
    avail[2] = 0; /* ring[0]: descriptor 0 */
    avail[1] = 1; /* idx */
    negotiate();
    if (!set_queue(page_pa, page_pa + 1024, page_pa + 2048))
        return -1;
    reg_write(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    __sync_synchronize();
    reg_write(R_QUEUE_NOTIFY, PORT0_TRANSMIT);
    return used[1]; /* how many buffers the device consumed */
}

static int refused(const char *what, int consumed)
{
    uint32_t status = reg_read(R_STATUS);
    int ok = consumed <= 0 && (status & S_NEEDS_RESET);
    printf("steal: virtio: %s: %s (device status %#x, buffers consumed %d)\n", what,
           ok ? "refused" : "ACCEPTED", status, consumed < 0 ? 0 : consumed);
    return ok ? 0 : 1;
}

static int steal_virtio(void)
{
    if (sysfs_write(MMIO_DRIVER "unbind", CHANNEL_DEVICE_NAME) != 0) {
        printf("steal: virtio: cannot take the channel device from its driver: %s\n",
               strerror(errno));
        return 2;
    }
    int fd = open("/dev/mem", O_RDWR | O_SYNC);
    uint8_t *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *map =
        fd < 0 ? MAP_FAILED
               : mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)CHANNEL_DEVICE);
    if (map == MAP_FAILED || page == MAP_FAILED || mlock(page, PAGE) != 0) {
        printf("steal: virtio: cannot map the device or a page: %s\n", strerror(errno));
        return 2;
    }
    regs = map;
    memset(page, 0, PAGE);
    uint64_t page_pa = physical(page);
    printf("steal: virtio: device magic %#x; my ring page at guest-physical %#" PRIx64 "\n",
           reg_read(R_MAGIC), page_pa);
    int failures = 0;
    negotiate();
    failures += refused("a ring in the sealed key's flash",
                        set_queue(SECURE_FLASH, page_pa + 1024, page_pa + 2048) ? 1 : -1);
    failures += refused("a descriptor at the sealed key's flash",
                        offer_buffer(page, page_pa, SECURE_FLASH, 256));
    failures += refused("a descriptor running past the end of my RAM",
                        offer_buffer(page, page_pa, guest_ram_end() - 64, 4096));
    reg_write(R_STATUS, 0);
    munmap(map, PAGE);
    close(fd);
    char ports[512];
    if (sysfs_write(MMIO_DRIVER "bind", CHANNEL_DEVICE_NAME) != 0)
        printf("steal: virtio: cannot give the device back to its driver: %s\n", strerror(errno));
    link_channels(ports, sizeof(ports)); /* its ports come back (renumbered) before anyone pays */
    printf("steal: virtio: device back with its driver; %s\n", ports);
    printf(failures ? "steal: virtio: LEAKED: the device accepted a buffer outside my RAM\n"
                    : "steal: virtio: nothing leaked\n");
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(what, "memory") == 0)
        return steal_memory();
    if (strcmp(what, "virtio") == 0)
        return steal_virtio();
    if (strcmp(what, "all") == 0)
        return steal_memory() | steal_virtio();
    fprintf(stderr, "usage: steal [memory|virtio|all]\n");
    return 64;
}
