"""Symmetry reduction against the plain search and against brute force over permutations.

For random specs over a symmetric type (symgen.py) and for twophase, the reduced search must
store exactly one state per orbit of the reachable states (orbits computed by trying every
permutation on plain values: checker.ir.symmetry.permute_plain, not the generated
permutation code under test), every representative must be a permutation of a reachable
state, generated must be what the plain search generates from one state per orbit, the
verdicts must be the same, and every counterexample must be a real trace of the spec as
short as the plain one. The symmetry check itself: each way of telling two values of a
symmetric type apart is refused with KOV212.
"""
from __future__ import annotations

import itertools
import random

import pytest

from checker import api
from checker.compile.symmetry import generic_permute
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, Status, Verdict, explore
from checker.engine.dfs import reachable_graph
from checker.engine.model import ModelError
from checker.engine.parallel import explore_parallel

from symgen import symmetric_spec  # tests/engine is on sys.path (rootdir-less import)

SEEDS = range(60)


def compile_variants(path, consts=None):
    compiled, _ = api.compile_spec(str(path), api.parse_consts(consts or []))
    return {v.name: m for v, m in compiled}


def all_perms(model):
    sym = model.symmetry
    return list(itertools.product(*(list(itertools.permutations(range(n))) for n in sym.sizes)))


def brute_permute(model, state, perm):
    """`state` with the symmetric values renamed, by decoding every variable."""
    sym = model.symmetry
    groups = {}
    for v in model.spec.vars:
        from checker.ir.symmetry import symmetric_types
        for s in symmetric_types(v.t):
            groups[s.name] = s
    out = 0
    for i, v in enumerate(model.spec.vars):
        code = model.layout.field(state, i)
        new = generic_permute(v.t, code, [list(p) for p in perm], groups, list(sym.names))
        out |= new << model.layout.offset(i)
    return out


def orbit_key(model, state, perms):
    return min(brute_permute(model, state, p) for p in perms)


def closure(model):
    """The representatives the reduced search must store: canonical initial states and
    canonical successors, to a fixed point (no limits, no early stop)."""
    canon = model.symmetry.canonical
    seen = {}
    todo = []
    for s in model.init_states():
        c = canon(s)
        if c not in seen:
            seen[c] = None
            todo.append(c)
    generated = len(list(model.init_states()))
    while todo:
        s = todo.pop()
        if model.has_constraint and not model.within_constraint(s):
            continue
        for _, t in model.successors(s):
            generated += 1
            c = canon(t)
            if c not in seen:
                seen[c] = None
                todo.append(c)
    return set(seen), generated


def check_trace_is_real(model, trace, prop_index):
    steps = trace.steps
    assert steps[0].state in set(model.init_states())
    for a, b in zip(steps, steps[1:]):
        assert (b.label, b.state) in set(model.successors(a.state)), "a step that is not a transition"
    if prop_index is not None:
        kind = model.properties[prop_index].kind
        bad = model.check_state(steps[-1].state)
        assert (prop_index in bad) == (kind in ("invariant", "reachable"))


def compare(plain, sym):
    try:
        reach = reachable_graph(plain)
    except ModelError:
        return
    if not reach.complete:
        return
    perms = all_perms(sym)
    orbits = {orbit_key(sym, s, perms) for s in reach.states}
    try:
        reps, generated = closure(sym)
    except ModelError:
        return
    rep_keys = [orbit_key(sym, c, perms) for c in reps]
    # sound: every representative is a permutation of a reachable state
    assert set(rep_keys) <= orbits
    # exact: one representative per orbit
    assert len(set(rep_keys)) == len(rep_keys) == len(orbits)
    # the canonical form is a function of the orbit
    rng = random.Random(0)
    for s in rng.sample(sorted(reach.states), min(20, len(reach.states))):
        p = rng.choice(perms)
        assert sym.symmetry.canonical(brute_permute(sym, s, p)) == sym.symmetry.canonical(s)
    # the generated canonical function is the engine's sort by signatures, written out
    if sym.symmetry.complete:
        for s in reach.states:
            assert sym.symmetry.canonical(s) == sym.symmetry._sorted(s)
    # the engine
    a, b = explore(plain), explore(sym)
    assert a.verdict == b.verdict
    if a.verdict is Verdict.ERROR:
        return
    assert [(p.name, p.status) for p in a.properties] == [(p.name, p.status) for p in b.properties]
    for i, (pa, pb) in enumerate(zip(a.properties, b.properties)):
        if pa.trace is not None:
            assert len(pa.trace) == len(pb.trace)
            check_trace_is_real(sym, pb.trace, i if i < len(sym.properties) else None)
    if a.stopped is None and b.stopped is None and a.limit is None:
        assert b.stats.distinct == len(reps)
        assert b.stats.generated == generated
        # the reduced search reaches an orbit at the depth of its nearest state; from
        # initial states that single out elements (symgen's `mark`, `nics`, `cur`), a
        # permutation of a state may lie nearer than the state, and the reduced graph is
        # then shallower (never deeper); from symmetric initial states the depths agree
        inits = set(plain.init_states())
        if all(brute_permute(sym, s, p) in inits for s in inits for p in perms):
            assert b.stats.depth == a.stats.depth
        else:
            assert b.stats.depth <= a.stats.depth


@pytest.mark.parametrize("seed", SEEDS)
def test_random_symmetric_specs_reduce_to_one_state_per_orbit(seed, tmp_path):
    path = tmp_path / "sym.kovn"
    path.write_text(symmetric_spec(seed))
    models = compile_variants(path)
    compare(models["plain"], models["sym"])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_twophase_symmetric_is_exact_against_brute_force(n):
    models = compile_variants("models/twophase.kovn", [f"N={n}"])
    compare(models["plain"], models["symmetric"])


def test_twophase_symmetric_counts_of_tlc():
    # TLC with SYMMETRY Permutations(RM) (conformance of issue 8): N=5: 314 / 2,048.
    model = compile_variants("models/twophase.kovn", ["N=5"])["symmetric"]
    result = explore(model)
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (314, 2048, 17)
    assert result.verdict is Verdict.OK


def test_symmetric_counterexample_is_a_real_trace(tmp_path):
    path = tmp_path / "s.kovn"
    path.write_text("""spec s
type S = symmetric 1..4
var up: set[S]
var leader: option[S]
init { up := {}  leader := none }
action Up(r: S) { require r not in up  up := up | {r} }
action Lead(r: S) { require r in up and leader == none  leader := some(r) }
action Down(r: S) { require r in up  up := up - {r} }
invariant LeaderUp: leader == none or get(leader) in up
variant plain {}
variant sym { symmetry S }
""")
    models = compile_variants(path)
    a, b = explore(models["plain"]), explore(models["sym"])
    pa, pb = a.properties[0], b.properties[0]
    assert pa.status is pb.status is Status.VIOLATED
    assert len(pa.trace) == len(pb.trace) == 4
    check_trace_is_real(models["sym"], pb.trace, 0)
    assert b.stats.distinct < a.stats.distinct


def test_symmetry_with_workers_gives_the_same_counts():
    model = compile_variants("models/twophase.kovn", ["N=5"])["symmetric"]
    one, two = explore(model), explore_parallel(model, CheckOptions(), 2)
    assert (one.stats.distinct, one.stats.generated, one.stats.depth) == \
        (two.stats.distinct, two.stats.generated, two.stats.depth) == (314, 2048, 17)


# ---------------------------------------------------------------- the check

BAD_USES = {
    "literal": "action X(r: S) { require r != 1 }",
    "arithmetic": "action X(r: S) { x := some(r + 1) }",
    "order": "action X(r: S, q: S) { require r < q }",
    "int key": "action X { m[1] := true }",
    "int range": "action X(r in 1..3) { m[r] := true }",
    "min": "action X { require len(y) > 0 and min(y) in y }",
    "for": "action X { for r in S { x := some(r) } }",
    "least": "action X { choose least r: S where true  x := some(r) }",
    "constant": "const C: set[S] = {1}\naction X(r: S) { require r in C }",
    "comprehension key": "action X { w := {true: r for r in S} }",
}


@pytest.mark.parametrize("use", sorted(BAD_USES))
def test_uses_that_tell_values_apart_are_refused(use, tmp_path):
    path = tmp_path / "bad.kovn"
    path.write_text("spec s\ntype S = symmetric 1..3\nvar x: option[S]\nvar y: set[S]\n"
                    "var m: map[S, bool]\nvar w: map[bool, S]\n"
                    "init { x := none  y := {}  m := {}  w := {} }\n" + BAD_USES[use] + "\n")
    with pytest.raises(DiagnosticError) as err:
        api.compile_spec(str(path))
    codes = {d.code for d in err.value.diagnostics}
    assert codes == {"KOV212"}


def test_allowed_uses_pass_the_check(tmp_path):
    path = tmp_path / "ok.kovn"
    path.write_text("""spec s
type S = symmetric 1..3
type M = P(S) | Q
const ALL: set[S] = S
var x: option[S]
var y: set[S]
var m: S -> bool
var q: seq[S, 2]
var msgs: set[M]
init { x := none  y := {}  m := {r: false for r in S}  q := []  msgs := {} }
action A(r: S, o: S) {
  require r != o and r in ALL and (x == none or x == some(o)) and len(y) < 3
  require forall t in S: m[t] or t != r
  y := y | {r}
  m[r] := not m[o]
  msgs := msgs | {P(r)}
  if len(q) < 2 { q := append(q, o) }
}
invariant I: forall t in y: P(t) in msgs
variant sym { symmetry S }
""")
    compiled, _ = api.compile_spec(str(path))
    assert compiled[0][1].symmetry is not None


def test_symmetry_of_a_type_not_declared_symmetric_is_refused(tmp_path):
    path = tmp_path / "v.kovn"
    path.write_text("spec s\ntype S = 1..3\nvar x: S\ninit { x := 1 }\nvariant v { symmetry S }\n")
    with pytest.raises(DiagnosticError) as err:
        api.compile_spec(str(path))
    assert {d.code for d in err.value.diagnostics} == {"KOV406"}


@pytest.mark.parametrize("seed", SEEDS[:40])
def test_symmetry_that_does_not_pay_gives_the_full_search(seed, tmp_path, monkeypatch):
    """When symmetry reduction gives up (engine/symmetry.py pays: forced here on every
    random spec), the search starts again without it: the result is the unreduced search's,
    counts, verdicts and trace lengths, with a note saying so."""
    from checker.engine.symmetry import Symmetry
    path = tmp_path / "sym.kovn"
    path.write_text(symmetric_spec(seed))
    models = compile_variants(path)
    monkeypatch.setattr(Symmetry, "pays", lambda self: "forced by the test")
    plain, sym = explore(models["plain"]), explore(models["sym"])
    assert sym.symmetry_off == "forced by the test" and not sym.symmetry
    assert (sym.verdict, sym.limit) == (plain.verdict, plain.limit)
    assert [(p.name, p.status, None if p.trace is None else len(p.trace)) for p in sym.properties] == \
        [(p.name, p.status, None if p.trace is None else len(p.trace)) for p in plain.properties]
    assert (sym.stats.distinct, sym.stats.generated, sym.stats.depth) == \
        (plain.stats.distinct, plain.stats.generated, plain.stats.depth)
