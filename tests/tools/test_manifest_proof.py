"""The isolation proof: capabilities flow along grants (transitively), information flows along
calls, replies, signals and shared memory, and each rule kind is proven or refuted with a witness."""

import re
import textwrap
import unittest

from cellatools import layout
from cellatools.manifest import caps, parse, proof
from cellatools.manifest.report import Report

HEAD = '[system]\nname = "t"\nplatform = "qemu-virt-aarch64"\n'


def cells(*names):
    return "".join(f'\n[[cell]]\nname = "{n}"\nprogram = "ping"\n' for n in names)


def call(client, server, extra=""):
    return (f'\n[[channel]]\nname = "{client}_{server}"\nkind = "call"\n'
            f'client = "{client}"\nserver = "{server}"\n{extra}\n')


def notify(sender, receiver, name=None):
    return (f'\n[[channel]]\nname = "{name or sender + "_" + receiver}"\nkind = "notify"\n'
            f'from = "{sender}"\nto = "{receiver}"\n')


def rule(kind, **params):
    lines = [f'\n[[rule]]\nname = "r"\nkind = "{kind}"']
    for key, value in params.items():
        value = "[" + ", ".join(f'"{v}"' for v in value) + "]" if isinstance(value, list) else f'"{value}"'
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def region_map(region, vaddr, rights, extra=""):
    return f'  [[cell.map]]\n  region = "{region}"\n  vaddr = {vaddr:#x}\n  rights = "{rights}"\n  {extra}\n'


class Scenario:
    """Parses a manifest text and proves its rules."""

    def __init__(self, text):
        self.system, self.report = parse.parse_text(textwrap.dedent(text), "t.toml")
        assert not self.report, self.report.lines()
        self.plans = caps.plan_all(self.system, self.report)
        self.prover = proof.Prover(self.system, self.plans, Report("t.toml", self.report.source))
        self.verdicts = self.prover.prove_all()
        self.lines = self.prover.report.lines()

    def thing(self, name):
        return self.system.named()[name]

    def holds(self, holder, kind, target, right):
        return any(s is self.thing(holder) for s, _ in
                   self.prover.authority.holders(kind, self.thing(target), right))

    def path(self, source, target, trusted=()):
        return self.prover.graph.shortest_path(self.thing(source), self.thing(target),
                                               {self.thing(t) for t in trusted})

    @property
    def proven(self):
        return [v.proven for v in self.verdicts]


class AuthorityTest(unittest.TestCase):
    def test_without_grant_nothing_moves(self):
        s = Scenario(HEAD + cells("a", "b", "c") + call("a", "b") + notify("a", "c"))
        self.assertTrue(s.holds("a", proof.NOTIFICATION, "c", layout.RIGHT_WRITE))
        self.assertFalse(s.holds("b", proof.NOTIFICATION, "c", layout.RIGHT_WRITE))

    def test_grant_passes_the_clients_caps_to_the_server(self):
        s = Scenario(HEAD + cells("a", "b", "c") + call("a", "b", "grant = true") + notify("a", "c"))
        self.assertTrue(s.holds("b", proof.NOTIFICATION, "c", layout.RIGHT_WRITE))
        self.assertFalse(s.holds("a", proof.ENDPOINT, "b", layout.RIGHT_READ))  # but not the other way

    def test_grant_reply_passes_the_servers_caps_to_the_client(self):
        s = Scenario(HEAD + cells("a", "b", "c") + call("a", "b", "grant_reply = true") + notify("b", "c"))
        self.assertTrue(s.holds("a", proof.NOTIFICATION, "c", layout.RIGHT_WRITE))
        self.assertTrue(s.holds("a", proof.ENDPOINT, "b", layout.RIGHT_READ))  # even b's receive right

    def test_grants_are_transitive(self):
        # d's endpoint travels a -> b -> c, each hop a grant.
        s = Scenario(HEAD + cells("a", "b", "c", "d") + call("a", "d") + call("a", "b", "grant = true")
                     + call("b", "c", "grant = true"))
        self.assertTrue(s.holds("c", proof.ENDPOINT, "d", layout.RIGHT_WRITE))
        origin = s.prover.authority.provenance(s.thing("c"), next(
            cap for cap in s.prover.authority.holdings[s.thing("c")] if cap.target is s.thing("d")), str)
        self.assertEqual(len(origin), 3)
        self.assertIn("cell a is given the endpoint of cell d", origin[0])
        self.assertIn("cell b can pass it to cell c in a call (grant) over 'b_c'", origin[2])

    def test_a_received_receive_right_makes_its_holder_a_server(self):
        # b passes its own endpoint's receive right to c in a reply; then a's grants reach c.
        s = Scenario(HEAD + cells("a", "b", "c", "x") + call("a", "b", "grant = true") + notify("a", "x")
                     + call("c", "b", "grant_reply = true"))
        self.assertTrue(s.holds("c", proof.ENDPOINT, "b", layout.RIGHT_READ))
        self.assertTrue(s.holds("c", proof.NOTIFICATION, "x", layout.RIGHT_WRITE))


class FlowTest(unittest.TestCase):
    def test_a_call_flows_both_ways(self):
        s = Scenario(HEAD + cells("a", "b") + call("a", "b"))
        self.assertEqual([step.text for step in s.path("a", "b")], ["cell a calls cell b over 'a_b'"])
        self.assertEqual([step.text for step in s.path("b", "a")], ["cell b replies to cell a over 'a_b'"])

    def test_a_signal_flows_one_way(self):
        s = Scenario(HEAD + cells("a", "b") + notify("a", "b"))
        self.assertIsNotNone(s.path("a", "b"))
        self.assertIsNone(s.path("b", "a"))

    def test_shared_memory_flows_from_writers_to_readers(self):
        s = Scenario(HEAD + '[[region]]\nname = "m"\nsize = "4K"\n' + cells("w") + region_map("m", 0x40000000, "rw")
                     + cells("r") + region_map("m", 0x40000000, "r"))
        self.assertEqual([step.text for step in s.path("w", "r")], ["cell w writes region m", "cell r reads region m"])
        self.assertIsNone(s.path("r", "w"))

    def test_trusted_nodes_cut_paths(self):
        s = Scenario(HEAD + cells("a", "b", "c") + notify("a", "b") + notify("b", "c"))
        self.assertEqual(len(s.path("a", "c")), 2)
        self.assertIsNone(s.path("a", "c", trusted=["b"]))


class NoPathRuleTest(unittest.TestCase):
    def test_proven(self):
        s = Scenario(HEAD + cells("a", "b") + notify("a", "b") + rule("no_path", **{"from": "b", "to": "a"}))
        self.assertEqual((s.proven, s.lines), ([True], []))

    def test_violated_with_a_witness(self):
        s = Scenario(HEAD + cells("a", "b", "c") + notify("a", "b") + call("b", "c")
                     + rule("no_path", **{"from": "a", "to": "c"}))
        self.assertEqual(s.proven, [False])
        self.assertRegex(s.lines[0], r"^t\.toml:\d+: rule\[r\]: violated \(no_path\): "
                                     r"cell a can reach cell c; witness path:")
        self.assertRegex(s.lines[1], r"^    t\.toml:\d+: cell a signals cell b over 'a_b'$")
        self.assertRegex(s.lines[2], r"^    t\.toml:\d+: cell b calls cell c over 'b_c'$")

    def test_violated_through_a_transitive_grant(self):
        # a has no channel to d at all. b's reply can hand a b's own receive right, and then c's
        # grant over c_b reaches a directly: a can come to hold c's capability to signal d.
        s = Scenario(HEAD + cells("a", "b", "c", "d") + notify("c", "d") + call("c", "b", "grant = true")
                     + call("a", "b", "grant_reply = true")
                     + rule("no_path", **{"from": "a", "to": "d", "trusted": ["b"]}))
        self.assertEqual(s.proven, [False])
        text = "\n".join(s.lines)
        self.assertIn("cell a signals cell d over 'c_d'", text)
        self.assertIn("cell c is given the notification of cell d", text)
        self.assertIn("cell c can pass it to cell a in a call (grant) over 'c_b'", text)
        # ... and the witness says how a came to receive on b's endpoint.
        self.assertIn("cell b can pass it to cell a in a reply (grant_reply) over 'a_b'", text)
        self.assertTrue(s.holds("a", proof.ENDPOINT, "b", layout.RIGHT_READ))

    def test_each_violating_pair_is_reported(self):
        s = Scenario(HEAD + cells("a", "b", "c") + notify("a", "b") + notify("a", "c")
                     + rule("no_path", **{"from": "a", "to": ["b", "c"]}))
        self.assertEqual(len([line for line in s.lines if "violated" in line]), 2)


class OnlyCallersRuleTest(unittest.TestCase):
    def test_proven(self):
        s = Scenario(HEAD + cells("a", "b", "c") + call("a", "b") + call("b", "c")
                     + rule("only_callers", callee="b", callers=["a"]))
        self.assertEqual(s.proven, [True])

    def test_violated_by_a_declared_client(self):
        s = Scenario(HEAD + cells("a", "b", "c") + call("a", "b") + call("c", "b")
                     + rule("only_callers", callee="b", callers=["a"]))
        self.assertEqual(s.proven, [False])
        self.assertIn("cell c can call cell b; how:", s.lines[0])

    def test_violated_by_a_capability_passed_on_twice(self):
        s = Scenario(HEAD + cells("a", "b", "c", "d") + call("a", "b", "grant = true") + call("a", "c", "grant = true")
                     + call("c", "d", "grant = true") + rule("only_callers", callee="b", callers=["a"]))
        self.assertEqual(s.proven, [False])
        callers = sorted(re.search(r"cell (\w+) can call cell b", line).group(1)
                         for line in s.lines if "can call cell b" in line)
        self.assertEqual(callers, ["c", "d"])

    def test_nobody_may_call(self):
        s = Scenario(HEAD + cells("a", "b") + rule("only_callers", callee="b", callers=[]))
        self.assertEqual(s.proven, [True])


class ExclusiveMapRuleTest(unittest.TestCase):
    REGION = '[[region]]\nname = "k"\nsize = "4K"\n'

    def test_proven(self):
        s = Scenario(HEAD + self.REGION + cells("a") + region_map("k", 0x40000000, "r") + cells("b")
                     + rule("exclusive_map", region="k", mapper="a"))
        self.assertEqual(s.proven, [True])

    def test_two_mappers(self):
        s = Scenario(HEAD + self.REGION + cells("a") + region_map("k", 0x40000000, "r") + cells("b")
                     + region_map("k", 0x40000000, "r") + rule("exclusive_map", region="k"))
        self.assertEqual(s.proven, [False])
        self.assertIn("but cell a, cell b can", s.lines[0])

    def test_frames_passed_on_in_a_reply(self):
        s = Scenario(HEAD + self.REGION + cells("a") + region_map("k", 0x40000000, "r", "frame_caps = true")
                     + cells("b") + call("b", "a", "grant_reply = true")
                     + rule("exclusive_map", region="k", mapper="a"))
        self.assertEqual(s.proven, [False])
        self.assertIn("cell a can pass it to cell b in a reply (grant_reply) over 'b_a'", "\n".join(s.lines))

    def test_frames_that_stay_put_are_fine(self):
        s = Scenario(HEAD + self.REGION + cells("a") + region_map("k", 0x40000000, "r", "frame_caps = true")
                     + cells("b") + call("b", "a") + rule("exclusive_map", region="k", mapper="a"))
        self.assertEqual(s.proven, [True])

    def test_unmapped(self):
        s = Scenario(HEAD + self.REGION + cells("a") + rule("exclusive_map", region="k"))
        self.assertIn("nothing maps region k", s.lines[0])


class PlanTest(unittest.TestCase):
    def test_slots_badges_and_bits(self):
        s = Scenario(HEAD + cells("a", "b") + call("a", "b", "badge = 2") + call("b", "a") + notify("a", "b", "ping")
                     + '\n[[channel]]\nname = "second"\nkind = "call"\nclient = "a"\nserver = "b"\n')
        a, b = (s.plans[s.thing(n)] for n in ("a", "b"))
        self.assertEqual((b.endpoint_slot, b.reply_slot, b.notification_slot), (2, 3, 4))
        badges = {e.name: e.badge for e in b.ends if e.kind == caps.CALL_SERVER}
        self.assertEqual(badges, {"a_b": 2, "second": 1})        # explicit first, then the lowest free
        self.assertEqual([e.slot for e in a.ends], [4, 2, 5, 6])  # a serves b_a: endpoint 2, reply 3
        self.assertEqual(a.cnode_radix, 4)


if __name__ == "__main__":
    unittest.main()
