/*
 * The cell API (cell.h): the program's declared ends and maps bound to the
 * cell-info page, calls and signals through them, message marshalling, and
 * the serving loop.
 */
#include <stdio.h>
#include <string.h>

#include "cell.h"

/* The records of every declaration in the program, laid out by runtime/user.ld. */
extern struct cell_end __cella_ends_start[], __cella_ends_end[];
extern struct cell_map __cella_maps_start[], __cella_maps_end[];

/* For each end of the info page: the program's record of it, or one made here if it declared
 * none (a caller the program did not name still arrives as an end). */
static const struct cell_end *end_of[CELL_INFO_MAX_ENDS];
static struct cell_end undeclared[CELL_INFO_MAX_ENDS];

static const char *const kind_names[] = {
    [CELL_END_CALL_CLIENT] = "a call channel it calls",
    [CELL_END_CALL_SERVER] = "a call channel it serves",
    [CELL_END_NOTIFY_SIGNAL] = "a notify channel it signals",
    [CELL_END_NOTIFY_WAIT] = "a notify channel that signals it",
    [CELL_END_IRQ] = "an IRQ",
};

static const char *kind_name(uint32_t kind)
{
    return kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind]
               ? kind_names[kind]
               : "an end of an unknown kind";
}

static const char *backing_name(uint32_t backing)
{
    switch (backing) {
    case CELL_MAP_PRIVATE:
        return "private ";
    case CELL_MAP_SHARED:
        return "shared ";
    case CELL_MAP_DEVICE:
        return "device ";
    default:
        return "";
    }
}

static int info_end_index(const char *name)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; i < info->end_count; i++)
        if (strncmp(info->ends[i].name, name, CELL_NAME_MAX) == 0)
            return (int)i;
    return -1;
}

/* Binds one declared end; false (with the reason printed) if the manifest does not give it. */
static bool bind_end(struct cell_end *e)
{
    const struct cell_info *info = runtime_cell_info;
    int i = info_end_index(e->name);
    if (i >= 0 && info->ends[i].kind == e->kind) {
        e->info = &info->ends[i];
        if (!end_of[i])
            end_of[i] = e;
        *e->handle = end_of[i]; /* every handle of this name: the same end */
        return true;
    }
    if (i >= 0) {
        printf("'%.*s' is %s here, but the program declares it as %s; stopping\n", CELL_NAME_MAX,
               e->name, kind_name(info->ends[i].kind), kind_name(e->kind));
        return false;
    }
    if (e->flags & CELL_NEED_OPTIONAL)
        return true;
    printf("the program needs %s named '%.*s', and the manifest gives this cell none; stopping\n",
           kind_name(e->kind), CELL_NAME_MAX, e->name);
    return false;
}

static bool bind_map(struct cell_map *m)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; i < info->map_count; i++) {
        if (strncmp(info->maps[i].name, m->name, CELL_NAME_MAX) != 0)
            continue;
        if (info->maps[i].size < m->min_size) {
            printf("map '%.*s' is %lu bytes, but the program needs at least %lu; stopping\n",
                   CELL_NAME_MAX, m->name, (unsigned long)info->maps[i].size,
                   (unsigned long)m->min_size);
            return false;
        }
        m->base = (void *)(uintptr_t)info->maps[i].vaddr;
        m->size = info->maps[i].size;
        return true;
    }
    if (m->flags & CELL_NEED_OPTIONAL)
        return true;
    printf("the program needs a %smap named '%.*s' (%s, at least %lu bytes), and the manifest "
           "gives this cell none; stopping\n",
           backing_name(m->backing), CELL_NAME_MAX, m->name, m->rights, (unsigned long)m->min_size);
    return false;
}

void runtime_cell_bind(void)
{
    const struct cell_info *info = runtime_cell_info;
    bool ok = true;
    for (struct cell_end *e = __cella_ends_start; e < __cella_ends_end; e++)
        ok &= bind_end(e);
    for (struct cell_map *m = __cella_maps_start; m < __cella_maps_end; m++)
        ok &= bind_map(m);
    if (!ok)
        runtime_exit(CELL_EXIT_UNMET_NEEDS);
    for (uint32_t i = 0; i < info->end_count; i++) {
        if (end_of[i])
            continue;
        memcpy(undeclared[i].name, info->ends[i].name, CELL_NAME_MAX);
        undeclared[i].kind = info->ends[i].kind;
        undeclared[i].info = &info->ends[i];
        end_of[i] = &undeclared[i];
    }
}

const struct cell_info_screen *cell_screen(unsigned i)
{
    const struct cell_info *info = runtime_cell_info;
    return info && i < info->screen_count ? &info->screens[i] : NULL;
}

const char *cell_peer(const struct cell_end *end)
{
    return end->info ? end->info->peer : "";
}

/* The capability of an end, or 0 (reported once) when the manifest gave none. */
static cptr_t slot_of(const struct cell_end *end)
{
    if (end->info)
        return end->info->slot;
    static const struct cell_end *reported[CELL_INFO_MAX_ENDS];
    static unsigned reported_count;
    for (unsigned i = 0; i < reported_count; i++)
        if (reported[i] == end)
            return 0;
    if (reported_count < CELL_INFO_MAX_ENDS)
        reported[reported_count++] = end;
    printf("'%.*s' (%s) is not there: the manifest gives this cell none\n", CELL_NAME_MAX,
           end->name, kind_name(end->kind));
    return 0;
}

static uint64_t get_word(unsigned i, const uint64_t mr[4])
{
    return i < MSG_REGISTERS_IN_CPU ? mr[i] : ipc_buffer()->msg[i];
}

static void put_word(unsigned i, uint64_t w, uint64_t mr[4])
{
    if (i < MSG_REGISTERS_IN_CPU)
        mr[i] = w;
    else
        ipc_buffer()->msg[i] = w;
}

static void words_out(const void *data, size_t size, uint64_t mr[4])
{
    for (unsigned i = 0; i < size / 8; i++) {
        uint64_t w;
        memcpy(&w, (const uint8_t *)data + 8 * i, 8);
        put_word(i, w, mr);
    }
}

static void words_in(void *data, size_t size, unsigned available, const uint64_t mr[4])
{
    memset(data, 0, size);
    for (unsigned i = 0; i < size / 8 && i < available; i++) {
        uint64_t w = get_word(i, mr);
        memcpy((uint8_t *)data + 8 * i, &w, 8);
    }
}

struct sys_result cell_call(const struct cell_end *channel, uint64_t label, uint64_t mr[4],
                            unsigned length)
{
    cptr_t slot = slot_of(channel);
    if (!slot)
        return (struct sys_result){ .error = ERR_INVALID_CAPABILITY };
    return sys_call(slot, msginfo_new(label, 0, 0, length), mr);
}

uint64_t cell_request_slot(cptr_t slot, uint64_t method, const void *request, size_t request_size,
                           void *reply, size_t reply_size)
{
    uint64_t mr[4] = { 0 };
    if (request)
        words_out(request, request_size, mr);
    struct sys_result r =
        sys_call(slot, msginfo_new(method, 0, 0, (unsigned)(request_size / 8)), mr);
    if (r.error) {
        if (reply)
            memset(reply, 0, reply_size);
        return r.error;
    }
    if (reply)
        words_in(reply, reply_size, msginfo_length(r.info), mr);
    return msginfo_label(r.info);
}

uint64_t cell_request(const struct cell_end *channel, uint64_t method, const void *request,
                      size_t request_size, void *reply, size_t reply_size)
{
    cptr_t slot = slot_of(channel);
    if (!slot) {
        if (reply)
            memset(reply, 0, reply_size);
        return ERR_INVALID_CAPABILITY;
    }
    return cell_request_slot(slot, method, request, request_size, reply, reply_size);
}

int cell_signal(const struct cell_end *channel)
{
    cptr_t slot = slot_of(channel);
    return slot ? (int)sys_signal(slot) : ERR_INVALID_CAPABILITY;
}

int cell_irq_ack(const struct cell_end *irq)
{
    cptr_t slot = slot_of(irq);
    return slot ? irq_handler_ack(slot) : ERR_INVALID_CAPABILITY;
}

int cell_timer(const struct cell_end *timer, uint64_t deadline)
{
    cptr_t slot = slot_of(timer);
    return slot ? notification_set_timer(slot, deadline) : ERR_INVALID_CAPABILITY;
}

const struct cell_end *cell_end_named(const char *name)
{
    int i = info_end_index(name);
    return i >= 0 ? end_of[i] : NULL;
}

bool cell_take(const struct cell_message *msg, void *request, size_t size)
{
    if (msg->length != size / 8)
        return false;
    words_in(request, size, msg->length, msg->mr);
    return true;
}

void cell_reply(struct cell_message *msg, uint64_t status, const void *reply, size_t size)
{
    msg->reply_label = status;
    msg->reply_length = (unsigned)(size / 8);
    if (reply)
        words_out(reply, size, msg->mr);
}

/* The server end whose badge a call carried. */
static const struct cell_end *caller_end(uint64_t badge)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; i < info->end_count; i++)
        if (info->ends[i].kind == CELL_END_CALL_SERVER && info->ends[i].badge == badge)
            return end_of[i];
    return NULL;
}

/* A notify channel from the cell to itself: its timer, which signals it with the channel's bit. */
static bool is_timer(const struct cell_info_end *e)
{
    return e->kind == CELL_END_NOTIFY_SIGNAL &&
           strncmp(e->peer, runtime_cell_info->name, CELL_NAME_MAX) == 0;
}

/* Each notify channel, IRQ and timer whose bit is set, by its end. */
static void dispatch_signals(uint64_t bits, cell_notified_fn notified)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; notified && i < info->end_count; i++) {
        const struct cell_info_end *e = &info->ends[i];
        bool waits = e->kind == CELL_END_NOTIFY_WAIT || e->kind == CELL_END_IRQ || is_timer(e);
        if (waits && (bits & e->badge))
            notified(end_of[i]);
    }
}

void cell_wait(cell_notified_fn notified)
{
    struct sys_result r = sys_wait(runtime_cell_info->notification_slot);
    if (!r.error)
        dispatch_signals(r.badge, notified);
}

_Noreturn void cell_serve(const struct cell_handlers *h)
{
    const struct cell_info *info = runtime_cell_info;
    if (!info->endpoint_slot)
        for (;;)
            cell_wait(h->notified);
    struct cell_message msg = { 0 };
    struct sys_result r = sys_recv(info->endpoint_slot, msg.mr, info->reply_slot);
    for (;;) {
        if (r.error || r.detail == RECV_FROM_NOTIFICATION) {
            if (!r.error)
                dispatch_signals(r.badge, h->notified);
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
