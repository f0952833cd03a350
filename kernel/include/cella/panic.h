/* Fatal kernel errors and debug-build assertions. */
#pragma once

#include <cella/util.h>

NORETURN void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef CELLA_DEBUG
#define assert(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(!(cond)))                                                                     \
            panic("assertion '%s' failed at %s:%d", #cond, __FILE__, __LINE__);                    \
    } while (0)
#else
#define assert(cond) ((void)0)
#endif

#define static_assert_size(type, size) _Static_assert(sizeof(type) == (size), #type " size")
