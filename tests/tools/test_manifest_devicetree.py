"""A persona's device tree: compiled with dtc and read back, it describes what the VMM emulates."""

import shutil
import unittest
from types import SimpleNamespace

from cellatools import fdt, layout as L
from cellatools.manifest import devicetree


def persona(**overrides):
    fields = dict(name="work", bootargs="console=ttyAMA0 quiet", memory=256 << 20, maps=[], disk=None,
                  vcpus=1)
    fields.update(overrides)
    return SimpleNamespace(**fields)


@unittest.skipUnless(shutil.which("dtc"), "dtc is not installed")
class PersonaDeviceTreeTest(unittest.TestCase):
    def tree(self, p, initrd_size=0, channels=()):
        return fdt.parse(devicetree.compile_dts(devicetree.persona_dts(p, initrd_size, channels)))

    def test_memory_and_bootargs(self):
        root = self.tree(persona(), initrd_size=4096)
        self.assertEqual(root.find(f"/memory@{L.PERSONA_RAM_BASE:x}").reg(),
                         [(L.PERSONA_RAM_BASE, 256 << 20)])
        chosen = root.find("/chosen")
        self.assertEqual(chosen.string("bootargs"), "console=ttyAMA0 quiet")
        start = L.PERSONA_RAM_BASE + L.PERSONA_INITRD_OFFSET
        self.assertEqual(chosen.cells("linux,initrd-end"), [0, start + 4096])

    def test_channels_are_listed_for_init(self):
        root = self.tree(persona(), channels=[("work_auth", "auth"), ("work_wallet", "wallet")])
        self.assertEqual(root.find("/chosen").strings("cella,channels"),
                         ["work_auth:auth", "work_wallet:wallet"])

    def test_no_channels_no_property(self):
        self.assertEqual(self.tree(persona()).find("/chosen").strings("cella,channels"), [])

    def test_the_channel_device_is_the_first_virtio_slot(self):
        root = self.tree(persona())
        node = root.find(f"/virtio_mmio@{L.PERSONA_VIRTIO_BASE:x}")
        self.assertEqual(node.reg(), [(L.PERSONA_VIRTIO_BASE, L.PERSONA_VIRTIO_SIZE)])
        self.assertEqual(node.cells("interrupts"), [0, L.PERSONA_VIRTIO_SPI, 1])
        block = L.PERSONA_VIRTIO_BASE + L.PERSONA_VIRTIO_BLOCK * L.PERSONA_VIRTIO_SIZE
        self.assertIsNone(root.find(f"/virtio_mmio@{block:x}"), "no disk, no block device")

    def test_shared_regions_are_described(self):
        notes = SimpleNamespace(name="notes", vaddr=0x70000000, size=0x1000, rights="r")
        node = self.tree(persona(maps=[notes])).find("/cella-shared@70000000")
        self.assertEqual(node.reg(), [(0x70000000, 0x1000)])
        self.assertEqual(node.string("label"), "notes")
        self.assertEqual(node.string("cella,rights"), "r")

    def test_a_screen_is_a_simple_framebuffer(self):
        fb_map = SimpleNamespace(name="framebuffer", vaddr=L.PERSONA_FB_BASE, size=2 << 20, rights="rw")
        display = SimpleNamespace(width=800, height=480, stride=3200, format="x8r8g8b8", persona_map=fb_map)
        root = self.tree(persona(maps=[fb_map], display=display))
        node = root.find(f"/framebuffer@{L.PERSONA_FB_BASE:x}")
        self.assertEqual(node.strings("compatible"), ["simple-framebuffer"])
        self.assertEqual(node.reg(), [(L.PERSONA_FB_BASE, 3200 * 480)])
        self.assertEqual((node.cells("width"), node.cells("height"), node.cells("stride")), ([800], [480], [3200]))
        self.assertEqual(node.string("format"), "x8r8g8b8")
        self.assertIsNone(root.find(f"/cella-shared@{L.PERSONA_FB_BASE:x}"), "described once, as a framebuffer")

    def test_one_cpu_node_per_virtual_cpu(self):
        cpus = self.tree(persona(vcpus=3)).find("/cpus")
        nodes = [n for n in cpus.walk() if n.name.startswith("cpu@")]
        self.assertEqual([n.cells("reg") for n in nodes], [[0], [1], [2]])
        self.assertEqual({n.string("enable-method") for n in nodes}, {"psci"})

    def test_a_disk_adds_the_block_device(self):
        root = self.tree(persona(disk=SimpleNamespace(name="d", size=1 << 20)))
        block = L.PERSONA_VIRTIO_BASE + L.PERSONA_VIRTIO_BLOCK * L.PERSONA_VIRTIO_SIZE
        self.assertEqual(root.find(f"/virtio_mmio@{block:x}").cells("interrupts"),
                         [0, L.PERSONA_VIRTIO_SPI + L.PERSONA_VIRTIO_BLOCK, 1])

    def test_a_keyboard_adds_the_input_device(self):
        keyboard = L.PERSONA_VIRTIO_BASE + L.PERSONA_VIRTIO_KEYBOARD * L.PERSONA_VIRTIO_SIZE
        self.assertIsNone(self.tree(persona()).find(f"/virtio_mmio@{keyboard:x}"), "no keyboard key, no device")
        root = self.tree(persona(keyboard=SimpleNamespace(name="input")))
        self.assertEqual(root.find(f"/virtio_mmio@{keyboard:x}").cells("interrupts"),
                         [0, L.PERSONA_VIRTIO_SPI + L.PERSONA_VIRTIO_KEYBOARD, 1])

    def test_quotes_in_bootargs_cannot_break_the_tree(self):
        for text in ('a="b c"', 'ends with \\', '\\"'):
            root = self.tree(persona(bootargs=text))
            self.assertEqual(root.find("/chosen").string("bootargs"), text)


if __name__ == "__main__":
    unittest.main()
