/*
 * A Linux persona's guest-physical address space, as its device tree (made
 * by tools/cella-manifest), the initializer and its VMM all see it. The
 * manifest tool mirrors these numbers in tools/cellatools/layout.py.
 */
#pragma once

#define PERSONA_RAM_BASE 0x40000000UL
#define PERSONA_DTB_OFFSET 0x0UL          /* the device tree, at the bottom of RAM */
#define PERSONA_KERNEL_OFFSET 0x200000UL  /* the Image: 2 MiB aligned, text_offset 0 */
#define PERSONA_INITRD_OFFSET 0x4000000UL /* the initramfs, 64 MiB up */
#define PERSONA_DTB_MAX 0x10000UL

#define PERSONA_GICD_BASE 0x08000000UL
#define PERSONA_GICD_SIZE 0x10000UL
#define PERSONA_GICR_BASE 0x080a0000UL
#define PERSONA_MAX_VCPUS 8
#define PERSONA_GICR_STRIDE 0x20000UL /* a redistributor per virtual CPU: RD and SGI frames */
#define PERSONA_GICR_SIZE 0x100000UL  /* PERSONA_MAX_VCPUS of them */
#define PERSONA_UART_BASE 0x09000000UL
#define PERSONA_UART_SIZE 0x1000UL
#define PERSONA_UART_SPI 1               /* GIC interrupt 33 */
#define PERSONA_VIRTIO_BASE 0x0a000000UL /* virtio-mmio devices, one every PERSONA_VIRTIO_SIZE */
#define PERSONA_VIRTIO_SIZE 0x200UL
#define PERSONA_VIRTIO_SPI 16     /* the first one's: GIC interrupt 48, then 49, ... */
#define PERSONA_VIRTIO_CONSOLE 0  /* the channel device */
#define PERSONA_VIRTIO_BLOCK 1    /* the disk, when the persona has one */
#define PERSONA_VIRTIO_KEYBOARD 2 /* its keys, when the persona has a keyboard (virtio-input) */
#define PERSONA_VIRTIO_COUNT 3
#define PERSONA_SPI_COUNT 64

/* Its screen (the manifest's display key): a region the guest writes, the display cell reads. */
#define PERSONA_FB_BASE 0x10000000UL
#define PERSONA_FB_MAX 0x4000000UL /* 64 MiB: up to 4096 x 4096 pixels of 4 bytes */

/* Where a VMM sees its guest's RAM, and its disk. */
#define PERSONA_RAM_VMM_VADDR 0x4000000000UL
#define PERSONA_DISK_VMM_VADDR 0x6000000000UL
