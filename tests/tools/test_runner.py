"""The QEMU runner's verdicts, driven with a stand-in console program instead of QEMU."""

import io
import sys
import unittest

from cellatools import runner


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


if __name__ == "__main__":
    unittest.main()
