"""The hand-written Python Peterson model (models/peterson_model.py) against TLC's counts,
and determinism of the whole explorer under different PYTHONHASHSEEDs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.engine import CheckOptions, Status, Verdict, explore
from checker.engine.dfs import reachable_graph
from models.peterson_model import PetersonModel

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("n, distinct, generated, depth", [
    (2, 20, 35, 7),
    (3, 288, 652, 15),          # conformance.md: TLC and SPIN agree
    (4, 4752, 13081, 25),       # kovn's own answer, cross-checked with the dfs reference below
])
def test_counts_and_mutual_exclusion(n, distinct, generated, depth):
    result = explore(PetersonModel(n))
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (
        distinct, generated, depth)
    assert result.verdict is Verdict.OK
    (mutex,) = result.properties
    assert (mutex.name, mutex.status) == ("MutualExclusion", Status.HOLDS)


@pytest.mark.parametrize("n", [3, 4])
def test_dfs_reference_agrees(n):
    model = PetersonModel(n)
    result, ref = explore(model), reachable_graph(model)
    assert (result.stats.distinct, result.stats.generated) == (len(ref.states), ref.generated)


def test_every_action_fires():
    coverage = explore(PetersonModel(3)).stats.coverage
    assert [c.name for c in coverage] == ["Enter", "SetVictim", "Pass", "Exit"]
    assert sum(c.generated for c in coverage) == 652 - 1
    assert sum(c.distinct for c in coverage) == 288 - 1
    assert all(c.generated > 0 and c.distinct > 0 for c in coverage)


def test_successor_order_is_action_then_process():
    model = PetersonModel(3)
    (init,) = model.init_states()
    assert [model.format_label(label) for label, _ in model.successors(init)] == [
        "Enter(0)", "Enter(1)", "Enter(2)"]


def test_a_broken_lock_is_caught_with_a_trace():
    class NoWait(PetersonModel):
        """Pass never waits: two processes reach cs."""
        def _may_pass(self, s, i):
            return True

    result = explore(NoWait(2))
    assert result.verdict is Verdict.VIOLATED
    trace = result.properties[0].trace
    model = NoWait(2)
    assert model.describe(trace.steps[-1].state)["pc"] == ("cs", "cs")
    # The shortest way: both enter, set victim, pass the single level (N - 1 = 1).
    assert len(trace) == 7
    assert trace.steps[1].action == "Enter(0)"


_DETERMINISM = """
from checker.engine import explore, ActionInfo, ModelBase, PropertyInfo
from models.peterson_model import PetersonModel

class Names(ModelBase):
    # States are frozensets of strings, whose iteration order depends on PYTHONHASHSEED.
    name = "names"; actions = (ActionInfo("Add"), ActionInfo("Drop"))
    properties = (PropertyInfo("Small", "invariant"),)
    check_deadlock = True; has_action_properties = False; has_constraint = False
    words = ("ant", "bee", "cat", "dog", "eel")
    def init_states(self): return [frozenset()]
    def successors(self, s):
        adds = [((0, (w,)), s | {w}) for w in self.words if w not in s]
        drops = [((1, (w,)), s - {w}) for w in sorted(s)]
        return adds + drops
    def check_state(self, s): return [0] if len(s) > 3 else []
    def format_label(self, l): return f"{self.actions[l[0]].name}({l[1][0]})"

for model in (Names(), PetersonModel(3)):
    r = explore(model)
    print(r.verdict, r.stats.distinct, r.stats.generated, r.stats.depth,
          [(p.name, p.status, p.trace and [(s.action, sorted(s.state)) for s in p.trace.steps])
           for p in r.properties])
"""


def test_results_do_not_depend_on_the_hash_seed():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        outputs.add(subprocess.run([sys.executable, "-c", _DETERMINISM], env=env, check=True,
                                   capture_output=True, text=True).stdout)
    assert len(outputs) == 1
    assert "Verdict.VIOLATED" in outputs.pop()


def test_max_states_on_peterson_is_incomplete():
    result = explore(PetersonModel(3), CheckOptions(max_states=100))
    assert result.verdict is Verdict.INCOMPLETE and result.limit == "max-states 100"
    assert result.properties[0].status is Status.UNKNOWN
