"""Proving isolation rules: who can reach what through capabilities.

Authority: every subject (cell or persona) starts with the capabilities its
plan gives it (caps.py). A capability to an endpoint with GRANT lets its
holder pass any capability it holds to whoever receives on that endpoint;
with GRANT_REPLY the receiver can pass any of its own back in the reply.
Closing the holdings under those two moves until nothing changes gives
every capability each subject can ever come to hold (take-grant style,
assuming the worst: a subject passes everything it may).

Paths: a directed graph over subjects, shared regions and memory whose
frame capabilities a cell holds. There is an edge X -> Y when X can put
information where Y sees it:
  - X holds a write capability to an endpoint Y receives on (X calls Y),
    and then also Y -> X (the reply);
  - X holds a write capability to a notification Y waits on (X signals Y);
  - X maps region R (or holds its frames) with write rights: X -> R;
    with read rights: R -> X.
A path is a chain of such edges. The initializer, which creates all of
this, is trusted and is not part of the graph.
"""

from collections import deque
from dataclasses import dataclass, field

from .. import layout
from .caps import CALL_CLIENT, CALL_SERVER, NOTIFY_SIGNAL, NOTIFY_WAIT
from .model import SHARED, title
from .report import Entry

RULE_KINDS = ("no_path", "only_callers", "exclusive_map")
ENDPOINT, NOTIFICATION, FRAMES = "endpoint", "notification", "frames"
VM_TO_RIGHTS = {"r": layout.RIGHT_READ, "w": layout.RIGHT_WRITE}


@dataclass(frozen=True)
class Cap:
    kind: str                  # ENDPOINT, NOTIFICATION or FRAMES
    target: object             # whose endpoint or notification; the Region or Map of frames
    rights: int
    badge: int
    label: str                 # the channel or map it comes from
    entry: Entry = field(default=None, compare=False, hash=False)

    def describe(self):
        return f"{self.kind} of {title(self.target)} ({rights_text(self.rights)}, '{self.label}')"


@dataclass
class Origin:
    """How a subject holds a capability: from the manifest, or passed on by giver."""
    entry: Entry
    giver: object = None
    over: Cap = None           # the endpoint capability whose GRANT or GRANT_REPLY carried it
    how: str = None            # "call (grant)" or "reply (grant_reply)"
    receiver: object = None    # who received on that endpoint,
    receive_cap: Cap = None    # thanks to this read capability


@dataclass
class Step:
    source: object
    target: object
    text: str
    entry: Entry
    granted: tuple = ()        # (subject, Cap) when the step uses a passed-on capability


@dataclass
class Verdict:
    rule: object
    proven: bool


def rights_text(rights):
    names = [(layout.RIGHT_READ, "read"), (layout.RIGHT_WRITE, "write"),
             (layout.RIGHT_GRANT, "grant"), (layout.RIGHT_GRANT_REPLY, "grant-reply")]
    return "+".join(n for bit, n in names if rights & bit) or "none"


class Authority:
    """Every capability each subject can come to hold, and how."""

    def __init__(self, system, plans):
        self.holdings = {s: {} for s in system.subjects}
        for subject, plan in plans.items():
            for cap in initial_caps(plan):
                self.holdings[subject].setdefault(cap, Origin(cap.entry))
        self._close_under_grant()

    def holders(self, kind, target, right):
        return [(s, cap) for s, caps in self.holdings.items() for cap in caps
                if cap.kind == kind and cap.target is target and cap.rights & right]

    def _close_under_grant(self):
        changed = True
        while changed:
            changed = False
            for caller, caps in self.holdings.items():
                for cap in list(caps):
                    if cap.kind != ENDPOINT:
                        continue
                    for server, receive_cap in self.holders(ENDPOINT, cap.target, layout.RIGHT_READ):
                        if server is caller:
                            continue
                        if cap.rights & layout.RIGHT_GRANT:
                            how = Origin(cap.entry, caller, cap, "call (grant)", server, receive_cap)
                            changed |= self._pass_all(caller, server, how)
                        if cap.rights & layout.RIGHT_GRANT_REPLY:
                            how = Origin(cap.entry, server, cap, "reply (grant_reply)", server, receive_cap)
                            changed |= self._pass_all(server, caller, how)

    def _pass_all(self, giver, taker, origin):
        added = False
        for cap in list(self.holdings[giver]):
            if cap not in self.holdings[taker]:
                self.holdings[taker][cap] = origin
                added = True
        return added

    def provenance(self, subject, cap, where):
        """Lines telling how subject comes to hold cap, first cause first."""
        origin = self.holdings[subject][cap]
        if origin.giver is None:
            return [f"{where(origin.entry)}: {title(subject)} is given the {cap.describe()}"]
        lines = self.provenance(origin.giver, cap, where)
        if origin.receiver is not origin.over.target:
            # Not the endpoint's owner receiving: say how the receiver came to hold its receive right.
            lines += self.provenance(origin.receiver, origin.receive_cap, where)
        return lines + [f"{where(origin.entry)}: {title(origin.giver)} can pass it to {title(subject)} "
                        f"in a {origin.how} over '{origin.over.label}'"]


def initial_caps(plan):
    me = plan.subject
    for end in plan.ends:
        if end.kind == CALL_CLIENT:
            yield Cap(ENDPOINT, end.peer, end.rights, end.badge, end.name, end.entry)
        elif end.kind == CALL_SERVER:
            yield Cap(ENDPOINT, me, layout.RIGHT_READ, 0, "its endpoint", me.entry)
        elif end.kind == NOTIFY_SIGNAL:
            yield Cap(NOTIFICATION, end.peer, layout.RIGHT_WRITE, end.badge, end.name, end.entry)
        elif end.kind == NOTIFY_WAIT:
            yield Cap(NOTIFICATION, me, layout.RIGHT_READ, 0, "its notification", me.entry)
    for m in plan.frame_slots:
        rights = sum(VM_TO_RIGHTS.get(c, 0) for c in m.rights)
        yield Cap(FRAMES, memory_node(m), rights, 0, m.name, m.entry.key("frame_caps"))


def memory_node(m):
    """What a map's memory is called in the graph: its region, or the map itself."""
    return m.region if m.backing == SHARED else m


class FlowGraph:
    """Edges X -> Y: X can put information where Y can see it."""

    def __init__(self, system, authority):
        self.authority = authority
        self.edges = {}
        for subject in system.subjects:
            for m in subject.maps:
                if m.backing == SHARED or m.frame_caps:
                    self._map_edges(subject, m)
            if getattr(subject, "disk", None):
                self._disk_edges(subject)
        for subject, caps in authority.holdings.items():
            for cap in caps:
                self._cap_edges(subject, cap)

    def add(self, step):
        self.edges.setdefault(step.source, []).append(step)

    def _map_edges(self, subject, m):
        node = memory_node(m)
        if "w" in m.rights:
            self.add(Step(subject, node, f"{title(subject)} writes {title(node)}", m.entry))
        self.add(Step(node, subject, f"{title(subject)} reads {title(node)}", m.entry))

    def _disk_edges(self, persona):
        """A persona's VMM reads and writes its disk whenever the guest asks."""
        disk, entry = persona.disk, persona.entry.key("disk")
        self.add(Step(persona, disk, f"{title(persona)} writes {title(disk)}, its disk", entry))
        self.add(Step(disk, persona, f"{title(persona)} reads {title(disk)}, its disk", entry))

    def _cap_edges(self, subject, cap):
        granted = () if self.authority.holdings[subject][cap].giver is None else (subject, cap)
        if cap.kind == FRAMES:
            how = " with passed-on frame capabilities" if granted else " through its frame capabilities"
            if cap.rights & layout.RIGHT_WRITE:
                self.add(Step(subject, cap.target, f"{title(subject)} writes {title(cap.target)}{how}",
                              cap.entry, granted))
            if cap.rights & layout.RIGHT_READ:
                self.add(Step(cap.target, subject, f"{title(subject)} reads {title(cap.target)}{how}",
                              cap.entry, granted))
            return
        if not cap.rights & layout.RIGHT_WRITE:
            return
        for receiver, _ in self.authority.holders(cap.kind, cap.target, layout.RIGHT_READ):
            if receiver is subject:
                continue
            verb = "calls" if cap.kind == ENDPOINT else "signals"
            self.add(Step(subject, receiver, f"{title(subject)} {verb} {title(receiver)} over '{cap.label}'",
                          cap.entry, granted))
            if cap.kind == ENDPOINT:
                self.add(Step(receiver, subject, f"{title(receiver)} replies to {title(subject)} over "
                              f"'{cap.label}'", cap.entry, granted))

    def shortest_path(self, source, target, trusted):
        """The fewest steps from source to target that avoid trusted nodes, or None."""
        came_by = {source: None}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            if node is target:
                return self._steps_to(target, came_by)
            if node in trusted:
                continue
            for step in self.edges.get(node, []):
                if step.target not in came_by:
                    came_by[step.target] = step
                    queue.append(step.target)
        return None

    @staticmethod
    def _steps_to(target, came_by):
        steps = []
        while came_by[target] is not None:
            steps.append(came_by[target])
            target = came_by[target].source
        return steps[::-1]


class Prover:
    def __init__(self, system, plans, report):
        self.system = system
        self.report = report
        self.authority = Authority(system, plans)
        self.graph = FlowGraph(system, self.authority)

    def where(self, entry):
        return self.report.where(entry)

    def prove_all(self):
        return [Verdict(rule, getattr(self, rule.kind)(rule)) for rule in self.system.rules]

    def violated(self, rule, message, details):
        self.report.add(rule.entry, f"violated ({rule.kind}): {message}", details)
        return False

    def witness(self, steps):
        lines = []
        for step in steps:
            lines.append(f"{self.where(step.entry)}: {step.text}")
            if step.granted:
                lines.extend("  " + line for line in self.authority.provenance(*step.granted, self.where))
        return lines

    def no_path(self, rule):
        proven = True
        trusted = set(rule.params["trusted"])
        for source in rule.params["from"]:
            for target in rule.params["to"]:
                steps = self.graph.shortest_path(source, target, trusted)
                if steps is not None:
                    proven = self.violated(rule, f"{title(source)} can reach {title(target)}; "
                                           "witness path:", self.witness(steps))
        return proven

    def only_callers(self, rule):
        callee, allowed = rule.params["callee"], set(rule.params["callers"])
        first_cap = {}             # one witness per intruder: the first capability it holds
        for caller, cap in self.authority.holders(ENDPOINT, callee, layout.RIGHT_WRITE):
            if caller is not callee and caller not in allowed:
                first_cap.setdefault(caller, cap)
        for caller, cap in first_cap.items():
            self.violated(rule, f"{title(caller)} can call {title(callee)}; how:",
                          self.authority.provenance(caller, cap, self.where))
        return not first_cap

    def exclusive_map(self, rule):
        region, wanted = rule.params["region"], rule.params["mapper"]
        mappers = self.mappers_of(region)
        if len(mappers) == 1 and wanted in (None, next(iter(mappers))):
            return True
        if not mappers:
            return self.violated(rule, f"nothing maps {title(region)}", [])
        who = ", ".join(title(s) for s in mappers)
        details = [line for subject, reasons in mappers.items()
                   for line in [f"{title(subject)}:"] + ["  " + r for r in reasons]]
        expectation = f"only {title(wanted)} may" if wanted else "exactly one subject may"
        return self.violated(rule, f"{expectation} map {title(region)}, but {who} can:", details)

    def mappers_of(self, region):
        """{subject: [lines saying why it can map region]}, in manifest order."""
        mappers = {}
        for subject in self.system.subjects:
            for m in subject.maps:
                if m.region is region:
                    mappers.setdefault(subject, []).append(
                        f"{self.where(m.entry)}: {title(subject)} maps it at {m.vaddr:#x}")
            if getattr(subject, "disk", None) is region:
                mappers.setdefault(subject, []).append(
                    f"{self.where(subject.entry.key('disk'))}: {title(subject)}'s VMM maps it as its disk")
        for subject, cap in self.authority.holders(FRAMES, region, layout.RIGHT_READ | layout.RIGHT_WRITE):
            if subject not in mappers:
                mappers[subject] = self.authority.provenance(subject, cap, self.where)
        return mappers


def prove(system, plans, report):
    """Checks every rule; violations go to report. Returns a Verdict per rule."""
    return Prover(system, plans, report).prove_all()
