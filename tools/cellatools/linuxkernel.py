"""A Linux arm64 kernel as a distribution ships it: the boot Image and its modules.

Debian 12's arm64 /boot/vmlinuz-* is already the raw Image (an EFI stub's
"MZ" header with the arm64 Image header inside), but arm64 kernels also come
gzip-compressed (the older convention) or as EFI zboot images (a PE file with
a compressed Image inside, newer kernels); raw_image() accepts all three and
returns what QEMU's -kernel and a VMM load.
"""

import gzip
import os
import struct
import zlib
from dataclasses import dataclass

from . import elf

ARM64_MAGIC = b"ARM\x64"
IMAGE_HEADER = struct.Struct("<II QQQ QQQ 4s I")  # see Documentation/arm64/booting.rst
ZBOOT_MAGIC = b"zimg"


class KernelError(Exception):
    pass


@dataclass
class ImageHeader:
    text_offset: int
    image_size: int
    flags: int

    @property
    def little_endian(self):
        return not self.flags & 1

    @property
    def page_size(self):
        return {1: 4096, 2: 16384, 3: 65536}.get((self.flags >> 1) & 3, 0)


def image_header(image):
    """Parses the 64-byte arm64 Image header; KernelError if it is not one."""
    if len(image) < IMAGE_HEADER.size:
        raise KernelError("too short for an arm64 Image")
    fields = IMAGE_HEADER.unpack_from(image)
    if fields[8] != ARM64_MAGIC:
        raise KernelError("no arm64 Image magic ('ARM\\x64' at offset 56)")
    return ImageHeader(text_offset=fields[2], image_size=fields[3], flags=fields[4])


def raw_image(vmlinuz, name="vmlinuz"):
    """The raw Image inside a raw, gzip-compressed or EFI zboot arm64 kernel."""
    data = bytes(vmlinuz)
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, name)
    elif data[:2] == b"MZ" and data[4:8] == ZBOOT_MAGIC:
        data = _unzboot(data, name)
    image_header(data)  # raises when the result is not an Image
    return data


def _gunzip(data, name):
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise KernelError(f"{name}: bad gzip data: {e}") from None


def _unzboot(data, name):
    # EFI zboot header: "MZ", pad, "zimg", payload offset (u32), payload size (u32),
    # 8 bytes of padding, the compression name (NUL-padded, 32 bytes).
    offset, size = struct.unpack_from("<II", data, 8)
    method = data[24:56].split(b"\0")[0].decode("ascii", "replace")
    payload = data[offset:offset + size]
    if len(payload) != size:
        raise KernelError(f"{name}: EFI zboot payload runs past the end of the file")
    if method == "gzip":
        return _gunzip(payload, name)
    raise KernelError(f"{name}: EFI zboot image compressed with {method!r}; only gzip is supported")


@dataclass
class Modules:
    """The modules tree of one kernel release: <root>/lib/modules/<release>/."""

    directory: str

    @property
    def release(self):
        return os.path.basename(self.directory.rstrip("/"))

    def builtin(self):
        """Names of the modules compiled into the kernel (modules.builtin)."""
        path = os.path.join(self.directory, "modules.builtin")
        if not os.path.exists(path):
            return set()
        with open(path) as f:
            return {module_name(line.strip()) for line in f if line.strip()}

    def index(self):
        """Maps each loadable module's name to its path relative to the directory."""
        found = {}
        for top, dirs, files in os.walk(os.path.join(self.directory, "kernel")):
            dirs.sort()
            for file in sorted(files):
                if file.endswith(".ko"):
                    rel = os.path.relpath(os.path.join(top, file), self.directory)
                    found[module_name(file)] = rel
        return found

    def depends(self, rel):
        """The names in a module's modinfo "depends=" entry."""
        with open(os.path.join(self.directory, rel), "rb") as f:
            info = modinfo(f.read(), rel)
        return [d for d in info.get("depends", "").split(",") if d]

    def load_order(self, wanted):
        """The modules needed for wanted (names), dependencies first, built-ins left out.

        Returns (paths relative to the directory, names found built in).
        """
        builtin, index = self.builtin(), self.index()
        order, seen, inside = [], set(), []

        def visit(name, wanted_by):
            if name in seen or name in builtin:
                return
            if name not in index:
                chain = " <- ".join([name] + wanted_by)
                raise KernelError(f"module {chain}: neither built into {self.release} nor in its modules")
            seen.add(name)
            for dep in self.depends(index[name]):
                visit(dep, [name] + wanted_by)
            order.append(index[name])

        for name in wanted:
            name = module_name(name)
            if name in builtin:
                inside.append(name)
            visit(name, [])
        return order, inside


def module_name(path):
    """'kernel/drivers/virtio/virtio-mmio.ko' -> 'virtio_mmio', as the kernel names it."""
    base = os.path.basename(path)
    for suffix in (".xz", ".zst", ".gz", ".ko"):
        if base.endswith(suffix):
            base = base[:-len(suffix)]
    return base.replace("-", "_")


def modinfo(ko, name="<module>"):
    """A module's .modinfo section as a dict (for keys given more than once, the last)."""
    try:
        section = elf.Elf(ko, name).section(".modinfo")
    except elf.ElfError as e:
        raise KernelError(str(e)) from None
    if section is None:
        raise KernelError(f"{name}: no .modinfo section; is it a kernel module?")
    info = {}
    for entry in section.split(b"\0"):
        key, sep, value = entry.decode("utf-8", "replace").partition("=")
        if sep:
            info[key] = value
    return info
