/*
 * The cell API: what a cell program uses to talk to the rest of the system
 * by the names its manifest gives things. One header to learn.
 *
 * Declare what the program needs, at file scope:
 *
 *   CELL_CALLS(CH_STORAGE, "wallet_storage");   a call channel it is the client of
 *   CELL_SERVES(CH_KEYS, "wallet_auth");        a call channel it serves (only to tell callers
 *                                               apart: every caller reaches cell_serve anyway)
 *   CELL_SIGNALS(CH_GO, "intruder_go");         a notify channel it signals
 *   CELL_WAITS(CH_ITEMS, "items");              a notify channel that signals it
 *   CELL_IRQ(IRQ_UART, "uart_irq");             an interrupt it handles
 *   CELL_MAP(MAP_KEYS, "keystore", CELL_MAP_PRIVATE, "rw", sizeof(struct keys));
 *                                               a map: backing (CELL_MAP_ANY, _PRIVATE, _SHARED,
 *                                               _DEVICE), the rights and size it needs at least
 *
 * and CELL_CALLS_OPTIONAL, ..., CELL_MAP_OPTIONAL for what it can do
 * without. Each declaration defines a handle (CH_STORAGE is a
 * `const struct cell_end *`, MAP_KEYS a `const struct cell_map *const`) that the
 * calls below take, so a misspelt handle does not compile; and it records
 * the need in the program's ELF (abi/cell_needs.h), where `cella-manifest
 * check` and `build` read it and refuse a manifest that does not give the
 * cell that end or map. Before main, the runtime binds every handle to the
 * cell's capability of that name; if a required one is missing it says
 * which and stops the cell. `cella-manifest headers` writes these
 * declarations for one cell of a manifest (docs/manifest.md, "What a program
 * needs").
 *
 * A server writes two handlers and calls cell_serve; the event loop is here.
 */
#pragma once

#include <stdbool.h>

#include <abi/cell_needs.h>

#include "runtime.h"

/* The declarations (see above); each is one line at file scope, ending in ';'. */
#define CELL_CALLS(handle, name) CELLA_END_NEED(handle, name, CELL_END_CALL_CLIENT, 0)
#define CELL_SERVES(handle, name) CELLA_END_NEED(handle, name, CELL_END_CALL_SERVER, 0)
#define CELL_SIGNALS(handle, name) CELLA_END_NEED(handle, name, CELL_END_NOTIFY_SIGNAL, 0)
#define CELL_WAITS(handle, name) CELLA_END_NEED(handle, name, CELL_END_NOTIFY_WAIT, 0)
#define CELL_IRQ(handle, name) CELLA_END_NEED(handle, name, CELL_END_IRQ, 0)
/* Its timer: a notify channel from the cell to itself (cell_timer arms it; it arrives as a signal).
 */
#define CELL_TIMER(handle, name) CELLA_END_NEED(handle, name, CELL_END_NOTIFY_SIGNAL, 0)
#define CELL_MAP(handle, name, backing, rights, min_size)                                          \
    CELLA_MAP_NEED(handle, name, backing, 0, rights, min_size)

#define CELL_CALLS_OPTIONAL(handle, name)                                                          \
    CELLA_END_NEED(handle, name, CELL_END_CALL_CLIENT, CELL_NEED_OPTIONAL)
#define CELL_SERVES_OPTIONAL(handle, name)                                                         \
    CELLA_END_NEED(handle, name, CELL_END_CALL_SERVER, CELL_NEED_OPTIONAL)
#define CELL_SIGNALS_OPTIONAL(handle, name)                                                        \
    CELLA_END_NEED(handle, name, CELL_END_NOTIFY_SIGNAL, CELL_NEED_OPTIONAL)
#define CELL_WAITS_OPTIONAL(handle, name)                                                          \
    CELLA_END_NEED(handle, name, CELL_END_NOTIFY_WAIT, CELL_NEED_OPTIONAL)
#define CELL_IRQ_OPTIONAL(handle, name)                                                            \
    CELLA_END_NEED(handle, name, CELL_END_IRQ, CELL_NEED_OPTIONAL)
#define CELL_MAP_OPTIONAL(handle, name, backing, rights, min_size)                                 \
    CELLA_MAP_NEED(handle, name, backing, CELL_NEED_OPTIONAL, rights, min_size)

/* The record the tool reads and the runtime binds, and the handle the program uses. */
#define CELLA_END_NEED(var, end_name, end_kind, end_flags)                                         \
    _Static_assert(sizeof(end_name) <= CELL_NAME_MAX, "the name '" end_name "' is too long");      \
    static struct cell_end cella_end_##var;                                                        \
    static const struct cell_end *var __attribute__((unused)) = &cella_end_##var;                  \
    static struct cell_end cella_end_##var                                                         \
        __attribute__((section(CELL_NEEDS_ENDS_SECTION), used, aligned(8))) = {                    \
            .name = end_name, .kind = end_kind, .flags = end_flags, .handle = &var                 \
        }
#define CELLA_MAP_NEED(var, map_name, map_backing, map_flags, map_rights, map_min_size)            \
    _Static_assert(sizeof(map_name) <= CELL_NAME_MAX, "the name '" map_name "' is too long");      \
    _Static_assert(sizeof(map_rights) <= CELL_NEED_RIGHTS_MAX, "rights are letters of r, w, x");   \
    static struct cell_map cella_map_##var __attribute__((                                         \
        section(CELL_NEEDS_MAPS_SECTION), used, aligned(8))) = { .name = map_name,                 \
                                                                 .backing = map_backing,           \
                                                                 .flags = map_flags,               \
                                                                 .rights = map_rights,             \
                                                                 .min_size = map_min_size };       \
    static const struct cell_map *const var __attribute__((unused)) = &cella_map_##var

/* Whether the manifest gave the cell this end or map (always, unless it was declared optional). */
static inline bool cell_has(const struct cell_end *end)
{
    return end->info != NULL;
}

static inline bool cell_has_map(const struct cell_map *map)
{
    return map->base != NULL;
}

/* The cell or persona at the other end of a channel ("" for an IRQ or an absent end). */
const char *cell_peer(const struct cell_end *end);

/* A display cell's screens (the personas' framebuffers it shows, read-only): the i-th, or NULL. */
const struct cell_info_screen *cell_screen(unsigned i);

/* Client side. An absent end (an optional one the manifest does not give) is reported by name
 * once, and its calls fail with ERR_INVALID_CAPABILITY. */

/* Calls a call channel: label and up to 4 words out, the reply's words back in mr. */
struct sys_result cell_call(const struct cell_end *channel, uint64_t label, uint64_t mr[4],
                            unsigned length);
/*
 * Calls a call channel with a request of request_size bytes (a multiple of
 * 8, in the message registers) and copies the reply into reply (zero-filled
 * when shorter). Returns the reply's label, the server's status, or the
 * kernel's error (ERR_*, below 64) if the call itself failed.
 */
uint64_t cell_request(const struct cell_end *channel, uint64_t method, const void *request,
                      size_t request_size, void *reply, size_t reply_size);
/* The same through a raw capability slot, for a program that names slots itself. */
uint64_t cell_request_slot(cptr_t slot, uint64_t method, const void *request, size_t request_size,
                           void *reply, size_t reply_size);
/* Signals a notify channel. */
int cell_signal(const struct cell_end *channel);
/* Acknowledges an IRQ, so that it can arrive again. */
int cell_irq_ack(const struct cell_end *irq);
/* Arms the cell's timer (CELL_TIMER): at `deadline`, in ticks of CNTVCT_EL0, the kernel signals
 * it, and notified gets the timer's end. 0 disarms it; arming again replaces the deadline. */
int cell_timer(const struct cell_end *timer, uint64_t deadline);
/* The end of this name, declared or not, or NULL if the manifest gives the cell none: for a
 * program whose ends depend on the system (the input cell signals each persona's "<name>_keys"). */
const struct cell_end *cell_end_named(const char *name);

/* Server side: a message that arrived at the cell's endpoint, and the reply the handler fills in.
 */
struct cell_message {
    const struct cell_end *from; /* the end it came over: its name, cell_peer(from) */
    uint64_t label;
    unsigned length;
    uint64_t mr[4]; /* words 0-3; more in ipc_buffer()->msg[4..] */
    uint64_t reply_label;
    unsigned reply_length;
};

/* Copies the request out of the message registers; false if its length is not exactly `size`. */
bool cell_take(const struct cell_message *msg, void *request, size_t size);
/* Sets the reply's status and its words (reply may be NULL with size 0). */
void cell_reply(struct cell_message *msg, uint64_t status, const void *reply, size_t size);

typedef void (*cell_notified_fn)(const struct cell_end *end);

struct cell_handlers {
    void (*called)(struct cell_message *msg); /* set the reply with cell_reply */
    cell_notified_fn notified;                /* once per end that signalled: a channel or IRQ */
};

/* Waits for calls and signals forever, handing each to its handler. */
_Noreturn void cell_serve(const struct cell_handlers *h);
/* Waits for the cell's next signal, and calls notified (if not NULL) for each end it came from. */
void cell_wait(cell_notified_fn notified);

/* Binds the program's declared ends and maps to the cell-info page (the start code calls it). */
void runtime_cell_bind(void);
