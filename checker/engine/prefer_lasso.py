"""Lassos with the fewest environment faults: the cheapest fair lasso that violates a
temporal property (`--prefer` for liveness; engine/prefer.py is the same for safety).

Input: a Model, its reachable state graph (engine/graph.py) with the fairness compiled on it
(liveness.compile_fairness), one temporal property, and a cost per step (prefer.py's
`CostFn`: a tuple of naturals, compared lexicographically). Output: `CheapLasso`, a lasso
violating some instance of the property whose cost, the prefix's steps and the loop's
added, is least over every violating lasso of every instance (`bound` None), or a lasso
and a lower bound on that least cost when it cannot be shown to be least; None when the
property holds.

How, per instance (the semantics of liveness.py: a violation is a prefix through the
region the kind allows, then a fair loop of the kind's component of the graph):
- Loops that cost nothing. The fair components of the subgraph of steps that cost nothing
  (with enabledness read from the whole graph: a constraint is enabled by any step, costly
  or not) hold exactly the fair loops that cost nothing (liveness.fair_components: every
  fair cycle of a subgraph lies inside one of its fair components, and each of those is
  one). A Dijkstra over (state, phase) from the initial states, through the kind's region,
  ordered by (cost, steps), gives the least (cost, steps) of a prefix to each state; the
  least over the states of those components is the least cost of every lasso with a free
  loop (`free`), with the shortest prefix of that cost; the loop is built in the
  component as liveness.fair_loop builds it, of the free steps only.
- Loops that cost something. Such a loop lies in a fair component C of the whole graph
  and takes a costly step between two of C's states, so its lasso costs at least
  (the least prefix cost of a state of C) + (the least cost of a costly step inside C):
  `bound`, the least of these over the components. When the free lasso costs no more than
  `bound`, it is the least of all. Otherwise each component whose prefix cost is not above
  the best so far gets a loop grown greedily by cheapest paths (fair_loop with a price),
  and the cheapest lasso is kept; it is the least when it costs no more than `bound`
  (finding the cheapest fair loop of a component is as hard as a shortest tour through
  given places, so no search here promises it), and else the result says so, with the
  bound.
- `always P`: the cheapest finite path to a state without P (exact).

With the Kubernetes library's budgets (`--prefer faults`: restartsLeft, faultsLeft) no
loop costs anything, since a budget never grows back: the answer is then always the least.
"""
from __future__ import annotations

import heapq
from array import array
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from checker.engine.graph import StateGraph, reachable_graph
from checker.engine.liveness import (
    Fairness,
    Lasso,
    Path,
    Price,
    _Setup,
    _truth,
    compile_fairness,
    fair_loop,
    outside_constraint,
    to_trace,
    unfair_stutter,
)
from checker.engine.model import Model, TemporalInfo
from checker.engine.prefer import CostFn, _add
from checker.engine.result import PropertyResult, Status

Cost = tuple[int, ...]
Key = tuple[Cost, int]           # (cost, steps) of a path


@dataclass(frozen=True, slots=True)
class CheapLasso:
    """The chosen lasso as the property's result (its trace, instance and stutter facts), its
    cost, and `bound`: None when no violating lasso costs less, else a cost no violating
    lasso goes below (the least is somewhere from `bound` to `cost`)."""

    result: PropertyResult
    cost: Cost
    bound: Cost | None


@dataclass(frozen=True, slots=True)
class _Found:
    lasso: Lasso
    cost: Cost
    length: int                  # states of its trace
    lower: Cost | None           # this instance's lower bound; None: `cost` is its least


class EdgeCosts:
    """The cost of every step of a graph, computed once, and the subgraph of free steps."""

    def __init__(self, graph: StateGraph, cost: CostFn, width: int):
        self.zero: Cost = (0,) * width
        states, labels, dst, lab = graph.states, graph.labels, graph.dst, graph.lab
        self.of: list[Cost] = [self.zero] * graph.edge_count
        zero = self.zero
        for v in range(graph.size):
            for e in range(graph.off[v], graph.off[v + 1]):
                c = cost(labels[lab[e]], states[v], states[dst[e]])
                if c != zero:                # free steps share the one `zero` (tested by identity)
                    self.of[e] = c
        self.price = Price(self._step(graph), self.zero)
        self.free = self._free(graph)

    def _step(self, graph: StateGraph) -> Callable[[int, int, int], Cost]:
        off, dst, lab, of = graph.off, graph.dst, graph.lab, self.of

        def step(v: int, lid: int, w: int) -> Cost:
            for e in range(off[v], off[v + 1]):
                if dst[e] == w and lab[e] == lid:
                    return of[e]
            raise KeyError((v, lid, w))
        return step

    def _free(self, graph: StateGraph) -> StateGraph:
        off, dst, lab = array("q", [0]), array("q"), array("q")
        for v in range(graph.size):
            for e in range(graph.off[v], graph.off[v + 1]):
                if self.of[e] is self.zero:
                    dst.append(graph.dst[e])
                    lab.append(graph.lab[e])
            off.append(len(dst))
        return StateGraph(graph.states, graph.index, graph.init, off, dst, lab, graph.labels)


class LassoSearch:
    """A model's reachable state graph, its fairness and its steps' costs: what
    cheapest_lasso needs, built once for all of the model's temporal properties."""

    def __init__(self, model: Model, graph: StateGraph, costs: EdgeCosts):
        self.model, self.graph, self.costs = model, graph, costs
        self.fair = compile_fairness(graph, tuple(model.fairness))

    @staticmethod
    def of(model: Model, cost: CostFn, width: int, max_states: int) -> LassoSearch | None:
        """The search over every reachable state of `model`; None past `max_states` states."""
        graph = reachable_graph(model, max_states)
        return None if graph is None else LassoSearch(model, graph, EdgeCosts(graph, cost, width))

    def cheapest(self, t: TemporalInfo) -> CheapLasso | None:
        return cheapest_lasso(self.model, self.graph, self.fair, t, self.costs)


def cheapest_lasso(model: Model, graph: StateGraph, fair: Fairness, t: TemporalInfo,
                   costs: EdgeCosts) -> CheapLasso | None:
    """The least-cost violating lasso of `t` over all its instances (module docstring); ties
    go to the shorter trace, then to the earlier instance."""
    best: tuple[Key, int, _Found, _Setup | None] | None = None
    bounds: list[Cost] = []
    tables: dict[int, tuple[bytearray, bytearray | None]] = {}
    setups: dict[int, _Setup | None] = {}
    for k in range(len(t.instances)):
        kind = t.kind_at(k)
        p = _truth(graph, t.p, k)
        q = _truth(graph, t.q, k) if kind == "leads_to" else None
        tables[k] = (p, q)
        setup = _Setup(graph, fair, kind, p, q) if kind != "always" else None
        setups[k] = setup
        found = (_cheapest_path(graph, costs, p) if setup is None
                 else _cheapest_loop(graph, fair, costs, setup, p, q))
        if found is None:
            continue
        bounds.append(found.cost if found.lower is None else found.lower)
        if best is None or ((found.cost, found.length), k) < (best[0], best[1]):
            best = ((found.cost, found.length), k, found, setup)
    if best is None:
        return None
    _, k, found, setup = best
    trace = to_trace(model, graph, found.lasso)
    stutter = unfair_stutter(model, graph, fair, t, found.lasso, k, tables, setup)
    result = PropertyResult(t.name, "liveness", Status.VIOLATED, trace, t.origin, t.instances[k] or None,
                            stutter=stutter, outside=outside_constraint(model, trace))
    lower = min(bounds)
    return CheapLasso(result, found.cost, None if found.cost <= lower else lower)


def _cheapest_path(graph: StateGraph, costs: EdgeCosts, p: bytearray) -> _Found | None:
    """`always P`: the cheapest path from an initial state to a state without P."""
    everywhere = bytearray(b"\x01") * graph.size
    paths = _Paths(graph, costs, graph.init, everywhere, None)
    at = paths.best_of(v for v in range(graph.size) if not p[v])
    if at is None:
        return None
    start, steps = paths.path(at)
    key = paths.key(at)
    assert key is not None
    return _Found(Lasso(start, steps, None), key[0], len(steps) + 1, None)


def _cheapest_loop(graph: StateGraph, fair: Fairness, costs: EdgeCosts, setup: _Setup,
                   p: bytearray, q: bytearray | None) -> _Found | None:
    if not setup.comps:
        return None
    kind = setup.kind
    must = setup.not_p if kind == "eventually_always" else None
    if kind == "leads_to":
        paths = _Paths(graph, costs, graph.init, setup.not_q, setup.trigger)
    elif kind == "eventually":
        paths = _Paths(graph, costs, graph.init, setup.not_p, None)
    else:
        paths = _Paths(graph, costs, graph.init, setup.everywhere, None)
    free = _Setup(graph, fair, kind, p, q, cycles=costs.free)
    best: _Found | None = None
    at = paths.best_of(v for v in range(graph.size) if free.member[v])
    if at is not None:
        comp = free.comps[free.member[at] - 1]
        best = _found(paths, at, fair_loop(costs.free, fair, comp, at, must), costs)
    # the cheapest a lasso with a costly loop can be, per component of the whole graph
    floors = []
    for i, comp in enumerate(setup.comps):
        step = _cheapest_costly_step(graph, costs, comp)
        entry = paths.best_of(sorted(comp))
        if step is not None and entry is not None:
            key = paths.key(entry)
            assert key is not None
            floors.append((_add(key[0], step), key[0], entry, i))
    bound = min((f[0] for f in floors), default=None)
    if best is None or (bound is not None and bound < best.cost):
        for _, reach, entry, i in sorted(floors, key=lambda f: (f[1], f[3])):
            if best is not None and reach > best.cost:
                break               # the prefix alone costs more than the best lasso
            loop = fair_loop(graph, fair, setup.comps[i], entry, must, costs.price)
            found = _found(paths, entry, loop, costs)
            if best is None or (found.cost, found.length) < (best.cost, best.length):
                best = found
    if best is None:
        return None
    exact = bound is None or best.cost <= bound
    return replace(best, lower=None if exact else bound)


def _found(paths: "_Paths", entry: int, loop: Path, costs: EdgeCosts) -> _Found:
    key = paths.key(entry)
    assert key is not None
    start, prefix = paths.path(entry)
    total = key[0]
    cur = entry
    for lid, w in loop:
        total = _add(total, costs.price.step(cur, lid, w))
        cur = w
    return _Found(Lasso(start, prefix, loop), total, len(prefix) + 1 + max(len(loop), 1), None)


def _cheapest_costly_step(graph: StateGraph, costs: EdgeCosts, comp: set[int]) -> Cost | None:
    """The least cost of a step between two states of `comp` that costs something."""
    least = None
    for v in comp:
        for e in range(graph.off[v], graph.off[v + 1]):
            c = costs.of[e]
            if c is not costs.zero and graph.dst[e] in comp and (least is None or c < least):
                least = c
    return least


class _Paths:
    """The cheapest paths, then the shortest of those, from `starts` (Dijkstra over (cost,
    steps) on nodes (state, phase)). Without `trigger`, one phase: the paths stay in
    `allowed` from the start. With it (leads to): phase 0 goes anywhere, a trigger state
    switches to phase 1 at no cost and no step, and phase 1 stays in `allowed`; the paths
    wanted are those that end in phase 1. Ties go to the node found first, which is
    deterministic (the heap orders equal keys by node id)."""

    def __init__(self, graph: StateGraph, costs: EdgeCosts, starts: Sequence[int],
                 allowed: bytearray, trigger: bytearray | None):
        n2 = 2 * graph.size
        self.dist: list[Key | None] = [None] * n2
        self.parent = [-1] * n2
        self.via = [-1] * n2         # label id of the step to the node, -1 for the phase switch
        heap: list[tuple[Cost, int, int]] = []
        first = 0 if trigger is not None else 1
        for s in starts:
            node = 2 * s + first
            if (trigger is not None or allowed[s]) and self.dist[node] is None:
                self.dist[node] = (costs.zero, 0)
                heap.append((costs.zero, 0, node))
        heapq.heapify(heap)
        done = bytearray(n2)
        off, dst, lab, of, zero = graph.off, graph.dst, graph.lab, costs.of, costs.zero
        while heap:
            c, n, node = heapq.heappop(heap)
            if done[node]:
                continue
            done[node] = 1
            v, phase = node >> 1, node & 1
            if phase == 0 and trigger is not None and trigger[v]:
                self._relax(heap, node + 1, c, n, node, -1)
            for e in range(off[v], off[v + 1]):
                w = dst[e]
                if phase == 0 or allowed[w]:
                    step = of[e]
                    self._relax(heap, 2 * w + phase, c if step is zero else _add(c, step), n + 1, node, lab[e])

    def _relax(self, heap: list[tuple[Cost, int, int]], node: int, c: Cost, n: int, parent: int, via: int) -> None:
        old = self.dist[node]
        if old is None or (c, n) < old:
            self.dist[node] = (c, n)
            self.parent[node], self.via[node] = parent, via
            heapq.heappush(heap, (c, n, node))

    def key(self, v: int) -> Key | None:
        """(cost, steps) of the cheapest path to state v that ends in the last phase."""
        return self.dist[2 * v + 1]

    def best_of(self, states: Iterable[int]) -> int | None:
        """The state among `states` with the least (cost, steps, id), None if none is reached."""
        best: tuple[Key, int] | None = None
        for v in states:
            key = self.dist[2 * v + 1]
            if key is not None and (best is None or (key, v) < best):
                best = (key, v)
        return None if best is None else best[1]

    def path(self, v: int) -> tuple[int, Path]:
        """(start state, steps) of the cheapest path to v."""
        node = 2 * v + 1
        steps: Path = []
        while self.parent[node] >= 0:
            if self.via[node] >= 0:          # the phase switch is not a step
                steps.append((self.via[node], node >> 1))
            node = self.parent[node]
        steps.reverse()
        return node >> 1, steps
