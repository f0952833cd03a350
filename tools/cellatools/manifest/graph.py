"""graph: the system as Graphviz DOT; rules appear as notes tied to what they name.

Shapes: cells are boxes, personas 3-D boxes, shared regions cylinders,
devices and IRQs hexagons and diamonds. Call channels are solid arrows
from client to server, notify channels dashed arrows from signaller to
waiter; a mapping is an arrow in the direction data flows (to the region
when writable, from it when readable, both ways for both).
"""

from .memory import human
from .model import CALL, DEVICE, SHARED

COLOURS = {"cell": "#dbe9f6", "persona": "#fde9c8", "region": "#e3f2d9", "device": "#eeeeee"}


def quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def label(*lines):
    """A DOT label of several lines (DOT's own \\n escape separates them)."""
    return "\"" + "\\n".join(quote(line)[1:-1] for line in lines) + "\""


def node_id(thing):
    return quote(f"{thing.kind}:{thing.name}")


def to_dot(analysis):
    system = analysis.system
    out = [f"digraph {quote(system.name)} {{",
           f"  label={quote(f'{system.name} on {system.platform}')}; labelloc=t; rankdir=LR;",
           '  node [fontname="Helvetica", style=filled]; edge [fontname="Helvetica", fontsize=10];']
    out += subjects(system) + regions(system) + devices_and_irqs(system)
    out += channels(analysis) + mappings(system) + rules(analysis)
    out.append("}")
    return "\n".join(out) + "\n"


def subjects(system):
    out = []
    for c in system.cells:
        text = label(f"cell {c.name}", f"program {c.program}, priority {c.priority}")
        out.append(f"  {node_id(c)} [shape=box, fillcolor={quote(COLOURS['cell'])}, label={text}];")
    for p in system.personas:
        text = label(f"persona {p.name}", f"{p.guest}, {human(p.memory)} RAM, {p.vcpus} vCPU")
        out.append(f"  {node_id(p)} [shape=box3d, fillcolor={quote(COLOURS['persona'])}, label={text}];")
    return out


def regions(system):
    out = []
    for r in system.regions:
        where = f" at {r.paddr:#x}" if r.paddr is not None else ""
        text = label(f"region {r.name}", f"{human(r.size)}{where}")
        out.append(f"  {node_id(r)} [shape=cylinder, fillcolor={quote(COLOURS['region'])}, label={text}];")
    return out


def devices_and_irqs(system):
    out = []
    for c in system.cells:
        for m in c.maps:
            if m.backing == DEVICE:
                dev = quote(f"device:{c.name}.{m.name}")
                text = label(f"device {m.name}", f"{m.paddr:#x}, {human(m.size)}")
                out.append(f"  {dev} [shape=hexagon, fillcolor={quote(COLOURS['device'])}, label={text}];")
                out.append(f"  {dev} -> {node_id(c)} [dir=both, label={quote(m.rights)}];")
        for irq in c.irqs:
            node = quote(f"irq:{irq.number}")
            out.append(f"  {node} [shape=diamond, fillcolor={quote(COLOURS['device'])}, "
                       f"label={quote(f'IRQ {irq.number}')}];")
            out.append(f"  {node} -> {node_id(c)} [style=dotted, label={quote(irq.name)}];")
    return out


def channels(analysis):
    out = []
    for c in analysis.system.channels:
        end = next(e for e in analysis.plans[c.sender].ends if e.channel is c)
        if c.kind == CALL:
            extras = [x for x, on in (("grant", c.grant), ("grant_reply", c.grant_reply)) if on]
            text = label(c.name, f"call, badge {end.badge:#x}" + "".join(f", {x}" for x in extras))
            style = "solid, bold" if extras else "solid"
            out.append(f"  {node_id(c.sender)} -> {node_id(c.receiver)} [style={quote(style)}, label={text}];")
        else:
            text = label(c.name, f"notify, bit {end.badge.bit_length() - 1}")
            out.append(f"  {node_id(c.sender)} -> {node_id(c.receiver)} [style=dashed, arrowhead=open, "
                       f"label={text}];")
    return out


def mappings(system):
    out = []
    for s in system.subjects:
        for m in s.maps:
            if m.backing != SHARED:
                continue
            direction = "both" if "w" in m.rights else "back"
            text = f"{m.rights} @ {m.vaddr:#x}"
            out.append(f"  {node_id(s)} -> {node_id(m.region)} [dir={direction}, color=\"#4a7f2c\", "
                       f"label={quote(text)}];")
        if getattr(s, "disk", None):
            out.append(f"  {node_id(s)} -> {node_id(s.disk)} [dir=both, color=\"#4a7f2c\", "
                       f"label={quote('disk')}];")
    return out


def rules(analysis):
    out = []
    verdicts = {v.rule: v.proven for v in analysis.verdicts}
    for i, rule in enumerate(analysis.system.rules):
        proven = verdicts.get(rule)
        status = "proven" if proven else "VIOLATED" if proven is False else "not proven"
        colour = "#2e7d32" if proven else "#c62828"
        note = quote(f"rule:{i}")
        text = label(f"rule: {rule.name}", rule_summary(rule), status)
        out.append(f"  {note} [shape=note, fillcolor=\"#ffffff\", color={quote(colour)}, "
                   f"fontcolor={quote(colour)}, label={text}];")
        for thing in named_by(rule):
            out.append(f"  {note} -> {node_id(thing)} [style=dotted, arrowhead=none, color={quote(colour)}];")
    return out


def rule_summary(rule):
    p = rule.params
    names = lambda items: ", ".join(i.name for i in items)  # noqa: E731
    if rule.kind == "no_path":
        trusted = f" (trusting {names(p['trusted'])})" if p["trusted"] else ""
        return f"no path from {names(p['from'])} to {names(p['to'])}{trusted}"
    if rule.kind == "only_callers":
        return f"only {names(p['callers']) or 'nobody'} may call {p['callee'].name}"
    mapper = p["mapper"].name if p["mapper"] else "one subject"
    return f"only {mapper} maps {p['region'].name}"


def named_by(rule):
    found = []
    for value in rule.params.values():
        for thing in value if isinstance(value, list) else [value]:
            if thing is not None and thing not in found:
                found.append(thing)
    return found
