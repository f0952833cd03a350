/* The guest's RAM, mapped in the VMM too; every guest-supplied address is checked against it. */
#include "vmm.h"

static const struct persona_info *ram;

void guest_memory_init(const struct persona_info *info)
{
    ram = info;
}

void *guest_pointer(uint64_t ipa, uint64_t size)
{
    if (ipa < ram->ram_base || size > ram->ram_size || ipa - ram->ram_base > ram->ram_size - size)
        return NULL;
    return (void *)(uintptr_t)(ram->ram_vaddr + (ipa - ram->ram_base));
}
