"""Reading one TOML table with type checks, defaults and unknown-key detection.

A converter takes the raw TOML value and returns the checked value or
raises Invalid with a message; Table.get reports it against the key's
entry and returns the default, so one bad key never hides the others.
"""

import difflib
import re

from .. import layout

REQUIRED = object()
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
NAME_MAX = 31
SIZE = re.compile(r"\s*(\d+)\s*(?:(K|M|G)(?:iB)?)?\s*\Z")
SIZE_UNITS = {None: 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


class Invalid(Exception):
    pass


class Table:
    def __init__(self, data, entry, report):
        self.data = data
        self.entry = entry
        self.report = report
        self.used = set()
        self.ok = True

    def has(self, key):
        return key in self.data

    def get(self, key, convert, default=REQUIRED):
        self.used.add(key)
        if key not in self.data:
            if default is REQUIRED:
                self.fail(self.entry, f"missing required key '{key}'")
                return None
            return default
        try:
            return convert(self.data[key])
        except Invalid as e:
            self.fail(self.entry.key(key), str(e))
            return None if default is REQUIRED else default

    def fail(self, entry, message):
        self.ok = False
        self.report.add(entry, message)

    def finish(self):
        """Reports every key nobody asked for, with the closest known key as a hint."""
        for key in self.data:
            if key not in self.used:
                close = difflib.get_close_matches(key, sorted(self.used), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = ", ".join(sorted(self.used))
                self.fail(self.entry.key(key), f"unknown key '{key}'{hint}; known keys: {known}")
        return self.ok


def describe(value):
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def expect(value, kind, what):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Invalid(f"must be {what}, not {describe(value)}")
    return value


def string(value):
    value = expect(value, str, "a string")
    if not value:
        raise Invalid("must not be empty")
    return value


def boolean(value):
    return expect(value, bool, "a boolean (true or false)")


def name(value):
    value = expect(value, str, "a name (a string)")
    if not NAME.match(value) or len(value) > NAME_MAX:
        raise Invalid(f"'{value}' is not a valid name: use 1 to {NAME_MAX} characters "
                      "a-z, 0-9 and _, starting with a letter")
    return value


def names(value):
    """One name or an array of names; always returns a list."""
    if isinstance(value, str):
        return [name(value)]
    expect(value, list, "a name or an array of names")
    return [name(v) for v in value]


def integer(low, high):
    def convert(value):
        expect(value, int, "an integer")
        if not low <= value <= high:
            raise Invalid(f"{value} is out of range ({low} to {high})")
        return value
    return convert


def address(value):
    expect(value, int, "an address (an integer such as 0x4000_0000)")
    if not 0 <= value < 1 << 64:
        raise Invalid(f"{value:#x} is not a 64-bit address")
    return value


def size(value):
    """Bytes, more than zero: an integer, or a string with a binary unit such as "16K", "2M", "1GiB"."""
    value = byte_count(value)
    if value == 0:
        raise Invalid("must be greater than zero")
    return value


def byte_count(value):
    """Like size, but zero is allowed."""
    if isinstance(value, str):
        match = SIZE.match(value)
        if not match:
            raise Invalid(f"'{value}' is not a size: write bytes as an integer or a string "
                          "such as \"16K\", \"2M\" or \"1G\"")
        value = int(match.group(1)) * SIZE_UNITS[match.group(2)]
    else:
        expect(value, int, "a size (an integer or a string such as \"16K\")")
    if value < 0:
        raise Invalid("must not be negative")
    if value >= 1 << 64:
        raise Invalid(f"{value:#x} bytes does not fit in 64 bits")
    return value


def page_size(value):
    bytes_ = size(value)
    if bytes_ not in (layout.PAGE_4K, layout.PAGE_2M):
        raise Invalid(f"must be \"4K\" or \"2M\", not {value!r}")
    return bytes_


def rights(value):
    """A mapping's rights: letters from r, w, x; returned in rwx order."""
    value = expect(value, str, "a string of rights such as \"rw\"")
    if not value or set(value) - set("rwx") or len(set(value)) != len(value):
        raise Invalid(f"'{value}' is not a set of rights: use the letters r, w and x once each")
    if "r" not in value:
        raise Invalid(f"'{value}' lacks r: every mapping must be readable")
    if "w" in value and "x" in value:
        raise Invalid(f"'{value}': a mapping may not be both writable and executable")
    return "".join(c for c in "rwx" if c in value)


def one_of(*choices):
    def convert(value):
        value = expect(value, str, "a string")
        if value not in choices:
            raise Invalid(f"'{value}' is not one of: {', '.join(choices)}")
        return value
    return convert


def tables(value):
    """An array of tables, as [[key]] or key = [{...}] gives it."""
    expect(value, list, "an array of tables ([[...]])")
    for item in value:
        expect(item, dict, "an array of tables ([[...]])")
    return value


def table(value):
    return expect(value, dict, "a table ([...])")
