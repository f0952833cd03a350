/*
 * The virtual machine monitor: one per persona, a cell of its own. The
 * guest runs as a VCPU thread whose exits arrive here as messages; this
 * server emulates the guest's devices (GIC distributor and redistributor,
 * a PL011 UART, virtio-mmio console with channel ports, PSCI) and answers
 * each exit in one reply.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <abi/cell_info.h>
#include <cell.h>

/* Guest memory as the VMM sees it: checked, so a guest cannot point the VMM elsewhere. */
void guest_memory_init(const struct persona_info *info);
void *guest_pointer(uint64_t ipa, uint64_t size); /* NULL unless [ipa, ipa + size) is guest RAM */

/* An MMIO access by the guest, decoded from its exit. */
struct mmio {
    uint64_t address; /* guest-physical */
    unsigned size;    /* bytes: 1, 2, 4 or 8 */
    bool write;
    uint64_t value; /* for writes: what the guest stored; for reads: what it will load */
};

/* A device model: claims a range and handles accesses in it. */
struct device {
    const char *name;
    uint64_t base, size;
    void (*access)(struct mmio *m, uint64_t offset);
};

void vgic_init(unsigned spi_count, unsigned cpus);
extern const struct device vgic_distributor, vgic_redistributor;
/* A device raises (level true) or drops its interrupt line (an SPI). */
void vgic_set_level(unsigned irq, bool level);
/* A software-generated interrupt for one CPU, if it has it enabled. */
void vgic_send_sgi(unsigned cpu, unsigned sgi);

void uart_init(void);
extern const struct device uart_device;
void uart_input(const char *text, uint64_t length);

/* The disk, when the manifest gives the persona one: returns whether it does. */
bool virtio_block_init(const struct persona_info *info);
extern const struct device virtio_block_device;

/* The keyboard, when the manifest gives the persona one: returns whether it does. */
bool virtio_keyboard_init(const struct cell_info *info);
void virtio_keyboard_notified(uint64_t bits);
bool virtio_keyboard_channel(const struct cell_info_end *end); /* its channel is no port */
extern const struct device virtio_keyboard_device;

/* Keystrokes from the console server, when the manifest routes them to this persona. */
void console_input_init(const struct cell_info *info);
void console_input_notified(uint64_t bits);

/* The virtio console: port 0 a console (hvc0), then one port per call channel. */
void virtio_console_init(const struct cell_info *info);
void virtio_console_input(const char *text, uint64_t length);
extern const struct device virtio_console_device;

/* PSCI calls from the guest (args: x0-x3): returns x0's answer, and what becomes of the caller. */
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON (-4)
#define PSCI_INTERNAL_FAILURE (-6)
#define PSCI_INVALID_ADDRESS (-9)
enum psci_outcome { PSCI_RETURN, PSCI_OFF_CPU, PSCI_OFF_SYSTEM, PSCI_RESET_SYSTEM };
uint64_t psci_call(const uint64_t args[4], enum psci_outcome *outcome);

/* The guest's virtual CPUs (vcpus.c). */
void vcpus_init(const struct persona_info *persona);
unsigned vcpu_count(void);
bool vcpu_is_on(unsigned cpu);
int vcpu_boot(void);
int64_t vcpu_power_on(unsigned cpu, uint64_t entry, uint64_t context); /* a PSCI status */
void vcpu_powered_off(unsigned cpu);
void vcpus_stop_others(unsigned except);
uint64_t vcpu_general_register(unsigned cpu, unsigned reg); /* x0-x30; reg 31 reads 0 */

/* A trapped system register access (ESR): the reply label, FAULT_REPLY_SUSPEND if not emulated. */
uint64_t sysreg_trap(unsigned cpu, uint32_t esr, uint64_t *read_value);

/*
 * Output lines go to the console, prefixed with the persona's name. Typed
 * input goes back to whichever of the guest's consoles (its UART or its
 * virtio console) wrote last: the one its kernel and shell use.
 */
enum guest_console { GUEST_CONSOLE_UART, GUEST_CONSOLE_VIRTIO };
void vmm_console_write(enum guest_console from, const char *text, uint64_t length);
enum guest_console vmm_console_in_use(void);
void vmm_inject(unsigned cpu, unsigned irq);
extern const char *persona_name;
