/*
 * Page tables: the levels below a VSpace root. A table takes the first free
 * entry on the way down to its address, so it becomes a level-2 table (under
 * the root) or a level-3 table (under a level-2 one).
 */
#include <arch/stage2.h>
#include <cella/invocation.h>
#include <cella/string.h>
#include <cella/vspace.h>

/* The entry that points at this table, while the mapping recorded in the capability holds. */
static pte_t *parent_entry(cap_t pt)
{
    pte_t *root = vspace_lookup(mapping_asid(pt));
    unsigned missing;
    if (!root)
        return NULL;
    pte_t *entry = stage2_entry(root, mapping_vaddr(pt), mapping_level(pt), &missing);
    if (!entry || !stage2_is_table(*entry, mapping_level(pt)) ||
        stage2_address(*entry) != cap_addr(pt))
        return NULL;
    return entry;
}

void page_table_unmap_cap(cap_t pt)
{
    if (!mapping_asid(pt))
        return;
    pte_t *entry = parent_entry(pt);
    if (!entry)
        return;
    stage2_set(entry, 0);
    stage2_flush(mapping_asid(pt));
    /* A table mapped again later must not bring old translations with it. */
    memzero(cap_ptr(pt), BIT(PAGE_TABLE_SIZE_BITS));
}

static unsigned map(struct invocation *inv)
{
    unsigned err = inv_need(inv, 1, 1);
    if (err)
        return err;
    cap_t vspace = inv->extra[0]->cap;
    word_t vaddr = inv_arg(inv, 0);
    pte_t *root = vspace_of_cap(vspace);
    if (!root)
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    if (mapping_asid(inv->cap))
        return inv_error(inv, ERR_ILLEGAL_OPERATION, 0);
    if (vaddr >= BIT(VSPACE_ADDRESS_BITS))
        return inv_error(inv, ERR_RANGE, 0);
    for (unsigned level = PT_FIRST_LEVEL; level < PT_LAST_LEVEL; level++) {
        unsigned missing;
        pte_t *entry = stage2_entry(root, vaddr, level, &missing);
        if (*entry & PTE_VALID) {
            if (stage2_is_table(*entry, level))
                continue;
            return inv_error(inv, ERR_DELETE_FIRST, level);
        }
        stage2_set(entry, stage2_table(cap_addr(inv->cap)));
        word_t base = align_down(vaddr, pt_level_shift(level));
        inv->slot->cap.w1 = mapping_make(vspace_asid(vspace), base, level);
        return ERR_NONE;
    }
    return inv_error(inv, ERR_DELETE_FIRST, PT_LAST_LEVEL);
}

unsigned decode_page_table(struct invocation *inv)
{
    switch (inv->label) {
    case PAGE_TABLE_MAP:
        return map(inv);
    case PAGE_TABLE_UNMAP:
        /*
         * Copies share the one mapping. Unmapped through one of them, the
         * table could be mapped again elsewhere while the others still name
         * the old place, and the last one's delete would then miss it.
         */
        if (!slot_holds_final_cap(inv->slot))
            return inv_error(inv, ERR_REVOKE_FIRST, 0);
        page_table_unmap_cap(inv->cap);
        inv->slot->cap.w1 = 0;
        return ERR_NONE;
    default:
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    }
}
