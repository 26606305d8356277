"""Liveness on the shipped models, through the whole pipeline: Peterson's Progress, two-phase
commit's Termination, and the weak-versus-strong fairness model (models/fairness.kovn).

Each counterexample is checked for what it claims: a path of the model's own transitions
from an initial state, whose last state closes the loop, and along which the property fails.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from checker import api
from checker.engine import CheckOptions, Status

ROOT = Path(__file__).resolve().parents[2]


def run(model: str, variant: str, consts: dict[str, str] | None = None):
    parsed = api.parse_consts([f"{k}={v}" for k, v in (consts or {}).items()])
    (r,) = api.check(str(ROOT / "models" / model), parsed, [variant], CheckOptions()).results
    return r


def liveness(r, name: str):
    (p,) = [p for p in r.result.properties if p.name == name]
    assert p.kind == "liveness"
    return p


def assert_real_lasso(model, trace):
    steps = trace.steps
    assert steps[0].state in list(model.init_states())
    for a, b in zip(steps, steps[1:]):
        if b.label is None:                 # stuttering: only as the closing step
            assert b is steps[-1] and b.state == a.state
        else:
            assert (b.label, b.state) in list(model.successors(a.state))
    assert trace.loop_start is not None
    assert steps[-1].state == steps[trace.loop_start].state


@pytest.mark.parametrize("n", [2, 3])
def test_peterson_progress_holds_under_weak_fairness_of_each_process(n):
    r = run("peterson.kovn", "fair", {"N": str(n)})
    assert liveness(r, "Progress").status is Status.HOLDS
    assert r.expectation_met


@pytest.mark.parametrize("n", [2, 3])
def test_peterson_progress_is_violated_without_fairness(n):
    r = run("peterson.kovn", "unfair", {"N": str(n)})
    p = liveness(r, "Progress")
    assert p.status is Status.VIOLATED and r.expectation_met
    i = int(p.instance.split("=")[1])
    assert_real_lasso(r.model, p.trace)
    pcs = [r.model.describe(s.state)["pc"][i].tag for s in p.trace.steps]
    # Process i waits at some point and is never in cs from then on, loop included.
    first_wait = pcs.index("wait")
    assert first_wait <= p.trace.loop_start
    assert "cs" not in pcs[first_wait:]


def test_peterson_counts_are_those_of_the_safety_check():
    # Temporal properties add no state: the same graph as the published count.
    r = run("peterson.kovn", "fair", {"N": "3"})
    st = r.result.stats
    assert (st.distinct, st.generated, st.depth) == (288, 652, 15)


def test_twophase_termination_holds_under_weak_fairness():
    r = run("twophase.kovn", "fair")
    assert liveness(r, "Termination").status is Status.HOLDS
    assert r.expectation_met


def test_twophase_termination_is_violated_without_fairness():
    r = run("twophase.kovn", "unfair")
    p = liveness(r, "Termination")
    assert p.status is Status.VIOLATED and r.expectation_met
    assert_real_lasso(r.model, p.trace)
    final = r.model.describe(p.trace.steps[-1].state)["rmState"]
    assert any(v.tag not in ("committed", "aborted") for v in final.values())


def test_weak_fairness_is_not_enough_for_an_action_enabled_now_and_then():
    r = run("fairness.kovn", "weak")
    p = liveness(r, "Acquired")
    assert p.status is Status.VIOLATED and r.expectation_met
    assert_real_lasso(r.model, p.trace)
    loop = p.trace.steps[p.trace.loop_start + 1:]
    assert [s.action for s in loop] == ["Lock", "Unlock"]
    # Acquire is enabled in the loop (the lock is free at its start) but never taken.
    assert r.model.describe(p.trace.steps[p.trace.loop_start].state) == {"busy": False, "done": False}


def test_strong_fairness_is_enough():
    r = run("fairness.kovn", "strong")
    assert liveness(r, "Acquired").status is Status.HOLDS
    assert r.expectation_met


def test_every_variant_of_the_liveness_models_meets_its_expectation():
    for model in ("peterson.kovn", "twophase.kovn", "fairness.kovn"):
        report = api.check(str(ROOT / "models" / model), {}, None, CheckOptions())
        assert all(v.expectation_met for v in report.results), model
