"""Kernel Images out of distribution packages, and module load order from modinfo."""

import gzip
import os
import struct
import tempfile
import unittest

from cellatools import linuxkernel as lk


def arm64_image(size=4096, flags=0b1010):
    header = struct.pack("<II QQQ QQQ 4s I", 0x91005A4D, 0, 0, size, flags, 0, 0, 0, b"ARM\x64", 0x40)
    return header + bytes(size - len(header))


def zboot(payload, method=b"gzip"):
    header = b"MZ\0\0" + b"zimg" + struct.pack("<II", 64, len(payload)) + bytes(8)
    header += method.ljust(32, b"\0") + bytes(8)
    return header + payload


def module(name, depends=""):
    """A minimal AArch64 relocatable ELF with a .modinfo section, as a .ko has."""
    modinfo = f"license=GPL\0depends={depends}\0name={name}\0".encode()
    shstrtab = b"\0.modinfo\0.shstrtab\0"
    body_off = 64
    shoff = body_off + len(modinfo) + len(shstrtab)
    shoff += -shoff % 8
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), 1, 183, 1, 0, 0, shoff,
                       0, 64, 0, 0, 64, 3, 2)
    sections = [bytes(64),
                struct.pack("<IIQQQQIIQQ", 1, 1, 0, 0, body_off, len(modinfo), 0, 0, 1, 0),
                struct.pack("<IIQQQQIIQQ", 10, 3, 0, 0, body_off + len(modinfo), len(shstrtab), 0, 0, 1, 0)]
    blob = ehdr + modinfo + shstrtab
    return blob + bytes(shoff - len(blob)) + b"".join(sections)


class ImageTest(unittest.TestCase):
    def test_raw_image_passes_through(self):
        image = arm64_image()
        self.assertEqual(lk.raw_image(image), image)

    def test_gzip_and_zboot_are_unpacked(self):
        image = arm64_image()
        self.assertEqual(lk.raw_image(gzip.compress(image)), image)
        self.assertEqual(lk.raw_image(zboot(gzip.compress(image))), image)

    def test_zboot_with_another_compression_is_refused_by_name(self):
        with self.assertRaisesRegex(lk.KernelError, "'zstd'"):
            lk.raw_image(zboot(b"\x28\xb5\x2f\xfd", b"zstd"))

    def test_not_an_image(self):
        with self.assertRaisesRegex(lk.KernelError, "magic"):
            lk.raw_image(bytes(4096))
        with self.assertRaisesRegex(lk.KernelError, "gzip"):
            lk.raw_image(b"\x1f\x8bnot gzip")

    def test_header_fields(self):
        h = lk.image_header(arm64_image(8192, flags=0b1010))
        self.assertEqual((h.text_offset, h.image_size, h.page_size, h.little_endian), (0, 8192, 4096, True))


class ModulesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "6.1.0-1-cloud-arm64")
        mods = {"drivers/virtio/virtio.ko": ("virtio", "virtio_ring"),
                "drivers/virtio/virtio_ring.ko": ("virtio_ring", ""),
                "drivers/virtio/virtio_mmio.ko": ("virtio_mmio", "virtio,virtio_ring"),
                "drivers/char/virtio_console.ko": ("virtio_console", "virtio,virtio_ring"),
                "drivers/block/virtio-blk.ko": ("virtio_blk", "virtio,virtio_ring,missing_one")}
        for rel, (name, deps) in mods.items():
            path = os.path.join(self.dir, "kernel", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(module(name, deps))
        with open(os.path.join(self.dir, "modules.builtin"), "w") as f:
            f.write("kernel/drivers/tty/hvc/hvc_console.ko\n")
        self.modules = lk.Modules(self.dir)

    def tearDown(self):
        self.tmp.cleanup()

    def test_dependencies_come_first(self):
        order, built_in = self.modules.load_order(["virtio_mmio", "virtio_console"])
        self.assertEqual([lk.module_name(p) for p in order],
                         ["virtio_ring", "virtio", "virtio_mmio", "virtio_console"])
        self.assertEqual(built_in, [])

    def test_builtins_are_reported_not_loaded(self):
        order, built_in = self.modules.load_order(["hvc_console", "virtio_ring"])
        self.assertEqual(built_in, ["hvc_console"])
        self.assertEqual(order, ["kernel/drivers/virtio/virtio_ring.ko"])

    def test_missing_dependency_names_the_chain(self):
        with self.assertRaisesRegex(lk.KernelError, "missing_one <- virtio_blk"):
            self.modules.load_order(["virtio-blk"])

    def test_modinfo(self):
        info = lk.modinfo(module("x", "a,b"))
        self.assertEqual((info["name"], info["depends"]), ("x", "a,b"))
        self.assertEqual(self.modules.release, "6.1.0-1-cloud-arm64")


if __name__ == "__main__":
    unittest.main()
