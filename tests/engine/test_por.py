"""Partial-order reduction (engine/por.py, ADR 0034) against the full search.

On random specs of loosely coupled processes (porgen.py) and on random specs of every
language feature (tests/property/specgen.py): the reduced search must give the same verdict,
the same status for every property and for deadlock, no more distinct states when both ran
to their end, and counterexamples (and witnesses) that replay step by step in the full
model. Hand-written specs pin exact reduced counts worked out by hand, the cycle proviso
(a violation a reduction without it misses), and where the reduction is refused.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, Status, Verdict
from checker.engine import por as por_module
from checker.engine.bfs import explore
from checker.quality import complete, variant_warnings

from porgen import spec_from_seed  # tests/engine is on sys.path (rootdir-less import)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "property"))
from specgen import spec_from_seed as feature_spec  # noqa: E402

PORGEN_SEEDS = range(100)
SPECGEN_SEEDS = range(60)


def compile_text(text: str, directory: Path, name: str = "spec") -> list:
    path = directory / f"{name}.kovn"
    path.write_text(text, encoding="utf-8")
    compiled, _ = api.compile_spec(str(path))
    return [model for _, model in compiled]


def replays(model, trace) -> bool:
    """Every step of `trace` is a transition of the full model: the first state initial,
    each next one a successor of the one before by the step's label."""
    steps = trace.steps
    if steps[0].state not in set(model.init_states()):
        return False
    return all((b.label, b.state) in list(model.successors(a.state)) for a, b in zip(steps, steps[1:]))


def statuses(res) -> dict:
    return {p.name: p.status for p in res.properties}


def compare(model) -> bool:
    """The reduced search against the full one (the module docstring); True when the
    reduction expanded some state by a proper ample set."""
    full = explore(model, CheckOptions())
    red = explore(model, CheckOptions(por=True))
    assert red.verdict is full.verdict
    if full.verdict is not Verdict.ERROR:
        assert statuses(red) == statuses(full)
    if full.stopped is None and red.stopped is None and full.limit is None:
        assert red.stats.distinct <= full.stats.distinct
    for p in red.properties:
        if p.trace is not None:
            assert replays(model, p.trace), p.name
    if red.failure is not None and red.failure.trace is not None:
        assert replays(model, red.failure.trace)
    if red.partial_order is None:
        assert red.partial_order_off
        assert (red.stats.distinct, red.stats.generated) == (full.stats.distinct, full.stats.generated)
        return False
    return red.partial_order.reduced > 0


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("por_specs")


def test_reduced_search_agrees_with_full_on_coupled_processes(workdir):
    reduced = 0
    for seed in PORGEN_SEEDS:
        for model in compile_text(spec_from_seed(seed), workdir, f"p{seed}"):
            reduced += compare(model)
    # the generator is built for the reduction to have work: most specs must reduce, or
    # the agreement above says nothing
    assert reduced >= len(PORGEN_SEEDS) // 3


def test_reduced_search_agrees_with_full_on_every_feature(workdir):
    for seed in SPECGEN_SEEDS:
        try:
            models = compile_text(feature_spec(seed).text, workdir, f"f{seed}")
        except DiagnosticError:
            continue        # specgen's specs that fail a static check have no search to compare
        for model in models:
            compare(model)


# ---------------------------------------------------------------- the ample set, by hand

def relation(dependent, enablers, visible=0):
    labels = {(k, ()): k for k in range(len(dependent))}
    return por_module.Independence(labels, tuple(dependent), tuple(enablers), visible)


def test_the_stubborn_closure_by_hand():
    # 0 and 1 independent; 2 dependent on 0 (and enabled by it); 1 visible
    reducer = por_module.Reducer(relation((0b101, 0b010, 0b101), (0b100, 0, 0b001), visible=0b010))
    assert reducer.ample(0b011) == 0b001    # {0}: it brings 2, disabled, whose enabler is 0 itself
    assert reducer.ample(0b111) == 0b101    # {0, 2}: 1 alone is visible (C2)
    assert reducer.ample(0b010) == 0b010    # one label: nothing to choose


def test_a_label_that_may_enable_a_dependent_one_joins_the_ample_set():
    # C1: 3 is disabled and dependent on 0; 1 may enable 3 (so 1 and 3 are dependent too);
    # 1 is visible. Taking 0 alone would let the path 1, 3 run a step dependent on 0 before
    # 0: the closure from 0 brings 1 in, and then the candidate is every enabled label.
    dependent = (0b1001, 0b1010, 0b0100, 0b1011)
    enablers = (0, 0, 0, 0b0010)
    assert por_module.Reducer(relation(dependent, enablers, visible=0b0010)).ample(0b0011) == 0b0011
    # when 3 can only be enabled by 0 itself, {0} is ample
    dependent = (0b1001, 0b0010, 0b0100, 0b1001)
    assert por_module.Reducer(relation(dependent, (0, 0, 0, 0b0001), visible=0b0010)).ample(0b0011) == 0b0001


# ---------------------------------------------------------------- exact counts by hand

INDEPENDENT = """
spec indep
const N: int = 3
var x: 0..3
var y: 0..3
init {
  x := 0
  y := 0
}
action IncX {
  require x < N
  x := x + 1
}
action IncY {
  require y < N
  y := y + 1
}
"""


def test_two_independent_processes_reduce_to_one_interleaving(tmp_path):
    # No property reads x or y, and IncX, IncY touch disjoint variables: at a state where
    # both are enabled, {IncX} alone is an ample set (the lower seed wins a tie). So x climbs
    # to N first, then y: N + 1 + N = 7 states instead of (N + 1)^2 = 16. Generated: every
    # transition of the 7 states expanded: 2 each at x < N (3 states), 1 each at x = N, y < N
    # (3 states), none at (N, N), plus the initial state: 1 + 6 + 3 = 10.
    (model,) = compile_text(INDEPENDENT, tmp_path)
    full = explore(model, CheckOptions())
    red = explore(model, CheckOptions(por=True))
    assert (full.stats.distinct, full.stats.generated) == (16, 25)
    assert (red.stats.distinct, red.stats.generated, red.stats.depth) == (7, 10, 7)
    assert red.partial_order == por_module.PorFigures(reduced=3, full=4, proviso=0)
    # the deadlock at (N, N) is found either way (C0 and C1 preserve deadlocks)
    assert statuses(red) == statuses(full) == {"deadlock": Status.VIOLATED}
    assert [s.action for s in red.properties[0].trace.steps[1:]] == ["IncX"] * 3 + ["IncY"] * 3


def test_the_workers_model_reduces_to_one_worker_at_a_time():
    # models/workers.kovn: N workers of STEPS private steps. Full: every worker's local state
    # (pc and counter: STEPS + 1 of them) in every combination, (STEPS + 1)^N. Reduced: the
    # lowest enabled worker alone is ample, so worker 1 finishes, then worker 2, ...: one
    # state per step taken, plus the initial one, N * STEPS + 1.
    root = Path(__file__).resolve().parents[2]
    for n, steps in ((2, 2), (3, 2), (4, 3)):
        consts = api.parse_consts([f"N={n}", f"STEPS={steps}"])
        ((_, model),), _ = api.compile_spec(str(root / "models/workers.kovn"), consts)
        full = explore(model, CheckOptions())
        red = explore(model, CheckOptions(por=True))
        assert full.stats.distinct == (steps + 1) ** n
        assert red.stats.distinct == n * steps + 1
        assert statuses(red) == statuses(full) == {"deadlock": Status.HOLDS}


def test_a_property_reading_a_variable_makes_its_writers_visible(tmp_path):
    # With an invariant on y, IncY is visible: {IncY} cannot be ample (C2) but {IncX} still
    # is, so the reduction is the same; with an invariant on x and y, both are visible and
    # nothing is left out.
    (model,) = compile_text(INDEPENDENT + "invariant Y: y <= N\nallow deadlock\n", tmp_path, "y")
    assert explore(model, CheckOptions(por=True)).stats.distinct == 7
    (model,) = compile_text(INDEPENDENT + "invariant XY: x + y <= 2 * N\nallow deadlock\n", tmp_path, "xy")
    red = explore(model, CheckOptions(por=True))
    assert red.stats.distinct == 16 and red.partial_order.reduced == 0


PROVISO = """
spec proviso
var x: 0..1
var y: 0..1
init {
  x := 0
  y := 0
}
action Toggle {
  x := 1 - x
}
action SetY {
  require y == 0
  y := 1
}
invariant Safe: y == 0
"""


def test_the_cycle_proviso_finds_a_violation_behind_a_cycle_of_invisible_steps(tmp_path, monkeypatch):
    # Toggle is invisible and independent of SetY: {Toggle} is ample at (0,0), leading to
    # (1,0); there {Toggle} leads back to (0,0), already stored: C3 expands (1,0) fully, and
    # SetY reaches the violation (1,1). The counterexample is one step longer than the
    # shortest ((0,0) -SetY-> (0,1)), as a reduced search may give.
    # Deadlocks are checked, so the search goes on after the violation: (1,1) and (0,1)
    # have Toggle alone enabled, and are expanded fully (as any state with one label).
    (model,) = compile_text(PROVISO, tmp_path)
    full = explore(model, CheckOptions())
    red = explore(model, CheckOptions(por=True))
    assert statuses(full) == statuses(red) == {"Safe": Status.VIOLATED, "deadlock": Status.HOLDS}
    assert len(full.properties[0].trace) == 2
    trace = red.properties[0].trace
    assert [s.action for s in trace.steps[1:]] == ["Toggle", "SetY"] and replays(model, trace)
    assert red.partial_order == por_module.PorFigures(reduced=1, full=3, proviso=1)
    assert red.stats.distinct == full.stats.distinct == 4
    # Without the proviso the reduced search cycles through Toggle alone and never takes
    # SetY: it would say the invariant holds. (This is what the test guards.)
    select = por_module.Reducer.select
    monkeypatch.setattr(por_module.Reducer, "select", lambda self, pairs, seen, canonical=None:
                        select(self, pairs, frozenset(), canonical))
    ignoring = explore(model, CheckOptions(por=True))
    assert statuses(ignoring) == {"Safe": Status.HOLDS, "deadlock": Status.HOLDS}


# ---------------------------------------------------------------- where it is refused

def test_an_action_property_false_on_stuttering_turns_the_reduction_off(tmp_path):
    text = INDEPENDENT + "action property Moves: x' != x or y' != y\nallow deadlock\n"
    (model,) = compile_text(text, tmp_path)
    red = explore(model, CheckOptions(por=True))
    assert red.partial_order is None and "false on a step that changes nothing" in red.partial_order_off
    assert red.stats.distinct == 16


def test_temporal_properties_and_symmetry_turn_the_reduction_off(tmp_path):
    root = Path(__file__).resolve().parents[2]
    for model in compile_text((root / "models/twophase.kovn").read_text(), tmp_path):
        res = explore(model, CheckOptions(por=True))
        if model.temporal:
            assert res.partial_order_off.startswith("temporal properties")
        elif model.symmetry is not None:
            assert res.partial_order_off == "symmetry reduction in use"
        else:
            assert res.partial_order is not None


def test_a_reduction_that_leaves_nothing_out_gives_way_to_the_full_search(tmp_path, monkeypatch):
    # twophase's invariant reads every resource manager: every step of theirs is visible,
    # and nothing is left out. After the trial the search goes on in full (in the generated
    # expanders), with the full counts, and says so.
    from checker.engine import bfs
    monkeypatch.setattr(bfs, "_POR_TRIAL", 50)
    root = Path(__file__).resolve().parents[2]
    model = next(m for m in compile_text((root / "models/twophase.kovn").read_text(), tmp_path)
                 if not m.temporal and m.symmetry is None)
    full = explore(model, CheckOptions())
    red = explore(model, CheckOptions(por=True))
    assert red.partial_order is None and red.partial_order_off.startswith("no state left out in the first")
    assert (red.stats.distinct, red.stats.generated) == (full.stats.distinct, full.stats.generated) == (288, 1146)


def test_strict_turns_it_off_and_a_reduced_search_judges_no_coverage(tmp_path):
    text = INDEPENDENT + "action Never {\n  require x > N\n  x := 0\n}\nallow deadlock\n"
    (model,) = compile_text(text, tmp_path)
    strict = explore(model, CheckOptions(por=True, complete=True))
    assert strict.partial_order is None and strict.partial_order_off.startswith("--strict")
    assert any(w.code == "KOV601" for w in variant_warnings(model, strict))
    red = explore(model, CheckOptions(por=True))
    assert red.partial_order is not None and not complete(red)
    assert not any(w.code == "KOV601" for w in variant_warnings(model, red))


def test_the_partitioned_search_says_it_does_not_reduce(tmp_path):
    path = tmp_path / "indep.kovn"
    path.write_text(INDEPENDENT + "allow deadlock\n", encoding="utf-8")
    report = api.check(str(path), options=CheckOptions(por=True), workers=2)
    res = report.results[0].result
    assert res.partial_order is None and "partitioned search" in res.partial_order_off
    assert res.stats.distinct == 16


def test_the_report_says_the_counts_are_of_the_reduced_space(tmp_path, capsys):
    from checker.cli import main
    path = tmp_path / "indep.kovn"
    path.write_text(textwrap.dedent(INDEPENDENT) + "allow deadlock\n", encoding="utf-8")
    assert main([str(path), "--por", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "7 distinct states" in out and "reduction: partial-order: 3 states expanded by an ample set" in out
    assert "counts are of the reduced state space" in out
    assert main([str(path), "--no-por", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "16 distinct states" in out and "reduction" not in out
