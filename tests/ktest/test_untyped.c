/* Untyped_Retype: objects of every type, and every way a retype can be refused. */
#include "ktest.h"

KTEST(retype_every_object_type)
{
    static const unsigned types[] = { OBJ_TCB,      OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_REPLY,
                                      OBJ_FRAME_4K, OBJ_FRAME_2M, OBJ_PAGE_TABLE,   OBJ_VSPACE };
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        cptr_t c = env_object(env, types[i], 0);
        CHECK(c != 0);
        CHECK_EQ(sys_debug_cap_identify(c), types[i]);
    }
    cptr_t cnode = env_object(env, OBJ_CNODE, 4);
    CHECK(cnode != 0);
    CHECK_EQ(sys_debug_cap_identify(cnode), OBJ_CNODE);
    cptr_t ut = env_object(env, OBJ_UNTYPED, 16);
    CHECK(ut != 0);
    CHECK_EQ(sys_debug_cap_identify(ut), OBJ_UNTYPED);
}

KTEST(retype_several_at_once)
{
    cptr_t first = env_slot(env);
    for (int i = 0; i < 7; i++)
        env_slot(env);
    CHECK_OK(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, first, 8));
    for (int i = 0; i < 8; i++)
        CHECK_EQ(sys_debug_cap_identify(first + i), OBJ_ENDPOINT);
}

KTEST(retype_refuses_bad_type)
{
    cptr_t s = env_slot(env);
    CHECK_EQ(untyped_retype(env->arena, 0, 0, INIT_CAP_CNODE, 0, 0, s, 1), ERR_INVALID_ARGUMENT);
    CHECK_EQ(untyped_retype(env->arena, 99, 0, INIT_CAP_CNODE, 0, 0, s, 1), ERR_INVALID_ARGUMENT);
    CHECK_EQ(sys_debug_cap_identify(s), CAP_NULL);
}

KTEST(retype_refuses_bad_sizes)
{
    cptr_t s = env_slot(env);
    CHECK_EQ(untyped_retype(env->arena, OBJ_CNODE, 0, INIT_CAP_CNODE, 0, 0, s, 1), ERR_RANGE);
    CHECK_EQ(untyped_retype(env->arena, OBJ_CNODE, 30, INIT_CAP_CNODE, 0, 0, s, 1), ERR_RANGE);
    CHECK_EQ(untyped_retype(env->arena, OBJ_UNTYPED, 3, INIT_CAP_CNODE, 0, 0, s, 1), ERR_RANGE);
    CHECK_EQ(untyped_retype(env->arena, OBJ_UNTYPED, 60, INIT_CAP_CNODE, 0, 0, s, 1), ERR_RANGE);
}

KTEST(retype_refuses_bad_count)
{
    cptr_t s = env_slot(env);
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, s, 0), ERR_RANGE);
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, s, 1000), ERR_RANGE);
}

KTEST(retype_refuses_occupied_slot)
{
    cptr_t s = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(s);
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, s, 1),
             ERR_DELETE_FIRST);
}

KTEST(retype_refuses_slots_past_the_cnode)
{
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, 4095, 2), ERR_RANGE);
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, 5000, 1), ERR_RANGE);
}

KTEST(retype_exhausts_untyped)
{
    cptr_t small = env_object(env, OBJ_UNTYPED, 12);
    CHECK(small);
    cptr_t a = env_slot(env), b = env_slot(env);
    CHECK_OK(untyped_retype(small, OBJ_FRAME_4K, 0, INIT_CAP_CNODE, 0, 0, a, 1));
    CHECK_EQ(untyped_retype(small, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, b, 1),
             ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(untyped_retype(small, OBJ_FRAME_2M, 0, INIT_CAP_CNODE, 0, 0, b, 1),
             ERR_NOT_ENOUGH_MEMORY);
}

KTEST(retype_after_revoke_reuses_memory)
{
    cptr_t small = env_object(env, OBJ_UNTYPED, 12);
    cptr_t a = env_slot(env), b = env_slot(env);
    uint64_t first, second;
    CHECK_OK(untyped_retype(small, OBJ_FRAME_4K, 0, INIT_CAP_CNODE, 0, 0, a, 1));
    CHECK_OK(frame_get_address(a, &first));
    CHECK_OK(cnode_revoke(INIT_CAP_CNODE, small, 64));
    CHECK_EQ(sys_debug_cap_identify(a), CAP_NULL);
    CHECK_OK(untyped_retype(small, OBJ_FRAME_4K, 0, INIT_CAP_CNODE, 0, 0, b, 1));
    CHECK_OK(frame_get_address(b, &second));
    CHECK_EQ(first, second);
}

KTEST(retype_refuses_non_cnode_destination)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    cptr_t s = env_slot(env);
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, ep, 0, 0, s, 1), ERR_INVALID_CAPABILITY);
}

KTEST(retype_device_untyped_only_frames)
{
    const struct boot_info *bi = env->bi;
    cptr_t device = 0;
    for (unsigned i = 0; i < bi->untyped_count; i++)
        if (bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits >= 12)
            device = bi->untyped.start + i;
    CHECK(device);
    cptr_t s = env_slot(env);
    CHECK_EQ(untyped_retype(device, OBJ_TCB, 0, INIT_CAP_CNODE, 0, 0, s, 1), ERR_INVALID_ARGUMENT);
    CHECK_OK(untyped_retype(device, OBJ_FRAME_4K, 0, INIT_CAP_CNODE, 0, 0, s, 1));
    CHECK_OK(cnode_revoke(INIT_CAP_CNODE, device, 64));
}

KTEST(objects_are_zeroed)
{
    cptr_t frame;
    volatile uint64_t *p =
        (volatile uint64_t *)(uintptr_t)env_map_page(env, &frame, VM_READ | VM_WRITE);
    CHECK(p);
    for (unsigned i = 0; i < 512; i++)
        CHECK_EQ(p[i], 0);
}

KTEST(invalid_capability_is_refused)
{
    cptr_t empty = env_slot(env);
    CHECK_EQ(untyped_retype(empty, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, empty, 1),
             ERR_INVALID_CAPABILITY);
    CHECK_EQ(tcb_suspend(empty), ERR_INVALID_CAPABILITY);
    CHECK_EQ(untyped_retype(1UL << 40, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, empty, 1),
             ERR_INVALID_CAPABILITY);
}

KTEST(wrong_type_is_illegal_operation)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    cptr_t frame = env_object(env, OBJ_FRAME_4K, 0);
    CHECK(ep && frame);
    /* an untyped method on a frame, a TCB method on an untyped */
    CHECK_EQ(untyped_retype(frame, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, ep, 1),
             ERR_ILLEGAL_OPERATION);
    CHECK_EQ(tcb_suspend(env->arena), ERR_ILLEGAL_OPERATION);
}

KTEST(retype_into_a_cnode_named_by_index_and_depth)
{
    cptr_t c = env_object(env, OBJ_CNODE, 3);
    CHECK(c);
    /* node_index, node_depth name the CNode under the root; node_offset is a slot in it */
    CHECK_OK(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, c, 64, 5, 3));
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, c, 64, 7, 1),
             ERR_DELETE_FIRST);
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, c, 64, 8, 1), ERR_RANGE);
    CHECK_EQ(untyped_retype(env->arena, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, c, 63, 0, 1),
             ERR_FAILED_LOOKUP);
    cptr_t back = env_slot(env);
    CHECK_OK(cnode_move(INIT_CAP_CNODE, back, 64, c, 6, 3));
    CHECK_EQ(sys_debug_cap_identify(back), OBJ_ENDPOINT);
}

KTEST(retype_checks_label_and_argument_count)
{
    cptr_t s = env_slot(env);
    struct sys_result r =
        invoke(env->arena, UNTYPED_RETYPE, (uint64_t[]){ OBJ_ENDPOINT, 0, 0, 0, s }, 5,
               (cptr_t[]){ INIT_CAP_CNODE }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    r = invoke(env->arena, UNTYPED_RETYPE, (uint64_t[]){ OBJ_ENDPOINT, 0, 0, 0, s, 1 }, 6, NULL, 0,
               NULL, 0);
    CHECK_EQ(r.error, ERR_TRUNCATED_MESSAGE);
    r = invoke(env->arena, CNODE_COPY, (uint64_t[]){ OBJ_ENDPOINT, 0, 0, 0, s, 1 }, 6,
               (cptr_t[]){ INIT_CAP_CNODE }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_ILLEGAL_OPERATION);
    CHECK_EQ(sys_debug_cap_identify(s), CAP_NULL);
}

KTEST(retype_aligns_each_object_to_its_size)
{
    cptr_t small = env_object(env, OBJ_UNTYPED, 16);
    cptr_t ep = env_slot(env), frame = env_slot(env), frame2 = env_slot(env);
    uint64_t base, pa;
    CHECK(small && ep && frame && frame2);
    CHECK_OK(untyped_retype(small, OBJ_FRAME_4K, 0, INIT_CAP_CNODE, 0, 0, frame, 1));
    CHECK_OK(frame_get_address(frame, &base));
    CHECK_OK(untyped_retype(small, OBJ_ENDPOINT, 0, INIT_CAP_CNODE, 0, 0, ep, 1));
    CHECK_OK(untyped_retype(small, OBJ_FRAME_4K, 0, INIT_CAP_CNODE, 0, 0, frame2, 1));
    CHECK_OK(frame_get_address(frame2, &pa));
    CHECK_EQ(pa, base + 8192); /* past the endpoint, to the next 4 KiB boundary */
}

KTEST(retype_child_untyped_is_revoked_with_its_parent_only)
{
    cptr_t parent = env_object(env, OBJ_UNTYPED, 16), child = env_slot(env),
           in_child = env_slot(env), in_parent = env_slot(env);
    CHECK(parent && child && in_child && in_parent);
    CHECK_OK(untyped_retype(parent, OBJ_UNTYPED, 12, INIT_CAP_CNODE, 0, 0, child, 1));
    CHECK_OK(untyped_retype(child, OBJ_NOTIFICATION, 0, INIT_CAP_CNODE, 0, 0, in_child, 1));
    CHECK_OK(untyped_retype(parent, OBJ_NOTIFICATION, 0, INIT_CAP_CNODE, 0, 0, in_parent, 1));
    CHECK_OK(cnode_revoke(INIT_CAP_CNODE, child, 64));
    CHECK_EQ(sys_debug_cap_identify(in_child), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(in_parent), OBJ_NOTIFICATION);
    CHECK_OK(cnode_revoke(INIT_CAP_CNODE, parent, 64));
    CHECK_EQ(sys_debug_cap_identify(child), CAP_NULL);
    CHECK_EQ(sys_debug_cap_identify(in_parent), CAP_NULL);
}
