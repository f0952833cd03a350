#!/usr/bin/env python3
"""Secure-wallet system tests that need more than one boot on the same flash.

  persistence  runs the scripted demo twice on one flash file: the second run
               must find, verify and show every payment the first acknowledged.
  power-cut    boots the payer system again and again on one flash file and
               kills QEMU at random moments (seeded) while billing appends;
               after every boot the ledger must verify and hold every payment
               that was acknowledged before the cut.

Run by ctest (systems/secure-wallet/CMakeLists.txt); the flash files and logs
stay in --work-dir.
"""

import argparse
import io
import os
import random
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from cellatools import runner  # noqa: E402

FLASH_SIZE = 64 << 20
FAIL_RE = re.compile(r"KERNEL PANIC|FAIL|unexpected:|INVALID|supervisor:")
ACK_RE = re.compile(r"^(?:client|payer): ack seq (\d+) amount (\d+) nonce ([0-9a-f]+)")
EARLIER_RE = re.compile(r"^client: earlier payment seq (\d+) amount (\d+) nonce ([0-9a-f]+): .*signature verified")
HISTORY_RE = re.compile(r"^client: history seq (\d+) amount (\d+) nonce ([0-9a-f]+): .*signature (\w+)")
HISTORY_END_RE = re.compile(r"^client: history end: (\d+) records, (\d+) torn discarded, all verified")
TORN_RE = re.compile(r"^billing: slot \d+: torn record")


class TestFailure(Exception):
    pass


def fresh_flash(path):
    if os.path.exists(path):
        os.remove(path)
    runner.ensure_blank_file(path, FLASH_SIZE)


def flash_args(flash):
    return ["-drive", f"if=pflash,format=raw,unit=1,file={flash}"]


class Boot:
    """One QEMU run whose console is read line by line, and which can be cut at any moment."""

    def __init__(self, platform, image, flash, log):
        cmd = runner.qemu_command(platform, image, flash_args(flash))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.partial = ""
        self.lines = []
        self.log = open(log, "a")
        self.log.write(f"\n===== boot at {time.strftime('%H:%M:%S')}\n")

    def _take(self, data):
        text = data.decode("utf-8", "replace")
        self.log.write(text)
        self.partial += text
        *complete, self.partial = self.partial.split("\n")
        new = [line.rstrip("\r") for line in complete]
        self.lines += new
        return new

    def wait_for(self, pattern, timeout=60.0):
        """Reads until a line matches; returns the match. Fails on a fail marker, QEMU's end or time."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        pending = list(self._unseen) if hasattr(self, "_unseen") else []
        self._unseen = []
        while True:
            for i, line in enumerate(pending):
                if FAIL_RE.search(line):
                    raise TestFailure(f"fail marker: {line}")
                m = regex.search(line)
                if m:
                    self._unseen = pending[i + 1:]
                    return m
            pending = []
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure(f"timeout waiting for /{pattern}/")
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.5))
            if ready:
                data = os.read(self.proc.stdout.fileno(), 65536)
                if not data:
                    raise TestFailure(f"QEMU ended before /{pattern}/")
                pending = self._take(data)

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def cut(self):
        """Power cut: SIGKILL, then the whole lines QEMU had already printed.

        A line the cut interrupted is left out: an acknowledgement half
        printed names only part of its record, and cannot be checked.
        """
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        rest = self.proc.stdout.read() or b""
        self.proc.wait()
        self._unseen = getattr(self, "_unseen", []) + self._take(rest)
        if self.partial:
            self.log.write(f"\n[power cut in the middle of this line; it is not counted]\n")
        self.log.close()

    def acks(self):
        return {int(m[1]): (int(m[2]), m[3]) for m in map(ACK_RE.search, self.lines) if m}


def run_demo(args, flash, log):
    """The scripted demo to its verdict; returns its console lines."""
    out = io.StringIO()

    class Tee:
        def write(self, text):
            out.write(text)
            sys.stdout.write(text)

        def flush(self):
            sys.stdout.flush()

    cmd = runner.qemu_command(runner.load_platform(args.platform), args.image, flash_args(flash))
    watch = runner.Watch(r"^client: secure-wallet demo: PASS", r"KERNEL PANIC|FAIL|unexpected:", [])
    script = runner.Script([(a, t.encode().decode("unicode_escape")) for a, t in args.send])
    ok, reason, _ = runner.run_test(cmd, watch, args.timeout, log, script, grace=0, out=Tee())
    if not ok:
        raise TestFailure(f"demo run: {reason}")
    return [line.rstrip("\r") for line in out.getvalue().split("\n")]


def persistence(args):
    flash = os.path.join(args.work_dir, "persistence-flash.img")
    fresh_flash(flash)
    first = run_demo(args, flash, os.path.join(args.work_dir, "wallet_persistence-1.log"))
    acked = {int(m[1]): (int(m[2]), m[3]) for m in map(ACK_RE.search, first) if m}
    if len(acked) != 3:
        raise TestFailure(f"the first run acknowledged {len(acked)} payments, not 3")
    second = run_demo(args, flash, os.path.join(args.work_dir, "wallet_persistence-2.log"))
    start = second.index(next(l for l in second if l.startswith("client: -- 1.")))
    earlier = {int(m[1]): (int(m[2]), m[3]) for m in map(EARLIER_RE.search, second[:start]) if m}
    if earlier != acked:
        raise TestFailure(f"the second run's ledger {earlier} is not the first run's acknowledgements {acked}")
    if not any(l.startswith("client: the ledger holds 3 earlier payment(s)") for l in second[:start]):
        raise TestFailure("the second run does not report 3 earlier payments")
    again = {int(m[1]) for m in map(ACK_RE.search, second) if m}
    if again != {4, 5, 6}:
        raise TestFailure(f"the second run's payments got sequence numbers {sorted(again)}, not 4-6")
    print(f"\npersistence: the second run found and verified all {len(acked)} payments of the first: PASS")


def check_history(boot, acked):
    """Waits for the payer's history; every acknowledged payment must be in it, unchanged."""
    end = boot.wait_for(HISTORY_END_RE.pattern, 60)
    history = {}
    for m in map(HISTORY_RE.search, boot.lines):
        if m:
            if m[4] != "verified":
                raise TestFailure(f"history entry {m[1]} does not verify")
            history[int(m[1])] = (int(m[2]), m[3])
    if sorted(history) != list(range(1, len(history) + 1)) or len(history) != int(end[1]):
        raise TestFailure(f"history is not seq 1..{end[1]}: {sorted(history)}")
    for seq, entry in acked.items():
        if history.get(seq) != entry:
            raise TestFailure(f"acknowledged payment seq {seq} {entry} is lost: ledger has {history.get(seq)}")
    torn = sum(1 for line in boot.lines if TORN_RE.search(line))
    return len(history), torn


def power_cut(args):
    platform = runner.load_platform(args.platform)
    flash = os.path.join(args.work_dir, "power-cut-flash.img")
    log = os.path.join(args.work_dir, "wallet_power_cut.log")
    if os.path.exists(log):
        os.remove(log)
    fresh_flash(flash)
    rng = random.Random(args.seed)
    acked = {}
    for cut in range(args.cuts + 1):
        boot = Boot(platform, args.image, flash, log)
        try:
            records, torn = check_history(boot, acked)
            if cut == args.cuts:
                print(f"final boot: ledger of {records} records verifies and holds all {len(acked)} "
                      f"acknowledged payments")
                break
            boot.wait_for(r"^client: enter PIN to start paying", 90)
            boot.send(args.pin + "\n")
            for _ in range(rng.randint(0, 3)):
                boot.wait_for(ACK_RE.pattern, 90)
            boot.wait_for(r"^billing: appending seq", 90)
            delay = rng.uniform(0.0, 0.006)  # an append takes a few ms; most cuts land inside one
            time.sleep(delay)
        finally:
            boot.cut()
        new = {seq: e for seq, e in boot.acks().items() if seq not in acked}
        acked.update(boot.acks())
        print(f"boot {cut + 1}: ledger had {records} records ({torn} torn discarded at boot); "
              f"cut {delay * 1000:.1f} ms after an append began; {len(new)} new payments acknowledged")
    print(f"\npower-cut: {args.cuts} cuts, {len(acked)} payments acknowledged, none lost; "
          f"{torn} of the cuts left a torn record, detected and discarded at every boot: PASS")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("test", choices=("persistence", "power-cut"))
    p.add_argument("--platform", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--work-dir", required=True)
    p.add_argument("--pin", default="1234")
    p.add_argument("--send", nargs=2, action="append", default=[], metavar=("AFTER", "TEXT"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cuts", type=int, default=8)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per demo run")
    args = p.parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    try:
        (persistence if args.test == "persistence" else power_cut)(args)
    except TestFailure as e:
        print(f"\n{args.test}: FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
