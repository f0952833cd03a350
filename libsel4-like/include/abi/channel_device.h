/*
 * A persona's channel device: how guest user space calls a service cell.
 *
 * Each call channel the manifest gives a persona is a port of the persona's
 * virtio console (multiport), named "<channel>:<server>". One write to the
 * port is one request; the reply comes back as one read. A request is a
 * header and `words` 64-bit words, which the VMM copies into the message
 * registers of a call on the channel; the reply carries the server's label
 * and words the same way. Everything is little-endian.
 */
#pragma once

#include <stdint.h>

#define CHANNEL_FRAME_MAGIC 0x314c4843u /* "CHL1" */
#define CHANNEL_FRAME_MAX_WORDS 120     /* MSG_MAX_LENGTH */

struct channel_frame {
    uint32_t magic;
    uint16_t words;  /* how many words follow the header */
    uint16_t error;  /* replies only: 0, a kernel ERR_*, or a CHANNEL_E* below */
    uint64_t label;  /* request: the method; reply: the server's status */
    uint64_t word[]; /* `words` of them */
};

#define CHANNEL_FRAME_HEADER_SIZE 16u
#define CHANNEL_FRAME_MAX_SIZE (CHANNEL_FRAME_HEADER_SIZE + 8u * CHANNEL_FRAME_MAX_WORDS)

/* The VMM refused the request without calling: nothing reached the server. */
#define CHANNEL_EMALFORMED 0x100 /* bad magic, or the length disagrees with `words` */
#define CHANNEL_ETOOLONG 0x101   /* more than CHANNEL_FRAME_MAX_WORDS words */

/* A request's label must fit a message label (abi/msginfo.h). */
#define CHANNEL_LABEL_BITS 52
