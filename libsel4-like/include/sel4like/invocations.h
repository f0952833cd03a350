/*
 * Typed wrappers for every kernel-object invocation (abi/invocation.h).
 * Each returns the kernel's error code: ERR_NONE (0) on success. Slots are
 * named as in seL4: a root CNode capability, an index under it and a depth.
 */
#pragma once

#include <stdbool.h>

#include <sel4like/syscalls.h>

/* The generic form: label, arguments (the first four travel in registers), extra caps, results. */
struct sys_result invoke(cptr_t object, uint64_t label, const uint64_t *args, unsigned nargs,
                         const cptr_t *caps, unsigned ncaps, uint64_t *results, unsigned nresults);

/* Untyped */
int untyped_retype(cptr_t untyped, unsigned type, unsigned size_bits, cptr_t root,
                   uint64_t node_index, unsigned node_depth, uint64_t node_offset, unsigned count);

/* CNode */
int cnode_revoke(cptr_t root, uint64_t index, unsigned depth);
int cnode_delete(cptr_t root, uint64_t index, unsigned depth);
int cnode_copy(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
               unsigned src_depth, unsigned rights);
int cnode_mint(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
               unsigned src_depth, unsigned rights, uint64_t badge);
int cnode_move(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
               unsigned src_depth);
int cnode_mutate(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
                 unsigned src_depth, uint64_t badge);
/* Guard data for a CNode capability (Mint, Mutate, TCB cspace data). */
static inline uint64_t cnode_guard_data(uint64_t guard, unsigned guard_size)
{
    return guard << 6 | guard_size;
}

/* TCB */
int tcb_configure(cptr_t tcb, cptr_t fault_ep, cptr_t cspace, uint64_t cspace_data, cptr_t vspace,
                  uint64_t ipc_buffer, cptr_t ipc_buffer_frame);
int tcb_set_space(cptr_t tcb, cptr_t fault_ep, cptr_t cspace, uint64_t cspace_data, cptr_t vspace);
int tcb_set_ipc_buffer(cptr_t tcb, uint64_t address, cptr_t frame);
int tcb_set_priority(cptr_t tcb, cptr_t authority, unsigned priority);
int tcb_set_mc_priority(cptr_t tcb, cptr_t authority, unsigned mcp);
int tcb_suspend(cptr_t tcb);
int tcb_resume(cptr_t tcb);
int tcb_bind_notification(cptr_t tcb, cptr_t notification);
int tcb_unbind_notification(cptr_t tcb);
int tcb_set_tls_base(cptr_t tcb, uint64_t tls_base);
int tcb_set_syscall_emulation(cptr_t tcb, uint64_t entry);

/* Registers in TCB_READ_REGISTERS order. */
struct user_registers {
    uint64_t pc, sp, spsr;
    uint64_t x[31];
    uint64_t tls;
};
int tcb_read_registers(cptr_t tcb, struct user_registers *regs);
int tcb_write_registers(cptr_t tcb, bool resume, const struct user_registers *regs, unsigned count);
/* Sets pc, sp and x0 and starts the thread: the usual way to launch one. */
int tcb_start(cptr_t tcb, uint64_t pc, uint64_t sp, uint64_t arg);

/* Memory */
int frame_map(cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned vm_rights, unsigned vm_attrs);
int frame_unmap(cptr_t frame);
int frame_get_address(cptr_t frame, uint64_t *paddr);
int page_table_map(cptr_t page_table, cptr_t vspace, uint64_t vaddr);
int page_table_unmap(cptr_t page_table);

/* Interrupts */
int irq_control_get(cptr_t irq_control, unsigned irq, cptr_t root, uint64_t index, unsigned depth);
int irq_handler_ack(cptr_t handler);
int irq_handler_set_notification(cptr_t handler, cptr_t notification);
int irq_handler_clear(cptr_t handler);

/*
 * Notifications: at `deadline` (ticks of CNTVCT_EL0; 0 disarms) the kernel
 * signals the notification as this capability would. Arming again replaces
 * the deadline; one a notification.
 */
int notification_set_timer(cptr_t notification, uint64_t deadline);
