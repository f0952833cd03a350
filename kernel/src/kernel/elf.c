/* Checking and reading the initializer's ELF image. */
#include <abi/objects.h>
#include <cella/elf.h>
#include <cella/util.h>

#define EM_AARCH64 183
#define ET_EXEC 2

static const struct elf64_header *header(const void *image)
{
    return image;
}

const struct elf64_phdr *elf_phdr(const void *image, unsigned i)
{
    return (const struct elf64_phdr *)((const char *)image + header(image)->phoff) + i;
}

unsigned elf_phnum(const void *image)
{
    return header(image)->phnum;
}

uint64_t elf_entry(const void *image)
{
    return header(image)->entry;
}

static const char *check_segment(const struct elf64_phdr *p, size_t size)
{
    if (p->filesz > p->memsz || !range_contains(0, size, p->offset, p->filesz))
        return "a segment lies outside the file";
    if (!range_contains(0, BIT(VSPACE_ADDRESS_BITS), p->vaddr, p->memsz) || p->vaddr < 0x1000)
        return "a segment lies outside the address space";
    if ((p->vaddr ^ p->offset) & MASK(12))
        return "a segment's address and file offset disagree within a page";
    return NULL;
}

const char *elf_check(const void *image, size_t size)
{
    const struct elf64_header *h = header(image);
    const uint8_t *id = h->ident;
    if (size < sizeof(*h) || id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return "not an ELF file";
    if (id[4] != 2 || id[5] != 1 || h->machine != EM_AARCH64 || h->type != ET_EXEC)
        return "not a 64-bit little-endian AArch64 executable";
    if (h->phentsize != sizeof(struct elf64_phdr) ||
        !range_contains(0, size, h->phoff, (word_t)h->phnum * sizeof(struct elf64_phdr)) ||
        (h->phoff & 7))
        return "bad program header table";
    for (unsigned i = 0; i < h->phnum; i++) {
        const struct elf64_phdr *p = elf_phdr(image, i);
        const char *why = p->type == PT_LOAD ? check_segment(p, size) : NULL;
        if (why)
            return why;
    }
    return NULL;
}
