"""The Linux guest's parts from Debian 12 arm64 packages: kernel Image, modules, busybox.

Which packages: a kernel flavour ("cloud-arm64") is resolved through its
metapackage (linux-image-cloud-arm64) to the current ABI's unsigned image
package (linux-image-6.1.0-N-cloud-arm64-unsigned); a package name may also
be given outright, with "=VERSION" to pin one. Resolving reads apt's
package lists only; when they lack the package, the newest version already
in the cache is used, so a machine that fetched once builds offline.
"""

import json
import os
import sys
from dataclasses import dataclass

from . import debcache, linuxkernel
from .atomic import write_atomically

DEFAULT_KERNEL = "cloud-arm64"
DEFAULT_BUSYBOX = "busybox-static"
DEFAULT_MODULES = ("virtio_mmio", "virtio_console", "virtio_blk")


@dataclass
class Package:
    name: str
    version: str
    note: str = ""

    def __str__(self):
        return f"{self.name}={self.version}"


def _missing(what, cache):
    return debcache.FetchError(
        f"the Linux guest needs {what}, which apt does not know and the cache ({cache.directory}) "
        f"does not hold.\n  Enable {cache.arch} packages with tools/install-deps (it runs `dpkg "
        f"--add-architecture {cache.arch}` and `apt-get update`),\n  or fetch the .deb elsewhere "
        f"and add it with `tools/fetch-guest --add-deb FILE`.")


def _newest_cached(cache, names):
    best = None
    for name in names:
        for version in cache.versions(name)[:1]:
            if best is None or debcache.compare_versions(version, best.version) > 0:
                best = Package(name, version, "apt could not resolve it; using the newest cached")
    return best


def resolve_kernel(cache, spec):
    """The kernel package for a flavour ("cloud-arm64") or a package name [=version]."""
    if spec.startswith("linux-image-"):
        return resolve_package(cache, spec)
    meta = f"linux-image-{spec}"
    abi = debcache.meta_dependency(meta, cache.arch, "linux-image-")
    if abi:
        return resolve_package(cache, f"{abi}-unsigned")
    cached = _newest_cached(cache, cache.packages("linux-image-", f"-{spec}-unsigned"))
    if cached:
        return cached
    raise _missing(f"{meta}:{cache.arch} (Debian's {spec} kernel)", cache)


def resolve_package(cache, spec):
    """A package name with an explicit version (NAME=VERSION) or apt's candidate."""
    name, _, version = spec.partition("=")
    if version:
        return Package(name, version)
    version = debcache.candidate_version(name, cache.arch)
    if version:
        return Package(name, version)
    cached = _newest_cached(cache, [name])
    if cached:
        return cached
    raise _missing(f"{name}:{cache.arch}", cache)


def _only(paths, what):
    if len(paths) != 1:
        raise debcache.FetchError(f"expected one {what}, found {len(paths)}: {paths}")
    return paths[0]


def kernel_parts(root):
    """(vmlinuz path, config path, modules directory) inside an extracted kernel package."""
    boot = os.path.join(root, "boot")
    files = sorted(os.listdir(boot)) if os.path.isdir(boot) else []
    vmlinuz = _only([f for f in files if f.startswith("vmlinuz-")], f"vmlinuz-* in {boot}")
    config = [f for f in files if f.startswith("config-")]
    modules = os.path.join(root, "lib", "modules")
    release = _only(sorted(os.listdir(modules)) if os.path.isdir(modules) else [], f"release in {modules}")
    return (os.path.join(boot, vmlinuz), os.path.join(boot, config[0]) if config else None,
            os.path.join(modules, release))


def _copy(source, target, mode=0o644):
    with open(source, "rb") as f:
        write_atomically(target, f.read())
    os.chmod(target, mode)


def write_modules(modules, wanted, out):
    """Copies the modules wanted needs into out/, with load-order; returns (order, built in)."""
    order, built_in = modules.load_order(wanted)
    os.makedirs(out, exist_ok=True)
    names = [os.path.basename(rel) for rel in order]
    for stale in set(os.listdir(out)) - set(names) - {"load-order"}:
        os.unlink(os.path.join(out, stale))
    for rel, name in zip(order, names):
        _copy(os.path.join(modules.directory, rel), os.path.join(out, name))
    write_atomically(os.path.join(out, "load-order"), "".join(n + "\n" for n in names))
    return names, built_in


def fetch(out, cache, kernel_spec=DEFAULT_KERNEL, busybox_spec=DEFAULT_BUSYBOX,
          wanted=DEFAULT_MODULES, log=None, image_name="Image"):
    """Writes out/{Image, busybox, modules/, kernel.config, guest.json}; returns the summary.

    image_name: the kernel's file name in out (a persona's manifest names its kernel by file
    name, so two guests of one system need two names)."""
    log = log or (lambda text: print(f"fetch-guest: {text}", file=sys.stderr))
    kernel = resolve_kernel(cache, kernel_spec)
    busybox = resolve_package(cache, busybox_spec)
    for package in (kernel, busybox):
        if package.note:
            log(f"{package}: {package.note}")
    kernel_root = cache.fetch(kernel.name, kernel.version, log)
    busybox_root = cache.fetch(busybox.name, busybox.version, log)

    os.makedirs(out, exist_ok=True)
    vmlinuz, config, modules_dir = kernel_parts(kernel_root)
    with open(vmlinuz, "rb") as f:
        image = linuxkernel.raw_image(f.read(), vmlinuz)
    header = linuxkernel.image_header(image)
    write_atomically(os.path.join(out, image_name), image)
    if config:
        _copy(config, os.path.join(out, "kernel.config"))
    box = os.path.join(busybox_root, "bin", "busybox")
    if not os.path.isfile(box):
        raise debcache.FetchError(f"{busybox} has no bin/busybox")
    _copy(box, os.path.join(out, "busybox"), 0o755)
    modules = linuxkernel.Modules(modules_dir)
    order, built_in = write_modules(modules, wanted, os.path.join(out, "modules"))

    summary = {
        "kernel": {"package": kernel.name, "version": kernel.version, "release": modules.release,
                   "image_bytes": len(image), "image_size": header.image_size,
                   "text_offset": header.text_offset, "page_size": header.page_size},
        "busybox": {"package": busybox.name, "version": busybox.version},
        "modules": {"wanted": list(wanted), "load_order": order, "built_in": built_in},
        "cache": cache.directory,
    }
    write_atomically(os.path.join(out, "guest.json"), json.dumps(summary, indent=2) + "\n")
    log(f"{kernel} ({modules.release}), {busybox}; modules: {' '.join(order) or 'none'}")
    return summary
