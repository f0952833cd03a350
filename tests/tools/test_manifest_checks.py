"""System checks beyond what the corpus shows: program lookup, the memory estimate,
page-table counting and the board's interrupts."""

import os
import unittest

from cellatools import layout
from cellatools.manifest import analysis, board, memory
from cellatools.manifest.memory import Area

import test_manifest_helpers as h

ONE_CELL = """
    [system]
    name = "one"
    platform = "qemu-virt-aarch64"

    [[cell]]
    name = "ping"
    program = "{program}"
    heap = "{heap}"
"""


class ProgramLookupTest(unittest.TestCase):
    def setUp(self):
        self.ws = h.Workspace()

    def tearDown(self):
        self.ws.cleanup()

    def check(self, program, *program_dirs, name="system.toml"):
        path = self.ws.manifest(ONE_CELL.format(program=program, heap="0"), name)
        return analysis.analyse(path, list(program_dirs))

    def test_program_dirs_come_before_the_manifests_folder(self):
        self.ws.write("ping.elf", h.fake_elf(0x300000))
        result = self.check("ping", self.ws.programs)
        self.assertTrue(result.ok, result.report.lines())
        self.assertEqual(result.programs[result.system.cells[0]].path, os.path.join(self.ws.programs, "ping.elf"))

    def test_the_manifests_folder_is_searched_last(self):
        self.ws.write("ping.elf", h.fake_elf(0x300000))
        result = self.check("ping")
        self.assertTrue(result.ok, result.report.lines())
        self.assertEqual(result.programs[result.system.cells[0]].segments[0].start, 0x300000)

    def test_a_path_is_relative_to_the_manifest(self):
        self.ws.write("sub/bin/thing", h.fake_elf())
        result = self.check("bin/thing", self.ws.programs, name="sub/system.toml")
        self.assertTrue(result.ok, result.report.lines())
        self.assertEqual(result.programs[result.system.cells[0]].payload_name, "thing")

    def test_two_programs_with_one_file_name_are_refused(self):
        self.ws.write("other/ping.elf", h.fake_elf(0x300000))
        path = self.ws.manifest(ONE_CELL.format(program="ping", heap="0") + '\n[[cell]]\nname = "b"\n'
                                'program = "other/ping.elf"\n')
        result = analysis.analyse(path, [self.ws.programs])
        self.assertRegex("\n".join(result.report.lines()), r"two different programs are called ping\.elf")

    def test_a_program_may_not_be_called_like_a_payload_entry(self):
        self.ws.write("bootspec", h.fake_elf())
        result = self.check("./bootspec")
        self.assertRegex("\n".join(result.report.lines()), r"cannot be a payload entry name")

    def test_all_system_problems_are_reported_together(self):
        path = self.ws.manifest(ONE_CELL.format(program="nothere", heap="300M") +
                                '  [[cell.map]]\n  name = "x"\n  vaddr = 0x1000\n  size = "4K"\n')
        result = analysis.analyse(path, [self.ws.programs])
        self.assertEqual(len(result.report), 3, result.report.lines())


class MemoryTest(unittest.TestCase):
    def test_page_tables(self):
        self.assertEqual(memory.page_tables([Area(0x200000, 0x201000, "a", "r", "")]), 2)
        # Two 4K areas in one 2 MiB block share an L3 table; a third in another GiB adds an L2 and an L3.
        areas = [Area(0x200000, 0x201000, "a", "r", ""), Area(0x3ff000, 0x400000, "b", "r", ""),
                 Area(0x40000000, 0x40001000, "c", "r", "")]
        self.assertEqual(memory.page_tables(areas), 4)
        # 2 MiB pages need no L3 table.
        self.assertEqual(memory.page_tables([Area(0x80000000, 0x80400000, "d", "rw", "", layout.PAGE_2M)]), 1)

    def test_a_minimal_cell_costs_what_objects_h_says(self):
        ws = h.Workspace()
        try:
            path = ws.manifest(ONE_CELL.format(program="ping", heap="0"))
            result = analysis.analyse(path, [ws.programs])
            cell = result.system.cells[0]
            frames = 0x2000 + 0x1000 + 0x1000 + 0x4000           # program, info page, IPC buffer, stack
            tables = 2 + 2                                        # one L2 per GiB touched, one L3 per 2 MiB
            objects = (1 << layout.TCB_SIZE_BITS) + (16 << layout.CNODE_SLOT_SIZE_BITS) \
                + (1 << layout.VSPACE_SIZE_BITS) + tables * (1 << layout.PAGE_TABLE_SIZE_BITS)
            self.assertEqual(dict(result.estimate.items)["cell ping"], frames + objects)
            self.assertEqual(result.estimate.available, (1 << 30) - (2 << 20))
            self.assertEqual(memory.cell_objects(cell, result.programs[cell], result.plans[cell]), frames + objects)
        finally:
            ws.cleanup()

    def test_amounts(self):
        self.assertEqual(memory.amount(512), "512 bytes")
        self.assertEqual(memory.amount(1536), "1.5 KiB")
        self.assertEqual(memory.human(2 << 20), "2M")
        self.assertEqual(memory.human(6144), "6K")
        self.assertEqual(memory.human(5000), "5000")


class BoardTest(unittest.TestCase):
    def test_device_interrupts_come_from_the_tree(self):
        b = board.load(board.DEFAULT_PLATFORMS, "qemu-virt-aarch64")
        self.assertEqual(b.irqs[34].device, "pl031")
        self.assertFalse(b.irqs[34].edge)
        self.assertTrue(b.irqs[48].edge)                      # virtio-mmio: edge rising
        self.assertIn(33, b.irqs)                             # the console server may take the UART
        self.assertIn(26, b.kernel_irqs)
        self.assertTrue(all(n >= 32 for n in b.irqs))         # SPIs only


if __name__ == "__main__":
    unittest.main()
