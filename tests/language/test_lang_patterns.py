"""The language of issue 16, each feature against an equivalent spec written without it (the
obviously correct reference): alternatives of several values and patterns, record values and
field defaults, require and choose inside `for`, fairness on partly bound actions, temporal
conjunctions, powerset; and the diagnostics a newcomer meets (reserved names, a one-member
enum, a missing import, errors inside macros, a misspelt option). The random cross-check of
the compiled model against the interpreter (tests/property) covers the same constructs on
generated specs.
"""
from __future__ import annotations

from checker.engine import Status


def counts(r) -> tuple[int, int, int]:
    st = r.result.stats
    return st.distinct, st.generated, st.depth


def statuses(r) -> dict[str, Status]:
    return {p.name: p.status for p in r.result.properties}


def same_search(a, b) -> None:
    assert counts(a) == counts(b)
    assert statuses(a) == statuses(b)


# ---------------------------------------------------------------- patterns

PATTERNS = """
    type Msg = Idle | Two(0..2, bool) | Named(x: 0..2, y: bool)
    var inbox: set[Msg] = {Two(0, true), Named(x: 1, y: false), Idle}
    var total: 0..9 = 0
    action Take(m in inbox) {
      match m {
        Two(a, b) => { total := total + a + (if b then 1 else 0) }
        Named(a, _) => { total := total + a }
        _ => { skip }
      }
      inbox := inbox - {m}
    }
    action Only(m in inbox) {
      let Two(a, _) = m
      total := a
    }
    def twos: set[0..2] = {a for Two(a, _) in inbox}
    invariant Small: total <= 9
    reachable Seen: 0 in twos and total == 2
    allow deadlock
"""

# The same spec with one-value alternatives holding records, and `match` expressions only.
PATTERNS_BY_HAND = """
    type P = {a: 0..2, b: bool}
    type Q = {x: 0..2, y: bool}
    type Msg = Idle | Two(P) | Named(Q)
    var inbox: set[Msg] = {Two(P(a: 0, b: true)), Named(Q(x: 1, y: false)), Idle}
    var total: 0..9 = 0
    action Take(m in inbox) {
      total := total + (match m { Two(p) => p.a + (if p.b then 1 else 0), Named(q) => q.x, _ => 0 })
      inbox := inbox - {m}
    }
    action Only(m in inbox) {
      require match m { Two(p) => true, _ => false }
      total := match m { Two(p) => p.a, _ => 0 }
    }
    def twos: set[0..2] = {match m { Two(p) => p.a, _ => 0 } for m in inbox if match m { Two(p) => true, _ => false }}
    invariant Small: total <= 9
    reachable Seen: 0 in twos and total == 2
    allow deadlock
"""


def test_patterns_are_their_match_expressions(kovn):
    same_search(kovn.one(PATTERNS), kovn.one(PATTERNS_BY_HAND))


def test_values_of_an_alternative_are_shown_as_written(kovn):
    r = kovn.one("""
        type Msg = Idle | Two(0..2, bool) | Named(x: 0..2, y: bool)
        var m: Msg = Idle
        action Send { require m == Idle   m := Two(1, true) }
        action Name { require m == Two(1, true)   m := Named(y: false, x: 2) }
        invariant Never: m != Named(2, false)
        allow deadlock
    """)
    run = kovn.cli([kovn.tmp / "spec1.kovn", "--no-progress"])
    assert "m: Idle -> Two(1, true)" in run.out
    assert "m: Two(1, true) -> Named(x: 2, y: false)" in run.out
    assert statuses(r)["Never"] is Status.VIOLATED


def test_a_pattern_naming_too_many_values_is_an_error(kovn):
    kovn.write("""
        type Msg = Idle | Two(0..2, bool)
        var m: Msg = Idle
        action A { let Two(a, b, c) = m  skip }
    """, "bad.kovn")
    run = kovn.cli([kovn.tmp / "bad.kovn"])
    assert run.code == 150 and "error[KOV204]: 'Two' carries 2 values, the pattern names 3" in run.err


# ---------------------------------------------------------------- records

def test_record_values_and_defaults_are_the_named_constructor(kovn):
    a = kovn.one("""
        type R = {n: 0..2, up: bool = false}
        var r: R = R(n: 0)
        action Inc { require r.n < 2   r := (up: true, n: r.n + 1) }
        reachable Top: r == (n: 2, up: true)
        allow deadlock
    """)
    b = kovn.one("""
        type R = {n: 0..2, up: bool}
        var r: R = R(n: 0, up: false)
        action Inc { require r.n < 2   r := R(n: r.n + 1, up: true) }
        reachable Top: r == R(n: 2, up: true)
        allow deadlock
    """)
    same_search(a, b)


def test_a_record_of_an_unbounded_field_is_an_error_not_a_crash(kovn):
    kovn.write("""
        type R = {a: int}
        var x: 0..3 = 0
        action A { require x < 3   x := min(R(a: x + 1).a, 3) }
    """, "bad.kovn")
    run = kovn.cli([kovn.tmp / "bad.kovn"])
    assert run.code == 150 and "error[KOV207]: field 'a' of this record has type int" in run.err


# ---------------------------------------------------------------- require and choose in for

def test_a_require_in_a_loop_disables_the_whole_step(kovn):
    loop = kovn.one("""
        var x: 1..3 -> 0..2 = {n: 0 for n in 1..3}
        action IncAll { for n in 1..3 { require x[n] < 2   x[n] := x[n] + 1 } }
        action Reset(n: 1..3) { x[n] := 0 }
        allow deadlock
    """)
    guard_first = kovn.one("""
        var x: 1..3 -> 0..2 = {n: 0 for n in 1..3}
        action IncAll { require forall n in 1..3: x[n] < 2   for n in 1..3 { x[n] := x[n] + 1 } }
        action Reset(n: 1..3) { x[n] := 0 }
        allow deadlock
    """)
    same_search(loop, guard_first)


def test_a_choose_in_a_loop_forks_per_element(kovn):
    loop = kovn.one("""
        var s: set[1..3] = {}
        var done: bool = false
        action Pick {
            require not done
            for n in 1..3 { choose keep in {true, false}  if keep { s := s | {n} } }
            done := true
        }
        allow deadlock
    """)
    # one step, 2^3 successors: every subset
    assert counts(loop) == (9, 9, 2)


# ---------------------------------------------------------------- fairness on bound instances

BOUND = """
    type P = 0..1
    type Slot = 0..1
    var wrote: set[Slot] = {}
    var ready: set[P] = {}
    action Ready(p: P) { require p not in ready   ready := ready | {p} }
    action Write(p: P, s: Slot) { require p in ready and s not in wrote   wrote := wrote | {s} }
    action Undo(s: Slot) { require s in wrote   wrote := wrote - {s} }
    temporal One: always eventually 1 in wrote
    fair weak Ready(*)
    allow deadlock
"""


def test_fairness_on_bound_instances_is_fairness_of_a_narrower_action(kovn):
    """`fair strong Write(*, 1)` against the same spec with the instances of slot 1 written as
    their own action (WriteOne) under `fair strong WriteOne(*)`."""
    bound = kovn.one(BOUND + "fair strong Write(*, 1)\n")
    narrower = kovn.one(BOUND.replace(
        "action Undo", "action WriteOne(p: P) { require p in ready and 1 not in wrote   wrote := wrote | {1} }\n"
                       "    action Undo").replace("require p in ready and s not in wrote",
                                                  "require p in ready and s not in wrote and s != 1")
        + "fair strong WriteOne(*)\n")
    assert statuses(bound)["One"] is Status.HOLDS
    assert statuses(narrower)["One"] is Status.HOLDS
    unfair = kovn.one(BOUND + "fair strong Write(*, 0)\n")
    assert statuses(unfair)["One"] is Status.VIOLATED


# ---------------------------------------------------------------- temporal conjunctions

def test_a_conjunction_holds_when_each_conjunct_does(kovn):
    spec = """
        var x: 0..2 = 0
        action Inc { require x < 2   x := x + 1 }
        temporal NAME: FORMULA
        fair weak Inc
        allow deadlock
    """
    both = kovn.one(spec.replace("NAME", "Both").replace("FORMULA", "(eventually x == 2) and (always x <= 2)"))
    assert statuses(both)["Both"] is Status.HOLDS
    one_fails = kovn.one(spec.replace("NAME", "Mixed").replace("FORMULA", "(eventually x == 2) and (always x < 2)"))
    (p,) = [p for p in one_fails.result.properties if p.name == "Mixed"]
    assert p.status is Status.VIOLATED and p.instance == "always x < 2"


# ---------------------------------------------------------------- powerset

def test_powerset_is_every_subset(kovn):
    r = kovn.one("""
        var chosen: set[set[1..3]] = {}
        action Pick(s in powerset(1..3)) { require s not in chosen   chosen := chosen | {s} }
        invariant Sizes: len(powerset({1, 2})) == 4 and {} in powerset({3}) and {3} in powerset({3})
        reachable All: len(chosen) == 8
        allow deadlock
        acknowledge vacuous Sizes
    """)
    assert statuses(r) == {"Sizes": Status.HOLDS, "All": Status.HOLDS}


# ---------------------------------------------------------------- a newcomer's diagnostics

def test_a_keyword_or_builtin_as_a_name_says_so(kovn):
    kovn.write("var x: 0..3 = 0\naction Step(last: 0..1) { x := last }\n", "a.kovn")
    run = kovn.cli([kovn.tmp / "a.kovn"])
    assert "error[KOV109]: 'last' is a built-in name and cannot be used as a name" in run.err
    kovn.write("var in: bool = false\n", "b.kovn")
    run = kovn.cli([kovn.tmp / "b.kovn"])
    assert "error[KOV109]: 'in' is a keyword and cannot be used as a name" in run.err
    kovn.write("action A { let in = 3 }\n", "c.kovn")
    run = kovn.cli([kovn.tmp / "c.kovn"])
    assert run.code == 150 and "'in' is a keyword" in run.err


def test_a_one_member_enum_without_its_bar_is_one_error_with_a_hint(kovn):
    kovn.write("type H = q\nvar h: H = q\naction A { require h == q   h := q }\nallow deadlock\n", "e.kovn")
    run = kovn.cli([kovn.tmp / "e.kovn"])
    assert run.err.count("error[") == 1
    assert "a type with one member is written `type H = | q`" in run.err


def test_a_name_of_the_library_suggests_its_import(kovn):
    kovn.write("type Name = | db\naction D { require present(db)   delete(db) }\n", "k.kovn")
    run = kovn.cli([kovn.tmp / "k.kovn"])
    assert "hint: 'present' is declared by the library: add `import \"k8s\"`" in run.err
    assert "hint: 'delete' is declared by the library: add `import \"k8s\"`" in run.err


def test_errors_inside_macros_name_the_calls(kovn):
    kovn.write("""
        var x: 0..3 = 0
        macro bump(n: 0..5) { x := x + n }
        macro twice(n: 0..5) {
          bump(n)
          bump(n)
        }
        action A { twice(2) }
        allow deadlock
    """, "m.kovn")
    run = kovn.cli([kovn.tmp / "m.kovn"])
    assert "error[KOV501]: value 4 is outside 0..3" in run.err
    assert "note: in bump(n), called from m.kovn:5:3" in run.err.replace(str(kovn.tmp) + "/", "")
    assert "note: in twice(2), called from m.kovn:7:12" in run.err.replace(str(kovn.tmp) + "/", "")
    kovn.write("""
        var x: 0..3 = 0
        macro bump(n: 0..5) { x := y + n }
        action A { bump(1) }
    """, "n.kovn")
    run = kovn.cli([kovn.tmp / "n.kovn"])
    assert "error[KOV101]: name 'y' is not defined" in run.err
    assert "note: in bump(1), called from" in run.err


def test_a_misspelt_option_gets_the_option_meant(kovn):
    run = kovn.cli(["x.kovn", "--varient", "v"])
    assert run.code == 151 and "(did you mean --variant?)" in run.err
