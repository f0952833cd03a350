"""Which capabilities each subject holds, in which slot, with which badge.

This is the one place that decides a cell's CSpace: explain prints it, the
proof reasons over it and the spec encoder writes it. Layout of a cell's
CNode (slot 0 stays empty, slot 1 is the initializer's endpoint for faults
and exit, layout.CELL_SUPERVISOR_SLOT):

  its endpoint and reply object   if it serves at least one call channel
  its notification                if anything signals it (a notify channel or an IRQ)
  one slot per channel end        in manifest order; a server or waiter end reuses the
                                  endpoint or notification slot instead of taking one
  one slot per IRQ handler        in manifest order
  frame capabilities              for each map with frame_caps, one slot per page

Each server cell has one endpoint for all its call channels (so a single
receive serves them all) and tells its clients apart by badge; each cell
has one notification for all its signals and IRQs and tells them apart by
bit. A persona's ends are held by its VMM, a cell of its own, in the VMM's CNode.
"""

from dataclasses import dataclass, field

from .. import layout
from .model import CALL, MAX_BADGE, MAX_BIT, NOTIFY

CALL_CLIENT, CALL_SERVER = "call-client", "call-server"
NOTIFY_SIGNAL, NOTIFY_WAIT = "notify-signal", "notify-wait"
IRQ = "irq"
MIN_RADIX = 4
MAX_FRAME_CAPS = 512          # per map: more would bloat the CNode; use 2M pages instead


@dataclass
class End:
    """One named thing a subject knows about: a channel end or an IRQ."""
    kind: str
    name: str
    slot: int                  # 0: held for a persona by its VMM
    rights: int                # RIGHT_* of a capability this end adds; 0 if it adds none
    badge: int                 # what the receiving side sees
    peer: object = None        # the subject at the other end
    channel: object = None
    irq: object = None
    entry: object = None       # the manifest entry that grants it

    @property
    def adds_cap(self):
        return self.kind in (CALL_CLIENT, NOTIFY_SIGNAL, IRQ)


@dataclass
class Plan:
    subject: object
    endpoint_slot: int = 0
    reply_slot: int = 0
    notification_slot: int = 0
    ends: list = field(default_factory=list)
    frame_slots: dict = field(default_factory=dict)   # Map -> first slot of its frame caps
    next_slot: int = layout.CELL_FIRST_FREE_SLOT

    def take_slots(self, count=1):
        """Slots in the subject's CNode; a persona's are in its VMM's CNode, which holds its ends."""
        first = self.next_slot
        self.next_slot += count
        return first

    @property
    def cnode_radix(self):
        """Room for every slot in use and as many again for capabilities received at run time."""
        return max(MIN_RADIX, (2 * self.next_slot - 1).bit_length())


def plan_all(system, report):
    """Returns {subject: Plan}; badge, bit and size conflicts go to report."""
    badges = allocate_badges(system, report)
    bits = allocate_bits(system, report)
    plans = {s: Plan(s) for s in system.subjects}
    for subject, plan in plans.items():
        give_own_objects(system, plan)
        for channel in system.channels_of(subject):
            plan.ends.append(channel_end(plan, channel, badges, bits))
        for irq in getattr(subject, "irqs", []):
            plan.ends.append(End(IRQ, irq.name, plan.take_slots(), 0, 1 << bits[irq], irq=irq, entry=irq.entry))
        for m in getattr(subject, "maps", []):
            if m.frame_caps:
                plan.frame_slots[m] = plan.take_slots(frame_count(m, report))
        limit = min(layout.CNODE_MAX_RADIX, layout.INITIALIZER_MAX_CNODE_RADIX)
        if plan.cnode_radix > limit:
            report.add(subject.entry, f"needs a CNode of radix {plan.cnode_radix}, more than {limit}")
        if len(plan.ends) > layout.CELL_INFO_MAX_ENDS:
            report.add(subject.entry, f"has {len(plan.ends)} channel and IRQ ends, more than "
                       f"{layout.CELL_INFO_MAX_ENDS} (its info page lists at most that many)")
    return plans


def give_own_objects(system, plan):
    channels = system.channels_of(plan.subject)
    if any(c.kind == CALL and c.receiver is plan.subject for c in channels):
        plan.endpoint_slot = plan.take_slots()
        plan.reply_slot = plan.take_slots()
    if receives_signals(system, plan.subject):
        plan.notification_slot = plan.take_slots()


def receives_signals(system, subject):
    return bool(getattr(subject, "irqs", [])) or any(
        c.kind == NOTIFY and c.receiver is subject for c in system.channels)


def channel_end(plan, c, badges, bits):
    me = plan.subject
    if c.kind == CALL and c.sender is me:
        rights = layout.RIGHT_WRITE | (layout.RIGHT_GRANT if c.grant else 0) \
            | (layout.RIGHT_GRANT_REPLY if c.grant_reply else 0)
        return End(CALL_CLIENT, c.name, plan.take_slots(), rights, badges[c], c.receiver, c, entry=c.entry)
    if c.kind == CALL:
        return End(CALL_SERVER, c.name, plan.endpoint_slot, 0, badges[c], c.sender, c, entry=c.entry)
    if c.sender is me:
        return End(NOTIFY_SIGNAL, c.name, plan.take_slots(), layout.RIGHT_WRITE, 1 << bits[c], c.receiver, c,
                   entry=c.entry)
    return End(NOTIFY_WAIT, c.name, plan.notification_slot, 0, 1 << bits[c], c.sender, c, entry=c.entry)


def frame_count(m, report):
    count = m.size // m.page_size
    if count > MAX_FRAME_CAPS:
        report.add(m.entry.key("frame_caps"), f"would give {count} frame capabilities; at most "
                   f"{MAX_FRAME_CAPS} per map (map a 2M-page region instead)")
    return count


def allocate_badges(system, report):
    """Call badges, unique per server: explicit ones first, then the lowest free from 1."""
    by_server = {}
    for c in system.channels:
        if c.kind == CALL:
            by_server.setdefault(c.receiver, []).append(c)
    return _allocate(by_server, Numbering("badge", "badge", "call channel to", 1, MAX_BADGE), report)


def allocate_bits(system, report):
    """Notification bits, unique per receiver, shared by its notify channels and IRQs."""
    by_receiver = {}
    for c in system.channels:
        if c.kind == NOTIFY:
            by_receiver.setdefault(c.receiver, []).append(c)
    for cell in system.cells:
        by_receiver.setdefault(cell, []).extend(cell.irqs)
    return _allocate(by_receiver, Numbering("bit", "notification bit", "signal to", 0, MAX_BIT), report)


@dataclass
class Numbering:
    attr: str                  # the item's attribute holding an explicit number, or None
    what: str                  # for messages
    owner_role: str            # "call channel to", as in "each call channel to 'x' needs its own"
    low: int
    high: int


def _allocate(groups, numbering, report):
    """{item: number}: each group's explicit numbers (reporting repeats), then the lowest free ones."""
    chosen = {}
    for owner, items in groups.items():
        used = {}
        for item in items:
            value = getattr(item, numbering.attr)
            if value is not None and value in used:
                first = used[value]
                report.add(item.entry.key(numbering.attr), f"{numbering.what} {value} is already used by "
                           f"'{first.name}' ({report.where(first.entry)}); each {numbering.owner_role} "
                           f"'{owner.name}' needs its own")
            if value is not None:
                used.setdefault(value, item)
                chosen[item] = value
        for item in items:
            if getattr(item, numbering.attr) is None:
                value = next((v for v in range(numbering.low, numbering.high + 1) if v not in used), None)
                if value is None:
                    report.add(item.entry, f"no {numbering.what} left: '{owner.name}' has more than "
                               f"{numbering.high - numbering.low + 1} sources")
                    value = numbering.low
                used[value] = item
                chosen[item] = value
    return chosen
