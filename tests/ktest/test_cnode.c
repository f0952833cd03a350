/*
 * CNode invocations: Copy, Mint, Move, Mutate, Delete and Revoke; badges and
 * the mint rules; guarded radix decoding through two levels; and deleting
 * CNodes that hold capabilities, themselves, or long chains of CNodes.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static volatile uint64_t g_result[4];
static cptr_t g_ep;

/* Signals cap, then takes whatever the notification behind it holds. */
static uint64_t signal_and_poll(cptr_t cap, cptr_t notification)
{
    if (sys_signal(cap) != ERR_NONE)
        return ~0UL;
    return sys_poll(notification).badge;
}

KTEST(cnode_copy_names_the_same_object)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0), c = env_slot(env);
    CHECK(n && c);
    CHECK_OK(cnode_copy(ROOT, c, 64, ROOT, n, 64, RIGHTS_ALL));
    CHECK_EQ(sys_debug_cap_identify(c), OBJ_NOTIFICATION);
    CHECK_EQ(signal_and_poll(c, n), 1);
    CHECK_EQ(sys_debug_cap_identify(n), OBJ_NOTIFICATION); /* the source stays */
}

KTEST(cnode_copy_cannot_add_rights)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0), ro = env_slot(env), again = env_slot(env),
           none = env_slot(env);
    CHECK_OK(cnode_copy(ROOT, ro, 64, ROOT, n, 64, RIGHT_READ));
    CHECK_OK(cnode_copy(ROOT, again, 64, ROOT, ro, 64, RIGHTS_ALL));
    CHECK_OK(cnode_copy(ROOT, none, 64, ROOT, n, 64, 0));
    CHECK_EQ(sys_signal(again), ERR_INSUFFICIENT_RIGHTS);
    CHECK_OK(sys_poll(again).error);
    CHECK_EQ(sys_signal(none), ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(sys_poll(none).error, ERR_INSUFFICIENT_RIGHTS);
}

KTEST(cnode_copy_refuses_occupied_destination)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), n = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(ep && n);
    CHECK_EQ(cnode_copy(ROOT, n, 64, ROOT, ep, 64, RIGHTS_ALL), ERR_DELETE_FIRST);
    CHECK_EQ(cnode_move(ROOT, n, 64, ROOT, ep, 64), ERR_DELETE_FIRST);
    CHECK_EQ(cnode_copy(ROOT, ep, 64, ROOT, ep, 64, RIGHTS_ALL), ERR_DELETE_FIRST);
    CHECK_EQ(sys_debug_cap_identify(n), OBJ_NOTIFICATION);
    CHECK_EQ(sys_debug_cap_identify(ep), OBJ_ENDPOINT);
}

KTEST(cnode_copy_from_empty_slot_is_failed_lookup)
{
    cptr_t empty = env_slot(env), dest = env_slot(env);
    CHECK_EQ(cnode_copy(ROOT, dest, 64, ROOT, empty, 64, RIGHTS_ALL), ERR_FAILED_LOOKUP);
    CHECK_EQ(cnode_mint(ROOT, dest, 64, ROOT, empty, 64, RIGHTS_ALL, 1), ERR_FAILED_LOOKUP);
    CHECK_EQ(cnode_move(ROOT, dest, 64, ROOT, empty, 64), ERR_FAILED_LOOKUP);
    CHECK_EQ(cnode_mutate(ROOT, dest, 64, ROOT, empty, 64, 1), ERR_FAILED_LOOKUP);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
}

KTEST(cnode_copy_refuses_untyped_reply_and_irq_control)
{
    cptr_t reply = env_object(env, OBJ_REPLY, 0), dest = env_slot(env);
    CHECK(reply && dest);
    CHECK_EQ(cnode_copy(ROOT, dest, 64, ROOT, env->arena, 64, RIGHTS_ALL), ERR_ILLEGAL_OPERATION);
    CHECK_EQ(cnode_copy(ROOT, dest, 64, ROOT, reply, 64, RIGHTS_ALL), ERR_ILLEGAL_OPERATION);
    CHECK_EQ(cnode_copy(ROOT, dest, 64, ROOT, INIT_CAP_IRQ_CONTROL, 64, RIGHTS_ALL),
             ERR_ILLEGAL_OPERATION);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
}

KTEST(cnode_invocations_check_their_arguments)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), dest = env_slot(env);
    CHECK(ep && dest);
    /* four arguments where Copy needs five */
    struct sys_result r = invoke(ROOT, CNODE_COPY, (uint64_t[]){ dest, 64, ep, 64 }, 4,
                                 (cptr_t[]){ ROOT }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    /* the source root missing */
    r = invoke(ROOT, CNODE_COPY, (uint64_t[]){ dest, 64, ep, 64, RIGHTS_ALL }, 5, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    /* the source root not a CNode */
    CHECK_EQ(cnode_copy(ROOT, dest, 64, ep, ep, 64, RIGHTS_ALL), ERR_INVALID_CAPABILITY);
    r = invoke(ROOT, CNODE_DELETE, (uint64_t[]){ ep }, 1, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    r = invoke(ROOT, UNTYPED_RETYPE, NULL, 0, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_ILLEGAL_OPERATION);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(ep), OBJ_ENDPOINT);
}

KTEST(cnode_depth_outside_1_to_64_is_range_error)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), dest = env_slot(env);
    CHECK_EQ(cnode_delete(ROOT, ep, 0), ERR_RANGE);
    CHECK_EQ(cnode_delete(ROOT, ep, 65), ERR_RANGE);
    CHECK_EQ(cnode_copy(ROOT, dest, 64, ROOT, ep, 0, RIGHTS_ALL), ERR_RANGE);
    CHECK_EQ(cnode_revoke(ROOT, ep, 100), ERR_RANGE);
    CHECK_EQ(sys_debug_cap_identify(ep), OBJ_ENDPOINT);
}

KTEST(cnode_depth_short_of_guard_and_radix_fails_lookup)
{
    /* The root CNode resolves 52 guard bits and 12 radix bits: 63 is one short. */
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    struct sys_result r = invoke(ROOT, CNODE_DELETE, (uint64_t[]){ ep, 63 }, 2, NULL, 0, NULL, 0);
    CHECK_EQ(r.error, ERR_FAILED_LOOKUP);
    CHECK_EQ(r.detail, 63);
    /* a cptr with a bit set in the guard */
    CHECK_EQ(cnode_delete(ROOT, ep | (1UL << 40), 64), ERR_FAILED_LOOKUP);
    CHECK_EQ(sys_debug_cap_identify(ep), OBJ_ENDPOINT);
}

KTEST(cnode_mint_badges_an_unbadged_cap)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, n, RIGHTS_ALL, 0x30);
    CHECK(n && b);
    CHECK_EQ(signal_and_poll(b, n), 0x30);
    CHECK_EQ(signal_and_poll(n, n), 1); /* the original stays unbadged */
}

KTEST(cnode_mint_of_badged_cap_keeps_old_badge)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b5 = env_mint(env, n, RIGHTS_ALL, 5);
    CHECK(n && b5);
    cptr_t again = env_mint(env, b5, RIGHTS_ALL, 9);
    CHECK(again);
    CHECK_EQ(signal_and_poll(again, n), 5);
}

KTEST(cnode_mint_badge_zero_leaves_cap_unbadged)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t c = env_mint(env, n, RIGHTS_ALL, 0);
    CHECK(n && c);
    CHECK_EQ(signal_and_poll(c, n), 1);
}

KTEST(cnode_mint_masks_rights)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t wait_only = env_mint(env, n, RIGHT_READ, 4);
    CHECK(n && wait_only);
    CHECK_EQ(sys_signal(wait_only), ERR_INSUFFICIENT_RIGHTS);
    CHECK_OK(sys_poll(wait_only).error);
}

KTEST(cnode_revoke_original_removes_badged_copies)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b1 = env_mint(env, n, RIGHTS_ALL, 1), b2 = env_mint(env, n, RIGHTS_ALL, 2);
    CHECK(n && b1 && b2);
    cptr_t c1 = env_mint(env, b1, RIGHTS_ALL, 0), plain = env_mint(env, n, RIGHTS_ALL, 0);
    CHECK(c1 && plain);
    CHECK_OK(cnode_revoke(ROOT, n, 64));
    CHECK_EQ(sys_debug_cap_identify(b1), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(b2), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(c1), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(plain), CAP_NULL);
    CHECK_EQ(sys_signal(b1), ERR_INVALID_CAPABILITY); /* a revoked capability is no capability */
    CHECK_EQ(sys_debug_cap_identify(n), OBJ_NOTIFICATION);
    CHECK_EQ(signal_and_poll(n, n), 1);
}

KTEST(cnode_revoke_badged_cap_removes_only_its_copies)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b1 = env_mint(env, n, RIGHTS_ALL, 1), b2 = env_mint(env, n, RIGHTS_ALL, 2);
    CHECK(n && b1 && b2);
    cptr_t c1 = env_mint(env, b1, RIGHTS_ALL, 0), c2 = env_mint(env, b2, RIGHTS_ALL, 0);
    CHECK(c1 && c2);
    CHECK_OK(cnode_revoke(ROOT, b1, 64));
    CHECK_EQ(sys_debug_cap_identify(c1), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(b1), OBJ_NOTIFICATION);
    CHECK_EQ(sys_debug_cap_identify(b2), OBJ_NOTIFICATION);
    CHECK_EQ(signal_and_poll(c2, n), 2);
}

KTEST(cnode_revoke_with_no_children_changes_nothing)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0), b = env_slot(env);
    CHECK_OK(cnode_copy(ROOT, b, 64, ROOT, n, 64, RIGHTS_ALL));
    CHECK_OK(cnode_revoke(ROOT, b, 64)); /* a plain copy is no one's parent */
    CHECK_EQ(sys_debug_cap_identify(n), OBJ_NOTIFICATION);
    CHECK_EQ(sys_debug_cap_identify(b), OBJ_NOTIFICATION);
    CHECK_OK(cnode_revoke(ROOT, env_slot(env), 64)); /* nor is an empty slot */
}

KTEST(cnode_delete_empties_the_slot_and_is_idempotent)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0), c = env_slot(env);
    CHECK_OK(cnode_copy(ROOT, c, 64, ROOT, n, 64, RIGHTS_ALL));
    CHECK_OK(cnode_delete(ROOT, c, 64));
    CHECK_EQ(sys_debug_cap_identify(c), CAP_NULL);
    CHECK_OK(cnode_delete(ROOT, c, 64));
    CHECK_EQ(signal_and_poll(n, n), 1); /* the object lives on in its other capability */
}

KTEST(cnode_move_moves_the_capability)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, n, RIGHTS_ALL, 8), dest = env_slot(env);
    CHECK(n && b && dest);
    CHECK_OK(cnode_move(ROOT, dest, 64, ROOT, b, 64));
    CHECK_EQ(sys_debug_cap_identify(b), CAP_NULL);
    CHECK_EQ(signal_and_poll(dest, n), 8);
    /* it keeps its place in the derivation tree: revoking the original still removes it */
    CHECK_OK(cnode_revoke(ROOT, n, 64));
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
}

KTEST(cnode_mutate_badges_while_moving)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0), c = env_slot(env), dest = env_slot(env),
           dest2 = env_slot(env);
    CHECK_OK(cnode_copy(ROOT, c, 64, ROOT, n, 64, RIGHTS_ALL));
    CHECK_OK(cnode_mutate(ROOT, dest, 64, ROOT, c, 64, 7));
    CHECK_EQ(sys_debug_cap_identify(c), CAP_NULL);
    CHECK_EQ(signal_and_poll(dest, n), 7);
    /* mutating a badged cap keeps its badge */
    CHECK_OK(cnode_mutate(ROOT, dest2, 64, ROOT, dest, 64, 9));
    CHECK_EQ(signal_and_poll(dest2, n), 7);
}

KTEST(cnode_mint_and_mutate_refuse_bad_guards)
{
    cptr_t c = env_object(env, OBJ_CNODE, 4), dest = env_slot(env);
    CHECK(c && dest);
    CHECK_EQ(cnode_mint(ROOT, dest, 64, ROOT, c, 64, RIGHTS_ALL, cnode_guard_data(0, 61)),
             ERR_INVALID_ARGUMENT); /* 61 + 4 > 64 bits */
    CHECK_EQ(cnode_mint(ROOT, dest, 64, ROOT, c, 64, RIGHTS_ALL, cnode_guard_data(0x10, 4)),
             ERR_INVALID_ARGUMENT); /* the guard is wider than its size */
    CHECK_EQ(cnode_mutate(ROOT, dest, 64, ROOT, c, 64, cnode_guard_data(0, 63)),
             ERR_INVALID_ARGUMENT);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(c), OBJ_CNODE); /* a refused Mutate leaves the source */
    CHECK_OK(cnode_mint(ROOT, dest, 64, ROOT, c, 64, RIGHTS_ALL, cnode_guard_data(0xf, 4)));
    /* the longest guard: with the radix, all 64 bits, so the CNode is a whole CSpace */
    CHECK_OK(cnode_mint(ROOT, env_slot(env), 64, ROOT, c, 64, RIGHTS_ALL, cnode_guard_data(0, 60)));
}

/*
 * Two levels: L1 (radix 4) holds L2 (radix 4) at slot 3 under an 8-bit guard
 * 0xab. From L1, L2's slot s is 3 . ab . s: 16 bits.
 */
#define L2_SLOT 3
#define L2_GUARD 0xab
static uint64_t two_level_index(unsigned s)
{
    return (L2_SLOT << 12) | (L2_GUARD << 4) | s;
}

static bool make_two_levels(struct env *env, cptr_t *l1, cptr_t *l2)
{
    *l1 = env_object(env, OBJ_CNODE, 4);
    *l2 = env_object(env, OBJ_CNODE, 4);
    return *l1 && *l2 &&
           cnode_mint(*l1, L2_SLOT, 4, ROOT, *l2, 64, RIGHTS_ALL, cnode_guard_data(L2_GUARD, 8)) ==
               0;
}

KTEST(cnode_two_level_guarded_lookup_reaches_second_level)
{
    cptr_t l1, l2, back = env_slot(env), ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(make_two_levels(env, &l1, &l2) && ep && back);
    CHECK_OK(cnode_copy(l1, two_level_index(5), 16, ROOT, ep, 64, RIGHTS_ALL));
    CHECK_OK(cnode_copy(ROOT, back, 64, l1, two_level_index(5), 16, RIGHTS_ALL));
    CHECK_EQ(sys_debug_cap_identify(back), OBJ_ENDPOINT);
    /* the same slot straight from L2 (no guard on L2's own capability) */
    CHECK_EQ(cnode_copy(l2, 5, 4, ROOT, ep, 64, RIGHTS_ALL), ERR_DELETE_FIRST);
    CHECK_OK(cnode_delete(l1, two_level_index(5), 16));
    CHECK_EQ(cnode_copy(ROOT, env_slot(env), 64, l2, 5, 4, RIGHTS_ALL), ERR_FAILED_LOOKUP);
}

KTEST(cnode_two_level_lookup_refuses_wrong_guard_and_depth)
{
    cptr_t l1, l2, ep = env_object(env, OBJ_ENDPOINT, 0), dest = env_slot(env);
    CHECK(make_two_levels(env, &l1, &l2) && ep && dest);
    CHECK_OK(cnode_copy(l1, two_level_index(5), 16, ROOT, ep, 64, RIGHTS_ALL));
    uint64_t wrong_guard = (L2_SLOT << 12) | (0xac << 4) | 5;
    CHECK_EQ(cnode_copy(ROOT, dest, 64, l1, wrong_guard, 16, RIGHTS_ALL), ERR_FAILED_LOOKUP);
    /* 15 bits: L2 needs 12 but only 11 are left after L1 */
    CHECK_EQ(cnode_copy(ROOT, dest, 64, l1, two_level_index(5) >> 1, 15, RIGHTS_ALL),
             ERR_FAILED_LOOKUP);
    /* 17 bits: one bit left over at an endpoint, which is no CNode */
    struct sys_result r =
        invoke(ROOT, CNODE_COPY, (uint64_t[]){ dest, 64, two_level_index(5) << 1, 17, RIGHTS_ALL },
               5, (cptr_t[]){ l1 }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_FAILED_LOOKUP);
    CHECK_EQ(r.detail, 1);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
    /* 4 bits stop at L1's slot 3: the L2 capability itself */
    CHECK_OK(cnode_copy(ROOT, dest, 64, l1, L2_SLOT, 4, RIGHTS_ALL));
    CHECK_EQ(sys_debug_cap_identify(dest), OBJ_CNODE);
}

KTEST(cnode_copy_of_cnode_keeps_its_guard)
{
    cptr_t l1, l2, c = env_slot(env), ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(make_two_levels(env, &l1, &l2) && c && ep);
    CHECK_OK(cnode_copy(ROOT, c, 64, l1, L2_SLOT, 4, RIGHTS_ALL));
    /* through the copy, slot 6 of L2 is guard . 6: 12 bits */
    CHECK_OK(cnode_copy(c, (L2_GUARD << 4) | 6, 12, ROOT, ep, 64, RIGHTS_ALL));
    CHECK_EQ(cnode_copy(c, 6, 4, ROOT, ep, 64, RIGHTS_ALL), ERR_FAILED_LOOKUP);
    CHECK_EQ(cnode_copy(l2, 6, 4, ROOT, ep, 64, RIGHTS_ALL), ERR_DELETE_FIRST);
}

/* A thread whose CSpace is L1 with a 48-bit guard: 48 + 4 + 8 + 4 = 64 bits to a slot of L2. */
#define CSPACE_GUARD 0x1234UL
static uint64_t thread_cptr(unsigned guard2, unsigned s)
{
    return (CSPACE_GUARD << 16) | (L2_SLOT << 12) | (guard2 << 4) | s;
}

static void guarded_signaller(uint64_t arg)
{
    (void)arg;
    g_result[0] = sys_signal(thread_cptr(L2_GUARD, 5));
    g_result[1] = sys_signal(thread_cptr(0xac, 5));                   /* wrong second guard */
    g_result[2] = sys_signal(thread_cptr(L2_GUARD, 5) ^ (1UL << 40)); /* wrong first guard */
    g_result[3] = 1;
    for (;;)
        sys_wait(thread_cptr(L2_GUARD, 6)); /* a notification nobody signals */
}

KTEST(cspace_guarded_lookup_for_system_calls)
{
    cptr_t l1, l2, n = env_object(env, OBJ_NOTIFICATION, 0),
                   park = env_object(env, OBJ_NOTIFICATION, 0);
    struct helper h;
    CHECK(make_two_levels(env, &l1, &l2) && n && park);
    CHECK_OK(cnode_copy(l2, 5, 4, ROOT, n, 64, RIGHTS_ALL));
    CHECK_OK(cnode_copy(l2, 6, 4, ROOT, park, 64, RIGHTS_ALL));
    g_result[3] = 0;
    CHECK(env_thread_prepare(env, &h, guarded_signaller, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_set_space(h.tcb, 0, l1, cnode_guard_data(CSPACE_GUARD, 48), INIT_CAP_VSPACE));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_result[3], 1);
    CHECK_OK(g_result[0]);
    CHECK_EQ(g_result[1], ERR_INVALID_CAPABILITY);
    CHECK_EQ(g_result[2], ERR_INVALID_CAPABILITY);
    CHECK_EQ(sys_poll(n).badge, 1); /* exactly one signal arrived */
}

static void receiver(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    g_result[0] = sys_recv(g_ep, mr, 0).error;
}

/* A helper blocked in Recv on a fresh endpoint (g_ep), before anything else happens to it. */
static bool blocked_receiver(struct env *env)
{
    struct helper h;
    g_result[0] = 99;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    return g_ep && env_thread(env, &h, receiver, 0, MAIN_PRIORITY + 1) && g_result[0] == 99;
}

KTEST(cnode_deleting_last_cap_to_cnode_destroys_what_it_holds)
{
    cptr_t c = env_object(env, OBJ_CNODE, 2);
    CHECK(c && blocked_receiver(env));
    CHECK_OK(cnode_move(c, 1, 2, ROOT, g_ep, 64));
    CHECK_EQ(g_result[0], 99);
    CHECK_OK(cnode_delete(ROOT, c, 64));
    CHECK_EQ(g_result[0], ERR_CANCELLED);
}

KTEST(cnode_holding_itself_is_freed_by_revoking_its_untyped)
{
    cptr_t u = env_object(env, OBJ_UNTYPED, 16), c = env_slot(env), big = env_slot(env);
    CHECK(u && c && big && blocked_receiver(env));
    CHECK_OK(untyped_retype(u, OBJ_CNODE, 2, ROOT, 0, 0, c, 1));
    CHECK_OK(cnode_copy(c, 0, 2, ROOT, c, 64, RIGHTS_ALL));
    CHECK_OK(cnode_move(c, 1, 2, ROOT, g_ep, 64));
    /* not the last capability: the CNode keeps itself, and the endpoint, alive */
    CHECK_OK(cnode_delete(ROOT, c, 64));
    CHECK_EQ(g_result[0], 99);
    CHECK_OK(cnode_revoke(ROOT, u, 64));
    CHECK_EQ(g_result[0], ERR_CANCELLED);
    /* nothing of it is left: the whole untyped can be carved again */
    CHECK_OK(untyped_retype(u, OBJ_UNTYPED, 16, ROOT, 0, 0, big, 1));
}

KTEST(cnode_deep_chain_is_deleted_without_recursion)
{
    enum { DEPTH = 1000 };
    cptr_t u = env_object(env, OBJ_UNTYPED, 20), head = env_slot(env), next = env_slot(env),
           big = env_slot(env);
    CHECK(u && head && next && big && blocked_receiver(env));
    /* The deepest CNode holds the endpoint; each one above holds the one below in slot 0. */
    CHECK_OK(untyped_retype(u, OBJ_CNODE, 1, ROOT, 0, 0, head, 1));
    CHECK_OK(cnode_move(head, 1, 1, ROOT, g_ep, 64));
    for (int i = 1; i < DEPTH; i++) {
        CHECK_OK(untyped_retype(u, OBJ_CNODE, 1, ROOT, 0, 0, next, 1));
        CHECK_OK(cnode_move(next, 0, 1, ROOT, head, 64));
        CHECK_OK(cnode_move(ROOT, head, 64, ROOT, next, 64));
    }
    CHECK_EQ(g_result[0], 99);
    CHECK_OK(cnode_delete(ROOT, head, 64));
    CHECK_EQ(g_result[0], ERR_CANCELLED);
    CHECK_OK(untyped_retype(u, OBJ_UNTYPED, 20, ROOT, 0, 0, big, 1));
}

KTEST(cnode_deleting_tcb_destroys_the_cspace_only_it_holds)
{
    cptr_t c = env_object(env, OBJ_CNODE, 2), t = env_object(env, OBJ_TCB, 0);
    CHECK(c && t && blocked_receiver(env));
    CHECK_OK(cnode_move(c, 1, 2, ROOT, g_ep, 64));
    CHECK_OK(tcb_configure(t, 0, c, 0, INIT_CAP_VSPACE, 0, 0));
    CHECK_OK(cnode_delete(ROOT, c, 64));
    CHECK_EQ(g_result[0], 99); /* the TCB still holds the CNode */
    CHECK_OK(cnode_delete(ROOT, t, 64));
    CHECK_EQ(g_result[0], ERR_CANCELLED);
}

KTEST(cnode_revoking_untyped_destroys_everything_made_from_it)
{
    cptr_t u = env_object(env, OBJ_UNTYPED, 16), n = env_slot(env), c = env_slot(env),
           t = env_slot(env);
    CHECK(u && n && c && t && blocked_receiver(env));
    CHECK_OK(untyped_retype(u, OBJ_NOTIFICATION, 0, ROOT, 0, 0, n, 1));
    CHECK_OK(untyped_retype(u, OBJ_CNODE, 3, ROOT, 0, 0, c, 1));
    CHECK_OK(untyped_retype(u, OBJ_TCB, 0, ROOT, 0, 0, t, 1));
    /* the endpoint's only capability moves into a CNode made from u */
    CHECK_OK(cnode_move(c, 0, 3, ROOT, g_ep, 64));
    cptr_t badged = env_mint(env, n, RIGHTS_ALL, 3);
    CHECK(badged);
    CHECK_OK(cnode_revoke(ROOT, u, 64));
    CHECK_EQ(g_result[0], ERR_CANCELLED);
    CHECK_EQ(sys_debug_cap_identify(n), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(c), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(t), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(badged), CAP_NULL);
    CHECK_EQ(tcb_suspend(t), ERR_INVALID_CAPABILITY);
    CHECK_EQ(sys_poll(n).error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(sys_debug_cap_identify(u), OBJ_UNTYPED);
}

KTEST(cnode_tcb_and_cspace_holding_each_other_are_freed_by_revoke)
{
    cptr_t u = env_object(env, OBJ_UNTYPED, 16), t = env_slot(env), c = env_slot(env),
           big = env_slot(env);
    CHECK(u && t && c && big && blocked_receiver(env));
    CHECK_OK(untyped_retype(u, OBJ_TCB, 0, ROOT, 0, 0, t, 1));
    CHECK_OK(untyped_retype(u, OBJ_CNODE, 2, ROOT, 0, 0, c, 1));
    CHECK_OK(tcb_configure(t, 0, c, 0, INIT_CAP_VSPACE, 0, 0));
    CHECK_OK(cnode_copy(c, 0, 2, ROOT, t, 64, RIGHTS_ALL));
    CHECK_OK(cnode_move(c, 1, 2, ROOT, g_ep, 64));
    /* each keeps the other alive once our capabilities are gone */
    CHECK_OK(cnode_delete(ROOT, c, 64));
    CHECK_OK(cnode_delete(ROOT, t, 64));
    CHECK_EQ(g_result[0], 99);
    CHECK_OK(cnode_revoke(ROOT, u, 64));
    CHECK_EQ(g_result[0], ERR_CANCELLED);
    CHECK_OK(untyped_retype(u, OBJ_UNTYPED, 16, ROOT, 0, 0, big, 1));
}
