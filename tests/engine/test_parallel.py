"""`--workers N` against one worker, on random specs (tests/property/specgen.py) and models.

Several processes must find what one finds: the same verdict and property statuses, and,
for an exhaustive search, the same distinct, generated and depth counts and per-action
generated counts; every counterexample as short as one worker's and a real trace; a
run-time error exactly as one worker reports it. (At a stop, the counts depend on the
order of the search and are not compared.)
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, Status, Verdict, explore
from checker.engine.fastpath import owner
from checker.engine.parallel import explore_parallel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
from specgen import seeded_specs  # noqa: E402
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
    assert [(p.name, p.status) for p in one.properties] == [(p.name, p.status) for p in many.properties]
    for a, b in zip(one.properties, many.properties):
        if a.trace is not None:
            assert len(a.trace) == len(b.trace)
            check_trace(model, b.trace)
    complete = one.stopped is None and one.limit is None
    if complete:
        assert (one.stats.distinct, one.stats.generated, one.stats.depth) == \
            (many.stats.distinct, many.stats.generated, many.stats.depth)
        # the premises of the properties that hold were seen (or not) alike (vacuity); those
        # of a violated property stop being observed at a moment that depends on the order
        holds = {i for i, p in enumerate(model.properties) if one.properties[i].status is Status.HOLDS}
        mine = {k for k, p in enumerate(getattr(model, "premises", ())) if p.property in holds}
        assert one.premises_seen & mine == many.premises_seen & mine
        assert one.premises_failed & mine == many.premises_failed & mine
        assert [c.generated for c in one.stats.coverage] == [c.generated for c in many.stats.coverage]
        assert sum(c.distinct for c in one.stats.coverage) == sum(c.distinct for c in many.stats.coverage)


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


def test_limits_and_stops_are_honest():
    compiled, _ = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=4"]), ["plain"])
    model = compiled[0][1]
    capped = explore_parallel(model, CheckOptions(max_states=100), 2)
    assert capped.verdict is Verdict.INCOMPLETE and capped.limit == "max-states 100"
    assert capped.stats.distinct > 100       # checked between levels: the real count
    deep = explore_parallel(model, CheckOptions(max_depth=5), 2)
    one = explore(model, CheckOptions(max_depth=5))
    assert (deep.verdict, deep.limit, deep.stats.distinct) == (one.verdict, one.limit, one.stats.distinct)


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
            assert (many.verdict, many.limit, many.stats.distinct) == (one.verdict, one.limit, one.stats.distinct), d
            if one.limit is None:
                same_search(model, 2, options)


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
