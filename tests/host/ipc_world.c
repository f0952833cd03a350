/* Threads for the IPC suites, and the doubles outside IPC (ipc_world.h). */
#include <stdio.h>
#include <stdlib.h>

#include <arch/vcpu.h>
#include <cella/fastpath.h>
#include <cella/irq_handler.h>
#include <cella/tcb.h>

#include "ipc_world.h"
#include "kmem.h"

#define WORLD_THREADS 32

static struct tcb *threads[WORLD_THREADS];
static unsigned thread_count;
unsigned fpu_released;
struct notification *irq_forgotten;

void fpu_release(struct tcb *t)
{
    (void)t;
    fpu_released++;
}

void irq_forget_notification(struct notification *n)
{
    irq_forgotten = n;
}

/* The wake-up timer as the host sees it: the deadline it was last set for, or 0 when stopped. */
uint64_t wake_timer_deadline;

void timer_wake_at(uint64_t deadline)
{
    wake_timer_deadline = deadline;
}

void timer_wake_stop(void)
{
    wake_timer_deadline = 0;
}

word_t vcpu_earliest_parked_timer(void)
{
    return ~(word_t)0; /* no guests here */
}

void vcpu_wake_timers(word_t now)
{
    (void)now;
}

/* Guests are the hypervisor's: no thread here has a VCPU, and none raises a VCPU fault. */
void vcpu_unbind_tcb(struct tcb *t)
{
    (void)t;
}

static void no_vcpu_faults(void)
{
    fprintf(stderr, "a VCPU fault in the IPC suites\n");
    abort();
}

unsigned vcpu_exit_message_extra(struct tcb *guest, struct tcb *vmm)
{
    (void)guest, (void)vmm;
    no_vcpu_faults();
    return 0;
}

bool vcpu_apply_reply(struct tcb *guest, struct tcb *vmm)
{
    (void)guest, (void)vmm;
    no_vcpu_faults();
    return false;
}

/* The fastpath is the target's (it switches threads itself): here every fault takes the general
 * path. */
void fastpath_fault(struct tcb *faulter, cap_t ep_cap)
{
    (void)faulter, (void)ep_cap;
}

void world_reset(void)
{
    for (unsigned i = 0; i < thread_count; i++)
        sched_dequeue(threads[i]);
    thread_count = 0;
    current_thread = NULL;
    fpu_released = 0;
    irq_forgotten = NULL;
    kmem_reset();
}

struct tcb *world_thread(unsigned prio, bool with_buffer)
{
    if (thread_count == WORLD_THREADS)
        return NULL;
    struct tcb *t = kmem_alloc(TCB_SIZE_BITS);
    thread_init(t);
    t->priority = (uint8_t)prio;
    t->mcp = (uint8_t)prio;
    cap_t cspace = kmem_cnode(WORLD_CSPACE_RADIX, 0, WORD_BITS - WORLD_CSPACE_RADIX);
    mdb_insert_root(&t->slots[TCB_SLOT_CSPACE], cspace, MDB_REVOCABLE);
    if (with_buffer) {
        /* The kernel trusts a buffer only while the TCB's slot holds its frame. */
        t->ipc_buffer = kmem_alloc(FRAME_4K_SIZE_BITS);
        cap_t frame = cap_make(CAP_FRAME_4K, RIGHTS_ALL, 0, (word_t)(uintptr_t)t->ipc_buffer, 0);
        mdb_insert_root(&t->slots[TCB_SLOT_IPC_BUFFER], frame, MDB_REVOCABLE);
    }
    threads[thread_count++] = t;
    return t;
}

struct cte *world_slot(struct tcb *t, word_t cptr)
{
    return cnode_slots(thread_cspace(t)) + (cptr & MASK(WORLD_CSPACE_RADIX));
}

struct cte *world_put(struct tcb *t, word_t cptr, cap_t cap)
{
    struct cte *slot = world_slot(t, cptr);
    mdb_insert_root(slot, cap, MDB_REVOCABLE);
    return slot;
}

struct cte *world_receive_into(struct tcb *t, word_t index)
{
    cap_t node = kmem_cnode(4, 0, 0);
    world_put(t, WORLD_RECV_CNODE, node);
    t->ipc_buffer->receive_cnode = WORLD_RECV_CNODE;
    t->ipc_buffer->receive_index = index;
    t->ipc_buffer->receive_depth = 4;
    return cnode_slots(node);
}
