"""Language features on data, each checked through real exploration: records, sum types with
payloads and `match`, sets, total and partial maps, bounded sequences, options.

Every count is worked out by hand in the comment above its assertion; "generated" counts the
initial states plus every enabled action instance of every distinct state, as TLC does.
"""
from __future__ import annotations

from checker.engine import Status, Verdict

from assertions import counts, statuses


def trace_actions(trace) -> list[str | None]:
    return [s.action for s in trace.steps]


# ---------------------------------------------------------------- records

RECORDS = """
    spec rec
    type Obj = {a: 0..2, b: bool}
    var x: Obj
    var y: Obj = Obj(a: 1, b: true)
    init { x := Obj(a: 0, b: false) }
    action IncA {
      require x.a < 2
      x.a := x.a + 1
    }
    action Flip {
      x := x with {b: not x.b}
    }
    invariant Untouched: y.a == 1 and y.b and y == Obj(b: true, a: 1)
    reachable Both: x.a == 2 and x.b
    reachable Never: x.a == 3
    allow deadlock
"""


def test_records_construction_field_access_nested_assignment_and_with(kovn):
    r = kovn.one(RECORDS)
    # x ranges over all 3 * 2 values of Obj, y never changes: 6 states. Generated: 1 initial
    # + IncA in the 4 states with a < 2 + Flip in all 6 = 11. Depth: (0,F) -> (2,T) takes 3
    # steps, so 4 levels.
    assert counts(r) == (6, 11, 4)
    assert statuses(r) == {"Untouched": Status.HOLDS, "Both": Status.HOLDS, "Never": Status.VIOLATED}
    assert r.model.describe(r.result.properties[1].trace.steps[-1].state)["x"].items == (("a", 2), ("b", True))


def test_record_field_assignment_inside_a_map(kovn):
    r = kovn.one("""
        spec nested
        type Cell = {v: 0..1, seen: bool}
        var cells: 1..2 -> Cell
        init { cells := {k: Cell(v: 0, seen: false) for k in 1..2} }
        action Mark(k: 1..2) {
          require not cells[k].seen
          cells[k].seen := true
          cells[k].v := 1
        }
        invariant Tied: forall k in 1..2: cells[k].seen == (cells[k].v == 1)
    """)
    # Each cell goes unmarked -> marked once: 2 * 2 = 4 states, 1 + 2 + 1 + 1 = 5 generated,
    # depth 3; the fully marked state has no successor: a deadlock (checked by default).
    assert counts(r) == (4, 5, 3)
    assert statuses(r) == {"Tied": Status.HOLDS, "deadlock": Status.VIOLATED}
    assert len(r.result.properties[1].trace) == 3


# ---------------------------------------------------------------- sum types and match

SUMS = """
    spec sums
    type Msg = Req(0..2) | Ack(bool) | Stop
    var m: Msg
    var n: 0..2
    init { m := Stop  n := 0 }
    action Send(v: 0..2) {
      require m == Stop
      m := Req(v)
    }
    action Answer {
      n := match m { Req(v) => v, _ => n }
      m := match m { Req(v) => Ack(v > 0), Ack(b) => Stop, Stop => Stop }
    }
    invariant AckMeansPositive: match m { Ack(b) => b == (n > 0), _ => true }
    reachable AckFalse: m == Ack(false)
    allow deadlock
"""


def test_sum_types_with_payloads_and_match(kovn):
    r = kovn.one(SUMS)
    # m has 3 + 2 + 1 = 6 values, n 3. Statements run in order, so Answer reads the old m
    # for n. After Answer on Req(v): n = v and m = Ack(v > 0); n changes only there.
    # Reachable (m, n): Stop with n in 0..2 (3); Req(v) with any n (Send from any (Stop, n)):
    # 9; (Ack(false), 0), (Ack(true), 1), (Ack(true), 2): 3. Total 15.
    # Generated: 1 initial + Stop states: 3 Send + 1 Answer each = 12; Req: 1 each = 9;
    # Ack: 1 each = 3; total 25. Depth: (Stop,0) (Req(2),0) (Ack(true),2) (Stop,2)
    # (Req(1),2): 5 levels.
    assert counts(r) == (15, 25, 5)
    assert statuses(r) == {"AckMeansPositive": Status.HOLDS, "AckFalse": Status.HOLDS}


def test_match_arms_bind_payloads(kovn):
    r = kovn.one(SUMS.replace("b == (n > 0)", "b == (n > 1)"))
    # Ack(true) with n = 1 breaks it: (Stop,0) -Send(1)-> (Req(1),0) -Answer-> (Ack(true),1).
    (v,) = r.result.violations
    assert v.name == "AckMeansPositive"
    assert [s.action for s in v.trace.steps] == [None, "Send(1)", "Answer"]


# ---------------------------------------------------------------- sets

SETS = """
    spec sets
    var s: set[1..3]
    var t: set[1..3] = {2, 3}
    var y: 0..5 = 0
    init { s := {} }
    action Add(x: 1..3) {
      require x not in s
      s := s | {x}
    }
    action Clear {
      require s == {1, 2, 3}
      s := {}
    }
    action Step {
      y := (y + 1) % 6
    }
    invariant Inter: s & t <= t and s & t <= s
    invariant Diff: (s - t) & t == {} and len(s - t) <= 1
    invariant Comp: {x + 1 for x in s if x > 1} <= {3, 4}
    invariant MinMax: len(s) == 0 or (min(s) >= 1 and max(s) <= 3 and min(s) <= max(s))
    invariant Wide: 5 not in s and 0 not in s and -7 not in s and ((y in s) => (y >= 1 and y <= 3))
    invariant Union: s | t == t | s and len(s | t) >= len(t)
    invariant Strict: s < {1, 2, 3} or s == {1, 2, 3}
    reachable Subset: s >= t and s != t
    reachable YInS: y in s and y == 3
"""


def test_sets_operations(kovn):
    r = kovn.one(SETS)
    # s: every subset of 1..3 (8), y: 0..5 (6), t fixed: 48 states.
    # Generated: 1 + Add: (3 - |s|) per state, summed over subsets = 12, times 6 values of y
    # = 72; Clear: 1 subset * 6 = 6; Step: 48. Total 1 + 72 + 6 + 48 = 127.
    # Depth: s needs 3 steps to be full, y needs 5 to reach 5; independent: 3 + 5 + 1 = 9.
    assert counts(r) == (48, 127, 9)
    assert r.result.verdict is Verdict.OK
    assert set(statuses(r).values()) == {Status.HOLDS}


def test_set_properties_can_fail(kovn):
    r = kovn.one("""
        spec sets2
        var s: set[1..3]
        init { s := {1} }
        action Add(x: 1..3) { s := s | {x} }
        invariant NoTwo: 2 not in s
        invariant SmallSum: len({a + b for a in s, b in s}) <= 3
        allow deadlock
    """)
    # NoTwo fails after Add(2) (2 states); the sums of {1, 2, 3} are {2, ..., 6}: 5 values,
    # so SmallSum fails first in the full set, reached in 3 states ({1} -> {1,2} -> {1,2,3}).
    # ({1,2} gives {2,3,4} and {1,3} gives {2,4,6}: 3 values each.)
    props = {p.name: p for p in r.result.properties}
    assert props["NoTwo"].status is Status.VIOLATED and len(props["NoTwo"].trace) == 2
    assert props["SmallSum"].status is Status.VIOLATED and len(props["SmallSum"].trace) == 3


# ---------------------------------------------------------------- maps

MAPS = """
    spec maps
    type K = 1..3
    var total: K -> bool
    var part: map[K, 0..1]
    init { total := {k: false for k in K}  part := {} }
    action Put(k: K) {
      require k not in part
      part[k] := 1
      total[k] := true
    }
    action Zero(k in keys(part)) {
      part := part with {k: 0}
    }
    invariant KeysAgree: forall k in K: (k in part) == total[k]
    invariant Len: len(part) == len({k for k in K if total[k]})
    invariant Values: forall k in keys(part): part[k] <= 1
    allow deadlock
"""


def test_total_and_partial_maps(kovn):
    r = kovn.one(MAPS)
    # Each key is absent, 1 or 0 (in that order): 3^3 = 27 states; total follows part.
    # Generated: 1 + per key and state: Put if absent, Zero if present: exactly one of the
    # two for each of the 3 keys: 27 * 3 = 81; total 82. Depth: every key absent -> 1 -> 0:
    # 6 steps, 7 levels.
    assert counts(r) == (27, 82, 7)
    assert r.result.verdict is Verdict.OK


def test_reading_a_missing_key_is_a_runtime_error_with_a_trace(kovn):
    r = kovn.one("""
        spec missing
        var part: map[1..2, 0..1]
        var x: 0..1
        init { part := {}  x := 0 }
        action Put {
          require 1 not in part
          part[1] := 1
        }
        action Read {
          require 1 in part
          x := part[2]
        }
    """)
    # {} -Put-> {1: 1}; there Read reads key 2, which is absent.
    assert r.result.verdict is Verdict.ERROR
    failure = r.result.failure
    assert failure.message == "the map has no value at this key"
    assert (failure.origin.line, failure.origin.col, failure.origin.text()) == (11, 8, "part[2]")
    assert trace_actions(failure.trace) == [None, "Put"]
    assert not r.expectation_met


# ---------------------------------------------------------------- sequences

SEQS = """
    spec seqs
    var q: seq[0..1, 2]
    var o: option[0..1]
    init { q := []  o := none }
    action Push(v: 0..1) {
      require len(q) < 2
      q := append(q, v)
    }
    action Pop {
      require len(q) > 0
      o := some(head(q))
      q := tail(q)
    }
    action Clear {
      require is_some(o)
      o := none
    }
    invariant Last: len(q) == 0 or last(q) == q[len(q) - 1]
    invariant Head: len(q) == 0 or head(q) == q[0]
    invariant Opt: is_some(o) => get(o) <= 1
    reachable Pair: q == [1, 0]
"""


def test_bounded_sequences_and_options(kovn):
    r = kovn.one(SEQS)
    # q: sequences over 0..1 of length <= 2: 1 + 2 + 4 = 7; o: none, some(0), some(1): 3.
    # All 21 pairs are reachable. Generated: 1 + Push: 2 in the 9 states with len(q) < 2 = 18;
    # Pop: the 18 states with len(q) > 0; Clear: the 14 states with some o; total 51.
    # Depth: ([a, b], some(c)) needs push, pop, push, push (4 steps): 5 levels.
    assert counts(r) == (21, 51, 5)
    assert r.result.verdict is Verdict.OK


def test_append_beyond_the_bound_is_a_runtime_error(kovn):
    r = kovn.one("""
        spec full
        var q: seq[0..1, 2]
        init { q := [] }
        action Push { q := append(q, 1) }
    """)
    # [] -> [1] -> [1, 1]; the third append fails while expanding [1, 1].
    assert r.result.verdict is Verdict.ERROR
    assert r.result.failure.message == "append to a full sequence (at most 2 elements)"
    assert trace_actions(r.result.failure.trace) == [None, "Push", "Push"]
    assert r.result.failure.origin.line == 4


def test_sequence_index_out_of_range_and_get_of_none_are_runtime_errors(kovn):
    r = kovn.one("""
        spec idx
        var q: seq[0..1, 2]
        var x: 0..1
        init { q := [1]  x := 0 }
        action Read { x := q[1] }
    """)
    assert r.result.failure.message == "index 1 is outside the sequence (length 1)"
    r = kovn.one("""
        spec opt
        var o: option[0..1]
        var x: 0..1
        init { o := none  x := 0 }
        action Read { x := get(o) }
    """)
    assert r.result.failure.message == "get() of none"
    assert trace_actions(r.result.failure.trace) == [None]
