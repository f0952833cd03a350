/*
 * Memory for kernel objects in host tests. The kernel keeps object addresses
 * in capabilities (48 bits) and zombie links (37 bits), so objects come from
 * one arena at a low address, as the kernel's come from physical RAM. Each
 * object is aligned to its size and zeroed; under ASan everything between
 * objects is poisoned, so an access past an object is caught.
 */
#pragma once

#include <cella/cnode.h>

#define KMEM_BASE 0x40000000UL
#define KMEM_SIZE (16UL << 20)

/* A fresh object of 2^size_bits bytes, aligned to its size; aborts when the arena is full. */
void *kmem_alloc(unsigned size_bits);
/* Forgets every object (call at the start of each test). */
void kmem_reset(void);

/* A capability to a fresh CNode of 2^radix slots, with a guard of guard_bits bits. */
static inline cap_t kmem_cnode(unsigned radix, word_t guard, unsigned guard_bits)
{
    void *slots = kmem_alloc(radix + CNODE_SLOT_SIZE_BITS);
    word_t addr = (word_t)(uintptr_t)slots;
    return cnode_with_guard(cap_make(CAP_CNODE, RIGHTS_ALL, radix, addr, 0),
                            guard << 6 | guard_bits);
}

/* A capability to a fresh object of a fixed-size type, with w1 (a badge, say). */
static inline cap_t kmem_object(unsigned type, unsigned size_bits, word_t w1)
{
    return cap_make(type, RIGHTS_ALL, 0, (word_t)(uintptr_t)kmem_alloc(size_bits), w1);
}
