"""The shared benchmark results file, and how bench-linux reads the guest's counter lines."""

import json
import os
import tempfile
import unittest

from cellatools import results
from test_runner import load_script


class RecordTest(unittest.TestCase):
    def test_merges_and_keeps_other_keys(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bench", "results.json")
            results.record(path, {"yield": {"value": 100, "unit": "instructions"}})
            results.record(path, {"boot_to_bare_init": {"value": 5, "unit": "instructions"},
                                  "yield": {"value": 90, "unit": "instructions"}})
            with open(path) as f:
                data = json.load(f)
        self.assertEqual(data["yield"]["value"], 90)
        self.assertEqual(data["boot_to_bare_init"]["value"], 5)


ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def console(prefix="", init=56_784_139, rounds=(12_513_471, 12_510_946, 12_510_436), frq=62_500_000):
    """A guest's console as bench-linux sees it; prefix is what Cella puts before each guest line."""
    lines = ["Booting...", f"{prefix}cella-guest: init reached cntvct={init} cntfrq={frq}",
             f"{prefix}cella-guest: modules loaded: 5, virtio_ring virtio"]
    for i, ticks in enumerate(rounds, 1):
        lines.append(f"{prefix}cpubench: start cntvct={100 * i} end cntvct={100 * i + ticks} ticks={ticks} "
                     f"cntfrq={frq} iterations=25000000 instructions=200000000 checksum=f70fa13159887840 "
                     f"round={i}/{len(rounds)}")
    lines.append(f"{prefix}cella-guest: powering off")
    return "\n".join(lines) + "\n"


class BenchLinuxTest(unittest.TestCase):
    def setUp(self):
        self.bench = load_script("bench-linux")

    def test_ticks_to_instructions(self):
        self.assertEqual(self.bench.ticks_to_instructions(1, 62_500_000), 16)
        self.assertEqual(self.bench.ticks_to_instructions(59_066_369, 62_500_000), 945_061_904)
        self.assertEqual(self.bench.ticks_to_instructions(3, 1_000_000_000), 3)

    def test_marker_lines(self):
        m = self.bench.INIT_MARKER.search("x\ncella-guest: init reached cntvct=123 cntfrq=62500000\n")
        self.assertEqual(m.groups(), ("123", "62500000"))
        m = self.bench.CPUBENCH.search("cpubench: start cntvct=5 end cntvct=9 ticks=4 cntfrq=62500000 "
                                       "iterations=1 instructions=8 checksum=00ff round=1/1")
        self.assertEqual(m.groups(), ("4", "62500000", "8"))

    def test_parse_run_bare_and_under_cella(self):
        for prefix in ("", "work: "):
            run = self.bench.parse_run(console(prefix))
            self.assertEqual(run["init_ticks"], 56_784_139)
            self.assertEqual(run["cntfrq"], 62_500_000)
            self.assertEqual(run["rounds"], [12_513_471, 12_510_946, 12_510_436])
            self.assertEqual(run["loop_instructions"], 200_000_000)

    def test_parse_run_refuses_incomplete_output(self):
        with self.assertRaisesRegex(self.bench.BenchError, "init marker"):
            self.bench.parse_run("cpubench: start cntvct=1 end cntvct=2 ticks=1 cntfrq=1 iterations=1 "
                                 "instructions=8")
        with self.assertRaisesRegex(self.bench.BenchError, "no cpubench"):
            self.bench.parse_run(console(rounds=()))
        text = console(rounds=(10,)) + console(rounds=(10,), frq=1000).split("\n", 3)[3]
        with self.assertRaisesRegex(self.bench.BenchError, "disagree"):
            self.bench.parse_run(text)

    def test_median_is_a_sample(self):
        self.assertEqual(self.bench.median([5, 1, 3]), 3)
        self.assertEqual(self.bench.median([4, 1, 3, 2]), 2)
        with self.assertRaises(self.bench.BenchError):
            self.bench.median([])

    def test_expected_rounds(self):
        self.assertEqual(self.bench.expected_rounds("quiet cella.cpubench=5 cella.test=1"), 5)
        self.assertEqual(self.bench.expected_rounds("cella.cpubench=12"), 12)
        self.assertEqual(self.bench.expected_rounds("console=ttyAMA0 cella.run=/bin/cpubench"), 1)
        self.assertEqual(self.bench.expected_rounds("xcella.cpubench=5"), 1)

    def test_persona_settings(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "system.toml")
            with open(path, "w") as f:
                f.write('[system]\nname = "s"\n[[persona]]\nname = "a"\nkind = "linux"\nmemory = "128M"\n'
                        'bootargs = "console=ttyAMA0 quiet"\n[[persona]]\nname = "b"\nmemory = "1G"\n')
            self.assertEqual(self.bench.persona_settings(path), ("console=ttyAMA0 quiet", 128 << 20))
            self.assertEqual(self.bench.persona_settings(path, "b"), ("console=ttyAMA0", 1 << 30))
            with self.assertRaisesRegex(self.bench.BenchError, "no Linux persona named 'c'"):
                self.bench.persona_settings(path, "c")

    def test_the_bench_manifest_runs_cpubench_and_powers_off(self):
        append, memory = self.bench.persona_settings(os.path.join(ROOT, "tests", "bench", "linux.toml"))
        self.assertIn("cella.run=/bin/cpubench", append.split())
        self.assertIn("cella.test=1", append.split())
        self.assertGreater(self.bench.expected_rounds(append), 1)
        self.assertEqual(memory, 256 << 20)

    def test_bare_command_boots_the_guest_under_icount(self):
        cmd = self.bench.bare_command({"command": ["qemu", "-m", "1G"]}, "Image", "i.gz", "console=ttyAMA0")
        self.assertEqual(cmd[cmd.index("-icount") + 1], "shift=0,sleep=off")
        self.assertEqual(cmd[cmd.index("-initrd") + 1], "i.gz")
        self.assertEqual(cmd[cmd.index("-append") + 1], "console=ttyAMA0")
        self.assertEqual(cmd.count("-m"), 1)
        cmd = self.bench.bare_command({"command": ["qemu", "-m", "1G"]}, "Image", "i.gz", "", 256 << 20)
        self.assertEqual(cmd[len(cmd) - 1 - cmd[::-1].index("-m") + 1], "256M")  # the last -m wins

    def test_cella_command_uses_the_same_icount(self):
        cmd = self.bench.cella_command({"command": ["qemu"]}, "system.elf")
        self.assertEqual(cmd[cmd.index("-icount") + 1], "shift=0,sleep=off")
        self.assertEqual(cmd[cmd.index("-kernel") + 1], "system.elf")
        self.assertNotIn("-initrd", cmd)
        self.assertNotIn("-append", cmd)

    def runs(self, guest_init=59_000_000, guest_rounds=(12_514_000, 12_514_100, 12_513_000)):
        bare = self.bench.parse_run(console())
        guest = self.bench.parse_run(console("work: ", init=guest_init, rounds=guest_rounds))
        return bare, guest

    def test_entries_and_ratios(self):
        bare, guest = self.runs()
        results = self.bench.entries(bare, guest, {"append": "a", "memory": "256M", "kernel": "k"})
        self.assertEqual(results["boot_to_bare_init"]["value"], 56_784_139 * 16)
        self.assertEqual(results["boot_to_guest_init"]["value"], 59_000_000 * 16)
        self.assertEqual(results["bare_cpu_workload"]["value"], 12_510_946)
        self.assertEqual(results["guest_cpu_workload"]["value"], 12_514_000)
        self.assertEqual(results["guest_cpu_workload"]["rounds"], [12_514_000, 12_514_100, 12_513_000])
        tax = results["guest_cpu_tax"]
        self.assertEqual(tax["value"], round(12_514_000 / 12_510_946, 6))
        self.assertEqual((tax["unit"], tax["target"], tax["reference"]), ("ratio", 1.0005, 1.0006))
        self.assertTrue(tax["met"])
        boot = results["boot_to_guest_init_ratio"]
        self.assertEqual(boot["value"], round(59_000_000 / 56_784_139, 6))
        self.assertEqual(boot["target"], 1.1)
        self.assertTrue(boot["met"])
        for entry in results.values():
            self.assertIn("value", entry)
            self.assertIn("unit", entry)
        self.assertEqual(results["boot_to_guest_init"]["append"], "a")

    def test_missed_targets_are_said(self):
        bare, guest = self.runs(guest_init=80_000_000, guest_rounds=(12_600_000,))
        results = self.bench.entries(bare, guest, {})
        self.assertFalse(results["boot_to_guest_init_ratio"]["met"])
        self.assertFalse(results["guest_cpu_tax"]["met"])
        self.assertIn("missed", self.bench.table(results))

    def test_bare_only(self):
        bare, _ = self.runs()
        results = self.bench.entries(bare, None, {})
        self.assertEqual(sorted(results), ["bare_cpu_workload", "boot_to_bare_init"])
        self.assertIn("boot to init", self.bench.table(results))

    def test_sanity(self):
        bare, guest = self.runs()
        self.assertEqual(self.bench.sanity_problems(self.bench.entries(bare, guest, {}), 3), [])
        problems = self.bench.sanity_problems(self.bench.entries(bare, guest, {}), 5)
        self.assertEqual(len(problems), 2)
        self.assertIn("3 cpubench rounds, expected 5", problems[0])
        bare, guest = self.runs(guest_init=200_000_000)
        problems = self.bench.sanity_problems(self.bench.entries(bare, guest, {}), 3)
        self.assertEqual(len(problems), 1)
        self.assertIn("boot_to_guest_init_ratio", problems[0])
        bare, guest = self.runs(guest_rounds=(1_000_000, 1_000_000, 1_000_000))
        problems = self.bench.sanity_problems(self.bench.entries(bare, guest, {}), 3)
        self.assertTrue(any("guest_cpu_workload: the loop" in p for p in problems))
        self.assertTrue(any("guest_cpu_tax" in p for p in problems))


if __name__ == "__main__":
    unittest.main()
