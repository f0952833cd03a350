"""The boot spec encoder: a checked System to the binary the initializer reads.

The format is libsel4-like/include/abi/bootspec.h, described in
docs/bootspec.md. Each record below lists the C struct's fields in order
with their struct codes, so tests can check every offset against the header.
"""

import struct
import zlib

from .. import layout
from .caps import CALL_CLIENT, CALL_SERVER, IRQ, NOTIFY_SIGNAL, NOTIFY_WAIT, receives_signals
from .model import ALWAYS, CALL, DEVICE, LIMITED, NEVER, NOTIFY, PRIVATE, SHARED

MAGIC = b"CELLSPEC"
VERSION_MAJOR, VERSION_MINOR = 1, 4
NONE = 0xFFFFFFFF
CRC_START = 12
ALIGN = 8


class Record:
    def __init__(self, c_name, fields):
        self.c_name = c_name
        self.fields = fields                       # [(name, struct code)]; "reserved" ones pack as padding
        self.struct = struct.Struct("<" + "".join(code for _, code in fields))

    def offsets(self):
        """{field: offset} for the named (non-padding) fields."""
        result, fmt = {}, "<"
        for name, code in self.fields:
            if not code.endswith("x"):
                result[name] = struct.calcsize(fmt)
            fmt += code
        return result

    def pack(self, *values):
        return self.struct.pack(*values)


HEADER = Record("bootspec_header", [
    ("magic", "8s"), ("crc32", "I"), ("total_size", "I"), ("version_major", "H"), ("version_minor", "H"),
    ("section_count", "H"), ("section_entry_size", "H"), ("system_name", "I"), ("platform_name", "I")])
SECTION = Record("bootspec_section", [("type", "I"), ("offset", "I"), ("count", "I"), ("entry_size", "I")])
CELL = Record("bootspec_cell", [
    ("name", "I"), ("program", "I"), ("priority", "B"), ("restart", "B"), ("restart_limit", "H"),
    ("cnode_radix", "B"), ("reserved0", "3x"), ("stack_size", "Q"), ("heap_size", "Q"),
    ("first_map", "I"), ("map_count", "I"), ("first_end", "I"), ("end_count", "I"),
    ("endpoint_slot", "H"), ("reply_slot", "H"), ("notification_slot", "H"), ("reserved1", "2x")])
PERSONA = Record("bootspec_persona", [
    ("name", "I"), ("kernel", "I"), ("initramfs", "I"), ("bootargs", "I"), ("kind", "B"), ("priority", "B"),
    ("vcpus", "B"), ("flags", "B"), ("cnode_radix", "B"), ("restart", "B"), ("notification_slot", "H"),
    ("memory_size", "Q"), ("first_map", "I"),
    ("map_count", "I"), ("first_end", "I"), ("end_count", "I"), ("disk", "I"), ("restart_limit", "H"),
    ("reserved1", "2x")])
REGION = Record("bootspec_region", [
    ("name", "I"), ("page_bits", "B"), ("flags", "B"), ("reserved", "2x"), ("size", "Q"), ("paddr", "Q")])
CHANNEL = Record("bootspec_channel", [
    ("name", "I"), ("kind", "B"), ("flags", "B"), ("sender_kind", "B"), ("receiver_kind", "B"),
    ("sender", "I"), ("receiver", "I"), ("badge", "Q")])
MAP = Record("bootspec_map", [
    ("vaddr", "Q"), ("size", "Q"), ("paddr", "Q"), ("name", "I"), ("region", "I"), ("kind", "B"),
    ("rights", "B"), ("attributes", "B"), ("page_bits", "B"), ("frame_cap_slot", "H"), ("reserved", "2x")])
END = Record("bootspec_end", [
    ("name", "I"), ("channel", "I"), ("kind", "B"), ("rights", "B"), ("peer_kind", "B"), ("flags", "B"),
    ("slot", "H"), ("reserved0", "2x"), ("peer", "I"), ("reserved1", "4x"), ("badge", "Q")])
SCREEN = Record("bootspec_screen", [
    ("persona", "I"), ("cell", "I"), ("region", "I"), ("width", "H"), ("height", "H"), ("stride", "I"),
    ("format", "I"), ("guest_address", "Q"), ("cell_vaddr", "Q")])
RECORDS = (HEADER, SECTION, CELL, PERSONA, REGION, CHANNEL, MAP, END, SCREEN)

SECTION_STRINGS, SECTION_CELLS, SECTION_PERSONAS, SECTION_REGIONS = 1, 2, 3, 4
SECTION_CHANNELS, SECTION_MAPS, SECTION_ENDS, SECTION_SCREENS = 5, 6, 7, 8
SCREEN_FORMAT = {"x8r8g8b8": 1}
RESTART = {NEVER: 0, ALWAYS: 1, LIMITED: 2}
PERSONA_KIND = {"linux": 1}
PERSONA_NOTIFIED = 1
PERSONA_MIN_SIZE = 48                      # a 1.0 or 1.1 persona record: no disk
REGION_FIXED = 1
CHANNEL_KIND = {CALL: 1, NOTIFY: 2}
CHANNEL_GRANT, CHANNEL_GRANT_REPLY = 1, 2
SUBJECT_NONE, SUBJECT_CELL, SUBJECT_PERSONA = 0, 1, 2
MAP_KIND = {PRIVATE: 1, SHARED: 2, DEVICE: 3}
END_KIND = {CALL_CLIENT: 1, CALL_SERVER: 2, NOTIFY_SIGNAL: 3, NOTIFY_WAIT: 4, IRQ: 5}
END_EDGE_TRIGGERED = 1
VM_RIGHTS = {"r": layout.VM_READ, "w": layout.VM_WRITE, "x": layout.VM_EXECUTE}


class Strings:
    """The string section: each distinct string once; offset 0 is the empty string."""

    def __init__(self):
        self.blob = bytearray(b"\0")
        self.offsets = {"": 0}

    def __call__(self, text):
        if text is None:
            return 0
        if text not in self.offsets:
            self.offsets[text] = len(self.blob)
            self.blob += text.encode() + b"\0"
        return self.offsets[text]


class Encoder:
    def __init__(self, system, plans, programs, board_irqs, guests):
        self.system = system
        self.plans = plans
        self.programs = programs               # {cell: Program}
        self.guests = guests                   # {persona: GuestFiles}: the names the payload stores
        self.board_irqs = board_irqs           # {number: DeviceIrq}, for the trigger mode
        self.string = Strings()
        self.index = {}                        # cells, personas, regions, channels -> index
        for group in (system.cells, system.personas, system.regions, system.channels):
            self.index.update((item, i) for i, item in enumerate(group))
        self.maps, self.ends = [], []

    def subject_ref(self, subject):
        if subject is None:
            return SUBJECT_NONE, 0
        return (SUBJECT_CELL if subject.kind == "cell" else SUBJECT_PERSONA), self.index[subject]

    def encode(self):
        cells = [self.cell(c) for c in self.system.cells]
        personas = [self.persona(p) for p in self.system.personas]
        regions = [self.region(r) for r in self.system.regions]
        channels = [self.channel(c) for c in self.system.channels]
        screens = [self.screen(p.display) for p in self.system.personas if p.display]
        sections = [(SECTION_CELLS, CELL, cells), (SECTION_PERSONAS, PERSONA, personas),
                    (SECTION_REGIONS, REGION, regions), (SECTION_CHANNELS, CHANNEL, channels),
                    (SECTION_MAPS, MAP, self.maps), (SECTION_ENDS, END, self.ends),
                    (SECTION_SCREENS, SCREEN, screens)]
        names = (self.string(self.system.name), self.string(self.system.platform))
        return assemble(sections, bytes(self.string.blob), names)

    def add_maps_and_ends(self, subject):
        """Appends subject's maps and ends; returns (first_map, map_count, first_end, end_count)."""
        plan = self.plans[subject]
        first_map, first_end = len(self.maps), len(self.ends)
        self.maps += [self.map(m, plan.frame_slots.get(m, 0)) for m in subject.maps]
        self.ends += [self.end(e) for e in plan.ends]
        return first_map, len(subject.maps), first_end, len(plan.ends)

    def cell(self, c):
        plan = self.plans[c]
        return CELL.pack(self.string(c.name), self.string(self.programs[c].payload_name), c.priority,
                         RESTART[c.restart.policy], c.restart.limit, plan.cnode_radix, c.stack, c.heap,
                         *self.add_maps_and_ends(c),
                         plan.endpoint_slot, plan.reply_slot, plan.notification_slot)

    def persona(self, p):
        flags = PERSONA_NOTIFIED if receives_signals(self.system, p) else 0
        plan, files = self.plans[p], self.guests[p]
        return PERSONA.pack(self.string(p.name), self.string(files.kernel_name),
                            self.string(files.initramfs_name), self.string(p.bootargs), PERSONA_KIND[p.guest], p.priority, p.vcpus,
                            flags, plan.cnode_radix, RESTART[p.restart.policy], plan.notification_slot,
                            p.memory, *self.add_maps_and_ends(p), self.index[p.disk] + 1 if p.disk else 0,
                            p.restart.limit)

    def region(self, r):
        fixed = r.paddr is not None
        return REGION.pack(self.string(r.name), r.page_size.bit_length() - 1, REGION_FIXED if fixed else 0,
                           r.size, r.paddr if fixed else 0)

    def channel(self, c):
        flags = (CHANNEL_GRANT if c.grant else 0) | (CHANNEL_GRANT_REPLY if c.grant_reply else 0)
        sender_kind, sender = self.subject_ref(c.sender)
        receiver_kind, receiver = self.subject_ref(c.receiver)
        end = next(e for e in self.plans[c.sender].ends if e.channel is c)
        return CHANNEL.pack(self.string(c.name), CHANNEL_KIND[c.kind], flags, sender_kind, receiver_kind,
                            sender, receiver, end.badge)

    def screen(self, d):
        return SCREEN.pack(self.index[d.persona], self.index[d.cell], self.index[d.region], d.width, d.height,
                           d.stride, SCREEN_FORMAT[d.format], d.persona_map.vaddr, d.cell_map.vaddr)

    def map(self, m, frame_slot):
        rights = sum(VM_RIGHTS[c] for c in m.rights)
        if m.backing == DEVICE:
            attributes = layout.VM_ATTR_DEVICE
        else:
            attributes = 0 if m.cached else layout.VM_ATTR_UNCACHED
        region = self.index[m.region] if m.region else NONE
        return MAP.pack(m.vaddr, m.size, m.paddr or 0, self.string(m.name), region, MAP_KIND[m.backing],
                        rights, attributes, m.page_size.bit_length() - 1, frame_slot)

    def end(self, e):
        if e.kind == IRQ:
            edge = self.board_irqs[e.irq.number].edge if e.irq.number in self.board_irqs else False
            return END.pack(self.string(e.name), NONE, END_KIND[IRQ], 0, SUBJECT_NONE,
                            END_EDGE_TRIGGERED if edge else 0, e.slot, e.irq.number, e.badge)
        peer_kind, peer = self.subject_ref(e.peer)
        return END.pack(self.string(e.name), self.index[e.channel], END_KIND[e.kind], e.rights, peer_kind, 0,
                        e.slot, peer, e.badge)


def assemble(sections, strings, names):
    """Header, section table, then each section 8-byte aligned; the CRC goes in last."""
    blobs = [(SECTION_STRINGS, 1, len(strings), strings)]
    blobs += [(kind, rec.struct.size, len(items), b"".join(items)) for kind, rec, items in sections]
    table_end = HEADER.struct.size + SECTION.struct.size * len(blobs)
    body = bytearray(table_end)
    table = []
    for kind, entry_size, count, blob in blobs:
        body += b"\0" * (-len(body) % ALIGN)
        table.append(SECTION.pack(kind, len(body), count, entry_size))
        body += blob
    body += b"\0" * (-len(body) % ALIGN)
    body[HEADER.struct.size:table_end] = b"".join(table)
    body[:HEADER.struct.size] = HEADER.pack(MAGIC, 0, len(body), VERSION_MAJOR, VERSION_MINOR, len(table),
                                            SECTION.struct.size, *names)
    struct.pack_into("<I", body, 8, zlib.crc32(body[CRC_START:]))
    return bytes(body)


def encode(system, plans, programs, board_irqs, guests):
    """guests: {persona: GuestFiles}, whose file names are the payload entries the spec names."""
    return Encoder(system, plans, programs, board_irqs, guests).encode()
