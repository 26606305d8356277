"""--max-depth d on real specs, for every d from 1 to the true depth + 1.

The rule (engine/bfs.py): the states of levels 1 to d are stored and checked; level d is
expanded like any other, but a successor not seen before is not stored: it cuts the
search (INCOMPLETE, limit "max-depth d"). So:

- d below the depth D of the unlimited run: cut; the distinct states are exactly those
  of levels 1 to d, counted here by a plain breadth-first search written below (itself
  checked against the dfs reference);
- d >= D: nothing is cut, and the result is the unlimited run's, to the last count,
  coverage figure, trace and temporal verdict.

Every run is made three ways (engine_paths: the generated expander, the general loop
only, the generated last-level expander) and they must agree exactly.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from checker import api
from checker.engine import CheckOptions, Verdict, explore
from checker.engine.dfs import reachable_graph
from engine_paths import paths, summary

ROOT = Path(__file__).resolve().parents[2]
TWOPHASE = (ROOT / "models/twophase.kovn").read_text()
DIEHARD = (ROOT / "models/diehard.kovn").read_text()

# Additions to the models: action properties that hold, one that is violated, and
# deadlocks checked (twophase has none: a decided RM can always receive the decision again).
TWOPHASE_ACTIONS = TWOPHASE + """
action property DecisionsStick: tmState != init => tmState' == tmState
action property NoLateAbort: tmState == committed => tmState' != aborted
action property PreparedOnlyGrows: tmPrepared' == tmPrepared or tmState == init
variant actions {
  properties DecisionsStick, NoLateAbort, PreparedOnlyGrows, TCConsistent
}
variant actions_sym {
  properties DecisionsStick, NoLateAbort, TCConsistent
  symmetry RM
}
"""
TWOPHASE_VIOLATED = TWOPHASE + """
// violated: a resource manager does leave `working`
action property StaysWorking: forall r in RM: rmState[r] == working => rmState'[r] == working
variant violated {
  properties StaysWorking, TCConsistent
}
"""
TWOPHASE_DEADLOCK = TWOPHASE + """
variant deadlocks {
  properties TCConsistent
  check deadlock
}
"""
DIEHARD_ACTIONS = DIEHARD + """
action property NoSpill: jug'[0] + jug'[1] <= jug[0] + jug[1] or jug'[0] == Cap[0] or jug'[1] == Cap[1]
action property NeverFull: jug'[1] != Cap[1]
reachable Four: jug[1] == 4
variant actions {
  properties NoSpill, NeverFull, Four
}
"""

CASES = [
    ("twophase.kovn", TWOPHASE, ["N=2"], None),
    ("twophase.kovn", TWOPHASE, ["N=3"], None),
    ("twophase.kovn", TWOPHASE, ["N=4"], ["default", "symmetric", "fair", "unfair"]),
    ("twophase_actions.kovn", TWOPHASE_ACTIONS, ["N=3"], ["actions", "actions_sym"]),
    ("twophase_violated.kovn", TWOPHASE_VIOLATED, ["N=2"], ["violated"]),
    ("twophase_deadlock.kovn", TWOPHASE_DEADLOCK, ["N=2"], ["deadlocks"]),
    ("peterson.kovn", (ROOT / "models/peterson.kovn").read_text(), ["N=2"], None),
    ("peterson.kovn", (ROOT / "models/peterson.kovn").read_text(), ["N=3"], ["default", "fair"]),
    ("diehard.kovn", DIEHARD, [], None),
    ("diehard_actions.kovn", DIEHARD_ACTIONS, [], ["actions"]),
]


def compiled(tmp_path, name, text, consts, variants):
    path = tmp_path / name
    path.write_text(text)
    pairs, _ = api.compile_spec(str(path), api.parse_consts(consts), variants)
    return [(variant.name, model) for variant, model in pairs]


def level_sizes(model) -> list[int]:
    """The number of states on each BFS level (under symmetry: of representatives), by the
    plainest breadth-first search: no limits, no properties."""
    sym = getattr(model, "symmetry", None)
    canon = (lambda s: s) if sym is None else sym.canonical
    seen, level = set(), []
    for s in model.init_states():
        c = canon(s)
        if c not in seen:
            seen.add(c)
            level.append(c)
    sizes = []
    while level:
        sizes.append(len(level))
        nxt = []
        for s in level:
            if model.has_constraint and not model.within_constraint(s):
                continue
            for _, t in model.successors(s):
                c = canon(t)
                if c not in seen:
                    seen.add(c)
                    nxt.append(c)
        level = nxt
    if sym is None:
        assert sum(sizes) == len(reachable_graph(model).states)
    return sizes


@pytest.mark.parametrize("name,text,consts,variants", CASES,
                         ids=[f"{c[0]}-{'-'.join(c[2]) or 'default'}-{'+'.join(c[3] or ['all'])}"
                              for c in CASES])
def test_every_depth_limit(tmp_path, name, text, consts, variants):
    for variant, model in compiled(tmp_path, name, text, consts, variants):
        sizes = level_sizes(model)
        full = summary(explore(model))
        depth = full["counts"][2]           # the unlimited run's depth (it may end early)
        if dict(full["figures"]).get("stopped") is None:
            assert depth == len(sizes), variant
        with pytest.raises(ValueError):
            CheckOptions(max_depth=0)
        for d in range(1, depth + 2):
            runs = {way: summary(explore(m, CheckOptions(max_depth=d))) for way, m in paths(model)}
            limited = runs["fast"]
            for way, run in runs.items():
                assert run == limited, (variant, d, way)
            if d >= depth:
                assert limited == full, (variant, d)
                continue
            assert limited["limit"] == f"max-depth {d}", (variant, d)
            assert limited["verdict"] in (Verdict.INCOMPLETE, Verdict.VIOLATED), (variant, d)
            if limited["verdict"] is Verdict.INCOMPLETE:
                assert all(p[2].value == "unknown" or p[3] is not None
                           for p in limited["properties"]), (variant, d)
            assert limited["counts"][0] == sum(sizes[:d]), (variant, d)
            assert limited["counts"][2] == d, (variant, d)


def test_the_depth_of_twophase_3_is_exactly_enough(tmp_path):
    """The CLI's case: level 11 of twophase N=3 has successors (self-loops among them), but
    none new."""
    ((_, model),) = compiled(tmp_path, "twophase.kovn", TWOPHASE, ["N=3"], ["default"])
    for way, m in paths(model):
        at = explore(m, CheckOptions(max_depth=11))
        assert (at.verdict, at.limit) == (Verdict.OK, None), way
        assert (at.stats.distinct, at.stats.generated, at.stats.depth) == (288, 1146, 11), way
        below = explore(m, CheckOptions(max_depth=10))
        assert (below.verdict, below.limit) == (Verdict.INCOMPLETE, "max-depth 10"), way
        # stopped at the first successor of level 10 that is new (nothing else to decide)
        assert below.stats.distinct == 286 and below.stats.left_in_queue > 0, way


# Level 3 holds (2,0), which has a new successor (the cut), then (1,1), a deadlock, then
# (1,2), whose step back to (0,2) (seen on level 2) violates NoDecrease.
FORKS = """
spec forks
var x: 0..5 = 0
var y: 0..2 = 0
action Go { require y == 0 and x < 5  x := x + 1 }
action Fork1 { require x == 0 and y == 0  y := 1 }
action Fork2 { require x == 0 and y == 0  y := 2 }
action Dead { require y == 1 and x < 1  x := x + 1 }
action Up { require y == 2 and x < 1  x := x + 1 }
action Back { require y == 2 and x == 1  x := 0 }
action property NoDecrease: x' >= x
invariant Small: x < 5
"""


def test_a_cut_level_is_still_searched_for_deadlocks_and_action_properties(tmp_path):
    """Once cut, the last level is expanded on while a deadlock or an action property is
    undecided: both are found there, with the unlimited search's traces."""
    ((_, model),) = compiled(tmp_path, "forks.kovn", FORKS, [], None)
    full = explore(model)
    found = {p.name: p for p in full.properties}
    assert [len(found[n].trace) for n in ("NoDecrease", "deadlock", "Small")] == [4, 3, 6]
    for way, m in paths(model):
        at = explore(m, CheckOptions(max_depth=3))
        assert (at.verdict, at.limit) == (Verdict.VIOLATED, "max-depth 3"), way
        got = {p.name: p for p in at.properties}
        for name in ("NoDecrease", "deadlock"):
            assert got[name].status.value == "violated", (way, name)
            assert got[name].trace == found[name].trace, (way, name)
        assert got["Small"].status.value == "unknown", way
        # all of level 3 expanded: 1 initial + 3 + 3 + 2 transitions; 1 + 3 + 3 states; one
        # state of level 3 had a successor that was not stored
        assert (at.stats.distinct, at.stats.generated, at.stats.left_in_queue) == (7, 9, 1), way
        # level 2 is all cut: nothing is found there, every state of it was expanded
        two = explore(m, CheckOptions(max_depth=2))
        assert (two.verdict, two.limit, two.stats.distinct, two.stats.left_in_queue) == (
            Verdict.INCOMPLETE, "max-depth 2", 4, 3), way


def test_a_cut_level_with_nothing_left_to_decide_ends_at_the_cut(tmp_path):
    """Without a deadlock or an action property to look for, the search ends at the first
    new successor of the last level, as --max-states ends at the state it refuses."""
    text = FORKS.replace("action property NoDecrease: x' >= x\n", "") + "allow deadlock\n"
    ((_, model),) = compiled(tmp_path, "forks.kovn", text, [], None)
    for way, m in paths(model):
        at = explore(m, CheckOptions(max_depth=3))
        assert (at.verdict, at.limit) == (Verdict.INCOMPLETE, "max-depth 3"), way
        # (2,0), the first state of level 3, has the new successor (3,0), generated and not
        # stored: it and the two states after it are left
        assert (at.stats.distinct, at.stats.generated, at.stats.left_in_queue) == (7, 8, 3), way
