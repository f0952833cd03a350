#!/usr/bin/env python3
"""Builds and boots a system outside the tree against the installed SDK.

  test_sdk.py --build DIR --source-tree DIR --example DIR --variant NAME --toolchain NAME

1. `cmake --install` the build tree into a new temporary folder: the SDK;
2. checks that nothing in it points back into the source or build tree (self-contained);
3. copies the example (its own CMakeLists.txt, manifest and cell) to a folder outside the tree;
4. configures it with the SDK's toolchain file and find_package(Cella), builds it, and runs its
   ctest, which boots the image in QEMU.
Exit status 0 when every step succeeds; on a failure the folders are left for a look.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def run(what, cmd, **kw):
    print(f"test_sdk: {what}: {' '.join(cmd)}", flush=True)
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        print(result.stdout + result.stderr)
        raise SystemExit(f"test_sdk: FAIL: {what} (exit status {result.returncode})")
    return result.stdout


def text_files(root):
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            if b"\0" not in data:
                yield path, data.decode("utf-8", "replace")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for opt in ("--build", "--source-tree", "--example", "--variant", "--toolchain"):
        p.add_argument(opt, required=True)
    args = p.parse_args(argv)
    work = tempfile.mkdtemp(prefix="cella-sdk-test-")
    sdk, project = os.path.join(work, "sdk"), os.path.join(work, "hello")
    run("install the SDK", ["cmake", "--install", args.build, "--prefix", sdk])
    for needed in (f"{args.variant}/kernel.elf", f"{args.variant}/initializer.elf",
                   f"{args.variant}/lib/libcella_runtime.a", f"{args.variant}/programs/console.elf",
                   "include/cell.h", "tools/cella-manifest", "cmake/CellaConfig.cmake", "README.md"):
        if not os.path.exists(os.path.join(sdk, needed)):
            raise SystemExit(f"test_sdk: FAIL: the SDK has no {needed}")
    roots = {os.path.realpath(args.source_tree), os.path.realpath(args.build)}
    for path, text in text_files(sdk):
        for root in roots:
            if root in text:
                raise SystemExit(f"test_sdk: FAIL: {path} names {root}: the SDK is not self-contained")
    shutil.copytree(args.example, project, ignore=shutil.ignore_patterns("build"))
    build = os.path.join(project, "build")
    toolchain = os.path.join(sdk, "cmake", "toolchain", f"{args.toolchain}.cmake")
    run("configure the system", ["cmake", "-S", project, "-B", build, "-G", "Ninja",
                                 f"-DCMAKE_PREFIX_PATH={sdk}", f"-DCMAKE_TOOLCHAIN_FILE={toolchain}",
                                 f"-DCELLA_VARIANT={args.variant}"])
    run("build the system", ["cmake", "--build", build])
    out = run("boot the system", ["ctest", "--test-dir", build, "--output-on-failure"])
    print(out)
    shutil.rmtree(work)
    print("test_sdk: PASS: built and booted outside the tree against the installed SDK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
