"""Checks of a well-formed system against its platform, its programs and the fixed cell layout.

These run after parse.py found nothing wrong, so every reference resolves
and every value has its type. Each check adds all it finds to the report.
"""

import os

from .. import elf, layout
from .. import payload as pay
from . import needs
from . import programs as progs
from .needs import did_you_mean
from .memory import NULL_GUARD, amount, fixed_areas, human, map_area
from .model import CALL, DEVICE, title

PAGE = layout.PAGE_4K


def span(start, end):
    return f"[{start:#x}, {end:#x})"


def overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


VMM_PROGRAM = "vmm"


def load_programs(system, report, program_dirs):
    """{cell or persona: Program}: each cell's program, and each persona's VMM."""
    manifest_dir = os.path.dirname(os.path.abspath(system.path))
    found, by_payload_name = {}, {}
    runs = [(c, c.program, c.entry.key("program")) for c in system.cells]
    runs += [(p, VMM_PROGRAM, p.entry) for p in system.personas]
    for cell, program_name, entry in runs:
        path, places = progs.find(program_name, manifest_dir, program_dirs)
        if path is None:
            hint = did_you_mean(program_name, progs.known_programs(manifest_dir, program_dirs))
            report.add(entry, f"program '{program_name}' not found; looked for: {', '.join(places)}{hint}")
            continue
        try:
            program = progs.read(path)
        except OSError as e:
            report.add(entry, f"cannot read {path}: {e.strerror}")
            continue
        except (elf.ElfError, needs.NeedsError) as e:
            report.add(entry, f"{e}")
            continue
        name = program.payload_name
        other = by_payload_name.setdefault(name, program)
        if os.path.realpath(other.path) != os.path.realpath(path):
            report.add(entry, f"two different programs are called {name}: {other.path} and {path}; "
                       "the image stores programs by file name")
        elif name in progs.RESERVED_PAYLOAD_NAMES or len(name.encode()) > pay.NAME_MAX:
            report.add(entry, f"the program's file name '{name}' cannot be a payload entry name "
                       f"(1 to {pay.NAME_MAX} bytes, not {' or '.join(progs.RESERVED_PAYLOAD_NAMES)})")
        found[cell] = other
    return found


def check_cell_layout(cell, program, report):
    for key, value in (("stack", cell.stack), ("heap", cell.heap)):
        if value % PAGE:
            report.add(cell.entry.key(key), f"{value:#x} is not a multiple of 4 KiB")
    if layout.CELL_HEAP_BASE + cell.heap > layout.CELL_STACK_TOP - cell.stack:
        room = layout.CELL_STACK_TOP - layout.CELL_HEAP_BASE
        report.add(cell.entry, f"heap ({human(cell.heap)}) and stack ({human(cell.stack)}) together "
                   f"exceed the {human(room)} between CELL_HEAP_BASE and CELL_STACK_TOP")
    if program:
        for a in fixed_areas(cell, program):
            if a.what.startswith("program") and not (
                    layout.CELL_PROGRAM_BASE <= a.start and a.end <= layout.CELL_INFO_PAGE):
                report.add(cell.entry.key("program"), f"{a.what} of {program.payload_name} at "
                           f"{span(a.start, a.end)} is outside the program window "
                           f"{span(layout.CELL_PROGRAM_BASE, layout.CELL_INFO_PAGE)}; "
                           "link it at CELL_PROGRAM_BASE")
    for m in cell.maps:
        check_map_alignment(m, "vaddr", report)
        check_map_placement(m, fixed_areas(cell, program) + [NULL_GUARD], report)
    check_no_overlaps([map_area(m) for m in cell.maps], "", report)


def check_map_alignment(m, address_key, report):
    page = m.page_size
    if m.vaddr % page:
        report.add(m.entry.key(address_key), f"{m.vaddr:#x} is not aligned to the map's {human(page)} pages")
    if m.size % page:
        report.add(m.entry.key("size"), f"{m.size:#x} is not a multiple of {human(page)}")
    if m.paddr is not None and m.paddr % PAGE:
        report.add(m.entry.key("paddr"), f"{m.paddr:#x} is not 4 KiB aligned")


def check_map_placement(m, fixed, report):
    entry = m.entry.key("vaddr")
    if m.end > layout.CELL_VSPACE_END:
        report.add(entry, f"{span(m.vaddr, m.end)} runs past the end of the cell's "
                   f"{layout.VSPACE_ADDRESS_BITS}-bit address space")
        return
    hit = next((a for a in fixed if overlaps(m.vaddr, m.end, a.start, a.end)), None)
    if hit:
        report.add(entry, f"{span(m.vaddr, m.end)} collides with the cell's {hit.what} "
                   f"{span(hit.start, hit.end)}; manifest maps go at or above {layout.CELL_RESERVED_END:#x}")
    elif m.vaddr < layout.CELL_RESERVED_END:
        report.add(entry, f"{m.vaddr:#x} is below {layout.CELL_RESERVED_END:#x}: the range below is "
                   "reserved for the fixed layout (cell_layout.h)")


def check_no_overlaps(areas, what, report):
    """Reports each area that overlaps one before it (areas carry their Map as source)."""
    areas = sorted(areas, key=lambda a: a.start)
    for before, after in zip(areas, areas[1:]):
        if overlaps(before.start, before.end, after.start, after.end):
            report.add(after.source.entry, f"{what}{span(after.start, after.end)} overlaps "
                       f"{title(before.source)} {span(before.start, before.end)} "
                       f"({report.where(before.source.entry)})")


def check_persona(persona, report):
    if persona.memory > layout.PERSONA_MAX_MEMORY:
        report.add(persona.entry.key("memory"), f"{human(persona.memory)} is more than a persona may have: "
                   f"at most {human(layout.PERSONA_MAX_MEMORY)} (the initializer's limit)")
    if persona.memory % layout.PAGE_2M:
        report.add(persona.entry.key("memory"), f"{human(persona.memory)} is not a multiple of 2M "
                   "(guest RAM is mapped in 2 MiB blocks)")
    for m in persona.maps:
        check_map_alignment(m, "guest_address", report)
    check_no_overlaps([map_area(m) for m in persona.maps], "guest-physical ", report)


def check_limits(system, report):
    """What the initializer, the runtime and the VMM can hold: refused here, not at boot."""
    subjects = system.cells + system.personas
    if len(subjects) > layout.INITIALIZER_MAX_SUBJECTS:
        report.add(system.entry, f"{len(subjects)} cells and personas, more than "
                   f"{layout.INITIALIZER_MAX_SUBJECTS}")
    if len(system.regions) > layout.INITIALIZER_MAX_REGIONS:
        report.add(system.regions[layout.INITIALIZER_MAX_REGIONS].entry,
                   f"more than {layout.INITIALIZER_MAX_REGIONS} regions")
    frames = sum(r.size // r.page_size for r in system.regions)
    if frames > layout.INITIALIZER_SHARED_FRAMES:
        report.add(system.entry, f"the regions take {frames} frames, more than "
                   f"{layout.INITIALIZER_SHARED_FRAMES}; use 2M pages for big ones")
    for cell in system.cells:
        if len(cell.maps) > layout.CELL_INFO_MAX_MAPS:
            report.add(cell.entry, f"{len(cell.maps)} maps, more than {layout.CELL_INFO_MAX_MAPS}")
    for persona in system.personas:
        calls = [c for c in system.channels if c.kind == CALL and c.sender is persona and not c.keyboard]
        if len(calls) > layout.VMM_MAX_CHANNEL_PORTS:
            report.add(calls[layout.VMM_MAX_CHANNEL_PORTS].entry,
                       f"persona '{persona.name}' calls over {len(calls)} channels; its channel device "
                       f"has {layout.VMM_MAX_CHANNEL_PORTS} ports")


# The guest-physical space a persona's maps must stay out of: its RAM and what its VMM emulates.
def persona_reserved(persona):
    L = layout
    areas = [("its RAM", L.PERSONA_RAM_BASE, L.PERSONA_RAM_BASE + persona.memory),
             ("the GIC distributor", L.PERSONA_GICD_BASE, L.PERSONA_GICD_BASE + L.PERSONA_GICD_SIZE),
             ("the GIC redistributor", L.PERSONA_GICR_BASE, L.PERSONA_GICR_BASE + L.PERSONA_GICR_SIZE),
             ("the UART", L.PERSONA_UART_BASE, L.PERSONA_UART_BASE + L.PERSONA_UART_SIZE),
             ("the virtio devices", L.PERSONA_VIRTIO_BASE,
              L.PERSONA_VIRTIO_BASE + L.PERSONA_VIRTIO_COUNT * L.PERSONA_VIRTIO_SIZE)]
    return areas


def check_guest_addresses(persona, report):
    for m in persona.maps:
        if m.size is None:
            continue
        end = m.vaddr + m.size
        entry = m.entry.key("guest_address")
        if end > 1 << layout.VSPACE_ADDRESS_BITS:
            report.add(entry, f"guest-physical {span(m.vaddr, end)} is beyond the guest's "
                       f"{layout.VSPACE_ADDRESS_BITS}-bit address space")
        for what, start, stop in persona_reserved(persona):
            if overlaps(m.vaddr, end, start, stop):
                report.add(entry, f"guest-physical {span(m.vaddr, end)} overlaps {what} "
                           f"{span(start, stop)}")


def check_disks(system, report):
    """A disk is its persona's alone: its VMM writes it whenever the guest does."""
    owners = {}
    for persona in system.personas:
        disk = persona.disk
        if disk is None:
            continue
        entry = persona.entry.key("disk")
        if disk in owners:
            report.add(entry, f"region '{disk.name}' is already the disk of persona '{owners[disk].name}'")
            continue
        owners[disk] = persona
        if disk.paddr is not None:
            report.add(entry, f"region '{disk.name}' has a fixed paddr; a disk takes frames from RAM")
        for subject in system.subjects:
            for m in subject.maps:
                if m.region is disk:
                    report.add(entry, f"region '{disk.name}' is this persona's disk, but "
                               f"{title(subject)} maps it ({report.where(m.entry)}); nothing else may")


def check_regions(system, board, report):
    p = board.platform
    for r in system.regions:
        if r.size % r.page_size:
            report.add(r.entry.key("size"),
                       f"{human(r.size)} is not a multiple of its {human(r.page_size)} pages")
        if r.paddr is None:
            continue
        if r.paddr % r.page_size:
            report.add(r.entry.key("paddr"), f"{r.paddr:#x} is not aligned to its {human(r.page_size)} pages")
        if not any(ram.base <= r.paddr and r.end <= ram.end for ram in p.ram):
            report.add(r.entry.key("paddr"), f"{span(r.paddr, r.end)} is not inside the RAM of {p.name} "
                       f"({', '.join(span(x.base, x.end) for x in p.ram)})")
        elif r.paddr < p.kernel_load_address:
            report.add(r.entry.key("paddr"), f"{span(r.paddr, r.end)} overlaps the boot area below the "
                       f"kernel's load address {p.kernel_load_address:#x}")


def check_devices(system, board, report):
    p = board.platform
    for cell in system.cells:
        for m in cell.maps:
            if m.backing != DEVICE:
                continue
            entry = m.entry.key("paddr")
            # The console UART may be mapped: the console server cell owns it, and the
            # kernel only ever writes its panic and debug lines there.
            if not any(d.base <= m.paddr and m.paddr + m.size <= d.end for d in p.devices):
                regions = ", ".join(f"{d.name} {span(d.base, d.end)}" for d in p.devices)
                report.add(entry, f"{span(m.paddr, m.paddr + m.size)} is not inside a device region of "
                           f"{p.name}; device regions: {regions}")


def check_physical_overlaps(system, report):
    """No two device maps or fixed regions may claim the same physical memory."""
    claims = [(m.paddr, m.paddr + m.size, m) for c in system.cells for m in c.maps if m.backing == DEVICE]
    claims += [(r.paddr, r.end, r) for r in system.regions if r.paddr is not None]
    claims.sort(key=lambda c: c[0])
    for (a_start, a_end, a), (b_start, b_end, b) in zip(claims, claims[1:]):
        if overlaps(a_start, a_end, b_start, b_end):
            report.add(b.entry, f"physical {span(b_start, b_end)} overlaps {title(a)} {span(a_start, a_end)} "
                       f"({report.where(a.entry)}); a device belongs to one cell: "
                       "share memory through a [[region]]")


def check_irqs(system, board, report):
    handlers = {}              # IRQ number -> (cell, Irq) of its first handler
    for cell in system.cells:
        for irq in cell.irqs:
            entry = irq.entry.key("irq")
            if irq.number in board.kernel_irqs:
                report.add(entry, f"IRQ {irq.number} is {board.kernel_irqs[irq.number]}")
            elif irq.number not in board.irqs:
                report.add(entry, f"IRQ {irq.number} is not raised by any device of {board.platform.name}")
            elif irq.number in handlers:
                first_cell, first = handlers[irq.number]
                report.add(entry, f"IRQ {irq.number} is already handled by {title(first_cell)} "
                           f"({report.where(first.entry)}); an IRQ has one handler")
            handlers.setdefault(irq.number, (cell, irq))


def check_memory(estimate, system, report):
    """Too much: reported at what asks for the most (a persona's memory, a region's size, ...)."""
    if estimate.total > estimate.available:
        biggest = sorted(estimate.items, key=lambda i: -i[1])[:3]
        entry = (estimate.causes or {}).get(biggest[0][0], system.entry)
        report.add(entry, f"the system needs about {amount(estimate.total)} of RAM but the platform has "
                   f"{amount(estimate.available)} above the kernel; largest: "
                   + ", ".join(f"{what} {amount(size)}" for what, size in biggest))


def check_all(system, report, board, programs):
    """Every platform and layout check; the memory check comes later, with the estimate."""
    for cell in system.cells:
        check_cell_layout(cell, programs.get(cell), report)
    for persona in system.personas:
        check_persona(persona, report)
        check_guest_addresses(persona, report)
    check_limits(system, report)
    check_disks(system, report)
    check_regions(system, board, report)
    check_devices(system, board, report)
    check_physical_overlaps(system, report)
    check_irqs(system, board, report)



ARM64_IMAGE_MAGIC_OFFSET = 56


def load_guest_files(system, report, program_dirs):
    """{persona: GuestFiles} for every persona whose kernel (and initramfs) were found and fit."""
    manifest_dir = os.path.dirname(os.path.abspath(system.path))
    found, by_name = {}, {}  # by_name: file name in the image -> the path it came from
    for p in system.personas:
        files = {}
        for key in ("kernel", "initramfs"):
            name = getattr(p, key)
            if not name:
                files[key] = (None, b"")
                continue
            path, places = progs.find_file(name, manifest_dir, program_dirs)
            if path is None:
                report.add(p.entry.key(key), f"'{name}' not found; looked for: {', '.join(places)}")
                continue
            base = os.path.basename(path)
            if os.path.realpath(by_name.setdefault(base, path)) != os.path.realpath(path):
                report.add(p.entry.key(key), f"'{path}' and '{by_name[base]}' would both be '{base}' "
                           "in the image; give them different file names")
                continue
            with open(path, "rb") as fh:
                files[key] = (base, fh.read())
        if len(files) < 2:
            continue
        kernel, initramfs = files["kernel"][1], files["initramfs"][1]
        if kernel[ARM64_IMAGE_MAGIC_OFFSET:ARM64_IMAGE_MAGIC_OFFSET + 4] != b"ARM\x64":
            report.add(p.entry.key("kernel"), f"'{p.kernel}' is not an arm64 Linux Image (no ARM\\x64 magic)")
            continue
        room = layout.PERSONA_INITRD_OFFSET - layout.PERSONA_KERNEL_OFFSET
        if len(kernel) > room or layout.PERSONA_INITRD_OFFSET + len(initramfs) > p.memory:
            report.add(p.entry.key("memory"), f"the kernel ({len(kernel)} bytes, at most {room}) and "
                       f"initramfs ({len(initramfs)} bytes) do not fit its {p.memory >> 20} MiB")
            continue
        found[p] = progs.GuestFiles(files["kernel"][0], kernel, files["initramfs"][0], initramfs)
    return found
