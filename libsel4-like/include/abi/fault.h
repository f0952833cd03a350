/*
 * Fault messages. A faulting thread is blocked and its fault handler (the
 * endpoint named by TCB_CONFIGURE's fault_ep, looked up in the faulting
 * thread's CSpace) receives a Call whose label is the fault kind:
 *
 *   FAULT_VM:              MR0 pc, MR1 address, MR2 is_instruction, MR3 ESR
 *   FAULT_USER_EXCEPTION:  MR0 pc, MR1 sp, MR2 ESR, MR3 exception class
 *   FAULT_UNKNOWN_SYSCALL: MR0 pc, MR1 sp, MR2 number (x7 for svc #1, x8 otherwise),
 *                          MR3 ESR (the svc immediate is its low 16 bits), MR4-MR11 x0-x7
 *   FAULT_VCPU:            see docs/abi.md (hypervisor)
 *
 * A fault's pc is the faulting instruction's address; for an unknown system
 * call it is the address after the svc, so FAULT_REPLY_RESUME goes on there.
 *
 * The handler's reply label decides what happens next.
 */
#pragma once

#define FAULT_NONE 0
#define FAULT_VM 1
#define FAULT_USER_EXCEPTION 2
#define FAULT_UNKNOWN_SYSCALL 3
#define FAULT_VCPU 4 /* abi/vcpu.h */

#define FAULT_VM_LENGTH 4
#define FAULT_USER_EXCEPTION_LENGTH 4
#define FAULT_UNKNOWN_SYSCALL_LENGTH 12

/* Reply labels. */
#define FAULT_REPLY_RESUME 0        /* retry the faulting instruction */
#define FAULT_REPLY_SET_REGISTERS 1 /* MR0 pc, MR1 sp, then x0.. in order; then resume */
#define FAULT_REPLY_SKIP 2          /* resume after the faulting instruction */
#define FAULT_REPLY_SUSPEND 3       /* leave the thread suspended */
