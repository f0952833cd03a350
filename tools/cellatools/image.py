"""Packing a bootable image: the kernel ELF plus a payload segment right after its end."""

from . import elf, payload
from .atomic import write_atomically

PAYLOAD_ALIGN = 4096


class ImageError(Exception):
    pass


def payload_address(kernel):
    """Where the kernel looks for its payload: the first page after __kernel_end."""
    symbols = kernel.symbols()
    if "__kernel_end" not in symbols:
        raise ImageError(f"{kernel.name}: no __kernel_end symbol; is this a Cella kernel?")
    return (symbols["__kernel_end"] + PAYLOAD_ALIGN - 1) & ~(PAYLOAD_ALIGN - 1)


def pack(kernel_path, files, out_path):
    """Writes kernel + payload(files) to out_path, whole or not at all. Returns the payload size."""
    try:
        with open(kernel_path, "rb") as f:
            kernel = elf.Elf(f.read(), kernel_path)
        for name, data in files:
            if name == payload.INITIALIZER or name.endswith(".elf"):
                elf.Elf(data, name)
        blob = payload.build(files)
    except (OSError, elf.ElfError, payload.PayloadError) as e:
        raise ImageError(str(e)) from None
    write_atomically(out_path, kernel.add_load_segment(payload_address(kernel), blob))
    return len(blob)
