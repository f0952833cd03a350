/*
 * Supervision: every cell's faults (and exits) arrive at the initializer's
 * endpoint, badged with the cell's index + 1. Each gets a one-line report;
 * then the cell's restart policy decides whether it is rebuilt. A persona's
 * VMM exits with a VMM_EXIT_* status when its guest stops; a reset or a
 * crash (or a fault of the VMM itself) goes to the persona's restart policy,
 * a power-off never does.
 */
#include <stdio.h>

#include <arch/esr.h>

#include "initializer.h"

static void report_vm_fault(const char *name, const uint64_t *mr)
{
    uint32_t esr = (uint32_t)mr[3], fsc = ESR_ABT_FSC(esr);
    printf("supervisor: cell '%s': %s at %#lx (pc %#lx): %s", name,
           mr[2] ? "instruction fetch fault" : "data access fault", (unsigned long)mr[1],
           (unsigned long)mr[0], esr_fault_status_name(fsc));
    if (ESR_FSC_HAS_LEVEL(fsc))
        printf(", level %u", ESR_FSC_LEVEL(fsc));
    if (!mr[2])
        printf(", %s", (esr & ESR_DABT_WNR) ? "write" : "read");
    printf("\n");
}

static void report(const struct cell *c, uint64_t label, const uint64_t *mr)
{
    switch (label) {
    case FAULT_VM:
        report_vm_fault(c->name, mr);
        break;
    case FAULT_USER_EXCEPTION:
        printf("supervisor: cell '%s': %s (pc %#lx, sp %#lx, ESR %#lx)\n", c->name,
               esr_class_name((uint32_t)mr[3]), (unsigned long)mr[0], (unsigned long)mr[1],
               (unsigned long)mr[2]);
        break;
    case FAULT_UNKNOWN_SYSCALL:
        printf("supervisor: cell '%s': unknown system call %lu (svc #%lu at pc %#lx)\n", c->name,
               (unsigned long)mr[2], (unsigned long)(mr[3] & 0xffff), (unsigned long)mr[0]);
        break;
    case CELL_EXIT_LABEL:
        printf("supervisor: cell '%s' exited with status %ld\n", c->name, (long)mr[0]);
        break;
    default:
        printf("supervisor: cell '%s' sent an unexpected message (label %lu)\n", c->name,
               (unsigned long)label);
        break;
    }
}

static bool may_restart(const struct cell *c)
{
    switch (c->desc.restart) {
    case BOOTSPEC_RESTART_ALWAYS:
        return true;
    case BOOTSPEC_RESTART_LIMITED:
        return c->restarts < c->desc.restart_limit;
    default:
        return false;
    }
}

/* Why a limited or never-restarted cell or persona stays stopped. */
static const char *why_stopped(const struct cell *c, char *buf, size_t size)
{
    if (c->desc.restart == BOOTSPEC_RESTART_NEVER)
        return "restart = \"never\"";
    snprintf(buf, size, "%u restart%s, the limit", c->restarts, c->restarts == 1 ? "" : "s");
    return buf;
}

static void handle_persona(const struct spec *spec, struct cell *c, uint64_t label,
                           const uint64_t *mr, const struct boot_info *bi)
{
    uint64_t status = label == CELL_EXIT_LABEL ? mr[0] : 0;
    if (label == CELL_EXIT_LABEL && status == VMM_EXIT_GUEST_OFF) {
        persona_stop(c);
        printf("supervisor: persona '%s' powered off by its guest; it stays off\n", c->name);
        return;
    }
    const char *what = "reset by its guest";
    if (label != CELL_EXIT_LABEL || status != VMM_EXIT_GUEST_RESET) {
        c->faults++;
        what = "crashed";
        if (label != CELL_EXIT_LABEL || status != VMM_EXIT_GUEST_CRASHED) {
            report(c, label, mr); /* its VMM failed, not its guest */
            what = "lost its VMM";
        }
    }
    char why[40];
    if (!may_restart(c)) {
        persona_stop(c);
        printf("supervisor: persona '%s' %s; it stays stopped (%s)\n", c->name, what,
               why_stopped(c, why, sizeof(why)));
        return;
    }
    c->restarts++;
    if (c->desc.restart == BOOTSPEC_RESTART_LIMITED)
        snprintf(why, sizeof(why), " of %u", c->desc.restart_limit);
    else
        why[0] = '\0';
    printf("supervisor: persona '%s' %s; restarting it (restart %u%s)\n", c->name, what,
           c->restarts, why);
    if (!persona_restart(spec, c, bi)) {
        c->stopped = true;
        printf("supervisor: persona '%s' cannot be built again; it stays stopped\n", c->name);
    }
}

static void handle(const struct spec *spec, struct cell *c, uint64_t label, const uint64_t *mr,
                   const struct boot_info *bi)
{
    if (c->persona) {
        handle_persona(spec, c, label, mr, bi);
        return;
    }
    if (label != CELL_EXIT_LABEL)
        c->faults++;
    bool unmet = label == CELL_EXIT_LABEL && mr[0] == CELL_EXIT_UNMET_NEEDS;
    if (unmet)
        printf("supervisor: cell '%s' lacks an end or map its program needs (it said which); "
               "the manifest must give it, a restart cannot\n",
               c->name);
    else
        report(c, label, mr);
    if (unmet || !may_restart(c)) {
        tcb_suspend(slot_cptr(c->tcb));
        c->stopped = true;
        printf("supervisor: cell '%s' stays stopped (%u faults, %u restarts)\n", c->name, c->faults,
               c->restarts);
        return;
    }
    c->restarts++;
    printf("supervisor: restarting cell '%s' (restart %u)\n", c->name, c->restarts);
    cell_destroy(c);
    if (cell_build(spec, c, bi))
        cell_start(c);
}

void supervise(const struct spec *spec, struct cell *cells, uint32_t count,
               const struct boot_info *bi)
{
    uint64_t mr[4];
    for (;;) {
        struct sys_result r = sys_recv(supervisor_endpoint(), mr, supervisor_reply());
        if (r.error || r.badge == 0 || r.badge > count) {
            printf("supervisor: message with unknown badge %lu ignored\n", (unsigned long)r.badge);
            continue;
        }
        handle(spec, &cells[r.badge - 1], msginfo_label(r.info), mr, bi);
    }
}
