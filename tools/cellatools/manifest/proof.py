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
MAX_WITNESSES = 16             # per no_path rule: the violating pairs shown with a path


@dataclass(frozen=True)
class Cap:
    kind: str                  # ENDPOINT, NOTIFICATION or FRAMES
    target: object             # whose endpoint or notification; the Region or Map of frames
    rights: int
    badge: int
    label: str                 # the channel or map it comes from
    entry: Entry = field(default=None, compare=False, hash=False)

    def __post_init__(self):
        # Computed once: the closure looks capabilities up millions of times in the worst case.
        object.__setattr__(self, "_hash", hash((self.kind, id(self.target), self.rights, self.badge, self.label)))

    def __hash__(self):
        return self._hash

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
    """Every capability each subject can come to hold, and how.

    A worklist closure: each (subject, capability) is taken up once, and a flow
    "giver passes everything to taker" once per pair, so the work is bounded by
    subjects x capabilities x subjects however the grants chain.
    """

    def __init__(self, system, plans):
        self.holdings = {s: {} for s in system.subjects}
        self._by_target = {}       # (kind, target) -> [(subject, cap)], in the order they were taken
        self._takers = {s: [] for s in system.subjects}   # giver -> [(taker, Origin)]
        self._flows = set()        # (giver, taker) pairs already flowing
        self._roles = {}           # endpoint owner -> ({granting caller: cap}, {reply-granting: cap}, {receiver: cap})
        self._new = deque()
        for subject, plan in plans.items():
            for cap in initial_caps(plan):
                self._take(subject, cap, Origin(cap.entry))
        self._close_under_grant()

    def holders(self, kind, target, right):
        return [(s, cap) for s, cap in self._by_target.get((kind, target), ()) if cap.rights & right]

    def _take(self, subject, cap, origin):
        caps = self.holdings[subject]
        if cap in caps:
            return
        caps[cap] = origin
        self._by_target.setdefault((cap.kind, cap.target), []).append((subject, cap))
        self._new.append((subject, cap))

    def _close_under_grant(self):
        while self._new:
            subject, cap = self._new.popleft()
            for taker, origin in self._takers[subject]:
                if cap not in self.holdings[taker]:
                    self._take(taker, cap, origin)
            if cap.kind == ENDPOINT:
                self._connect(subject, cap)

    def _connect(self, subject, cap):
        """subject has just come to hold cap, an endpoint capability: the flows it opens.
        Each subject takes each role at an endpoint once (granting caller, caller granting
        replies, receiver), with the first capability that gave it the role as the reason."""
        roles = self._roles.setdefault(cap.target, ({}, {}, {}))
        granting, reply_granting, receiving = roles
        if cap.rights & layout.RIGHT_GRANT and subject not in granting:
            granting[subject] = cap
            for server, receive_cap in list(receiving.items()):
                self._flow_call(subject, cap, server, receive_cap)
        if cap.rights & layout.RIGHT_GRANT_REPLY and subject not in reply_granting:
            reply_granting[subject] = cap
            for server, receive_cap in list(receiving.items()):
                self._flow_reply(subject, cap, server, receive_cap)
        if cap.rights & layout.RIGHT_READ and subject not in receiving:
            receiving[subject] = cap
            for caller, call_cap in list(granting.items()):
                self._flow_call(caller, call_cap, subject, cap)
            for caller, call_cap in list(reply_granting.items()):
                self._flow_reply(caller, call_cap, subject, cap)

    def _flow_call(self, caller, cap, server, receive_cap):
        if caller is not server and (caller, server) not in self._flows:
            self._flow(caller, server, Origin(cap.entry, caller, cap, "call (grant)", server, receive_cap))

    def _flow_reply(self, caller, cap, server, receive_cap):
        if caller is not server and (server, caller) not in self._flows:
            self._flow(server, caller, Origin(cap.entry, server, cap, "reply (grant_reply)", server, receive_cap))

    def _flow(self, giver, taker, origin):
        self._flows.add((giver, taker))
        self._takers[giver].append((taker, origin))
        held = self.holdings[taker]
        for cap in list(self.holdings[giver]):
            if cap not in held:
                self._take(taker, cap, origin)

    def provenance(self, subject, cap, where):
        """Lines telling how subject comes to hold cap, first cause first; each holding is
        explained once, so the story stays as long as the chain of grants behind it."""
        lines, told = [], set()
        stack = [(subject, cap, False)]
        while stack:
            holder, held, causes_told = stack.pop()
            origin = self.holdings[holder][held]
            if causes_told:
                lines.append(f"{where(origin.entry)}: {title(origin.giver)} can pass it to {title(holder)} "
                             f"in a {origin.how} over '{origin.over.label}'")
                continue
            if (holder, held) in told:
                continue
            told.add((holder, held))
            if origin.giver is None:
                lines.append(f"{where(origin.entry)}: {title(holder)} is given the {held.describe()}")
                continue
            stack.append((holder, held, True))
            if origin.receiver is not origin.over.target:
                # Not the endpoint's owner receiving: say how the receiver came to hold its receive right.
                stack.append((origin.receiver, origin.receive_cap, False))
            stack.append((origin.giver, held, False))
        return lines


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
        self.edges = {}            # source -> {target: the first Step found}: a search needs no other
        self._searches = {}        # (source, trusted) -> how each node was first reached
        for subject in system.subjects:
            for m in subject.maps:
                if m.backing == SHARED or m.frame_caps:
                    self._map_edges(subject, m)
            if getattr(subject, "disk", None):
                self._disk_edges(subject)
        for subject, caps in authority.holdings.items():
            done = set()           # (kind, target) already joined: later caps to it add the same edges
            for cap in caps:
                if cap.kind != FRAMES and cap.rights & layout.RIGHT_WRITE:
                    if (cap.kind, cap.target) in done:
                        continue
                    done.add((cap.kind, cap.target))
                self._cap_edges(subject, cap)

    def add(self, step):
        self.edges.setdefault(step.source, {}).setdefault(step.target, step)

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
        came_by = self.search(source, frozenset(trusted))
        return self._steps_to(target, came_by) if target in came_by else None

    def search(self, source, trusted):
        """Breadth first from source, not through trusted nodes: {node: the step that first
        reached it}. Kept, since the rules of a system ask about the same sources again."""
        key = (source, trusted)
        if key not in self._searches:
            came_by = {source: None}
            queue = deque([source])
            while queue:
                node = queue.popleft()
                if node in trusted:
                    continue
                for target, step in self.edges.get(node, {}).items():
                    if target not in came_by:
                        came_by[target] = step
                        queue.append(target)
            self._searches[key] = came_by
        return self._searches[key]

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
        trusted = frozenset(rule.params["trusted"])
        pairs = [(source, target) for source in dict.fromkeys(rule.params["from"])
                 for target in dict.fromkeys(rule.params["to"])
                 if target in self.graph.search(source, trusted)]
        for source, target in pairs[:MAX_WITNESSES]:
            steps = self.graph.shortest_path(source, target, trusted)
            self.violated(rule, f"{title(source)} can reach {title(target)}; witness path:", self.witness(steps))
        if len(pairs) > MAX_WITNESSES:
            self.violated(rule, f"{len(pairs) - MAX_WITNESSES} more pairs can reach each other "
                          f"(the first {MAX_WITNESSES} are shown)", [])
        return not pairs

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
