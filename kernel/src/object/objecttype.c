/* What every object type has in common: creation, first capability, finalisation. */
#include <abi/objects.h>
#include <arch/vcpu.h>
#include <cella/irq_handler.h>
#include <cella/objects.h>
#include <cella/string.h>
#include <cella/tcb.h>
#include <cella/vspace.h>

/* Memory from a normal untyped is zeroed; device memory is left as the device has it. */
cap_t object_create(unsigned type, word_t addr, unsigned size_bits, bool device)
{
    if (!device && type != OBJ_UNTYPED)
        memzero((void *)(uintptr_t)addr, BIT(object_size_bits(type, size_bits)));
    switch (type) {
    case OBJ_UNTYPED:
        return cap_make(CAP_UNTYPED, RIGHTS_ALL, size_bits, addr, device ? UNTYPED_DEVICE : 0);
    case OBJ_CNODE:
        return cap_make(CAP_CNODE, RIGHTS_ALL, size_bits, addr, 0);
    case OBJ_FRAME_4K:
    case OBJ_FRAME_2M:
        return cap_make(type, RIGHTS_ALL, device ? FRAME_BITS_DEVICE : 0, addr, 0);
    case OBJ_TCB:
        thread_init((struct tcb *)(uintptr_t)addr);
        break;
    case OBJ_VCPU:
        vcpu_init((struct vcpu *)(uintptr_t)addr);
        break;
    case OBJ_VSPACE:
        return cap_make(CAP_VSPACE, RIGHTS_ALL, 0, addr, vspace_init((pte_t *)(uintptr_t)addr));
    default:
        break;
    }
    return cap_make(type, RIGHTS_ALL, 0, addr, 0);
}

void cap_finalise(cap_t cap, bool final)
{
    switch (cap_type(cap)) {
    case CAP_FRAME_4K:
    case CAP_FRAME_2M:
        frame_unmap_cap(cap); /* a frame mapping belongs to the capability that made it */
        break;
    default:
        break;
    }
    if (!final)
        return;
    switch (cap_type(cap)) {
    case CAP_ENDPOINT:
        endpoint_cancel_all(cap_ptr(cap));
        break;
    case CAP_NOTIFICATION:
        notification_destroy(cap_ptr(cap));
        break;
    case CAP_REPLY:
        reply_destroy(cap_ptr(cap));
        break;
    case CAP_TCB:
        thread_destroy(cap_ptr(cap));
        break;
    case CAP_PAGE_TABLE:
        page_table_unmap_cap(cap); /* copies of a table capability share its one mapping */
        break;
    case CAP_VSPACE:
        vspace_destroy(cap_ptr(cap), vspace_asid(cap));
        break;
    case CAP_IRQ_HANDLER:
        irq_handler_destroy((unsigned)cap.w1);
        break;
    case CAP_VCPU:
        vcpu_destroy(cap_ptr(cap));
        break;
    default:
        break;
    }
}
