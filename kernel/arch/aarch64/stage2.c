/*
 * Stage-2 translation: the VMSAv8-64 stage-2 descriptor format, 4 KiB
 * granule, 39-bit IPA starting at level 1, and the VMIDs that tag the TLB.
 */
#include <abi/objects.h>
#include <abi/rights.h>
#include <arch/stage2.h>
#include <arch/sysreg.h>
#include <cella/vspace.h>

#define S2_MEMATTR_NORMAL_WB (0xfUL << 2)
#define S2_MEMATTR_NORMAL_NC (0x5UL << 2)
#define S2_MEMATTR_DEVICE (0x1UL << 2)
#define S2_AP_READ BIT(6)
#define S2_AP_WRITE BIT(7)

#define VTCR_RES1 BIT(31)
#define VTCR_T0SZ (64UL - VSPACE_ADDRESS_BITS)
#define VTCR_SL0_LEVEL1 (1UL << 6)
#define VTCR_IRGN0_WBWA (1UL << 8)
#define VTCR_ORGN0_WBWA (1UL << 10)
#define VTCR_SH0_INNER (3UL << 12)
#define VTCR_PS_40BIT (2UL << 16)

#define VMID_COUNT 256 /* 8-bit VMIDs, as every ARMv8.0 CPU has; VMID 0 is never handed out */

void stage2_init(void)
{
    sysreg_write(vtcr_el2, VTCR_RES1 | VTCR_T0SZ | VTCR_SL0_LEVEL1 | VTCR_IRGN0_WBWA |
                               VTCR_ORGN0_WBWA | VTCR_SH0_INNER | VTCR_PS_40BIT);
    isb();
}

pte_t *stage2_entry(pte_t *root, word_t vaddr, unsigned level, unsigned *missing)
{
    pte_t *table = root;
    for (unsigned l = PT_FIRST_LEVEL; l < level; l++) {
        pte_t entry = table[pt_index(vaddr, l)];
        if (!stage2_is_table(entry, l)) {
            *missing = l + 1;
            return NULL;
        }
        table = (pte_t *)(uintptr_t)stage2_address(entry);
    }
    return &table[pt_index(vaddr, level)];
}

bool stage2_is_table(pte_t entry, unsigned level)
{
    return level < PT_LAST_LEVEL && (entry & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);
}

paddr_t stage2_address(pte_t entry)
{
    return entry & PTE_ADDR_MASK;
}

pte_t stage2_table(paddr_t table)
{
    return (table & PTE_ADDR_MASK) | PTE_TABLE | PTE_VALID;
}

pte_t stage2_leaf(paddr_t pa, unsigned level, unsigned vm_rights, unsigned vm_attrs)
{
    pte_t e = (pa & PTE_ADDR_MASK) | PTE_VALID | PTE_AF | PTE_SH_INNER;
    if (level == PT_LAST_LEVEL)
        e |= PTE_TABLE; /* the page encoding */
    if (vm_attrs & VM_ATTR_DEVICE)
        e |= S2_MEMATTR_DEVICE;
    else if (vm_attrs & VM_ATTR_UNCACHED)
        e |= S2_MEMATTR_NORMAL_NC;
    else
        e |= S2_MEMATTR_NORMAL_WB;
    if (vm_rights & (VM_READ | VM_EXECUTE))
        e |= S2_AP_READ;
    if (vm_rights & VM_WRITE)
        e |= S2_AP_WRITE;
    if (!(vm_rights & VM_EXECUTE) || (vm_attrs & VM_ATTR_DEVICE))
        e |= PTE_XN;
    return e;
}

void stage2_set(pte_t *entry, pte_t value)
{
    *entry = value;
    dsb(ishst); /* the table walker must see the entry before anything uses it */
}

uint16_t asid_vmid[ASID_COUNT];
static uint16_t vmid_asid[VMID_COUNT];
static unsigned vmid_next = 1;

/* TLB maintenance by VMID acts on the VMID in VTTBR_EL2, so borrow it for a moment. */
static void flush_vmid(unsigned vmid)
{
    word_t saved = sysreg_read(vttbr_el2);
    sysreg_write(vttbr_el2, (word_t)vmid << 48);
    isb();
    __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    dsb(ish);
    sysreg_write(vttbr_el2, saved);
    isb();
}

unsigned vmid_assign(unsigned asid)
{
    unsigned vmid = vmid_next;
    vmid_next = vmid_next + 1 < VMID_COUNT ? vmid_next + 1 : 1;
    if (vmid_asid[vmid]) {
        asid_vmid[vmid_asid[vmid]] = 0; /* taken from its last owner, in turn */
        flush_vmid(vmid);
    }
    vmid_asid[vmid] = (uint16_t)asid;
    asid_vmid[asid] = (uint16_t)vmid;
    return vmid;
}

void vmid_release(unsigned asid)
{
    unsigned vmid = asid_vmid[asid];
    if (!vmid)
        return;
    flush_vmid(vmid);
    vmid_asid[vmid] = 0;
    asid_vmid[asid] = 0;
}

void stage2_flush(unsigned asid)
{
    if (asid_vmid[asid])
        flush_vmid(asid_vmid[asid]);
}
