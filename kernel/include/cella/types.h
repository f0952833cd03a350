/* Basic kernel types. Freestanding: only the compiler's own headers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t word_t;
typedef uint64_t paddr_t;
typedef int64_t sword_t;

#define WORD_BITS 64
