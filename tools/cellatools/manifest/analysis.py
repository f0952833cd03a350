"""Running the stages in order: parse, plan capabilities, check against the
platform and the programs, estimate memory, prove the rules.

Later stages only run on what earlier ones accepted, so one mistake is
reported once rather than again by every check that depends on it.
"""

import os
from dataclasses import dataclass, field

from . import board as boards
from . import caps, checks, memory, needs, parse, proof
from .report import Report


@dataclass
class Analysis:
    report: Report
    system: object = None
    plans: dict = None
    board: object = None
    programs: dict = field(default_factory=dict)
    guests: dict = field(default_factory=dict)
    estimate: object = None
    verdicts: list = field(default_factory=list)
    model_ok: bool = False     # parsed and planned: enough to explain and draw

    @property
    def ok(self):
        return not self.report


def analyse_model(path):
    """Parse, plan and prove only: what explain and graph need (no platform, no programs)."""
    system, report = parse.load(path)
    result = Analysis(report, system)
    if report or system is None:
        return result
    result.plans = caps.plan_all(system, report)
    result.model_ok = not report
    if result.model_ok:
        result.verdicts = proof.prove(system, result.plans, report)
    return result


def analyse(path, program_dirs=(), platforms_dir=boards.DEFAULT_PLATFORMS, image_bytes=None):
    """Every check. image_bytes: the boot image's size if known (build); else the programs' sizes."""
    result = analyse_model(path)
    if not result.model_ok:
        return result
    system, report = result.system, result.report
    try:
        result.board = boards.load(os.path.abspath(platforms_dir), system.platform)
    except boards.BoardError as e:
        report.add(system.entry.key("platform"), str(e))
        return result
    result.programs = checks.load_programs(system, report, program_dirs)
    result.guests = checks.load_guest_files(system, report, program_dirs)
    checks.check_all(system, report, result.board, result.programs)
    needs.check(system, result.plans, result.programs, report)
    if image_bytes is None:
        image_bytes = memory.image_estimate(set_of(result.programs.values()), result.guests.values())
    result.estimate = memory.estimate(system, result.programs, result.plans, result.board, image_bytes)
    checks.check_memory(result.estimate, system, report)
    return result


def set_of(programs):
    """Distinct programs, in first-use order (two cells may run the same program)."""
    seen = {}
    for p in programs:
        seen.setdefault(p.path, p)
    return list(seen.values())
