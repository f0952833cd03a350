"""Board descriptions: the real ones load, and broken ones are refused with a clear message."""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from cellatools import platform as plat

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VIRT = os.path.join(ROOT, "platforms", "qemu-virt-aarch64")


class RealBoardsTest(unittest.TestCase):
    def test_every_board_loads(self):
        tomls = glob.glob(os.path.join(ROOT, "platforms", "*", "platform.toml"))
        self.assertTrue(tomls)
        for toml in tomls:
            with self.subTest(toml=toml):
                plat.load(toml)

    def test_qemu_virt_matches_qemu(self):
        p = plat.load(os.path.join(VIRT, "platform.toml"))
        self.assertEqual([(r.base, r.size) for r in p.ram], [(0x40000000, 0x40000000)])
        self.assertEqual(p.console.base, 0x09000000)
        self.assertEqual(p.console_irq, 33)
        self.assertEqual((p.gicd.base, p.gicr.base), (0x08000000, 0x080A0000))
        self.assertEqual((p.timer_hyp_irq, p.timer_virt_irq, p.timer_phys_irq), (26, 27, 30))
        self.assertIn(0x0A000000, [d.base for d in p.devices])
        self.assertNotIn(0x08000000, [d.base for d in p.devices])
        cmd = plat.qemu_command(p)
        self.assertEqual(cmd[:3], ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3"])
        self.assertIn("cortex-a53", cmd)


class PciDeviceTest(unittest.TestCase):
    def test_screen_and_keys_at_their_slots(self):
        p = plat.load(os.path.join(VIRT, "platform.toml"))
        devices = {d.name: d for d in p.pci_devices}
        self.assertEqual({n: d.slot for n, d in devices.items()}, {"gpu": 1, "keyboard": 2, "tablet": 3})
        # Configuration space: the ECAM (pcie@10000000's reg, 0x40_1000_0000) + slot << 15.
        self.assertEqual(devices["gpu"].config, 0x4010008000)
        # INTA of slots 1, 2, 3 reaches SPIs 4, 5, 6 through the bridge's interrupt-map.
        self.assertEqual([devices[n].irq for n in ("gpu", "keyboard", "tablet")], [36, 37, 38])
        cmd = plat.qemu_device_args(p)
        self.assertIn("virtio-gpu-pci,xres=800,yres=512,addr=0x1", cmd)
        self.assertEqual(cmd[cmd.index("virtio-keyboard-pci,addr=0x2") - 1], "-device")


class BrokenBoardTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.board = os.path.join(self.tmp, "qemu-virt-aarch64")
        shutil.copytree(VIRT, self.board)
        self.toml = os.path.join(self.board, "platform.toml")
        with open(self.toml) as f:
            self.text = f.read()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def expect_error(self, old, new, pattern):
        self.assertIn(old, self.text)
        with open(self.toml, "w") as f:
            f.write(self.text.replace(old, new, 1))
        with self.assertRaisesRegex(plat.PlatformError, pattern) as ctx:
            plat.load(self.toml)
        self.assertIn(self.toml, str(ctx.exception))

    def test_unaligned_kernel(self):
        self.expect_error("0x40200000", "0x40201000", "kernel_load_address: .* not 2 MiB aligned")

    def test_kernel_outside_ram(self):
        self.expect_error("0x40200000", "0x20000000", "kernel_load_address: .* outside RAM")

    def test_missing_node(self):
        self.expect_error('"/pl011@9000000"', '"/uart@0"', "console.node: no node '/uart@0'")

    def test_unknown_driver(self):
        self.expect_error('driver = "pl011"', 'driver = "16550"', "console.driver: unknown driver '16550'")

    def test_wrong_type(self):
        self.expect_error('arch = "aarch64"', 'arch = 64', "arch: must be a str")

    def test_name_must_match_folder(self):
        self.expect_error('name = "qemu-virt-aarch64"', 'name = "other"', "differs from the folder")

    def test_timer_index_range(self):
        self.expect_error("hypervisor_irq_index = 3", "hypervisor_irq_index = 9", "timer.hypervisor_irq_index: 9 is out of range")

    def test_pci_slot_taken_twice(self):
        self.expect_error("slot = 2", "slot = 1", r"pci_device #2.slot: slot 1 is already gpu's")

    def test_pci_slot_zero_is_the_bridge(self):
        self.expect_error("slot = 3", "slot = 0", r"pci_device #3.slot: 0 is out of range")

    def test_pci_unknown_key(self):
        self.expect_error('qemu = "virtio-tablet-pci"', 'qemu = "virtio-tablet-pci"\nbar = 1',
                          r"pci_device #3: unknown keys: bar")

    def test_toml_syntax(self):
        self.expect_error('name = "qemu-virt-aarch64"', 'name = ', "platform.toml")


class PlatformgenTest(unittest.TestCase):
    """The generated files are only rewritten when they change, so a reconfigure rebuilds nothing."""

    def test_unchanged_outputs_keep_their_time(self):
        with tempfile.TemporaryDirectory() as out:
            gen = [sys.executable, os.path.join(ROOT, "tools", "platformgen.py"),
                   os.path.join(VIRT, "platform.toml"), out]
            subprocess.run(gen, check=True)
            names = sorted(os.listdir(out))
            self.assertEqual(names, ["platform.json", "platform_config.h", "platform_vars.cmake"])
            for name in names:
                os.utime(os.path.join(out, name), (1000, 1000))
            subprocess.run(gen, check=True)
            self.assertEqual([os.stat(os.path.join(out, n)).st_mtime for n in names], [1000] * 3)
            with open(os.path.join(out, "platform.json"), "a") as f:
                f.write(" ")
            subprocess.run(gen, check=True)
            self.assertNotEqual(os.stat(os.path.join(out, "platform.json")).st_mtime, 1000)
            self.assertEqual(os.stat(os.path.join(out, "platform_config.h")).st_mtime, 1000)


class RegionTest(unittest.TestCase):
    def test_merge_and_round(self):
        rs = [plat.Region(0x2000, 0x10, "b"), plat.Region(0x1000, 0x1001, "a"), plat.Region(0x5000, 1, "c")]
        merged = plat.merge_regions([plat.page_round(r) for r in rs])
        self.assertEqual([(r.base, r.size, r.name) for r in merged],
                         [(0x1000, 0x2000, "a+b"), (0x5000, 0x1000, "c")])


if __name__ == "__main__":
    unittest.main()
