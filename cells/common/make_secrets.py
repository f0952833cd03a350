#!/usr/bin/env python3
"""Writes the secure-wallet cells' build-time secrets as C headers.

  make_secrets.py pin OUT.h --pin 1234 --iterations N
      auth's PIN record: a random salt and PBKDF2-HMAC-SHA256(PIN, salt, N);
      the PIN itself is not written anywhere.
  make_secrets.py wallet OUT.h
      the wallet's per-image secrets: the sealing key and the entropy seed,
      32 random bytes each from the build machine's os.urandom. Kept if OUT.h
      exists, so that a rebuild can still unseal what an earlier run sealed.
"""

import argparse
import hashlib
import os
import sys


def c_bytes(data):
    return ", ".join(f"0x{b:02x}" for b in data)


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def pin_record(out, pin, iterations):
    if not (4 <= len(pin) <= 15 and pin.isdigit()):
        sys.exit("make_secrets.py: the PIN must be 4 to 15 digits")
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations, 32)
    write(out, "/* Written by cells/common/make_secrets.py: auth's PIN record (salted, slow hash). */\n"
               "#pragma once\n"
               f"#define AUTH_PIN_ITERATIONS {iterations}u\n"
               f"#define AUTH_PIN_SALT {{ {c_bytes(salt)} }}\n"
               f"#define AUTH_PIN_HASH {{ {c_bytes(digest)} }}\n")


def wallet_secrets(out):
    if os.path.exists(out):
        return
    write(out, "/* Written once per build tree by cells/common/make_secrets.py: the wallet's image secrets. */\n"
               "#pragma once\n"
               f"#define WALLET_SEALING_KEY {{ {c_bytes(os.urandom(32))} }}\n"
               f"#define WALLET_ENTROPY_SEED {{ {c_bytes(os.urandom(32))} }}\n")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=("pin", "wallet"))
    p.add_argument("out")
    p.add_argument("--pin", default="1234")
    p.add_argument("--iterations", type=int, default=10000)
    args = p.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    if args.kind == "pin":
        pin_record(args.out, args.pin, args.iterations)
    else:
        wallet_secrets(args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
