/* Untyped memory: where retyped objects go (src/object/untyped_space.c). */
#pragma once

#include <cella/cnode.h>

/* Where count objects go in an untyped, and the untyped's watermark after them. */
struct placement {
    bool fits;
    word_t start;     /* the first object's address */
    word_t watermark; /* bytes of the untyped used once they are made */
};

/*
 * Places count objects of 2^obj_bits bytes, each aligned to its size, in
 * the untyped of 2^size_bits bytes at base, of which the first used bytes
 * are taken.
 */
struct placement untyped_place(word_t base, unsigned size_bits, word_t used, unsigned obj_bits,
                               word_t count);

/* Bytes of the untyped in slot already given out: none once nothing made from it is left. */
word_t untyped_used(const struct cte *slot);
