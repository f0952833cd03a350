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


class BenchLinuxTest(unittest.TestCase):
    def setUp(self):
        self.bench = load_script("bench-linux")

    def test_ticks_to_instructions(self):
        self.assertEqual(self.bench.ticks_to_instructions(1, 62_500_000), 16)
        self.assertEqual(self.bench.ticks_to_instructions(59_066_369, 62_500_000), 945_061_904)
        self.assertEqual(self.bench.ticks_to_instructions(3, 1_000_000_000), 3)

    def test_marker_lines(self):
        m = self.bench.INIT_MARKER.search("x\\ncella-guest: init reached cntvct=123 cntfrq=62500000\\n")
        self.assertEqual(m.groups(), ("123", "62500000"))
        m = self.bench.CPUBENCH.search("cpubench: start cntvct=5 end cntvct=9 ticks=4 cntfrq=62500000 "
                                       "iterations=1 instructions=8 checksum=00ff")
        self.assertEqual(m.groups(), ("4", "62500000", "8"))

    def test_bare_command_boots_the_guest_under_icount(self):
        cmd = self.bench.bare_command({"command": ["qemu"]}, "Image", "i.gz", "console=ttyAMA0")
        self.assertEqual(cmd[cmd.index("-icount") + 1], "shift=0,sleep=off")
        self.assertEqual(cmd[cmd.index("-initrd") + 1], "i.gz")


if __name__ == "__main__":
    unittest.main()
