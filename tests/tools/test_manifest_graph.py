"""graph and explain: what the drawing and the capability listing say."""

import os
import re
import shutil
import unittest

import test_manifest_helpers as h

WALLET = os.path.join(h.MANIFESTS, "good", "wallet.toml")
GRANTS = os.path.join(h.MANIFESTS, "good", "inline_and_grants.toml")


class GraphTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        status, cls.dot, err = h.run_cli("graph", WALLET)
        assert status == 0, err

    def test_it_is_one_digraph(self):
        self.assertTrue(self.dot.startswith('digraph "wallet_demo" {'))
        self.assertTrue(self.dot.rstrip().endswith("}"))
        self.assertEqual(self.dot.count("{"), self.dot.count("}"))
        self.assertEqual(self.dot.count('"') % 2, 0)

    def test_subjects_regions_devices_and_irqs(self):
        self.assertRegex(self.dot, r'"cell:wallet" \[shape=box, .*label="cell wallet\\nprogram wallet, priority 160"')
        self.assertRegex(self.dot, r'"persona:work" \[shape=box3d, .*label="persona work\\nlinux, 256M RAM, 1 vCPU"')
        self.assertRegex(self.dot, r'"region:ledger" \[shape=cylinder, .*label="region ledger\\n2M at 0x70000000"')
        self.assertRegex(self.dot, r'"device:console.rtc" \[shape=hexagon, .*label="device rtc\\n0x9010000, 4K"')
        self.assertIn('"irq:34" -> "cell:console" [style=dotted, label="rtc_irq"]', self.dot)

    def test_call_and_notify_channels(self):
        self.assertIn('"cell:auth" -> "cell:wallet" [style="solid", label="sign\\ncall, badge 0x7"]', self.dot)
        self.assertIn('"cell:console" -> "cell:billing" [style=dashed, arrowhead=open, label="tick\\nnotify, bit 5"]',
                      self.dot)

    def test_mappings_point_the_way_data_flows(self):
        self.assertIn('"cell:wallet" -> "region:wallet_key" [dir=back', self.dot)      # read-only
        self.assertIn('"persona:work" -> "region:pay_buffer" [dir=both', self.dot)     # read-write

    def test_rules_are_notes_tied_to_what_they_name(self):
        self.assertRegex(self.dot, r'"rule:1" \[shape=note, .*label="rule: the key stays in the wallet\\n'
                                   r'only wallet maps wallet_key\\nproven"\]')
        self.assertIn('"rule:1" -> "region:wallet_key" [style=dotted, arrowhead=none', self.dot)
        self.assertIn("no path from work to wallet (trusting auth)", self.dot)

    def test_grants_are_drawn_bold(self):
        _, dot, _ = h.run_cli("graph", GRANTS)
        self.assertIn('"cell:ping" -> "cell:pong" [style="solid, bold", label="handoff\\ncall, badge 0x10, grant, '
                      'grant_reply"]', dot)

    def test_a_violated_rule_is_drawn_red_and_warned_about(self):
        path = os.path.join(h.MANIFESTS, "bad", "rule_only_callers.toml")
        status, dot, err = h.run_cli("graph", path)
        self.assertEqual(status, 0)
        self.assertRegex(dot, r'"rule:0" \[shape=note, fillcolor="#ffffff", color="#c62828", .*VIOLATED"\]')
        self.assertIn("warning: ", err)

    def test_a_broken_manifest_is_not_drawn(self):
        status, dot, err = h.run_cli("graph", os.path.join(h.MANIFESTS, "bad", "channel_unknown_end.toml"))
        self.assertEqual((status, dot), (1, ""))
        self.assertIn("no cell or persona named 'pnog'", err)

    def test_output_files(self):
        ws = h.Workspace()
        try:
            status, out, _ = h.run_cli("graph", WALLET, "-o", ws.path("system.dot"))
            self.assertEqual(status, 0)
            with open(ws.path("system.dot")) as f:
                self.assertEqual(f.read(), self.dot)
            self.assertEqual(os.path.exists(ws.path("system.svg")), bool(shutil.which("dot")))
            self.assertIn("wrote ", out)
        finally:
            ws.cleanup()


class ExplainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        status, cls.text, err = h.run_cli("explain", WALLET)
        assert status == 0, err

    def section(self, header):
        return self.text.split(header, 1)[1].split("\n\n", 1)[0]

    def test_the_initializer_keeps_tcb_cnode_and_vspace(self):
        self.assertIn("cell auth: CNode of 16 slots (radix 4); its TCB, CNode and VSpace are held by the "
                      "initializer, not by the cell", self.text)

    def test_server_caps_and_client_caps_with_their_lines(self):
        auth = self.section("cell auth:")
        self.assertRegex(auth, r"\n +2  its endpoint \(read\): receives calls on pay  \[.*wallet\.toml:100\]")
        self.assertRegex(auth, r"\n +3  its reply object")
        self.assertRegex(auth, r"\n +4  endpoint of cell wallet \(write, badge 0x7\): calls over 'sign'  "
                               r"\[.*wallet\.toml:106\]")
        self.assertIn("calls from persona work over 'pay' arrive with badge 0x1", auth)

    def test_notifications_and_irqs(self):
        console = self.section("cell console:")
        self.assertRegex(console, r"2  its notification \(read\), bound to its TCB")
        self.assertRegex(console, r"3  notification of cell billing \(write, badge 0x20\): signals over 'tick'")
        self.assertRegex(console, r"4  IRQ handler for IRQ 34 'rtc_irq': signals bit 0 of its notification  "
                                  r"\[.*wallet\.toml:73\]")
        self.assertIn("mapped for it, without frame capabilities: rtc", console)

    def test_frame_caps_only_when_asked(self):
        _, text, _ = h.run_cli("explain", GRANTS)
        self.assertRegex(text, r"3-4  2 frame capabilities of map 'frames' \(rw\)  \[.*inline_and_grants\.toml:\d+\]")
        self.assertNotRegex(self.text, r"frame capabilit(y|ies) of")
        self.assertIn("none: it can reach nothing", text)

    def test_personas_hold_through_their_vmm(self):
        work = self.section("persona work:")
        self.assertIn("endpoint of cell auth (write, badge 0x1): calls over 'pay'", work)
        self.assertIn("signals from cell billing over 'paid' set bit 0", work)
        self.assertIn("region pay_buffer at guest address 0x10000000 (rw)", work)
        self.assertIn("persona personal: its VMM holds these on its behalf\n  nothing: it is alone", self.text)

    def test_every_capability_names_a_manifest_line(self):
        for line in self.text.splitlines():
            if re.match(r"\s+\d+(-\d+)?  ", line):
                self.assertRegex(line, r"\[.*\.toml:\d+\]$")


if __name__ == "__main__":
    unittest.main()
