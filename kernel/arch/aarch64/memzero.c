/* Zeroing object memory quickly: the kernel does it for every object it creates. */
#include <cella/string.h>
#include <cella/util.h>

/* dc zva clears a whole block per instruction where the range allows; words elsewhere. */
void memzero(void *dst, size_t n)
{
    uintptr_t p = (uintptr_t)dst, end = p + n;
    word_t dczid;
    __asm__("mrs %0, dczid_el0" : "=r"(dczid));
    word_t block = 4UL << (dczid & 0xf);
    if (!(dczid & BIT(4))) {
        for (; p < end && (p & (block - 1)); p += 8)
            *(volatile uint64_t *)p = 0;
        for (; p + block <= end; p += block)
            __asm__ volatile("dc zva, %0" ::"r"(p) : "memory");
    }
    for (; p < end; p += 8)
        *(volatile uint64_t *)p = 0;
}
