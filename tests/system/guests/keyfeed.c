/*
 * An input cell in miniature, for the persona keyboard's test: it plays the
 * input cell's part of the protocol (cells/common/screen_protocol.h) for
 * one persona, typing a line on the persona's keyboard every second:
 *
 *   echo feed-N >/dev/ttyAMA0
 *
 * The keys go to the persona's VMM (signal "<persona>_keys", then its
 * INPUT_READ over "<persona>_kbd"), which makes them a virtio keyboard; the
 * guest's shell on the screen (tty1) runs the line, whose output comes back
 * on the serial console as "work: feed-N". Its timer (a notify channel to
 * itself, "keyfeed_tick") wakes it each second.
 */
#include <stdio.h>
#include <string.h>

#include <cell.h>

#include "screen_protocol.h"

CELL_SIGNALS(CH_KEYS, "work_keys"); /* the persona's keyboard: keys are waiting */
CELL_SERVES(CH_KBD, "work_kbd");    /* its VMM fetches them */
CELL_TIMER(TIMER, "keyfeed_tick");  /* each second */

#define QUEUE_MAX 512
#define KEY_LEFTSHIFT 42

static uint64_t queue[QUEUE_MAX];
static unsigned head, tail;

static uint64_t ticks(void)
{
    uint64_t t;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t) : : "memory");
    return t;
}

static uint64_t frequency(void)
{
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz ? hz : 1;
}

/* The key (US layout) that types c, and whether it needs shift; 0 if none does. */
static unsigned key_for(char c, bool *shift)
{
    static const char lower[] = "\0\0"
                                "1234567890-=\0\0"
                                "qwertyuiop[]\n\0"
                                "asdfghjkl;'`\0\\"
                                "zxcvbnm,./";
    static const char upper[] = "\0\0"
                                "!@#$%^&*()_+\0\0"
                                "QWERTYUIOP{}\0\0"
                                "ASDFGHJKL:\"~\0|"
                                "ZXCVBNM<>?";
    *shift = false;
    if (c == ' ')
        return 57;
    for (unsigned code = 1; code < sizeof(lower); code++) {
        if (lower[code] == c && c)
            return code;
        if (upper[code] == c && c) {
            *shift = true;
            return code;
        }
    }
    return 0;
}

static void press(unsigned code)
{
    if (tail - head > QUEUE_MAX - 2)
        return;
    queue[tail++ % QUEUE_MAX] = input_event_pack(EV_KEY, (uint16_t)code, 1);
    queue[tail++ % QUEUE_MAX] = input_event_pack(EV_KEY, (uint16_t)code, 0);
}

static void type(const char *text)
{
    for (const char *c = text; *c; c++) {
        bool shift;
        unsigned code = key_for(*c, &shift);
        if (!code)
            continue;
        if (shift && tail - head < QUEUE_MAX)
            queue[tail++ % QUEUE_MAX] = input_event_pack(EV_KEY, KEY_LEFTSHIFT, 1);
        press(code);
        if (shift && tail - head < QUEUE_MAX)
            queue[tail++ % QUEUE_MAX] = input_event_pack(EV_KEY, KEY_LEFTSHIFT, 0);
    }
}

static uint64_t counter(void)
{
    return ticks();
}

/* INPUT_READ: up to INPUT_EVENTS_MAX waiting keys. */
static void called(struct cell_message *msg)
{
    struct input_events out = { 0 };
    while (msg->from == CH_KBD && msg->label == INPUT_READ && head != tail &&
           out.count < INPUT_EVENTS_MAX)
        out.events[out.count++] = queue[head++ % QUEUE_MAX];
    bool ok = msg->from == CH_KBD && msg->label == INPUT_READ;
    cell_reply(msg, ok ? SVC_OK : SVC_EMALFORMED, &out, ok ? 8 * (1 + out.count) : 0);
}

static void notified(const struct cell_end *end)
{
    static unsigned n = 1;
    if (end != TIMER)
        return;
    char line[48];
    snprintf(line, sizeof(line), "echo feed-%u >/dev/ttyAMA0\n", n++);
    type(line);
    cell_signal(CH_KEYS);
    cell_timer(TIMER, counter() + frequency());
}

int main(void)
{
    printf("keyfeed: typing on '%s' every second\n", cell_peer(CH_KEYS));
    cell_timer(TIMER, counter() + frequency());
    cell_serve(&(struct cell_handlers){ .called = called, .notified = notified });
}
