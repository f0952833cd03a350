/*
 * Synchronous exceptions a guest's own code raises: what a stray access
 * (a load, a store or an instruction fetch where nothing answers) and an
 * absent system register give, taken at the program's own vector table with
 * the syndrome, addresses and PSTATE hardware gives.
 */
#include "conformance.h"

#define EC_UNKNOWN 0x00
#define EC_IABT_CURRENT 0x21
#define EC_DABT_LOWER 0x24
#define EC_DABT_CURRENT 0x25
#define EC_BRK 0x3c
#define FSC(esr) ((unsigned)(esr)&0x3f)
#define FSC_EXTERNAL 0x10
#define ESR_WNR BIT(6)
#define SPSR_MODE(spsr) ((unsigned)(spsr)&0xf)
#define MODE_EL0T 0x0
#define MODE_EL1T 0x4
#define MODE_EL1H 0x5
#define DAIF_ALL (0xfUL << 6)
#define NZCV_NC 0xa0000000UL

/* One exception was taken through `vector`, with this class and, for aborts, this status. */
static bool check_taken(unsigned vector, unsigned ec, uint64_t elr)
{
    if (taken.count != 1)
        return fail("%u exceptions taken, not 1", taken.count);
    if (taken.vector != vector || EC(taken.esr) != ec)
        return fail("vector %u, ESR %#lx; wanted vector %u, class %#x", taken.vector,
                    (unsigned long)taken.esr, vector, ec);
    if (!(taken.esr & ESR_IL))
        return fail("ESR %#lx: IL clear for a 32-bit instruction", (unsigned long)taken.esr);
    if (taken.elr != elr)
        return fail("ELR %#lx, not %#lx", (unsigned long)taken.elr, (unsigned long)elr);
    if ((taken.daif & DAIF_ALL) != DAIF_ALL || taken.spsel != 1 || taken.current_el >> 2 != 1)
        return fail("handler entered with DAIF %#lx, SPSel %lu, EL%lu", (unsigned long)taken.daif,
                    (unsigned long)taken.spsel, (unsigned long)(taken.current_el >> 2));
    return true;
}

static bool check_abort(unsigned fsc, uint64_t far, bool write)
{
    if (FSC(taken.esr) != fsc)
        return fail("ESR %#lx: fault status %#x, not %#x", (unsigned long)taken.esr, FSC(taken.esr),
                    fsc);
    if (taken.far != far)
        return fail("FAR %#lx, not %#lx", (unsigned long)taken.far, (unsigned long)far);
    if (write != ((taken.esr & ESR_WNR) != 0))
        return fail("ESR %#lx: WnR says %s", (unsigned long)taken.esr, write ? "read" : "write");
    return true;
}

static bool check_saved_pstate(unsigned mode)
{
    if (SPSR_MODE(taken.spsr) != mode)
        return fail("SPSR %#lx: mode %#x, not %#x", (unsigned long)taken.spsr,
                    SPSR_MODE(taken.spsr), mode);
    return true;
}

/* A branch to where nothing is: an instruction abort, an external abort on the fetch. */
bool test_exc_fetch_unbacked(void)
{
    expect_exceptions(resume_at_lr);
    jump_to(UNBACKED);
    expect_none();
    return check_taken(VECTOR_CURRENT_SPX, EC_IABT_CURRENT, UNBACKED) &&
           check_abort(FSC_EXTERNAL, UNBACKED, false) && check_saved_pstate(MODE_EL1H);
}

/* A load where nothing is: a data abort; the destination keeps its value; the flags are saved. */
bool test_exc_load_unbacked(void)
{
    uint64_t pc, value = 0x1234, saved;
    expect_exceptions(NULL);
    __asm__ volatile("msr nzcv, %3\n"
                     "adr %0, 1f\n"
                     "1: ldr %1, [%2]\n"
                     : "=&r"(pc), "+r"(value)
                     : "r"(UNBACKED), "r"(NZCV_NC)
                     : "memory", "cc");
    expect_none();
    saved = taken.spsr;
    if (!check_taken(VECTOR_CURRENT_SPX, EC_DABT_CURRENT, pc) ||
        !check_abort(FSC_EXTERNAL, UNBACKED, false) || !check_saved_pstate(MODE_EL1H))
        return false;
    if (value != 0x1234)
        return fail("the load's destination became %#lx", (unsigned long)value);
    if ((saved & 0xf0000000UL) != NZCV_NC || (saved & DAIF_ALL) != DAIF_ALL)
        return fail("SPSR %#lx: flags or masks not those before the load", (unsigned long)saved);
    return true;
}

bool test_exc_store_unbacked(void)
{
    uint64_t pc;
    expect_exceptions(NULL);
    __asm__ volatile("adr %0, 1f\n"
                     "1: str %1, [%2, #8]\n"
                     : "=&r"(pc)
                     : "r"(0x5678UL), "r"(UNBACKED)
                     : "memory");
    expect_none();
    return check_taken(VECTOR_CURRENT_SPX, EC_DABT_CURRENT, pc) &&
           check_abort(FSC_EXTERNAL, UNBACKED + 8, true);
}

/* A load pair: no instruction syndrome a hypervisor could emulate it from, the same abort. */
bool test_exc_load_pair_unbacked(void)
{
    uint64_t pc, a = 1, b = 2;
    expect_exceptions(NULL);
    __asm__ volatile("adr %0, 1f\n"
                     "1: ldp %1, %2, [%3]\n"
                     : "=&r"(pc), "+r"(a), "+r"(b)
                     : "r"(UNBACKED + 16)
                     : "memory");
    expect_none();
    return check_taken(VECTOR_CURRENT_SPX, EC_DABT_CURRENT, pc) &&
           check_abort(FSC_EXTERNAL, UNBACKED + 16, false);
}

static uint64_t el0_load(uint64_t address)
{
    return *(volatile uint64_t *)address;
}

/* From EL0: the lower-level entry of the table, the lower-level class. */
bool test_exc_el0_load_unbacked(void)
{
    expect_exceptions(NULL);
    run_at_el0(el0_load, UNBACKED + 24, 0);
    expect_none();
    if (taken.count != 1 || taken.vector != VECTOR_LOWER_A64 || EC(taken.esr) != EC_DABT_LOWER)
        return fail("%u exceptions, vector %u, ESR %#lx; wanted one, vector 8, class %#x",
                    taken.count, taken.vector, (unsigned long)taken.esr, EC_DABT_LOWER);
    return check_abort(FSC_EXTERNAL, UNBACKED + 24, false) && check_saved_pstate(MODE_EL0T);
}

/* At EL1 on SP_EL0 (SPSel 0): the current-level SP0 entry, and SPSR says EL1t. */
bool test_exc_sp0_vector(void)
{
    static uint64_t stack[64] __attribute__((aligned(16)));
    expect_exceptions(NULL);
    __asm__ volatile("msr sp_el0, %0\n"
                     "msr spsel, #0\n"
                     "ldr x9, [%1]\n"
                     "msr spsel, #1\n"
                     :
                     : "r"(&stack[64]), "r"(UNBACKED + 32)
                     : "x9", "memory");
    expect_none();
    if (taken.count != 1 || taken.vector != VECTOR_CURRENT_SP0)
        return fail("%u exceptions, vector %u; wanted one, vector 0", taken.count, taken.vector);
    return check_abort(FSC_EXTERNAL, UNBACKED + 32, false) && check_saved_pstate(MODE_EL1T);
}

/* BRK needs nobody's help: the baseline that the table and the recording work. */
bool test_exc_brk(void)
{
    uint64_t pc;
    expect_exceptions(NULL);
    __asm__ volatile("adr %0, 1f\n"
                     "1: brk #0x77\n"
                     : "=r"(pc)
                     :
                     : "memory");
    expect_none();
    return check_taken(VECTOR_CURRENT_SPX, EC_BRK, pc) && (taken.esr & 0xffff) == 0x77;
}

/*
 * A debug register the CPU does not have (breakpoint 15, past the number
 * ID_AA64DFR0_EL1 gives) is undefined: an exception with the unknown class.
 */
bool test_exc_absent_sysreg(void)
{
    unsigned breakpoints = (unsigned)((read_sysreg(id_aa64dfr0_el1) >> 12) & 0xf) + 1;
    if (breakpoints == 16)
        return true; /* it has them all: nothing to try */
    uint64_t pc, value = 0x99;
    expect_exceptions(NULL);
    __asm__ volatile("adr %0, 1f\n"
                     "1: mrs %1, dbgbvr15_el1\n"
                     : "=&r"(pc), "+r"(value)
                     :
                     : "memory");
    expect_none();
    if (!check_taken(VECTOR_CURRENT_SPX, EC_UNKNOWN, pc))
        return false;
    if (value != 0x99)
        return fail("the absent register read as %#lx", (unsigned long)value);
    return true;
}
