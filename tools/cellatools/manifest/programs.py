"""Finding each cell's program ELF and reading where its segments go."""

import os
from dataclasses import dataclass

from .. import elf, layout
from .. import payload as pay
from . import needs

RESERVED_PAYLOAD_NAMES = (pay.INITIALIZER, "bootspec")


@dataclass
class Segment:
    start: int                 # page-aligned
    end: int                   # page-aligned
    rights: str                # "r", "rw", "rx", ...


@dataclass
class Program:
    path: str
    payload_name: str          # the payload entry the initializer loads it from
    data: bytes
    segments: list
    needs: object = None       # needs.Needs: the ends and maps it declares (cell.h)


def candidates(program, manifest_dir, program_dirs):
    """Where `program = "..."` may live: a path (it has a / or ends in .elf) is taken
    relative to the manifest; a bare name is NAME.elf in each --program-dir, then
    beside the manifest."""
    if "/" in program or program.endswith(".elf"):
        return [os.path.join(manifest_dir, program)]
    return [os.path.join(d, program + ".elf") for d in list(program_dirs) + [manifest_dir]]


def find(program, manifest_dir, program_dirs):
    """Returns (path or None, the places searched)."""
    places = candidates(program, manifest_dir, program_dirs)
    return next((p for p in places if os.path.isfile(p)), None), places


def known_programs(manifest_dir, program_dirs):
    """The bare program names (NAME of NAME.elf) in each --program-dir and beside the manifest."""
    names = set()
    for d in list(program_dirs) + [manifest_dir]:
        try:
            names.update(f[:-4] for f in os.listdir(d) if f.endswith(".elf"))
        except OSError:
            pass
    return sorted(names)


def read(path):
    """Reads and parses an ELF and what it declares it needs; raises OSError, elf.ElfError or
    needs.NeedsError."""
    with open(path, "rb") as fh:
        data = fh.read()
    image = elf.Elf(data, path)
    segments = [page_span(s) for s in image.loads() if s.memsz]
    if not segments:
        raise elf.ElfError(f"{path}: no loadable segment")
    return Program(path, os.path.basename(path), data, segments, needs.read(image))


def page_span(s):
    page = layout.PAGE_4K
    rights = "".join(c for flag, c in ((elf.PF_R, "r"), (elf.PF_W, "w"), (elf.PF_X, "x")) if s.flags & flag)
    return Segment(s.vaddr & ~(page - 1), (s.vaddr + s.memsz + page - 1) & ~(page - 1), rights)


@dataclass
class GuestFiles:
    """A Linux persona's kernel Image and initramfs, as the payload stores them."""
    kernel_name: str
    kernel: bytes
    initramfs_name: str
    initramfs: bytes


def find_file(name, manifest_dir, program_dirs):
    """A guest file: a path (with a /) relative to the manifest, else NAME in each --program-dir."""
    if "/" in name:
        places = [os.path.join(manifest_dir, name)]
    else:
        places = [os.path.join(d, name) for d in list(program_dirs) + [manifest_dir]]
    return next((p for p in places if os.path.isfile(p)), None), places
