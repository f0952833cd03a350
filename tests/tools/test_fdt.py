"""The device-tree reader against trees compiled by dtc."""

import os
import subprocess
import tempfile
import unittest

from cellatools import fdt

DTS = """/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    model = "test";
    compatible = "a,b", "c,d";
    memory@40000000 {
        device_type = "memory";
        reg = <0x0 0x40000000 0x0 0x20000000>, <0x1 0x0 0x0 0x1000>;
    };
    bus {
        #address-cells = <1>;
        #size-cells = <1>;
        uart@1000 { reg = <0x1000 0x100>; interrupts = <0 5 4>; };
    };
};
"""


def compile_dts(text):
    with tempfile.NamedTemporaryFile("w", suffix=".dts", delete=False) as f:
        f.write(text)
    try:
        return fdt.compile_dts(f.name)
    finally:
        os.unlink(f.name)


class FdtTest(unittest.TestCase):
    def setUp(self):
        self.root = compile_dts(DTS)

    def test_paths_and_strings(self):
        self.assertEqual(self.root.string("model"), "test")
        self.assertEqual(self.root.strings("compatible"), ["a,b", "c,d"])
        uart = self.root.find("/bus/uart@1000")
        self.assertIsNotNone(uart)
        self.assertEqual(uart.path, "/bus/uart@1000")
        self.assertIsNone(self.root.find("/bus/nothing"))

    def test_reg_uses_parent_cells(self):
        mem = self.root.find("/memory@40000000")
        self.assertEqual(mem.reg(), [(0x40000000, 0x20000000), (0x100000000, 0x1000)])
        self.assertEqual(self.root.find("/bus/uart@1000").reg(), [(0x1000, 0x100)])

    def test_cells(self):
        self.assertEqual(self.root.find("/bus/uart@1000").cells("interrupts"), [0, 5, 4])

    def test_walk_visits_every_node(self):
        names = [n.name for n in self.root.walk()]
        self.assertEqual(names, ["", "memory@40000000", "bus", "uart@1000"])

    def test_bad_blobs_are_refused(self):
        with self.assertRaises(fdt.FdtError):
            fdt.parse(b"\0" * 64)
        with self.assertRaises(fdt.FdtError):
            fdt.parse(b"short")

    def test_dtc_errors_are_reported(self):
        with self.assertRaisesRegex(fdt.FdtError, "dtc failed"):
            compile_dts("/dts-v1/; / { broken")

    def test_malformed_reg(self):
        root = compile_dts('/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; x { reg = <1 2 3>; }; };')
        with self.assertRaisesRegex(fdt.FdtError, "/x: reg does not match"):
            root.find("/x").reg()


if __name__ == "__main__":
    unittest.main()
