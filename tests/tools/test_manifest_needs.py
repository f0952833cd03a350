"""What a program needs (its .cella.ends and .cella.maps records) against what the manifest gives
its cell; the headers `cella-manifest headers` writes; and the memory checks around them."""

import os
import re
import unittest

from cellatools import elf
from cellatools.manifest import analysis, needs

import test_manifest_helpers as h

KEEPER = """
    [system]
    name = "keep"
    platform = "qemu-virt-aarch64"

    [[cell]]
    name = "keeper"
    program = "keeper"

      [[cell.map]]
      name = "keystore"
      vaddr = 0x5000_0000
      size = "8K"

    [[cell]]
    name = "storage"
    program = "ping"

    [[channel]]
    name = "keeper_storage"
    kind = "call"
    client = "keeper"
    server = "storage"

    [[channel]]
    name = "keeper_tick"
    kind = "notify"
    from = "storage"
    to = "keeper"
"""


class ReadTest(unittest.TestCase):
    def read(self, data):
        return needs.read(elf.Elf(data, "p.elf"))

    def test_a_program_without_declarations_needs_nothing(self):
        self.assertEqual(self.read(h.fake_elf()), needs.Needs())

    def test_records_are_read(self):
        n = self.read(h.needy_elf(ends=[("a", "calls"), ("b", "irq", True)],
                                  maps=[("m", "device", "rw", 4096)]))
        self.assertEqual(n.ends, [needs.EndNeed("a", "call-client", False), needs.EndNeed("b", "irq", True)])
        self.assertEqual(n.maps, [needs.MapNeed("m", "device", False, "rw", 4096)])

    def test_one_need_declared_in_two_files_is_one_need_required_if_either_is(self):
        n = self.read(h.needy_elf(ends=[("a", "calls", True), ("a", "calls")]))
        self.assertEqual(n.ends, [needs.EndNeed("a", "call-client", False)])

    def test_one_name_declared_as_two_kinds_is_refused(self):
        with self.assertRaisesRegex(needs.NeedsError, "'a' both as a call channel it calls and as an IRQ"):
            self.read(h.needy_elf(ends=[("a", "calls"), ("a", "irq")]))

    def test_a_name_no_manifest_can_give_is_refused(self):
        with self.assertRaisesRegex(needs.NeedsError, "'Wallet', which no manifest can name"):
            self.read(h.needy_elf(ends=[("Wallet", "calls")]))

    def test_rights_without_r_are_refused(self):
        with self.assertRaisesRegex(needs.NeedsError, "rights 'w'"):
            self.read(h.needy_elf(maps=[("m", "private", "w", 4096)]))


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.ws = h.Workspace()

    def tearDown(self):
        self.ws.cleanup()

    def check(self, text):
        return h.run_cli("check", self.ws.manifest(text), "--program-dir", self.ws.programs)

    def test_a_manifest_that_gives_everything_passes(self):
        status, _, err = self.check(KEEPER)
        self.assertEqual((status, err), (0, ""))

    def test_every_missing_need_is_reported_with_cell_end_and_program(self):
        text = KEEPER.replace('name = "keeper_tick"', 'name = "tick"').replace('name = "keystore"', 'name = "keys"')
        status, _, err = self.check(text)
        self.assertEqual(status, 1)
        self.assertIn("cell[keeper]: its program keeper.elf waits on channel 'keeper_tick', which the manifest "
                      "does not give cell keeper", err)
        self.assertIn("needs a private map 'keystore' (rights rw, at least 8.0 KiB)", err)
        self.assertIn("2 problems", err)

    def test_optional_needs_may_be_left_out(self):
        self.assertNotIn("keeper_irq", self.check(KEEPER)[2])

    def test_the_same_program_in_two_cells_is_checked_in_each(self):
        text = KEEPER + '\n[[cell]]\nname = "second"\nprogram = "keeper"\n'
        _, _, err = self.check(text)
        self.assertIn("cell[second]: its program keeper.elf calls channel 'keeper_storage'", err)
        self.assertNotIn("cell[keeper]:", err)


class HeadersTest(unittest.TestCase):
    """`headers` declares what the manifest gives each cell; a program built from that header
    needs exactly that, so check passes for it and fails for a manifest that gives less."""

    def setUp(self):
        self.ws = h.Workspace()
        self.manifest = self.ws.manifest(h.PING_PONG)
        self.out = self.ws.path("headers")

    def tearDown(self):
        self.ws.cleanup()

    def headers(self, *args):
        return h.run_cli("headers", self.manifest, "-o", self.out, *args)

    def text(self, cell):
        with open(os.path.join(self.out, f"{cell}.cell.h")) as f:
            return f.read()

    def test_each_end_and_map_is_declared_with_a_handle(self):
        status, out, err = self.headers()
        self.assertEqual((status, err), (0, ""))
        pong = self.text("pong")
        self.assertIn('CELL_SERVES(CH_HELLO, "hello"); /* called by cell ping, badge 1 */', pong)
        self.assertIn('CELL_SIGNALS(CH_DONE, "done"); /* signals cell ping */', pong)
        self.assertIn('CELL_IRQ(IRQ_GPIO_IRQ, "gpio_irq"); /* IRQ 39, notification bit 0 */', pong)
        self.assertIn('CELL_MAP(MAP_SHARED, "shared", CELL_MAP_SHARED, "r", 0x2000);', pong)
        self.assertIn('CELL_MAP(MAP_GPIO, "gpio", CELL_MAP_DEVICE, "rw", 0x1000);', pong)
        self.assertIn('CELL_WAITS(CH_DONE, "done");', self.text("ping"))
        self.assertIn("#include <cell.h>", pong)

    def program_from_header(self, cell):
        """The records a program that includes the header has, as the compiler would write them."""
        kinds = {"CELL_CALLS": "calls", "CELL_SERVES": "serves", "CELL_SIGNALS": "signals",
                 "CELL_WAITS": "waits", "CELL_IRQ": "irq"}
        text = self.text(cell)
        ends = [(name, kinds[macro]) for macro, name in re.findall(r'(CELL_\w+)\(\w+, "(\w+)"\);', text)]
        maps = [(name, backing.lower(), rights, int(size, 16)) for name, backing, rights, size in
                re.findall(r'CELL_MAP\(\w+, "(\w+)", CELL_MAP_(\w+), "(\w+)", (0x[0-9a-f]+)\)', text)]
        return h.needy_elf(ends=ends, maps=maps)

    def test_a_program_built_from_its_header_passes_and_needs_all_of_it(self):
        self.headers()
        self.ws.write("programs/pong.elf", self.program_from_header("pong"))
        self.assertEqual(h.run_cli("check", self.manifest, "--program-dir", self.ws.programs)[0], 0)
        smaller = self.ws.manifest(h.PING_PONG.replace("irq = 39", "irq = 39\n      name = \"x\"")
                                   .replace('name = "gpio_irq"\n', ""), "smaller.toml")
        status, _, err = h.run_cli("check", smaller, "--program-dir", self.ws.programs)
        self.assertEqual(status, 1)
        self.assertIn("handles IRQ 'gpio_irq', which the manifest does not give cell pong", err)

    def test_one_cell_only_and_unchanged_headers_are_left_alone(self):
        self.assertEqual(self.headers("--cell", "ping")[0], 0)
        self.assertEqual(os.listdir(self.out), ["ping.cell.h"])
        path = os.path.join(self.out, "ping.cell.h")
        os.utime(path, (1, 1))
        _, out, _ = self.headers("--cell", "ping")
        self.assertEqual((out, os.stat(path).st_mtime), ("", 1))

    def test_an_unknown_cell_is_named(self):
        status, _, err = self.headers("--cell", "pnog")
        self.assertEqual(status, 1)
        self.assertIn("no cell named 'pnog' (did you mean 'pong'?)", err)


PERSONA = """
    [system]
    name = "big"
    platform = "qemu-virt-aarch64"

    [[cell]]
    name = "ping"
    program = "ping"

    [[persona]]
    name = "work"
    kind = "linux"
    kernel = "Big"
    initramfs = "big.cpio"
    memory = "{memory}"
"""


class MemoryTest(unittest.TestCase):
    """check's estimate of the boot image counts the guests' files, as build does."""

    def setUp(self):
        self.ws = h.Workspace()
        self.ws.write("programs/Big", h.fake_linux_image(40 << 20))
        self.ws.write("programs/big.cpio", b"0" * (20 << 20))

    def tearDown(self):
        self.ws.cleanup()

    def estimate(self, memory):
        result = analysis.analyse(self.ws.manifest(PERSONA.format(memory=memory)), [self.ws.programs])
        return result, dict(result.estimate.items)["boot image (kernel and payload)"]

    def test_the_guests_files_are_in_the_boot_image(self):
        _, image = self.estimate("256M")
        self.assertGreaterEqual(image, 60 << 20)

    def test_check_refuses_what_build_would(self):
        result, _ = self.estimate("980M")       # fits without its 60 MiB of guest files, not with them
        self.assertFalse(result.ok)
        self.assertRegex(result.report.lines()[0], r":\d+: persona\[work\]\.memory: the system needs about")
        image = self.ws.path("out.elf")
        status, _, err = h.run_cli("build", self.ws.manifest(PERSONA.format(memory="980M")), "--program-dir",
                                   self.ws.programs, "--kernel", self.ws.kernel, "--initializer",
                                   self.ws.initializer, "-o", image)
        self.assertEqual(status, 1)
        self.assertIn("the system needs about", err)


if __name__ == "__main__":
    unittest.main()
