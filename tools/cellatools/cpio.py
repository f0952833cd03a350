"""Writing reproducible initramfs archives: cpio "newc" (SVR4, no CRC), as Linux unpacks them.

Every entry is owned by root, carries the same fixed mtime and gets its inode
number from its place in the archive; entries are written sorted by path with
each directory before what it holds. The same inputs give the same bytes.
"""

import gzip
import io
import stat
from dataclasses import dataclass

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


class CpioError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    path: str          # inside the archive, without a leading "/"
    mode: int          # file type and permission bits, as in st_mode
    data: bytes = b""  # a file's contents or a symlink's target
    rdev: tuple = (0, 0)


class Archive:
    """Collects entries by path; parent directories are added as needed."""

    def __init__(self):
        self.entries = {}

    def _add(self, entry):
        path = entry.path
        if not path or path.startswith("/") or ".." in path.split("/") or "//" in path:
            raise CpioError(f"bad path in archive: {path!r}")
        old = self.entries.get(path)
        if old is not None and old != entry:
            if stat.S_ISDIR(old.mode) and stat.S_ISDIR(entry.mode):
                return
            raise CpioError(f"{path} added twice with different contents")
        self._parents(path)
        self.entries[path] = entry

    def _parents(self, path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            parent = "/".join(parts[:i])
            existing = self.entries.get(parent)
            if existing is None:
                self.entries[parent] = Entry(parent, stat.S_IFDIR | 0o755)
            elif not stat.S_ISDIR(existing.mode):
                raise CpioError(f"{parent} is not a directory but {path} is inside it")

    def directory(self, path, perm=0o755):
        self._add(Entry(path, stat.S_IFDIR | perm))

    def file(self, path, data, perm=0o644):
        self._add(Entry(path, stat.S_IFREG | perm, bytes(data)))

    def symlink(self, path, target):
        self._add(Entry(path, stat.S_IFLNK | 0o777, target.encode()))

    def char_device(self, path, major, minor, perm=0o600):
        self._add(Entry(path, stat.S_IFCHR | perm, rdev=(major, minor)))

    def newc(self, mtime=0):
        """The archive as uncompressed cpio newc bytes."""
        out = io.BytesIO()
        for ino, path in enumerate(sorted(self.entries), start=1):
            _write_entry(out, self.entries[path], ino, mtime)
        _write_entry(out, Entry(TRAILER, 0), 0, 0)
        return out.getvalue()

    def newc_gzip(self, mtime=0):
        """The archive gzip-compressed, with no name or time in the gzip header."""
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
            gz.write(self.newc(mtime))
        return out.getvalue()


def _pad4(out):
    out.write(b"\0" * (-out.tell() % 4))


def _write_entry(out, entry, ino, mtime):
    name = entry.path.encode() + b"\0"
    nlink = 2 if stat.S_ISDIR(entry.mode) else 1
    fields = (ino, entry.mode, 0, 0, nlink, mtime, len(entry.data),
              0, 0, entry.rdev[0], entry.rdev[1], len(name), 0)
    for value in fields:
        if not 0 <= value <= 0xFFFFFFFF:
            raise CpioError(f"{entry.path}: field value {value} does not fit newc")
    out.write(MAGIC + b"".join(b"%08X" % v for v in fields))
    out.write(name)
    _pad4(out)
    out.write(entry.data)
    _pad4(out)


def read_newc(data):
    """Parses uncompressed newc bytes into a list of Entry (for tests and inspection)."""
    entries, pos = [], 0
    while True:
        if data[pos:pos + 6] != MAGIC:
            raise CpioError(f"no newc header at offset {pos}")
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, rdev, namesize = f[1], f[6], (f[9], f[10]), f[11]
        pos += 110
        name = data[pos:pos + namesize - 1].decode()
        pos += namesize + (-(110 + namesize) % 4)
        body = data[pos:pos + size]
        pos += size + (-size % 4)
        if name == TRAILER:
            return entries
        entries.append(Entry(name, mode, body, rdev))
