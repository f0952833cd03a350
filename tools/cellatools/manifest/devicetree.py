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


def persona_dts(persona, initrd_size):
    start = L.PERSONA_RAM_BASE + L.PERSONA_INITRD_OFFSET
    bootargs = (persona.bootargs or "console=ttyAMA0").replace('"', '\\"')
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
{initrd}    }};

    memory@{L.PERSONA_RAM_BASE:x} {{
        device_type = "memory";
        reg = <{cells64(L.PERSONA_RAM_BASE)} {cells64(persona.memory)}>;
    }};

    cpus {{
        #address-cells = <1>;
        #size-cells = <0>;
        cpu@0 {{
            device_type = "cpu";
            compatible = "arm,cortex-a53";
            reg = <0>;
            enable-method = "psci";
        }};
    }};

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

    virtio_mmio@{L.PERSONA_VIRTIO_BASE:x} {{
        compatible = "virtio,mmio";
        reg = <{cells64(L.PERSONA_VIRTIO_BASE)} {cells64(L.PERSONA_VIRTIO_SIZE)}>;
        interrupts = <0 {L.PERSONA_VIRTIO_SPI} 1>;
        dma-coherent;
    }};
}};
"""


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
