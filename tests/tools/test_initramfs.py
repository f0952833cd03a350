"""The guest's initramfs layout, from stand-in busybox, modules and helpers."""

import os
import stat
import tempfile
import unittest

from cellatools import cpio, initramfs

BUSYBOX = b"\x7fELF..." + b"[\0[[\0ash\0busybox\0cat\0poweroff\0sh\0\0" + b"more"


class InitramfsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        t = self.tmp.name
        self.paths = {"busybox": os.path.join(t, "busybox"), "init": os.path.join(t, "init"),
                      "pay": os.path.join(t, "pay"), "modules": os.path.join(t, "modules")}
        os.makedirs(self.paths["modules"])
        for name, data in (("busybox", BUSYBOX), ("init", b"INIT"), ("pay", b"PAY"),
                           ("modules/virtio.ko", b"V"), ("modules/virtio_mmio.ko", b"M")):
            with open(os.path.join(t, name), "wb") as f:
                f.write(data)
        self.write_order("virtio.ko\nvirtio_mmio.ko\n")

    def tearDown(self):
        self.tmp.cleanup()

    def write_order(self, text):
        with open(os.path.join(self.paths["modules"], "load-order"), "w") as f:
            f.write(text)

    def build(self):
        p = self.paths
        return initramfs.build(p["busybox"], p["modules"], p["init"], {"pay": p["pay"]})

    def test_layout(self):
        entries = {e.path: e for e in cpio.read_newc(self.build().newc())}
        self.assertEqual(entries["init"].data, b"INIT")
        self.assertEqual(stat.S_IMODE(entries["init"].mode), 0o755)
        self.assertEqual(entries["bin/pay"].data, b"PAY")
        self.assertEqual(entries["bin/sh"].data, b"busybox")
        self.assertNotEqual(entries["bin/busybox"].data, b"busybox")  # the binary, not a link
        self.assertEqual(entries["dev/console"].rdev, (5, 1))
        self.assertEqual(entries["lib/modules/load-order"].data,
                         b"/lib/modules/virtio.ko\n/lib/modules/virtio_mmio.ko\n")
        self.assertEqual(entries["sbin"].data, b"bin")
        self.assertEqual(entries["usr/bin"].data, b"../bin")

    def test_applets(self):
        self.assertEqual(initramfs.busybox_applets(BUSYBOX), ["[", "[[", "ash", "cat", "poweroff", "sh"])
        with self.assertRaisesRegex(initramfs.InitramfsError, "applet name table"):
            initramfs.busybox_applets(b"no table here")

    def test_same_bytes_every_time(self):
        self.assertEqual(self.build().newc_gzip(), self.build().newc_gzip())

    def test_unknown_module_in_load_order(self):
        self.write_order("virtio.ko\nnot_there.ko\n")
        with self.assertRaisesRegex(initramfs.InitramfsError, "not_there.ko"):
            self.build()

    def test_helper_cannot_shadow_an_applet(self):
        p = self.paths
        with self.assertRaisesRegex(initramfs.InitramfsError, "cat"):
            initramfs.build(p["busybox"], p["modules"], p["init"], {"cat": p["pay"]})


if __name__ == "__main__":
    unittest.main()
