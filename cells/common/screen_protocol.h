/*
 * The screen and the keys (docs/display.md): the protocol of the display
 * cell, which owns the GPU and decides what is shown, and of the input cell,
 * which owns the keyboard and gives each key to whoever is shown. Like the
 * wallet's (wallet_protocol.h), every message is a fixed-size structure of
 * whole 64-bit words in message registers; the label is the method, the
 * reply's label a status (enum svc_status).
 *
 * Who may call what is decided by the channel a call comes over (its badge):
 *   input  -> display  "input_display": DISPLAY_SCREENS, DISPLAY_SHOW, DISPLAY_FOCUS
 *   auth   -> display  "auth_display":  DISPLAY_PROMPT_SHOW, _UPDATE, _END
 *   anyone -> display  DISPLAY_STATS
 *   a persona's VMM -> input  "<persona>_kbd": INPUT_READ, its own keys
 *   auth   -> input    "auth_input":    INPUT_READ, the trusted prompt's keys
 * and the signals that say something is waiting:
 *   display -> input   "display_focus": what is shown has changed (or the display restarted)
 *   input -> persona   "<persona>_keys", input -> auth "auth_keys": keys are waiting
 */
#pragma once

#include <stdint.h>

#include "wallet_protocol.h"

#define SCREEN_NAME_SIZE 32 /* a persona's name, NUL-padded */
#define SCREENS_MAX 8

/* ---- display ------------------------------------------------------------ */
enum display_method {
    DISPLAY_SCREENS = 0x50,     /* (nothing) -> display_screens */
    DISPLAY_SHOW = 0x51,        /* display_show -> display_focus; SVC_EBUSY while a prompt is up */
    DISPLAY_FOCUS = 0x52,       /* (nothing) -> display_focus */
    DISPLAY_PROMPT_SHOW = 0x53, /* display_prompt -> (nothing); SVC_EBUSY if one is up */
    DISPLAY_PROMPT_UPDATE = 0x54, /* display_prompt_update -> (nothing) */
    DISPLAY_PROMPT_END = 0x55,    /* (nothing) -> (nothing): back to the persona shown before */
    DISPLAY_STATS = 0x56,         /* (nothing) -> display_stats */
};

struct display_screens {
    uint64_t count;
    char names[SCREENS_MAX][SCREEN_NAME_SIZE]; /* in screen order: Ctrl-Alt-1 is the first */
};

struct display_show {
    uint64_t screen;   /* 0 to count - 1 */
    uint64_t key_time; /* the counter (CNTVCT_EL0) when the key came: the switch is timed from it */
};

#define DISPLAY_FOCUS_PROMPT (~0ULL) /* display_focus.screen while the trusted prompt is up */

struct display_focus {
    uint64_t screen;     /* the screen shown, or DISPLAY_FOCUS_PROMPT */
    uint64_t flushed_at; /* DISPLAY_SHOW: the counter when the new picture had been flushed */
};

/* What the trusted prompt shows: the payment, the PIN's progress, a message. */
enum prompt_message {
    PROMPT_ENTER_PIN = 0, /* "Enter your PIN" */
    PROMPT_CHECKING = 1,  /* "Checking..." */
    PROMPT_WRONG_PIN = 2, /* "Wrong PIN: N attempts left"; detail = N */
    PROMPT_LOCKED = 3,    /* "Locked: try again in N s"; detail = N */
    PROMPT_APPROVED = 4,  /* "Approved" */
    PROMPT_CANCELLED = 5, /* "Cancelled" */
    PROMPT_TIMED_OUT = 6, /* "Timed out" */
    PROMPT_MESSAGES = 7,
};

struct display_prompt {
    struct payment payment;           /* amount and payee as shown; the nonce is not shown */
    char requester[SCREEN_NAME_SIZE]; /* who asks: the persona's name */
    uint64_t timeout_s;               /* shown, and kept by auth */
};

struct display_prompt_update {
    uint64_t digits;  /* how many PIN digits are typed (drawn as dots, never the digits) */
    uint64_t message; /* enum prompt_message */
    uint64_t detail;
};

struct display_stats {
    uint64_t frames;      /* flushes to the screen */
    uint64_t checks;      /* looks at the shown screen for a change */
    uint64_t busy_ticks;  /* counter ticks the cell spent working since it started */
    uint64_t since;       /* the counter when it started counting */
    uint64_t last_switch; /* ticks from the key to the new picture flushed, last switch */
    uint64_t full_redraw; /* ticks to transfer and flush a whole screen, last time */
    uint64_t first_frame[SCREENS_MAX]; /* the counter when each screen first changed on screen */
};

/* ---- input -------------------------------------------------------------- */
enum input_method {
    INPUT_READ = 0x60, /* (nothing) -> input_events: the keys waiting for this channel */
};

#define INPUT_EVENTS_MAX 31

/* A key event as Linux's evdev has it: type (EV_KEY 1), code (KEY_*), value (1 down, 0 up, 2
 * repeat). */
static inline uint64_t input_event_pack(uint16_t type, uint16_t code, int32_t value)
{
    return (uint64_t)type | (uint64_t)code << 16 | (uint64_t)(uint32_t)value << 32;
}

static inline uint16_t input_event_type(uint64_t e)
{
    return (uint16_t)e;
}

static inline uint16_t input_event_code(uint64_t e)
{
    return (uint16_t)(e >> 16);
}

static inline int32_t input_event_value(uint64_t e)
{
    return (int32_t)(uint32_t)(e >> 32);
}

struct input_events {
    uint64_t count;
    uint64_t events[INPUT_EVENTS_MAX];
};

#define EV_SYN 0
#define EV_KEY 1
#define SYN_REPORT 0

WALLET_MSG_CHECK(display_screens);
WALLET_MSG_CHECK(display_show);
WALLET_MSG_CHECK(display_focus);
WALLET_MSG_CHECK(display_prompt);
WALLET_MSG_CHECK(display_prompt_update);
WALLET_MSG_CHECK(display_stats);
WALLET_MSG_CHECK(input_events);
