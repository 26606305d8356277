"""Temporal properties under fairness on hand-made graph models (checker.engine.liveness).

Each model is a table of edges over int states; every verdict and every lasso below can be
checked by hand from the table. Labels are (action, (param,)); the actions are named A0, A1...
"""
from __future__ import annotations

import pytest

from checker.engine import CheckOptions, Status, Verdict, explore
from checker.engine.graph import build_graph, tarjan
from checker.engine.liveness import STUTTER
from checker.engine.model import ActionInfo, FairnessInfo, ModelBase, ModelError, TemporalInfo


class Graph(ModelBase):
    """A Model given by edges (src, action, param, dst); `temporal` and `fairness` as given."""

    name = "graph"
    properties = ()
    check_deadlock = False
    has_action_properties = False

    def __init__(self, edges, init=(0,), temporal=(), fairness=(), constraint=None):
        self.edges = tuple(edges)
        self.init = tuple(init)
        self.temporal = tuple(temporal)
        self.fairness = tuple(fairness)
        self.actions = tuple(ActionInfo(f"A{i}") for i in range(3))
        self.constraint = constraint
        self.has_constraint = constraint is not None

    def init_states(self):
        return list(self.init)

    def successors(self, s):
        return [((a, (x,)), t) for (src, a, x, t) in self.edges if src == s]

    def check_state(self, s):
        return ()

    def within_constraint(self, s):
        return self.constraint(s)

    def format_label(self, label):
        return f"A{label[0]}({label[1][0]})"

    def describe(self, s):
        return {"s": s}


def prop(kind, p, q=None, instances=("",), name="T"):
    return TemporalInfo(name, kind, lambda s, k: p(s) if len(instances) == 1 else p(s, k),
                        None if q is None else (lambda s, k: q(s)), instances)


def weak(*actions, each=False):
    return FairnessInfo("weak", _group(actions, each), f"weak {actions}")


def strong(*actions, each=False):
    return FairnessInfo("strong", _group(actions, each), f"strong {actions}")


def _group(actions, each):
    return lambda label: (label if each else "all") if label[0] in actions else None


def check(model):
    result = explore(model, CheckOptions())
    (got,) = [p for p in result.properties if p.kind == "liveness"]
    return got


def states(trace):
    return [step.state for step in trace.steps]


def actions(trace):
    return [step.action for step in trace.steps[1:]]


# ---------------------------------------------------------------- the operators

LINE = [(0, 0, 0, 1), (1, 0, 0, 2)]        # 0 -> 1 -> 2, then deadlock


def test_eventually_without_fairness_is_violated_by_stuttering_in_the_initial_state():
    got = check(Graph(LINE, temporal=[prop("eventually", lambda s: s == 2)]))
    assert got.status is Status.VIOLATED
    assert states(got.trace) == [0, 0]
    assert got.trace.loop_start == 0
    assert actions(got.trace) == [STUTTER]


def test_eventually_holds_under_weak_fairness_and_a_deadlock_may_stutter():
    model = Graph(LINE, temporal=[prop("eventually", lambda s: s == 2)], fairness=[weak(0)])
    assert check(model).status is Status.HOLDS
    # The deadlocked state 2 stutters forever: "eventually 1" is violated from there? No:
    # state 1 is passed on the way. "always eventually 1" is violated by stuttering in 2.
    got = check(Graph(LINE, temporal=[prop("always_eventually", lambda s: s == 1)], fairness=[weak(0)]))
    assert got.status is Status.VIOLATED
    assert states(got.trace) == [0, 1, 2, 2] and got.trace.loop_start == 2


def test_eventually_needs_the_whole_prefix_without_p():
    # P holds in the initial state: eventually P holds even with no fairness at all.
    assert check(Graph(LINE, temporal=[prop("eventually", lambda s: s == 0)])).status is Status.HOLDS


def test_always_is_checked_like_an_invariant_with_a_finite_shortest_trace():
    got = check(Graph(LINE + [(0, 1, 0, 2)], temporal=[prop("always", lambda s: s != 2)]))
    assert got.status is Status.VIOLATED
    assert states(got.trace) == [0, 2] and got.trace.loop_start is None
    assert check(Graph(LINE, temporal=[prop("always", lambda s: s < 3)])).status is Status.HOLDS


RING = [(0, 0, 0, 1), (1, 0, 0, 2), (2, 0, 0, 0)]      # 0 -> 1 -> 2 -> 0


def test_always_eventually_on_a_fair_ring():
    fair = [weak(0)]
    assert check(Graph(RING, temporal=[prop("always_eventually", lambda s: s == 1)],
                       fairness=fair)).status is Status.HOLDS
    got = check(Graph(RING, temporal=[prop("always_eventually", lambda s: s == 1)]))
    assert got.status is Status.VIOLATED          # unfair: stop in 0 forever
    assert states(got.trace) == [0, 0]


def test_eventually_always_is_violated_by_a_fair_loop_through_a_bad_state():
    got = check(Graph(RING, temporal=[prop("eventually_always", lambda s: s != 1)], fairness=[weak(0)]))
    assert got.status is Status.VIOLATED
    assert states(got.trace) == [0, 1, 2, 0] and got.trace.loop_start == 0
    assert actions(got.trace) == ["A0(0)"] * 3


def test_eventually_always_holds_when_the_fair_behaviour_settles():
    # 0 -> 1 -> 2 and 2 stays (deadlock): eventually always s == 2.
    model = Graph(LINE, temporal=[prop("eventually_always", lambda s: s == 2)], fairness=[weak(0)])
    assert check(model).status is Status.HOLDS


def test_leads_to_needs_the_trigger_and_then_no_q_forever():
    # 0 -> 1 -> 2 -> 1 (a loop between 1 and 2) and 0 -> 3.
    edges = [(0, 0, 0, 1), (1, 0, 0, 2), (2, 0, 0, 1), (0, 1, 0, 3)]
    model = Graph(edges, temporal=[prop("leads_to", lambda s: s == 1, lambda s: s == 3)],
                  fairness=[weak(0), weak(1)])
    got = check(model)
    assert got.status is Status.VIOLATED
    assert states(got.trace) == [0, 1, 2, 1] and got.trace.loop_start == 1
    # Q answers P: P in 0 leads to Q in 3 only if the system must go there.
    model = Graph([(0, 1, 0, 3)], temporal=[prop("leads_to", lambda s: s == 0, lambda s: s == 3)],
                  fairness=[weak(1)])
    assert check(model).status is Status.HOLDS


def test_leads_to_after_q_the_path_to_the_loop_avoids_q():
    # P in 0, Q in 1, then 2 forever: every P is answered (1 comes after 0). Weak fairness
    # makes the system move; the loop in 2 has no Q, but it has no P either.
    edges = [(0, 0, 0, 1), (1, 0, 0, 2)]
    model = Graph(edges, temporal=[prop("leads_to", lambda s: s == 0, lambda s: s == 1)],
                  fairness=[weak(0)])
    assert check(model).status is Status.HOLDS


def test_forall_instances_report_the_first_violated_one():
    # instance k: "eventually s == k"; state 0 -> 1, then deadlock: instance 2 is violated.
    model = Graph([(0, 0, 0, 1)], fairness=[weak(0)],
                  temporal=[TemporalInfo("T", "eventually", lambda s, k: s == k, None,
                                         ("k = 0", "k = 1", "k = 2"))])
    got = check(model)
    assert got.status is Status.VIOLATED and got.instance == "k = 2"
    assert states(got.trace) == [0, 1, 1]


# ---------------------------------------------------------------- fairness

# 0 <-> 1 by A0, and A1 leaves to 2 from 0 only: A1 is enabled infinitely often, not always.
TOGGLE = [(0, 0, 0, 1), (1, 0, 0, 0), (0, 1, 0, 2)]


def test_weak_fairness_is_not_enough_when_the_action_is_disabled_now_and_then():
    model = Graph(TOGGLE, temporal=[prop("eventually", lambda s: s == 2)], fairness=[weak(0), weak(1)])
    got = check(model)
    assert got.status is Status.VIOLATED
    assert states(got.trace) == [0, 1, 0] and got.trace.loop_start == 0


def test_strong_fairness_is():
    model = Graph(TOGGLE, temporal=[prop("eventually", lambda s: s == 2)], fairness=[weak(0), strong(1)])
    assert check(model).status is Status.HOLDS


def test_weak_fairness_suffices_when_the_action_stays_enabled():
    edges = TOGGLE + [(1, 1, 0, 2)]
    model = Graph(edges, temporal=[prop("eventually", lambda s: s == 2)], fairness=[weak(1)])
    assert check(model).status is Status.HOLDS


def test_whole_action_fairness_is_met_by_any_instance():
    # A0(0) loops 0 -> 1 -> 0; A0(1) leaves 0 for 2. Whole A0: taking A0(0) meets it.
    edges = [(0, 0, 0, 1), (1, 0, 0, 0), (0, 0, 1, 2)]
    t = [prop("eventually", lambda s: s == 2)]
    got = check(Graph(edges, temporal=t, fairness=[weak(0)]))
    assert got.status is Status.VIOLATED
    assert actions(got.trace) == ["A0(0)", "A0(0)"]
    # Per instance, A0(1) must be taken: it is enabled in 0... but not in 1 (weak: violated);
    # strong per instance forces it.
    assert check(Graph(edges, temporal=t, fairness=[weak(0, each=True)])).status is Status.VIOLATED
    assert check(Graph(edges, temporal=t, fairness=[strong(0, each=True)])).status is Status.HOLDS


def test_a_self_loop_is_stuttering_it_neither_enables_nor_takes():
    # In 0 the only A0 transition is a self-loop: A0 is not enabled there, so stuttering in 0
    # is fair, and "eventually 1" (reachable only by the unfair A1) is violated.
    edges = [(0, 0, 0, 0), (0, 1, 0, 1)]
    got = check(Graph(edges, temporal=[prop("eventually", lambda s: s == 1)], fairness=[weak(0)]))
    assert got.status is Status.VIOLATED and states(got.trace) == [0, 0]
    # With A1 fair, stuttering in 0 is not allowed.
    got = check(Graph(edges, temporal=[prop("eventually", lambda s: s == 1)], fairness=[weak(1)]))
    assert got.status is Status.HOLDS


def test_strong_fairness_refinement_keeps_the_fair_part_of_a_component():
    # One component {0, 1, 2}: 0 -> 1 -> 0 and 1 -> 2 -> 1, and A1 (strong) leaves 2 for 3.
    # A1 is enabled in 2 and never taken inside: state 2 goes, and the cycle 0 <-> 1 remains
    # fair (A1 is not enabled there). "eventually 3" is violated by that cycle.
    edges = [(0, 0, 0, 1), (1, 0, 0, 0), (1, 0, 1, 2), (2, 0, 0, 1), (2, 1, 0, 3)]
    got = check(Graph(edges, temporal=[prop("eventually", lambda s: s == 3)],
                      fairness=[weak(0), strong(1)]))
    assert got.status is Status.VIOLATED
    assert 2 not in states(got.trace)
    assert states(got.trace)[got.trace.loop_start:] in ([0, 1, 0], [1, 0, 1])


def test_the_loop_takes_every_fair_action_it_must():
    # A ring 0 -> 1 -> 2 -> 0 by A0 and the reverse ring by A1: both weak, both enabled in
    # every state, so a fair loop must take both.
    edges = RING + [(0, 1, 0, 2), (1, 1, 0, 0), (2, 1, 0, 1)]
    got = check(Graph(edges, temporal=[prop("always_eventually", lambda s: s == 5)],
                      fairness=[weak(0), weak(1)]))
    assert got.status is Status.VIOLATED
    loop = actions(got.trace)[got.trace.loop_start:]
    assert "A1(0)" in loop and "A0(0)" in loop
    assert got.trace.steps[-1].state == got.trace.steps[got.trace.loop_start].state


def test_fair_process_instances_are_one_constraint_each():
    # Two "processes" p = 0, 1 (the parameter): process 0 loops 0 <-> 1 by A0(0); process 1's
    # only step A1(1) leaves 0 for 2. Fairness per process (key = parameter) forces A1(1).
    edges = [(0, 0, 0, 1), (1, 0, 0, 0), (0, 1, 1, 2), (1, 1, 1, 2)]
    per_process = FairnessInfo("weak", lambda label: label[1])
    model = Graph(edges, temporal=[prop("eventually", lambda s: s == 2)], fairness=[per_process])
    assert check(model).status is Status.HOLDS
    one_for_all = FairnessInfo("weak", lambda label: 0)
    model = Graph(edges, temporal=[prop("eventually", lambda s: s == 2)], fairness=[one_for_all])
    assert check(model).status is Status.VIOLATED


# ---------------------------------------------------------------- the search and its results

def test_shortest_prefix_to_a_fair_violating_loop():
    # Two bad loops: one reached in 1 step (0 -> 5 <-> 6), one in 3 steps.
    edges = [(0, 0, 0, 1), (1, 0, 0, 2), (2, 0, 0, 3), (3, 0, 0, 2), (0, 1, 0, 5), (5, 0, 0, 6),
             (6, 0, 0, 5)]
    got = check(Graph(edges, temporal=[prop("eventually", lambda s: s == 9)], fairness=[weak(0), weak(1)]))
    assert got.status is Status.VIOLATED
    assert states(got.trace)[:2] == [0, 5] and got.trace.loop_start == 1


def test_liveness_is_unknown_when_the_search_is_cut():
    model = Graph(RING, temporal=[prop("eventually", lambda s: s == 1)])
    result = explore(model, CheckOptions(max_states=2))
    assert result.verdict is Verdict.INCOMPLETE
    (got,) = result.properties
    assert got.status is Status.UNKNOWN


def test_a_temporal_property_keeps_the_search_from_ending_early():
    # With only a temporal property the search cannot be "all decided" before the end.
    model = Graph(RING, temporal=[prop("always_eventually", lambda s: s == 2)], fairness=[weak(0)])
    result = explore(model, CheckOptions())
    assert result.stopped is None and result.stats.distinct == 3


def test_a_failing_predicate_is_a_runtime_error():
    def bad(s, k):
        if s == 1:
            raise ModelError("no such key", origin="here")
        return False
    model = Graph(LINE, temporal=[TemporalInfo("T", "eventually", bad)])
    result = explore(model, CheckOptions())
    assert result.verdict is Verdict.ERROR
    assert result.failure.message == "no such key"


def test_states_outside_the_constraint_have_no_successors():
    # 1 is outside the constraint: not expanded, so it deadlocks and stutters there.
    model = Graph(LINE, temporal=[prop("eventually", lambda s: s == 2)], fairness=[weak(0)],
                  constraint=lambda s: s != 1)
    got = check(model)
    assert got.status is Status.VIOLATED and states(got.trace) == [0, 1, 1]


# ---------------------------------------------------------------- graph and SCCs

def test_graph_numbers_states_and_drops_self_loops():
    model = Graph([(0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 0, 0), (1, 0, 0, 0)])
    g = build_graph(model, [0, 1])
    assert g.size == 2 and g.init == (0,)
    assert list(g.out(0)) == [(1, 0)]
    assert [g.labels[lid] for _, lid in g.out(1)] == [(0, (0,)), (0, (0,))]


def test_tarjan_is_iterative_and_finds_components():
    n = 50_000      # a chain far deeper than Python's recursion limit, closed into a ring
    ring = tarjan(range(n), lambda v: [(v + 1) % n])
    assert len(ring) == 1 and len(ring[0]) == n
    comps = tarjan([0, 1, 2, 3], lambda v: {0: [1], 1: [0, 2], 2: [3], 3: []}[v])
    assert sorted(map(sorted, comps)) == [[0, 1], [2], [3]]


@pytest.mark.parametrize("kind", ["eventually", "always_eventually", "eventually_always", "leads_to"])
def test_every_lasso_closes_on_its_loop_start(kind):
    model = Graph(RING + [(1, 1, 0, 3)], fairness=[weak(0)],
                  temporal=[prop(kind, lambda s: s == 3, (lambda s: s == 7) if kind == "leads_to" else None)
                            if kind != "eventually_always" else prop(kind, lambda s: s == 3)])
    got = check(model)
    assert got.status is Status.VIOLATED
    t = got.trace
    assert t.loop_start is not None and t.steps[-1].state == t.steps[t.loop_start].state
    for a, b in zip(t.steps, t.steps[1:]):
        assert b.label is None or (b.label, b.state) in model.successors(a.state)


# ---------------------------------------------------------------- truth tables of compiled specs

def test_a_compiled_predicate_over_all_states_at_once_agrees_with_one_call_per_state(tmp_path):
    """compile/model.py's `truth` (one map over the states) is what the liveness check uses;
    it must give exactly the per-state answers, instance by instance, and a failing
    evaluation must still be found at its state."""
    from checker import api
    from checker.engine.dfs import reachable_graph
    from checker.engine.liveness import PredicateFailure, _truth
    path = tmp_path / "t.kovn"
    path.write_text("""
spec t
type K = A | B
var m: map[K, 0..3]
var n: 0..3
init { m := {A: 1}  n := 0 }
action Grow { require n < 3  n := n + 1 }
action Put { require n == 2 and not (B in m)  m[B] := n }
temporal Bounded: forall k in 1..3: always (n < k or n >= 0)
temporal Reads: eventually (n == 3 and m[B] > 0)
allow deadlock
""")
    ((_, model),) = api.compile_spec(str(path), lint=False)[0]
    graph = reachable_graph(model)
    states = sorted(graph.states)

    class G:
        pass
    g = G()
    g.states, g.size = states, len(states)
    bounded, reads = model.temporal
    assert len(bounded.instances) == 3
    for k in range(len(bounded.instances)):
        assert list(_truth(g, bounded.p, k)) == [int(bool(bounded.p(s, k))) for s in states]
    with pytest.raises(PredicateFailure) as failed:
        _truth(g, reads.p, 0)
    first_failing = next(s for s in states if _fails(reads.p, s))
    assert failed.value.state == first_failing


def _fails(pred, state) -> bool:
    try:
        pred(state, 0)
    except ModelError:
        return True
    return False
