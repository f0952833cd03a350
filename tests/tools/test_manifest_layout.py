"""cellatools.layout agrees with the C headers it mirrors, number for number."""

import os
import re
import unittest

from cellatools import layout

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ABI = os.path.join(ROOT, "libsel4-like", "include", "abi")
MIRRORED_HEADERS = ("cell_layout.h", "objects.h", "rights.h", "persona_layout.h", "cell_info.h", "cell_needs.h")
DEFINE = re.compile(r"^\s*#define\s+([A-Z_0-9]+)\s+(.+?)\s*(?:/\*.*)?$")


def c_value(text):
    """Evaluates the simple integer expressions these headers use: 0x10UL, (1UL << 39), 15u."""
    expression = re.sub(r"(?<=[0-9a-fA-F])[uUlL]+\b", "", text)
    if not re.fullmatch(r"[0-9a-fA-FxX()<<\s+]+", expression):
        return None
    return eval(expression, {"__builtins__": {}})  # only digits, parentheses, << and + remain


def header_defines(name):
    defines = {}
    with open(os.path.join(ABI, name)) as f:
        for line in f:
            match = DEFINE.match(line)
            if match:
                value = c_value(match.group(2))
                if value is not None:
                    defines[match.group(1)] = value
    return defines


class LayoutMirrorTest(unittest.TestCase):
    def test_every_mirrored_number_matches_its_header(self):
        checked = 0
        for header in MIRRORED_HEADERS:
            for name, value in header_defines(header).items():
                if hasattr(layout, name):
                    with self.subTest(header=header, name=name):
                        self.assertEqual(getattr(layout, name), value)
                    checked += 1
        self.assertGreaterEqual(checked, 30)

    def test_every_cell_needs_define_is_mirrored(self):
        with open(os.path.join(ABI, "cell_needs.h")) as f:
            text = f.read()
        for name, value in re.findall(r"^#define\s+(CELL_\w+)\s+(\S+)", text, re.M):
            with self.subTest(name=name):
                expected = value.strip('"') if value.startswith('"') else c_value(value)
                self.assertEqual(getattr(layout, name, None), expected)

    def test_every_cell_layout_define_is_mirrored(self):
        for name in header_defines("cell_layout.h"):
            with self.subTest(name=name):
                self.assertTrue(hasattr(layout, name), f"layout.py lacks {name}")

    def test_every_object_size_is_mirrored(self):
        sizes = [n for n in header_defines("objects.h") if n.endswith("_SIZE_BITS")]
        self.assertIn("TCB_SIZE_BITS", sizes)
        for name in sizes:
            with self.subTest(name=name):
                self.assertTrue(hasattr(layout, name), f"layout.py lacks {name}")

    def test_layout_is_ordered(self):
        self.assertLess(layout.CELL_PROGRAM_BASE, layout.CELL_INFO_PAGE)
        self.assertLess(layout.CELL_IPC_BUFFER, layout.CELL_HEAP_BASE)
        self.assertLess(layout.CELL_HEAP_BASE, layout.CELL_STACK_TOP)
        self.assertLessEqual(layout.CELL_STACK_TOP, layout.CELL_RESERVED_END)


if __name__ == "__main__":
    unittest.main()


class InitializerLimitsTest(unittest.TestCase):
    """The limits the tool enforces are the ones the C code has."""

    def source(self, *path):
        with open(os.path.join(ROOT, *path)) as f:
            return f.read()

    def define(self, text, name):
        match = re.search(rf"#define\s+{name}\s+(\d+)", text)
        self.assertIsNotNone(match, name)
        return int(match.group(1))

    def test_limits_match_the_sources(self):
        init = self.source("initializer", "initializer.h")
        self.assertEqual(self.define(init, "MAX_CELLS"), layout.INITIALIZER_MAX_SUBJECTS)
        self.assertEqual(1 << self.define(init, "SUB_RADIX"), layout.INITIALIZER_SHARED_FRAMES)
        self.assertEqual(self.define(init, "MAX_REGIONS"), layout.INITIALIZER_MAX_REGIONS)
        self.assertEqual(self.define(init, "MAX_CNODE_RADIX"), layout.INITIALIZER_MAX_CNODE_RADIX)
        info = self.source("libsel4-like", "include", "abi", "cell_info.h")
        self.assertEqual(self.define(info, "CELL_INFO_MAX_ENDS"), layout.CELL_INFO_MAX_ENDS)
        self.assertEqual(self.define(info, "CELL_INFO_MAX_MAPS"), layout.CELL_INFO_MAX_MAPS)
        personas = self.source("initializer", "personas.c")
        self.assertEqual(self.define(personas, "MAX_RAM_FRAMES") * layout.PAGE_2M, layout.PERSONA_MAX_MEMORY)
        vmm = self.source("vmm", "virtio_console.c")
        self.assertEqual(self.define(vmm, "CHANNEL_PORTS_MAX"), layout.VMM_MAX_CHANNEL_PORTS)
