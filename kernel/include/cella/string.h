/* Memory primitives. */
#pragma once

#include <cella/types.h>

void *memset(void *dst, int value, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/* Zeroes a whole number of 64-byte lines at a 64-byte aligned address, fast. */
void memzero(void *dst, size_t n);
