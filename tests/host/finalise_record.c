/* The recording cap_finalise (finalise_record.h). */
#include <stdio.h>
#include <stdlib.h>

#include <cella/objects.h>

#include "finalise_record.h"

struct finalised finalised[FINALISED_MAX];
unsigned finalised_count;

void cap_finalise(cap_t cap, bool final)
{
    if (finalised_count == FINALISED_MAX) {
        fprintf(stderr, "cap_finalise: more calls than recorded\n");
        abort();
    }
    finalised[finalised_count++] = (struct finalised){ cap, final };
}

void finalised_reset(void)
{
    finalised_count = 0;
}

unsigned finalised_times(cap_t cap, bool final)
{
    unsigned n = 0;
    for (unsigned i = 0; i < finalised_count; i++)
        n += finalised[i].cap.w0 == cap.w0 && finalised[i].cap.w1 == cap.w1 &&
             finalised[i].final == final;
    return n;
}
