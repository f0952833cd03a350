/*
 * Message info: label (52 bits) | unwrapped caps (3) | extra caps (2) | length (7).
 * length counts message registers; extra caps are capability pointers in the
 * IPC buffer's caps[] on send, and the receiver learns which were unwrapped.
 */
#pragma once

#include <stdint.h>

#define MSG_MAX_LENGTH 120
#define MSG_MAX_EXTRA_CAPS 3

static inline uint64_t msginfo_new(uint64_t label, unsigned unwrapped, unsigned extra_caps,
                                   unsigned length)
{
    return (label << 12) | ((uint64_t)(unwrapped & 7) << 9) | ((uint64_t)(extra_caps & 3) << 7) |
           (length & 0x7f);
}

static inline uint64_t msginfo_label(uint64_t info)
{
    return info >> 12;
}

static inline unsigned msginfo_unwrapped(uint64_t info)
{
    return (unsigned)(info >> 9) & 7;
}

static inline unsigned msginfo_extra_caps(uint64_t info)
{
    return (unsigned)(info >> 7) & 3;
}

static inline unsigned msginfo_length(uint64_t info)
{
    return (unsigned)info & 0x7f;
}
