#!/usr/bin/env python3
"""The board's screen and keys are there in a headless run: QEMU (as the runner starts it, with
-display none) has the GPU, the keyboard and the tablet at the slots platform.toml gives them,
and a screenshot through QMP is a PNG of the GPU's screen.

  board_devices.py PLATFORM_JSON IMAGE PNG
"""

import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
from cellatools import qmp, runner  # noqa: E402

VIRTIO_VENDOR = 0x1af4
EXPECTED = {1: ("gpu", 0x1050), 2: ("keyboard", 0x1052), 3: ("tablet", 0x1052)}  # virtio 1.0 IDs


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def main(platform_json, image, png):
    platform = runner.load_platform(platform_json)
    socket_path = os.path.join(tempfile.mkdtemp(prefix="cella-qmp-"), "qmp")
    cmd = runner.qemu_command(platform, image, qmp=socket_path) + ["-S"]   # stopped: nothing runs
    print("board_devices:", " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    failures = []
    try:
        machine = qmp.Qmp(socket_path).connect()
        slots = {d["slot"]: d for bus in machine.command("query-pci") for d in bus["devices"]}
        for slot, (name, device_id) in EXPECTED.items():
            d = slots.get(slot)
            ids = (d["id"]["vendor"], d["id"]["device"]) if d else None
            ok = ids == (VIRTIO_VENDOR, device_id)
            print(f"board_devices: slot {slot} ({name}): {ids and f'{ids[0]:04x}:{ids[1]:04x}'} "
                  f"{'ok' if ok else 'WRONG'}")
            if not ok:
                failures.append(name)
        displays = "-display none" if "none" in cmd[cmd.index("-display") + 1] else "a display"
        machine.screendump(png)
        width, height = png_size(png)
        print(f"board_devices: screenshot {png}: {width}x{height} PNG, with {displays}")
        if width < 320 or height < 200:
            failures.append("screenshot")
        machine.command("quit")
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"board_devices: {len(EXPECTED) + 1 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
