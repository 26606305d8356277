"""bfs.explore on tiny hand-made models: counts, verdicts, traces, limits, errors, coverage.

Each model is a `TableModel`: int states, edges given as a table, properties as predicates,
so every expected number below can be checked by hand from the table.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

import pytest

from checker.engine import (
    ActionInfo,
    CheckOptions,
    ModelBase,
    ModelError,
    Progress,
    PropertyInfo,
    Status,
    Verdict,
    explore,
    rebuild_trace,
)

Edge = tuple[int, int, int]         # (state, action index, next state); the label is (a, (state,))


class TableModel(ModelBase):
    """A Model given by a table of edges over int states (or a function for infinite ones)."""

    def __init__(self, edges: Iterable[Edge] = (), init: Iterable[int] = (0,), *,
                 actions: Iterable[str] = ("A", "B", "C"),
                 succ: Callable[[int], list[tuple[int, int]]] | None = None,
                 invariants: dict[str, Callable[[int], bool]] | None = None,
                 reachable: dict[str, Callable[[int], bool]] | None = None,
                 action_props: dict[str, Callable[[int, tuple, int], bool]] | None = None,
                 constraint: Callable[[int], bool] | None = None,
                 check_deadlock: bool = False,
                 fail_expand: Iterable[int] = (), fail_check: Iterable[int] = ()):
        self.name = "table"
        self.actions = tuple(ActionInfo(a) for a in actions)
        self.table: dict[int, list[tuple[int, int]]] = {}
        for s, a, t in edges:
            self.table.setdefault(s, []).append((a, t))
        self.succ = succ or (lambda s: self.table.get(s, []))
        self.init = tuple(init)
        self.preds: list[tuple[str, Callable]] = []
        props = []
        for kind, table in (("invariant", invariants), ("reachable", reachable),
                            ("action", action_props)):
            for name, pred in (table or {}).items():
                props.append(PropertyInfo(name, kind, origin=f"line of {name}"))
                self.preds.append((kind, pred))
        self.properties = tuple(props)
        self.has_action_properties = bool(action_props)
        self.constraint = constraint
        self.has_constraint = constraint is not None
        self.check_deadlock = check_deadlock
        self.fail_expand, self.fail_check = set(fail_expand), set(fail_check)

    def init_states(self):
        return iter(self.init)

    def successors(self, s):
        if s in self.fail_expand:
            raise ModelError(f"cannot expand {s}", origin=("span", s))
        return [((a, (s,)), t) for a, t in self.succ(s)]

    def check_state(self, s):
        if s in self.fail_check:
            raise ModelError(f"cannot check {s}", origin=("check", s))
        return [i for i, (kind, pred) in enumerate(self.preds)
                if (kind == "invariant" and not pred(s)) or (kind == "reachable" and pred(s))]

    def check_transition(self, s, label, t):
        return [i for i, (kind, pred) in enumerate(self.preds)
                if kind == "action" and not pred(s, label, t)]

    def within_constraint(self, s):
        return self.constraint(s)

    def format_label(self, label):
        return f"{self.actions[label[0]].name}({label[1][0]})"

    def describe(self, s):
        return {"s": s}


def states(trace):
    return [step.state for step in trace.steps]


def actions(trace):
    return [step.action for step in trace.steps]


def prop(result, name):
    (found,) = [p for p in result.properties if p.name == name]
    return found


# A diamond with a duplicate initial state, a self-loop and a back edge:
#   0 -A-> 1, 0 -B-> 2, 1 -A-> 3, 2 -B-> 3, 3 -C-> 3, 3 -A-> 0
DIAMOND = [(0, 0, 1), (0, 1, 2), (1, 0, 3), (2, 1, 3), (3, 2, 3), (3, 0, 0)]


# ---- counts --------------------------------------------------------------------------------

def test_counts_follow_tlc_duplicates_and_self_loops_included():
    result = explore(TableModel(DIAMOND, init=(0, 0)))
    assert result.verdict is Verdict.OK
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (4, 8, 3)
    assert result.stats.left_in_queue == 0
    assert result.limit is None and result.failure is None
    assert result.properties == ()


def test_coverage_counts_transitions_and_first_reached_states_per_action():
    result = explore(TableModel(DIAMOND, init=(0, 0)))
    cov = [(c.name, c.generated, c.distinct) for c in result.stats.coverage]
    # A: 0->1 (new), 1->3 (new), 3->0; B: 0->2 (new), 2->3; C: 3->3.
    assert cov == [("A", 3, 2), ("B", 2, 1), ("C", 1, 0)]


def test_no_initial_states():
    result = explore(TableModel([], init=(), reachable={"R": lambda s: True}))
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (0, 0, 0)
    assert prop(result, "R").status is Status.VIOLATED


def test_stats_report_time_and_memory():
    stats = explore(TableModel(DIAMOND)).stats
    assert stats.seconds > 0 and stats.peak_rss_bytes > 1_000_000


# ---- deadlock ------------------------------------------------------------------------------

CHAIN = [(0, 0, 1), (1, 0, 2)]          # 2 has no successor


def test_deadlock_reported_with_trace_when_checked():
    result = explore(TableModel(CHAIN, check_deadlock=True))
    assert result.verdict is Verdict.VIOLATED
    dl = prop(result, "deadlock")
    assert (dl.kind, dl.status) == ("deadlock", Status.VIOLATED)
    assert states(dl.trace) == [0, 1, 2]
    assert actions(dl.trace) == [None, "A(0)", "A(1)"]


def test_deadlock_ignored_when_not_checked():
    result = explore(TableModel(CHAIN))
    assert result.verdict is Verdict.OK
    assert all(p.name != "deadlock" for p in result.properties)


def test_options_override_the_models_deadlock_setting():
    off = explore(TableModel(CHAIN, check_deadlock=True), CheckOptions(check_deadlock=False))
    assert off.verdict is Verdict.OK and off.properties == ()
    on = explore(TableModel(CHAIN), CheckOptions(check_deadlock=True))
    assert on.verdict is Verdict.VIOLATED


def test_deadlock_checked_and_absent_holds():
    result = explore(TableModel(DIAMOND, check_deadlock=True))
    assert result.verdict is Verdict.OK
    assert prop(result, "deadlock").status is Status.HOLDS


# ---- invariants ----------------------------------------------------------------------------

# 9 is bad; reachable by 0-1-2-3-9 (long, found first in edge order) and 0-5-9 (short).
DETOUR = [(0, 0, 1), (1, 0, 2), (2, 0, 3), (3, 0, 9), (0, 1, 5), (5, 1, 9), (9, 0, 10)]


def test_violated_invariant_has_shortest_trace_and_others_keep_their_verdict():
    model = TableModel(DETOUR, invariants={"Not9": lambda s: s != 9, "Small": lambda s: s < 100})
    result = explore(model)
    assert result.verdict is Verdict.VIOLATED
    bad = prop(result, "Not9")
    assert bad.status is Status.VIOLATED and bad.origin == "line of Not9"
    assert states(bad.trace) == [0, 5, 9]
    assert actions(bad.trace) == [None, "B(0)", "B(5)"]
    assert bad.trace.steps[1].label == (1, (0,))
    # The search went on to give "Small" its own verdict, over the whole space.
    assert prop(result, "Small").status is Status.HOLDS
    assert result.stats.distinct == 7
    assert [p.name for p in result.violations] == ["Not9"]


def test_violated_initial_state_has_one_step_trace():
    result = explore(TableModel(DIAMOND, invariants={"Pos": lambda s: s > 0}))
    assert states(prop(result, "Pos").trace) == [0]
    assert prop(result, "Pos").trace.steps[0].label is None


def test_stop_on_violation_leaves_undecided_properties_unknown():
    model = TableModel(DETOUR, invariants={"Not9": lambda s: s != 9, "Small": lambda s: s < 100})
    result = explore(model, CheckOptions(stop_on_violation=True))
    assert result.verdict is Verdict.VIOLATED
    assert prop(result, "Small").status is Status.UNKNOWN
    assert result.stopped == "violation"
    assert result.limit is None
    assert result.stats.distinct < 7


def test_search_stops_once_every_property_is_decided():
    # An infinite counter: only stopping because the one invariant is decided ends it.
    model = TableModel(succ=lambda s: [(0, s + 1)], invariants={"Below5": lambda s: s < 5})
    result = explore(model)
    assert result.verdict is Verdict.VIOLATED
    assert states(prop(result, "Below5").trace) == [0, 1, 2, 3, 4, 5]
    assert result.stopped == "all-decided"


# ---- reachable -----------------------------------------------------------------------------

def test_reachable_witnessed_holds_with_witness_trace():
    result = explore(TableModel(DETOUR, reachable={"Sees9": lambda s: s == 9}))
    assert result.verdict is Verdict.OK
    witness = prop(result, "Sees9")
    assert witness.status is Status.HOLDS and states(witness.trace) == [0, 5, 9]


def test_reachable_never_witnessed_is_violated_without_trace():
    result = explore(TableModel(DETOUR, reachable={"Sees42": lambda s: s == 42}))
    assert result.verdict is Verdict.VIOLATED
    assert prop(result, "Sees42").status is Status.VIOLATED
    assert prop(result, "Sees42").trace is None


def test_reachable_never_witnessed_is_unknown_when_cut():
    result = explore(TableModel(DETOUR, reachable={"Sees42": lambda s: s == 42}),
                     CheckOptions(max_states=3))
    assert result.verdict is Verdict.INCOMPLETE
    assert prop(result, "Sees42").status is Status.UNKNOWN


# ---- action properties ---------------------------------------------------------------------

def test_action_property_trace_ends_with_the_violating_action():
    # 0 -A-> 1 and 0 -B-> 1 reach the same state; only B violates "NoB". Replay alone would
    # name A for the last step.
    model = TableModel([(0, 0, 1), (0, 1, 1), (1, 0, 2)],
                       action_props={"NoB": lambda s, label, t: label[0] != 1,
                                     "Up": lambda s, label, t: t > s})
    result = explore(model)
    assert result.verdict is Verdict.VIOLATED
    nob = prop(result, "NoB")
    assert nob.kind == "action" and nob.status is Status.VIOLATED
    assert actions(nob.trace) == [None, "B(0)"] and states(nob.trace) == [0, 1]
    assert prop(result, "Up").status is Status.HOLDS


def test_action_property_checked_on_transitions_to_seen_states():
    model = TableModel(DIAMOND, action_props={"NoReset": lambda s, label, t: t != 0})
    result = explore(model)
    assert states(prop(result, "NoReset").trace) == [0, 1, 3, 0]


# ---- constraint ----------------------------------------------------------------------------

def test_states_outside_constraint_are_counted_checked_not_expanded_not_deadlocks():
    model = TableModel(CHAIN + [(2, 0, 3)], constraint=lambda s: s < 1, check_deadlock=True,
                       reachable={"Sees1": lambda s: s == 1})
    result = explore(model)
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (2, 2, 2)
    assert prop(result, "Sees1").status is Status.HOLDS
    assert prop(result, "deadlock").status is Status.HOLDS
    assert result.verdict is Verdict.OK


# ---- limits --------------------------------------------------------------------------------

def counter(**kw):
    return TableModel(succ=lambda s: [(0, s + 1), (1, s + 2)], **kw)


def test_max_states_gives_incomplete_naming_the_limit():
    result = explore(counter(invariants={"Any": lambda s: True}), CheckOptions(max_states=10))
    assert result.verdict is Verdict.INCOMPLETE
    assert result.limit == "max-states 10"
    assert result.stats.distinct == 10
    assert prop(result, "Any").status is Status.UNKNOWN


def test_max_states_equal_to_the_state_count_is_complete():
    result = explore(TableModel(DIAMOND), CheckOptions(max_states=4))
    assert result.verdict is Verdict.OK and result.limit is None


def test_max_states_below_the_initial_states():
    result = explore(TableModel(DIAMOND, init=(0, 1)), CheckOptions(max_states=1))
    assert (result.verdict, result.limit, result.stats.distinct) == (
        Verdict.INCOMPLETE, "max-states 1", 1)


def test_max_depth_gives_incomplete_naming_the_limit():
    result = explore(counter(), CheckOptions(max_depth=5))
    assert result.verdict is Verdict.INCOMPLETE
    assert result.limit == "max-depth 5"
    assert result.stats.depth == 5
    assert result.stats.distinct == 9        # 0..8: level k holds k-1 .. 2(k-1)
    assert result.stats.left_in_queue > 0


def test_max_depth_is_complete_when_the_last_level_has_no_successors():
    result = explore(TableModel(CHAIN, check_deadlock=True), CheckOptions(max_depth=3))
    # State 2 sits at level 3 and has no successor: nothing was cut, and it is a deadlock.
    assert result.limit is None
    assert result.verdict is Verdict.VIOLATED
    assert states(prop(result, "deadlock").trace) == [0, 1, 2]


def test_max_depth_finds_nothing_beyond_it():
    result = explore(TableModel(DETOUR, invariants={"Not10": lambda s: s != 10}),
                     CheckOptions(max_depth=3))
    assert result.verdict is Verdict.INCOMPLETE
    assert prop(result, "Not10").status is Status.UNKNOWN


def test_timeout_gives_incomplete_naming_the_limit():
    start = time.perf_counter()
    result = explore(counter(), CheckOptions(timeout=0.2))
    assert time.perf_counter() - start < 5
    assert result.verdict is Verdict.INCOMPLETE
    assert result.limit == "timeout 0.2s"
    assert result.stats.distinct > 0


def test_timeout_respected_by_slow_models():
    # One wide level of slow states: the clock must be read within the level, often enough.
    def slow(s):
        if s == 0:
            return [(0, t) for t in range(1, 1000)]
        time.sleep(0.005)
        return [(0, s + 1000)]
    start = time.perf_counter()
    result = explore(TableModel(succ=slow), CheckOptions(timeout=0.3))
    assert result.limit == "timeout 0.3s"
    assert time.perf_counter() - start < 0.6
    assert result.stats.left_in_queue > 800


def test_violation_wins_over_limit():
    result = explore(counter(invariants={"Below3": lambda s: s < 3, "Any": lambda s: True}),
                     CheckOptions(max_states=50))
    assert result.verdict is Verdict.VIOLATED
    assert result.limit == "max-states 50"
    assert prop(result, "Any").status is Status.UNKNOWN


@pytest.mark.parametrize("bad", [dict(max_states=-1), dict(max_depth=0), dict(timeout=0),
                                 dict(progress_interval=0)])
def test_options_reject_nonsense(bad):
    with pytest.raises(ValueError):
        CheckOptions(**bad)


# ---- progress ------------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.reports: list[Progress] = []

    def on_progress(self, progress: Progress) -> None:
        self.reports.append(progress)


def test_progress_reported_periodically():
    recorder = Recorder()
    explore(counter(), CheckOptions(timeout=0.5, progress_interval=0.05), recorder)
    assert len(recorder.reports) >= 3
    generated = [p.generated for p in recorder.reports]
    assert generated == sorted(generated) and generated[-1] > 0
    assert all(p.distinct <= p.generated for p in recorder.reports)


# ---- model errors --------------------------------------------------------------------------

def test_model_error_while_expanding_gives_error_with_trace():
    result = explore(TableModel(DETOUR, fail_expand={2}))
    assert result.verdict is Verdict.ERROR
    failure = result.failure
    assert failure.message == "cannot expand 2" and failure.origin == ("span", 2)
    assert states(failure.trace) == [0, 1, 2]


def test_model_error_while_checking_gives_trace_to_the_checked_state():
    result = explore(TableModel(DETOUR, fail_check={5}, invariants={"T": lambda s: True}))
    assert result.verdict is Verdict.ERROR
    assert states(result.failure.trace) == [0, 5]
    assert prop(result, "T").status is Status.UNKNOWN


def test_model_error_while_checking_a_transition_gives_trace_ending_in_it():
    def check(s, label, t):
        if t == 3:
            raise ModelError("cannot check 2 -> 3")
        return True
    result = explore(TableModel(DETOUR, action_props={"P": check}))
    assert result.verdict is Verdict.ERROR
    assert states(result.failure.trace) == [0, 1, 2, 3]
    assert actions(result.failure.trace)[-1] == "A(2)"


def test_model_error_in_initial_states_has_no_trace():
    class BadInit(TableModel):
        def init_states(self):
            raise ModelError("no init")
    result = explore(BadInit(DIAMOND))
    assert result.verdict is Verdict.ERROR and result.failure.trace is None


def test_model_error_beats_an_earlier_violation():
    model = TableModel(DETOUR, fail_expand={9}, invariants={"Not5": lambda s: s != 5,
                                                            "T": lambda s: True})
    result = explore(model)
    assert result.verdict is Verdict.ERROR
    assert prop(result, "Not5").status is Status.VIOLATED


def test_other_exceptions_propagate():
    def broken(s):
        raise ZeroDivisionError
    with pytest.raises(ZeroDivisionError):
        explore(TableModel(succ=broken))


# ---- trace replay --------------------------------------------------------------------------

def test_rebuild_trace_replays_parent_chain():
    model = TableModel(DIAMOND)
    trace = rebuild_trace(model, [0, 1, 3])
    assert states(trace) == [0, 1, 3] and actions(trace) == [None, "A(0)", "A(1)"]


def test_replay_mismatch_raises():
    class Forgetful(TableModel):
        """Its successors change after the search: the replay cannot find the edge 1 -> 9."""
        def __init__(self):
            super().__init__([(0, 0, 1), (1, 0, 9)], invariants={"Not9": lambda s: s != 9})
            self.calls = 0

        def successors(self, s):
            self.calls += 1
            return super().successors(s) if self.calls <= 2 else []

    with pytest.raises(RuntimeError, match="not deterministic"):
        explore(Forgetful())
    with pytest.raises(RuntimeError, match="not deterministic"):
        rebuild_trace(TableModel(DIAMOND), [0, 3])
    with pytest.raises(RuntimeError, match="not deterministic"):
        rebuild_trace(TableModel(DIAMOND), [1, 3])     # 1 is not an initial state
