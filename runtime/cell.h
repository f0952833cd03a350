/*
 * The cell API: what a cell program needs to talk to the rest of the
 * system by the names its manifest gave things. A server writes two
 * handlers and calls cell_serve; the event loop is here.
 */
#pragma once

#include "runtime.h"

/* The end (channel or IRQ) of this cell with that name, or NULL. */
const struct cell_info_end *cell_end(const char *name);
/* The capability slot of a client, signal or IRQ end; 0 if there is none by that name. */
cptr_t cell_channel(const char *name);
/* A manifest map of this cell by name; NULL if there is none. */
void *cell_map(const char *name, uint64_t *size);

/* A display cell's screens (the personas' framebuffers it shows, read-only): the i-th, or NULL. */
const struct cell_info_screen *cell_screen(unsigned i);

/* Calls a call channel: label and up to 4 words out, the reply's words back in mr. */
struct sys_result cell_call(const char *channel, uint64_t label, uint64_t mr[4], unsigned length);
/* Signals a notify channel. */
int cell_signal(const char *channel);
/* Arms the cell's timer, a notify channel from the cell to itself: at `deadline` (ticks of
 * CNTVCT_EL0) the kernel signals the channel's bit; 0 disarms it. Replaces an earlier deadline. */
int cell_timer(const char *channel, uint64_t deadline);

/* A message that arrived at the cell's endpoint, and the reply the handler fills in. */
struct cell_message {
    const struct cell_info_end *from; /* which channel it came over */
    uint64_t label;
    unsigned length;
    uint64_t mr[4]; /* words 0-3; more in ipc_buffer()->msg[4..] */
    uint64_t reply_label;
    unsigned reply_length;
};

struct cell_handlers {
    void (*called)(struct cell_message *msg); /* set msg->mr, reply_label and reply_length */
    void (*notified)(uint64_t bits);          /* signals and interrupts, by bit */
};

/* Waits for calls and signals forever, handing each to its handler. */
_Noreturn void cell_serve(const struct cell_handlers *h);
