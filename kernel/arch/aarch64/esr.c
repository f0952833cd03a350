/* Names for exception classes and fault status codes, for panics and fault reports. */
#include <arch/esr.h>

struct name {
    uint8_t code;
    const char *text;
};

static const struct name class_names[] = {
    { EC_UNKNOWN, "Undefined instruction" },
    { EC_WFX, "WFI or WFE" },
    { EC_FP_ACCESS, "FP/SIMD access" },
    { EC_ILLEGAL_STATE, "Illegal execution state" },
    { 0x11, "SVC from AArch32" },
    { 0x12, "HVC from AArch32" },
    { 0x13, "SMC from AArch32" },
    { EC_SVC64, "SVC" },
    { EC_HVC64, "HVC" },
    { EC_SMC64, "SMC" },
    { EC_SYSREG, "System register access" },
    { EC_IABT_LOWER, "Instruction abort from a lower EL" },
    { EC_IABT_SAME, "Instruction abort at EL2" },
    { EC_PC_ALIGN, "PC alignment fault" },
    { EC_DABT_LOWER, "Data abort from a lower EL" },
    { EC_DABT_SAME, "Data abort at EL2" },
    { EC_SP_ALIGN, "SP alignment fault" },
    { 0x2c, "Floating-point exception" },
    { EC_SERROR, "SError" },
    { 0x30, "Breakpoint from a lower EL" },
    { 0x31, "Breakpoint at EL2" },
    { 0x32, "Software step from a lower EL" },
    { 0x33, "Software step at EL2" },
    { 0x34, "Watchpoint from a lower EL" },
    { 0x35, "Watchpoint at EL2" },
    { EC_BRK64, "BRK instruction" },
};

static const char *const level_faults[] = {
    "address size fault",
    "translation fault",
    "access flag fault",
    "permission fault",
};

static const struct name status_names[] = {
    { 0x10, "synchronous external abort" },
    { 0x21, "alignment fault" },
    { 0x30, "TLB conflict abort" },
};

static const char *lookup(const struct name *table, unsigned count, uint32_t code)
{
    for (unsigned i = 0; i < count; i++)
        if (table[i].code == code)
            return table[i].text;
    return 0;
}

const char *esr_class_name(uint32_t ec)
{
    const char *text = lookup(class_names, sizeof(class_names) / sizeof(class_names[0]), ec);
    return text ? text : "Unknown exception class";
}

const char *esr_fault_status_name(uint32_t fsc)
{
    if (ESR_FSC_HAS_LEVEL(fsc))
        return level_faults[fsc >> 2];
    const char *text = lookup(status_names, sizeof(status_names) / sizeof(status_names[0]), fsc);
    return text ? text : "other fault";
}
