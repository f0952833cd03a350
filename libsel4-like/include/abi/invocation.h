/*
 * Invocation labels: a Call (or Send) on an object capability names its
 * method in the message label. Arguments are message registers in the order
 * given; "cap n" is the n-th extra capability. Results come back as
 * message registers of the reply.
 */
#pragma once

enum invocation_label {
    INV_NONE = 0,
    /* Untyped: type, size_bits, node_index, node_depth, node_offset, count; cap 0: root CNode. */
    UNTYPED_RETYPE,

    /* TCB */
    TCB_READ_REGISTERS,  /* count -> pc, sp, spsr, x0.. (count registers in all) */
    TCB_WRITE_REGISTERS, /* resume, count, pc, sp, spsr, x0.. */
    TCB_CONFIGURE,       /* fault_ep, cspace_data, ipc_buffer; caps: cspace, vspace, buffer frame */
    TCB_SET_PRIORITY,    /* priority; cap 0: authority TCB */
    TCB_SET_MC_PRIORITY, /* mcp; cap 0: authority TCB */
    TCB_SET_SPACE,       /* fault_ep, cspace_data; caps: cspace, vspace */
    TCB_SET_IPC_BUFFER,  /* address; cap 0: frame (or none when address is 0) */
    TCB_SUSPEND,
    TCB_RESUME,
    TCB_BIND_NOTIFICATION, /* cap 0: notification */
    TCB_UNBIND_NOTIFICATION,
    TCB_SET_TLS_BASE,          /* tls_base */
    TCB_SET_SYSCALL_EMULATION, /* entry: where `svc #0` goes (0: raise a fault instead) */

    /* CNode: the invoked CNode is the destination root. */
    CNODE_REVOKE, /* index, depth */
    CNODE_DELETE, /* index, depth */
    CNODE_COPY,   /* index, depth, src_index, src_depth, rights; cap 0: src root */
    CNODE_MINT,   /* index, depth, src_index, src_depth, rights, badge; cap 0: src root */
    CNODE_MOVE,   /* index, depth, src_index, src_depth; cap 0: src root */
    CNODE_MUTATE, /* index, depth, src_index, src_depth, badge; cap 0: src root */

    /* Interrupts */
    IRQ_CONTROL_GET, /* irq, index, depth; cap 0: destination root */
    IRQ_HANDLER_ACK,
    IRQ_HANDLER_SET_NOTIFICATION, /* cap 0: notification */
    IRQ_HANDLER_CLEAR,

    /* Memory */
    FRAME_MAP, /* vaddr, vm_rights, vm_attributes; cap 0: VSpace */
    FRAME_UNMAP,
    FRAME_GET_ADDRESS, /* -> physical address */
    PAGE_TABLE_MAP,    /* vaddr; cap 0: VSpace */
    PAGE_TABLE_UNMAP,  /* only through the table's last capability (else ERR_REVOKE_FIRST) */

    /* VCPU (abi/vcpu.h) */
    VCPU_SET_TCB,        /* cap 0: TCB; the thread then runs as this virtual CPU */
    VCPU_INJECT_IRQ,     /* virq: made pending in the guest's virtual GIC */
    VCPU_READ_REGISTER,  /* register id -> value */
    VCPU_WRITE_REGISTER, /* register id, value */

    /*
     * Notification, through Call with this label (Send, or a Call with any
     * other label, signals it): deadline, in ticks of the counter threads read
     * (CNTVCT_EL0; 0 disarms). At the deadline the kernel signals the
     * notification as this capability would (its badge, or bit 0 when it has
     * none). One deadline per notification: arming again replaces it. Needs
     * the capability's WRITE right.
     */
    NOTIFICATION_SET_TIMER,

    INV_LABEL_COUNT
};

/* TCB_READ_REGISTERS / TCB_WRITE_REGISTERS order: pc, sp, spsr, then x0-x30, then tls. */
#define TCB_REGISTER_COUNT 35
