"""The platform a manifest names: cellatools.platform's description plus the
interrupts each device raises, which the manifest's IRQs are checked against."""

import functools
import os
import tomllib
from dataclasses import dataclass

from .. import fdt
from .. import platform as plat

TOOLS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_PLATFORMS = os.path.join(os.path.dirname(TOOLS), "platforms")
GIC_EDGE_FLAGS = (1, 2)        # the third GIC interrupt cell: 1, 2 edge; 4, 8 level


@dataclass
class DeviceIrq:
    number: int
    device: str
    edge: bool


@dataclass
class Board:
    platform: plat.Platform
    irqs: dict                 # interrupt ID -> DeviceIrq, for every device user level may drive
    kernel_irqs: dict          # interrupt ID -> what the kernel uses it for

    @property
    def ram_size(self):
        return sum(r.size for r in self.platform.ram)


class BoardError(Exception):
    pass


def platform_toml(platforms_dir, name):
    return os.path.join(platforms_dir, name, "platform.toml")


@functools.lru_cache(maxsize=8)
def load(platforms_dir, name):
    """Loads platforms_dir/name; raises BoardError. Cached: tests load the same board often."""
    path = platform_toml(platforms_dir, name)
    if not os.path.isfile(path):
        folders = os.listdir(platforms_dir) if os.path.isdir(platforms_dir) else []
        known = sorted(d for d in folders if os.path.isfile(platform_toml(platforms_dir, d)))
        raise BoardError(f"no platform '{name}' in {platforms_dir} (known: {', '.join(known) or 'none'})")
    try:
        p = plat.load(path)
        irqs = device_irqs(path)
    except (plat.PlatformError, fdt.FdtError) as e:
        raise BoardError(str(e)) from None
    # A PCI device's INTA (level-triggered, as INTx is); slots apart by four share a line.
    for d in p.pci_devices:
        irqs.setdefault(d.irq, DeviceIrq(d.irq, f"pci slot {d.slot} ({d.name})", False))
    kernel = {p.timer_hyp_irq: "the kernel's timer", p.timer_virt_irq: "the guests' virtual timer",
              p.timer_phys_irq: "the kernel's guest wake-up timer"}
    return Board(p, {n: i for n, i in irqs.items() if n not in kernel}, kernel)


def device_irqs(platform_path):
    """Every SPI that a device node of the tree raises at the platform's GIC."""
    with open(platform_path, "rb") as fh:
        desc = tomllib.load(fh)
    folder = os.path.dirname(platform_path)
    tree = fdt.compile_dts(os.path.join(folder, desc["device_tree"]))
    gic = tree.find(desc["interrupt_controller"]["node"])
    gic_phandle = (gic.cells("phandle") or [None])[0]
    irqs = {}
    for node in tree.walk():
        cells = node.cells("interrupts")
        if not cells or len(cells) % 3 or interrupt_parent(node) != gic_phandle:
            continue
        for i in range(0, len(cells), 3):
            kind, number, flags = cells[i:i + 3]
            if kind == 0:                    # SPIs only: PPIs belong to CPUs, not devices
                irqs[number + 32] = DeviceIrq(number + 32, node.name.split("@")[0], flags in GIC_EDGE_FLAGS)
    return irqs


def interrupt_parent(node):
    while node is not None:
        parent = node.cells("interrupt-parent")
        if parent:
            return parent[0]
        node = node.parent
    return None
