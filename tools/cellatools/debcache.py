"""Debian packages for another architecture, downloaded once and kept in a cache.

The cache lives outside any build tree, so fresh build trees and repeated
builds reuse it:

    <cache>/<package>/<version>/<package>_<version>_<arch>.deb
    <cache>/<package>/<version>/root/     the package's files (dpkg-deb -x)

(":" in a version, an epoch, is written "%3a" in names, as apt does.) A
version directory without its root/ was interrupted and is done again.
Packages come from apt (`apt-get download`, which needs no root), so the
machine needs the architecture enabled and its package lists fetched;
tools/install-deps does both.
"""

import functools
import os
import shutil
import subprocess
import tempfile

APT_ENV = dict(os.environ, LC_ALL="C", LANG="C")
HOW_TO_ENABLE = ("enable it with tools/install-deps (it runs `dpkg --add-architecture {arch}` "
                 "and `apt-get update`)")


class FetchError(Exception):
    pass


def default_cache():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cella", "guest")


def _quote(version):
    return version.replace(":", "%3a")


def _unquote(name):
    return name.replace("%3a", ":")


def _remove_empty(path, top):
    """Removes path and its parents up to (not including) top, while they are empty."""
    while os.path.abspath(path) != os.path.abspath(top):
        try:
            os.rmdir(path)
        except OSError:
            return
        path = os.path.dirname(path)


def _run(cmd, cwd=None):
    try:
        return subprocess.run(cmd, cwd=cwd, env=APT_ENV, capture_output=True, text=True)
    except FileNotFoundError:
        raise FetchError(f"{cmd[0]} is not installed; this needs Debian's apt and dpkg") from None


def candidate_version(package, arch):
    """The version apt would install for package:arch, or None when apt does not know it."""
    result = _run(["apt-cache", "policy", f"{package}:{arch}"])
    for line in result.stdout.splitlines():
        key, _, value = line.strip().partition(":")
        if key == "Candidate":
            value = value.strip()
            return None if value == "(none)" else value
    return None


def meta_dependency(meta, arch, prefix):
    """The first dependency of a metapackage whose name starts with prefix (a kernel ABI package)."""
    result = _run(["apt-cache", "depends", f"{meta}:{arch}"])
    for line in result.stdout.splitlines():
        key, _, value = line.strip().partition(":")
        if key in ("Depends", "PreDepends") and value.strip().startswith(prefix):
            return value.strip().split(":")[0]
    return None


def compare_versions(a, b):
    """-1, 0 or 1, by Debian's version ordering (dpkg --compare-versions)."""
    if a == b:
        return 0
    return -1 if _run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0 else 1


class Cache:
    def __init__(self, directory=None, arch="arm64"):
        self.directory = directory or default_cache()
        self.arch = arch

    def _dir(self, package, version):
        return os.path.join(self.directory, package, _quote(version))

    def root(self, package, version):
        """The extracted files of package at version, or None when not cached."""
        root = os.path.join(self._dir(package, version), "root")
        return root if os.path.isdir(root) else None

    def versions(self, package):
        """Cached (complete) versions of package, newest first."""
        top = os.path.join(self.directory, package)
        if not os.path.isdir(top):
            return []
        found = [_unquote(v) for v in os.listdir(top) if os.path.isdir(os.path.join(top, v, "root"))]
        return sorted(found, key=functools.cmp_to_key(compare_versions), reverse=True)

    def packages(self, prefix, suffix):
        """Cached package names that start with prefix and end with suffix."""
        if not os.path.isdir(self.directory):
            return []
        return sorted(p for p in os.listdir(self.directory)
                      if p.startswith(prefix) and p.endswith(suffix) and self.versions(p))

    def fetch(self, package, version, log=None):
        """Downloads (unless cached) and extracts package=version; returns its root/."""
        root = self.root(package, version)
        if root:
            return root
        where = self._dir(package, version)
        os.makedirs(where, exist_ok=True)
        try:
            deb = self._cached_deb(where) or self._download(package, version, where, log)
        except FetchError:
            _remove_empty(where, self.directory)
            raise
        return self._extract(deb, where)

    def add_deb(self, path):
        """Puts a .deb obtained elsewhere into the cache; returns (package, version)."""
        fields = _run(["dpkg-deb", "-f", path, "Package", "Version", "Architecture"])
        if fields.returncode != 0:
            raise FetchError(f"{path}: not a Debian package: {fields.stderr.strip()}")
        info = dict(line.split(": ", 1) for line in fields.stdout.splitlines() if ": " in line)
        package, version, arch = info.get("Package"), info.get("Version"), info.get("Architecture")
        if arch not in (self.arch, "all"):
            raise FetchError(f"{path}: built for {arch}, not {self.arch}")
        where = self._dir(package, version)
        os.makedirs(where, exist_ok=True)
        target = os.path.join(where, f"{package}_{_quote(version)}_{arch}.deb")
        if not os.path.exists(target):
            shutil.copyfile(path, target + ".part")
            os.replace(target + ".part", target)
        self._extract(target, where)
        return package, version

    @staticmethod
    def _cached_deb(where):
        debs = sorted(f for f in os.listdir(where) if f.endswith(".deb"))
        return os.path.join(where, debs[0]) if debs else None

    def _download(self, package, version, where, log):
        spec = f"{package}:{self.arch}={version}"
        if log:
            log(f"downloading {spec}")
        with tempfile.TemporaryDirectory(dir=where, prefix=".download-") as tmp:
            os.chmod(tmp, 0o755)
            cmd = ["apt-get", "download", "-q", spec]
            if os.geteuid() == 0:
                cmd[1:1] = ["-o", "APT::Sandbox::User=root"]
            result = _run(cmd, cwd=tmp)
            debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
            if result.returncode != 0 or len(debs) != 1:
                reason = (result.stderr.strip() or result.stdout.strip()).splitlines()
                raise FetchError(
                    f"cannot download {spec}: {reason[-1] if reason else 'apt-get made no .deb'}\n"
                    f"  Check the network and that the package lists are current "
                    f"(`apt-get update` as root, or tools/install-deps),\n"
                    f"  or fetch the .deb on another machine (`apt-get download {spec}`) and add it "
                    f"with `tools/fetch-guest --add-deb FILE`.")
            target = os.path.join(where, debs[0])
            os.replace(os.path.join(tmp, debs[0]), target)
        return target

    def _extract(self, deb, where):
        root = os.path.join(where, "root")
        if os.path.isdir(root):
            return root
        tmp = tempfile.mkdtemp(dir=where, prefix=".extract-")
        try:
            result = _run(["dpkg-deb", "-x", deb, tmp])
            if result.returncode != 0:
                raise FetchError(f"cannot extract {deb}: {result.stderr.strip()} "
                                 f"(delete it to download it again)")
            try:
                os.rename(tmp, root)
            except OSError:
                if not os.path.isdir(root):  # else another build extracted it first
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return root
