"""The reachable state graph, stored compactly, and its strongly connected components.

Input: a Model and its reachable states (the explorer's seen set, in the order the
breadth-first search stored them). Output: `StateGraph`: states numbered 0..n-1 in that
order, the initial states, and the labelled edges in compressed-sparse-row arrays (the
out-edges of state v are positions off[v]..off[v+1]-1 of `dst` and `lab`; `lab` holds an
index into `labels`, each distinct action instance stored once). Also `tarjan`, an
iterative Tarjan SCC over any subgraph, and `tarjan_csr`, the same over these arrays.

The explorer (engine/bfs.py) records this graph while it searches, for models with
temporal properties, in the same arrays; `build_graph` builds it in a second pass that
calls `model.successors` once more on every reachable state, for callers that have only
the states (and as the reference the recorded graph is tested against); `reachable_graph`
finds the states as well, for a second pass after a search that kept no graph
(engine/prefer_lasso.py).

Self-loops are left out. In TLA+ a step that leaves the state unchanged is a stuttering
step, and fairness is about <<A>>_vars, steps that change the state: a self-loop neither
enables nor takes a fairness constraint, and stuttering is always possible anyway.
States outside the state constraint (model.within_constraint) get no edges: as in the
search, they are not expanded.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from checker.engine.model import Label, Model, State


@dataclass(frozen=True, slots=True)
class StateGraph:
    states: Sequence[State]            # id -> state, in discovery (BFS) order
    index: dict[State, int]            # state -> id
    init: tuple[int, ...]              # ids of the distinct initial states, in order
    off: array[int]                    # len n + 1: out-edges of v are off[v]..off[v+1]-1
    dst: array[int]                    # edge -> target id
    lab: array[int]                    # edge -> label id
    labels: tuple[Label, ...]          # label id -> action instance

    @property
    def size(self) -> int:
        return len(self.states)

    @property
    def edge_count(self) -> int:
        return len(self.dst)

    def out(self, v: int) -> Iterable[tuple[int, int]]:
        """(target id, label id) of every out-edge of v, in successor order."""
        dst, lab = self.dst, self.lab
        return ((dst[e], lab[e]) for e in range(self.off[v], self.off[v + 1]))


def build_graph(model: Model, states: Iterable[State]) -> StateGraph:
    """Number `states` and collect every edge between them by calling successors again.

    Raises KeyError if a successor is not among `states`: the caller must pass a closed
    set (every state the search reached, from a complete search).
    """
    order = list(states)
    graph = _collect(model, order, {s: i for i, s in enumerate(order)}, None)
    assert graph is not None
    return graph


def reachable_graph(model: Model, max_states: int) -> StateGraph | None:
    """The graph of every state reachable from the initial ones, numbered breadth-first as
    the search numbers them (the initial states first); None once it holds more than
    `max_states` states. For a second pass over a graph the search did not keep
    (engine/prefer_lasso.py)."""
    order = list(dict.fromkeys(model.init_states()))
    return _collect(model, order, {s: i for i, s in enumerate(order)}, max_states)


def _collect(model: Model, order: list[State], index: dict[State, int], grow: int | None) -> StateGraph | None:
    """The edges out of every state of `order`; `grow` not None: a successor not yet in
    `order` is appended to it (up to `grow` states), else it raises KeyError."""
    within = model.within_constraint if model.has_constraint else None
    label_ids: dict[Label, int] = {}
    labels: list[Label] = []
    off, dst, lab = array("q", [0]), array("q"), array("q")
    i = 0
    while i < len(order):
        s = order[i]
        i += 1
        if within is None or within(s):
            for label, t in model.successors(s):
                if t == s:
                    continue            # a stuttering step (see the module docstring)
                lid = label_ids.get(label)
                if lid is None:
                    lid = label_ids[label] = len(labels)
                    labels.append(label)
                if grow is not None and t not in index:
                    if len(order) >= grow:
                        return None
                    index[t] = len(order)
                    order.append(t)
                dst.append(index[t])
                lab.append(lid)
        off.append(len(dst))
    init = dict.fromkeys(index[s] for s in model.init_states())   # distinct, in order
    return StateGraph(order, index, tuple(init), off, dst, lab, tuple(labels))


def tarjan(nodes: Iterable[int], succ: Callable[[int], Iterable[int]]) -> list[list[int]]:
    """The strongly connected components of the subgraph on `nodes` (Tarjan's algorithm).

    `succ(v)` yields v's successors inside the subgraph. Iterative (an explicit stack of
    (node, successor iterator) pairs), so deep graphs cannot hit Python's recursion limit.
    Components come out in reverse topological order (a component before those that reach
    it), each with its states in the order they were popped.
    """
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    out: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ(root)))]
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ(w))))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


def tarjan_csr(nodes: Iterable[int], size: int, off: array[int], dst: array[int],
               where: list[int], inside: int) -> list[list[int]]:
    """`tarjan` over the edges of a StateGraph (off, dst) between states v with
    where[v] == inside: the same components in the same order, with flat lists instead of
    dicts and edge positions instead of successor iterators (the liveness check runs it on
    graphs of hundreds of thousands of states)."""
    index = [-1] * size
    low = [0] * size
    on_stack = bytearray(size)
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in nodes:
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        work = [root]
        pos = [off[root]]
        while work:
            v = work[-1]
            e, end = pos[-1], off[v + 1]
            descended = False
            while e < end:
                w = dst[e]
                e += 1
                if where[w] != inside:
                    continue
                if index[w] < 0:
                    pos[-1] = e
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = 1
                    work.append(w)
                    pos.append(off[w])
                    descended = True
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            work.pop()
            pos.pop()
            if work:
                u = work[-1]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = 0
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out
