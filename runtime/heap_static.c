/* The initializer's heap, in its own image; cells use the heap their manifest gives them. */
#include "runtime.h"

char runtime_static_heap[RUNTIME_STATIC_HEAP_SIZE] __attribute__((aligned(4096)));
