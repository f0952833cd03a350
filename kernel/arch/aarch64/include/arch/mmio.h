/* Device-register access: single, untorn, never merged or reordered by the compiler. */
#pragma once

#include <cella/types.h>

static inline uint32_t mmio_read32(paddr_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(paddr_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

static inline void mmio_write64(paddr_t addr, uint64_t value)
{
    *(volatile uint64_t *)addr = value;
}
