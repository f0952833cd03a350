/* Invocation wrappers: arguments into message registers, extra caps into the IPC buffer. */
#include <stdbool.h>
#include <stddef.h>

#include <abi/invocation.h>
#include <sel4like/invocations.h>

struct sys_result invoke(cptr_t object, uint64_t label, const uint64_t *args, unsigned nargs,
                         const cptr_t *caps, unsigned ncaps, uint64_t *results, unsigned nresults)
{
    struct ipc_buffer *buf = ipc_buffer();
    uint64_t mr[MSG_REGISTERS_IN_CPU] = { 0 };
    for (unsigned i = 0; i < nargs; i++) {
        if (i < MSG_REGISTERS_IN_CPU)
            mr[i] = args[i];
        else
            buf->msg[i] = args[i];
    }
    for (unsigned i = 0; i < ncaps; i++)
        buf->caps_or_badges[i] = caps[i];
    struct sys_result r = sys_call(object, msginfo_new(label, 0, ncaps, nargs), mr);
    unsigned got = msginfo_length(r.info);
    for (unsigned i = 0; i < nresults && i < got; i++)
        results[i] = i < MSG_REGISTERS_IN_CPU ? mr[i] : buf->msg[i];
    return r;
}

#define ARGS(...) ((const uint64_t[]){ __VA_ARGS__ }), sizeof((const uint64_t[]){ __VA_ARGS__ }) / 8
#define CAPS(...) ((const cptr_t[]){ __VA_ARGS__ }), sizeof((const cptr_t[]){ __VA_ARGS__ }) / 8
#define NO_ARGS NULL, 0
#define NO_CAPS NULL, 0
#define NO_RESULTS NULL, 0

static int error_of(struct sys_result r)
{
    return (int)r.error;
}

int untyped_retype(cptr_t untyped, unsigned type, unsigned size_bits, cptr_t root,
                   uint64_t node_index, unsigned node_depth, uint64_t node_offset, unsigned count)
{
    return error_of(invoke(untyped, UNTYPED_RETYPE,
                           ARGS(type, size_bits, node_index, node_depth, node_offset, count),
                           CAPS(root), NO_RESULTS));
}

int cnode_revoke(cptr_t root, uint64_t index, unsigned depth)
{
    return error_of(invoke(root, CNODE_REVOKE, ARGS(index, depth), NO_CAPS, NO_RESULTS));
}

int cnode_delete(cptr_t root, uint64_t index, unsigned depth)
{
    return error_of(invoke(root, CNODE_DELETE, ARGS(index, depth), NO_CAPS, NO_RESULTS));
}

int cnode_copy(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
               unsigned src_depth, unsigned rights)
{
    return error_of(invoke(root, CNODE_COPY, ARGS(index, depth, src_index, src_depth, rights),
                           CAPS(src_root), NO_RESULTS));
}

int cnode_mint(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
               unsigned src_depth, unsigned rights, uint64_t badge)
{
    return error_of(invoke(root, CNODE_MINT,
                           ARGS(index, depth, src_index, src_depth, rights, badge), CAPS(src_root),
                           NO_RESULTS));
}

int cnode_move(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
               unsigned src_depth)
{
    return error_of(invoke(root, CNODE_MOVE, ARGS(index, depth, src_index, src_depth),
                           CAPS(src_root), NO_RESULTS));
}

int cnode_mutate(cptr_t root, uint64_t index, unsigned depth, cptr_t src_root, uint64_t src_index,
                 unsigned src_depth, uint64_t badge)
{
    return error_of(invoke(root, CNODE_MUTATE, ARGS(index, depth, src_index, src_depth, badge),
                           CAPS(src_root), NO_RESULTS));
}

int tcb_configure(cptr_t tcb, cptr_t fault_ep, cptr_t cspace, uint64_t cspace_data, cptr_t vspace,
                  uint64_t ipc_buffer_addr, cptr_t ipc_buffer_frame)
{
    if (ipc_buffer_addr)
        return error_of(invoke(tcb, TCB_CONFIGURE, ARGS(fault_ep, cspace_data, ipc_buffer_addr),
                               CAPS(cspace, vspace, ipc_buffer_frame), NO_RESULTS));
    return error_of(invoke(tcb, TCB_CONFIGURE, ARGS(fault_ep, cspace_data, 0), CAPS(cspace, vspace),
                           NO_RESULTS));
}

int tcb_set_space(cptr_t tcb, cptr_t fault_ep, cptr_t cspace, uint64_t cspace_data, cptr_t vspace)
{
    return error_of(
        invoke(tcb, TCB_SET_SPACE, ARGS(fault_ep, cspace_data), CAPS(cspace, vspace), NO_RESULTS));
}

int tcb_set_ipc_buffer(cptr_t tcb, uint64_t address, cptr_t frame)
{
    if (!address)
        return error_of(invoke(tcb, TCB_SET_IPC_BUFFER, ARGS(0), NO_CAPS, NO_RESULTS));
    return error_of(invoke(tcb, TCB_SET_IPC_BUFFER, ARGS(address), CAPS(frame), NO_RESULTS));
}

int tcb_set_priority(cptr_t tcb, cptr_t authority, unsigned priority)
{
    return error_of(invoke(tcb, TCB_SET_PRIORITY, ARGS(priority), CAPS(authority), NO_RESULTS));
}

int tcb_set_mc_priority(cptr_t tcb, cptr_t authority, unsigned mcp)
{
    return error_of(invoke(tcb, TCB_SET_MC_PRIORITY, ARGS(mcp), CAPS(authority), NO_RESULTS));
}

int tcb_suspend(cptr_t tcb)
{
    return error_of(invoke(tcb, TCB_SUSPEND, NO_ARGS, NO_CAPS, NO_RESULTS));
}

int tcb_resume(cptr_t tcb)
{
    return error_of(invoke(tcb, TCB_RESUME, NO_ARGS, NO_CAPS, NO_RESULTS));
}

int tcb_bind_notification(cptr_t tcb, cptr_t notification)
{
    return error_of(invoke(tcb, TCB_BIND_NOTIFICATION, NO_ARGS, CAPS(notification), NO_RESULTS));
}

int tcb_unbind_notification(cptr_t tcb)
{
    return error_of(invoke(tcb, TCB_UNBIND_NOTIFICATION, NO_ARGS, NO_CAPS, NO_RESULTS));
}

int tcb_set_tls_base(cptr_t tcb, uint64_t tls_base)
{
    return error_of(invoke(tcb, TCB_SET_TLS_BASE, ARGS(tls_base), NO_CAPS, NO_RESULTS));
}

int tcb_set_syscall_emulation(cptr_t tcb, uint64_t entry)
{
    return error_of(invoke(tcb, TCB_SET_SYSCALL_EMULATION, ARGS(entry), NO_CAPS, NO_RESULTS));
}

int tcb_read_registers(cptr_t tcb, struct user_registers *regs)
{
    return error_of(invoke(tcb, TCB_READ_REGISTERS, ARGS(TCB_REGISTER_COUNT), NO_CAPS,
                           (uint64_t *)regs, TCB_REGISTER_COUNT));
}

int tcb_write_registers(cptr_t tcb, bool resume, const struct user_registers *regs, unsigned count)
{
    uint64_t args[2 + TCB_REGISTER_COUNT] = { resume, count };
    for (unsigned i = 0; i < count && i < TCB_REGISTER_COUNT; i++)
        args[2 + i] = ((const uint64_t *)regs)[i];
    return error_of(invoke(tcb, TCB_WRITE_REGISTERS, args, 2 + count, NO_CAPS, NO_RESULTS));
}

int tcb_start(cptr_t tcb, uint64_t pc, uint64_t sp, uint64_t arg)
{
    struct user_registers regs = { .pc = pc, .sp = sp, .spsr = 0 };
    regs.x[0] = arg;
    return tcb_write_registers(tcb, true, &regs, 4);
}

int frame_map(cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned vm_rights, unsigned vm_attrs)
{
    return error_of(
        invoke(frame, FRAME_MAP, ARGS(vaddr, vm_rights, vm_attrs), CAPS(vspace), NO_RESULTS));
}

int frame_unmap(cptr_t frame)
{
    return error_of(invoke(frame, FRAME_UNMAP, NO_ARGS, NO_CAPS, NO_RESULTS));
}

int frame_get_address(cptr_t frame, uint64_t *paddr)
{
    return error_of(invoke(frame, FRAME_GET_ADDRESS, NO_ARGS, NO_CAPS, paddr, 1));
}

int page_table_map(cptr_t page_table, cptr_t vspace, uint64_t vaddr)
{
    return error_of(invoke(page_table, PAGE_TABLE_MAP, ARGS(vaddr), CAPS(vspace), NO_RESULTS));
}

int page_table_unmap(cptr_t page_table)
{
    return error_of(invoke(page_table, PAGE_TABLE_UNMAP, NO_ARGS, NO_CAPS, NO_RESULTS));
}

int irq_control_get(cptr_t irq_control, unsigned irq, cptr_t root, uint64_t index, unsigned depth)
{
    return error_of(
        invoke(irq_control, IRQ_CONTROL_GET, ARGS(irq, index, depth), CAPS(root), NO_RESULTS));
}

int irq_handler_ack(cptr_t handler)
{
    return error_of(invoke(handler, IRQ_HANDLER_ACK, NO_ARGS, NO_CAPS, NO_RESULTS));
}

int irq_handler_set_notification(cptr_t handler, cptr_t notification)
{
    return error_of(
        invoke(handler, IRQ_HANDLER_SET_NOTIFICATION, NO_ARGS, CAPS(notification), NO_RESULTS));
}

int irq_handler_clear(cptr_t handler)
{
    return error_of(invoke(handler, IRQ_HANDLER_CLEAR, NO_ARGS, NO_CAPS, NO_RESULTS));
}

void sys_debug_name_thread(cptr_t tcb, const char *name)
{
    char *dst = (char *)&ipc_buffer()->msg[0];
    unsigned i = 0;
    for (; i < 31 && name[i]; i++)
        dst[i] = name[i];
    dst[i] = '\0';
    sys_raw(SYS_DEBUG_NAME_THREAD, tcb, 0, 0, 0, 0);
}

int notification_set_timer(cptr_t notification, uint64_t deadline)
{
    return error_of(invoke(notification, NOTIFICATION_SET_TIMER, (uint64_t[]){ deadline }, 1,
                           NO_CAPS, NO_RESULTS));
}
