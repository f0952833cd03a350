"""The boot spec: a decoder written from docs/bootspec.md reads back what the encoder wrote,
and the encoder's record layouts agree with libsel4-like/include/abi/bootspec.h."""

import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib

from cellatools.manifest import analysis, spec

import test_manifest_helpers as h

HEADER_H = os.path.join(h.ROOT, "libsel4-like", "include", "abi", "bootspec.h")

# The decoder's own view of the format, written from docs/bootspec.md (not from spec.py).
FORMATS = {
    2: ("cell", "<IIBBHB3xQQIIIIHHH2x", "name program priority restart restart_limit cnode_radix stack_size "
        "heap_size first_map map_count first_end end_count endpoint_slot reply_slot notification_slot"),
    3: ("persona", "<IIIIBBBBBBHQIIIIIH2x", "name kernel initramfs bootargs kind priority vcpus flags "
        "cnode_radix restart notification_slot memory_size first_map map_count first_end end_count disk "
        "restart_limit"),
    4: ("region", "<IBB2xQQ", "name page_bits flags size paddr"),
    5: ("channel", "<IBBBBIIQ", "name kind flags sender_kind receiver_kind sender receiver badge"),
    6: ("map", "<QQQIIBBBBH2x", "vaddr size paddr name region kind rights attributes page_bits frame_cap_slot"),
    7: ("end", "<IIBBBBH2xI4xQ", "name channel kind rights peer_kind flags slot peer badge"),
    8: ("screen", "<IIIHHIIQQ", "persona cell region width height stride format guest_address cell_vaddr"),
}
STRING_FIELDS = {"name", "program", "kernel", "initramfs", "bootargs"}


class SpecError(Exception):
    pass


def decode(blob):
    """{"system", "platform", "version", "cell": [dict], ...}; names resolved to str."""
    if blob[:8] != b"CELLSPEC":
        raise SpecError("bad magic")
    crc, total, major, minor, count, entry_size, system, platform = struct.unpack_from("<IIHHHHII", blob, 8)
    if total != len(blob) or zlib.crc32(blob[12:total]) != crc:
        raise SpecError("size or checksum mismatch")
    if major != 1:
        raise SpecError(f"major version {major}")
    sections = {}
    for i in range(count):
        kind, offset, n, size = struct.unpack_from("<IIII", blob, 32 + i * entry_size)
        if offset % 8:
            raise SpecError("misaligned section")
        sections[kind] = (offset, n, size)
    offset, n, _ = sections[1]
    strings = blob[offset:offset + n]

    def string(off):
        return strings[off:strings.index(b"\0", off)].decode()

    out = {"system": string(system), "platform": string(platform), "version": (major, minor)}
    for kind, (name, fmt, fields) in FORMATS.items():
        offset, n, size = sections[kind]
        if size < struct.calcsize(fmt):
            raise SpecError(f"section {kind} records too small")
        records = []
        for i in range(n):
            values = dict(zip(fields.split(), struct.unpack_from(fmt, blob, offset + i * size)))
            for key in STRING_FIELDS & values.keys():
                values[key] = string(values[key])
            records.append(values)
        out[name] = records
    return out


def records_of(decoded, kind, owner):
    """The maps or ends of one decoded cell or persona."""
    first, count = owner[f"first_{kind}"], owner[f"{kind}_count"]
    return decoded[kind][first:first + count]


class RoundTripTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()
        wallet = os.path.join(h.MANIFESTS, "good", "wallet.toml")
        result = analysis.analyse(wallet, [cls.ws.programs])
        assert result.ok, result.report.lines()
        cls.result = result
        cls.blob = spec.encode(result.system, result.plans, result.programs, result.board.irqs, result.guests)
        cls.spec = decode(cls.blob)

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def cell(self, name):
        return next(c for c in self.spec["cell"] if c["name"] == name)

    def test_header(self):
        self.assertEqual(self.spec["system"], "wallet_demo")
        self.assertEqual(self.spec["platform"], "qemu-virt-aarch64")
        self.assertEqual(self.spec["version"], (1, 4))
        self.assertEqual(len(self.blob) % 8, 0)

    def test_cells(self):
        self.assertEqual([c["name"] for c in self.spec["cell"]], ["auth", "wallet", "billing", "console"])
        auth = self.cell("auth")
        self.assertEqual((auth["program"], auth["priority"], auth["stack_size"], auth["heap_size"]),
                         ("auth.elf", 150, 16 << 10, 64 << 10))
        self.assertEqual((auth["restart"], auth["restart_limit"]), (1, 0))
        wallet = self.cell("wallet")
        self.assertEqual((wallet["restart"], wallet["restart_limit"]), (2, 3))
        self.assertEqual((wallet["endpoint_slot"], wallet["reply_slot"]), (2, 3))
        self.assertEqual(self.cell("console")["program"], "driver.elf")
        self.assertEqual(self.cell("console")["endpoint_slot"], 0)
        self.assertGreaterEqual(auth["cnode_radix"], 4)

    def test_maps(self):
        maps = {m["name"]: m for m in records_of(self.spec, "map", self.cell("wallet"))}
        self.assertEqual(maps["scratch"]["kind"], 1)
        self.assertEqual(maps["scratch"]["attributes"], 2)        # VM_ATTR_UNCACHED
        self.assertEqual(maps["scratch"]["rights"], 3)            # VM_READ | VM_WRITE
        key = maps["wallet_key"]
        self.assertEqual((key["kind"], key["rights"], key["vaddr"]), (2, 1, 0x40000000))
        self.assertEqual(self.spec["region"][key["region"]]["size"], 4096)
        rtc = records_of(self.spec, "map", self.cell("console"))[0]
        self.assertEqual((rtc["kind"], rtc["paddr"], rtc["attributes"], rtc["region"]),
                         (3, 0x09010000, 1, 0xFFFFFFFF))

    def test_regions(self):
        ledger = next(r for r in self.spec["region"] if r["name"] == "ledger")
        self.assertEqual((ledger["page_bits"], ledger["flags"], ledger["paddr"]), (21, 1, 0x70000000))
        key = next(r for r in self.spec["region"] if r["name"] == "wallet_key")
        self.assertEqual((key["page_bits"], key["flags"], key["paddr"]), (12, 0, 0))

    def test_channel_ends(self):
        ends = {e["name"]: e for e in records_of(self.spec, "end", self.cell("auth"))}
        sign, pay = ends["sign"], ends["pay"]
        self.assertEqual((sign["kind"], sign["badge"], sign["rights"], sign["peer_kind"]), (1, 7, 1, 1))
        self.assertEqual(self.spec["cell"][sign["peer"]]["name"], "wallet")
        self.assertEqual((pay["kind"], pay["slot"], pay["peer_kind"]), (2, 2, 2))
        self.assertEqual(self.spec["persona"][pay["peer"]]["name"], "work")
        self.assertEqual(self.spec["channel"][sign["channel"]]["name"], "sign")

    def test_notify_and_irq_ends(self):
        billing = self.cell("billing")
        ends = {e["name"]: e for e in records_of(self.spec, "end", billing)}
        self.assertEqual((ends["tick"]["kind"], ends["tick"]["badge"]), (4, 1 << 5))
        self.assertEqual(ends["tick"]["slot"], billing["notification_slot"])
        irq = records_of(self.spec, "end", self.cell("console"))[-1]
        self.assertEqual((irq["kind"], irq["peer"], irq["channel"], irq["flags"]), (5, 34, 0xFFFFFFFF, 0))

    def test_channels(self):
        paid = next(c for c in self.spec["channel"] if c["name"] == "paid")
        self.assertEqual((paid["kind"], paid["sender_kind"], paid["receiver_kind"]), (2, 1, 2))
        self.assertEqual(self.spec["persona"][paid["receiver"]]["name"], "work")

    def test_personas(self):
        work, personal = self.spec["persona"]
        self.assertEqual((work["name"], work["kernel"], work["initramfs"], work["bootargs"]),
                         ("work", "Image", "work.cpio", "console=hvc0"))
        self.assertEqual((work["kind"], work["memory_size"], work["vcpus"], work["flags"]), (1, 256 << 20, 1, 1))
        self.assertEqual((personal["initramfs"], personal["flags"], personal["end_count"]), ("", 0, 0))
        self.assertEqual(work["disk"], 0, "no disk")
        self.assertEqual((work["restart"], work["restart_limit"]), (2, 3))
        self.assertEqual((personal["restart"], personal["restart_limit"]), (1, 0))
        self.assertEqual(self.spec["region"][personal["disk"] - 1]["name"], "photos")
        guest_map = records_of(self.spec, "map", work)[0]
        self.assertEqual((guest_map["vaddr"], guest_map["name"]), (0x10000000, "pay_buffer"))

    def test_checksum_covers_the_body(self):
        damaged = bytearray(self.blob)
        damaged[-9] ^= 0xFF
        with self.assertRaises(SpecError):
            decode(bytes(damaged))

    def test_encoding_is_deterministic(self):
        again = spec.encode(self.result.system, self.result.plans, self.result.programs, self.result.board.irqs,
                            self.result.guests)
        self.assertEqual(again, self.blob)


class ScreenTest(unittest.TestCase):
    """A persona's display key: a framebuffer region, mapped rw by the persona and r by its display cell."""

    @classmethod
    def setUpClass(cls):
        cls.ws = h.Workspace()
        result = analysis.analyse(os.path.join(h.MANIFESTS, "good", "display.toml"), [cls.ws.programs])
        assert result.ok, result.report.lines()
        cls.spec = decode(spec.encode(result.system, result.plans, result.programs, result.board.irqs,
                                      result.guests))

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def test_one_screen_per_persona_with_a_display(self):
        work, personal = self.spec["screen"]
        self.assertEqual([self.spec["persona"][s["persona"]]["name"] for s in (work, personal)],
                         ["work", "personal"])
        self.assertEqual((work["width"], work["height"], work["stride"], work["format"]), (800, 480, 3200, 1))
        self.assertEqual((personal["width"], personal["height"], personal["stride"]), (640, 400, 2560))
        self.assertEqual({self.spec["cell"][s["cell"]]["name"] for s in (work, personal)}, {"display"})
        self.assertEqual((work["guest_address"], work["cell_vaddr"]), (0x10000000, 0x4000000000))
        self.assertEqual(personal["cell_vaddr"], 0x4000000000 + 0x10000000)

    def test_the_framebuffer_is_a_2m_region_mapped_twice(self):
        work = self.spec["screen"][0]
        region = self.spec["region"][work["region"]]
        self.assertEqual((region["name"], region["page_bits"], region["size"]), ("work_fb", 21, 2 << 20))
        guest = records_of(self.spec, "map", self.spec["persona"][work["persona"]])[0]
        self.assertEqual((guest["vaddr"], guest["region"], guest["rights"]), (0x10000000, work["region"], 3))
        shown = records_of(self.spec, "map", self.spec["cell"][work["cell"]])
        self.assertIn((work["cell_vaddr"], work["region"], 1), [(m["vaddr"], m["region"], m["rights"])
                                                               for m in shown])


def c_compiler():
    return next((cc for cc in ("cc", "gcc", "clang") if shutil.which(cc)), None)


class HeaderAgreementTest(unittest.TestCase):
    def test_decoder_formats_match_the_encoder(self):
        by_name = {r.c_name: r for r in spec.RECORDS}
        for name, fmt, _ in FORMATS.values():
            with self.subTest(record=name):
                self.assertEqual(struct.calcsize(fmt), by_name[f"bootspec_{name}"].struct.size)

    def test_constants_match_the_header(self):
        with open(HEADER_H) as f:
            text = f.read()
        values = {m.group(1): int(m.group(2), 0) for m in
                  re.finditer(r"\b(BOOTSPEC_\w+)\s*=\s*(\w+)", text)}
        values.update({m.group(1): int(m.group(2).rstrip("u"), 0) for m in
                       re.finditer(r"#define\s+(BOOTSPEC_\w+)\s+(0x[0-9a-f]+u?|\d+u?)\b", text)})
        expected = {
            "BOOTSPEC_VERSION_MAJOR": spec.VERSION_MAJOR, "BOOTSPEC_VERSION_MINOR": spec.VERSION_MINOR,
            "BOOTSPEC_NONE": spec.NONE, "BOOTSPEC_CRC_START": spec.CRC_START, "BOOTSPEC_ALIGN": spec.ALIGN,
            "BOOTSPEC_SECTION_STRINGS": spec.SECTION_STRINGS, "BOOTSPEC_SECTION_CELLS": spec.SECTION_CELLS,
            "BOOTSPEC_SECTION_PERSONAS": spec.SECTION_PERSONAS, "BOOTSPEC_SECTION_REGIONS": spec.SECTION_REGIONS,
            "BOOTSPEC_SECTION_CHANNELS": spec.SECTION_CHANNELS, "BOOTSPEC_SECTION_MAPS": spec.SECTION_MAPS,
            "BOOTSPEC_SECTION_ENDS": spec.SECTION_ENDS, "BOOTSPEC_SECTION_SCREENS": spec.SECTION_SCREENS,
            "BOOTSPEC_SCREEN_XRGB8888": spec.SCREEN_FORMAT["x8r8g8b8"],
            "BOOTSPEC_RESTART_NEVER": spec.RESTART["never"], "BOOTSPEC_RESTART_ALWAYS": spec.RESTART["always"],
            "BOOTSPEC_RESTART_LIMITED": spec.RESTART["limited"], "BOOTSPEC_PERSONA_LINUX": spec.PERSONA_KIND["linux"],
            "BOOTSPEC_PERSONA_NOTIFIED": spec.PERSONA_NOTIFIED, "BOOTSPEC_REGION_FIXED": spec.REGION_FIXED,
            "BOOTSPEC_PERSONA_MIN_SIZE": spec.PERSONA_MIN_SIZE,
            "BOOTSPEC_CHANNEL_CALL": spec.CHANNEL_KIND["call"], "BOOTSPEC_CHANNEL_NOTIFY": spec.CHANNEL_KIND["notify"],
            "BOOTSPEC_CHANNEL_GRANT": spec.CHANNEL_GRANT, "BOOTSPEC_CHANNEL_GRANT_REPLY": spec.CHANNEL_GRANT_REPLY,
            "BOOTSPEC_SUBJECT_NONE": spec.SUBJECT_NONE, "BOOTSPEC_SUBJECT_CELL": spec.SUBJECT_CELL,
            "BOOTSPEC_SUBJECT_PERSONA": spec.SUBJECT_PERSONA,
            "BOOTSPEC_MAP_PRIVATE": spec.MAP_KIND["private"], "BOOTSPEC_MAP_SHARED": spec.MAP_KIND["shared"],
            "BOOTSPEC_MAP_DEVICE": spec.MAP_KIND["device"],
            "BOOTSPEC_END_CALL_CLIENT": spec.END_KIND["call-client"],
            "BOOTSPEC_END_CALL_SERVER": spec.END_KIND["call-server"],
            "BOOTSPEC_END_NOTIFY_SIGNAL": spec.END_KIND["notify-signal"],
            "BOOTSPEC_END_NOTIFY_WAIT": spec.END_KIND["notify-wait"], "BOOTSPEC_END_IRQ": spec.END_KIND["irq"],
            "BOOTSPEC_END_EDGE_TRIGGERED": spec.END_EDGE_TRIGGERED,
        }
        self.assertEqual(set(values), set(expected), "bootspec.h and this test name different constants")
        for name, value in expected.items():
            with self.subTest(name=name):
                self.assertEqual(values[name], value)
        self.assertIn(f'#define BOOTSPEC_MAGIC "{spec.MAGIC.decode()}"', text)

    @unittest.skipUnless(c_compiler(), "no C compiler")
    def test_every_offset_matches_the_c_structs(self):
        lines = ["#include <stddef.h>", "#include <abi/bootspec.h>"]
        for record in spec.RECORDS:
            lines.append(f"_Static_assert(sizeof(struct {record.c_name}) == {record.struct.size}, "
                         f"\"{record.c_name} size\");")
            for field, offset in record.offsets().items():
                lines.append(f"_Static_assert(offsetof(struct {record.c_name}, {field}) == {offset}, "
                             f"\"{record.c_name}.{field}\");")
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "offsets.c")
            with open(source, "w") as f:
                f.write("\n".join(lines) + "\n")
            include = os.path.join(h.ROOT, "libsel4-like", "include")
            result = subprocess.run([c_compiler(), "-std=c11", "-Wall", "-Wextra", "-Wpadded", "-Werror",
                                     "-fsyntax-only", "-I", include, source], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)


if __name__ == "__main__":
    unittest.main()
