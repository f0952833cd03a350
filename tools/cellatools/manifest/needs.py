"""What a cell's program needs, read from its ELF, against what the manifest gives the cell.

A program declares each channel end, IRQ and map it uses (runtime/cell.h:
CELL_CALLS, CELL_MAP, ...); each declaration is a record in the ELF section
.cella.ends or .cella.maps (libsel4-like/include/abi/cell_needs.h). check
and build refuse a manifest that does not give a cell what its program
declares, naming the cell, the end or map, and the program; the runtime
would otherwise stop the cell at boot. `headers` goes the other way: it
writes, for one cell of a manifest, the declarations of everything the
manifest gives it (docs/manifest.md, "What a program needs").
"""

import difflib
import re
import struct
from dataclasses import dataclass, field

from .. import layout
from .caps import CALL_CLIENT, CALL_SERVER, IRQ, NOTIFY_SIGNAL, NOTIFY_WAIT
from .memory import amount, human
from .model import DEVICE, PRIVATE, SHARED

END_KINDS = {1: CALL_CLIENT, 2: CALL_SERVER, 3: NOTIFY_SIGNAL, 4: NOTIFY_WAIT, 5: IRQ}
BACKINGS = {layout.CELL_MAP_ANY: None, layout.CELL_MAP_PRIVATE: PRIVATE, layout.CELL_MAP_SHARED: SHARED,
            layout.CELL_MAP_DEVICE: DEVICE}
NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")

# How a declaration reads, and what the manifest must say to satisfy it ({cell} is the cell's name).
VERB = {CALL_CLIENT: "calls channel", CALL_SERVER: "serves channel", NOTIFY_SIGNAL: "signals channel",
        NOTIFY_WAIT: "waits on channel", IRQ: "handles IRQ"}
WANTED = {CALL_CLIENT: 'a [[channel]] named \'{name}\' with kind = "call" and client = "{cell}"',
          CALL_SERVER: 'a [[channel]] named \'{name}\' with kind = "call" and server = "{cell}"',
          NOTIFY_SIGNAL: 'a [[channel]] named \'{name}\' with kind = "notify" and from = "{cell}"',
          NOTIFY_WAIT: 'a [[channel]] named \'{name}\' with kind = "notify" and to = "{cell}"',
          IRQ: "a [[cell.irq]] named '{name}'"}
WHAT_IT_IS = {CALL_CLIENT: "a call channel it calls", CALL_SERVER: "a call channel it serves",
              NOTIFY_SIGNAL: "a notify channel it signals", NOTIFY_WAIT: "a notify channel that signals it",
              IRQ: "an IRQ"}
BACKING_WORDS = {PRIVATE: "private memory (no region, no paddr)", SHARED: "a shared region",
                 DEVICE: "device memory (a paddr)"}
MACROS = {CALL_CLIENT: "CELL_CALLS", CALL_SERVER: "CELL_SERVES", NOTIFY_SIGNAL: "CELL_SIGNALS",
          NOTIFY_WAIT: "CELL_WAITS", IRQ: "CELL_IRQ"}
C_BACKING = {PRIVATE: "CELL_MAP_PRIVATE", SHARED: "CELL_MAP_SHARED", DEVICE: "CELL_MAP_DEVICE"}


class NeedsError(Exception):
    pass


@dataclass
class EndNeed:
    name: str
    kind: str                  # caps.CALL_CLIENT, ...
    optional: bool


@dataclass
class MapNeed:
    name: str
    backing: str               # PRIVATE, SHARED, DEVICE, or None for any
    optional: bool
    rights: str
    min_size: int


@dataclass
class Needs:
    ends: list = field(default_factory=list)
    maps: list = field(default_factory=list)


def c_string(raw):
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


def records(image, section, size):
    data = image.section(section) or b""
    if len(data) % size:
        raise NeedsError(f"{image.name}: section {section} is {len(data)} bytes, not a whole number of "
                         f"{size}-byte records: was it built against another version of Cella?")
    return [data[i:i + size] for i in range(0, len(data), size)]


def read(image):
    """The Needs an Elf declares (none if it has no such sections); raises NeedsError."""
    needs, seen = Needs(), {}
    for raw in records(image, layout.CELL_NEEDS_ENDS_SECTION, layout.CELL_NEED_END_SIZE):
        name = c_string(raw[:layout.CELL_NAME_MAX])
        kind, flags = struct.unpack_from("<II", raw, layout.CELL_NEED_END_KIND)
        if kind not in END_KINDS:
            raise NeedsError(f"{image.name}: the end '{name}' has an unknown kind {kind}")
        need = EndNeed(name, END_KINDS[kind], bool(flags & layout.CELL_NEED_OPTIONAL))
        _add_once(needs.ends, seen, need, image.name)
    for raw in records(image, layout.CELL_NEEDS_MAPS_SECTION, layout.CELL_NEED_MAP_SIZE):
        name = c_string(raw[:layout.CELL_NAME_MAX])
        backing, flags = struct.unpack_from("<II", raw, layout.CELL_NEED_MAP_BACKING)
        rights = c_string(raw[layout.CELL_NEED_MAP_RIGHTS:layout.CELL_NEED_MAP_RIGHTS + 4])
        (min_size,) = struct.unpack_from("<Q", raw, layout.CELL_NEED_MAP_MIN_SIZE)
        if backing not in BACKINGS:
            raise NeedsError(f"{image.name}: the map '{name}' has an unknown backing {backing}")
        if not re.fullmatch(r"r?w?x?", rights) or "r" not in rights:
            raise NeedsError(f"{image.name}: the map '{name}' asks for rights '{rights}': "
                             "use letters of r, w, x, with r")
        need = MapNeed(name, BACKINGS[backing], bool(flags & layout.CELL_NEED_OPTIONAL), rights, min_size)
        _add_once(needs.maps, seen, need, image.name)
    return needs


def _add_once(items, seen, need, program):
    """A header may declare one need in several files: the same need once, required if any is."""
    if not NAME.fullmatch(need.name):
        raise NeedsError(f"{program}: it declares '{need.name}', which no manifest can name "
                         "(1 to 31 characters a-z, 0-9, _, starting with a letter)")
    key = (type(need), need.name)
    first = seen.get(key)
    if first is None:
        seen[key] = need
        items.append(need)
        return
    if isinstance(need, EndNeed) and need.kind != first.kind:
        raise NeedsError(f"{program}: it declares '{need.name}' both as {WHAT_IT_IS[first.kind]} and as "
                         f"{WHAT_IT_IS[need.kind]}")
    if isinstance(need, MapNeed) and (need.backing, need.rights, need.min_size) != (
            first.backing, first.rights, first.min_size):
        raise NeedsError(f"{program}: it declares the map '{need.name}' twice, differently")
    first.optional = first.optional and need.optional


def check(system, plans, programs, report):
    """Reports each cell whose manifest entry lacks an end or map its program declares."""
    for cell in system.cells:
        program = programs.get(cell)
        if program is None or program.needs is None:
            continue
        ends = {e.name: e for e in plans[cell].ends}
        declared = {n.name for n in program.needs.ends}
        for need in program.needs.ends:
            check_end(cell, program, need, ends.get(need.name), sorted(set(ends) - declared), report)
        maps = {m.name: m for m in cell.maps}
        declared = {n.name for n in program.needs.maps}
        for need in program.needs.maps:
            check_map(cell, program, need, maps.get(need.name), sorted(set(maps) - declared), report)


def did_you_mean(name, names, cutoff=0.6):
    close = difflib.get_close_matches(name, names, n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_end(cell, program, need, end, names, report):
    who = f"its program {program.payload_name}"
    if end is None:
        if not need.optional:
            wanted = WANTED[need.kind].format(name=need.name, cell=cell.name)
            report.add(cell.entry, f"{who} {VERB[need.kind]} '{need.name}', which the manifest does not "
                       f"give cell {cell.name}: add {wanted}{did_you_mean(need.name, names, 0.8)}")
        return
    if end.kind != need.kind:
        report.add(end.entry, f"cell {cell.name}'s program {program.payload_name} {VERB[need.kind]} "
                   f"'{need.name}', but here it is {WHAT_IT_IS[end.kind]}: the program needs "
                   f"{WHAT_IT_IS[need.kind]}")


def check_map(cell, program, need, m, names, report):
    who = f"{program.payload_name} needs"
    if m is None:
        if not need.optional:
            backing = f"{need.backing} " if need.backing else ""
            report.add(cell.entry, f"its program {who} a {backing}map '{need.name}' (rights {need.rights}, "
                       f"at least {amount(need.min_size)}), which the manifest does not give cell "
                       f"{cell.name}: add a [[cell.map]] named '{need.name}'{did_you_mean(need.name, names, 0.8)}")
        return
    if need.backing and m.backing != need.backing:
        key = {SHARED: "region", DEVICE: "paddr"}.get(m.backing)
        report.add(m.entry.key(key) if key else m.entry, f"{who} '{need.name}' to be "
                   f"{BACKING_WORDS[need.backing]}, but this map is {BACKING_WORDS[m.backing]}")
    missing = "".join(r for r in need.rights if r not in m.rights)
    if missing:
        report.add(m.entry.key("rights"), f"{who} '{need.name}' with rights {need.rights}, but the map "
                   f"gives {m.rights}")
    if m.size is not None and m.size < need.min_size:
        report.add(m.entry.key("size") if m.backing != SHARED else m.entry.key("region"),
                   f"{who} '{need.name}' to be at least {amount(need.min_size)} ({need.min_size} bytes), "
                   f"but the map is {human(m.size)}")


def handle_name(prefix, name):
    return f"{prefix}_{name.upper()}"


def header(system, plan, cell, manifest_path):
    """The C header declaring every end and map the manifest gives `cell`, as its program's needs."""
    lines = ["/*",
             f" * Cell '{cell.name}' of system {system.name} ({manifest_path}), written by",
             " * cella-manifest headers: do not edit. It declares every end and map the",
             " * manifest gives the cell as what its program needs (cell.h), so a program",
             " * that includes it names them as constants the compiler checks.",
             " */",
             "#pragma once", "", "#include <cell.h>", ""]
    for e in plan.ends:
        handle = handle_name("IRQ" if e.kind == IRQ else "CH", e.name)
        lines.append(f'{MACROS[e.kind]}({handle}, "{e.name}"); /* {end_comment(e)} */')
    for m in cell.maps:
        where = {SHARED: f"region {m.region.name if m.region else ''}",
                 DEVICE: f"device at {m.paddr:#x}" if m.paddr is not None else "device",
                 PRIVATE: "private"}[m.backing]
        lines.append(f'CELL_MAP({handle_name("MAP", m.name)}, "{m.name}", {C_BACKING[m.backing]}, '
                     f'"{m.rights}", {m.size:#x}); /* {where}, at {m.vaddr:#x} */')
    return "\n".join(lines) + "\n"


def end_comment(e):
    if e.kind == IRQ:
        return f"IRQ {e.irq.number}, notification bit {e.badge.bit_length() - 1}"
    peer = f"{e.peer.kind} {e.peer.name}"
    return {CALL_CLIENT: f"calls {peer}, badge {e.badge}", CALL_SERVER: f"called by {peer}, badge {e.badge}",
            NOTIFY_SIGNAL: f"signals {peer}", NOTIFY_WAIT:
            f"signalled by {peer}, notification bit {e.badge.bit_length() - 1}"}[e.kind]
