"""The payload: files the kernel image carries for user level (the format is in libsel4-like/include/abi/payload.h).

Layout: a 64-byte header, then `count` 64-byte entries, then each file at a
4 KiB-aligned offset. Entry 0 is the initializer, which the kernel loads; the
whole payload is then mapped read-only into the initializer.
"""

import struct
import zlib

MAGIC = b"CELLAPAY"
VERSION = 1
HEADER = struct.Struct("<8sIIQI36x")    # magic, version, count, total size, crc32 of entries
ENTRY = struct.Struct("<40sQQI4x")      # name, offset, size, crc32 of the file
NAME_MAX = 39
ALIGN = 4096
INITIALIZER = "initializer"


class PayloadError(Exception):
    pass


def build(files):
    """files: list of (name, bytes), the initializer first. Returns the payload bytes."""
    if not files or files[0][0] != INITIALIZER:
        raise PayloadError(f"the first payload file must be '{INITIALIZER}'")
    names = set()
    for name, _ in files:
        if not name or len(name.encode()) > NAME_MAX:
            raise PayloadError(f"payload file name '{name}' must be 1 to {NAME_MAX} bytes")
        if name in names:
            raise PayloadError(f"payload file name '{name}' appears twice")
        names.add(name)
    offset = _align(HEADER.size + ENTRY.size * len(files))
    entries, blobs = b"", []
    for name, data in files:
        entries += ENTRY.pack(name.encode(), offset, len(data), zlib.crc32(data))
        blobs.append((offset, data))
        offset = _align(offset + len(data))
    out = bytearray(HEADER.pack(MAGIC, VERSION, len(files), offset, zlib.crc32(entries)))
    out += entries
    for off, data in blobs:
        out += b"\0" * (off - len(out))
        out += data
    out += b"\0" * (offset - len(out))
    return bytes(out)


def parse(blob):
    """Returns [(name, bytes)], checking every checksum."""
    if len(blob) < HEADER.size:
        raise PayloadError("payload shorter than its header")
    magic, version, count, total, crc = HEADER.unpack_from(blob)[:5]
    if magic != MAGIC or version != VERSION:
        raise PayloadError("not a version-1 Cella payload")
    if total > len(blob) or HEADER.size + count * ENTRY.size > total:
        raise PayloadError("payload truncated")
    entries = blob[HEADER.size:HEADER.size + count * ENTRY.size]
    if zlib.crc32(entries) != crc:
        raise PayloadError("payload entry table checksum mismatch")
    files = []
    for i in range(count):
        name, off, size, fcrc = ENTRY.unpack_from(entries, i * ENTRY.size)
        data = blob[off:off + size]
        if off + size > total or zlib.crc32(data) != fcrc:
            raise PayloadError(f"payload file {i} is damaged")
        files.append((name.rstrip(b"\0").decode(), data))
    return files


def _align(value):
    return (value + ALIGN - 1) & ~(ALIGN - 1)
