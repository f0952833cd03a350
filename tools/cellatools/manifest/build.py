"""build: check, compile the boot spec, pack the image; the memory layout on request.

Nothing is written until everything has been checked and the image
assembled in memory; then each output is written whole or not at all.
"""

import os
from dataclasses import dataclass

from .. import elf, image
from .. import payload as pay
from ..atomic import write_atomically
from . import devicetree, analysis as stages
from . import checks, memory, spec
from .memory import cell_areas, human, amount
from . import model
from .model import title

SPEC_ENTRY = "bootspec"


@dataclass
class Inputs:
    manifest: str
    kernel: str
    initializer: str
    output: str
    program_dirs: tuple = ()
    spec_out: str = None
    platforms_dir: str = stages.boards.DEFAULT_PLATFORMS


@dataclass
class Outcome:
    analysis: object
    problems: list             # lines, if it failed
    report_lines: list         # the memory layout report, if it succeeded
    written: str = ""          # what was written, if it succeeded


def read_elf(path, what, problems):
    """(bytes, Elf), or (None, None) with a line added to problems."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        return data, elf.Elf(data, path)
    except OSError as e:
        problems.append(f"cannot read the {what} {path}: {e.strerror}")
    except elf.ElfError as e:
        problems.append(f"the {what} is unusable: {e}")
    return None, None


def build(inputs):
    result = stages.analyse(inputs.manifest, inputs.program_dirs, inputs.platforms_dir)
    report = result.report
    if not result.ok:
        return Outcome(result, report.lines(), [])
    tools = []                                 # problems with the other inputs, not the manifest
    _, kernel = read_elf(inputs.kernel, "kernel", tools)
    init_data, _ = read_elf(inputs.initializer, "initializer", tools)
    if tools:
        return Outcome(result, tools, [])
    blob = spec.encode(result.system, result.plans, result.programs, result.board.irqs, result.guests)
    files = [(pay.INITIALIZER, init_data), (SPEC_ENTRY, blob)]
    runners = list(result.system.cells) + list(result.system.personas)
    files += [(p.payload_name, p.data) for p in stages.set_of(result.programs[c] for c in runners)]
    try:
        files += guest_files(result)
    except devicetree.DeviceTreeError as e:
        return Outcome(result, [str(e)], [])
    try:
        payload_bytes = pay.build(files)
        image_span = boot_image_span(kernel, len(payload_bytes))
    except (pay.PayloadError, image.ImageError) as e:
        return Outcome(result, [str(e)], [])
    check_against_image(result, image_span)
    if not result.ok:
        return Outcome(result, report.lines(), [])
    try:
        write_outputs(inputs, files, blob)
    except (OSError, image.ImageError) as e:
        return Outcome(result, [f"cannot write the output: {getattr(e, 'strerror', None) or e}"], [])
    return Outcome(result, [], layout_report(result), written_line(result, inputs, len(payload_bytes)))


def guest_files(result):
    """Each persona's kernel, initramfs and generated device tree, once per distinct file."""
    files, names = [], set()
    for p in result.system.personas:
        g = result.guests[p]
        channels = [(c.name, c.receiver.name) for c in result.system.channels
                    if c.kind == model.CALL and c.sender is p and not c.keyboard]   # the VMM's own
        dtb = devicetree.compile_dts(devicetree.persona_dts(p, len(g.initramfs), channels))
        for name, data in ((g.kernel_name, g.kernel), (g.initramfs_name, g.initramfs),
                           (f"{p.name}.dtb", dtb)):
            if name and name not in names:
                names.add(name)
                files.append((name, data))
    return files


def boot_image_span(kernel, payload_size):
    """[start, end) of the physical memory the loaded kernel and its payload occupy."""
    start = min(s.paddr for s in kernel.loads())
    return start, image.payload_address(kernel) + payload_size


def check_against_image(result, image_span):
    """Now the image's size is known: redo the memory estimate, and keep fixed regions clear of it."""
    start, end = image_span
    for r in result.system.regions:
        if r.paddr is not None and checks.overlaps(r.paddr, r.end, start, end):
            result.report.add(r.entry.key("paddr"), f"{checks.span(r.paddr, r.end)} overlaps the boot image "
                              f"(kernel and payload) at {checks.span(start, end)}")
    result.estimate = memory.estimate(result.system, result.programs, result.plans, result.board, end - start)
    checks.check_memory(result.estimate, result.system, result.report)


def write_outputs(inputs, files, blob):
    """The image, then the spec; if the spec cannot be written, the image goes too."""
    image.pack(inputs.kernel, files, inputs.output)
    if inputs.spec_out:
        try:
            write_atomically(inputs.spec_out, blob)
        except OSError:
            os.unlink(inputs.output)
            raise


def layout_report(result):
    """Every cell's mapped ranges, the personas' guest maps, the regions and the RAM estimate."""
    system, est = result.system, result.estimate
    lines = [f"memory layout of {system.name} on {system.platform}"]
    for cell in system.cells:
        plan = result.plans[cell]
        lines.append(f"  cell {cell.name}: priority {cell.priority}, restart {cell.restart}, "
                     f"CNode radix {plan.cnode_radix}")
        for a in cell_areas(cell, result.programs[cell]):
            rights = "".join(c if c in a.rights else "-" for c in "rwx")
            lines.append(f"    {a.start:#012x}-{a.end:#012x} {human(a.size):>6} {rights}  "
                         f"{a.what:<20} {a.backing}")
    for p in system.personas:
        lines.append(f"  persona {p.name}: {human(p.memory)} RAM, {p.vcpus} vCPU, priority {p.priority}, "
                     f"restart {p.restart}")
        for m in p.maps:
            lines.append(f"    guest {m.vaddr:#012x}-{m.end:#012x} {human(m.size):>6} {m.rights:<3}  "
                         f"region {m.region.name}")
    for r in system.regions:
        where = f"at {r.paddr:#x}" if r.paddr is not None else "anywhere in RAM"
        lines.append(f"  {title(r)}: {human(r.size)} in {human(r.page_size)} pages, {where}")
    lines.append(f"  RAM: about {amount(est.total)} needed of {amount(est.available)} "
                 f"({100 * est.total / est.available:.1f}%)")
    lines += [f"    {what:<32} {amount(size):>12}" for what, size in est.items]
    return lines


def written_line(result, inputs, payload_size):
    est = result.estimate
    return (f"wrote {inputs.output} (payload {payload_size} bytes; RAM about {amount(est.total)} of "
            f"{amount(est.available)})" + (f" and {inputs.spec_out}" if inputs.spec_out else ""))

