"""The manifest corpus: every file in tests/manifests/bad fails as its first line declares,
naming the file and the line; every file in tests/manifests/good checks and builds."""

import glob
import os
import re
import subprocess
import sys
import unittest

import test_manifest_helpers as h

BAD = sorted(glob.glob(os.path.join(h.MANIFESTS, "bad", "*.toml")))
GOOD = sorted(glob.glob(os.path.join(h.MANIFESTS, "good", "*.toml")))
EXPECT = re.compile(r"# expect: (.+)")
TOOL = os.path.join(h.ROOT, "tools", "cella-manifest")


def expectation(path):
    with open(path) as f:
        first = f.readline().rstrip("\n")
    match = EXPECT.fullmatch(first)
    if not match:
        raise AssertionError(f"{path}: the first line must be '# expect: <regex>'")
    return re.compile(match.group(1))


class BadCorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def test_the_corpus_is_large(self):
        self.assertGreaterEqual(len(BAD), 45)

    def test_every_bad_manifest_fails_as_declared(self):
        for path in BAD:
            with self.subTest(manifest=os.path.basename(path)):
                pattern = expectation(path)
                status, out, err = h.run_cli("check", path, "--program-dir", self.ws.programs)
                self.assertEqual(status, 1, f"exit status {status}; stdout: {out}")
                matching = [line for line in err.splitlines() if pattern.search(line)]
                self.assertTrue(matching, f"no line matches {pattern.pattern!r} in:\n{err}")
                self.assertTrue(matching[0].startswith(path + ":"),
                                f"the message does not name the file: {matching[0]}")
                self.assert_line_exists(path, matching[0])

    def assert_line_exists(self, path, message):
        number = re.match(re.escape(path) + r":(\d+): ", message)
        if number:
            with open(path) as f:
                self.assertLessEqual(int(number.group(1)), len(f.readlines()))

    def test_nearly_every_message_has_a_line(self):
        with_line = [p for p in BAD if expectation(p).pattern.startswith(":")]
        self.assertGreaterEqual(len(with_line), len(BAD) - 2)


class GoodCorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def test_every_good_manifest_checks(self):
        self.assertGreaterEqual(len(GOOD), 3)
        for path in GOOD:
            with self.subTest(manifest=os.path.basename(path)):
                status, out, err = h.run_cli("check", path, "--program-dir", self.ws.programs)
                self.assertEqual((status, err), (0, ""))
                self.assertIn(": OK: system ", out)

    def test_every_good_manifest_builds(self):
        for path in GOOD:
            with self.subTest(manifest=os.path.basename(path)):
                image = self.ws.path(os.path.basename(path) + ".img")
                status, out, err = h.run_cli("build", path, "--program-dir", self.ws.programs, "--kernel",
                                             self.ws.kernel, "--initializer", self.ws.initializer, "-o", image)
                self.assertEqual((status, err), (0, ""))
                self.assertTrue(os.path.isfile(image))


class ExecutableTest(unittest.TestCase):
    """The real script, once each way, to see the exit status a shell sees."""

    def run_tool(self, *args):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, env=env)

    def test_bad_manifest_exits_1(self):
        path = os.path.join(h.MANIFESTS, "bad", "priority_range.toml")
        result = self.run_tool("check", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}:", result.stderr)

    def test_usage_error_exits_2(self):
        self.assertEqual(self.run_tool("frobnicate").returncode, 2)

    def test_help_lists_the_commands(self):
        result = self.run_tool("--help")
        self.assertEqual(result.returncode, 0)
        for command in ("check", "build", "graph", "explain"):
            self.assertIn(command, result.stdout)


if __name__ == "__main__":
    unittest.main()
