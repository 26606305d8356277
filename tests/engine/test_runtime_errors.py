"""Run-time errors (KOV501) met by the search, next to violations: every search path gives
the same, documented answer (engine/bfs.py's docstring, "Run-time errors").

The rule:
- events are met in search order: initial states as they are stored; then the states in
  BFS order, and for each its transitions in successor order (the transition's action
  properties, then the target's state properties if it is new), then its deadlock test;
- every property is evaluated on every state stored and every action property on every
  transition, decided or not; an evaluation that fails ends the search with ERROR at that
  point, with nothing recorded for the state (or transition) being checked; findings met
  before are kept;
- so the first event in that order decides: an error first is ERROR; a violation first
  is recorded, and ends the search with VIOLATED under --stop-at-first (or when every
  property is then decided), else the search goes on and the later error makes it ERROR.

Each spec runs on the generated expander, on the general loop only, with the generated
last-level expander, and through `reference()` below: that rule written as plainly as
possible, without chunks, generated code or counters. The states it stores are checked
against the dfs reference explorer.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.engine import CheckOptions, ModelError, Status, Verdict, explore
from checker.engine.dfs import reachable_graph
from engine_paths import paths, summary

# A grid: level k holds the states with x + y == k - 1, met in the order (x, y) = (k-1, 0),
# (k-2, 1), ..., (0, k-1): level 2 is (1,0) (0,1), level 3 is (2,0) (1,1) (0,2), level 4
# is (3,0) (2,1) (1,2) (0,3). `at(v)` below is x * 10 + y.
GRID = """
spec grid
var x: 0..4 = 0
var y: 0..4 = 0
action IncX { require x < 4  x := x + 1 }
action IncY { require y < 4  y := y + 1 }
allow deadlock
"""


def violated_at(xy: int, name: str = "V") -> str:
    return f"invariant {name}: x * 10 + y != {xy}\n"


def fails_at(xy: int, name: str = "E") -> str:
    """An invariant that always holds where it has a value, and has none at xy."""
    return f"invariant {name}: 10 / (x * 10 + y - {xy}) < 100\n"


KEEP_GOING = "invariant T: x < 5\n"       # holds: the search never ends "all-decided"

SPECS = {
    # one state, both: (1,1) violates V and fails E
    "same_state": GRID + violated_at(11) + fails_at(11) + KEEP_GOING,
    "same_state_error_declared_first": GRID + fails_at(11) + violated_at(11) + KEEP_GOING,
    # one level (3): the violation at (2,0) comes before the error at (1,1) ...
    "same_level_violation_first": GRID + violated_at(20) + fails_at(11) + KEEP_GOING,
    # ... and the error at (2,0) before the violation at (1,1)
    "same_level_error_first": GRID + violated_at(11) + fails_at(20) + KEEP_GOING,
    # a violation on level 2, an error on level 4, and the other way round
    "violation_level_2_error_level_4": GRID + violated_at(10) + fails_at(21) + KEEP_GOING,
    "error_level_2_violation_level_4": GRID + violated_at(21) + fails_at(10) + KEEP_GOING,
    # the property that fails to evaluate was decided before: violated at (1,0), no value
    # at (2,1) (the disagreement reported: the generated expander skipped it)
    "decided_invariant_fails_later": GRID + KEEP_GOING
    + "invariant D: x * 10 + y != 10 and 10 / (x * 10 + y - 21) < 100\n",
    # a reachable property witnessed at (1,0), with no value at (2,1)
    "witnessed_reachable_fails_later": GRID + KEEP_GOING
    + "reachable R: x * 10 + y == 10 or 10 / (x * 10 + y - 21) > 100\n",
    # an action property violated by the step to (1,0), with no value on the steps to (2,1)
    "decided_action_property_fails_later": GRID + KEEP_GOING
    + "action property A: x' * 10 + y' != 10 and 10 / (x' * 10 + y' - 21) < 100\n",
    # the step (1,0) -> (1,1) violates B, and its target (1,1) fails E
    "action_violation_then_target_error": GRID + fails_at(11) + KEEP_GOING
    + "action property B: not (x == 1 and y' == 1)\n",
    # a failing action on (2,0) (expanded on level 3) after a violation stored on level 3
    "action_body_error_after_violation": GRID.replace(
        "allow deadlock", "action Bad { require x == 2 and y == 0  y := 10 / (x - 2) }\n"
        "allow deadlock") + violated_at(11) + KEEP_GOING,
    # a failing action on (1,0) (level 2) before a violation on level 3
    "action_body_error_before_violation": GRID.replace(
        "allow deadlock", "action Bad { require x == 1 and y == 0  y := 10 / (x - 1) }\n"
        "allow deadlock") + violated_at(11) + KEEP_GOING,
    # an initial state that fails
    "initial_state_fails": GRID + violated_at(0) + fails_at(0) + KEEP_GOING,
    # two violations in one state: both recorded, --stop-at-first included
    "two_violations_one_state": GRID + violated_at(11, "V1") + violated_at(11, "V2")
    + KEEP_GOING,
    # a deadlock at (4,4) (level 9) after an error at (1,1)
    "deadlock_after_error": GRID.replace("allow deadlock", "") + fails_at(11) + KEEP_GOING,
    # a deadlock at (4,4) before an error... there is none after it: the error at (4,3)
    # (level 8) comes first; and a decided invariant failing on the last level
    "decided_fails_on_the_last_level": GRID + KEEP_GOING
    + "invariant D: x * 10 + y != 1 and 10 / (x * 10 + y - 44) < 100\n",
}

OPTIONS = [CheckOptions(), CheckOptions(stop_on_violation=True), CheckOptions(max_depth=3),
           CheckOptions(max_depth=4), CheckOptions(max_states=6),
           CheckOptions(max_depth=3, stop_on_violation=True)]


def compile_one(tmp_path, name, text):
    path = tmp_path / f"{name}.kovn"
    path.write_text(text)
    ((_, model),) = api.compile_spec(str(path))[0]
    return model


# ---- the rule, written plainly -------------------------------------------------------------

class _End(Exception):
    pass


def reference(model, options: CheckOptions):
    """What the search must answer, by the documented rule: (verdict, failure, statuses)
    with failure = (message, trace states) and statuses = {name: (status, trace states)}.
    Only limits that the specs above can meet: max_depth (every cut level here has states
    outside the limit and nothing pending... or pending: expanded whole) and max_states."""
    kinds = {p.name: p.kind for p in model.properties}
    names = [p.name for p in model.properties]
    deadlock = model.check_deadlock if options.check_deadlock is None else options.check_deadlock
    if deadlock:
        kinds["deadlock"] = "deadlock"
        names.append("deadlock")
    parent: dict = {}
    order: list = []
    found: dict = {}
    state = {"failure": None, "stopped": False, "limit": None}

    def path(s):
        chain = []
        while s is not None:
            chain.append(s)
            s = parent[s]
        return chain[::-1]

    def note(indices, end):
        stop = False
        for i in indices:
            name = names[i] if isinstance(i, int) else i
            if name in found:
                continue
            found[name] = end
            if options.stop_on_violation and kinds[name] != "reachable":
                stop = True
        if stop or len(found) == len(names):
            state["stopped"] = True
            raise _End

    def fail(error, end):
        state["failure"] = (error.message, tuple(end))
        raise _End

    def store(t, par):
        if options.max_states is not None and len(order) == options.max_states:
            state["limit"] = f"max-states {options.max_states}"
            raise _End
        parent[t] = par
        order.append(t)
        try:
            bad = model.check_state(t)
        except ModelError as e:
            fail(e, path(t))
        note(bad, path(t))

    def pending():
        return (deadlock and "deadlock" not in found) or any(
            k == "action" and n not in found for n, k in kinds.items())

    try:
        level = []
        try:
            inits = list(model.init_states())
        except ModelError as e:         # no state to show
            state["failure"] = (e.message, None)
            raise _End from None
        for s in inits:
            if s not in parent:
                store(s, None)
                level.append(s)
        depth = 1
        while level:
            last = depth == options.max_depth
            nxt = []
            for s in level:
                if model.has_constraint and not model.within_constraint(s):
                    continue
                try:
                    succ = list(model.successors(s))
                except ModelError as e:
                    fail(e, path(s))
                for label, t in succ:
                    try:
                        bad = model.check_transition(s, label, t)
                    except ModelError as e:
                        fail(e, path(s) + [t])
                    note(bad, path(s) + [t])
                    if t in parent:
                        continue
                    if last:
                        state["limit"] = f"max-depth {depth}"
                        if not pending():
                            raise _End
                        continue
                    store(t, s)
                    nxt.append(t)
                if not succ and deadlock:
                    note(["deadlock"], path(s))
            if last:
                break
            level, depth = nxt, depth + 1
    except _End:
        pass
    complete = state["failure"] is None and not state["stopped"] and state["limit"] is None
    statuses = {}
    for name in names:
        kind = kinds[name]
        if name in found:
            statuses[name] = (Status.HOLDS if kind == "reachable" else Status.VIOLATED,
                              tuple(found[name]))
        elif complete:
            statuses[name] = (Status.VIOLATED if kind == "reachable" else Status.HOLDS, None)
        else:
            statuses[name] = (Status.UNKNOWN, None)
    if state["failure"] is not None:
        verdict = Verdict.ERROR
    elif any(st is Status.VIOLATED for st, _ in statuses.values()):
        verdict = Verdict.VIOLATED
    elif state["limit"] is not None:
        verdict = Verdict.INCOMPLETE
    else:
        verdict = Verdict.OK
    return verdict, state["failure"], statuses, set(order)


def answer(result):
    statuses = {p.name: (p.status, None if p.trace is None else
                         tuple(step.state for step in p.trace.steps))
                for p in result.properties}
    failure = None if result.failure is None else (
        result.failure.message, tuple(step.state for step in result.failure.trace.steps)
        if result.failure.trace is not None else None)
    return result.verdict, failure, statuses


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_path_agrees_with_the_rule(tmp_path, name):
    model = compile_one(tmp_path, name, SPECS[name])
    try:
        space = reachable_graph(model).states
    except ModelError:          # an action fails: no complete graph to compare with
        space = None
    for options in OPTIONS:
        runs = {way: explore(m, options) for way, m in paths(model)}
        first = summary(runs["fast"])
        for way, result in runs.items():
            assert summary(result) == first, (name, options, way)
        verdict, failure, statuses, stored = reference(model, options)
        assert answer(runs["fast"]) == (verdict, failure, statuses), (name, options)
        assert runs["fast"].stats.distinct == len(stored), (name, options)
        if space is not None:
            assert stored <= space


# ---- what the rule says, case by case ------------------------------------------------------

def grid_state(model, x, y):
    """The packed state of (x, y), found among the reachable ones by its description."""
    for s in reachable_graph(model).states:
        d = model.describe(s)
        if (d["x"], d["y"]) == (x, y):
            return s
    raise AssertionError((x, y))


def outcome(model, options=CheckOptions()):
    result = explore(model, options)
    statuses = {p.name: p.status.value for p in result.properties}
    where = None
    if result.failure is not None:
        last = model.describe(result.failure.trace.steps[-1].state)
        where = (last["x"], last["y"])
    return result.verdict.value, where, statuses


STOP = CheckOptions(stop_on_violation=True)

PINNED = [
    # name, options, (verdict, where the error is, statuses)
    ("same_state", None, ("error", (1, 1), {"V": "unknown", "E": "unknown", "T": "unknown"})),
    ("same_state", STOP, ("error", (1, 1), {"V": "unknown", "E": "unknown", "T": "unknown"})),
    ("same_state_error_declared_first", STOP,
     ("error", (1, 1), {"V": "unknown", "E": "unknown", "T": "unknown"})),
    ("same_level_violation_first", None,
     ("error", (1, 1), {"V": "violated", "E": "unknown", "T": "unknown"})),
    ("same_level_violation_first", STOP,
     ("violated", None, {"V": "violated", "E": "unknown", "T": "unknown"})),
    ("same_level_error_first", None,
     ("error", (2, 0), {"V": "unknown", "E": "unknown", "T": "unknown"})),
    ("same_level_error_first", STOP,
     ("error", (2, 0), {"V": "unknown", "E": "unknown", "T": "unknown"})),
    ("violation_level_2_error_level_4", None,
     ("error", (2, 1), {"V": "violated", "E": "unknown", "T": "unknown"})),
    ("violation_level_2_error_level_4", STOP,
     ("violated", None, {"V": "violated", "E": "unknown", "T": "unknown"})),
    ("error_level_2_violation_level_4", STOP,
     ("error", (1, 0), {"V": "unknown", "E": "unknown", "T": "unknown"})),
    ("decided_invariant_fails_later", None,
     ("error", (2, 1), {"D": "violated", "T": "unknown"})),
    ("decided_invariant_fails_later", STOP, ("violated", None, {"D": "violated", "T": "unknown"})),
    ("witnessed_reachable_fails_later", None, ("error", (2, 1), {"R": "holds", "T": "unknown"})),
    ("decided_action_property_fails_later", None,
     ("error", (2, 1), {"A": "violated", "T": "unknown"})),
    ("action_violation_then_target_error", None,
     ("error", (1, 1), {"B": "violated", "E": "unknown", "T": "unknown"})),
    ("action_violation_then_target_error", STOP,
     ("violated", None, {"B": "violated", "E": "unknown", "T": "unknown"})),
    ("action_body_error_after_violation", None,
     ("error", (2, 0), {"V": "violated", "T": "unknown"})),
    ("action_body_error_before_violation", None,
     ("error", (1, 0), {"V": "unknown", "T": "unknown"})),
    ("initial_state_fails", STOP, ("error", (0, 0), {"V": "unknown", "E": "unknown", "T": "unknown"})),
    ("two_violations_one_state", STOP,
     ("violated", None, {"V1": "violated", "V2": "violated", "T": "unknown"})),
    ("deadlock_after_error", None,
     ("error", (1, 1), {"E": "unknown", "T": "unknown", "deadlock": "unknown"})),
    ("decided_fails_on_the_last_level", None, ("error", (4, 4), {"D": "violated", "T": "unknown"})),
    # the last level is checked when --max-depth reaches it ...
    ("decided_fails_on_the_last_level", CheckOptions(max_depth=9),
     ("error", (4, 4), {"D": "violated", "T": "unknown"})),
    # ... and not stored, so not checked, when it lies beyond
    ("decided_fails_on_the_last_level", CheckOptions(max_depth=8),
     ("violated", None, {"D": "violated", "T": "unknown"})),
]


def _pinned_id(p) -> str:
    how = "stop" if p[1] is STOP else "default" if p[1] is None else "depth" + str(p[1].max_depth)
    return f"{p[0]}-{how}"


@pytest.mark.parametrize("name,options,expected", PINNED, ids=[_pinned_id(p) for p in PINNED])
def test_what_the_rule_gives(tmp_path, name, options, expected):
    model = compile_one(tmp_path, name, SPECS[name])
    for way, m in paths(model):
        assert outcome(m, options or CheckOptions()) == expected, way


def test_the_error_names_the_first_property_declared_that_fails(tmp_path):
    text = GRID + fails_at(11, "E1") + "invariant E2: 10 / (x - 1) < 100\n" + KEEP_GOING
    model = compile_one(tmp_path, "two_errors", text)
    for way, m in paths(model):
        result = explore(m)
        # (1,0), on level 2, fails E2 first; at (1,1) both would fail, E1 first
        assert outcome(m)[:2] == ("error", (1, 0)), way
        assert result.failure.message == "division by zero", way
        assert result.failure.origin.text().startswith("10 / (x - 1)"), way


# ---- random specs --------------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
from specgen import compiled_models, seeded_specs  # noqa: E402

_SETTINGS = dict(derandomize=True, deadline=None, database=None, max_examples=60,
                 phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


@settings(**_SETTINGS)
@given(seeded_specs())
def test_random_specs_follow_the_rule_on_every_path(tmp_path_factory, generated):
    """Random small specs (tests/property/specgen.py: some expressions fail at run time),
    every depth limit up to the depth + 1, with and without --stop-at-first."""
    for model in compiled_models(tmp_path_factory.mktemp("rule"), generated.text):
        full = explore(model)
        for stop in (False, True):
            for d in [None, *range(1, full.stats.depth + 2)]:
                options = CheckOptions(max_depth=d, stop_on_violation=stop)
                runs = [summary(explore(m, options)) for _, m in paths(model)]
                assert runs[0] == runs[1], (options, generated.text)
                verdict, failure, statuses, stored = reference(model, options)
                assert answer(explore(model, options)) == (verdict, failure, statuses), (
                    options, generated.text)
                if d is not None and d >= full.stats.depth and not stop:
                    assert runs[0] == summary(full), (options, generated.text)
