"""From TOML text to a model.System, reporting every schema, type and reference error.

This stage needs nothing but the manifest: no platform, no programs.
Anything that depends on those is checked later, in checks.py, and only
once this stage found nothing wrong.
"""

import difflib
import re
import tomllib

from . import fields as f
from .. import layout
from .model import (ALWAYS, CALL, DEVICE, LIMITED, MAX_BADGE, MAX_BIT, NEVER, NOTIFY, PRIVATE, SHARED, Cell,
                    Channel, Display, Irq, Map, Persona, Region, Restart, Rule, System, kind_name)
from .report import Entry, Report
from .source import SourceMap

DEFAULT_PRIORITY = 100
DEFAULT_STACK = 16 << 10
DEFAULT_BOOTARGS = "console=ttyAMA0"   # without the key; an empty string stays empty
MAX_IRQ = 1019                 # the last GICv3 SPI
MAX_VCPUS = 8
PERSONA_KINDS = ("linux",)
SCREEN_MIN, SCREEN_MAX = 16, 4096   # pixels, each way
KEYBOARD_SUFFIXES = ("_keys", "_kbd")  # a persona's keyboard channels: notify from, call to, its input cell
TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def load(path):
    """Returns (System or None, Report). The system is only usable if the report is empty."""
    report = Report(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        report.add(Entry(), f"cannot read: {getattr(e, 'strerror', None) or e}")
        return None, report
    return parse_text(text, path, report)


def parse_text(text, path, report=None):
    report = report or Report(path)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib puts the position in the message; move it to the front like every other error.
        match = TOML_POSITION.search(str(e))
        report.source = _FixedLine(int(match.group(1)) if match else None)
        report.add(Entry(("syntax",), "syntax"), TOML_POSITION.sub("", str(e)).strip())
        return None, report
    report.source = SourceMap(text)
    system = _Parser(path, doc, report).system()
    return system, report


class _FixedLine:
    """A stand-in SourceMap for a document tomllib refused: every entry is on one line."""

    def __init__(self, line_number):
        self.line_number = line_number

    def line(self, path):
        return self.line_number


class _Parser:
    def __init__(self, path, doc, report):
        self.path = path
        self.doc = doc
        self.report = report
        self.names = {}        # the shared namespace: name -> Cell/Persona/Region/Channel

    def system(self):
        root = f.Table(self.doc, Entry(), self.report)
        head = root.get("system", f.table, None)
        raw = {key: root.get(key, f.tables, []) for key in ("region", "cell", "persona", "channel", "rule")}
        root.finish()
        entry = Entry(("system",), "system")
        if head is None:
            self.report.add(entry, "missing the [system] table (name and platform)")
            head = {}
        top = f.Table(head, entry, self.report)
        system = System(self.path, top.get("name", f.name), top.get("platform", platform_name), entry)
        top.finish()
        system.regions = self.items(raw["region"], "region", self.region)
        system.cells = self.items(raw["cell"], "cell", self.cell)
        system.personas = self.items(raw["persona"], "persona", self.persona)
        system.regions += [p.display.region for p in system.personas if p.display and p.display.region]
        self.check_framebuffer_maps(system)
        keyboards = self.keyboard_channels(system)
        system.channels = self.items(raw["channel"], "channel", self.channel) + keyboards
        for subject in system.subjects:
            self.check_local_names(system, subject)
        system.rules = [self.rule(f.Table(t, Entry().item("rule", i, _label(t, ("name",))), self.report), i)
                        for i, t in enumerate(raw["rule"])]
        return system

    # -- helpers ----------------------------------------------------------

    def items(self, raw_tables, key, build):
        """Builds each table of an array and registers its name in the shared namespace."""
        built = []
        for i, raw in enumerate(raw_tables):
            entry = Entry().item(key, i, _label(raw))
            item = build(f.Table(raw, entry, self.report))
            if item.name is not None:
                self.register(item)
            built.append(item)
        return built

    def sub_items(self, t, key, build):
        """The tables of one of this table's arrays ([[cell.map]]), built one by one."""
        return [build(f.Table(raw, t.entry.item(key, i, _label(raw)), self.report))
                for i, raw in enumerate(t.get(key, f.tables, []))]

    def register(self, item):
        other = self.names.get(item.name)
        if other is None:
            self.names[item.name] = item
            return
        self.report.add(item.entry.key("name"), f"duplicate name '{item.name}': "
                        f"{self.report.where(other.entry)} already names a {kind_name(other)}")

    def lookup(self, name, kinds, entry):
        """The declared item called name, if it is one of kinds (e.g. ("cell", "persona"))."""
        if name is None:
            return None
        item = self.names.get(name)
        if item is not None and item.kind in kinds:
            return item
        wanted = " or ".join(kinds)
        if item is not None:
            self.report.add(entry, f"'{name}' is a {kind_name(item)}, not a {wanted}")
            return None
        candidates = [n for n, i in self.names.items() if i.kind in kinds]
        close = difflib.get_close_matches(name, candidates, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.report.add(entry, f"no {wanted} named '{name}'{hint}")
        return None

    # -- tables -------------------------------------------------------------

    def region(self, t):
        region = Region(t.entry, t.get("name", f.name), t.get("size", f.size),
                        t.get("page_size", f.page_size, 4096), t.get("paddr", f.address, None))
        t.finish()
        return region

    def cell(self, t):
        cell = Cell(t.entry, t.get("name", f.name), t.get("program", f.string),
                    t.get("priority", f.integer(0, 255), DEFAULT_PRIORITY),
                    t.get("stack", f.size, DEFAULT_STACK), t.get("heap", f.byte_count, 0),
                    t.get("restart", restart, Restart()))
        cell.maps = self.sub_items(t, "map", self.cell_map)
        cell.irqs = self.sub_items(t, "irq", self.irq)
        t.finish()
        return own_maps(cell)

    def cell_map(self, t):
        """A cell's mapping: private (no paddr, no region), device (paddr) or shared (region)."""
        if t.has("region") and t.has("paddr"):
            t.fail(t.entry, "give either region (shared memory) or paddr (a device), not both")
        backing = SHARED if t.has("region") else DEVICE if t.has("paddr") else PRIVATE
        region = self.lookup(t.get("region", f.name, None), ("region",), t.entry.key("region"))
        m = Map(t.entry, self.map_name(t, backing), t.get("vaddr", f.address),
                self.map_size(t, backing, region), t.get("rights", f.rights, "rw"), backing,
                t.get("cached", f.boolean, backing != DEVICE),
                t.get("paddr", f.address, None), region, t.get("frame_caps", f.boolean, False))
        if backing == DEVICE and m.cached:
            t.fail(t.entry.key("cached"), "device memory is never cached")
        if backing == DEVICE and m.rights and "x" in m.rights:
            t.fail(t.entry.key("rights"), "device memory cannot be executable")
        t.finish()
        return m

    @staticmethod
    def map_name(t, backing):
        if backing == SHARED:
            return t.get("name", f.name, t.data.get("region"))
        if not t.has("name"):
            t.fail(t.entry, "missing required key 'name' "
                   "(only a shared-region map defaults to the region's name)")
        return t.get("name", f.name, None)

    @staticmethod
    def map_size(t, backing, region):
        if backing != SHARED:
            return t.get("size", f.size)
        if t.has("size"):
            t.fail(t.entry.key("size"), "a shared region is mapped whole: its size comes from its [[region]]")
        t.used.add("size")
        return region.size if region else None

    def irq(self, t):
        irq = Irq(t.entry, t.get("name", f.name), t.get("irq", f.integer(0, MAX_IRQ)),
                  t.get("bit", f.integer(0, MAX_BIT), None))
        t.finish()
        return irq

    def persona(self, t):
        persona = Persona(t.entry, t.get("name", f.name), t.get("kind", f.one_of(*PERSONA_KINDS)),
                          t.get("kernel", f.string), t.get("initramfs", f.string, None),
                          t.get("bootargs", any_string, DEFAULT_BOOTARGS), t.get("memory", f.size),
                          t.get("vcpus", f.integer(1, MAX_VCPUS), 1),
                          t.get("priority", f.integer(0, 255), DEFAULT_PRIORITY),
                          t.get("restart", restart, Restart()))
        persona.maps = self.sub_items(t, "map", self.persona_map)
        disk = t.get("disk", f.name, None)
        if disk is not None:
            persona.disk = self.lookup(disk, ("region",), t.entry.key("disk"))
        raw_display = t.get("display", f.table, None)
        keyboard = t.get("keyboard", f.name, None)
        if keyboard is not None:
            persona.keyboard = self.lookup(keyboard, ("cell",), t.entry.key("keyboard"))
        t.finish()
        own_maps(persona)
        if raw_display is not None:
            persona.display = self.display(f.Table(raw_display, t.entry.key("display"), self.report), persona)
        return persona

    def display(self, t, persona):
        """A persona's screen: makes its framebuffer region and the two maps of it.

        The persona maps it read-write at PERSONA_FB_BASE; the display cell
        maps it read-only at its next screen address. The region is named
        "<persona>_fb", in the shared namespace, so rules can name it.
        """
        pixels = f.integer(SCREEN_MIN, SCREEN_MAX)
        d = Display(t.entry, t.get("width", pixels), t.get("height", pixels),
                    self.lookup(t.get("cell", f.name), ("cell",), t.entry.key("cell")), persona)
        t.finish()
        if None in (d.width, d.height, d.cell, persona.name):
            return d
        size = -(-d.stride * d.height // layout.PAGE_2M) * layout.PAGE_2M
        if len(persona.name) + 3 > f.NAME_MAX:
            self.report.add(t.entry, f"persona '{persona.name}' has a name too long for its framebuffer "
                            f"region '{persona.name}_fb': use at most {f.NAME_MAX - 3} characters")
        d.region = Region(t.entry, f"{persona.name}_fb", size, layout.PAGE_2M, screen=d)
        self.register(d.region)
        screens = sum(1 for m in d.cell.maps if m.region is not None and m.region.screen is not None)
        if screens >= layout.CELL_MAX_SCREENS:
            self.report.add(t.entry.key("cell"), f"cell '{d.cell.name}' already shows "
                            f"{layout.CELL_MAX_SCREENS} screens, the most a display cell can")
        d.persona_map = Map(t.entry, "framebuffer", layout.PERSONA_FB_BASE, size, "rw", SHARED,
                            region=d.region, owner=persona)
        d.cell_map = Map(t.entry, d.region.name, layout.CELL_SCREEN_VADDR + screens * layout.CELL_SCREEN_STRIDE,
                         size, "r", SHARED, region=d.region, owner=d.cell)
        persona.maps.append(d.persona_map)
        d.cell.maps.append(d.cell_map)
        return d

    def keyboard_channels(self, system):
        """A persona's keyboard key makes the two channels its VMM's keyboard uses.

        "<persona>_keys", a notify channel from the input cell (keys are
        waiting), and "<persona>_kbd", a call channel to it (INPUT_READ): the
        VMM makes the keys a virtio keyboard for the guest. They are in the
        shared namespace and the proof sees them as any other channels.
        """
        made = []
        for p in system.personas:
            if p.keyboard is None or p.name is None:
                continue
            entry = p.entry.key("keyboard")
            if len(p.name) + len(KEYBOARD_SUFFIXES[0]) > f.NAME_MAX:
                self.report.add(entry, f"persona '{p.name}' has a name too long for its keyboard channel "
                                f"'{p.name}{KEYBOARD_SUFFIXES[0]}': use at most "
                                f"{f.NAME_MAX - len(KEYBOARD_SUFFIXES[0])} characters")
            keys = Channel(entry, f"{p.name}_keys", NOTIFY, p.keyboard, p, keyboard=p)
            reads = Channel(entry, f"{p.name}_kbd", CALL, p, p.keyboard, keyboard=p)
            for c in (keys, reads):
                self.register(c)
                made.append(c)
        return made

    def check_framebuffer_maps(self, system):
        """A framebuffer is written by its persona and read by its display cell, and mapped by nobody else."""
        for subject in system.subjects:
            for m in subject.maps:
                screen = m.region.screen if m.region is not None else None
                if screen is not None and m not in (screen.persona_map, screen.cell_map):
                    self.report.add(m.entry.key("region"), f"region '{m.region.name}' is persona "
                                    f"'{screen.persona.name}''s framebuffer: only it and its display cell "
                                    f"'{screen.cell.name}' map it")

    def persona_map(self, t):
        """A persona maps shared regions only, at a guest-physical address."""
        region = self.lookup(t.get("region", f.name), ("region",), t.entry.key("region"))
        m = Map(t.entry, t.get("name", f.name, t.data.get("region")), t.get("guest_address", f.address),
                region.size if region else None, t.get("rights", f.rights, "rw"), SHARED, region=region)
        t.finish()
        return m

    def channel(self, t):
        kind = t.get("kind", f.one_of(CALL, NOTIFY))
        keys = {CALL: ("client", "server"), NOTIFY: ("from", "to")}.get(kind)
        if keys is None:
            t.used.update(t.data)           # the kind is wrong; do not also call every key unknown
            return Channel(t.entry, t.get("name", f.name), kind, None, None)
        ends = [self.lookup(t.get(key, f.name), ("cell", "persona"), t.entry.key(key)) for key in keys]
        channel = Channel(t.entry, t.get("name", f.name), kind, *ends)
        if kind == CALL:
            channel.badge = t.get("badge", f.integer(1, MAX_BADGE), None)
            channel.grant = t.get("grant", f.boolean, False)
            channel.grant_reply = t.get("grant_reply", f.boolean, False)
        else:
            channel.bit = t.get("bit", f.integer(0, MAX_BIT), None)
        t.finish()
        self.check_channel_ends(channel, keys)
        return channel

    def check_local_names(self, system, subject):
        """A subject knows its maps, and its IRQs and channel ends, by name: each name once."""
        self.unique_within(subject.maps, {}, "map")
        ends = {c.name: c for c in system.channels_of(subject) if c.name}
        self.unique_within(getattr(subject, "irqs", []), ends, "channel or IRQ")

    def unique_within(self, items, seen, what):
        for item in items:
            if item.name is None:
                continue
            if item.name in seen:
                self.report.add(item.entry.key("name"), f"{what} name '{item.name}' is already used here "
                                f"({self.report.where(seen[item.name].entry)})")
            seen.setdefault(item.name, item)

    def check_channel_ends(self, c, keys):
        if c.sender is None or c.receiver is None:
            return
        if c.sender is c.receiver and not (c.kind == NOTIFY and c.sender.kind == "cell"):
            self.report.add(c.entry, f"both ends are '{c.sender.name}': a channel joins two different subjects "
                            "(only a cell's notify channel to itself, its timer, may not)")
        elif c.sender.kind == c.receiver.kind == "persona":
            self.report.add(c.entry, "both ends are personas: personas talk to each other "
                            "only through a cell, so that a rule can see it")
        if c.kind == CALL and c.receiver.kind == "persona":
            self.report.add(c.entry.key(keys[1]), f"persona '{c.receiver.name}' cannot serve calls: "
                            "a call channel's server must be a cell")
        if c.kind == CALL and c.sender.kind == "persona" and (c.grant or c.grant_reply):
            self.report.add(c.entry, f"persona '{c.sender.name}' cannot pass or receive capabilities: "
                            "remove grant and grant_reply")

    def rule(self, t, index):
        entry = t.entry
        kind = t.get("kind", f.one_of(*RULE_KEYS))
        rule = Rule(entry, t.get("name", f.string, f"rule #{index + 1}"), kind, {})
        if kind is None:
            t.used.update(t.data)
            return rule
        for key, (convert, kinds, default) in RULE_KEYS[kind].items():
            value = t.get(key, convert, default)
            lookup = lambda n: self.lookup(n, kinds, entry.key(key))  # noqa: E731
            rule.params[key] = [lookup(n) for n in value] if isinstance(value, list) else lookup(value)
        t.finish()
        self.check_rule(rule)
        return rule

    def check_rule(self, rule):
        if rule.kind != "no_path":
            return
        sources, targets, trusted = (rule.params[k] or [] for k in ("from", "to", "trusted"))
        for item in set(sources) & set(targets) - {None}:
            self.report.add(rule.entry, f"'{item.name}' is in both from and to")
        for item in set(trusted) & set(sources + targets) - {None}:
            self.report.add(rule.entry.key("trusted"),
                            f"'{item.name}' is an end of the rule; it cannot also be trusted")


SUBJECTS = ("cell", "persona")
ANYTHING = ("cell", "persona", "region")
# For each rule kind: key -> (converter, kinds of item it names, default).
RULE_KEYS = {
    "no_path": {"from": (f.names, ANYTHING, f.REQUIRED), "to": (f.names, ANYTHING, f.REQUIRED),
                "trusted": (f.names, SUBJECTS, [])},
    "only_callers": {"callee": (f.name, ("cell",), f.REQUIRED),
                     "callers": (f.names, SUBJECTS, f.REQUIRED)},
    "exclusive_map": {"region": (f.name, ("region",), f.REQUIRED),
                      "mapper": (f.name, SUBJECTS, None)},
}


def _label(raw, keys=("name", "region")):
    """How an item is called in messages: its name, else its region's (maps), else nothing."""
    for key in keys:
        if isinstance(raw.get(key), str) and raw[key]:
            return raw[key]
    return None


def own_maps(subject):
    for m in subject.maps:
        m.owner = subject
    return subject


def platform_name(value):
    value = f.string(value)
    if not re.fullmatch(r"[A-Za-z0-9._-]+", value):
        raise f.Invalid(f"'{value}' is not a board folder name under platforms/")
    return value


def any_string(value):
    return f.expect(value, str, "a string")


def restart(value):
    """never, always, or an integer N: restart at most N times."""
    if isinstance(value, str):
        if value in (NEVER, ALWAYS):
            return Restart(value)
        raise f.Invalid(f"'{value}' is not a restart policy: use \"never\", \"always\" or a count")
    if not isinstance(value, int) or isinstance(value, bool):
        raise f.Invalid(f"must be \"never\", \"always\" or a count of restarts, not {f.describe(value)}")
    return Restart(LIMITED, f.integer(1, 0xFFFF)(value))
