"""The cause of a counterexample (checker/analysis/cause.py), checked by replaying it
independently in the model: on every safety counterexample of the shipped specs the
minimal sub-trace still violates and none of its steps can be left out, the causal slice
holds every step the minimal one needs that it found by data, and the race's order replays
without the violation, the two steps flipped."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker import api
from checker.analysis.analyse import analyse
from checker.engine import CheckOptions
from checker.engine.result import Status

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [("models/alloc.kovn", None, {}), ("models/diehard.kovn", None, {}),
           ("models/twophase.kovn", None, {}), ("models/peterson.kovn", None, {}),
           ("models/fairness.kovn", None, {}),
           ("models/k8s/aigw_finalizer_conflict.kovn", None, {}), ("models/k8s/fluid_restart.kovn", None, {}),
           ("models/k8s/kubefed_orphan.kovn", None, {}), ("docs/examples/finalizer.kovn", None, {}),
           ("tests/render/specs/stale.kovn", None, {}),
           ("spec/ipam.kovn", "v1_12", {"max_depth": 10})]
SLOW = [("spec/ipam.kovn", v, {"max_depth": 10}) for v in
        ("master", "pr3570", "pr5364", "pr5698", "pr6275", "pr7215", "fix_lock", "fix_by_pod", "fix_tolerate")]


def _violations(path, variant, options, kinds=("invariant", "action")):
    report = api.check(str(ROOT / path), None, [variant] if variant else None, CheckOptions(**options))
    for r in report.results:
        for p in r.result.properties:
            if p.status is Status.VIOLATED and p.trace is not None and p.kind in kinds:
                yield r.model, p


def _replay(model, init, labels):
    """Every path the labels take (all branches): lists of (label, state)."""
    paths = [[(None, init)]]
    for label in labels:
        paths = [p + [(lab, s)] for p in paths for lab, s in model.successors(p[-1][1]) if lab == label]
    return paths


def _violates(model, prop, path) -> bool:
    if prop.kind == "liveness":      # a lasso's cause is how it reaches its trigger: P holds
        t = next(t for t in model.temporal if t.name == prop.name)
        return t.p(path[-1][1], t.instances.index(prop.instance or ""))
    index = [p.name for p in model.properties].index(prop.name)
    if prop.kind == "invariant":
        return index in model.check_state(path[-1][1])
    (_, a), (label, b) = path[-2], path[-1]
    return index in model.check_transition(a, label, b)


def _check(model, prop):
    trace = prop.trace
    found = analyse(model, trace, prop)
    cause = found.cause
    assert cause is not None, f"{prop.name}: no cause"
    labels = [s.label for s in trace.steps]
    init = trace.steps[0].state
    assert set(cause.slice) <= set(range(1, cause.upto + 1)) and cause.upto < len(trace.steps)
    assert cause.minimal is not None, f"{prop.name}: {cause.note}"
    assert any(_violates(model, prop, p) for p in _replay(model, init, [labels[i] for i in cause.minimal])), \
        f"{prop.name}: the minimal sub-trace does not violate on replay"
    for drop in cause.minimal:
        rest = [labels[i] for i in cause.minimal if i != drop]
        assert not any(_violates(model, prop, p) for p in _replay(model, init, rest) if len(p) > 1), \
            f"{prop.name}: step {drop + 1} could be left out of the minimal sub-trace"
    if prop.kind == "action":
        assert len(trace.steps) - 1 in cause.slice
    race = cause.race
    if race is not None:
        order = list(race.order)
        assert order.index(race.second) < order.index(race.first), "the race's order flips its pair"
        paths = _replay(model, init, [labels[i] for i in order])
        assert paths, "the race's order replays"
        for p in paths:
            for k in range(1, len(p)):
                assert not _violates(model, prop, p[:k + 1]), "the race's order holds in every state"
    return cause


@pytest.mark.parametrize("path,variant,options", SHIPPED, ids=[s[0] for s in SHIPPED])
def test_every_safety_counterexample_of_the_shipped_specs(path, variant, options):
    found = list(_violations(path, variant, options))
    for model, prop in found:
        _check(model, prop)


LASSOS = [s for s in SHIPPED if s[0] != "spec/ipam.kovn"] + [("spec/ipam.kovn", "v1_12", {})]


@pytest.mark.slow
@pytest.mark.parametrize("path,variant,options", LASSOS, ids=[s[0] for s in LASSOS])
def test_every_leads_to_lasso_of_the_shipped_specs_reaches_its_trigger_by_its_cause(path, variant, options):
    """A lasso of `P leads to Q`: the minimal sub-trace reaches a state where P holds, and
    the race's order never does."""
    for model, prop in _violations(path, variant, options, ("liveness",)):
        cause = analyse(model, prop.trace, prop).cause
        t = next(t for t in model.temporal if t.name == prop.name)
        if t.kind_at(t.instances.index(prop.instance or "")) != "leads_to" or cause is None:
            continue
        _check(model, prop)


@pytest.mark.slow
@pytest.mark.parametrize("path,variant,options", SLOW, ids=[s[1] for s in SLOW])
def test_every_safety_counterexample_of_the_ipam_variants(path, variant, options):
    for model, prop in _violations(path, variant, options):
        _check(model, prop)


def test_the_stale_read_has_its_decision_and_the_kubefed_race_is_named():
    (model, prop), = _violations("tests/render/specs/stale.kovn", None, {})
    notes = analyse(model, prop.trace, prop).notes
    check = notes[2]          # Worker.check(0): it read A alive from the cache and went on
    assert check.unchanged == "Worker(0) to protect"
    (d,) = check.decisions
    assert (d.cond, d.value) == ("not (A in cache) or cache[A].deleting", False)
    assert d.seen == ("cache[A] = Obj(deleting: false, finalizers: {})",)
    assert notes[3].paused == () and notes[2].paused == ("Worker(0) at protect",)
    (model, prop), = _violations("models/k8s/kubefed_orphan.kovn", None, {})
    race = _check(model, prop).race
    assert race is not None
    assert [prop.trace.steps[i].action for i in (race.first, race.second)] == ["Deliver(federated)", "Sync.take(0)"]


def _trace_of(model, names):
    """The trace taking the actions named, in order, from the first initial state."""
    from checker.engine.result import Step, Trace
    state = next(iter(model.init_states()))
    steps = [Step(None, None, state)]
    for name in names:
        label, state = next((lab, s) for lab, s in model.successors(state) if model.format_label(lab) == name)
        steps.append(Step(label, name, state))
    return Trace(tuple(steps))


def test_a_longer_trace_is_sliced_and_cut_to_its_cause(kovn):
    """Steps that touch nothing the violation reads are outside the slice and the minimal
    sub-trace (a trace longer than the shortest, as a fault-averse search may give)."""
    spec = """
        spec noisy
        var x: 0..3
        var y: 0..3
        var z: 0..1
        init { x := 0  y := 0  z := 0 }
        action IncY { require y < 3  y := y + 1 }
        action Open { require z == 0  z := 1 }
        action IncX { require z == 1 and x < 3  x := x + 1 }
        invariant Small: x < 2
    """
    r = kovn.check(spec).results[0]
    (prop,) = [p for p in r.result.properties if p.name == "Small"]
    trace = _trace_of(r.model, ["IncY", "Open", "IncY", "IncX", "IncY", "IncX"])
    longer = type(prop)(prop.name, prop.kind, prop.status, trace, prop.origin)
    cause = _check(r.model, longer)
    assert cause.slice == (2, 4, 6)              # Open (its z enables IncX), the two IncX
    assert cause.minimal == (2, 4, 6)
    assert cause.edges == ((2, 4, "reads-from"), (2, 6, "reads-from"), (4, 6, "reads-from"))
    assert cause.race is None                    # Open before IncX is no race: IncX needs it
