"""Parsing manifests: line numbers, the error format, defaults, value syntax, and that
every problem is reported rather than only the first."""

import textwrap
import unittest

from cellatools.manifest import fields, parse
from cellatools.manifest.model import DEVICE, LIMITED, PRIVATE, SHARED
from cellatools.manifest.source import SourceMap

import test_manifest_helpers as h


def parse_text(text, path="m.toml"):
    return parse.parse_text(textwrap.dedent(text).lstrip(), path)


class SourceMapTest(unittest.TestCase):
    TEXT = textwrap.dedent("""\
        # comment [[not a table]]
        [system]
        name = "x"   # trailing
        [[cell]]
        name = 'a'
        map = [ {vaddr = 1,
           size = 2},
          {vaddr = 3}]

        [[cell]]
        note = \"\"\"
        [[cell]] inside a string
        \"\"\"
        [[cell.map]]
        a.b = 1
        "quoted key" = [1, 2,
          3]
        """)

    def setUp(self):
        self.source = SourceMap(self.TEXT)

    def test_tables_keys_and_array_elements(self):
        expected = {("system",): 2, ("system", "name"): 3, ("cell", 0): 4, ("cell", 0, "name"): 5,
                    ("cell", 0, "map", 0): 6, ("cell", 0, "map", 0, "size"): 7, ("cell", 0, "map", 1): 8,
                    ("cell", 0, "map", 1, "vaddr"): 8, ("cell", 1): 10, ("cell", 1, "note"): 11,
                    ("cell", 1, "map", 0): 14, ("cell", 1, "map", 0, "a", "b"): 15,
                    ("cell", 1, "map", 0, "quoted key", 2): 17}
        for path, line in expected.items():
            with self.subTest(path=path):
                self.assertEqual(self.source.line(path), line)

    def test_a_header_in_a_multiline_string_is_not_a_table(self):
        self.assertNotIn(("cell", 2), self.source.lines)

    def test_unknown_paths_fall_back_to_the_nearest_ancestor(self):
        self.assertEqual(self.source.line(("cell", 1, "map", 0, "missing")), 14)
        self.assertIsNone(self.source.line(("nothing",)))


class ErrorFormatTest(unittest.TestCase):
    def test_file_line_entry_message(self):
        _, report = parse_text("""
            [system]
            name = "x"
            platform = "qemu-virt-aarch64"

            [[cell]]
            name = "ping"
            program = "ping"
            priority = 256
            """)
        self.assertEqual(report.lines(), ["m.toml:8: cell[ping].priority: 256 is out of range (0 to 255)"])

    def test_toml_syntax_errors_carry_tomllibs_line(self):
        _, report = parse_text('[system]\nname = "x"\nplatform = \n')
        self.assertRegex(report.lines()[0], r"^m\.toml:3: syntax: ")
        self.assertNotIn("(at line", report.lines()[0])

    def test_every_problem_is_reported(self):
        _, report = parse_text("""
            [system]
            name = "X"
            platform = 3

            [[cell]]
            name = "ping"
            program = "ping"
            priority = -1
            stack = "lots"
            colour = "blue"
            """)
        self.assertEqual(len(report), 5, report.lines())

    def test_an_unreadable_file_is_an_error_not_a_crash(self):
        system, report = parse.load("/nonexistent/system.toml")
        self.assertIsNone(system)
        self.assertRegex(report.lines()[0], r"^/nonexistent/system\.toml: manifest: cannot read")


class DefaultsTest(unittest.TestCase):
    def setUp(self):
        self.system, report = parse_text(h.PING_PONG)
        self.assertFalse(report, report.lines())
        self.ping, self.pong = self.system.cells

    def test_cell_defaults(self):
        self.assertEqual((self.ping.stack, self.ping.heap, self.ping.restart.policy), (16 << 10, 16 << 10, "never"))
        self.assertEqual(self.pong.priority, 110)

    def test_map_backings(self):
        shared, gpio = self.pong.maps
        self.assertEqual((shared.backing, shared.size, shared.region.name, shared.name),
                         (SHARED, 8192, "shared", "shared"))
        self.assertEqual((gpio.backing, gpio.cached, gpio.rights, gpio.paddr), (DEVICE, False, "rw", 0x09030000))
        self.assertIs(gpio.owner, self.pong)

    def test_channel_ends_are_resolved(self):
        hello, done = self.system.channels
        self.assertEqual((hello.sender, hello.receiver, hello.badge, hello.grant), (self.ping, self.pong, None, False))
        self.assertEqual((done.kind, done.sender, done.receiver), ("notify", self.pong, self.ping))

    def test_private_map_and_restart_count(self):
        system, report = parse_text("""
            [system]
            name = "x"
            platform = "p"
            [[cell]]
            name = "a"
            program = "a"
            restart = 5
            map = [{ name = "buf", vaddr = 0x4000_0000, size = "1M", cached = false }]
            """)
        self.assertFalse(report, report.lines())
        cell = system.cells[0]
        self.assertEqual((cell.restart.policy, cell.restart.limit), (LIMITED, 5))
        self.assertEqual((cell.maps[0].backing, cell.maps[0].cached, cell.maps[0].size), (PRIVATE, False, 1 << 20))

    def test_persona_restart(self):
        system, report = parse_text("""
            [system]
            name = "x"
            platform = "p"
            [[persona]]
            name = "a"
            kind = "linux"
            kernel = "Image"
            memory = "256M"
            [[persona]]
            name = "b"
            kind = "linux"
            kernel = "Image"
            memory = "256M"
            restart = 2
            [[persona]]
            name = "c"
            kind = "linux"
            kernel = "Image"
            memory = "256M"
            restart = "always"
            """)
        self.assertFalse(report, report.lines())
        self.assertEqual([(p.restart.policy, p.restart.limit) for p in system.personas],
                         [("never", 0), (LIMITED, 2), ("always", 0)])


class ValueTest(unittest.TestCase):
    def test_sizes(self):
        for text, value in (("4K", 4096), ("2M", 2 << 20), ("1G", 1 << 30), ("16KiB", 16384), (" 3 M ", 3 << 20),
                            (8192, 8192)):
            with self.subTest(text=text):
                self.assertEqual(fields.size(text), value)
        for bad in ("4KB", "1.5M", "-4K", "M", "16iB", True, 1.5, 0):
            with self.subTest(bad=bad):
                self.assertRaises(fields.Invalid, fields.size, bad)

    def test_rights_are_normalised(self):
        self.assertEqual(fields.rights("xr"), "rx")
        self.assertEqual(fields.rights("wr"), "rw")
        for bad in ("", "rr", "rwx", "wx", "x", "rz"):
            with self.subTest(bad=bad):
                self.assertRaises(fields.Invalid, fields.rights, bad)

    def test_names(self):
        self.assertEqual(fields.names("a"), ["a"])
        self.assertEqual(fields.names(["a", "b_2"]), ["a", "b_2"])
        for bad in ("", "2a", "a-b", "A", "a" * 32, 5, ["a", 5]):
            with self.subTest(bad=bad):
                self.assertRaises(fields.Invalid, fields.names, bad)

    def test_booleans_are_not_integers(self):
        self.assertRaises(fields.Invalid, fields.integer(0, 255), True)


class RuleParseTest(unittest.TestCase):
    def test_rule_parameters_resolve_to_declared_things(self):
        system, report = parse_text(h.PING_PONG + textwrap.dedent("""
            [[rule]]
            kind = "no_path"
            from = "ping"
            to = ["shared", "pong"]

            [[rule]]
            name = "only ping"
            kind = "only_callers"
            callee = "pong"
            callers = ["ping"]
            """))
        self.assertFalse(report, report.lines())
        first, second = system.rules
        self.assertEqual(first.name, "rule #1")
        self.assertEqual([t.name for t in first.params["to"]], ["shared", "pong"])
        self.assertEqual(first.params["trusted"], [])
        self.assertIs(second.params["callee"], system.cells[1])

    def test_keys_of_another_rule_kind_are_unknown(self):
        _, report = parse_text(h.PING_PONG + textwrap.dedent("""
            [[rule]]
            kind = "only_callers"
            callee = "pong"
            callers = []
            region = "shared"
            """))
        self.assertRegex(report.lines()[0], r"rule #1\.region: unknown key 'region'")


if __name__ == "__main__":
    unittest.main()
