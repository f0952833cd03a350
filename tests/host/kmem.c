/* The kernel-object arena of host tests (kmem.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cella/util.h>

#include "kmem.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#endif

#define REDZONE 64 /* at least this much poisoned memory before every object */

static char *arena;
static word_t cursor;

static void map_arena(void)
{
    void *p = mmap((void *)KMEM_BASE, KMEM_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)KMEM_BASE) {
        fprintf(stderr, "kmem: cannot map the arena at %#lx\n", KMEM_BASE);
        abort();
    }
    arena = p;
    ASAN_POISON_MEMORY_REGION(arena, KMEM_SIZE);
    cursor = KMEM_BASE;
}

void kmem_reset(void)
{
    if (!arena) {
        map_arena();
        return;
    }
    ASAN_POISON_MEMORY_REGION(arena, KMEM_SIZE);
    cursor = KMEM_BASE;
}

void *kmem_alloc(unsigned size_bits)
{
    if (!arena)
        map_arena();
    word_t addr = align_up(cursor + REDZONE, size_bits);
    if (addr + BIT(size_bits) > KMEM_BASE + KMEM_SIZE) {
        fprintf(stderr, "kmem: arena full\n");
        abort();
    }
    cursor = addr + BIT(size_bits);
    void *p = (void *)(uintptr_t)addr;
    ASAN_UNPOISON_MEMORY_REGION(p, BIT(size_bits));
    memset(p, 0, BIT(size_bits));
    return p;
}
