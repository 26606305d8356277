"""Simulation (engine/simulate.py) against the exhaustive search, on random specs.

What a simulation says must be true of the whole space: a property it finds violated is
violated (and its counterexample is a real behaviour that violates it), a reachable
property it witnesses is reached, it visits no more states than exist, and it never says
OK. Every walk it reports is a behaviour of the model. The same seed gives the same walks,
in one process or several; a reference walker written here, as plainly as possible, visits
the same states.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, Status, Verdict
from checker.engine.bfs import Search
from checker.engine.simulate import Simulation, simulate
from checker.render.itf import read_itf, write_itf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from specgen import seeded_specs  # noqa: E402
from test_parallel import check_trace  # noqa: E402

_SETTINGS = dict(derandomize=True, deadline=None, database=None, max_examples=30,
                 phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])
SIM = Simulation(traces=40, depth=12, seed=7)


def reference_visits(model, sim: Simulation) -> set:
    """The states the walks visit, by the walk's definition (module docstring of
    engine/simulate.py), stopping at nothing but the depth and a state without successors
    or outside the constraint. Only for specs whose walks meet no error."""
    initial = list(dict.fromkeys(model.init_states()))
    seen = set()
    for i in range(sim.traces):
        rng = random.Random(f"{sim.seed}:{i}")
        s = initial[rng.randrange(len(initial))]
        for step in range(sim.depth + 1):
            seen.add(s)
            if step == sim.depth or (model.has_constraint and not model.within_constraint(s)):
                break
            succ = list(model.successors(s))
            if not succ:
                break
            s = succ[rng.randrange(len(succ))][1]
    return seen


def models_of(tmp_path_factory, text: str):
    path = tmp_path_factory.mktemp("sim") / "spec.kovn"
    path.write_text(text)
    try:
        return [m for _, m in api.compile_spec(str(path))[0]]
    except DiagnosticError:
        return []


def agrees_with_the_whole_space(model, sim: Simulation = SIM) -> None:
    walks = []
    got = simulate(model, CheckOptions(), _with(sim, record=lambda i, t: walks.append((i, t))))
    # the walks visit states, not representatives: the whole space without symmetry
    full = Search(model, CheckOptions(complete=True), None, symmetry=False).run()
    assert got.verdict is not Verdict.OK
    assert got.stats.distinct <= max(full.stats.distinct, 1) or full.limit is not None
    assert sorted(i for i, _ in walks) == list(range(sim.traces)) or got.failure is not None or not walks
    for _, trace in walks:
        check_trace(model, trace)
        assert len(trace) <= sim.depth + 1
    if got.failure is not None:
        return
    for mine, whole in zip(got.properties, full.properties):
        assert mine.name == whole.name
        if mine.status is Status.UNKNOWN:
            continue
        assert mine.status is whole.status, mine.name
        check_trace(model, mine.trace)
    assert got.stats.distinct == len(reference_visits(model, sim))
    again = simulate(model, CheckOptions(), _with(sim, workers=2))
    assert [(p.name, p.status, p.trace) for p in again.properties] == \
        [(p.name, p.status, p.trace) for p in got.properties]
    assert (again.stats.distinct, again.stats.generated, again.simulation) == \
        (got.stats.distinct, got.stats.generated, got.simulation)


def _with(sim: Simulation, **changes) -> Simulation:
    from dataclasses import replace
    return replace(sim, **changes)


@settings(**_SETTINGS)
@given(seeded_specs())
def test_random_specs_simulated_say_only_what_is_true(tmp_path_factory, generated):
    for model in models_of(tmp_path_factory, generated.text):
        agrees_with_the_whole_space(model)


def test_shipped_models():
    for path, consts in (("models/twophase.kovn", ["N=3"]), ("models/diehard.kovn", []),
                         ("models/peterson.kovn", [])):
        for _, model in api.compile_spec(path, api.parse_consts(consts))[0]:
            agrees_with_the_whole_space(model, Simulation(traces=60, depth=30, seed=1))


def test_the_seed_decides_the_walks():
    ((_, model),) = api.compile_spec("models/diehard.kovn", None, ["puzzle"])[0]
    a, b = (simulate(model, CheckOptions(), Simulation(traces=30, depth=15, seed=s)) for s in (1, 2))
    again = simulate(model, CheckOptions(), Simulation(traces=30, depth=15, seed=1))
    assert a == _timeless(again, a)
    assert (a.stats.generated, [c.generated for c in a.stats.coverage]) != \
        (b.stats.generated, [c.generated for c in b.stats.coverage])


def _timeless(r, like):
    from dataclasses import replace
    return replace(r, stats=replace(r.stats, seconds=like.stats.seconds, peak_rss_bytes=like.stats.peak_rss_bytes))


def test_walks_written_as_itf_replay_in_the_model():
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=2"]), ["default"])[0]
    texts = []
    simulate(model, CheckOptions(), Simulation(traces=5, depth=10, seed=3,
                                              record=lambda i, t: texts.append((t, write_itf(model, t)))))
    assert len(texts) == 5
    for trace, text in texts:
        assert [s.state for s in read_itf(model, text).steps] == [s.state for s in trace.steps]
