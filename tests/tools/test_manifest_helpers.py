"""Shared fixtures for the manifest tests: tiny AArch64 ELFs, temporary manifests, running the CLI.

Not a test itself; the other test_manifest_* modules import it.
"""

import contextlib
import io
import os
import shutil
import struct
import tempfile
import textwrap

from cellatools.manifest import cli

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MANIFESTS = os.path.join(ROOT, "tests", "manifests")
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
PF_RX, PF_RW = 5, 6
NOP = b"\x1f\x20\x03\xd5"


def fake_elf(vaddr=0x200000, memsz=0x2000, flags=PF_RX, symbols=None, segments=None, sections=None):
    """A minimal valid AArch64 ELF64 executable: one PT_LOAD (or `segments`, a list of
    (vaddr, memsz, flags)); if symbols is given, a .symtab holding them; and each of `sections`
    ({name: contents}) as a section of that name."""
    segments = segments or [(vaddr, memsz, flags)]
    code = NOP * 4
    out = bytearray(EHDR.size + PHDR.size * len(segments))
    out += b"\0" * (0x1000 - len(out))
    code_offset = len(out)
    out += code
    shoff, shnum, shstrndx = 0, 0, 0
    headers = []               # (name, type, offset, size, link, info, align, entsize)

    def put(data):
        out.extend(b"\0" * (-len(out) % 8))
        offset = len(out)
        out.extend(data)
        return offset

    if symbols:
        strtab = b"\0" + b"".join(n.encode() + b"\0" for n in symbols)
        names = [strtab.index(n.encode() + b"\0") for n in symbols]
        symtab = SYM.pack(0, 0, 0, 0, 0, 0) + b"".join(
            SYM.pack(off, 0x10, 0, 1, value, 0) for off, value in zip(names, symbols.values()))
        str_off = put(strtab)
        sym_off = put(symtab)
        headers.append((".symtab", 2, sym_off, len(symtab), 2, 1, 8, SYM.size))   # linked to 2
        headers.append((".strtab", 3, str_off, len(strtab), 0, 0, 1, 0))
    for name, data in (sections or {}).items():
        headers.append((name, 1, put(data), len(data), 0, 0, 8, 0))
    if headers:
        shstrtab = b"\0" + b"".join(h[0].encode() + b"\0" for h in headers) + b".shstrtab\0"
        headers.append((".shstrtab", 3, put(shstrtab), len(shstrtab), 0, 0, 1, 0))
        out.extend(b"\0" * (-len(out) % 8))
        shoff, shnum, shstrndx = len(out), len(headers) + 1, len(headers)
        out += SHDR.pack(*[0] * 10)
        for name, kind, offset, size, link, info, align, entsize in headers:
            out += SHDR.pack(shstrtab.index(name.encode() + b"\0"), kind, 0, 0, offset, size, link, info,
                             align, entsize)
    phdrs = b"".join(PHDR.pack(1, f, code_offset, v, v, len(code), max(m, len(code)), 0x1000)
                     for v, m, f in segments)
    out[EHDR.size:EHDR.size + len(phdrs)] = phdrs
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    out[:EHDR.size] = EHDR.pack(ident, 2, 183, 1, segments[0][0], EHDR.size, shoff, 0, EHDR.size,
                                PHDR.size, len(segments), SHDR.size, shnum, shstrndx)
    return bytes(out)


END_KIND = {"calls": 1, "serves": 2, "signals": 3, "waits": 4, "irq": 5}
BACKING = {"any": 0, "private": 1, "shared": 2, "device": 3}


def end_need(name, kind, optional=False):
    """One record of .cella.ends, as CELL_CALLS and the others write it (abi/cell_needs.h)."""
    return struct.pack("<32sIIQQ", name.encode(), END_KIND[kind], 1 if optional else 0, 0, 0)


def map_need(name, backing, rights, min_size, optional=False):
    """One record of .cella.maps, as CELL_MAP writes it."""
    return struct.pack("<32sII4sIQQQ", name.encode(), BACKING[backing], 1 if optional else 0,
                       rights.encode(), 0, min_size, 0, 0)


def needy_elf(ends=(), maps=()):
    """A program that declares these needs: ends as (name, kind[, optional]), maps as
    (name, backing, rights, min_size[, optional])."""
    return fake_elf(sections={".cella.ends": b"".join(end_need(*e) for e in ends),
                              ".cella.maps": b"".join(map_need(*m) for m in maps)})


def fake_kernel():
    """A kernel ELF loaded at QEMU virt's kernel address, with the __kernel_end the packer needs."""
    base = 0x40200000
    return fake_elf(base, 0x10000, PF_RX, symbols={"__kernel_end": base + 0x10000})


PROGRAMS = ("ping", "pong", "auth", "wallet", "billing", "driver", "vmm")


def fake_linux_image(size=0x10000):
    """Enough of an arm64 Linux Image for the tool: the ARM\\x64 magic at offset 56."""
    image = bytearray(size)
    image[56:60] = b"ARM\x64"
    return bytes(image)


class Workspace:
    """A temporary folder with program ELFs and helpers to write manifests into it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cella-manifest-test-")
        self.programs = os.path.join(self.dir, "programs")
        os.mkdir(self.programs)
        for name in PROGRAMS:
            self.write(os.path.join("programs", name + ".elf"), fake_elf())
        self.write("programs/huge.elf", fake_elf(0x0FFFF000, 0x3000))          # runs into the info page
        self.write("programs/low.elf", fake_elf(0x100000, 0x1000))             # inside the null guard
        self.write("programs/garbage.elf", b"this is not an ELF file at all, not even close" * 2)
        # Programs that declare what they need, like cells/wallet and cells/billing (cell.h).
        self.write("programs/keeper.elf", needy_elf(
            ends=[("keeper_storage", "calls"), ("keeper_tick", "waits"), ("keeper_irq", "irq", True)],
            maps=[("keystore", "private", "rw", 0x2000), ("rtc", "device", "r", 0x1000, True)]))
        self.write("programs/torn.elf", fake_elf(sections={".cella.ends": end_need("x", "calls")[:50]}))
        self.write("programs/oddkind.elf", fake_elf(sections={".cella.ends": struct.pack(
            "<32sIIQQ", b"x", 9, 0, 0, 0)}))
        self.write("programs/Image", fake_linux_image())
        self.write("programs/work.cpio", b"070701" + b"0" * 250)
        self.kernel = self.write("kernel.elf", fake_kernel())
        self.initializer = self.write("initializer.elf", fake_elf(0x400000))

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return path

    def manifest(self, text, name="system.toml"):
        return self.write(name, textwrap.dedent(text).lstrip())

    def cleanup(self):
        shutil.rmtree(self.dir)


def run_cli(*argv):
    """Runs cella-manifest in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):      # argparse writes usage errors to sys.stderr
        try:
            status = cli.main(list(argv), out, err)
        except SystemExit as e:
            status = e.code
    return status, out.getvalue(), err.getvalue()


# A small valid system: two cells, a call and a notify channel, a shared region, a device and an IRQ.
PING_PONG = """
    [system]
    name = "pingpong"
    platform = "qemu-virt-aarch64"

    [[region]]
    name = "shared"
    size = "8K"

    [[cell]]
    name = "ping"
    program = "ping"
    priority = 100
    heap = "16K"

      [[cell.map]]
      region = "shared"
      vaddr = 0x4000_0000
      rights = "rw"

    [[cell]]
    name = "pong"
    program = "pong"
    priority = 110

      [[cell.map]]
      region = "shared"
      vaddr = 0x5000_0000
      rights = "r"

      [[cell.map]]
      name = "gpio"
      vaddr = 0x6000_0000
      paddr = 0x0903_0000
      size = "4K"

      [[cell.irq]]
      name = "gpio_irq"
      irq = 39

    [[channel]]
    name = "hello"
    kind = "call"
    client = "ping"
    server = "pong"

    [[channel]]
    name = "done"
    kind = "notify"
    from = "pong"
    to = "ping"
"""
