"""cella-manifest: check, build, draw and explain a Cella system manifest.

  cella-manifest check   MANIFEST [--program-dir DIR]...
  cella-manifest build   MANIFEST --kernel ELF --initializer ELF [--program-dir DIR]...
                                  -o IMAGE [--spec-out FILE] [--verbose]
  cella-manifest graph   MANIFEST [-o BASE]       (BASE.dot, and BASE.svg when Graphviz is installed)
  cella-manifest explain MANIFEST [--program-dir DIR]...   (with programs: the memory layout too)
  cella-manifest headers MANIFEST -o DIR [--cell NAME]...   (DIR/NAME.cell.h per cell)

Problems are printed as FILE:LINE: ENTRY: message, all of them; the exit
status is 1 when there are any, 2 for a bad command line.
"""

import argparse
import os
import shutil
import subprocess
import sys

from ..atomic import write_atomically
from . import analysis as stages
from . import board as boards
from . import build as builder
from . import explain as explainer
from . import graph as grapher
from . import needs
from .memory import amount

PROG = "cella-manifest"


def parser():
    top = argparse.ArgumentParser(prog=PROG,
                                  description="Check, build, draw and explain a Cella system manifest.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("manifest", metavar="MANIFEST", help="the system's TOML manifest")
        return p

    def needs_programs(p):
        p.add_argument("--program-dir", action="append", default=[], metavar="DIR",
                       help="where to look for NAME.elf (repeatable; the manifest's folder is searched last)")
        p.add_argument("--platforms", default=boards.DEFAULT_PLATFORMS, metavar="DIR",
                       help="the folder of board folders (default: the repository's platforms/)")

    needs_programs(command("check", "validate the manifest and prove its rules"))
    b = command("build", "check, then write the boot spec and pack the bootable image")
    needs_programs(b)
    b.add_argument("--kernel", required=True, metavar="ELF")
    b.add_argument("--initializer", required=True, metavar="ELF")
    b.add_argument("-o", "--output", required=True, metavar="IMAGE")
    b.add_argument("--spec-out", metavar="FILE", help="also write the boot spec here")
    b.add_argument("-v", "--verbose", action="store_true", help="also print the memory layout")
    g = command("graph", "draw cells, personas, channels, memory and rules as Graphviz DOT")
    g.add_argument("-o", "--output", metavar="BASE",
                   help="write BASE.dot (and BASE.svg); default: DOT on stdout")
    e = command("explain", "list every capability each cell will hold and why; given the programs "
                "(--program-dir), the memory layout too")
    needs_programs(e)
    h = command("headers", "write a C header per cell declaring the ends and maps the manifest gives it")
    h.add_argument("-o", "--output", required=True, metavar="DIR", help="write DIR/CELL.cell.h")
    h.add_argument("--cell", action="append", default=[], metavar="NAME",
                   help="only this cell (repeatable; default: every cell)")
    return top


def main(argv=None, out=sys.stdout, err=sys.stderr):
    args = parser().parse_args(argv)
    run = {"check": check, "build": build, "graph": graph, "explain": explain,
           "headers": headers}[args.command]
    return run(args, out, err)


def fail(lines, report_name, err):
    for line in lines:
        print(line, file=err)
    print(f"{report_name}: {count(lines)} found", file=err)
    return 1


def count(lines):
    n = sum(1 for line in lines if not line.startswith("    "))
    return f"{n} problem{'s' if n != 1 else ''}"


def check(args, out, err):
    result = stages.analyse(args.manifest, args.program_dir, args.platforms)
    if not result.ok:
        return fail(result.report.lines(), args.manifest, err)
    print(summary(args.manifest, result), file=out)
    for v in result.verdicts:
        print(f"  rule '{v.rule.name}' ({v.rule.kind}): proven", file=out)
    est = result.estimate
    print(f"  RAM: about {amount(est.total)} needed of {amount(est.available)}", file=out)
    return 0


def summary(path, result):
    s = result.system
    counts = [(len(s.cells), "cell"), (len(s.personas), "persona"), (len(s.regions), "region"),
              (len(s.channels), "channel"), (len(s.rules), "rule")]
    parts = ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts)
    return f"{path}: OK: system {s.name} for {s.platform}: {parts}"


def build(args, out, err):
    inputs = builder.Inputs(args.manifest, args.kernel, args.initializer, args.output,
                            tuple(args.program_dir), args.spec_out, args.platforms)
    outcome = builder.build(inputs)
    if outcome.problems:
        lines = outcome.problems
        if outcome.analysis.ok:              # the manifest is fine; an input or the output is not
            lines = [f"{PROG}: error: {line}" for line in lines]
        return fail(lines, args.manifest, err)
    for line in outcome.report_lines if args.verbose else ():
        print(line, file=out)
    print(outcome.written, file=out)
    return 0


def model_or_fail(args, err):
    """The parsed and planned system for graph and explain; rule violations are only warned about."""
    result = stages.analyse_model(args.manifest)
    if not result.model_ok:
        fail(result.report.lines(), args.manifest, err)
        return None
    for line in result.report.lines():
        print(f"warning: {line}" if not line.startswith("    ") else line, file=err)
    return result


def graph(args, out, err):
    result = model_or_fail(args, err)
    if result is None:
        return 1
    dot = grapher.to_dot(result)
    if not args.output:
        out.write(dot)
        return 0
    base = args.output[:-4] if args.output.endswith(".dot") else args.output
    write_atomically(base + ".dot", dot)
    written = [base + ".dot"]
    if shutil.which("dot"):
        svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=False)
        if svg.returncode == 0:
            write_atomically(base + ".svg", svg.stdout)
            written.append(base + ".svg")
        else:
            print(f"{PROG}: warning: dot failed: {svg.stderr.decode().strip()}", file=err)
    print(f"wrote {' and '.join(written)}", file=out)
    return 0


def explain(args, out, err):
    if args.program_dir:                 # the layout needs the programs, so every check runs
        result = stages.analyse(args.manifest, args.program_dir, args.platforms)
        if not result.ok:
            return fail(result.report.lines(), args.manifest, err)
        lines = explainer.explain(result) + [""] + builder.layout_report(result)
    else:
        result = model_or_fail(args, err)
        if result is None:
            return 1
        lines = explainer.explain(result)
    for line in lines:
        print(line, file=out)
    return 0


def headers(args, out, err):
    """Each cell's declarations (cell.h); a header whose text is unchanged is not rewritten, so
    what includes it is not rebuilt."""
    result = model_or_fail(args, err)
    if result is None:
        return 1
    cells = {c.name: c for c in result.system.cells}
    unknown = [name for name in args.cell if name not in cells]
    for name in unknown:
        print(f"{PROG}: error: no cell named '{name}'{needs.did_you_mean(name, list(cells))}", file=err)
    if unknown:
        return 1
    os.makedirs(args.output, exist_ok=True)
    for cell in (cells[n] for n in args.cell) if args.cell else result.system.cells:
        text = needs.header(result.system, result.plans[cell], cell, args.manifest)
        path = os.path.join(args.output, f"{cell.name}.cell.h")
        try:
            with open(path) as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        write_atomically(path, text)
        print(f"wrote {path}", file=out)
    return 0
