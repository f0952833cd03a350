"""The initramfs writer: newc entries Linux can unpack, the same bytes for the same input."""

import gzip
import shutil
import stat
import subprocess
import tempfile
import unittest

from cellatools import cpio


def sample():
    a = cpio.Archive()
    a.file("bin/tool", b"\x7fELF-ish", 0o755)
    a.symlink("bin/sh", "busybox")
    a.char_device("dev/console", 5, 1)
    a.directory("tmp", 0o1777)
    a.file("etc/motd", b"hello\n")
    return a


class ArchiveTest(unittest.TestCase):
    def test_round_trip(self):
        entries = {e.path: e for e in cpio.read_newc(sample().newc())}
        self.assertEqual(entries["bin/tool"].data, b"\x7fELF-ish")
        self.assertEqual(stat.S_IMODE(entries["bin/tool"].mode), 0o755)
        self.assertTrue(stat.S_ISLNK(entries["bin/sh"].mode))
        self.assertEqual(entries["bin/sh"].data, b"busybox")
        self.assertTrue(stat.S_ISCHR(entries["dev/console"].mode))
        self.assertEqual(entries["dev/console"].rdev, (5, 1))
        self.assertEqual(stat.S_IMODE(entries["tmp"].mode), 0o1777)

    def test_parents_come_first_and_entries_are_sorted(self):
        paths = [e.path for e in cpio.read_newc(sample().newc())]
        self.assertEqual(paths, sorted(paths))
        for i, path in enumerate(paths):
            if "/" in path:
                self.assertIn(path.rsplit("/", 1)[0], paths[:i])

    def test_reproducible(self):
        self.assertEqual(sample().newc_gzip(), sample().newc_gzip())
        other = cpio.Archive()
        for path in reversed(sorted(sample().entries)):  # added in another order
            other._add(sample().entries[path])
        self.assertEqual(other.newc(), sample().newc())

    def test_headers_are_aligned_and_end_with_the_trailer(self):
        data = sample().newc()
        self.assertEqual(len(data) % 4, 0)
        self.assertEqual(data[:6], b"070701")
        self.assertIn(b"TRAILER!!!\0", data[-128:])
        self.assertEqual(data.count(b"070701"), len(sample().entries) + 1)

    def test_gzip_has_no_time_or_name(self):
        gz = sample().newc_gzip()
        self.assertEqual(gz[4:8], b"\0\0\0\0")  # MTIME
        self.assertEqual(gz[3] & 0x08, 0)       # no FNAME
        self.assertEqual(gzip.decompress(gz), sample().newc())

    def test_conflicts_are_refused(self):
        a = cpio.Archive()
        a.file("x", b"1")
        a.file("x", b"1")  # the same entry again is fine
        with self.assertRaisesRegex(cpio.CpioError, "x added twice"):
            a.file("x", b"2")
        with self.assertRaisesRegex(cpio.CpioError, "x is not a directory"):
            a.file("x/y", b"")
        for bad in ("/abs", "a/../b", "", "a//b"):
            with self.assertRaises(cpio.CpioError):
                a.file(bad, b"")

    @unittest.skipUnless(shutil.which("cpio"), "GNU cpio not installed")
    def test_gnu_cpio_reads_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            listing = subprocess.run(["cpio", "-it", "--quiet"], input=sample().newc(), cwd=tmp,
                                     capture_output=True, check=True).stdout.decode().split()
        self.assertEqual(listing, sorted(sample().entries))


if __name__ == "__main__":
    unittest.main()
