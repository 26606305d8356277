"""Property-based cross-checks of bfs.explore on random small graphs.

Each random model is a directed multigraph over up to 30 int states with labelled edges. The
expected answers come from independent code: the dfs reference explorer for the counts, and
networkx shortest paths for depths and counterexample lengths.
"""
from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.engine import ActionInfo, CheckOptions, ModelBase, PropertyInfo, Status, Verdict, explore
from checker.engine.dfs import reachable_graph


class GraphModel(ModelBase):
    """A random graph as a Model. Edge order in `edges` is the successor order."""

    name = "graph"
    actions = (ActionInfo("A"), ActionInfo("B"), ActionInfo("C"))
    has_action_properties = False

    def __init__(self, init, edges, bad=frozenset(), targets=None, outside=frozenset(),
                 check_deadlock=False):
        self.init = tuple(init)
        self.out: dict[int, list] = {}
        for s, a, t in edges:
            self.out.setdefault(s, []).append(((a, ()), t))
        self.bad, self.targets, self.outside = bad, targets, outside
        props = [PropertyInfo("Good", "invariant")] if bad else []
        if targets is not None:
            props.append(PropertyInfo("Reach", "reachable"))
        self.properties = tuple(props)
        self.has_constraint = bool(outside)
        self.check_deadlock = check_deadlock

    def init_states(self):
        return self.init

    def successors(self, s):
        return self.out.get(s, ())

    def check_state(self, s):
        found = []
        if self.bad and s in self.bad:
            found.append(0)
        if self.targets is not None and s in self.targets:
            found.append(1 if self.bad else 0)
        return found

    def within_constraint(self, s):
        return s not in self.outside

    def format_label(self, label):
        return self.actions[label[0]].name

    def describe(self, s):
        return {"s": s}


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 30))
    node = st.integers(0, n - 1)
    init = draw(st.lists(node, min_size=1, max_size=3))
    edges = draw(st.lists(st.tuples(node, st.integers(0, 2), node), max_size=4 * n))
    return n, init, edges


subsets = st.frozensets(st.integers(0, 29), max_size=6)


def levels(model):
    """Shortest distance (in edges) from the initial states to every reachable state,
    computed by networkx over the edges of states the explorer may expand."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(model.init)
    for s, outs in model.out.items():
        if model.within_constraint(s):
            g.add_edges_from((s, t) for _, t in outs)
    g.add_node("root")
    g.add_edges_from(("root", s) for s in model.init)
    dist = nx.single_source_shortest_path_length(g, "root")
    return {s: d - 1 for s, d in dist.items() if s != "root"}


def assert_valid_trace(model, trace):
    first, *rest = trace.steps
    assert first.label is None and first.state in model.init
    prev = first.state
    for step in rest:
        assert (step.label, step.state) in model.successors(prev)
        prev = step.state


@settings(max_examples=300, deadline=None)
@given(graphs(), subsets)
def test_counts_match_the_dfs_reference(graph, outside):
    _, init, edges = graph
    model = GraphModel(init, edges, outside=outside)
    result = explore(model)
    ref = reachable_graph(model)
    assert result.verdict is Verdict.OK
    assert result.stats.distinct == len(ref.states)
    assert result.stats.generated == ref.generated
    assert sum(c.generated for c in result.stats.coverage) == len(ref.edges)
    assert sum(c.distinct for c in result.stats.coverage) == len(ref.states) - len(ref.initial)
    assert result.stats.depth == max(levels(model).values()) + 1


@settings(max_examples=300, deadline=None)
@given(graphs(), subsets, subsets)
def test_counterexample_is_a_shortest_path(graph, bad, outside):
    _, init, edges = graph
    model = GraphModel(init, edges, bad=bad, outside=outside)
    result = explore(model)
    dist = levels(model)
    reachable_bad = [dist[s] for s in bad if s in dist]
    good = result.properties[0] if bad else None
    if not bad:
        assert result.verdict is Verdict.OK
    elif reachable_bad:
        assert result.verdict is Verdict.VIOLATED and good.status is Status.VIOLATED
        assert len(good.trace) == min(reachable_bad) + 1
        assert good.trace.steps[-1].state in bad
        assert_valid_trace(model, good.trace)
    else:
        assert result.verdict is Verdict.OK and good.status is Status.HOLDS


@settings(max_examples=200, deadline=None)
@given(graphs(), subsets)
def test_reachable_witness_is_a_shortest_path(graph, targets):
    _, init, edges = graph
    model = GraphModel(init, edges, targets=targets)
    result = explore(model)
    dist = levels(model)
    hit = [dist[s] for s in targets if s in dist]
    (reach,) = result.properties
    if hit:
        assert reach.status is Status.HOLDS and len(reach.trace) == min(hit) + 1
        assert_valid_trace(model, reach.trace)
    else:
        assert reach.status is Status.VIOLATED and result.verdict is Verdict.VIOLATED


@settings(max_examples=200, deadline=None)
@given(graphs(), subsets)
def test_deadlock_is_a_shortest_path_to_a_dead_end(graph, outside):
    _, init, edges = graph
    model = GraphModel(init, edges, outside=outside, check_deadlock=True)
    result = explore(model)
    dist = levels(model)
    dead = [d for s, d in dist.items() if model.within_constraint(s) and not model.out.get(s)]
    (deadlock,) = result.properties
    if dead:
        assert deadlock.status is Status.VIOLATED and len(deadlock.trace) == min(dead) + 1
        assert_valid_trace(model, deadlock.trace)
    else:
        assert deadlock.status is Status.HOLDS and result.verdict is Verdict.OK


@settings(max_examples=200, deadline=None)
@given(graphs(), st.integers(0, 31), st.integers(1, 8))
def test_limits_never_report_ok_unless_nothing_was_cut(graph, max_states, max_depth):
    _, init, edges = graph
    model = GraphModel(init, edges)
    dist = levels(model)
    by_states = explore(model, CheckOptions(max_states=max_states))
    assert by_states.stats.distinct <= max_states
    if len(dist) <= max_states:
        assert by_states.verdict is Verdict.OK and by_states.stats.distinct == len(dist)
    else:
        assert (by_states.verdict, by_states.limit) == (
            Verdict.INCOMPLETE, f"max-states {max_states}")
    by_depth = explore(model, CheckOptions(max_depth=max_depth))
    # Cut iff some state on the last allowed level (distance max_depth - 1) has an edge to a
    # state not on the levels allowed: one at distance max_depth. An edge back to a state
    # already seen (a self-loop, say) cuts nothing.
    cut = any(d == max_depth for d in dist.values())
    assert by_depth.stats.distinct == sum(1 for d in dist.values() if d < max_depth)
    if cut:
        assert (by_depth.verdict, by_depth.limit) == (Verdict.INCOMPLETE, f"max-depth {max_depth}")
    else:
        full = explore(model)
        assert by_depth.verdict is Verdict.OK and by_depth.stats.distinct == len(dist)
        for field in ("distinct", "generated", "depth", "coverage", "left_in_queue"):
            assert getattr(by_depth.stats, field) == getattr(full.stats, field)


@settings(max_examples=100, deadline=None)
@given(graphs(), subsets)
def test_two_runs_give_the_same_result(graph, bad):
    _, init, edges = graph
    model = GraphModel(init, edges, bad=bad, check_deadlock=True)
    first, second = explore(model), explore(model)
    assert first.properties == second.properties
    assert first.verdict == second.verdict
    for field in ("distinct", "generated", "depth", "coverage", "left_in_queue"):
        assert getattr(first.stats, field) == getattr(second.stats, field)


class NoActionC(GraphModel):
    """GraphModel with one action property: action C (index 2) must never be taken."""

    has_action_properties = True

    def __init__(self, init, edges, outside):
        super().__init__(init, edges, outside=outside)
        self.properties = (PropertyInfo("NoC", "action"),)

    def check_transition(self, s, label, t):
        return [0] if label[0] == 2 else []


@settings(max_examples=200, deadline=None)
@given(graphs(), subsets)
def test_action_property_trace_is_a_shortest_path_ending_in_the_action(graph, outside):
    _, init, edges = graph
    model = NoActionC(init, edges, outside)
    result = explore(model)
    dist = levels(model)
    firing = [dist[s] for s, a, _ in edges
              if a == 2 and s in dist and model.within_constraint(s)]
    (noc,) = result.properties
    if firing:
        assert noc.status is Status.VIOLATED and len(noc.trace) == min(firing) + 2
        assert noc.trace.steps[-1].label[0] == 2
        assert_valid_trace(model, noc.trace)
    else:
        assert noc.status is Status.HOLDS and result.verdict is Verdict.OK
