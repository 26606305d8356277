"""Language features on behaviour, each checked through real exploration: let and
if-then-else expressions, quantifiers with several binders, `choose` in actions, parameters
over a state-dependent set, definitions (also in constants), action properties with primes,
`reachable` properties, `constraint`, and the deadlock settings.

Counts are worked out by hand in the comments.
"""
from __future__ import annotations

from checker.engine import Status, Verdict

from assertions import counts, statuses


def coverage(r) -> dict[str, int]:
    return {c.name: c.generated for c in r.result.stats.coverage}


CHOOSE = """
    spec misc
    var s: set[1..4]
    var x: 0..4
    init { s := {1, 3}  x := 0 }
    action Pick {
      choose v in s
      x := v
    }
    action Drop(v in s) {
      require len(s) > 1
      s := s - {v}
    }
    action Calc {
      let d = if x > 2 then 1 else 0
      x := let y = x - d: if y < 0 then 0 else y
    }
    invariant Pairs: forall a in s, b in s: a == b or a + b == 4
    invariant Witness: exists a in 1..4, b in s: a > b or b == 4
    reachable Two: x == 2
    allow deadlock
"""


def test_choose_let_if_and_state_dependent_parameters(kovn):
    r = kovn.one(CHOOSE)
    # s: {1,3}, then Drop removes one element (only while len(s) > 1): {1} or {3}.
    # x: Pick sets it to an element of s (1 or 3), Calc turns 3 into 2: x in {0, 1, 2, 3}
    # with every s: 3 * 4 = 12 states.
    # Generated (per action): Pick, one successor per element of s: 4 states * 2 + 8 * 1 = 16;
    # Drop(v in s): only s = {1,3}, 2 instances: 4 * 2 = 8; Calc always: 12; + 1 initial = 37.
    # Depth: ({1,3},0) -Pick-> x=3 -Calc-> x=2 -Drop-> ...: 4 levels.
    assert counts(r) == (12, 37, 4)
    assert coverage(r) == {"Pick": 16, "Drop": 8, "Calc": 12}
    assert statuses(r) == {"Pairs": Status.HOLDS, "Witness": Status.HOLDS, "Two": Status.HOLDS}
    two = r.result.properties[2].trace
    assert [s.action for s in two.steps] == [None, "Pick", "Calc"]


def test_quantifiers_with_several_binders_can_fail(kovn):
    r = kovn.one("""
        spec quant
        var s: set[0..3]
        init { s := {0} }
        action Add(x: 0..3) { s := s | {x} }
        invariant NoSumFive: not (exists a in s, b in s, c in 0..1: a + b + c == 5)
        invariant Ordered: forall a in s, b in s: a <= b or a > b
        allow deadlock
    """)
    # One step from {0} gives {0, x}; a + b + c == 5 needs x = 2 (2 + 2 + 1): x = 1 reaches
    # at most 3, x = 3 gives 0, 1, 3, 4, 6, 7. So the shortest trace is Add(2): 2 states.
    props = {p.name: p for p in r.result.properties}
    assert props["NoSumFive"].status is Status.VIOLATED
    assert [s.action for s in props["NoSumFive"].trace.steps] == [None, "Add(2)"]
    assert props["Ordered"].status is Status.HOLDS


def test_definitions_with_parameters_also_in_constants(kovn):
    r = kovn.one("""
        spec defs
        def double(n: int): int = 2 * n
        def quad(n: int): int = double(double(n))
        const M: int = quad(3)
        var x: 0..M
        init { x := M - 2 }
        def room: int = M - x
        action A { require room > 0  x := x + 1 }
        invariant AtLeast: x >= 10
        allow deadlock
    """)
    # M = 12; x: 10, 11, 12: 3 states, 1 + 2 = 3 generated, depth 3.
    assert counts(r) == (3, 3, 3)
    assert r.result.verdict is Verdict.OK


ACTIONS = """
    spec act
    const MAX: int = 3
    var x: 0..5
    var y: 0..5
    init { x := 0  y := 0 }
    action Inc {
      require x < MAX
      x := x + 1
    }
    action Jump {
      require x == 2
      y := 5
    }
    action property Mono: x' >= x
    action property YStep: y' == y or y' == y + 1
    reachable X3: x == 3
    reachable Never: x == 5
    constraint Small: y < 5
    check deadlock
"""


def test_action_properties_reachable_and_constraint(kovn):
    r = kovn.one(ACTIONS)
    # (0,0) (1,0) (2,0) (3,0), and Jump: (2,5), which is outside the constraint: counted and
    # checked, not expanded (so it is no deadlock). Generated: 1 + 1 + 1 + 2 (Inc, Jump) + 0.
    # (3,0) has no successor: a deadlock, 4 states deep.
    assert counts(r) == (5, 5, 4)
    st = statuses(r)
    assert st == {"Mono": Status.HOLDS, "YStep": Status.VIOLATED, "X3": Status.HOLDS,
                  "Never": Status.VIOLATED, "deadlock": Status.VIOLATED}
    props = {p.name: p for p in r.result.properties}
    # An action property's counterexample ends with the violating step itself.
    assert [s.action for s in props["YStep"].trace.steps] == [None, "Inc", "Inc", "Jump"]
    assert [s.action for s in props["X3"].trace.steps] == [None, "Inc", "Inc", "Inc"]
    assert props["Never"].trace is None         # never reached: nothing to show
    assert [s.action for s in props["deadlock"].trace.steps] == [None, "Inc", "Inc", "Inc"]


def test_a_violated_reachable_property_is_only_decided_by_a_complete_search(kovn):
    r = kovn.one(ACTIONS, max_states=3)
    assert r.result.verdict is Verdict.INCOMPLETE
    assert statuses(r)["Never"] is Status.UNKNOWN


def test_allow_deadlock(kovn):
    r = kovn.one(ACTIONS.replace("check deadlock", "allow deadlock"))
    assert "deadlock" not in statuses(r)


def test_deadlock_is_checked_by_default(kovn):
    r = kovn.one(ACTIONS.replace("check deadlock", ""))
    assert statuses(r)["deadlock"] is Status.VIOLATED


def test_deadlock_options_override_the_spec(kovn):
    r = kovn.one(ACTIONS, check_deadlock=False)
    assert "deadlock" not in statuses(r)
    r = kovn.one(ACTIONS.replace("check deadlock", "allow deadlock"), check_deadlock=True)
    assert statuses(r)["deadlock"] is Status.VIOLATED


def test_constraint_bounds_exploration(kovn):
    r = kovn.one("""
        spec bounded
        var x: 0..100
        init { x := 0 }
        action Inc { require x < 100  x := x + 1 }
        constraint Below: x < 10
        allow deadlock
    """)
    # 0..9 expanded, 10 stored but not expanded: 11 states, 1 + 10 generated, 11 levels.
    assert counts(r) == (11, 11, 11)
    assert r.result.verdict is Verdict.OK


def test_sequential_assignment_reads_earlier_writes(kovn):
    r = kovn.one("""
        spec seq
        var x: 0..3
        var y: 0..3
        init { x := 0  y := 0 }
        action A {
          require x == 0
          x := 1
          y := x + 1
        }
        invariant Follows: y == 0 or y == x + 1
        allow deadlock
    """)
    # One step: (0,0) -> (1,2): y reads the x written just before.
    assert counts(r) == (2, 2, 2)
    assert r.result.verdict is Verdict.OK
