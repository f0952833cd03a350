"""Reading and extending ELF64 little-endian images (the kernel, the initializer, cells)."""

import struct

PT_LOAD = 1
PT_INTERP = 3
PT_NOTE = 4
ET_EXEC = 2
PF_X, PF_W, PF_R = 1, 2, 4
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
SHT_SYMTAB = 2
EM_AARCH64 = 183


class ElfError(Exception):
    pass


class Segment:
    def __init__(self, fields):
        (self.type, self.flags, self.offset, self.vaddr, self.paddr,
         self.filesz, self.memsz, self.align) = fields

    def pack(self):
        return PHDR.pack(self.type, self.flags, self.offset, self.vaddr, self.paddr,
                         self.filesz, self.memsz, self.align)


class Elf:
    def __init__(self, data, name="<elf>"):
        self.data = bytes(data)
        self.name = name
        if len(self.data) < EHDR.size or self.data[:4] != b"\x7fELF":
            raise ElfError(f"{name}: not an ELF file")
        if self.data[4] != 2 or self.data[5] != 1:
            raise ElfError(f"{name}: not a 64-bit little-endian ELF")
        (_, self.type, self.machine, _, self.entry, self.phoff, self.shoff, _, _,
         phentsize, self.phnum, shentsize, self.shnum, self.shstrndx) = EHDR.unpack_from(self.data)
        if self.machine != EM_AARCH64:
            raise ElfError(f"{name}: machine {self.machine} is not AArch64")
        if self.phnum and phentsize != PHDR.size:
            raise ElfError(f"{name}: unexpected program header size {phentsize}")
        end = self.phoff + self.phnum * PHDR.size
        if end > len(self.data):
            raise ElfError(f"{name}: program headers run past the end of the file")
        self.segments = [Segment(PHDR.unpack_from(self.data, self.phoff + i * PHDR.size))
                         for i in range(self.phnum)]
        for s in self.loads():
            if s.offset + s.filesz > len(self.data):
                raise ElfError(f"{name}: a segment's file contents run past the end of the file")
            if s.filesz > s.memsz:
                raise ElfError(f"{name}: a segment's file size exceeds its memory size")

    def loads(self):
        return [s for s in self.segments if s.type == PT_LOAD]

    def notes(self):
        """(name, type, descriptor) of every note in the PT_NOTE segments; a note that runs
        past its segment ends the segment's list (the rest is not trusted)."""
        found = []
        for seg in self.segments:
            if seg.type != PT_NOTE:
                continue
            data = self.data[seg.offset:seg.offset + seg.filesz]
            at = 0
            while at + 12 <= len(data):
                namesz, descsz, kind = struct.unpack_from("<III", data, at)
                name_at = at + 12
                desc_at = name_at + (namesz + 3) // 4 * 4
                end = desc_at + (descsz + 3) // 4 * 4
                if desc_at + descsz > len(data):
                    break
                found.append((data[name_at:name_at + namesz].rstrip(b"\0"), kind, data[desc_at:desc_at + descsz]))
                at = end
        return found

    def section_sizes(self):
        """(text, data, bss) as binutils' size reports them: allocated sections by kind."""
        SHF_WRITE, SHF_ALLOC, SHT_NOBITS = 1, 2, 8
        text = data = bss = 0
        for i in range(self.shnum):
            sh = SHDR.unpack_from(self.data, self.shoff + i * SHDR.size)
            sh_type, flags, size = sh[1], sh[2], sh[5]
            if not flags & SHF_ALLOC:
                continue
            if sh_type == SHT_NOBITS:
                bss += size
            elif flags & SHF_WRITE:
                data += size
            else:
                text += size
        return text, data, bss

    def section(self, name):
        """The contents of the section called name, or None when there is none."""
        if not self.shnum or self.shstrndx >= self.shnum:
            return None
        names = SHDR.unpack_from(self.data, self.shoff + self.shstrndx * SHDR.size)
        for i in range(self.shnum):
            sh = SHDR.unpack_from(self.data, self.shoff + i * SHDR.size)
            start = names[4] + sh[0]
            if self.data[start:self.data.index(b"\0", start)].decode() == name:
                return self.data[sh[4]:sh[4] + sh[5]]
        return None

    def symbols(self):
        """Maps symbol names to values, from .symtab."""
        result = {}
        for i in range(self.shnum):
            sh = SHDR.unpack_from(self.data, self.shoff + i * SHDR.size)
            if sh[1] != SHT_SYMTAB:
                continue
            strtab = SHDR.unpack_from(self.data, self.shoff + sh[6] * SHDR.size)
            strings = self.data[strtab[4]:strtab[4] + strtab[5]]
            for off in range(sh[4], sh[4] + sh[5], SYM.size):
                name_off, _, _, _, value, _ = SYM.unpack_from(self.data, off)
                name = strings[name_off:strings.index(b"\0", name_off)].decode()
                if name:
                    result[name] = value
        return result

    def add_load_segment(self, paddr, contents, flags=PF_R):
        """A copy of this ELF with one more loadable segment holding contents at paddr.

        The original bytes stay where they are; the contents and a new program
        header table go after them, so section headers and symbols stay valid.
        """
        out = bytearray(self.data)
        out += b"\0" * (-len(out) % 4096)
        offset = len(out)
        out += contents
        out += b"\0" * (-len(out) % 8)
        phoff = len(out)
        segs = self.segments + [Segment((PT_LOAD, flags, offset, paddr, paddr,
                                         len(contents), len(contents), 4096))]
        for s in segs:
            out += s.pack()
        header = list(EHDR.unpack_from(out))
        header[5] = phoff
        header[9] = PHDR.size
        header[10] = len(segs)
        out[:EHDR.size] = EHDR.pack(*header)
        return bytes(out)
