/* VSpace roots and the ASID table that frames and page tables find them through. */
#include <arch/stage2.h>
#include <arch/thread_switch.h>
#include <cella/vspace.h>

pte_t *asid_roots[ASID_COUNT];
static unsigned asid_hint = 1;

bool vspace_asids_available(word_t count)
{
    word_t free = 0;
    for (unsigned a = 1; a < ASID_COUNT && free < count; a++)
        free += asid_roots[a] == NULL;
    return free >= count;
}

unsigned vspace_init(pte_t *root)
{
    for (unsigned i = 0; i < ASID_COUNT - 1; i++) {
        unsigned a = 1 + (asid_hint - 1 + i) % (ASID_COUNT - 1);
        if (!asid_roots[a]) {
            asid_roots[a] = root;
            asid_hint = a + 1;
            return a;
        }
    }
    return 0; /* not reached: Untyped_Retype checked there is one */
}

void vspace_destroy(pte_t *root, unsigned asid)
{
    if (vspace_lookup(asid) != root)
        return;
    vmid_release(asid);
    asid_roots[asid] = NULL;
    /* The thread running may have used this VSpace: it must not go on with freed tables. */
    if (current_thread)
        arch_activate_vspace(current_thread);
}
