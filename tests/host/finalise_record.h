/*
 * A host double for cap_finalise (src/object/objecttype.c), whose real work
 * (cancelling IPC, unmapping, destroying threads) is outside the derivation
 * tree: it records each call, so tests check which capabilities were
 * finalised and whether as the final one.
 */
#pragma once

#include <cella/cap.h>

#define FINALISED_MAX 256

struct finalised {
    cap_t cap;
    bool final;
};

extern struct finalised finalised[FINALISED_MAX];
extern unsigned finalised_count;

void finalised_reset(void);
/* How many times cap (by both words) was finalised with the given flag. */
unsigned finalised_times(cap_t cap, bool final);
