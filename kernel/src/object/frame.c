/* Frames: 4 KiB pages and 2 MiB blocks of memory, mapped into VSpaces. */
#include <arch/stage2.h>
#include <cella/invocation.h>
#include <cella/vspace.h>

static unsigned frame_level(cap_t frame)
{
    return cap_type(frame) == CAP_FRAME_2M ? 2 : PT_LAST_LEVEL;
}

/* The leaf entry this frame capability's mapping occupies, if it is still there. */
static pte_t *mapped_entry(cap_t frame)
{
    pte_t *root = vspace_lookup(mapping_asid(frame));
    if (!root)
        return NULL;
    unsigned level = frame_level(frame), missing;
    pte_t *entry = stage2_entry(root, mapping_vaddr(frame), level, &missing);
    if (!entry || !(*entry & PTE_VALID) || stage2_is_table(*entry, level) ||
        stage2_address(*entry) != cap_addr(frame))
        return NULL;
    return entry;
}

void frame_unmap_cap(cap_t frame)
{
    if (!mapping_asid(frame))
        return;
    pte_t *entry = mapped_entry(frame);
    if (entry) {
        stage2_set(entry, 0);
        stage2_flush(mapping_asid(frame));
    }
}

static unsigned vm_rights_allowed(cap_t frame, word_t requested)
{
    unsigned rights = (unsigned)requested & (VM_READ | VM_WRITE | VM_EXECUTE);
    if (!cap_has_rights(frame, RIGHT_READ))
        rights &= ~(VM_READ | VM_EXECUTE);
    if (!cap_has_rights(frame, RIGHT_WRITE))
        rights &= ~VM_WRITE;
    return rights;
}

static unsigned map(struct invocation *inv)
{
    unsigned err = inv_need(inv, 3, 1);
    if (err)
        return err;
    cap_t frame = inv->cap, vspace = inv->extra[0]->cap;
    word_t vaddr = inv_arg(inv, 0);
    unsigned level = frame_level(frame), missing = 0;
    unsigned rights = vm_rights_allowed(frame, inv_arg(inv, 1));
    unsigned attrs = (unsigned)inv_arg(inv, 2);
    pte_t *root = vspace_of_cap(vspace);
    if (!root)
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    if (mapping_asid(frame))
        return inv_error(inv, ERR_ILLEGAL_OPERATION, 0); /* copy the capability to map it twice */
    if (!is_aligned(vaddr, pt_level_shift(level)))
        return inv_error(inv, ERR_ALIGNMENT, 0);
    if (vaddr >= BIT(VSPACE_ADDRESS_BITS))
        return inv_error(inv, ERR_RANGE, 0);
    if (!(rights & (VM_READ | VM_WRITE)))
        return inv_error(inv, ERR_INSUFFICIENT_RIGHTS, 1);
    pte_t *entry = stage2_entry(root, vaddr, level, &missing);
    if (!entry)
        return inv_error(inv, ERR_FAILED_LOOKUP, missing);
    if (*entry & PTE_VALID)
        return inv_error(inv, ERR_DELETE_FIRST, 0);
    if (cap_bits(frame) & FRAME_BITS_DEVICE)
        attrs |= VM_ATTR_DEVICE;
    stage2_set(entry, stage2_leaf(cap_addr(frame), level, rights, attrs));
    inv->slot->cap.w1 = mapping_make(vspace_asid(vspace), vaddr, level);
    return ERR_NONE;
}

unsigned decode_frame(struct invocation *inv)
{
    switch (inv->label) {
    case FRAME_MAP:
        return map(inv);
    case FRAME_UNMAP:
        frame_unmap_cap(inv->cap);
        inv->slot->cap.w1 = 0;
        return ERR_NONE;
    case FRAME_GET_ADDRESS:
        inv_result(inv, cap_addr(inv->cap));
        return ERR_NONE;
    default:
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    }
}
