"""The QEMU runner's verdicts, driven with a stand-in console program instead of QEMU."""

import importlib.machinery
import importlib.util
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

from cellatools import runner

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "tools")
PLATFORM = {"platform": "test", "command": ["qemu-system-aarch64", "-M", "virt"]}


def load_script(name):
    """Imports one of tools/' scripts (no .py suffix) as a module."""
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), os.path.join(TOOLS, name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def shell(script):
    return [sys.executable, "-c", script]


class WatchTest(unittest.TestCase):
    def test_expects_in_order_then_pass(self):
        w = runner.Watch("DONE", "PANIC", ["first", "second"])
        w.feed("first\nsecond\nDO")
        self.assertFalse(w.done)
        w.feed("NE\n")
        self.assertTrue(w.passed)

    def test_pass_before_expect_fails(self):
        w = runner.Watch("DONE", "PANIC", ["never"])
        w.feed("DONE\n")
        self.assertIn("pass marker before", w.failure)

    def test_fail_marker_wins(self):
        w = runner.Watch("DONE", "PANIC", [])
        w.feed("KERNEL PANIC: x\nDONE\n")
        self.assertFalse(w.passed)
        self.assertIn("fail marker", w.failure)

    def test_forbidden_output(self):
        w = runner.Watch("DONE", None, [], ["secret"])
        w.feed("the secret\nDONE\n")
        self.assertIn("forbidden", w.failure)

    def test_unterminated_last_line_is_judged(self):
        w = runner.Watch("DONE", None, [])
        w.feed("DONE")
        self.assertFalse(w.done)
        w.finish()
        self.assertTrue(w.passed)


class ScriptTest(unittest.TestCase):
    def test_actions_run_in_order_and_may_type(self):
        ran = []
        script = runner.Script([("ready", lambda: ran.append("shot")), ("ready", "typed\n"),
                                ("later", lambda: "from action\n")])
        self.assertEqual(len(script.due("ready\n")), 1, "one step per sighting of its pattern")
        self.assertEqual(script.due("ready\n"), ["typed\n"])
        actions = script.due("later\n")
        self.assertEqual([a() for a in actions], ["from action\n"])


class RunTest(unittest.TestCase):
    def run_cmd(self, script, timeout=10, **watch):
        w = runner.Watch(watch.get("pass_re", "DONE"), watch.get("fail_re", "PANIC"), watch.get("expects", []))
        return runner.run_test(shell(script), w, timeout, out=io.StringIO(), script=watch.get("input"))

    def test_pass(self):
        ok, reason, status = self.run_cmd("print('hello'); print('DONE')")
        self.assertTrue(ok, reason)
        self.assertEqual(status, 0)

    def test_exit_without_marker(self):
        ok, reason, _ = self.run_cmd("import sys; print('bye'); sys.exit(3)")
        self.assertFalse(ok)
        self.assertIn("status 3", reason)

    def test_timeout_kills(self):
        ok, reason, _ = self.run_cmd("import time; print('x', flush=True); time.sleep(30)", timeout=1)
        self.assertFalse(ok)
        self.assertIn("timeout", reason)

    def test_scripted_input(self):
        script = runner.Script([("PIN\\?", "1234\n")])
        ok, reason, _ = self.run_cmd(
            "print('PIN?', flush=True); s = input(); print('DONE' if s == '1234' else 'PANIC')",
            input=script)
        self.assertTrue(ok, reason)


class QemuCommandTest(unittest.TestCase):
    def test_kernel_only(self):
        cmd = runner.qemu_command(PLATFORM, "k.elf")
        self.assertEqual(cmd[:5], ["qemu-system-aarch64", "-M", "virt", "-kernel", "k.elf"])
        self.assertNotIn("-initrd", cmd)
        self.assertNotIn("-append", cmd)
        self.assertNotIn("-icount", cmd)

    def test_initrd_and_append(self):
        cmd = runner.qemu_command(PLATFORM, "Image", initrd="initramfs.cpio.gz",
                                  append="console=ttyAMA0 cella.test=1")
        self.assertEqual(cmd[cmd.index("-initrd") + 1], "initramfs.cpio.gz")
        self.assertEqual(cmd[cmd.index("-append") + 1], "console=ttyAMA0 cella.test=1")

    def test_empty_append_is_still_passed(self):
        cmd = runner.qemu_command(PLATFORM, "Image", append="")
        self.assertEqual(cmd[cmd.index("-append") + 1], "")

    def test_icount(self):
        cmd = runner.qemu_command(PLATFORM, "k", icount=True)
        self.assertEqual(cmd[cmd.index("-icount") + 1], "shift=0,sleep=off")
        cmd = runner.qemu_command(PLATFORM, "k", icount="shift=1")
        self.assertEqual(cmd[cmd.index("-icount") + 1], "shift=1")


class BlankFileTest(unittest.TestCase):
    def test_made_once_erased_then_kept(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sub", "flash.img")
            size = (3 << 20) + 5
            self.assertTrue(runner.ensure_blank_file(path, size))
            with open(path, "rb") as f:
                data = f.read()
            self.assertEqual((len(data), set(data)), (size, {0xff}))
            with open(path, "r+b") as f:
                f.write(b"\0")
            self.assertFalse(runner.ensure_blank_file(path, 1 << 20))
            self.assertEqual(os.path.getsize(path), size)
            with open(path, "rb") as f:
                self.assertEqual(f.read(1), b"\0")


class RunQemuScriptTest(unittest.TestCase):
    def setUp(self):
        self.script = load_script("run-qemu")
        self.tmp = tempfile.TemporaryDirectory()
        self.platform = os.path.join(self.tmp.name, "platform.json")
        with open(self.platform, "w") as f:
            json.dump(PLATFORM, f)
        self.image = os.path.join(self.tmp.name, "Image")
        open(self.image, "wb").close()

    def tearDown(self):
        self.tmp.cleanup()

    def test_initrd_and_append_options(self):
        args = self.script.parse_args(["--platform", "p.json", "--image", "Image", "--initrd", "i.gz",
                                       "--append", "console=ttyAMA0 quiet"])
        self.assertEqual((args.initrd, args.append), ("i.gz", "console=ttyAMA0 quiet"))
        args = self.script.parse_args(["--platform", "p.json", "--image", "k.elf"])
        self.assertEqual((args.initrd, args.append), (None, None))

    def test_bad_blank_file_is_refused(self):
        err = io.StringIO()
        with redirect_stderr(err):
            status = self.script.main(["--platform", self.platform, "--image", self.image, "--mode", "test",
                                       "--blank-file", "no-size"])
        self.assertEqual(status, 2)
        self.assertIn("PATH=SIZE", err.getvalue())

    def test_missing_initrd_is_refused_before_qemu_starts(self):
        err = io.StringIO()
        with redirect_stderr(err):
            status = self.script.main(["--platform", self.platform, "--image", self.image, "--mode", "test",
                                       "--initrd", os.path.join(self.tmp.name, "nope.gz")])
        self.assertEqual(status, 2)
        self.assertIn("initrd", err.getvalue())
        self.assertIn("nope.gz", err.getvalue())


if __name__ == "__main__":
    unittest.main()
