/* Building and walking translation tables; see arch/ptable.h. */
#include <arch/ptable.h>

static pte_t *next_table(pte_t entry)
{
    return (pte_t *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

static pte_t *alloc_table(struct pt_pool *pool)
{
    if (pool->used == pool->count)
        return NULL;
    pte_t *table = pool->tables[pool->used++];
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        table[i] = 0;
    return table;
}

/* A block can stand at level 1 or 2 (and a page at 3) when both addresses and the size allow it. */
static bool block_fits(unsigned level, word_t va, paddr_t pa, word_t size)
{
    unsigned shift = pt_level_shift(level);
    return level >= 1 && is_aligned(va | pa, shift) && size >= BIT(shift);
}

static pte_t leaf_descriptor(unsigned level, paddr_t pa, pte_t attrs)
{
    return (pa & PTE_ADDR_MASK) | attrs | PTE_AF | PTE_VALID |
           (level == PT_LAST_LEVEL ? PTE_TABLE : 0);
}

/* Fills a fresh next-level table with entries equivalent to the block it replaces. */
static void split_block(pte_t *table, pte_t block, unsigned next_level)
{
    word_t step = BIT(pt_level_shift(next_level));
    paddr_t base = block & PTE_ADDR_MASK;
    pte_t attrs = block & ~(PTE_ADDR_MASK | PTE_VALID | PTE_TABLE | PTE_AF);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        table[i] = leaf_descriptor(next_level, base + i * step, attrs);
}

static bool map_one(pte_t *root, struct pt_pool *pool, word_t va, paddr_t pa, word_t size,
                    pte_t attrs, word_t *mapped)
{
    pte_t *table = root;
    for (unsigned level = PT_FIRST_LEVEL;; level++) {
        pte_t *entry = &table[pt_index(va, level)];
        if (level == PT_LAST_LEVEL || block_fits(level, va, pa, size)) {
            *entry = leaf_descriptor(level, pa, attrs);
            *mapped = BIT(pt_level_shift(level));
            return true;
        }
        if ((*entry & (PTE_VALID | PTE_TABLE)) != (PTE_VALID | PTE_TABLE)) {
            pte_t *fresh = alloc_table(pool);
            if (!fresh)
                return false;
            if (*entry & PTE_VALID)
                split_block(fresh, *entry, level + 1);
            *entry = (pte_t)(uintptr_t)fresh | PTE_TABLE | PTE_VALID;
        }
        table = next_table(*entry);
    }
}

bool pt_map(pte_t *root, struct pt_pool *pool, word_t va, paddr_t pa, word_t size, pte_t attrs)
{
    if (!is_aligned(va | pa | size, PAGE_BITS) || !range_is_valid(va, size) ||
        va + size > BIT(pt_level_shift(PT_FIRST_LEVEL) + PT_INDEX_BITS) ||
        !range_is_valid(pa, size) || pa + size > BIT(48))
        return false;
    while (size) {
        word_t mapped;
        if (!map_one(root, pool, va, pa, size, attrs, &mapped))
            return false;
        va += mapped;
        pa += mapped;
        size -= mapped;
    }
    return true;
}

bool pt_translate(const pte_t *root, word_t va, paddr_t *pa, pte_t *leaf)
{
    const pte_t *table = root;
    for (unsigned level = PT_FIRST_LEVEL; level <= PT_LAST_LEVEL; level++) {
        pte_t entry = table[pt_index(va, level)];
        if (!(entry & PTE_VALID))
            return false;
        bool is_table = (entry & PTE_TABLE) && level < PT_LAST_LEVEL;
        if (!is_table) {
            if (level == PT_LAST_LEVEL && !(entry & PTE_TABLE))
                return false; /* reserved encoding */
            word_t offset = va & MASK(pt_level_shift(level));
            *pa = (entry & PTE_ADDR_MASK & ~MASK(pt_level_shift(level))) + offset;
            *leaf = entry;
            return true;
        }
        table = next_table(entry);
    }
    return false;
}
