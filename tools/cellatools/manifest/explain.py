"""explain: every capability each subject will hold, and the manifest line that grants it."""

from .. import layout
from .caps import CALL_CLIENT, CALL_SERVER, IRQ, NOTIFY_SIGNAL, NOTIFY_WAIT
from .model import title
from .proof import rights_text


def explain(analysis):
    system, report = analysis.system, analysis.report
    lines = [f"system {system.name} for {system.platform}"]
    for cell in system.cells:
        lines += [""] + explain_cell(cell, analysis.plans[cell], report)
    for persona in system.personas:
        lines += [""] + explain_persona(persona, analysis.plans[persona], report)
    return lines


def explain_cell(cell, plan, report):
    lines = [f"cell {cell.name}: CNode of {1 << plan.cnode_radix} slots (radix {plan.cnode_radix}); "
             "its TCB, CNode and VSpace are held by the initializer, not by the cell",
             f"  {'slot':>5}  capability"]
    caps = cell_caps(cell, plan)
    for slot, text, entry in caps:
        lines.append(f"  {slot:>5}  {text}  [{report.where(entry)}]")
    if len(caps) == 1:  # only the initializer's endpoint
        lines.append(f"  {'-':>5}  none: it can reach nothing and nothing can reach it by IPC")
    lines += [f"  {'':>5}  {text}  [{report.where(entry)}]" for text, entry in arrivals(plan)]
    uncapped = [m.name for m in cell.maps if not m.frame_caps]
    if uncapped:
        lines.append(f"  {'':>5}  mapped for it, without frame capabilities: {', '.join(uncapped)}")
    return lines


def cell_caps(cell, plan):
    """(slot, description, granting entry) for every capability in the cell's CNode."""
    caps = [(layout.CELL_SUPERVISOR_SLOT, "the initializer's endpoint (write, badged): where its "
             "faults and its exit go", cell.entry)]
    if plan.endpoint_slot:
        serves = ", ".join(e.name for e in plan.ends if e.kind == CALL_SERVER)
        caps.append((plan.endpoint_slot, f"its endpoint (read): receives calls on {serves}",
                     next(e.entry for e in plan.ends if e.kind == CALL_SERVER)))
        caps.append((plan.reply_slot, "its reply object: answers the call it received last",
                     next(e.entry for e in plan.ends if e.kind == CALL_SERVER)))
    if plan.notification_slot:
        first = next(e for e in plan.ends if e.kind in (NOTIFY_WAIT, IRQ)
                     or (e.kind == NOTIFY_SIGNAL and e.peer is cell))   # its timer
        caps.append((plan.notification_slot, "its notification (read), bound to its TCB", first.entry))
    for e in plan.ends:
        if e.kind == CALL_CLIENT:
            caps.append((e.slot, f"endpoint of {title(e.peer)} ({rights_text(e.rights)}, badge {e.badge:#x}): "
                         f"calls over '{e.name}'", e.entry))
        elif e.kind == NOTIFY_SIGNAL and e.peer is cell:
            caps.append((e.slot, f"its own notification ({rights_text(e.rights)}, badge {e.badge:#x}): "
                         f"its timer '{e.name}' (cell_timer)", e.entry))
        elif e.kind == NOTIFY_SIGNAL:
            caps.append((e.slot, f"notification of {title(e.peer)} ({rights_text(e.rights)}, badge "
                         f"{e.badge:#x}): signals over '{e.name}'", e.entry))
        elif e.kind == IRQ:
            caps.append((e.slot, f"IRQ handler for IRQ {e.irq.number} '{e.name}': signals bit "
                         f"{e.badge.bit_length() - 1} of its notification", e.entry))
    for m, first in plan.frame_slots.items():
        count = m.size // m.page_size
        last = first + count - 1
        caps.append((f"{first}-{last}" if count > 1 else first,
                     f"{count} frame capabilit{'ies' if count > 1 else 'y'} of map '{m.name}' ({m.rights})",
                     m.entry.key("frame_caps")))
    return sorted(caps, key=lambda c: int(str(c[0]).split("-")[0]))


def arrivals(plan):
    """What reaches the cell without a capability of its own: badges and bits it will see."""
    out = []
    for e in plan.ends:
        if e.kind == CALL_SERVER:
            out.append((f"calls from {title(e.peer)} over '{e.name}' arrive with badge {e.badge:#x}", e.entry))
        elif e.kind == NOTIFY_WAIT:
            out.append((f"signals from {title(e.peer)} over '{e.name}' set bit "
                        f"{e.badge.bit_length() - 1}", e.entry))
    return out


def explain_persona(persona, plan, report):
    lines = [f"persona {persona.name}: its VMM holds these on its behalf"]
    for e in plan.ends:
        if e.kind == CALL_CLIENT:
            text = (f"endpoint of {title(e.peer)} ({rights_text(e.rights)}, badge {e.badge:#x}): "
                    f"calls over '{e.name}'")
        elif e.kind == NOTIFY_SIGNAL:
            text = f"notification of {title(e.peer)} (write, badge {e.badge:#x}): signals over '{e.name}'"
        else:
            text = f"signals from {title(e.peer)} over '{e.name}' set bit {e.badge.bit_length() - 1}"
        lines.append(f"  {text}  [{report.where(e.entry)}]")
    for m in persona.maps:
        lines.append(f"  region {m.region.name} at guest address {m.vaddr:#x} ({m.rights})  "
                     f"[{report.where(m.entry)}]")
    if len(lines) == 1:
        lines.append("  nothing: it is alone")
    return lines

