"""The Linux guest's initramfs: busybox, the kernel modules it loads, and Cella's helpers.

Layout (everything root-owned, one fixed mtime; see cpio.py):
    /init                     Cella's init helper (personas/linux/guest-tools/init.c)
    /bin/busybox, /bin/<applet> -> busybox, for every applet the binary has
    /bin/<program>            the other helpers (pay, cpubench, ...)
    /sbin, /usr/bin, /usr/sbin -> bin, one directory for everything
    /lib/modules/<name>.ko    the modules, and load-order: their paths, dependencies first
    /dev/console              so that the kernel can give init a console before devtmpfs
    /etc/{profile,passwd,group}, /proc, /sys, /tmp, /root, /run, /mnt
"""

import os

from . import cpio

MODULE_DIR = "lib/modules"
LOAD_ORDER = "load-order"
PROFILE = """\
export PATH=/bin
export PS1='[cella-guest \\w]# '
"""
PASSWD = "root:x:0:0:root:/root:/bin/sh\n"
GROUP = "root:x:0:\n"


class InitramfsError(Exception):
    pass


def busybox_applets(binary):
    """The applet names a busybox binary carries, from its sorted name table ("[", "[[", ...)."""
    start = binary.find(b"[\0[[\0")
    if start < 0:
        raise InitramfsError("cannot find the applet name table in busybox")
    names, pos = [], start
    while True:
        end = binary.index(b"\0", pos)
        if end == pos:
            break
        names.append(binary[pos:end].decode("ascii"))
        pos = end + 1
    if names != sorted(names) or "sh" not in names:
        raise InitramfsError("busybox's applet name table does not look like one (unsorted, or no sh)")
    return [n for n in names if n != "busybox"]


def read_load_order(modules_dir):
    """Module file names from <modules_dir>/load-order, dependencies first."""
    path = os.path.join(modules_dir, LOAD_ORDER)
    with open(path) as f:
        names = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    for name in names:
        if "/" in name or not os.path.isfile(os.path.join(modules_dir, name)):
            raise InitramfsError(f"{path}: {name} is not a module file beside it")
    return names


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def build(busybox, modules_dir, init, programs=None):
    """The archive for a busybox binary, a modules directory, /init and {name: path} helpers."""
    archive = cpio.Archive()
    for name, perm in (("proc", 0o755), ("sys", 0o755), ("dev", 0o755), ("tmp", 0o1777),
                       ("root", 0o700), ("run", 0o755), ("mnt", 0o755), ("etc", 0o755)):
        archive.directory(name, perm)
    archive.char_device("dev/console", 5, 1)
    archive.file("etc/profile", PROFILE.encode())
    archive.file("etc/passwd", PASSWD.encode())
    archive.file("etc/group", GROUP.encode())
    for link in ("sbin", "usr/bin", "usr/sbin"):
        archive.symlink(link, "bin" if link == "sbin" else "../bin")

    box = _read(busybox)
    archive.file("bin/busybox", box, 0o755)
    for applet in busybox_applets(box):
        archive.symlink(f"bin/{applet}", "busybox")
    archive.file("init", _read(init), 0o755)
    for name, path in sorted((programs or {}).items()):
        if f"bin/{name}" in archive.entries:
            raise InitramfsError(f"helper {name} has the name of a busybox applet")
        archive.file(f"bin/{name}", _read(path), 0o755)

    order = read_load_order(modules_dir)
    for name in order:
        archive.file(f"{MODULE_DIR}/{name}", _read(os.path.join(modules_dir, name)))
    archive.file(f"{MODULE_DIR}/{LOAD_ORDER}", "".join(f"/{MODULE_DIR}/{n}\n" for n in order).encode())
    return archive
