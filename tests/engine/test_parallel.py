"""`--workers N` against one worker, on random specs (tests/property/specgen.py) and models.

Several processes must report what one reports (ADR 0060: the partitioned search keeps one
process's order of every level): the same verdict, limit and stop, property statuses and
counterexample traces state by state, distinct, generated and depth counts, states left,
per-action coverage (transitions, and the new states each action found first), whether
the search ran to its end or stopped in the middle of a level (a state cap, a violation
with --stop-at-first, the first state cut at --max-depth); a run-time error exactly as one
worker reports it. The premises seen (vacuity) are compared for the properties that hold:
a violated property's stop being observed within the level of its violation in one
process, at the level's end in several.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, Status, Verdict, explore
from checker.engine.fastpath import owner
from checker.engine.parallel import explore_parallel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
from specgen import compiled_models, seeded_specs  # noqa: E402
from test_runtime_errors import GRID as _GRID  # noqa: E402

EXAMPLES = 40
_SETTINGS = dict(derandomize=True, deadline=None, database=None, max_examples=EXAMPLES,
                 phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


def check_trace(model, trace):
    steps = trace.steps
    assert steps[0].state in set(model.init_states())
    for a, b in zip(steps, steps[1:]):
        if b.label is None:     # a lasso that stutters: the same state again
            assert trace.loop_start is not None and b.state == a.state
            continue
        assert (b.label, b.state) in set(model.successors(a.state))


def report_of(result, model):
    """Everything a result says but its timings and memory (the premises: of the properties
    that hold, module docstring)."""
    holds = {i for i, p in enumerate(model.properties) if result.properties[i].status is Status.HOLDS}
    mine = {k for k, p in enumerate(getattr(model, "premises", ())) if p.property in holds}
    return dict(verdict=result.verdict, limit=result.limit, stopped=result.stopped,
                properties=[(p.name, p.status, p.trace) for p in result.properties],
                figures=(result.stats.distinct, result.stats.generated, result.stats.depth,
                         result.stats.left_in_queue),
                coverage=[(c.name, c.generated, c.distinct) for c in result.stats.coverage],
                premises=(result.premises_seen & mine, result.premises_failed & mine))


def same_search(model, workers: int, options: CheckOptions = CheckOptions(), many=None) -> None:
    """`many`: the result of a partitioned search by `workers` elsewhere (on a Ray cluster:
    tests/distributed) instead of forked workers'."""
    one = explore(model, options)
    if many is None:
        many = explore_parallel(model, options, workers)
    assert one.verdict == many.verdict
    if one.verdict is Verdict.ERROR:
        # reported as one worker meets it (the search is repeated in one process)
        assert (many.failure.message, many.failure.trace) == (one.failure.message, one.failure.trace)
        return
    # in one process only where the liveness check needs the whole graph: temporal
    # properties, not left undecided by a reduction by symmetry
    one_process = bool(model.temporal) and model.symmetry is None
    assert (many.workers_fallback is not None) == one_process, many.workers_fallback
    assert many.workers == (1 if one_process else workers)
    assert report_of(many, model) == report_of(one, model)
    for p in many.properties:
        if p.trace is not None:
            check_trace(model, p.trace)


def same_search_of_text(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("par") / "spec.kovn"
    path.write_text(text)
    try:
        compiled, _ = api.compile_spec(str(path))
    except DiagnosticError:
        return          # the generator's rare spec with a constant that fails to evaluate
    for _, model in compiled:
        same_search(model, 2)


@settings(**_SETTINGS)
@given(seeded_specs())
def test_random_specs_two_workers_agree_with_one(tmp_path_factory, generated):
    same_search_of_text(tmp_path_factory, generated.text)


@settings(**{**_SETTINGS, "max_examples": 60})
@given(seeded_specs(), st.sampled_from([2, 3]), st.sampled_from(["stop", "cap", "cap-stop", "depth"]),
       st.integers(0, 999))
def test_random_specs_stopped_within_a_level_agree_with_one(tmp_path_factory, generated, workers, how, where):
    """Stopped where one process stops, often in the middle of a level: at the first
    violation, at a state cap anywhere in the search, at a depth anywhere in it."""
    for model in compiled_models(tmp_path_factory.mktemp("par"), generated.text):
        full = explore(model)
        cap = 1 + where * full.stats.distinct // 1000
        options = {"stop": CheckOptions(stop_on_violation=True),
                   "cap": CheckOptions(max_states=cap),
                   "cap-stop": CheckOptions(max_states=cap, stop_on_violation=True),
                   "depth": CheckOptions(max_depth=1 + where * full.stats.depth // 1000)}[how]
        same_search(model, workers, options)


@settings(**{**_SETTINGS, "max_examples": 40})
@given(seeded_specs(premises=True))
def test_premises_seen_by_two_workers_are_those_one_sees(tmp_path_factory, generated):
    same_search_of_text(tmp_path_factory, generated.text)


@pytest.mark.parametrize("path,consts,variants", [
    ("models/twophase.kovn", ["N=4"], ["default", "symmetric"]),
    ("models/diehard.kovn", [], None),
    ("models/peterson.kovn", [], ["default"]),
])
@pytest.mark.parametrize("workers", [2, 3])
def test_models_agree(path, consts, variants, workers):
    compiled, _ = api.compile_spec(path, api.parse_consts(consts), variants)
    for _, model in compiled:
        same_search(model, workers)


def test_every_state_cap_agrees_with_one_worker():
    """A state cap stops one process at the state it would store beyond the cap, in the
    middle of a level: the workers report the counts, coverage and states left it
    reports there (they finish the level, then count up to that state)."""
    compiled, _ = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), ["plain"])
    model = compiled[0][1]
    full = explore(model)
    for cap in range(1, full.stats.distinct, 7):
        capped = explore_parallel(model, CheckOptions(max_states=cap), 2)
        assert capped.verdict is Verdict.INCOMPLETE and capped.limit == f"max-states {cap}"
        assert capped.stats.distinct == cap
        same_search(model, 2, CheckOptions(max_states=cap), many=capped)


@pytest.mark.parametrize("path,consts,variants", [
    ("models/twophase.kovn", ["N=3"], ["default", "symmetric"]),
    ("models/diehard.kovn", [], ["puzzle"]),
    ("models/peterson.kovn", [], ["default"]),
])
def test_every_depth_limit_agrees_with_one_worker(path, consts, variants):
    """A level at --max-depth is expanded, and cut only by a successor not seen before
    (docs/cli.md): the verdict, the limit and the states stored are one worker's; when
    nothing is cut, the whole result is."""
    for _, model in api.compile_spec(path, api.parse_consts(consts), variants)[0]:
        full = explore(model)
        for d in range(1, full.stats.depth + 2):
            options = CheckOptions(max_depth=d)
            one, many = explore(model, options), explore_parallel(model, options, 2)
            assert report_of(many, model) == report_of(one, model), d


# tests/engine's grid: states x * 10 + y met level by level (T holds: no early end)
GRID = _GRID + "invariant T: x < 5\n"


@pytest.mark.parametrize("extra", [
    "invariant E: 10 / (x * 10 + y - 22) < 100\n",
    "invariant V: x * 10 + y != 13\ninvariant E: 10 / (x * 10 + y - 22) < 100\n",
    "invariant V: x * 10 + y != 13\ninvariant E: 10 / (x * 10 + y - 13) < 100\n",
    "invariant V: x * 10 + y != 2\ninvariant E: x * 10 + y != 1 and 10 / (x * 10 + y - 44) < 100\n",
    "action property A: x' * 10 + y' != 12 and 10 / (x' * 10 + y' - 31) < 100\n",
])
@pytest.mark.parametrize("stop", [False, True])
def test_run_time_errors_are_reported_as_one_worker_reports_them(tmp_path, extra, stop):
    """Whether an error or a violation comes first is one worker's order (docs/language.md):
    the workers' verdict, failure and findings are one worker's."""
    path = tmp_path / "grid.kovn"
    path.write_text(GRID + extra)
    ((_, model),) = api.compile_spec(str(path))[0]
    options = CheckOptions(stop_on_violation=stop)
    one, many = explore(model, options), explore_parallel(model, options, 2)
    assert many.verdict == one.verdict
    assert [(p.name, p.status) for p in many.properties] == [(p.name, p.status) for p in one.properties]
    assert (many.failure is None) == (one.failure is None)
    if one.failure is not None:
        assert many.failure.message == one.failure.message
        assert many.failure.trace == one.failure.trace
        assert many.workers_fallback.startswith("a run-time error")


def test_violation_found_with_workers_is_as_short(tmp_path):
    path = tmp_path / "c.kovn"
    path.write_text("spec c\nvar x: 0..40\nvar y: 0..3\ninit { x := 0  y := 0 }\n"
                    "action Inc { require x < 40  x := x + 1 }\n"
                    "action Bump { y := (y + 1) % 4 }\n"
                    "invariant Small: x < 9 or y != 2\n")
    compiled, _ = api.compile_spec(str(path))
    model = compiled[0][1]
    for stop in (False, True):
        same_search(model, 2, CheckOptions(stop_on_violation=stop))


# A grid where many paths of the same length reach the violations, by several actions, and
# an action property is violated on many steps: which shortest counterexample is shown,
# and which action first found each state, are one process's order.
SHORTEST = """spec shortest
var x: 0..6
var y: 0..6
var z: 0..2
init { x := 0  y := 0  z := 0 }
action IncX { require x < 6  x := x + 1 }
action IncY { require y < 6  y := y + 1 }
action Diag { require x < 6 and y < 6  x := x + 1  y := y + 1 }
action Turn(k in 1..2) { require z != k  z := k }
invariant Near: x + y < 5 or z != 2
invariant Far: x * y < 6
action property Steady: not (x' == 3 and z' == 1 and z == 0)
"""


@pytest.mark.parametrize("workers", [2, 3])
def test_several_shortest_counterexamples_are_one_workers(tmp_path, workers):
    path = tmp_path / "shortest.kovn"
    path.write_text(SHORTEST)
    ((_, model),) = api.compile_spec(str(path))[0]
    one = explore(model)
    assert [p.status for p in one.properties[:3]] == [Status.VIOLATED] * 3
    for options in (CheckOptions(), CheckOptions(stop_on_violation=True), CheckOptions(max_states=40),
                    CheckOptions(max_depth=4)):
        same_search(model, workers, options)


def test_temporal_properties_run_in_one_process():
    compiled, _ = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), ["unfair"])
    result = explore_parallel(compiled[0][1], CheckOptions(), 2)
    assert result.workers == 1 and result.workers_fallback
    assert result.properties[-1].status is Status.VIOLATED


def test_owner_is_spread_and_independent_of_the_hash_seed():
    counts = [0, 0]
    for s in range(0, 1 << 16, 7):
        counts[owner(s, 2)] += 1
    assert min(counts) > 0.4 * sum(counts)
    states = [0, 1, 12345, 2 ** 70 + 5, 2 ** 200 + 3]
    code = ("from checker.engine.fastpath import owner; "
            f"print([owner(s, 3) for s in {states!r}])")
    import os
    import subprocess
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout
    assert out.strip() == str([owner(s, 3) for s in states])
