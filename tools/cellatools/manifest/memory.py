"""A cell's address space as a list of areas, and how much RAM the system needs.

The estimate counts what the initializer will carve out of untyped memory
(sizes from objects.h): per cell a TCB, a CNode, a VSpace and its page
tables, the frames of program segments, stack, heap, IPC buffer, info page
and private maps, plus endpoint, reply and notification objects; shared
regions once; per persona its RAM, VCPUs and stage-2 tables; and the boot
image (kernel and payload) itself. Alignment losses are not counted.
"""

from dataclasses import dataclass

from .. import layout
from .model import DEVICE, PRIVATE, SHARED

PAGE = layout.PAGE_4K
FIXED, UNMAPPED = "fixed", "unmapped"


@dataclass
class Area:
    """A range of a cell's address space and what backs it."""
    start: int
    end: int
    what: str                  # "stack", "map scratch", "program segment 1"
    rights: str
    backing: str               # "zero-filled", "program wallet.elf", "device 0x9010000", "region ledger"
    page_size: int = PAGE
    source: object = None      # the Map, for areas the manifest declared

    @property
    def size(self):
        return self.end - self.start


def round_up(value, align=PAGE):
    return (value + align - 1) // align * align


def fixed_areas(cell, program):
    """The areas cell_layout.h puts in every cell, ending with the unmapped null guard."""
    areas = [Area(s.start, s.end, f"program segment {i + 1}", s.rights, f"program {program.payload_name}")
             for i, s in enumerate(program.segments)] if program else []
    info, ipc, heap, stack_top = (layout.CELL_INFO_PAGE, layout.CELL_IPC_BUFFER, layout.CELL_HEAP_BASE,
                                  layout.CELL_STACK_TOP)
    areas.append(Area(info, info + PAGE, "info page", "r", "written by the initializer"))
    areas.append(Area(ipc, ipc + PAGE, "IPC buffer", "rw", "zero-filled"))
    if cell.heap:
        areas.append(Area(heap, heap + round_up(cell.heap), "heap", "rw", "zero-filled"))
    areas.append(Area(stack_top - round_up(cell.stack), stack_top, "stack", "rw", "zero-filled"))
    return areas


NULL_GUARD = Area(0, layout.CELL_NULL_GUARD_END, "null guard", "", UNMAPPED)


def map_area(m):
    if m.backing == SHARED:
        backing = f"region {m.region.name}"
    elif m.backing == DEVICE:
        backing = f"device {m.paddr:#x}"
    else:
        backing = "zero-filled" + ("" if m.cached else ", uncached")
    return Area(m.vaddr, m.vaddr + m.size, f"map {m.name}", m.rights, backing, m.page_size, m)


def cell_areas(cell, program):
    """Every mapped area of the cell, in address order."""
    return sorted(fixed_areas(cell, program) + [map_area(m) for m in cell.maps], key=lambda a: a.start)


def page_tables(areas):
    """Level-2 and level-3 tables needed (the level-1 root is the VSpace object itself)."""
    level2, level3 = set(), set()
    for a in areas:
        level2.update(range(a.start >> layout.L2_SPAN_BITS, ((a.end - 1) >> layout.L2_SPAN_BITS) + 1))
        if a.page_size == PAGE:
            level3.update(range(a.start >> layout.L3_SPAN_BITS, ((a.end - 1) >> layout.L3_SPAN_BITS) + 1))
    return len(level2) + len(level3)


@dataclass
class Estimate:
    items: list                # (what, bytes)
    available: int
    causes: dict = None        # what -> the manifest entry that asks for it (for messages)

    @property
    def total(self):
        return sum(size for _, size in self.items)


def cell_objects(cell, program, plan):
    """Bytes of kernel objects and RAM frames one cell needs."""
    areas = cell_areas(cell, program)
    frames = sum(a.size for a in areas if a.source is None or a.source.backing == PRIVATE)
    objects = (layout.object_size(layout.TCB_SIZE_BITS) + layout.cnode_size(plan.cnode_radix)
               + layout.object_size(layout.VSPACE_SIZE_BITS)
               + page_tables(areas) * layout.object_size(layout.PAGE_TABLE_SIZE_BITS))
    if plan.endpoint_slot:
        objects += layout.object_size(layout.ENDPOINT_SIZE_BITS) + layout.object_size(layout.REPLY_SIZE_BITS)
    if plan.notification_slot:
        objects += layout.object_size(layout.NOTIFICATION_SIZE_BITS)
    return frames + objects


# What initializer/personas.c gives every VMM besides its program.
VMM_STACK = 64 << 10
VMM_HEAP = 1 << 20
VMM_MIN_CNODE_RADIX = 6


def vmm_objects(persona, program, plan):
    """The persona's VMM: a cell with its program, stack, heap and CNode, mapping guest RAM and disk."""
    table = layout.object_size(layout.PAGE_TABLE_SIZE_BITS)
    program_bytes = sum(round_up(s.end - s.start) for s in program.segments) if program else 0
    guest_view = -(-persona.memory // (1 << layout.L2_SPAN_BITS))          # RAM in 2 MiB blocks
    disk = persona.disk.size if persona.disk else 0
    disk_tables = -(-disk // (1 << layout.L3_SPAN_BITS)) + (1 if disk else 0)
    return (program_bytes + VMM_STACK + VMM_HEAP + 2 * PAGE + layout.object_size(layout.TCB_SIZE_BITS)
            + layout.cnode_size(max(plan.cnode_radix, VMM_MIN_CNODE_RADIX))
            + layout.object_size(layout.VSPACE_SIZE_BITS) + layout.object_size(layout.ENDPOINT_SIZE_BITS)
            + 2 * layout.object_size(layout.REPLY_SIZE_BITS) + layout.object_size(layout.NOTIFICATION_SIZE_BITS)
            + (6 + guest_view + disk_tables) * table)


def persona_objects(persona, program=None, plan=None):
    """Guest RAM, a TCB and a VCPU per virtual CPU, stage-2 tables mapping RAM in 2 MiB blocks,
    and the VMM that runs them."""
    per_vcpu = layout.object_size(layout.TCB_SIZE_BITS) + layout.object_size(layout.VCPU_SIZE_BITS)
    level2_tables = -(-persona.memory // (1 << layout.L2_SPAN_BITS))
    tables = (level2_tables + page_tables([map_area(m) for m in persona.maps])) \
        * layout.object_size(layout.PAGE_TABLE_SIZE_BITS)
    guest = persona.memory + persona.vcpus * per_vcpu + layout.object_size(layout.VSPACE_SIZE_BITS) + tables
    return guest + (vmm_objects(persona, program, plan) if plan else 0)


def available_ram(board):
    """RAM above the kernel's load address: what lies below it is the boot area."""
    p = board.platform
    below = sum(max(0, min(r.end, p.kernel_load_address) - r.base) for r in p.ram)
    return board.ram_size - below


def estimate(system, programs, plans, board, image_bytes):
    items, causes = [], {}

    def add(what, size, entry):
        items.append((what, size))
        causes[what] = entry

    for c in system.cells:
        add(f"cell {c.name}", cell_objects(c, programs.get(c), plans[c]), c.entry)
    for p in system.personas:
        add(f"persona {p.name}", persona_objects(p, programs.get(p), plans.get(p)), p.entry.key("memory"))
    for r in system.regions:
        add(f"region {r.name}", r.size, r.entry.key("size"))
    add("boot image (kernel and payload)", round_up(image_bytes), system.entry)
    return Estimate(items, available_ram(board), causes)


# What check cannot measure without the kernel and initializer ELFs: they, the boot spec and the
# personas' device trees (build measures the whole image; a debug kernel and initializer take
# about 0.4 MiB).
BOOT_ALLOWANCE = 1 << 20


def image_estimate(programs, guests):
    """The boot image as check sees it: every distinct program and guest file, and the allowance."""
    files = {p.path: len(p.data) for p in programs}
    for g in guests:
        files[("kernel", g.kernel_name)] = len(g.kernel)
        files[("initramfs", g.initramfs_name)] = len(g.initramfs)
    return sum(round_up(size) for size in files.values()) + BOOT_ALLOWANCE


def amount(size):
    """A byte count for people: "12.0 KiB", "515.4 MiB"."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.1f} {unit}"
    return f"{size} bytes"


def human(size):
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift}{unit}"
    return str(size)
