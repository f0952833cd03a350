/* The EL2 kernel address space. */
#pragma once

/* Builds the kernel's identity map and turns on the MMU and caches. */
void mmu_enable(void);
/* Physical address width the CPU implements. */
unsigned mmu_pa_bits(void);
