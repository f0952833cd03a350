/*
 * Memory: Frame Map, Unmap and GetAddress, PageTable Map and Unmap, stage-2
 * protection, and threads in VSpaces of their own.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static volatile uint64_t *at(uint64_t vaddr)
{
    return (volatile uint64_t *)(uintptr_t)vaddr;
}

KTEST(vspace_frame_address_is_physical_and_aligned)
{
    cptr_t a = env_object(env, OBJ_FRAME_4K, 0), b = env_object(env, OBJ_FRAME_4K, 0),
           big = env_object(env, OBJ_FRAME_2M, 0);
    uint64_t pa, pb, pbig;
    CHECK(a && b && big);
    CHECK_OK(frame_get_address(a, &pa));
    CHECK_OK(frame_get_address(b, &pb));
    CHECK_OK(frame_get_address(big, &pbig));
    CHECK_EQ(pa & 0xfff, 0);
    CHECK_EQ(pb, pa + 4096); /* carved one after the other */
    CHECK_EQ(pbig & 0x1fffff, 0);
    CHECK(pa >= 0x40000000 && pa < 0x80000000); /* in RAM */
}

KTEST(vspace_frame_map_checks_alignment_and_range)
{
    cptr_t f = env_object(env, OBJ_FRAME_4K, 0), big = env_object(env, OBJ_FRAME_2M, 0);
    CHECK(f && big);
    CHECK_EQ(frame_map(f, INIT_CAP_VSPACE, 0x50000800, VM_READ, 0), ERR_ALIGNMENT);
    CHECK_EQ(frame_map(big, INIT_CAP_VSPACE, 0x60001000, VM_READ, 0), ERR_ALIGNMENT);
    CHECK_EQ(frame_map(f, INIT_CAP_VSPACE, 1UL << 39, VM_READ, 0), ERR_RANGE);
    CHECK_EQ(frame_map(big, INIT_CAP_VSPACE, 1UL << 40, VM_READ, 0), ERR_RANGE);
}

KTEST(vspace_2m_frame_maps_at_2m_aligned_address)
{
    cptr_t big = env_object(env, OBJ_FRAME_2M, 0), small = env_object(env, OBJ_FRAME_4K, 0);
    CHECK(big && small);
    CHECK_OK(env_map_at(env, big, INIT_CAP_VSPACE, 0x60000000, VM_READ | VM_WRITE, 0));
    volatile uint64_t *p = at(0x60000000);
    p[0] = 1;
    p[(1 << 20) / 8] = 2;     /* a megabyte in */
    p[(2 << 20) / 8 - 1] = 3; /* its last word */
    CHECK_EQ(p[0] + p[(1 << 20) / 8] + p[(2 << 20) / 8 - 1], 6);
    /* a 4 KiB page where the 2 MiB block is: no table there */
    CHECK_EQ(frame_map(small, INIT_CAP_VSPACE, 0x60001000, VM_READ, 0), ERR_FAILED_LOOKUP);
    CHECK_EQ(env_probe(env, 0x60200000, false, NULL, NULL), FAULT_VM); /* the next 2 MiB */
}

KTEST(vspace_remapping_a_mapped_frame_cap_is_illegal)
{
    cptr_t f;
    uint64_t va = env_map_page(env, &f, VM_READ | VM_WRITE);
    CHECK(va);
    CHECK_EQ(frame_map(f, INIT_CAP_VSPACE, va + 4096, VM_READ, 0), ERR_ILLEGAL_OPERATION);
    CHECK_EQ(frame_map(f, INIT_CAP_VSPACE, va, VM_READ, 0), ERR_ILLEGAL_OPERATION);
}

KTEST(vspace_mapping_over_a_mapped_page_is_delete_first)
{
    cptr_t f, g = env_object(env, OBJ_FRAME_4K, 0);
    uint64_t va = env_map_page(env, &f, VM_READ | VM_WRITE);
    CHECK(va && g);
    *at(va) = 42;
    CHECK_EQ(frame_map(g, INIT_CAP_VSPACE, va, VM_READ | VM_WRITE, 0), ERR_DELETE_FIRST);
    CHECK_EQ(*at(va), 42); /* still the first frame */
}

KTEST(vspace_mapping_without_page_table_is_failed_lookup)
{
    cptr_t vs = env_object(env, OBJ_VSPACE, 0), f = env_object(env, OBJ_FRAME_4K, 0),
           big = env_object(env, OBJ_FRAME_2M, 0);
    CHECK(vs && f && big);
    struct sys_result r =
        invoke(f, FRAME_MAP, (uint64_t[]){ 0x400000, VM_READ, 0 }, 3, (cptr_t[]){ vs }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_FAILED_LOOKUP);
    CHECK_EQ(r.detail, 2); /* the level-2 table is missing */
    CHECK_EQ(frame_map(big, vs, 0x400000, VM_READ, 0), ERR_FAILED_LOOKUP);
    cptr_t pt = env_object(env, OBJ_PAGE_TABLE, 0);
    CHECK_OK(page_table_map(pt, vs, 0x400000));
    r = invoke(f, FRAME_MAP, (uint64_t[]){ 0x400000, VM_READ, 0 }, 3, (cptr_t[]){ vs }, 1, NULL, 0);
    CHECK_EQ(r.error, ERR_FAILED_LOOKUP);
    CHECK_EQ(r.detail, 3);
    CHECK_OK(frame_map(big, vs, 0x400000, VM_READ, 0)); /* a block needs no level-3 table */
}

KTEST(vspace_frame_map_checks_caps_and_arguments)
{
    cptr_t f = env_object(env, OBJ_FRAME_4K, 0), ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(f && ep);
    CHECK_EQ(frame_map(f, ep, 0x50000000, VM_READ, 0), ERR_INVALID_CAPABILITY);
    CHECK_EQ(
        invoke(f, FRAME_MAP, (uint64_t[]){ 0x50000000, VM_READ, 0 }, 3, NULL, 0, NULL, 0).error,
        ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(f, FRAME_MAP, (uint64_t[]){ 0x50000000, VM_READ }, 2,
                    (cptr_t[]){ INIT_CAP_VSPACE }, 1, NULL, 0)
                 .error,
             ERR_TRUNCATED_MESSAGE);
    CHECK_EQ(invoke(f, PAGE_TABLE_MAP, NULL, 0, NULL, 0, NULL, 0).error, ERR_ILLEGAL_OPERATION);
    CHECK_EQ(invoke(INIT_CAP_VSPACE, FRAME_MAP, NULL, 0, NULL, 0, NULL, 0).error,
             ERR_ILLEGAL_OPERATION);
}

KTEST(vspace_mapping_needs_rights)
{
    cptr_t f = env_object(env, OBJ_FRAME_4K, 0);
    cptr_t none = env_mint(env, f, 0, 0);
    CHECK(f && none);
    CHECK_EQ(frame_map(none, INIT_CAP_VSPACE, 0x50000000, VM_READ | VM_WRITE, 0),
             ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(frame_map(f, INIT_CAP_VSPACE, 0x50000000, VM_EXECUTE, 0), ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(frame_map(f, INIT_CAP_VSPACE, 0x50000000, 0, 0), ERR_INSUFFICIENT_RIGHTS);
}

KTEST(vspace_read_only_cap_maps_read_only)
{
    cptr_t f = env_object(env, OBJ_FRAME_4K, 0);
    cptr_t ro = env_mint(env, f, RIGHT_READ, 0);
    CHECK(f && ro);
    uint64_t va = env_map_frame(env, ro, VM_READ | VM_WRITE, 0);
    CHECK(va);
    uint64_t value = 0;
    CHECK_EQ(env_probe(env, va, false, &value, NULL), FAULT_NONE);
    value = 9;
    struct fault_msg m;
    CHECK_EQ(env_probe(env, va, true, &value, &m), FAULT_VM);
    CHECK(m.mr[3] & ESR_WNR);
    CHECK_EQ(*at(va), 0);
}

KTEST(vspace_unmapped_frame_is_gone)
{
    cptr_t f;
    uint64_t va = env_map_page(env, &f, VM_READ | VM_WRITE), value = 0;
    CHECK(va);
    *at(va) = 77;
    CHECK_EQ(env_probe(env, va, false, &value, NULL), FAULT_NONE);
    CHECK_EQ(value, 77);
    CHECK_OK(frame_unmap(f));
    struct fault_msg m;
    CHECK_EQ(env_probe(env, va, false, NULL, &m), FAULT_VM);
    CHECK_EQ(m.mr[1], va);
    CHECK_OK(frame_unmap(f)); /* unmapping twice is harmless */
    /* mapped again, its contents are still there */
    CHECK_OK(frame_map(f, INIT_CAP_VSPACE, va, VM_READ, 0));
    CHECK_EQ(*at(va), 77);
}

KTEST(vspace_deleting_a_mapped_frame_cap_unmaps_it)
{
    cptr_t f;
    uint64_t va = env_map_page(env, &f, VM_READ | VM_WRITE);
    CHECK(va);
    CHECK_OK(cnode_delete(ROOT, f, 64));
    CHECK_EQ(env_probe(env, va, false, NULL, NULL), FAULT_VM);
}

KTEST(vspace_copy_of_mapped_frame_maps_elsewhere_sharing_memory)
{
    cptr_t f, copy = env_slot(env);
    uint64_t va = env_map_page(env, &f, VM_READ | VM_WRITE);
    CHECK(va && copy);
    CHECK_OK(cnode_copy(ROOT, copy, 64, ROOT, f, 64, RIGHTS_ALL));
    uint64_t vb = env_map_frame(env, copy, VM_READ | VM_WRITE, 0); /* the copy is not mapped */
    CHECK(vb);
    *at(va) = 0xabc;
    CHECK_EQ(*at(vb), 0xabc);
    CHECK_OK(cnode_delete(ROOT, copy, 64)); /* takes its own mapping only */
    CHECK_EQ(env_probe(env, vb, false, NULL, NULL), FAULT_VM);
    CHECK_EQ(*at(va), 0xabc);
}

KTEST(vspace_moved_frame_cap_keeps_its_mapping)
{
    cptr_t f, moved = env_slot(env);
    uint64_t va = env_map_page(env, &f, VM_READ | VM_WRITE);
    CHECK(va && moved);
    CHECK_OK(cnode_move(ROOT, moved, 64, ROOT, f, 64));
    *at(va) = 5;
    CHECK_OK(frame_unmap(moved));
    CHECK_EQ(env_probe(env, va, false, NULL, NULL), FAULT_VM);
}

KTEST(vspace_page_table_map_checks)
{
    cptr_t pt = env_object(env, OBJ_PAGE_TABLE, 0), pt2 = env_object(env, OBJ_PAGE_TABLE, 0),
           pt3 = env_object(env, OBJ_PAGE_TABLE, 0), vs = env_object(env, OBJ_VSPACE, 0),
           ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(pt && pt2 && pt3 && vs && ep);
    CHECK_EQ(page_table_map(pt, ep, 0x400000), ERR_INVALID_CAPABILITY);
    CHECK_EQ(page_table_map(pt, vs, 1UL << 39), ERR_RANGE);
    CHECK_EQ(invoke(pt, PAGE_TABLE_MAP, (uint64_t[]){ 0x400000 }, 1, NULL, 0, NULL, 0).error,
             ERR_TRUNCATED_MESSAGE);
    CHECK_OK(page_table_map(pt, vs, 0x400000));                        /* level 2 */
    CHECK_EQ(page_table_map(pt, vs, 0x800000), ERR_ILLEGAL_OPERATION); /* already mapped */
    CHECK_OK(page_table_map(pt2, vs, 0x400000));                       /* level 3 */
    CHECK_EQ(page_table_map(pt3, vs, 0x400000), ERR_DELETE_FIRST);     /* nothing left to add */
    CHECK_OK(page_table_map(pt3, vs, 0x600000)); /* the next 2 MiB has room for one */
    CHECK_EQ(invoke(pt, FRAME_MAP, NULL, 0, NULL, 0, NULL, 0).error, ERR_ILLEGAL_OPERATION);
}

KTEST(vspace_page_table_where_a_block_is_mapped_is_delete_first)
{
    cptr_t pt = env_object(env, OBJ_PAGE_TABLE, 0), pt2 = env_object(env, OBJ_PAGE_TABLE, 0),
           vs = env_object(env, OBJ_VSPACE, 0), big = env_object(env, OBJ_FRAME_2M, 0);
    CHECK(pt && pt2 && vs && big);
    CHECK_OK(page_table_map(pt, vs, 0x400000));
    CHECK_OK(frame_map(big, vs, 0x400000, VM_READ, 0));
    CHECK_EQ(page_table_map(pt2, vs, 0x400000), ERR_DELETE_FIRST);
}

KTEST(vspace_page_table_unmap_takes_its_pages_away)
{
    cptr_t vs = env_object(env, OBJ_VSPACE, 0), l2 = env_object(env, OBJ_PAGE_TABLE, 0),
           l3 = env_object(env, OBJ_PAGE_TABLE, 0), f = env_object(env, OBJ_FRAME_4K, 0),
           g = env_object(env, OBJ_FRAME_4K, 0);
    CHECK(vs && l2 && l3 && f && g);
    CHECK_OK(page_table_map(l2, vs, 0x400000));
    CHECK_OK(page_table_map(l3, vs, 0x400000));
    CHECK_OK(frame_map(f, vs, 0x400000, VM_READ, 0));
    CHECK_OK(page_table_unmap(l3));
    CHECK_OK(page_table_unmap(l3)); /* twice is harmless */
    /* mapped again, the table comes back empty */
    CHECK_OK(page_table_map(l3, vs, 0x400000));
    CHECK_OK(frame_map(g, vs, 0x400000, VM_READ, 0));
    /* f's capability still names its old mapping: unmap it first */
    CHECK_EQ(frame_map(f, vs, 0x401000, VM_READ, 0), ERR_ILLEGAL_OPERATION);
    CHECK_OK(frame_unmap(f));
    CHECK_OK(frame_map(f, vs, 0x401000, VM_READ, 0));
    CHECK_EQ(frame_map(g, vs, 0x401000, VM_READ, 0), ERR_ILLEGAL_OPERATION);
}

KTEST(vspace_page_table_in_use_cannot_be_unmapped_through_a_copy)
{
    cptr_t vs = env_object(env, OBJ_VSPACE, 0), l2 = env_object(env, OBJ_PAGE_TABLE, 0),
           f = env_object(env, OBJ_FRAME_2M, 0), copy = env_slot(env),
           unmapped = env_object(env, OBJ_PAGE_TABLE, 0);
    CHECK(vs && l2 && f && copy && unmapped);
    CHECK_EQ(cnode_copy(ROOT, copy, 64, ROOT, unmapped, 64, RIGHTS_ALL), ERR_ILLEGAL_OPERATION);
    CHECK_OK(page_table_map(l2, vs, 0x400000));
    CHECK_OK(cnode_copy(ROOT, copy, 64, ROOT, l2, 64, RIGHTS_ALL));
    /* with two capabilities, neither may move the table, or the other would lose track of it */
    CHECK_EQ(page_table_unmap(copy), ERR_REVOKE_FIRST);
    CHECK_EQ(page_table_unmap(l2), ERR_REVOKE_FIRST);
    CHECK_OK(cnode_delete(ROOT, copy, 64));
    CHECK_OK(frame_map(f, vs, 0x400000, VM_READ, 0)); /* still mapped */
    /* deleting the last capability takes the table, and what it maps, out of the VSpace */
    CHECK_OK(cnode_delete(ROOT, l2, 64));
    CHECK_OK(frame_unmap(f));
    CHECK_EQ(frame_map(f, vs, 0x400000, VM_READ, 0), ERR_FAILED_LOOKUP);
}

KTEST(vspace_second_vspace_thread_shares_a_frame)
{
    struct remote r;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(ep && env_remote(env, &r, 0, MAIN_PRIORITY + 1, 0));
    CHECK(env_remote_start(&r, remote_counter, (uint64_t[REMOTE_REGS]){ [11] = ep }));
    CHECK_EQ(r.shared[0], 1);
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_nb_send(ep, 0, mr).error);
    CHECK_EQ(r.shared[0], 2);
    r.shared[0] = 100;
    CHECK_OK(sys_nb_send(ep, 0, mr).error);
    CHECK_EQ(r.shared[0], 101);
}

KTEST(vspace_other_vspace_does_not_see_our_pages)
{
    struct remote r;
    struct fault_msg m;
    struct user_registers u;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), fault_ep = env_object(env, OBJ_ENDPOINT, 0),
           reply = env_object(env, OBJ_REPLY, 0);
    uint64_t mine = env_map_page(env, NULL, VM_READ | VM_WRITE);
    CHECK(ep && fault_ep && reply && mine && env_remote(env, &r, 0, MAIN_PRIORITY + 1, fault_ep));
    *at(mine) = 0x5eed;
    r.shared[3] = 0x77;
    /* its own view of the shared page works */
    CHECK(env_remote_start(&r, remote_load,
                           (uint64_t[REMOTE_REGS]){ [11] = ep, [13] = REMOTE_SHARED + 24 }));
    CHECK_EQ(r.shared[2], 0x77);
    CHECK_EQ(r.shared[0], 1);
    /* a page only we have mapped is not there for it */
    CHECK_OK(tcb_suspend(r.tcb));
    CHECK(env_remote_start(&r, remote_load, (uint64_t[REMOTE_REGS]){ [11] = ep, [13] = mine }));
    CHECK(env_take_fault(fault_ep, reply, &m));
    CHECK_EQ(m.label, FAULT_VM);
    CHECK_EQ(m.mr[1], mine);
    CHECK_EQ(m.mr[2], 0);
    CHECK_EQ(r.shared[0], 1);
    CHECK_OK(tcb_read_registers(r.tcb, &u));
    CHECK_EQ(u.pc, REMOTE_CODE + (uint64_t)(remote_load - remote_code_start));
}

KTEST(vspace_deleting_second_vspace_makes_its_thread_fault)
{
    struct remote r;
    struct fault_msg m;
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0), reply = env_object(env, OBJ_REPLY, 0),
           fault_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(ep && reply && fault_ep && env_remote(env, &r, 0, MAIN_PRIORITY + 1, fault_ep));
    CHECK(env_remote_start(&r, remote_counter, (uint64_t[REMOTE_REGS]){ [11] = ep }));
    CHECK_EQ(r.shared[0], 1);
    /* its TCB holds a copy: take that away first, then delete the last capability */
    CHECK_OK(cnode_revoke(ROOT, r.vspace, 64));
    CHECK_OK(cnode_delete(ROOT, r.vspace, 64));
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_nb_send(ep, 0, mr).error);
    CHECK(env_take_fault(fault_ep, reply, &m));
    CHECK_EQ(m.label, FAULT_VM);
    CHECK_EQ(m.mr[2], 1); /* it cannot even fetch its next instruction */
    CHECK(m.mr[0] >= REMOTE_CODE && m.mr[0] < REMOTE_CODE + 4096);
    CHECK_EQ(r.shared[0], 1);
    /* the code frame's capability still names the old mapping until unmapped */
    cptr_t vs = env_object(env, OBJ_VSPACE, 0);
    CHECK(vs);
    CHECK_EQ(frame_map(r.code_frame, vs, 0, VM_READ, 0), ERR_ILLEGAL_OPERATION);
    CHECK_OK(frame_unmap(r.code_frame));
    CHECK_EQ(frame_map(r.code_frame, vs, 0, VM_READ, 0), ERR_FAILED_LOOKUP);
}

KTEST(vspace_thread_destroying_its_own_vspace_faults_at_once)
{
    struct remote r;
    struct fault_msg m;
    cptr_t u = env_object(env, OBJ_UNTYPED, 12), vs = env_slot(env),
           ep = env_object(env, OBJ_ENDPOINT, 0), fault_ep = env_object(env, OBJ_ENDPOINT, 0),
           reply = env_object(env, OBJ_REPLY, 0);
    CHECK(u && vs && ep && fault_ep && reply);
    CHECK_OK(untyped_retype(u, OBJ_VSPACE, 0, ROOT, 0, 0, vs, 1));
    CHECK(env_remote(env, &r, vs, MAIN_PRIORITY + 1, fault_ep));
    /* CNode_Revoke(root, u, 64): its VSpace goes with the untyped */
    uint64_t regs[REMOTE_REGS] = {
        [0] = ROOT, [1] = msginfo_new(CNODE_REVOKE, 0, 0, 2), [2] = u, [3] = 64, [7] = SYS_CALL,
        [11] = ep
    };
    CHECK(env_remote_start(&r, remote_syscall_then_count, regs));
    CHECK_EQ(sys_debug_cap_identify(vs), CAP_NULL);
    CHECK(env_take_fault(fault_ep, reply, &m));
    CHECK_EQ(m.label, FAULT_VM);
    CHECK_EQ(m.mr[0], REMOTE_CODE + 4); /* the instruction after its svc */
    CHECK_EQ(m.mr[2], 1);
    CHECK_EQ(r.shared[0], 0);
}
