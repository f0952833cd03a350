/*
 * Physical memory during boot: RAM less the kernel image and its payload.
 * The initial task's objects are carved from the top; what is left becomes
 * the initializer's untyped memory, and the kernel never allocates again.
 */
#pragma once

#include <cella/types.h>

struct phys_region {
    paddr_t base;
    paddr_t end;
};

bool ram_contains(paddr_t base, word_t size);
void boot_memory_init(paddr_t reserved_base, paddr_t reserved_end);
/* Zeroed, naturally aligned memory of 2^size_bits bytes; panics when RAM runs out. */
paddr_t boot_alloc(unsigned size_bits);
/* The free regions left, for turning into untyped memory. */
unsigned boot_free_regions(const struct phys_region **regions);
