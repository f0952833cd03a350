/*
 * VMSAv8-64 translation tables with the 4 KiB granule, levels 1 to 3
 * (39-bit input addresses). Pure table arithmetic: the EL2 kernel map uses it
 * at boot, and the host tests run it against ordinary memory.
 */
#pragma once

#include <cella/util.h>

#define PT_ENTRIES 512
#define PT_INDEX_BITS 9
#define PAGE_BITS 12
#define PAGE_SIZE BIT(PAGE_BITS)
#define PT_FIRST_LEVEL 1
#define PT_LAST_LEVEL 3

/* Descriptor bits shared by stage 1 and stage 2. */
#define PTE_VALID BIT(0)
#define PTE_TABLE BIT(1) /* at levels 1-2: next-level table; at level 3: page */
#define PTE_AF BIT(10)
#define PTE_SH_INNER (3UL << 8)
#define PTE_ADDR_MASK (MASK(48) & ~MASK(PAGE_BITS))

/* Stage-1 (EL2 regime) attributes. */
#define PTE_ATTR_INDEX(i) ((word_t)(i) << 2)
#define PTE_AP_RO BIT(7)
#define PTE_XN BIT(54)

typedef uint64_t pte_t;

/* The bits of an address that a level translates, and the size one entry covers. */
static inline unsigned pt_level_shift(unsigned level)
{
    return PAGE_BITS + PT_INDEX_BITS * (PT_LAST_LEVEL - level);
}

static inline unsigned pt_index(word_t va, unsigned level)
{
    return (unsigned)((va >> pt_level_shift(level)) & MASK(PT_INDEX_BITS));
}

/* Tables handed out, zeroed, to pt_map when it needs a next level. */
struct pt_pool {
    pte_t (*tables)[PT_ENTRIES];
    unsigned count;
    unsigned used;
};

/*
 * Maps [va, va + size) to pa with the given attribute bits, choosing the
 * largest block each piece allows. Returns false when the pool runs dry or
 * the range is not page aligned. Existing mappings in the range are replaced;
 * a block only partly covered is split so the rest of it keeps its mapping.
 */
bool pt_map(pte_t *root, struct pt_pool *pool, word_t va, paddr_t pa, word_t size, pte_t attrs);

/* Walks the tables; on success stores the output address and the leaf descriptor. */
bool pt_translate(const pte_t *root, word_t va, paddr_t *pa, pte_t *leaf);
