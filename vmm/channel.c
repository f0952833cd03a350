/*
 * Channel requests from guest user space (abi/channel_device.h) turned into
 * calls on the persona's call channels. The request is checked in full
 * before anything is sent: a malformed one is answered by the VMM and never
 * reaches the server.
 */
#include <stdio.h>
#include <string.h>

#include <abi/channel_device.h>

#include "channel.h"

#define REPORTS_MAX 16

static unsigned reports;

static uint32_t refuse(const struct cell_info_end *end, struct channel_frame *reply, uint16_t error,
                       const char *why)
{
    if (++reports <= REPORTS_MAX)
        printf("vmm: persona '%s' channel '%s': %s; refused\n", persona_name, end->name, why);
    *reply = (struct channel_frame){ .magic = CHANNEL_FRAME_MAGIC, .error = error };
    return CHANNEL_FRAME_HEADER_SIZE;
}

static void load_message(const struct channel_frame *request, uint64_t mr[4])
{
    for (unsigned i = 0; i < request->words; i++) {
        if (i < 4)
            mr[i] = request->word[i];
        else
            ipc_buffer()->msg[i] = request->word[i];
    }
}

static uint32_t store_reply(struct sys_result r, const uint64_t mr[4], struct channel_frame *reply)
{
    *reply = (struct channel_frame){ .magic = CHANNEL_FRAME_MAGIC };
    if (r.error) {
        reply->error = (uint16_t)r.error;
        return CHANNEL_FRAME_HEADER_SIZE;
    }
    unsigned words = msginfo_length(r.info);
    if (words > CHANNEL_FRAME_MAX_WORDS)
        words = CHANNEL_FRAME_MAX_WORDS;
    reply->label = msginfo_label(r.info);
    reply->words = (uint16_t)words;
    for (unsigned i = 0; i < words; i++)
        reply->word[i] = i < 4 ? mr[i] : ipc_buffer()->msg[i];
    return CHANNEL_FRAME_HEADER_SIZE + 8 * words;
}

uint32_t channel_call(const struct cell_info_end *end, const void *request, uint64_t size,
                      struct channel_frame *reply)
{
    struct channel_frame header;
    if (size < CHANNEL_FRAME_HEADER_SIZE)
        return refuse(end, reply, CHANNEL_EMALFORMED, "request shorter than its header");
    memcpy(&header, request, CHANNEL_FRAME_HEADER_SIZE);
    if (header.magic != CHANNEL_FRAME_MAGIC)
        return refuse(end, reply, CHANNEL_EMALFORMED, "request without the channel magic");
    if (header.words > CHANNEL_FRAME_MAX_WORDS)
        return refuse(end, reply, CHANNEL_ETOOLONG, "request longer than a message");
    if (size != CHANNEL_FRAME_HEADER_SIZE + 8ULL * header.words)
        return refuse(end, reply, CHANNEL_EMALFORMED, "request length disagrees with its header");
    if (header.label >> CHANNEL_LABEL_BITS)
        return refuse(end, reply, CHANNEL_EMALFORMED, "label wider than a message label");
    uint64_t mr[4] = { 0 };
    load_message(request, mr);
    struct sys_result r = sys_call(end->slot, msginfo_new(header.label, 0, 0, header.words), mr);
    return store_reply(r, mr, reply);
}
