"""Choosing and caching the guest's Debian packages, with apt replaced by a stand-in."""

import os
import shutil
import subprocess
import tempfile
import unittest
from unittest import mock

from cellatools import debcache, guest

POLICY = "{name}:arm64:\n  Installed: (none)\n  Candidate: {version}\n  Version table:\n"
DEPENDS = "linux-image-cloud-arm64:arm64\n  Depends: linux-image-6.1.0-9-cloud-arm64:arm64\n"


class FakeApt:
    """Answers apt-cache like a machine whose lists know `known` ({package: version})."""

    def __init__(self, known):
        self.known = known
        self.calls = []

    def __call__(self, cmd, cwd=None):
        self.calls.append(cmd)
        out = ""
        if cmd[:2] == ["apt-cache", "policy"]:
            name = cmd[2].split(":")[0]
            if name in self.known:
                out = POLICY.format(name=name, version=self.known[name])
        elif cmd[:2] == ["apt-cache", "depends"] and cmd[2].startswith("linux-image-cloud-arm64"):
            out = DEPENDS if "linux-image-cloud-arm64" in self.known else ""
        elif cmd[:2] == ["dpkg", "--compare-versions"]:
            return subprocess.CompletedProcess(cmd, 0 if cmd[2] < cmd[4] else 1, "", "")
        return subprocess.CompletedProcess(cmd, 0, out, "")


class ResolveTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = debcache.Cache(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def cached(self, package, version):
        os.makedirs(os.path.join(self.tmp.name, package, version.replace(":", "%3a"), "root"))

    def test_flavour_goes_through_the_metapackage_to_the_unsigned_image(self):
        apt = FakeApt({"linux-image-cloud-arm64": "1", "linux-image-6.1.0-9-cloud-arm64-unsigned": "6.1.99-1"})
        with mock.patch.object(debcache, "_run", apt):
            p = guest.resolve_kernel(self.cache, "cloud-arm64")
        self.assertEqual((p.name, p.version), ("linux-image-6.1.0-9-cloud-arm64-unsigned", "6.1.99-1"))

    def test_pinned_version_asks_apt_nothing(self):
        apt = FakeApt({})
        with mock.patch.object(debcache, "_run", apt):
            p = guest.resolve_package(self.cache, "busybox-static=1:1.35.0-4")
        self.assertEqual(p.version, "1:1.35.0-4")
        self.assertEqual(apt.calls, [])

    def test_without_apt_lists_the_newest_cached_is_used(self):
        self.cached("linux-image-6.1.0-7-cloud-arm64-unsigned", "6.1.90-1")
        self.cached("linux-image-6.1.0-8-cloud-arm64-unsigned", "6.1.95-1")
        self.cached("busybox-static", "1:1.35.0-4")
        with mock.patch.object(debcache, "_run", FakeApt({})):
            kernel = guest.resolve_kernel(self.cache, "cloud-arm64")
            busybox = guest.resolve_package(self.cache, "busybox-static")
        self.assertEqual(kernel.name, "linux-image-6.1.0-8-cloud-arm64-unsigned")
        self.assertIn("newest cached", kernel.note)
        self.assertEqual(busybox.version, "1:1.35.0-4")

    def test_nothing_anywhere_says_what_is_missing_and_what_to_do(self):
        with mock.patch.object(debcache, "_run", FakeApt({})):
            with self.assertRaises(debcache.FetchError) as e:
                guest.resolve_package(self.cache, "busybox-static")
        self.assertIn("busybox-static:arm64", str(e.exception))
        self.assertIn("tools/install-deps", str(e.exception))
        self.assertIn("--add-deb", str(e.exception))

    def test_cached_version_is_not_downloaded_again(self):
        self.cached("busybox-static", "1:1.35.0-4")
        apt = FakeApt({})
        with mock.patch.object(debcache, "_run", apt):
            root = self.cache.fetch("busybox-static", "1:1.35.0-4")
        self.assertTrue(root.endswith(os.path.join("busybox-static", "1%3a1.35.0-4", "root")))
        self.assertEqual(apt.calls, [])

    def test_failed_download_names_the_package(self):
        def apt(cmd, cwd=None):
            return subprocess.CompletedProcess(cmd, 100, "", "E: Failed to fetch http://x 404  Not Found\n")
        with mock.patch.object(debcache, "_run", apt):
            with self.assertRaises(debcache.FetchError) as e:
                self.cache.fetch("busybox-static", "9.9")
        self.assertIn("cannot download busybox-static:arm64=9.9", str(e.exception))
        self.assertIn("404", str(e.exception))

    def test_default_cache_follows_xdg(self):
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": "/x/cache"}):
            self.assertEqual(debcache.default_cache(), "/x/cache/cella/guest")


@unittest.skipUnless(shutil.which("dpkg-deb"), "needs dpkg-deb")
class AddDebTest(unittest.TestCase):
    def test_a_deb_from_elsewhere_is_cached_and_extracted(self):
        with tempfile.TemporaryDirectory() as tmp:
            pkg = os.path.join(tmp, "pkg")
            os.makedirs(os.path.join(pkg, "DEBIAN"))
            os.makedirs(os.path.join(pkg, "bin"))
            with open(os.path.join(pkg, "DEBIAN", "control"), "w") as f:
                f.write("Package: busybox-static\nVersion: 1:1.0-1\nArchitecture: arm64\n"
                        "Maintainer: test <t@example.org>\nDescription: test\n")
            with open(os.path.join(pkg, "bin", "busybox"), "w") as f:
                f.write("box")
            deb = os.path.join(tmp, "b.deb")
            subprocess.run(["dpkg-deb", "--root-owner-group", "-b", pkg, deb], check=True, capture_output=True)
            cache = debcache.Cache(os.path.join(tmp, "cache"))
            self.assertEqual(cache.add_deb(deb), ("busybox-static", "1:1.0-1"))
            self.assertEqual(cache.versions("busybox-static"), ["1:1.0-1"])
            with open(os.path.join(cache.root("busybox-static", "1:1.0-1"), "bin", "busybox")) as f:
                self.assertEqual(f.read(), "box")


if __name__ == "__main__":
    unittest.main()
