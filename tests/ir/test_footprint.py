"""Footprints (checker/ir/footprint.py): the places an action instance reads and writes.

Each case pins what the analysis must find for one construct, including the ones where it
must stay coarse to be sound (a sequence's membership, a key read from the state).
"""
from __future__ import annotations

from checker import api
from checker.compile.model import evaluate_closed
from checker.ir.footprint import action_footprint, expr_reads, overlap

SPEC = """
spec fp
type P = 1..3
var q: P -> set[P]
var s: seq[P, 3]
var m: map[P, bool]
var k: P
type R = {a: bool, b: bool}
var r: R
init {
  q := {i: {} for i in P}
  s := []
  m := {}
  k := 1
  r := R(a: false, b: false)
}
action Send(i: P, j: P) {
  require j not in q[i]
  q[i] := q[i] | {j}
}
action Push(i: P) {
  require len(s) < 3
  s := append(s, i)
}
action Head(i: P) {
  require len(s) > 0 and head(s) == i
  k := i
}
action Put(i: P) {
  m[i] := true
}
action Drop(i: P) {
  require i in keys(m)
  m := remove(m, i)
}
action AtK {
  m[k] := false
}
action SetA {
  r.a := true
}
invariant NotBoth: not (r.b and (2 in q[1]))
"""


def footprints(tmp_path):
    path = tmp_path / "fp.kovn"
    path.write_text(SPEC, encoding="utf-8")
    ((_, model),), _ = api.compile_spec(str(path))
    spec = model.spec
    index = {v.name: i for i, v in enumerate(spec.vars)}
    actions = {a.name: a for a in spec.actions}

    def fp(name, *values):
        return action_footprint(spec, actions[name], values, evaluate_closed)
    return spec, index, fp


def test_nested_set_elements_are_places_of_their_own(tmp_path):
    spec, v, fp = footprints(tmp_path)
    send = fp("Send", 1, 2)
    assert send.writes == {(v["q"], 1, 2)}
    assert (v["q"], 1, 2) in send.reads
    other = fp("Send", 1, 3)
    assert not any(overlap(a, b) for a in send.writes for b in other.reads | other.writes)


def test_map_keys_written_and_removed_by_parameter(tmp_path):
    spec, v, fp = footprints(tmp_path)
    assert fp("Put", 2).writes == {(v["m"], 2)}
    drop = fp("Drop", 2)
    assert drop.writes == {(v["m"], 2)} and (v["m"], 2) in drop.reads
    assert not any(overlap(a, b) for a in fp("Put", 1).writes for b in drop.reads | drop.writes)


def test_a_key_read_from_the_state_is_tried_over_its_type(tmp_path):
    # `m[k] := false` with k: 1..3 may write any of the three entries
    spec, v, fp = footprints(tmp_path)
    at = fp("AtK")
    assert at.writes == {(v["m"], 1), (v["m"], 2), (v["m"], 3)}
    assert (v["k"],) in at.reads


def test_a_sequence_is_read_and_written_whole_by_its_operations(tmp_path):
    spec, v, fp = footprints(tmp_path)
    assert (v["s"],) in fp("Head", 2).reads
    assert fp("Push", 1).writes == {(v["s"],)}


def test_record_fields_and_property_reads(tmp_path):
    spec, v, fp = footprints(tmp_path)
    assert fp("SetA").writes == {(v["r"], "a")}
    (prop,) = [p for p in spec.properties if p.name == "NotBoth"]
    reads = expr_reads(spec, prop.expr, evaluate_closed)
    assert reads == {(v["r"], "b"), (v["q"], 1, 2)}
    # SetA writes r.a, which the invariant does not read: it stays invisible
    assert not any(overlap(a, b) for a in fp("SetA").writes for b in reads)
