/* Naming slots in the initializer's two-level CSpace. */
#include "initializer.h"

static cptr_t root_cnode_cptr;

struct slot root_slot(uint32_t index)
{
    return (struct slot){ 0, index };
}

struct slot sub_slot(uint32_t cnode, uint32_t index)
{
    return (struct slot){ cnode, index };
}

cptr_t slot_cptr(struct slot s)
{
    return s.cnode ? ((cptr_t)s.cnode << SUB_RADIX) | s.index : (cptr_t)s.index << SUB_RADIX;
}

/* (index, depth) of a slot under root_cnode(), a root capability without a guard. */
uint64_t slot_index(struct slot s)
{
    return s.cnode ? ((uint64_t)s.cnode << SUB_RADIX) | s.index : s.index;
}

unsigned slot_depth(struct slot s)
{
    return s.cnode ? 2 * SUB_RADIX : SUB_RADIX;
}

cptr_t root_cnode(void)
{
    return root_cnode_cptr;
}

void slots_set_root(cptr_t cptr);
void slots_set_root(cptr_t cptr)
{
    root_cnode_cptr = cptr;
}
