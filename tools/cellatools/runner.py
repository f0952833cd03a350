"""Boots an image in QEMU with its board's command line.

Three modes:
  run    the console on this terminal (Ctrl-A x quits QEMU);
  debug  as run, but QEMU waits for gdb on port 1234;
  test   the console is streamed and watched: the run passes when the pass
         marker appears after every expected pattern, and fails on a fail
         marker, a timeout, or QEMU ending first.
"""

import json
import os
import re
import select
import signal
import subprocess
import sys
import time


class Watch:
    """Follows console output line by line and decides the verdict."""

    def __init__(self, pass_re, fail_re, expects, forbids=()):
        self.pass_re = re.compile(pass_re) if pass_re else None
        self.fail_re = re.compile(fail_re) if fail_re else None
        self.expects = [re.compile(e) for e in expects]
        self.forbids = [re.compile(f) for f in forbids]
        self.next_expect = 0
        self.passed = False
        self.failure = None
        self.partial = ""

    @property
    def done(self):
        return self.passed or self.failure is not None

    def feed(self, text):
        self.partial += text
        *lines, self.partial = self.partial.split("\n")
        for line in lines:
            self._line(line.rstrip("\r"))
            if self.done:
                return

    def finish(self):
        """Judges the last, unterminated line too."""
        if self.partial and not self.done:
            self._line(self.partial.rstrip("\r"))
            self.partial = ""

    def _line(self, line):
        if self.fail_re and self.fail_re.search(line):
            self.failure = f"fail marker: {line.strip()}"
            return
        for forbid in self.forbids:
            if forbid.search(line):
                self.failure = f"forbidden output /{forbid.pattern}/: {line.strip()}"
                return
        if self.next_expect < len(self.expects) and self.expects[self.next_expect].search(line):
            self.next_expect += 1
        if self.pass_re and self.pass_re.search(line):
            if self.next_expect < len(self.expects):
                self.failure = (f"pass marker before expected output "
                                f"/{self.expects[self.next_expect].pattern}/")
            else:
                self.passed = True

    def missing(self):
        if self.next_expect < len(self.expects):
            return f"never saw /{self.expects[self.next_expect].pattern}/"
        return "never saw the pass marker"


# -icount: one instruction per ns of virtual time (shift=0), and an idle CPU jumps to its next timer
# instead of waiting for the host's clock (sleep=off), so runs repeat exactly. Every -icount user
# (tools/run-qemu --icount, tools/bench, tools/bench-linux) takes this one.
ICOUNT = "shift=0,sleep=off"


def load_platform(path):
    with open(path) as f:
        return json.load(f)


def has_window_display(binary="qemu-system-aarch64"):
    """Whether this QEMU can open a window (Debian ships its GTK display in qemu-system-gui)."""
    try:
        out = subprocess.run([binary, "-display", "help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    text = out.stdout + out.stderr
    return "ui-gtk not found" not in text and any(line.strip() == "gtk" for line in text.splitlines())


def display_args(interactive, window=None, vnc=None):
    """How QEMU shows the screen: a window for a person at a desktop, VNC if asked, else nothing.

    window: True or False to decide, None to open one when a desktop is there (DISPLAY or
    WAYLAND_DISPLAY). Without a window the screen still exists: screenshots come from the monitor.
    """
    if vnc:
        return ["-display", f"vnc={vnc}"]
    if window is None:
        desktop = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        window = interactive and desktop and has_window_display()
    return ["-display", "gtk"] if window else ["-display", "none"]


def qemu_command(platform, image, extra=(), icount=False, interactive=False, gdb=False,
                 initrd=None, append=None, window=None, vnc=None, qmp=None, devices=True):
    """QEMU's command line; icount is True for ICOUNT or a string of -icount options.

    devices: the board's PCI devices (platform.json "devices": the screen and the keys), which
    every run has, headless or not; the benchmarks leave them out (see tools/bench-linux).

    qmp: a Unix socket path for QEMU's machine protocol (screenshots, keys: cellatools.qmp)."""
    cmd = list(platform["command"]) + (list(platform.get("devices", [])) if devices else [])
    cmd += ["-kernel", image, "-no-reboot"]
    if initrd:
        cmd += ["-initrd", initrd]
    if append is not None:
        cmd += ["-append", append]
    if icount:
        cmd += ["-icount", ICOUNT if icount is True else icount]
    # Named explicitly because the board may start with -nodefaults (platform.toml's
    # qemu.default_devices): the console on stdio, multiplexed with QEMU's monitor (Ctrl-A)
    # when a person is at the terminal.
    cmd += display_args(interactive, window, vnc)
    if interactive:
        cmd += ["-serial", "mon:stdio"]
    else:
        cmd += ["-monitor", "none", "-serial", "stdio"]
    if qmp:
        cmd += ["-qmp", f"unix:{qmp},server=on,wait=off"]
    if gdb:
        cmd += ["-s", "-S"]
    return cmd + list(extra)


def ensure_blank_file(path, size, fill=0xff):
    """Creates path as size bytes of fill (erased flash) unless it exists; keeps an existing one."""
    if os.path.exists(path):
        return False
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    block = bytes([fill]) * (1 << 20)
    with open(tmp, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
        f.write(block[:size % len(block)])
    os.replace(tmp, path)
    return True


class Script:
    """Scripted input: each (pattern, action) is due once pattern has been seen on the console.

    An action is text to type on the console (a str), or a callable run then (a screenshot or
    keys through QMP, for instance), which may return text to type."""

    def __init__(self, pairs):
        self.pairs = [(re.compile(p), t) for p, t in pairs]
        self.seen = ""

    def due(self, text):
        self.seen += text
        out = []
        while self.pairs:
            match = self.pairs[0][0].search(self.seen)
            if not match:
                break
            out.append(self.pairs[0][1])
            self.seen = self.seen[match.end():]
            self.pairs.pop(0)
        if len(self.seen) > 65536:
            self.seen = self.seen[-4096:]
        return out


def run_test(cmd, watch, timeout, log=None, script=None, grace=5.0, out=sys.stdout):
    """Runs QEMU until the watch decides; returns (ok, reason, exit_status).

    After a pass, QEMU gets `grace` seconds to end by itself (0: stop it at once).
    """
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    logf = open(log, "wb") if log else None
    status = None
    try:
        while not watch.done:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            if logf:
                logf.write(chunk)
            text = chunk.decode("utf-8", "replace")
            out.write(text)
            out.flush()
            watch.feed(text)
            for action in (script.due(text) if script else []):
                reply = action() if callable(action) else action
                if reply:
                    proc.stdin.write(reply.encode())
                    proc.stdin.flush()
        if not watch.done and proc.poll() is not None:
            rest = proc.stdout.read() or b""
            if logf:
                logf.write(rest)
            out.write(rest.decode("utf-8", "replace"))
            watch.feed(rest.decode("utf-8", "replace"))
            watch.finish()
        if watch.passed and grace > 0:
            try:
                status = proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                status = None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if status is None:
            status = proc.returncode
        if logf:
            logf.close()
    if watch.failure:
        return False, watch.failure, status
    if watch.passed:
        return True, "pass marker seen", status
    if time.monotonic() >= deadline:
        return False, f"timeout after {timeout:g} s ({watch.missing()})", status
    return False, f"QEMU ended with status {status} ({watch.missing()})", status
