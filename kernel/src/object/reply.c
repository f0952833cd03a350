/*
 * Reply objects (as in seL4's MCS configuration): a server passes one to
 * Recv; a caller that arrives is linked to it, and replying through it
 * wakes that caller.
 */
#include <abi/error.h>
#include <cella/faults.h>
#include <cella/objects.h>
#include <cella/tcb.h>

void reply_link(struct reply *r, struct tcb *caller, bool can_grant)
{
    sched_dequeue(caller);
    r->caller = caller;
    r->can_grant = can_grant;
    caller->reply = r;
    caller->state = THREAD_BLOCKED_ON_REPLY;
}

/* A caller abandoned by its server is cancelled (thread_set_cancelled) instead of waiting forever.
 */
static void cancel_caller(struct reply *r)
{
    struct tcb *caller = r->caller;
    if (!caller)
        return;
    r->caller = NULL;
    caller->reply = NULL;
    thread_set_cancelled(caller);
    sched_wake(caller, false);
}

/* A server starts a Recv with r: any earlier use of r is over. */
void reply_take(struct reply *r, struct tcb *server)
{
    cancel_caller(r);
    if (r->server && r->server != server)
        reply_release_server(r->server);
}

void reply_send(struct reply *r, struct tcb *server)
{
    struct tcb *caller = r->caller;
    if (!caller)
        return;
    r->caller = NULL;
    caller->reply = NULL;
    if (caller->fault.kind != 0) {
        fault_handle_reply(caller, server);
        return;
    }
    ipc_transfer(server, caller, (struct ipc_send){ 0, r->can_grant ? IPC_CAN_GRANT : 0 }, NULL);
    sched_wake(caller, true);
}

void reply_unlink_caller(struct tcb *caller)
{
    if (caller->reply) {
        caller->reply->caller = NULL;
        caller->reply = NULL;
    }
}

void reply_release_server(struct tcb *server)
{
    if (server->reply) {
        server->reply->server = NULL;
        server->reply = NULL;
    }
}

void reply_destroy(struct reply *r)
{
    cancel_caller(r);
    if (r->server)
        reply_release_server(r->server);
}
