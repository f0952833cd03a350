"""The manifest tool never crashes or hangs: every input gets a clear error or an answer,
in time that grows with the input, and inputs over the documented limits are refused.

Each case here once crashed the tool or made it run for minutes (docs/manifest.md, "Limits").
"""

import os
import random
import subprocess
import sys
import time
import unittest

from cellatools.manifest import parse
from cellatools.manifest.source import SourceMap, too_deep

import test_manifest_helpers as h

TOOL = os.path.join(h.ROOT, "tools", "cella-manifest")
HEAD = '[system]\nname = "x"\nplatform = "qemu-virt-aarch64"\n'
HANG = 60          # seconds: far more than any of these takes; a hang or a quadratic blow-up exceeds it


def cells(count, extra=""):
    return "".join(f'\n[[cell]]\nname = "c{i}"\nprogram = "ping"\npriority = {min(i + 1, 255)}\n{extra}'
                   for i in range(count))


class UnreadableInputTest(unittest.TestCase):
    """Run as a separate process with a timeout: a regression blocks rather than fails."""

    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def check(self, path):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        result = subprocess.run([sys.executable, TOOL, "check", path], capture_output=True, text=True,
                                env=env, timeout=HANG)
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual(result.returncode, 1, result.stderr)
        return result.stderr

    def test_a_fifo_nobody_writes(self):
        fifo = self.ws.path("fifo.toml")
        os.mkfifo(fifo)
        self.assertIn(f"{fifo}: manifest: cannot read: not a regular file (a FIFO)", self.check(fifo))

    def test_dev_zero(self):
        self.assertIn("cannot read: not a regular file (a character device)", self.check("/dev/zero"))

    def test_a_directory(self):
        self.assertIn("cannot read: not a regular file (a directory)", self.check(self.ws.dir))

    def test_a_file_over_the_limit(self):
        path = self.ws.write("big.toml", HEAD + "# padding\n" * (parse.MAX_MANIFEST_BYTES // 10 + 1))
        self.assertIn("cannot read: larger than 1 MiB, the most a manifest may be", self.check(path))

    def test_not_utf8(self):
        path = self.ws.write("latin1.toml", (HEAD + '# caf\xe9\n').encode("latin-1"))
        self.assertIn("cannot read: line 4: not UTF-8 text (byte 0xe9)", self.check(path))


class NestingTest(unittest.TestCase):
    def test_fifty_thousand_inline_tables(self):
        depth = 50_000
        text = HEAD + "x = " + "{a = " * depth + "1" + "}" * depth + "\n"
        system, report = parse.parse_text(text, "deep.toml")
        self.assertIsNone(system)
        self.assertEqual(report.lines(), ["deep.toml:4: syntax: arrays and inline tables nest more than 16 deep"])

    def test_fifty_thousand_arrays(self):
        text = HEAD + "\n\nx = " + "[" * 50_000
        system, report = parse.parse_text(text, "deep.toml")
        self.assertEqual(report.lines(), ["deep.toml:6: syntax: arrays and inline tables nest more than 16 deep"])

    def test_the_limit_itself_is_accepted(self):
        depth = parse.MAX_NESTING
        self.assertIsNone(too_deep("x = " + "[" * depth + "]" * depth, depth))
        _, report = parse.parse_text(HEAD + "x = " + "[" * depth + "]" * depth + "\n", "ok.toml")
        self.assertRegex(report.lines()[0], r"unknown key 'x'")      # parsed: only the key is wrong

    def test_brackets_in_strings_and_comments_do_not_count(self):
        brackets = "[{" * 40
        for text in (f'a = "{brackets}"', f"a = '{brackets}'", f'a = """\n{brackets}\n"""',
                     f"a = '''{brackets}'''", f"# {brackets}\n", f'a = "\\"{brackets}"',
                     f'a = """x\\"""{brackets}"""', f'a = """""{brackets}"""'):
            with self.subTest(text=text):
                self.assertIsNone(too_deep(text, 4))

    def test_a_string_that_never_ends_stops_the_scan(self):
        self.assertIsNone(too_deep('a = "unterminated\n' + "[" * 100, 4))
        self.assertEqual(too_deep('a = "ends"\n' + "[" * 5, 4), 2)


class HugeValuesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def check(self, text):
        path = self.ws.manifest(text)
        start = time.monotonic()
        status, out, err = h.run_cli("check", path, "--program-dir", self.ws.programs)
        self.assertLess(time.monotonic() - start, HANG)
        return status, err

    def test_heap_of_two_to_the_64(self):
        status, err = self.check(HEAD + cells(1, "heap = 18446744073709551616\n"))
        self.assertEqual(status, 1)
        self.assertIn("cell[c0].heap: 0x10000000000000000 bytes does not fit in 64 bits", err)

    def test_sizes_near_two_to_the_64_are_counted_not_listed(self):
        big = (1 << 64) - 4096
        text = HEAD + cells(1, f"heap = {big}\n") + (
            f'\n[[region]]\nname = "r"\nsize = {big}\n'
            f'\n[[persona]]\nname = "p"\nkind = "linux"\nkernel = "Image"\nmemory = {big}\n')
        status, err = self.check(text)
        self.assertEqual(status, 1)
        self.assertIn("together exceed the 256M", err)


def worst_system(count):
    """At the limits, everything joined to everything: every cell maps 16 regions with frame
    capabilities and makes 16 granting calls, and 64 rules ask about every pair."""
    out = [HEAD]
    out += [f'\n[[region]]\nname = "r{r}"\nsize = "4K"\n' for r in range(count)]
    for i in range(count):
        out.append(f'\n[[cell]]\nname = "c{i}"\nprogram = "ping"\npriority = {i + 1}\n')
        out += [f'  [[cell.map]]\n  region = "r{(i + m) % count}"\n  vaddr = {0x4000_0000 + m * 0x100_0000:#x}\n'
                '  rights = "rw"\n  frame_caps = true\n' for m in range(16)]
    channel = 0
    for i in range(count):
        for k in range(16):
            a, b = sorted((i, (i + 1 + k) % count))
            out.append(f'\n[[channel]]\nname = "ch{channel}"\nkind = "call"\nclient = "c{a}"\n'
                       f'server = "c{b}"\ngrant = true\ngrant_reply = true\n')
            channel += 1
    names = ", ".join(f'"c{i}"' for i in range(count))
    regions = ", ".join(f'"r{i}"' for i in range(count))
    out += [f'\n[[rule]]\nname = "rule{r}"\nkind = "no_path"\nfrom = [{names}]\nto = [{regions}]\n'
            for r in range(parse.MAX_RULES)]
    return "".join(out)


class LimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def check(self, text):
        path = self.ws.manifest(text)
        start = time.monotonic()
        status, out, err = h.run_cli("check", path, "--program-dir", self.ws.programs)
        elapsed = time.monotonic() - start
        self.assertLess(elapsed, HANG, "far too slow: something grows faster than the input")
        return status, err

    def test_8000_cells_are_refused_at_once(self):
        status, err = self.check(HEAD + cells(8000))
        self.assertEqual(status, 1)
        self.assertIn("cell[c64]: 8000 cells and personas, more than the 64 allowed", err)
        self.assertEqual(err.count("\n"), 2)

    def test_too_many_of_each(self):
        cases = {
            "region": ('\n[[region]]\nname = "r{i}"\nsize = "4K"\n', parse.MAX_REGIONS, "regions"),
            "channel": ('\n[[channel]]\nname = "n{i}"\nkind = "notify"\nfrom = "c0"\nto = "c1"\n',
                        parse.MAX_CHANNELS, "channels"),
            "rule": ('\n[[rule]]\nkind = "exclusive_map"\nregion = "r"\n', parse.MAX_RULES, "rules"),
            "map": ('  [[cell.map]]\n  name = "m{i}"\n  vaddr = 0x4000_0000\n  size = "4K"\n', parse.MAX_MAPS,
                    "maps"),
        }
        for key, (template, most, word) in cases.items():
            with self.subTest(key=key):
                items = "".join(template.format(i=i) for i in range(most + 1))
                text = HEAD + (cells(1) if key == "map" else cells(2)) + items   # maps go to the last cell
                status, err = self.check(text)
                self.assertEqual(status, 1)
                self.assertIn(f"{most + 1} {word}, more than the {most} allowed", err)

    def test_a_rule_list_over_the_limit(self):
        names = ", ".join('"c0"' for _ in range(parse.MAX_RULE_NAMES + 1))
        status, err = self.check(HEAD + cells(2) + f'\n[[rule]]\nkind = "no_path"\nfrom = [{names}]\nto = "c1"\n')
        self.assertEqual(status, 1)
        self.assertIn(f"rule #1.from: {parse.MAX_RULE_NAMES + 1} names in one list, more than the", err)

    def test_thousands_of_unknown_names(self):
        names = ", ".join(f'"u{i}"' for i in range(parse.MAX_RULE_NAMES))
        rules = "".join(f'\n[[rule]]\nkind = "no_path"\nfrom = [{names}]\nto = [{names}]\n'
                        for _ in range(parse.MAX_RULES))
        status, err = self.check(HEAD + cells(2) + rules)
        self.assertEqual(status, 1)
        self.assertIn("no cell or persona or region named 'u0'", err)

    def test_everything_joined_to_everything(self):
        text = worst_system(parse.MAX_SUBJECTS)
        self.assertLess(len(text), parse.MAX_MANIFEST_BYTES)
        status, err = self.check(text)
        self.assertEqual(status, 1)
        # Every rule is violated; each shows MAX_WITNESSES paths and counts the rest.
        self.assertIn(f"rule[rule63]: violated (no_path): {64 * 64 - 16} more pairs can reach each other", err)


class LinearTimeTest(unittest.TestCase):
    def best_of_three(self, run):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return min(times)

    def test_line_numbers_take_linear_time(self):
        # The source map once counted the lines from the start for every key: 8,000 cells took 4 s.
        def text(n):
            return HEAD + "".join(f'[[cell]]\nname = "c{i}"\nprogram = "ping"\n' for i in range(n))
        small, large = text(4000), text(16000)
        ratio = self.best_of_three(lambda: SourceMap(large)) / self.best_of_three(lambda: SourceMap(small))
        self.assertLess(ratio, 8, f"4 times the input took {ratio:.1f} times as long")
        self.assertEqual(SourceMap(large).line(("cell", 15999, "program")), 3 + 3 * 15999 + 3)


class MutationTest(unittest.TestCase):
    """Seeded random damage to every good manifest: each gets an answer, never a traceback."""

    ROUNDS = 150

    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    FRAGMENTS = ["[", "]", "{", "}", "[[cell]]", "[[cell.map]]", "[[rule]]", "=", '"', "'''", '"""', "#", "\n",
                 "x = 1", "name = \"a\"", "priority = -1", "size = 0", "heap = 18446744073709551615",
                 "vaddr = 0xffff_ffff_ffff_f000", "kind = \"call\"", "from = []", "to = []",
                 "callers = [\"ping\"]", "rights = \"x\"", "paddr = 0", "memory = 1", "bit = 63",
                 "badge = 18446744073709551615", "restart = 65536", "irq = 33", "program = \"linux_static\"",
                 "\x00", "\ufeff", "1979-05-27T07:32:00Z", "inf", "nan", "[[channel]]", "server = \"ping\""]

    def mutate(self, rng, text):
        lines = text.split("\n")
        for _ in range(rng.randint(1, 4)):
            choice = rng.randrange(4)
            at = rng.randrange(len(lines))
            if choice == 0:
                del lines[at]
            elif choice == 1:
                lines.insert(at, rng.choice(self.FRAGMENTS))
            elif choice == 2:
                lines.insert(at, lines[rng.randrange(len(lines))])
            else:
                line = lines[at]
                cut = rng.randint(0, len(line))
                lines[at] = line[:cut] + rng.choice(self.FRAGMENTS) + line[cut:]
        return "\n".join(lines)

    def test_damaged_manifests_get_answers(self):
        rng = random.Random(0xce11a)
        good = []
        for name in sorted(os.listdir(os.path.join(h.MANIFESTS, "good"))):
            with open(os.path.join(h.MANIFESTS, "good", name)) as f:
                good.append(f.read())
        for round_ in range(self.ROUNDS):
            text = self.mutate(rng, rng.choice(good))
            path = self.ws.manifest(text, name="mutated.toml")
            with self.subTest(round=round_):
                status, out, err = h.run_cli("check", path, "--program-dir", self.ws.programs)
                self.assertIn(status, (0, 1), err)
                self.assertTrue(out if status == 0 else err)


if __name__ == "__main__":
    unittest.main()
