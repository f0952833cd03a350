/* CRC-32 (IEEE 802.3, as zlib.crc32): checks what the build wrote (payload, boot spec). Kernel and
 * user level share it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

uint32_t crc32(const void *data, size_t size);
#if defined(__aarch64__)
/*
 * The same with the ARMv8 CRC32 instructions, about twenty times fewer
 * instructions: only where the CPU has them (BOOT_INFO_CPU_CRC32 in the
 * boot info), else it takes an undefined-instruction exception.
 */
uint32_t crc32_arm(const void *data, size_t size);
#endif
