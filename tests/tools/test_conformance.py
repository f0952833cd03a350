"""tools/conformance: parsing the guest's result lines and comparing runs test by test."""

import unittest

from test_runner import load_script

conformance = load_script("conformance")

BARE = """conformance: 3 tests; entered at EL1, x0 0x44000000
ok 1 boot_state
ok 2 exc_fetch_unbacked
ok 3 gic_set_pending
conformance: 3 passed, 0 failed
"""


def cella(lines):
    """A persona's output: the console cell prefixes each line with its name."""
    return "".join(f"guest: {line}\n" for line in lines.splitlines())


class Parse(unittest.TestCase):
    def test_bare_and_prefixed_lines(self):
        for text in (BARE, cella(BARE)):
            results, summary = conformance.parse_results(text)
            self.assertEqual(summary, (3, 0))
            self.assertEqual(results[2], ("exc_fetch_unbacked", True, ""))

    def test_failure_detail(self):
        results, _ = conformance.parse_results("guest: FAIL 7 vtimer_fires: no interrupt within 200 ms\n")
        self.assertEqual(results[7], ("vtimer_fires", False, "no interrupt within 200 ms"))


class Compare(unittest.TestCase):
    def runs(self, text):
        results, summary = conformance.parse_results(text)
        return [("system.elf", (results, summary, "pass marker seen"))]

    def bare(self):
        results, summary = conformance.parse_results(BARE)
        return results, summary, "pass marker seen"

    def test_same_results_agree(self):
        self.assertEqual(conformance.compare(self.bare(), self.runs(cella(BARE))), [])

    def test_one_test_differs_though_totals_match(self):
        swapped = BARE.replace("ok 2", "FAIL 2").replace("0 failed", "1 failed")
        problems = conformance.compare(self.bare(), self.runs(cella(swapped)))
        self.assertEqual(len(problems), 1)
        self.assertIn("test 2 exc_fetch_unbacked: bare ok, here FAIL", problems[0])

    def test_a_run_that_stops_midway(self):
        stopped = "\n".join(BARE.splitlines()[:3])
        problems = conformance.compare(self.bare(), self.runs(cella(stopped)))
        self.assertIn("system.elf: no summary line (pass marker seen)", problems)
        self.assertIn("system.elf: test 3 gic_set_pending never reported", problems)

    def test_a_test_failing_bare_is_wrong(self):
        failing = BARE.replace("ok 3", "FAIL 3")
        results, summary = conformance.parse_results(failing)
        problems = conformance.compare((results, summary, ""), self.runs(cella(failing)))
        self.assertEqual(problems, ["bare: test 3 gic_set_pending fails on the machine itself: "])

    def test_bare_command_drops_el2(self):
        platform = {"command": ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
                                "-cpu", "cortex-a53", "-m", "1G"]}
        cmd = conformance.bare_command(platform, "128M")["command"]
        self.assertEqual(cmd[2], "virt,gic-version=3")
        self.assertEqual(cmd[6], "128M")


if __name__ == "__main__":
    unittest.main()
