"""A board description: platforms/<board>/platform.toml plus its device tree.

The kernel never names a board; it includes the header written from this
description. Every error names the file and the entry at fault.
"""

import os
import tomllib
from dataclasses import dataclass, field

from . import fdt

PAGE = 0x1000
SUPPORTED_ARCHES = {"aarch64"}
DRIVERS = {"console": {"pl011"}, "interrupt_controller": {"gicv3"}}


class PlatformError(Exception):
    pass


@dataclass
class Region:
    base: int
    size: int
    name: str

    @property
    def end(self):
        return self.base + self.size


@dataclass
class Platform:
    name: str
    arch: str
    folder: str
    kernel_load_address: int
    ram: list
    console: Region
    console_irq: int
    console_driver: str
    gic_driver: str
    gicd: Region
    gicr: Region
    timer_hyp_irq: int
    timer_virt_irq: int
    timer_phys_irq: int
    devices: list
    qemu: dict = field(default_factory=dict)
    pci_devices: list = field(default_factory=list)


@dataclass
class PciDevice:
    """A device on bus 0 of the board's PCI host bridge, at a fixed slot (platform.toml [[pci_device]])."""
    name: str
    qemu: str                  # QEMU's -device argument, without the address
    slot: int
    config: int                # the physical address of its configuration space (4 KiB in the ECAM)
    irq: int                   # the GIC interrupt ID its INTA line raises

    def qemu_device(self):
        return f"{self.qemu},addr={self.slot:#x}"


def gic_intid(cells, where):
    """Turns a GIC (type, number, flags) triple into an interrupt ID."""
    kind, number = cells[0], cells[1]
    if kind == 0:
        return number + 32
    if kind == 1:
        return number + 16
    raise PlatformError(f"{where}: interrupt type {kind} is neither SPI (0) nor PPI (1)")


def page_round(region):
    base = region.base & ~(PAGE - 1)
    end = (region.end + PAGE - 1) & ~(PAGE - 1)
    return Region(base, end - base, region.name)


def merge_regions(regions):
    """Sorts regions and merges the ones that overlap or touch."""
    merged = []
    for region in sorted(regions, key=lambda r: r.base):
        if merged and region.base <= merged[-1].end:
            last = merged[-1]
            last.size = max(last.end, region.end) - last.base
            if region.name not in last.name.split("+"):
                last.name = last.name + "+" + region.name
        else:
            merged.append(Region(region.base, region.size, region.name))
    return merged


def overlaps(a, b):
    return a.base < b.end and b.base < a.end


class _Loader:
    def __init__(self, toml_path):
        self.path = toml_path
        self.folder = os.path.dirname(os.path.abspath(toml_path))
        try:
            with open(toml_path, "rb") as f:
                self.doc = tomllib.load(f)
        except OSError as e:
            raise PlatformError(f"{toml_path}: cannot read: {e.strerror}") from None
        except tomllib.TOMLDecodeError as e:
            raise PlatformError(f"{toml_path}: {e}") from None

    def fail(self, entry, message):
        raise PlatformError(f"{self.path}: {entry}: {message}")

    def get(self, table, key, kind):
        section = self.doc if table is None else self.doc.get(table)
        entry = key if table is None else f"{table}.{key}"
        if not isinstance(section, dict) or key not in section:
            self.fail(entry, "missing")
        value = section[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            self.fail(entry, f"must be a {kind.__name__}")
        return value

    def node(self, tree, table):
        path = self.get(table, "node", str)
        node = tree.find(path)
        if node is None:
            self.fail(f"{table}.node", f"no node '{path}' in the device tree")
        if not node.reg() and table != "timer":
            self.fail(f"{table}.node", f"node '{path}' has no reg")
        return node

    def driver(self, table):
        name = self.get(table, "driver", str)
        if name not in DRIVERS[table]:
            self.fail(f"{table}.driver", f"unknown driver '{name}' (known: {', '.join(sorted(DRIVERS[table]))})")
        return name

    def irq_list(self, node, entry):
        cells = node.cells("interrupts")
        if not cells or len(cells) % 3:
            self.fail(entry, f"node '{node.path}' has no GIC-style interrupts")
        return [gic_intid(cells[i:i + 3], f"{self.path}: {entry}") for i in range(0, len(cells), 3)]


PCI_SLOTS = 32
ECAM_SLOT_SHIFT = 15             # bus << 20 | slot << 15 | function << 12


def pci_host(tree):
    return next((n for n in tree.walk() if n.string("compatible") == "pci-host-ecam-generic"), None)


def pci_intx_irq(tree, host, slot, where):
    """The GIC interrupt the slot's INTA reaches, from the host's interrupt-map (PCI address, pin)."""
    mask = host.cells("interrupt-map-mask")
    table = host.cells("interrupt-map")
    if len(mask) != 4 or not table:
        raise PlatformError(f"{where}: the PCI host {host.path} has no usable interrupt-map")
    # Each entry: child address (3 cells), pin (1), the parent's phandle (1), the parent's address
    # (its #address-cells) and interrupt (its #interrupt-cells: type, number, flags for a GIC).
    i = 0
    while i + 5 <= len(table):
        address, pin, phandle = table[i], table[i + 3], table[i + 4]
        parent = next((n for n in tree.walk() if n.cells("phandle") == [phandle]), None)
        if parent is None:
            break
        start = i + 5 + (parent.cells("#address-cells") or [0])[0]
        end = start + (parent.cells("#interrupt-cells") or [3])[0]
        if address == (slot << 11) & mask[0] and pin == 1 & mask[3]:
            return gic_intid(table[start:end], where)
        i = end
    raise PlatformError(f"{where}: the interrupt-map of {host.path} does not route slot {slot}'s INTA")


def load_pci_devices(ld, tree):
    raw = ld.doc.get("pci_device", [])
    if not isinstance(raw, list) or not all(isinstance(d, dict) for d in raw):
        ld.fail("pci_device", "must be an array of tables ([[pci_device]])")
    if not raw:
        return []
    host = pci_host(tree)
    if host is None:
        ld.fail("pci_device", "the device tree has no PCI host bridge (pci-host-ecam-generic)")
    ecam = host.reg()[0][0]
    devices, slots = [], {}
    for i, d in enumerate(raw):
        where = f"pci_device #{i + 1}"
        for key, kind in (("name", str), ("qemu", str), ("slot", int)):
            if not isinstance(d.get(key), kind) or isinstance(d.get(key), bool):
                ld.fail(f"{where}.{key}", f"missing, or not a {kind.__name__}")
        unknown = set(d) - {"name", "qemu", "slot"}
        if unknown:
            ld.fail(f"{where}", f"unknown keys: {', '.join(sorted(unknown))}")
        slot = d["slot"]
        if not 1 <= slot < PCI_SLOTS:
            ld.fail(f"{where}.slot", f"{slot} is out of range (1 to {PCI_SLOTS - 1}; 0 is the host bridge)")
        if slot in slots:
            ld.fail(f"{where}.slot", f"slot {slot} is already {slots[slot]}'s")
        slots[slot] = d["name"]
        devices.append(PciDevice(d["name"], d["qemu"], slot, ecam + (slot << ECAM_SLOT_SHIFT),
                                 pci_intx_irq(tree, host, slot, f"{ld.path}: {where}")))
    return devices


def load(toml_path, dtc="dtc"):
    ld = _Loader(toml_path)
    name = ld.get(None, "name", str)
    if name != os.path.basename(ld.folder):
        ld.fail("name", f"'{name}' differs from the folder name '{os.path.basename(ld.folder)}'")
    arch = ld.get(None, "arch", str)
    if arch not in SUPPORTED_ARCHES:
        ld.fail("arch", f"unsupported architecture '{arch}'")
    dts = os.path.join(ld.folder, ld.get(None, "device_tree", str))
    try:
        tree = fdt.compile_dts(dts, dtc)
    except fdt.FdtError as e:
        raise PlatformError(f"{ld.path}: device_tree: {e}") from None

    ram = [Region(b, s, n.name) for n in tree.walk()
           if n.string("device_type") == "memory" for b, s in n.reg()]
    if not ram:
        ld.fail("device_tree", "no memory node")
    kernel = ld.get(None, "kernel_load_address", int)
    if kernel % 0x200000:
        ld.fail("kernel_load_address", f"{kernel:#x} is not 2 MiB aligned")
    if not any(r.base <= kernel < r.end for r in ram):
        ld.fail("kernel_load_address", f"{kernel:#x} is outside RAM")

    console_node = ld.node(tree, "console")
    gic_node = ld.node(tree, "interrupt_controller")
    gic_regs = gic_node.reg()
    if len(gic_regs) < 2:
        ld.fail("interrupt_controller.node", "a GICv3 needs distributor and redistributor regs")
    timer_irqs = ld.irq_list(ld.node(tree, "timer"), "timer.node")
    hyp_index = ld.get("timer", "hypervisor_irq_index", int)
    virt_index = ld.get("timer", "virtual_irq_index", int)
    phys_index = ld.get("timer", "physical_irq_index", int)
    for key, index in (("hypervisor_irq_index", hyp_index), ("virtual_irq_index", virt_index),
                       ("physical_irq_index", phys_index)):
        if not 0 <= index < len(timer_irqs):
            ld.fail(f"timer.{key}", f"{index} is out of range (the timer has {len(timer_irqs)} interrupts)")

    kernel_owned = {n.path for n in gic_node.walk()}
    devices = [page_round(Region(b, s, n.name.split("@")[0])) for n in tree.walk()
               if n.path not in kernel_owned and n.string("device_type") != "memory"
               and n.parent is tree for b, s in n.reg()]
    devices = merge_regions(devices)
    for d in devices:
        for r in ram:
            if overlaps(d, r):
                ld.fail("device_tree", f"device {d.name} overlaps RAM")

    qemu = ld.doc.get("qemu", {})
    for key in ("binary", "machine", "cpu", "memory"):
        ld.get("qemu", key, str)
    if not isinstance(qemu.get("default_devices", False), bool):
        ld.fail("qemu.default_devices", "must be true or false")

    return Platform(
        name=name, arch=arch, folder=ld.folder, kernel_load_address=kernel, ram=ram,
        console=Region(*console_node.reg()[0], console_node.name),
        console_irq=ld.irq_list(console_node, "console.node")[0],
        console_driver=ld.driver("console"), gic_driver=ld.driver("interrupt_controller"),
        gicd=Region(*gic_regs[0], "gicd"), gicr=Region(*gic_regs[1], "gicr"),
        timer_hyp_irq=timer_irqs[hyp_index], timer_virt_irq=timer_irqs[virt_index],
        timer_phys_irq=timer_irqs[phys_index],
        devices=devices, qemu=qemu, pci_devices=load_pci_devices(ld, tree))


def qemu_command(p):
    q = p.qemu
    cmd = [q["binary"], "-M", q["machine"], "-cpu", q["cpu"], "-m", q["memory"],
           "-smp", str(q.get("smp", 1))]
    if not q.get("default_devices", False):
        cmd.append("-nodefaults")
    return cmd


def qemu_device_args(p):
    """The board's PCI devices (the screen and the keys): one -device each."""
    return [arg for d in p.pci_devices for arg in ("-device", d.qemu_device())]
