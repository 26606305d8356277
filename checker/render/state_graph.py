"""The whole reachable state graph of a small spec, with a counterexample path on it.

Input: a model, an optional `Trace` to highlight, and a size limit. Output: a networkx
`DiGraph` (nodes `s0`, `s1`, ... in breadth-first order) whose attributes say what to draw
— node: `number`, `values` (variable, shown value) pairs, `initial`, `on_path`, `last`;
edge: `actions` (the action instances, text), `on_path` — which checker/render/dot.py's
`state_graph_dot` turns into DOT; or `TooLarge` when the spec has more reachable states than
the limit: a drawing of thousands of states helps nobody, and `dot` would take minutes.

The graph is found by a breadth-first search of its own (the explorer keeps no edges).
States outside the state constraint are drawn but not expanded, as in the search. A state
whose next states fail to evaluate (a run-time error, KOV501) is drawn with the transitions
found before the failure and marked `failed`; when the initial states themselves fail there
is nothing to draw (`NotDrawn`).
"""
from __future__ import annotations

from collections import deque

import networkx as nx

from checker.engine.model import ModelError
from checker.semantics.types import show

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


def _explore(model, limit: int):
    ids: dict = {}
    edges: dict = {}
    failed: set = set()
    queue: deque = deque()
    try:
        init = list(model.init_states())
    except ModelError as exc:
        raise NotDrawn(f"computing the initial states failed: {exc.message}") from None
    for s in init:
        if s not in ids:
            _add(ids, s, limit, model)
            queue.append(s)
    constrained = getattr(model, "has_constraint", False)
    while queue:
        s = queue.popleft()
        try:
            if constrained and not model.within_constraint(s):
                continue
            for label, t in model.successors(s):
                if t not in ids:
                    _add(ids, t, limit, model)
                    queue.append(t)
                edges.setdefault((s, t), []).append(label)
        except ModelError:      # the search stopped here too (its run-time error)
            failed.add(s)
    return ids, edges, set(init), failed


def _add(ids: dict, state, limit: int, model) -> None:
    if len(ids) >= limit:
        raise TooLarge(f"{model.name} has more than {limit:,} reachable states, too many to draw; "
                       f"--max-graph-states N raises the limit (the layout gets slow past a few hundred)")
    ids[state] = len(ids)


def _path(trace):
    if trace is None:
        return set(), set()
    states = {s.state for s in trace.steps}
    edges = {(a.state, b.label, b.state) for a, b in zip(trace.steps, trace.steps[1:]) if b.label is not None}
    return states, edges


def _node_attrs(model, state, n: int, initial: bool, on_path: bool, last: bool) -> dict:
    values = tuple((k, show(v)) for k, v in model.describe(state).items())
    return {"number": n + 1, "values": values, "initial": initial, "on_path": on_path, "last": last}
