"""Conformance: the classic models give exactly the state counts that TLC and SPIN report
for them, through the whole pipeline (parse, check, compile, explore).
The models' `default` variants check exactly the published safety properties; their other
variants (liveness under fairness) are tested with the liveness checker.

Counts are (distinct states, states generated, depth) as TLC counts them: generated includes
the initial states and every enabled action instance of every distinct state.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assertions import counts

from checker import api
from checker.engine import CheckOptions, Status, Verdict, explore

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models"))
from peterson_model import PetersonModel  # noqa: E402  (models/ is not a package)


def run(model: str, consts: dict[str, str] | None = None, variants: list[str] | None = None):
    parsed = api.parse_consts([f"{k}={v}" for k, v in (consts or {}).items()])
    return api.check(str(ROOT / "models" / model), parsed, variants, CheckOptions())


def only(report):
    assert len(report.results) == 1
    return report.results[0]


@pytest.mark.parametrize("n, want", [(3, (288, 1146, 11)), (5, (8832, 58146, 17))])
def test_twophase_counts(n, want):
    r = only(run("twophase.kovn", {"N": str(n)}, ["default"]))
    assert r.result.verdict is Verdict.OK
    assert counts(r.result) == want
    assert [(p.name, p.status) for p in r.result.properties] == [("TCConsistent", Status.HOLDS)]
    assert r.expectation_met


@pytest.mark.slow
def test_twophase_n7_counts():
    r = only(run("twophase.kovn", {"N": "7"}, ["default"]))
    assert r.result.verdict is Verdict.OK
    assert counts(r.result) == (296_448, 2_744_706, 23)


def test_diehard_puzzle_has_a_seven_state_solution():
    r = only(run("diehard.kovn", variants=["puzzle"]))
    assert r.result.verdict is Verdict.VIOLATED
    (v,) = r.result.violations
    assert (v.name, v.kind) == ("NotSolved", "invariant")
    assert len(v.trace) == 7
    # The trace is a real solution: it starts empty, each step is a successor of the one
    # before (replayed), and only the last state holds the goal of 4 gallons.
    states = [r.model.describe(step.state)["jug"] for step in v.trace.steps]
    assert states[0] == {0: 0, 1: 0}
    assert 4 in states[-1].values()
    assert all(4 not in s.values() for s in states[:-1])
    for a, b in zip(v.trace.steps, v.trace.steps[1:]):
        assert (b.label, b.state) in list(r.model.successors(a.state))
    assert r.expectation_met


def test_diehard_whole_space():
    r = only(run("diehard.kovn", variants=["space"]))
    assert r.result.verdict is Verdict.OK
    assert counts(r.result) == (16, 97, 8)
    assert r.result.properties == ()


@pytest.mark.parametrize("n, want", [(3, (288, 652, 15)), (4, (4752, 13081, 25))])
def test_peterson_counts(n, want):
    r = only(run("peterson.kovn", {"N": str(n)}, ["default"]))
    assert r.result.verdict is Verdict.OK
    assert counts(r.result) == want
    assert [(p.name, p.status) for p in r.result.properties] == [("MutualExclusion", Status.HOLDS)]


@pytest.mark.parametrize("n", [3, 4])
def test_python_peterson_matches_the_spec(n):
    spec = only(run("peterson.kovn", {"N": str(n)}, ["default"])).result
    python = explore(PetersonModel(n), CheckOptions())
    assert python.verdict is Verdict.OK
    assert counts(python) == counts(spec)
    # The same transitions per action, too (Enter, SetVictim, Pass, Exit in both).
    assert [(c.name, c.generated) for c in python.stats.coverage] == \
           [(c.name, c.generated) for c in spec.stats.coverage]


# The data-shape models of issue 15 (models/tla/), written from tlaplus/Examples, against
# the counts recorded in that repository's manifest.json files (TLC, one worker): distinct,
# generated and depth exactly, except where a model's comment says why a figure differs.
TLA_MODELS = [
    ("paxos.kovn", {}, (3_921, 23_563, 17)),                 # MCPaxosTiny.cfg
    ("readerswriters.kovn", {}, (21_527, 59_674, 13)),       # MC.cfg, NumActors = 3
    ("tokenring.kovn", {}, (46_656, 248_832, 1)),            # TokenRing.cfg, N = M = 6
    ("ewd840.kovn", {"N": "4"}, (1_566, 15_986, 12)),        # EWD840_json.cfg
    # MCInnerFIFO.cfg: 3,864 distinct at depth 11 as TLC; TLC's 9,660 generated include
    # the successors its state constraint drops (the model's comment)
    ("fifo.kovn", {}, (3_864, 7_716, 11)),
]


@pytest.mark.parametrize("model, consts, want", TLA_MODELS, ids=[m for m, _, _ in TLA_MODELS])
def test_tla_examples_give_tlcs_counts(model, consts, want):
    r = only(run(f"tla/{model}", consts, ["default"]))
    assert r.result.verdict is Verdict.OK
    assert counts(r.result) == want
