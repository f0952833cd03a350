"""A Linux persona's device tree: what its VMM emulates, where its RAM and images are.

Written as DTS from the persona's description and compiled with dtc, so the
tree Linux gets is exactly the one the VMM and the initializer agree on
(libsel4-like/include/abi/persona_layout.h, mirrored in layout.py).
"""

import subprocess

from .. import layout as L

ARM64_IMAGE_MAGIC = b"ARM\x64"


class DeviceTreeError(Exception):
    pass


def cells64(value):
    return f"{value >> 32:#x} {value & 0xffffffff:#x}"


def persona_dts(persona, initrd_size, channels=()):
    """channels: (channel, server) for each call channel the persona is the client of."""
    start = L.PERSONA_RAM_BASE + L.PERSONA_INITRD_OFFSET
    bootargs = persona.bootargs.replace("\\", "\\\\").replace('"', '\\"')
    ports = ", ".join(f'"{name}:{server}"' for name, server in channels)
    # The guest's init names the channel device's ports after these (abi/channel_device.h).
    channel_list = f"        cella,channels = {ports};\n" if ports else ""
    initrd = (f"        linux,initrd-start = <{cells64(start)}>;\n"
              f"        linux,initrd-end = <{cells64(start + initrd_size)}>;\n") if initrd_size else ""
    return f"""/dts-v1/;

/ {{
    #address-cells = <2>;
    #size-cells = <2>;
    compatible = "linux,dummy-virt";
    model = "Cella persona {persona.name}";
    interrupt-parent = <&gic>;

    chosen {{
        bootargs = "{bootargs}";
        stdout-path = "/pl011@{L.PERSONA_UART_BASE:x}";
{initrd}{channel_list}    }};

    memory@{L.PERSONA_RAM_BASE:x} {{
        device_type = "memory";
        reg = <{cells64(L.PERSONA_RAM_BASE)} {cells64(persona.memory)}>;
    }};

    cpus {{
        #address-cells = <1>;
        #size-cells = <0>;
{cpu_nodes(persona)}    }};

    psci {{
        compatible = "arm,psci-1.0", "arm,psci-0.2";
        method = "hvc";
    }};

    timer {{
        compatible = "arm,armv8-timer";
        interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>;
        always-on;
    }};

    gic: interrupt-controller@{L.PERSONA_GICD_BASE:x} {{
        compatible = "arm,gic-v3";
        #interrupt-cells = <3>;
        interrupt-controller;
        #redistributor-regions = <1>;
        reg = <{cells64(L.PERSONA_GICD_BASE)} {cells64(L.PERSONA_GICD_SIZE)}>,
              <{cells64(L.PERSONA_GICR_BASE)} {cells64(L.PERSONA_GICR_SIZE)}>;
    }};

    apb_pclk: clock {{
        compatible = "fixed-clock";
        #clock-cells = <0>;
        clock-frequency = <24000000>;
        clock-output-names = "clk24mhz";
    }};

    pl011@{L.PERSONA_UART_BASE:x} {{
        compatible = "arm,pl011", "arm,primecell";
        reg = <{cells64(L.PERSONA_UART_BASE)} {cells64(L.PERSONA_UART_SIZE)}>;
        interrupts = <0 {L.PERSONA_UART_SPI} 4>;
        clocks = <&apb_pclk>, <&apb_pclk>;
        clock-names = "uartclk", "apb_pclk";
    }};

{virtio_nodes(persona)}{shared_memory_nodes(persona)}{framebuffer_node(persona)}}};
"""


def framebuffer_node(persona):
    """The persona's screen as a simple-framebuffer (Linux's simplefb driver, then fbcon, draw on it)."""
    d = getattr(persona, "display", None)
    if d is None or d.persona_map is None:
        return ""
    m = d.persona_map
    return (f"    framebuffer@{m.vaddr:x} {{\n"
            f"        compatible = \"simple-framebuffer\";\n"
            f"        reg = <{cells64(m.vaddr)} {cells64(d.stride * d.height)}>;\n"
            f"        width = <{d.width}>;\n"
            f"        height = <{d.height}>;\n"
            f"        stride = <{d.stride}>;\n"
            f"        format = \"{d.format}\";\n"
            f"    }};\n")


def shared_memory_nodes(persona):
    """The persona's shared regions, so guest software can find them by name (/proc/device-tree)."""
    nodes = []
    display = getattr(persona, "display", None)
    for m in persona.maps:
        if display is not None and m is display.persona_map:
            continue                      # its own node: framebuffer_node
        nodes.append(f"    cella-shared@{m.vaddr:x} {{\n"
                     f"        compatible = \"cella,shared-memory\";\n"
                     f"        reg = <{cells64(m.vaddr)} {cells64(m.size)}>;\n"
                     f"        label = \"{m.name}\";\n"
                     f"        cella,rights = \"{m.rights}\";\n"
                     f"    }};\n")
    return "".join(nodes)


def cpu_nodes(persona):
    """One per virtual CPU: MPIDR affinity 0 is the CPU's number, as the VMM sets it."""
    return "".join(f"        cpu@{n} {{\n"
                   f"            device_type = \"cpu\";\n"
                   f"            compatible = \"arm,cortex-a53\";\n"
                   f"            reg = <{n}>;\n"
                   f"            enable-method = \"psci\";\n"
                   f"        }};\n" for n in range(getattr(persona, "vcpus", 1)))


def virtio_node(slot):
    base = L.PERSONA_VIRTIO_BASE + slot * L.PERSONA_VIRTIO_SIZE
    return (f"    virtio_mmio@{base:x} {{\n"
            f"        compatible = \"virtio,mmio\";\n"
            f"        reg = <{cells64(base)} {cells64(L.PERSONA_VIRTIO_SIZE)}>;\n"
            f"        interrupts = <0 {L.PERSONA_VIRTIO_SPI + slot} 1>;\n"
            f"        dma-coherent;\n"
            f"    }};\n")


def virtio_nodes(persona):
    """The channel device always; the disk and the keyboard when the persona has them."""
    slots = [L.PERSONA_VIRTIO_CONSOLE]
    if getattr(persona, "disk", None):
        slots.append(L.PERSONA_VIRTIO_BLOCK)
    if getattr(persona, "keyboard", None):
        slots.append(L.PERSONA_VIRTIO_KEYBOARD)
    return "".join(virtio_node(slot) for slot in slots)


def compile_dts(text, dtc="dtc"):
    try:
        result = subprocess.run([dtc, "-q", "-I", "dts", "-O", "dtb", "-"], input=text.encode(),
                                capture_output=True, check=False)
    except FileNotFoundError:
        raise DeviceTreeError("dtc not found: install the device-tree-compiler package") from None
    if result.returncode != 0:
        raise DeviceTreeError(f"dtc failed on a persona's device tree: {result.stderr.decode().strip()}")
    if len(result.stdout) > L.PERSONA_DTB_MAX:
        raise DeviceTreeError(f"a persona's device tree is {len(result.stdout)} bytes, more than "
                              f"{L.PERSONA_DTB_MAX}")
    return result.stdout
