"""A reader for flattened device trees (the binary .dtb format).

Only what the build needs: walk the nodes, read properties, decode `reg`
with the parent's #address-cells and #size-cells. The .dtb itself comes
from dtc, so the source of truth stays the board's .dts.
"""

import struct
import subprocess

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE = 1
FDT_END_NODE = 2
FDT_PROP = 3
FDT_NOP = 4
FDT_END = 9


class FdtError(Exception):
    pass


class Node:
    def __init__(self, name, parent):
        self.name = name
        self.parent = parent
        self.props = {}
        self.children = []

    @property
    def path(self):
        if self.parent is None:
            return "/"
        parent = self.parent.path
        return (parent if parent != "/" else "") + "/" + self.name

    def cells(self, prop):
        raw = self.props.get(prop)
        if raw is None:
            return None
        if len(raw) % 4:
            raise FdtError(f"{self.path}: property '{prop}' is not a list of cells")
        return list(struct.unpack(f">{len(raw) // 4}I", raw))

    def string(self, prop):
        raw = self.props.get(prop)
        return None if raw is None else raw.split(b"\0")[0].decode()

    def strings(self, prop):
        raw = self.props.get(prop)
        if raw is None:
            return []
        return [s.decode() for s in raw.rstrip(b"\0").split(b"\0")]

    def _cell_count(self, prop, default):
        value = self.cells(prop)
        return value[0] if value else default

    def reg(self):
        """(address, size) pairs, decoded with the parent's cell counts."""
        cells = self.cells("reg")
        if cells is None:
            return []
        if self.parent is None:
            raise FdtError("/: the root node has no reg")
        acells = self.parent._cell_count("#address-cells", 2)
        scells = self.parent._cell_count("#size-cells", 1)
        step = acells + scells
        if step == 0 or len(cells) % step:
            raise FdtError(f"{self.path}: reg does not match #address-cells/#size-cells")
        pairs = []
        for i in range(0, len(cells), step):
            pairs.append((_join(cells[i:i + acells]), _join(cells[i + acells:i + step])))
        return pairs

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, path):
        if path == "/":
            return self
        node = self
        for part in path.strip("/").split("/"):
            node = next((c for c in node.children if c.name == part), None)
            if node is None:
                return None
        return node


def _join(cells):
    value = 0
    for cell in cells:
        value = (value << 32) | cell
    return value


def parse(blob):
    if len(blob) < 40:
        raise FdtError("blob too short for an FDT header")
    magic, total, off_struct, off_strings, _, version, _, _, size_strings, size_struct = \
        struct.unpack(">10I", blob[:40])
    if magic != FDT_MAGIC:
        raise FdtError("bad FDT magic")
    if total > len(blob) or version < 17:
        raise FdtError("truncated blob or FDT version older than 17")
    strings = blob[off_strings:off_strings + size_strings]
    pos = off_struct
    end = off_struct + size_struct
    root = None
    node = None
    while pos < end:
        (token,) = struct.unpack_from(">I", blob, pos)
        pos += 4
        if token == FDT_BEGIN_NODE:
            nul = blob.index(b"\0", pos)
            name = blob[pos:nul].decode()
            pos = _align4(nul + 1)
            child = Node(name, node)
            if node is None:
                root = child
            else:
                node.children.append(child)
            node = child
        elif token == FDT_END_NODE:
            if node is None:
                raise FdtError("unbalanced END_NODE")
            node = node.parent
        elif token == FDT_PROP:
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            name = strings[nameoff:strings.index(b"\0", nameoff)].decode()
            node.props[name] = blob[pos:pos + length]
            pos = _align4(pos + length)
        elif token == FDT_NOP:
            continue
        elif token == FDT_END:
            break
        else:
            raise FdtError(f"unknown FDT token {token:#x} at offset {pos - 4}")
    if root is None:
        raise FdtError("no root node")
    return root


def _align4(value):
    return (value + 3) & ~3


def compile_dts(dts_path, dtc="dtc"):
    """Runs dtc on a .dts and returns the parsed tree."""
    try:
        result = subprocess.run([dtc, "-q", "-I", "dts", "-O", "dtb", dts_path],
                                capture_output=True, check=False)
    except FileNotFoundError:
        raise FdtError("dtc not found: install the device-tree-compiler package") from None
    if result.returncode != 0:
        raise FdtError(f"{dts_path}: dtc failed: {result.stderr.decode().strip()}")
    return parse(result.stdout)
