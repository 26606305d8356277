"""The whole reachable state graph of a small spec, with a counterexample path on it.

Input: a model, an optional `Trace` to highlight, and a size limit. Output: a networkx
`DiGraph` (nodes `s0`, `s1`, ... in breadth-first order) whose attributes say what to draw
— node: `number`, `values` (variable, shown value) pairs, `initial`, `on_path`, `last`;
edge: `actions` (the action instances, text), `on_path` — which checker/render/dot.py's
`state_graph_dot` turns into DOT; or `TooLarge` when the spec has more reachable states than
the limit: a drawing of thousands of states helps nobody, and `dot` would take minutes.

The graph is found breadth first by the engine's expansion core (engine/expansion.py),
this module being its host: every transition is kept, self-loops included, with its
action instances. States outside the state constraint are drawn but not expanded, as in
the search. A state whose next states fail to evaluate (a run-time error, KOV501) is drawn
with the transitions found before the failure and marked `failed`, and the others are
expanded still; when the initial states themselves fail there is nothing to draw
(`NotDrawn`).
"""
from __future__ import annotations

import networkx as nx

from checker.engine import expansion
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.store import Counters
from checker.semantics.display import show

DEFAULT_LIMIT = 200


class NotDrawn(Exception):
    """No graph can be drawn; the message says why."""


class TooLarge(NotDrawn):
    """More reachable states than the limit; the message says how to raise it."""


def reachable_graph(model, limit: int = DEFAULT_LIMIT, trace=None) -> nx.DiGraph:
    """The reachable states (at most `limit`) and transitions; `trace` drawn in red."""
    ids, edges, init, failed = _explore(model, limit)
    path_states, path_edges = _path(trace)
    step_of = {s.state: i + 1 for i, s in reversed(list(enumerate(trace.steps)))} if trace is not None else {}
    g = nx.DiGraph()
    last = trace.steps[-1].state if trace is not None else None
    for state, n in ids.items():
        g.add_node(f"s{n}", **_node_attrs(model, state, n, state in init, state in path_states,
                                          state == last), step=step_of.get(state), failed=state in failed)
    for (a, b), labels in edges.items():
        on_path = any((a, lab, b) in path_edges for lab in labels)
        g.add_edge(f"s{ids[a]}", f"s{ids[b]}", actions=tuple(model.format_label(lab) for lab in labels),
                   on_path=on_path)
    return g


def _explore(model: Model, limit: int):
    graph = _Graph(model, limit)
    try:
        init = list(model.init_states())
    except ModelError as exc:
        raise NotDrawn(f"computing the initial states failed: {exc.message}") from None
    for s in init:
        if s not in graph.seen:
            graph.add(s)
    states = graph.states
    lo = 0
    while lo < len(states):     # level by level: each level's states are expanded in order
        hi = len(states)
        expansion.expand(model, graph, states, lo, hi, Counters(len(model.actions)),
                         check_transitions=False)
        lo = hi
    return graph.seen, graph.edges.by_pair, set(init), graph.failed_states


class _Edges:
    """Every transition, self-loops too: (state, next) -> its action instances."""

    def __init__(self, states: list) -> None:
        self.states = states
        self.by_pair: dict[tuple[State, State], list[Label]] = {}

    def add(self, source: int, target: int, label: Label) -> None:
        self.by_pair.setdefault((self.states[source], self.states[target]), []).append(label)

    def close(self) -> None:
        pass


class _Graph:
    """The expansion core's host: numbers the states as they come (at most `limit`)."""

    def __init__(self, model: Model, limit: int):
        self.model, self.limit = model, limit
        self.states: list[State] = []
        self.seen: dict[State, int] = {}
        self.edges = _Edges(self.states)
        self.failed_states: set[State] = set()
        self.at = 0

    def add(self, state: State) -> int:
        if len(self.seen) >= self.limit:
            raise TooLarge(f"{self.model.name} has more than {self.limit:,} reachable states, too many to "
                           f"draw; --max-graph-states N raises the limit (the layout gets slow past a few hundred)")
        j = self.seen[state] = len(self.states)
        self.states.append(state)
        return j

    def new_state(self, i: int, s: State, label: Label, t: State) -> int:
        return self.add(t)

    def violates(self, i, s, label, t, indices) -> None:     # properties are not checked here
        pass

    def deadlock(self, i, s) -> None:                        # nor deadlocks
        pass

    def failed(self, error: ModelError, i: int, s: State, label=None, t=None) -> None:
        self.failed_states.add(s)       # the search stopped here too (its run-time error)


def _path(trace):
    if trace is None:
        return set(), set()
    states = {s.state for s in trace.steps}
    edges = {(a.state, b.label, b.state) for a, b in zip(trace.steps, trace.steps[1:]) if b.label is not None}
    return states, edges


def _node_attrs(model, state, n: int, initial: bool, on_path: bool, last: bool) -> dict:
    values = tuple((k, show(v)) for k, v in model.describe(state).items())
    return {"number": n + 1, "values": values, "initial": initial, "on_path": on_path, "last": last}
