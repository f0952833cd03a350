/*
 * The VMM's main loop: start the guest, then answer its exits one at a time
 * (each with a single reply), emulating its devices and refusing everything
 * else loudly.
 */
#include <stdio.h>

#include <abi/persona_layout.h>
#include <abi/vcpu.h>
#include <arch/esr.h>

#include "vmm.h"

#define PSCI_SYSTEM_RESET 0x84000009u /* as in psci.c */

const char *persona_name;
static const struct persona_info *info;
static const struct device *devices[8];
static unsigned device_count;
static unsigned long refused;

void vmm_console_write(const char *text, uint64_t length)
{
    printf("%.*s", (int)length, text);
    fflush(stdout);
}

void vmm_inject(unsigned irq)
{
    invoke(info->vcpu_slot, VCPU_INJECT_IRQ, (uint64_t[]){ irq }, 1, NULL, 0, NULL, 0);
}

static const struct device *device_at(uint64_t address)
{
    for (unsigned i = 0; i < device_count; i++)
        if (address >= devices[i]->base && address - devices[i]->base < devices[i]->size)
            return devices[i];
    return NULL;
}

/* Data fault status codes (ESR ISS DFSC) without their level bits. */
#define DFSC_PERMISSION 0x0c

/*
 * An access the guest may not make: outside RAM and every device, or a write
 * to shared memory the manifest gave it read-only. The guest gets zeros (a
 * write is dropped), and the VMM says so.
 */
static void refuse(struct mmio *m, uint32_t esr)
{
    const char *why = (esr & 0x3c) == DFSC_PERMISSION ? "read-only" : "nothing there";
    if (++refused <= 16)
        printf("vmm: persona '%s' %s guest-physical %#lx: %s; refused\n", persona_name,
               m->write ? "wrote to" : "read from", (unsigned long)m->address, why);
    else if (refused % 65536 == 0) /* a scan: counted, not listed */
        printf("vmm: persona '%s': %lu accesses to nothing refused so far (last %#lx)\n",
               persona_name, refused, (unsigned long)m->address);
    m->value = 0;
}

/* Returns the reply label for a data abort. */
static uint64_t data_abort(const uint64_t *mr, uint64_t *reply_value)
{
    uint32_t esr = (uint32_t)mr[2];
    if (!(esr & ESR_DABT_ISV)) {
        printf("vmm: persona '%s' accessed %#lx with an instruction the VMM cannot emulate (ESR %#x); "
               "stopping it\n", persona_name, (unsigned long)mr[1], esr);
        return FAULT_REPLY_SUSPEND;
    }
    struct mmio m = { mr[1], 1u << ESR_DABT_SAS(esr), (esr & ESR_DABT_WNR) != 0, mr[3] };
    const struct device *d = device_at(m.address);
    if (d)
        d->access(&m, m.address - d->base);
    else
        refuse(&m, esr);
    *reply_value = m.value;
    return m.write ? FAULT_REPLY_SKIP : VCPU_REPLY_READ_DONE;
}

/* Returns the reply label; *reply holds the reply's words. */
static uint64_t handle_exit(const uint64_t *mr, uint64_t *reply, unsigned *length)
{
    uint64_t reason = mr[0] & 0xffff;
    bool off = false;
    *length = 1;
    switch (reason) {
    case VCPU_EXIT_DATA_ABORT:
        return data_abort(mr, &reply[0]);
    case VCPU_EXIT_HVC:
    case VCPU_EXIT_SMC:
        reply[0] = psci_call(mr[1], mr[2], mr[3], ipc_buffer()->msg[4], &off);
        if (off) {
            if ((uint32_t)mr[1] == PSCI_SYSTEM_RESET) /* Linux after a panic with panic=N, or reboot */
                printf("vmm: persona '%s' asked for a reset (PSCI SYSTEM_RESET); restarting a guest is "
                       "not supported yet, so it stays off\n", persona_name);
            else
                printf("vmm: persona '%s' powered off\n", persona_name);
            return FAULT_REPLY_SUSPEND;
        }
        return VCPU_REPLY_SET_X0_X3;
    case VCPU_EXIT_INSTRUCTION_ABORT:
        printf("vmm: persona '%s' jumped to guest-physical %#lx where there is no memory (pc %#lx); "
               "stopping it\n", persona_name, (unsigned long)mr[1], (unsigned long)mr[3]);
        return FAULT_REPLY_SUSPEND;
    default:
        printf("vmm: persona '%s' stopped: %s (ESR %#lx, pc %#lx)\n", persona_name,
               esr_class_name((uint32_t)(mr[1] >> 26)), (unsigned long)mr[1], (unsigned long)mr[2]);
        return FAULT_REPLY_SUSPEND;
    }
}

int main(void)
{
    info = &runtime_cell_info->persona;
    persona_name = runtime_cell_info->name;
    if (info->magic != PERSONA_INFO_MAGIC) {
        printf("vmm: no persona to run\n");
        return 1;
    }
    guest_memory_init(info);
    vgic_init(PERSONA_SPI_COUNT);
    uart_init();
    virtio_console_init(runtime_cell_info);
    static const struct device *const always[] = { &vgic_distributor, &vgic_redistributor, &uart_device,
                                                   &virtio_console_device };
    for (unsigned i = 0; i < sizeof(always) / sizeof(always[0]); i++)
        devices[device_count++] = always[i];
    if (virtio_block_init(info))
        devices[device_count++] = &virtio_block_device;
    console_input_init(runtime_cell_info);
    printf("vmm: starting persona '%s': %lu MiB at %#lx, kernel at %#lx\n", persona_name,
           (unsigned long)(info->ram_size >> 20), (unsigned long)info->ram_base,
           (unsigned long)info->kernel_entry);
    if (tcb_resume(info->guest_tcb_slot)) {
        printf("vmm: cannot start the guest\n");
        return 1;
    }
    uint64_t mr[4];
    struct sys_result r = sys_recv(info->exit_endpoint_slot, mr, info->exit_reply_slot);
    for (;;) {
        if (!r.error && r.detail == RECV_FROM_NOTIFICATION) {
            console_input_notified(r.badge);
            r = sys_recv(info->exit_endpoint_slot, mr, info->exit_reply_slot);
            continue;
        }
        uint64_t reply[4] = { 0 };
        unsigned length = 0;
        uint64_t label = FAULT_REPLY_SUSPEND;
        if (!r.error && msginfo_label(r.info) == FAULT_VCPU)
            label = handle_exit(mr, reply, &length);
        if (label == FAULT_REPLY_SUSPEND) {
            sys_reply(info->exit_reply_slot, msginfo_new(label, 0, 0, 0), reply);
            printf("vmm: persona '%s' is stopped\n", persona_name);
            r = sys_recv(info->exit_endpoint_slot, mr, info->exit_reply_slot);
            continue;
        }
        for (unsigned i = 0; i < 4; i++)
            mr[i] = reply[i];
        r = sys_reply_recv(info->exit_endpoint_slot, msginfo_new(label, 0, 0, length), mr,
                           info->exit_reply_slot);
    }
}
