/*
 * Threads for the IPC suites, run by the real scheduler: each has a TCB, a
 * single-level CSpace (radix 6, so a cptr is a slot number) and optionally
 * an IPC buffer. ipc_world.c also holds the doubles for what lies outside
 * IPC: the FPU and VCPUs (architecture) and IRQ handlers (the interrupt
 * controller).
 */
#pragma once

#include <cella/tcb.h>

#define WORLD_CSPACE_RADIX 6
#define WORLD_RECV_CNODE 1 /* the cptr of a thread's receive CNode, once it has one */

/* A new thread of the given priority, not yet runnable (THREAD_INACTIVE). */
struct tcb *world_thread(unsigned prio, bool with_buffer);
/* The slot of t's CSpace that cptr names. */
struct cte *world_slot(struct tcb *t, word_t cptr);
/* Puts an original capability into t's CSpace at cptr and returns its slot. */
struct cte *world_put(struct tcb *t, word_t cptr, cap_t cap);
/* Gives t a receive CNode of 16 slots, asks for capabilities at index; returns its slots. */
struct cte *world_receive_into(struct tcb *t, word_t index);
/* Takes every thread out of the scheduler and forgets all objects (each test's first step). */
void world_reset(void);

/* The doubles' records. */
extern unsigned fpu_released;
extern struct notification *irq_forgotten;
extern uint64_t wake_timer_deadline; /* 0: stopped */
