/* Locating the image payload and the initializer in it. */
#pragma once

#include <cella/types.h>

struct payload {
    paddr_t base;
    word_t size;
    const void *initializer;
    word_t initializer_size;
};

/* Returns NULL and fills out, or says why there is no usable payload. */
const char *payload_find(struct payload *out);
