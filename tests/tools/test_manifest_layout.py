"""cellatools.layout agrees with the C headers it mirrors, number for number."""

import os
import re
import unittest

from cellatools import layout

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ABI = os.path.join(ROOT, "libsel4-like", "include", "abi")
MIRRORED_HEADERS = ("cell_layout.h", "objects.h", "rights.h", "persona_layout.h")
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
