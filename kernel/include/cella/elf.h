/* Just enough ELF64 to load the initializer. */
#pragma once

#include <cella/types.h>

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf64_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* Checks an AArch64 executable's header and segments against its size; NULL or a reason. */
const char *elf_check(const void *image, size_t size);
const struct elf64_phdr *elf_phdr(const void *image, unsigned i);
unsigned elf_phnum(const void *image);
uint64_t elf_entry(const void *image);
