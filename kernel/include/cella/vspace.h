/*
 * Address spaces for cells and guests: stage-2 translation tables. Each
 * VSpace gets an ASID when created; frame and page-table capabilities
 * remember the ASID and address they are mapped at, and find the VSpace
 * through the ASID table, so a VSpace that is gone is simply not found.
 */
#pragma once

#include <arch/ptable.h>
#include <cella/cap.h>

#define ASID_COUNT 4096 /* ASID 0 means "not mapped" */

/* Each ASID's root table, or NULL: vspace.c's, read in place on every thread switch. */
extern pte_t *asid_roots[ASID_COUNT];

bool vspace_asids_available(word_t count);
unsigned vspace_init(pte_t *root);

static ALWAYS_INLINE pte_t *vspace_lookup(unsigned asid)
{
    return asid && asid < ASID_COUNT ? asid_roots[asid] : NULL;
}

/* The VSpace a capability names, if it is a VSpace capability and the VSpace still exists. */
static ALWAYS_INLINE pte_t *vspace_of_cap(cap_t cap)
{
    if (cap_type(cap) != CAP_VSPACE)
        return NULL;
    pte_t *root = vspace_lookup(vspace_asid(cap));
    return root == cap_ptr(cap) ? root : NULL;
}
void vspace_destroy(pte_t *root, unsigned asid);

void frame_unmap_cap(cap_t cap);
void page_table_unmap_cap(cap_t cap);
