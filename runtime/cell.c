/* The cell API (cell.h): names from the cell-info page, and the serving loop. */
#include <string.h>

#include "cell.h"

const struct cell_info_end *cell_end(const char *name)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; info && i < info->end_count; i++)
        if (strcmp(info->ends[i].name, name) == 0)
            return &info->ends[i];
    return NULL;
}

cptr_t cell_channel(const char *name)
{
    const struct cell_info_end *e = cell_end(name);
    return e ? e->slot : 0;
}

void *cell_map(const char *name, uint64_t *size)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; info && i < info->map_count; i++)
        if (strcmp(info->maps[i].name, name) == 0) {
            if (size)
                *size = info->maps[i].size;
            return (void *)(uintptr_t)info->maps[i].vaddr;
        }
    return NULL;
}

const struct cell_info_screen *cell_screen(unsigned i)
{
    const struct cell_info *info = runtime_cell_info;
    return info && i < info->screen_count ? &info->screens[i] : NULL;
}

struct sys_result cell_call(const char *channel, uint64_t label, uint64_t mr[4], unsigned length)
{
    cptr_t slot = cell_channel(channel);
    if (!slot)
        return (struct sys_result){ .error = ERR_INVALID_CAPABILITY };
    return sys_call(slot, msginfo_new(label, 0, 0, length), mr);
}

int cell_signal(const char *channel)
{
    cptr_t slot = cell_channel(channel);
    return slot ? (int)sys_signal(slot) : ERR_INVALID_CAPABILITY;
}

int cell_timer(const char *channel, uint64_t deadline)
{
    cptr_t slot = cell_channel(channel);
    return slot ? notification_set_timer(slot, deadline) : ERR_INVALID_CAPABILITY;
}

/* The server end whose badge a call carried. */
static const struct cell_info_end *caller_end(uint64_t badge)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; i < info->end_count; i++)
        if (info->ends[i].kind == CELL_END_CALL_SERVER && info->ends[i].badge == badge)
            return &info->ends[i];
    return NULL;
}

static _Noreturn void wait_for_signals(const struct cell_handlers *h)
{
    cptr_t notification = runtime_cell_info->notification_slot;
    for (;;) {
        struct sys_result r = sys_wait(notification);
        if (!r.error && h->notified)
            h->notified(r.badge);
    }
}

_Noreturn void cell_serve(const struct cell_handlers *h)
{
    const struct cell_info *info = runtime_cell_info;
    if (!info->endpoint_slot)
        wait_for_signals(h);
    struct cell_message msg = { 0 };
    struct sys_result r = sys_recv(info->endpoint_slot, msg.mr, info->reply_slot);
    for (;;) {
        if (r.error || r.detail == RECV_FROM_NOTIFICATION) {
            if (!r.error && h->notified)
                h->notified(r.badge);
            r = sys_recv(info->endpoint_slot, msg.mr, info->reply_slot);
            continue;
        }
        msg.from = caller_end(r.badge);
        msg.label = msginfo_label(r.info);
        msg.length = msginfo_length(r.info);
        msg.reply_label = ERR_ILLEGAL_OPERATION; /* for a handler that forgets, or a stranger */
        msg.reply_length = 0;
        if (msg.from && h->called)
            h->called(&msg);
        r = sys_reply_recv(info->endpoint_slot,
                           msginfo_new(msg.reply_label, 0, 0, msg.reply_length), msg.mr,
                           info->reply_slot);
    }
}
