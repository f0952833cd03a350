/* Stage-2 translation-table entries and TLB maintenance for VSpaces. */
#pragma once

#include <arch/ptable.h>

/* The entry for vaddr at level, or NULL when a table above it is missing (*missing says where). */
pte_t *stage2_entry(pte_t *root, word_t vaddr, unsigned level, unsigned *missing);
pte_t stage2_leaf(paddr_t pa, unsigned level, unsigned vm_rights, unsigned vm_attrs);
pte_t stage2_table(paddr_t table);
bool stage2_is_table(pte_t entry, unsigned level);
paddr_t stage2_address(pte_t entry);
void stage2_set(pte_t *entry, pte_t value);
/* Forgets every translation cached for the VSpace with this ASID. */
void stage2_flush(unsigned asid);

/*
 * VMIDs: the hardware tag for an ASID, handed out when a VSpace runs and
 * reclaimed when needed. asid_vmid is stage2.c's (0: none yet), read in
 * place on every thread switch.
 */
extern uint16_t asid_vmid[];
unsigned vmid_assign(unsigned asid);

static ALWAYS_INLINE unsigned vmid_for_asid(unsigned asid)
{
    unsigned vmid = asid_vmid[asid];
    return vmid ? vmid : vmid_assign(asid);
}
void vmid_release(unsigned asid);
void stage2_init(void);
