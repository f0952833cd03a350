/* CRC-32 (IEEE 802.3, as zlib.crc32): checks what the build wrote (payload, boot spec). Kernel and user level share it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

uint32_t crc32(const void *data, size_t size);
/* The same with the ARMv8 CRC32 instructions: only where the CPU has them (BOOT_INFO_CPU_CRC32). */
uint32_t crc32_arm(const void *data, size_t size);
