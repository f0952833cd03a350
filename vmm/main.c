/*
 * The VMM's main loop: start the guest, then answer its exits one at a time
 * (each with a single reply), emulating its devices and refusing everything
 * else loudly. When the guest stops (a power-off, a reset, or something the
 * VMM cannot answer), the VMM exits and the supervisor decides the rest.
 */
#include <stdio.h>

#include <abi/persona_layout.h>
#include <abi/vcpu.h>
#include <arch/esr.h>

#include "vmm.h"

/* What becomes of the guest once an exit is answered. */
enum after { GO_ON, CPU_OFF, GUEST_CRASHED, GUEST_RESET, GUEST_OFF };

struct answer {
    uint64_t label;
    uint64_t reply[4];
    unsigned length;
    enum after after;
};

const char *persona_name;
static const struct persona_info *info;
static const struct device *devices[8];
static unsigned device_count;
static unsigned long refused;

static enum guest_console console_in_use = GUEST_CONSOLE_UART;

void vmm_console_write(enum guest_console from, const char *text, uint64_t length)
{
    console_in_use = from;
    printf("%.*s", (int)length, text);
    fflush(stdout);
}

enum guest_console vmm_console_in_use(void)
{
    return console_in_use;
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
        printf(
            "vmm: persona '%s' accessed %#lx with an instruction the VMM cannot emulate (ESR %#x); "
            "stopping it\n",
            persona_name, (unsigned long)mr[1], esr);
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

/* The guest did something the VMM cannot answer: it stops, as a crash. */
static void stop(struct answer *a)
{
    a->label = FAULT_REPLY_SUSPEND;
    a->after = GUEST_CRASHED;
}

static void hypercall(const uint64_t *mr, struct answer *a)
{
    enum psci_outcome outcome;
    uint64_t args[4] = { mr[1], mr[2], mr[3], ipc_buffer()->msg[4] };
    a->reply[0] = psci_call(args, &outcome);
    a->label = VCPU_REPLY_SET_X0_X3;
    if (outcome == PSCI_OFF_CPU) {
        a->label = FAULT_REPLY_SUSPEND;
        a->after = CPU_OFF;
    } else if (outcome == PSCI_RESET_SYSTEM) { /* Linux after a panic with panic=N, or reboot */
        printf("vmm: persona '%s' asked for a reset (PSCI SYSTEM_RESET)\n", persona_name);
        a->label = FAULT_REPLY_SUSPEND;
        a->after = GUEST_RESET;
    } else if (outcome == PSCI_OFF_SYSTEM) {
        printf("vmm: persona '%s' powered off\n", persona_name);
        a->label = FAULT_REPLY_SUSPEND;
        a->after = GUEST_OFF;
    }
}

static void system_register(unsigned cpu, const uint64_t *mr, struct answer *a)
{
    a->label = sysreg_trap(cpu, (uint32_t)mr[1], &a->reply[0]);
    if (a->label == FAULT_REPLY_SUSPEND) {
        printf(
            "vmm: persona '%s' CPU %u used a system register the VMM does not emulate (ESR %#lx, "
            "pc %#lx); stopping it\n",
            persona_name, cpu, (unsigned long)mr[1], (unsigned long)mr[2]);
        stop(a);
    }
}

static void handle_exit(unsigned cpu, const uint64_t *mr, struct answer *a)
{
    *a = (struct answer){ .length = 1, .after = GO_ON };
    switch (mr[0] & 0xffff) {
    case VCPU_EXIT_DATA_ABORT:
        a->label = data_abort(mr, &a->reply[0]);
        if (a->label == FAULT_REPLY_SUSPEND)
            stop(a);
        return;
    case VCPU_EXIT_HVC:
    case VCPU_EXIT_SMC:
        hypercall(mr, a);
        return;
    case VCPU_EXIT_SYSTEM_REGISTER:
        system_register(cpu, mr, a);
        return;
    case VCPU_EXIT_INSTRUCTION_ABORT:
        printf(
            "vmm: persona '%s' jumped to guest-physical %#lx where there is no memory (pc %#lx); "
            "stopping it\n",
            persona_name, (unsigned long)mr[1], (unsigned long)mr[3]);
        stop(a);
        return;
    default:
        printf("vmm: persona '%s' stopped: %s (ESR %#lx, pc %#lx)\n", persona_name,
               esr_class_name((uint32_t)(mr[1] >> 26)), (unsigned long)mr[1], (unsigned long)mr[2]);
        stop(a);
        return;
    }
}

/*
 * The guest has stopped: the supervisor decides what becomes of the persona
 * (its restart policy) and of this VMM, which waits to be suspended or
 * destroyed. The status says why (abi/cell_info.h).
 */
static _Noreturn void guest_stopped(enum after why)
{
    uint64_t mr[4] = { why == GUEST_OFF     ? VMM_EXIT_GUEST_OFF
                       : why == GUEST_RESET ? VMM_EXIT_GUEST_RESET
                                            : VMM_EXIT_GUEST_CRASHED };
    fflush(stdout);
    runtime_console_flush();
    sys_send(runtime_cell_info->supervisor_slot, msginfo_new(CELL_EXIT_LABEL, 0, 0, 1), mr);
    for (;;)
        sys_yield();
}

/* Answers an exit from a CPU and waits for the next message. */
static struct sys_result answer_exit(unsigned cpu, uint64_t *mr)
{
    struct answer a = { .label = FAULT_REPLY_SUSPEND, .after = GUEST_CRASHED };
    if (cpu < vcpu_count())
        handle_exit(cpu, mr, &a);
    if (a.after == GO_ON) {
        for (unsigned i = 0; i < 4; i++)
            mr[i] = a.reply[i];
        return sys_reply_recv(info->exit_endpoint_slot, msginfo_new(a.label, 0, 0, a.length), mr,
                              info->exit_reply_slot);
    }
    sys_reply(info->exit_reply_slot, msginfo_new(FAULT_REPLY_SUSPEND, 0, 0, 0), a.reply);
    if (a.after != CPU_OFF) {
        vcpus_stop_others(cpu);
        printf("vmm: persona '%s' is stopped\n", persona_name);
        guest_stopped(a.after);
    }
    vcpu_powered_off(cpu);
    return sys_recv(info->exit_endpoint_slot, mr, info->exit_reply_slot);
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
    vcpus_init(info);
    vgic_init(PERSONA_SPI_COUNT, info->vcpus);
    uart_init();
    bool keyboard = virtio_keyboard_init(runtime_cell_info);
    virtio_console_init(runtime_cell_info);
    static const struct device *const always[] = { &vgic_distributor, &vgic_redistributor,
                                                   &uart_device, &virtio_console_device };
    for (unsigned i = 0; i < sizeof(always) / sizeof(always[0]); i++)
        devices[device_count++] = always[i];
    if (virtio_block_init(info))
        devices[device_count++] = &virtio_block_device;
    if (keyboard)
        devices[device_count++] = &virtio_keyboard_device;
    console_input_init(runtime_cell_info);
    printf("vmm: starting persona '%s': %lu MiB at %#lx, kernel at %#lx", persona_name,
           (unsigned long)(info->ram_size >> 20), (unsigned long)info->ram_base,
           (unsigned long)info->kernel_entry);
    if (runtime_cell_info->restarts)
        printf(" (restart %u)", runtime_cell_info->restarts);
    printf("\n");
    if (vcpu_boot()) {
        printf("vmm: cannot start the guest\n");
        return 1;
    }
    uint64_t mr[4];
    struct sys_result r = sys_recv(info->exit_endpoint_slot, mr, info->exit_reply_slot);
    for (;;) {
        if (!r.error && r.detail == RECV_FROM_NOTIFICATION) {
            console_input_notified(r.badge);
            virtio_keyboard_notified(r.badge);
            r = sys_recv(info->exit_endpoint_slot, mr, info->exit_reply_slot);
        } else if (r.error) {
            r = sys_recv(info->exit_endpoint_slot, mr, info->exit_reply_slot);
        } else if (msginfo_label(r.info) != FAULT_VCPU) { /* a fault no VCPU exit explains */
            printf("vmm: persona '%s' CPU %lu: fault %lu, not a guest exit; stopping it\n",
                   persona_name, (unsigned long)r.badge - 1, (unsigned long)msginfo_label(r.info));
            r = answer_exit(PERSONA_MAX_VCPUS, mr);
        } else {
            r = answer_exit((unsigned)r.badge - 1, mr); /* the badge is 1 + the CPU's number */
        }
    }
}
