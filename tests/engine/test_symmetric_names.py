"""Symmetry over Kubernetes object names (docs/adr/0035-symmetric-object-names.md).

What the symmetry check accepts since object names became symmetric (and what it still
refuses), temporal properties left undecided under symmetry (never OK), `check --symmetry`,
and spec/ipam.kovn with two pods: the reduced search against the full one, level by level
(the same verdicts, one representative per orbit of the full search's states, and every
reduced counterexample a real trace of the full model, as short).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from checker import api
from checker.cli import main
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, Status, Verdict, explore

HEADER = """spec names
type S = symmetric 1..3
type Nic = {pod: S, index: 1..2}
type N = Pod(S) | Sub | Ip(Nic)
var nics: set[Nic]
var owned: map[Nic, bool]
var flags: map[N, bool]
var seen: set[S]
var latest: option[S]
var idx: map[1..2, S]
init { nics := {}  owned := {}  flags := {}  seen := {}  latest := none  idx := {} }
allow deadlock
variant sym { symmetry S }
"""

ACCEPTED = {
    "a comprehension keyed by its binder":
        "action X(r: S) { owned := {n: owned[n] for n in keys(owned) if n.pod != r} }",
    "a key built of the binders": "action X { owned := {Nic(pod: p, index: i): true for p in S, i in 1..2} }",
    "a payload key": "action X { flags := {Pod(p): true for p in S} }",
    "a for loop that adds to a set": "action X(r: S) { for n in nics { if n.pod != r { seen := seen | {n.pod} } } }",
    "a for loop that writes one constant": "action X { for n in nics { flags := flags with {Pod(n.pod): true} } }",
    "a for loop that removes": "action X { for n in nics { seen := seen - {n.pod} } }",
    "a for loop whose let decides a branch": (
        "action X { for n in nics { let old = none  if is_some(old) { latest := some(n.pod) } "
        "else { seen := seen | {n.pod} } } }"),
}

REFUSED = {
    "a key that loses the element": "action X { idx := {n.index: n.pod for n in nics} }",
    "a for loop that overwrites": "action X { for n in nics { latest := some(n.pod) } }",
    "a for loop that reads what it writes":
        "action X { for n in nics { if len(seen) < 1 { seen := seen | {n.pod} } } }",
    "a for loop that adds and removes": "action X(r: S) { for x in S { seen := seen | {x}  seen := seen - {r} } }",
    "a for loop that writes two constants": (
        "action X { for n in nics { if n.index == 1 { flags := flags with {Pod(n.pod): true} } "
        "else { flags := flags with {Pod(n.pod): false} } } }"),
    "a literal in an action": "action X { seen := {1} }",
    "a definition an action calls": "def first: set[S] = {1}\naction X { seen := first }",
}


def _compile(tmp_path, body: str):
    path = tmp_path / "names.kovn"
    path.write_text(HEADER + body + "\n")
    return api.compile_spec(str(path))


@pytest.mark.parametrize("use", sorted(ACCEPTED))
def test_uses_of_object_names_that_keep_them_interchangeable_pass(use, tmp_path):
    compiled, _ = _compile(tmp_path, ACCEPTED[use])
    assert compiled[0][1].symmetry is not None


@pytest.mark.parametrize("use", sorted(REFUSED))
def test_uses_that_single_out_an_object_are_still_refused(use, tmp_path):
    with pytest.raises(DiagnosticError) as err:
        _compile(tmp_path, REFUSED[use])
    assert {d.code for d in err.value.diagnostics} == {"KOV212"}


def test_initial_states_may_single_out_elements(tmp_path):
    """Only transitions and properties must be symmetric: the reduced search starts from
    the representatives of the initial states, and traces from the real ones."""
    text = HEADER.replace("seen := {}", "seen := first") + """def first: set[S] = {1}
action Add(r: S) { require r not in seen  seen := seen | {r} }
invariant Small: len(seen) < 3
"""
    path = tmp_path / "init.kovn"
    path.write_text(text.replace("variant sym { symmetry S }", "variant plain {}\nvariant sym { symmetry S }"))
    compiled, _ = api.compile_spec(str(path))
    models = {v.name: m for v, m in compiled}
    plain, sym = explore(models["plain"]), explore(models["sym"])
    assert plain.verdict is sym.verdict is Verdict.VIOLATED
    # plain: {1}, {1,2}, {1,3}, {1,2,3}; reduced: {1}, {1,2}, {1,2,3}
    assert (plain.stats.distinct, sym.stats.distinct) == (4, 3)
    trace = sym.properties[0].trace
    assert trace.steps[0].state in set(models["sym"].init_states())
    assert len(trace) == len(plain.properties[0].trace) == 3


def test_the_library_relist_and_the_ipam_spec_pass_the_check():
    # master_restart restarts the controller: the library's relist runs the spec's event
    # handlers in a `for` over every object name, whose iterations commute
    compiled, _ = api.compile_spec("spec/ipam.kovn", only=["master_restart"], symmetry=("PodId",))
    assert compiled[0][1].symmetry is not None


# ---------------------------------------------------------------- temporal properties

def _twophase(variant: str, symmetry=()):
    compiled, _ = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), only=[variant],
                                   symmetry=symmetry)
    return compiled[0][1]


def test_temporal_properties_are_unknown_under_symmetry_and_the_verdict_is_not_ok():
    full = explore(_twophase("fair"))
    reduced = explore(_twophase("fair", ("RM",)))
    assert full.verdict is Verdict.OK
    assert reduced.verdict is Verdict.INCOMPLETE and reduced.limit is None
    assert reduced.undecided == "temporal properties are not checked under symmetry reduction"
    kinds = {p.name: (p.kind, p.status) for p in reduced.properties}
    assert all(s is Status.UNKNOWN for k, s in kinds.values() if k == "liveness")
    assert any(k == "liveness" for k, _ in kinds.values())
    # the safety properties are decided, as in the full search
    assert {n: s for n, (k, s) in kinds.items() if k != "liveness"} == \
        {p.name: p.status for p in full.properties if p.kind != "liveness"}
    assert reduced.stats.distinct < full.stats.distinct


def test_a_safety_violation_under_symmetry_is_still_violated(tmp_path):
    path = tmp_path / "v.kovn"
    path.write_text("""spec v
type S = symmetric 1..3
var up: set[S]
init { up := {} }
action Up(r: S) { require r not in up  up := up | {r} }
invariant Few: len(up) < 2
temporal AllUp: eventually up == S
fair weak Up(*)
allow deadlock
""")
    compiled, _ = api.compile_spec(str(path), symmetry=("S",))
    res = explore(compiled[0][1])
    assert res.verdict is Verdict.VIOLATED
    assert [(p.name, p.status) for p in res.properties] == [("Few", Status.VIOLATED), ("AllUp", Status.UNKNOWN)]
    assert res.undecided is not None


def test_check_symmetry_on_the_command_line(capsys):
    code = main(["models/twophase.kovn", "--variant", "fair", "--const", "N=3", "--symmetry", "RM",
                 "--no-progress"])
    out = capsys.readouterr().out
    assert code == 152
    assert "temporal properties are not checked under symmetry reduction" in out
    assert "every other property is decided" in out
    code = main(["models/twophase.kovn", "--variant", "fair", "--const", "N=3", "--symmetry", "RM", "--json"])
    summary = json.loads(capsys.readouterr().out)["results"][0]
    assert code == 152 and summary["verdict"] == "incomplete" and summary["limit"] is None
    assert summary["undecided"] == "temporal properties are not checked under symmetry reduction"


def test_check_symmetry_of_an_unknown_type_is_a_bad_command_line(capsys):
    code = main(["models/twophase.kovn", "--symmetry", "Nope", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 151 and "KOV406" in err and "'Nope' is not a type" in err


def test_a_variant_expecting_holds_under_symmetry_with_temporals_is_not_met(capsys):
    text = open("models/twophase.kovn").read().replace("variant fair {", "variant fair {\n  symmetry RM")
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".kovn", delete=False, dir=".") as f:
        f.write(text)
    try:
        report = api.check(f.name, api.parse_consts(["N=3"]), only=["fair"])
    finally:
        import os
        os.unlink(f.name)
    r = report.results[0]
    assert not r.expectation_met
    assert any("not checked under symmetry" in m for m in r.mismatches)


# ---------------------------------------------------------------- ipam with two pods

def _ipam(variant: str, symmetry=()):
    compiled, _ = api.compile_spec("spec/ipam.kovn", api.parse_consts(["PODS=2"]), only=[variant],
                                   symmetry=symmetry)
    return compiled[0][1]


def _levels(model, depth: int) -> set:
    """The states of the full model at BFS levels 1..depth (a plain BFS over successors)."""
    seen = set(model.init_states())
    frontier = list(seen)
    for _ in range(depth - 1):
        nxt = []
        for s in frontier:
            for _, t in model.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    return seen


@pytest.mark.parametrize("variant, depth", [("fixed", 9), ("v1_12", 10)])
def test_ipam_with_two_pods_reduced_against_full(variant, depth):
    """To `depth` levels (the whole space has millions of states: docs/ipam.md, Bounds):
    the same verdicts, the reduced search stores one state per orbit of the full search's
    states, and each reduced counterexample is a real trace of the full model, as short."""
    full_model, sym_model = _ipam(variant), _ipam(variant, ("PodId",))
    options = CheckOptions(max_depth=depth)
    full, reduced = explore(full_model, options), explore(sym_model, options)
    safety = lambda r: [(p.name, p.status) for p in r.properties if p.kind != "liveness"]  # noqa: E731
    assert safety(full) == safety(reduced)
    canon = sym_model.symmetry.canonical
    states = _levels(full_model, depth)
    assert full.stats.distinct == len(states)
    assert reduced.stats.distinct == len({canon(s) for s in states}) < len(states)
    violated = [p for p in reduced.properties if p.status is Status.VIOLATED]
    if variant == "v1_12":
        assert {p.name for p in violated} == {"NoOrphanIP", "NoSubnetFinalizedInUse"}
    for p in violated:
        steps = p.trace.steps
        assert steps[0].state in set(full_model.init_states())
        for a, b in zip(steps, steps[1:]):
            assert (b.label, b.state) in set(full_model.successors(a.state))
        mate = next(q for q in full.properties if q.name == p.name)
        assert len(p.trace) == len(mate.trace)
    if violated:
        index = [q.name for q in full_model.properties].index("NoOrphanIP")
        orphan = next(p for p in violated if p.name == "NoOrphanIP")
        assert index in full_model.check_state(orphan.trace.steps[-1].state)


@pytest.mark.parametrize("variant, depth", [("fixed", 10), ("v1_12", 9)])
def test_ipam_with_two_pods_reduced_by_two_workers_as_by_one(variant, depth):
    """Under symmetry the temporal properties are left unknown, so the workers need no
    whole graph: `--workers 2 --symmetry PodId` searches in two processes and reports what
    one process reports (verdict, counts, coverage, every property, the same traces)."""
    from checker.engine.parallel import explore_parallel
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_parallel import same_search
    model = _ipam(variant, ("PodId",))
    assert model.temporal
    same_search(model, 2, CheckOptions(max_depth=depth))
    many = explore_parallel(model, CheckOptions(max_depth=depth), 2)
    assert many.workers == 2 and many.undecided and many.symmetry
    assert {p.status for p in many.properties if p.kind == "liveness"} == {Status.UNKNOWN}
