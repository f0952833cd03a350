"""build: a good manifest becomes an image whose payload holds the initializer, the spec and each
program once; a failed build writes nothing and leaves what was there alone."""

import os
import shutil
import unittest

from cellatools import elf, fdt, payload

import test_manifest_helpers as h
from test_manifest_spec import decode


class BuildTest(unittest.TestCase):
    def setUp(self):
        self.ws = h.Workspace()
        self.image = self.ws.path("out/cella.elf")
        self.spec = self.ws.path("out/bootspec.bin")
        os.mkdir(self.ws.path("out"))

    def tearDown(self):
        self.ws.cleanup()

    def build(self, manifest_text, *extra, kernel=None):
        path = self.ws.manifest(manifest_text)
        return h.run_cli("build", path, "--program-dir", self.ws.programs, "--kernel", kernel or self.ws.kernel,
                         "--initializer", self.ws.initializer, "-o", self.image, "--spec-out", self.spec, *extra)

    def payload_of(self, image_path):
        with open(image_path, "rb") as f:
            image = elf.Elf(f.read())
        last = image.loads()[-1]
        return payload.parse(image.data[last.offset:last.offset + last.filesz])

    def test_success(self):
        status, out, err = self.build(h.PING_PONG)
        self.assertEqual((status, err), (0, ""))
        files = self.payload_of(self.image)
        self.assertEqual([name for name, _ in files], ["initializer", "bootspec", "ping.elf", "pong.elf"])
        with open(self.spec, "rb") as f:
            self.assertEqual(files[1][1], f.read())
        with open(os.path.join(self.ws.programs, "ping.elf"), "rb") as f:
            self.assertEqual(files[2][1], f.read())
        self.assertEqual(decode(files[1][1])["system"], "pingpong")

    def test_the_memory_layout_only_when_asked(self):
        _, out, _ = self.build(h.PING_PONG)
        self.assertEqual(out.count("\n"), 1, out)
        self.assertRegex(out, rf"^wrote {self.image} \(payload \d+ bytes; RAM about [\d.]+ KiB of 1022\.0 MiB\)")
        self.assertNotIn("cell ping", out)
        status, out, _ = h.run_cli("explain", self.ws.manifest(h.PING_PONG), "--program-dir", self.ws.programs)
        self.assertEqual(status, 0)
        self.assertIn("cell ping: CNode of 16 slots", out)
        self.assertIn("cell ping: priority 100, restart never, CNode radix 4", out)

    def test_an_unchanged_image_is_not_rewritten(self):
        self.assertEqual(self.build(h.PING_PONG)[0], 0)
        os.utime(self.image, (1000, 1000))
        self.assertEqual(self.build(h.PING_PONG)[0], 0)
        self.assertEqual(os.stat(self.image).st_mtime, 1000)
        self.assertEqual(self.build(h.PING_PONG.replace("priority = 110", "priority = 111"))[0], 0)
        self.assertNotEqual(os.stat(self.image).st_mtime, 1000)

    def test_the_memory_layout_report(self):
        _, out, _ = self.build(h.PING_PONG, "--verbose")
        self.assertIn("cell ping: priority 100, restart never, CNode radix 4", out)
        self.assertRegex(out, r"0x0000200000-0x0000202000 +8K r-x  program segment 1 +program ping\.elf")
        self.assertRegex(out, r"0x002fffc000-0x0030000000 +16K rw-  stack")
        self.assertRegex(out, r"0x0060000000-0x0060001000 +4K rw-  map gpio +device 0x9030000")
        self.assertRegex(out, r"0x0050000000-0x0050002000 +8K r--  map shared +region shared")
        self.assertRegex(out, r"RAM: about [\d.]+ KiB needed of 1022\.0 MiB")
        self.assertIn(f"wrote {self.image}", out)

    def test_a_program_used_twice_is_packed_once(self):
        text = h.PING_PONG.replace('program = "pong"', 'program = "ping"')
        self.assertEqual(self.build(text)[0], 0)
        self.assertEqual([n for n, _ in self.payload_of(self.image)], ["initializer", "bootspec", "ping.elf"])

    def assert_nothing_written(self):
        self.assertEqual(sorted(os.listdir(self.ws.path("out"))), [])

    def test_a_bad_manifest_writes_nothing(self):
        status, _, err = self.build(h.PING_PONG.replace("priority = 110", "priority = 999"))
        self.assertEqual(status, 1)
        self.assertIn("999 is out of range", err)
        self.assert_nothing_written()

    def test_a_failed_build_leaves_the_previous_image_alone(self):
        self.ws.write("out/cella.elf", b"previous image")
        status, _, _ = self.build(h.PING_PONG.replace('program = "pong"', 'program = "missing"'))
        self.assertEqual(status, 1)
        with open(self.image, "rb") as f:
            self.assertEqual(f.read(), b"previous image")
        self.assertEqual(os.listdir(self.ws.path("out")), ["cella.elf"])

    def test_a_missing_kernel_writes_nothing(self):
        status, _, err = self.build(h.PING_PONG, kernel=self.ws.path("nope.elf"))
        self.assertEqual(status, 1)
        self.assertIn("cella-manifest: error: cannot read the kernel", err)
        self.assert_nothing_written()

    def test_a_kernel_without_its_end_symbol_writes_nothing(self):
        status, _, err = self.build(h.PING_PONG, kernel=self.ws.initializer)
        self.assertEqual(status, 1)
        self.assertIn("no __kernel_end symbol", err)
        self.assert_nothing_written()

    def test_a_fixed_region_on_the_boot_image_is_refused(self):
        text = h.PING_PONG.replace('size = "8K"', 'size = "8K"\n    paddr = 0x4020_4000')
        status, _, err = self.build(text)
        self.assertEqual(status, 1)
        self.assertRegex(err, r"region\[shared\]\.paddr: .* overlaps the boot image")
        self.assert_nothing_written()

    def test_an_unwritable_spec_takes_the_image_with_it(self):
        self.spec = self.ws.path("no/such/dir/spec.bin")
        status, _, err = self.build(h.PING_PONG)
        self.assertEqual(status, 1)
        self.assertIn("cannot write the output", err)
        self.assert_nothing_written()


PERSONA = """
    [system]
    name = "guests"
    platform = "qemu-virt-aarch64"

    [[cell]]
    name = "ping"
    program = "ping"

    [[persona]]
    name = "work"
    kind = "linux"
    kernel = "{kernel}"
    initramfs = "{initramfs}"
    memory = "128M"
    {bootargs}

    [[channel]]
    name = "work_ping"
    kind = "call"
    client = "work"
    server = "ping"
"""


@unittest.skipUnless(shutil.which("dtc"), "dtc is not installed")
class GuestFilesTest(unittest.TestCase):
    """A persona's kernel and initramfs are stored under the names the spec gives the initializer,
    however the manifest spells their paths; its bootargs reach the guest as written."""

    def setUp(self):
        self.ws = h.Workspace()
        self.ws.write("images/Image", h.fake_linux_image())
        self.ws.write("images/work.cpio", b"070701" + b"0" * 250)
        self.image = self.ws.path("cella.elf")

    def tearDown(self):
        self.ws.cleanup()

    def build(self, kernel="Image", initramfs="work.cpio", bootargs=None):
        line = "" if bootargs is None else f'bootargs = "{bootargs}"'
        text = PERSONA.format(kernel=kernel, initramfs=initramfs, bootargs=line)
        path = self.ws.manifest(text, "systems/guests.toml")
        status, _, err = h.run_cli("build", path, "--program-dir", self.ws.programs, "--kernel", self.ws.kernel,
                                   "--initializer", self.ws.initializer, "-o", self.image)
        self.assertEqual((status, err), (0, ""))
        with open(self.image, "rb") as f:
            image = elf.Elf(f.read())
        last = image.loads()[-1]
        files = dict(payload.parse(image.data[last.offset:last.offset + last.filesz]))
        return files, decode(files["bootspec"])["persona"][0]

    def assert_stored_as_named(self, kernel, initramfs):
        files, work = self.build(kernel, initramfs)
        self.assertEqual((work["kernel"], work["initramfs"]), ("Image", "work.cpio"))
        self.assertEqual(files[work["kernel"]], h.fake_linux_image())
        self.assertIn(work["initramfs"], files)

    def test_bare_names(self):
        self.assert_stored_as_named("Image", "work.cpio")

    def test_paths_relative_to_the_manifest(self):
        self.assert_stored_as_named("../images/Image", "../images/work.cpio")

    def test_absolute_paths(self):
        self.assert_stored_as_named(self.ws.path("images/Image"), self.ws.path("images/work.cpio"))

    def bootargs_seen(self, **kw):
        files, _ = self.build(**kw)
        return fdt.parse(files["work.dtb"]).find("/chosen").string("bootargs")

    def test_bootargs_as_written(self):
        self.assertEqual(self.bootargs_seen(bootargs="console=hvc0 quiet"), "console=hvc0 quiet")

    def test_empty_bootargs_stay_empty(self):
        self.assertEqual(self.bootargs_seen(bootargs=""), "")

    def test_without_bootargs_the_console_is_the_uart(self):
        self.assertEqual(self.bootargs_seen(), "console=ttyAMA0")


if __name__ == "__main__":
    unittest.main()
