"""Temporal properties under fairness: a search for fair lassos that violate them.

Input: a Model with `temporal` (TemporalInfo) and `fairness` (FairnessInfo) and the states
a complete search reached. Output: one PropertyResult (kind "liveness") per temporal
property; a violation carries a lasso Trace (prefix from an initial state, then a loop whose
last state is the loop's first again; `loop_start` is the index of that first state).

Semantics (TLA+'s, as TLC checks them; docs/liveness.md has the details and examples):
- A behaviour is an infinite path; it may stutter (repeat a state) at any point, and may
  stutter forever unless fairness forbids it. A deadlocked state stutters forever.
- Fairness constraint C (one key of a FairnessInfo) over an infinite behaviour whose states
  and steps visited infinitely often form a cycle L: weak: C is taken in L or disabled in
  some state of L; strong: C is taken in L or disabled in every state of L. Enabled means
  some non-stuttering transition of C leaves the state; self-loops are stuttering.
- A violation is a fair lasso whose behaviour falsifies the property:
    always P             some reachable state has not P (a finite trace: every finite
                         prefix extends to a fair behaviour, so no loop is needed)
    eventually P         a fair cycle of not-P states reached through not-P states only
    always eventually P  a reachable fair cycle of not-P states
    eventually always P  a reachable fair cycle that visits a not-P state
    P leads to Q         a reachable state with P and not Q from which not-Q states lead
                         to a fair cycle of not-Q states

Algorithm: the strongly connected components of the allowed subgraph (Tarjan), refined as
Emerson and Lei do for strong fairness: a component in which a strong constraint is
enabled somewhere but taken on no internal edge loses the states where it is enabled, and
the rest is split again. A component that survives is fair iff every weak constraint is
taken inside it or disabled in one of its states (and, for eventually-always, it holds a
not-P state); a single state with no internal edge is fair iff it may stutter forever (no
constraint enabled). The prefix is a shortest path to any state of a fair component; the
loop is grown greedily from that state, by shortest paths to the nearest step or state that
meets an open obligation, then back.
"""
from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from checker.engine.graph import StateGraph, build_graph, tarjan_csr
from checker.engine.model import FairnessInfo, Model, ModelError, State, TemporalInfo
from checker.engine.result import PropertyResult, Status, Step, Trace

STUTTER = "(stutters)"     # the action shown for a step that repeats the state forever

Path = list[tuple[int, int]]       # (label id, target state id) per step


class PredicateFailure(Exception):
    """A temporal property's predicate could not be evaluated in `state`."""

    def __init__(self, error: ModelError, state: State):
        super().__init__(error.message)
        self.error = error
        self.state = state


@dataclass(frozen=True, slots=True)
class Fairness:
    """The fairness constraints of a model, compiled against one graph.

    Every (declaration, key) pair is one constraint, numbered; sets of constraints are int
    bitmasks. `by_label[l]`: the constraints label l belongs to; `enabled[v]`: those with a
    (non-stuttering) transition out of state v; `weak`, `strong`: which are which.
    """

    by_label: tuple[int, ...]
    enabled: tuple[int, ...]
    weak: int
    strong: int
    count: int


@dataclass(frozen=True, slots=True)
class Lasso:
    """A counterexample over graph ids: `start`, then `prefix` steps; `loop` steps lead back
    to the prefix's last state ([] : it stutters there forever; None: no loop, a finite
    trace for `always P`)."""

    start: int
    prefix: Path
    loop: Path | None


def check_liveness(model: Model, states: Sequence[State], complete: bool,
                   graph: StateGraph | None = None) -> list[PropertyResult]:
    """Check every temporal property of `model` over the graph of `states`.

    `complete` says the search reached every reachable state; without it every temporal
    property is UNKNOWN (a cycle may hide beyond the cut). `graph`: the graph of `states`
    when the caller recorded it during the search (engine/bfs.py does); else it is built
    here by calling successors once more on every state. Raises PredicateFailure when a
    predicate fails to evaluate.
    """
    temporal = tuple(model.temporal)
    if not temporal:
        return []
    if not complete:
        return [PropertyResult(t.name, "liveness", Status.UNKNOWN, None, t.origin) for t in temporal]
    if graph is None:
        graph = build_graph(model, states)
    fair = compile_fairness(graph, tuple(model.fairness))
    return [check_property(model, graph, fair, t) for t in temporal]


def compile_fairness(graph: StateGraph, fairness: Sequence[FairnessInfo]) -> Fairness:
    ids: dict[tuple[int, object], int] = {}
    weak = strong = 0
    by_label = []
    for label in graph.labels:
        mask = 0
        for ci, c in enumerate(fairness):
            key = c.group(label)
            if key is None:
                continue
            fid = ids.setdefault((ci, key), len(ids))
            mask |= 1 << fid
            if c.strength == "weak":
                weak |= 1 << fid
            else:
                strong |= 1 << fid
        by_label.append(mask)
    off, lab = graph.off, graph.lab
    enabled = []
    for v in range(graph.size):
        m = 0
        for e in range(off[v], off[v + 1]):
            m |= by_label[lab[e]]
        enabled.append(m)
    return Fairness(tuple(by_label), tuple(enabled), weak, strong, len(ids))


def check_property(model: Model, graph: StateGraph, fair: Fairness, t: TemporalInfo) -> PropertyResult:
    """The verdict of one temporal property: the first violated instance, with its lasso
    (and what makes the lasso suspect: a stutter where an unfair action is enabled, loop
    states outside the constraint); for one that holds, whether its obligation ever opens."""
    opens = False
    tables: dict[int, tuple[bytearray, bytearray | None]] = {}
    for k, instance in enumerate(t.instances):
        kind = t.kind_at(k)
        p = _truth(graph, t.p, k)
        q = _truth(graph, t.q, k) if kind == "leads_to" else None
        tables[k] = (p, q)
        setup = _Setup(graph, fair, kind, p, q) if kind != "always" else None
        lasso = find_violation(graph, fair, kind, p, q, setup)
        if lasso is not None:
            trace = to_trace(model, graph, lasso)
            stutter = unfair_stutter(model, graph, fair, t, lasso, k, tables, setup)
            return PropertyResult(t.name, "liveness", Status.VIOLATED, trace, t.origin, instance or None,
                                  stutter=stutter, outside=outside_constraint(model, trace))
        opens = opens or (kind != "always" and _opens(graph, kind, p, q))
    always = all(t.kind_at(k) == "always" for k in range(len(t.instances)))
    return PropertyResult(t.name, "liveness", Status.HOLDS, None, t.origin, trivial=not opens and not always)


def _opens(graph: StateGraph, kind: str, p: bytearray, q: bytearray | None) -> bool:
    """Does some reachable state open the property's obligation (so that its verdict rests
    on what behaviours do next)? leads to: a state with P and not Q; eventually: an initial
    state without P; always eventually, eventually always: a state without P."""
    if kind == "leads_to":
        assert q is not None
        # bytes of 0/1 as big ints: a bit of P without the same bit of Q (in C, not per state)
        return bool(int.from_bytes(p, "little") & ~int.from_bytes(q, "little"))
    if kind == "eventually":
        return any(not p[v] for v in graph.init)
    return p.count(0) > 0


_STUTTER_CHECKS = 4     # most actions re-checked with fairness for one stuttering lasso


def unfair_stutter(model: Model, graph: StateGraph, fair: Fairness, t: TemporalInfo, lasso: Lasso,
                   violated: int, tables: dict[int, tuple[bytearray, bytearray | None]],
                   setup: "_Setup | None") -> tuple[tuple[str, bool | None], ...]:
    """For a lasso that stutters forever in a state where actions are enabled (none of them
    fair, or the stutter would be unfair): each such action, with whether the property holds
    once it is weakly fair (None past the first _STUTTER_CHECKS actions: not checked).

    The instances before `violated` hold already, and more fairness keeps them holding. The
    violated one (`setup`: its fair components) is decided again first; only when it then
    holds are the later instances looked at (those violated too must hold as well), each
    decided from its fair components (_Setup.holds_with), computed once for all the actions
    tried. `tables`: the truth tables computed so far, by instance."""
    if lasso.loop != [] or setup is None:
        return ()
    v = lasso.prefix[-1][1] if lasso.prefix else lasso.start
    actions: list[int] = []
    for _, lid in graph.out(v):
        a = graph.labels[lid][0]
        if a not in actions:
            actions.append(a)
    later = _LaterInstances(graph, fair, t, violated, tables)
    out = []
    for n, a in enumerate(actions):
        verdict = None
        if n < _STUTTER_CHECKS:
            taken_by = bytearray(1 if label[0] == a else 0 for label in graph.labels)
            verdict = setup.holds_with(taken_by) and all(s.holds_with(taken_by) for s in later)
        out.append((model.actions[a].name, verdict))
    return tuple(out)


class _LaterInstances:
    """The fair components of the instances after the violated one that are violated too,
    computed on first use (iterating yields them one by one, so a check that fails on one
    computes no more)."""

    def __init__(self, graph: StateGraph, fair: Fairness, t: TemporalInfo, violated: int,
                 tables: dict[int, tuple[bytearray, bytearray | None]]):
        self.graph, self.fair, self.t, self.tables = graph, fair, t, tables
        self.todo = list(range(violated + 1, len(t.instances)))
        self.done: list[_Setup | _Never] = []

    def __iter__(self) -> Iterator[_Setup | _Never]:
        yield from self.done
        while self.todo:
            k = self.todo.pop(0)
            kind = self.t.kind_at(k)
            if kind == "always":         # a safety conjunct: more fairness does not change it
                p = self.tables[k][0] if k in self.tables else _truth(self.graph, self.t.p, k)
                if find_violation(self.graph, self.fair, kind, p, None, None) is not None:
                    self.done.append(_NEVER)
                    yield _NEVER
                continue
            if k not in self.tables:
                self.tables[k] = (_truth(self.graph, self.t.p, k),
                                  _truth(self.graph, self.t.q, k) if kind == "leads_to" else None)
            setup = _Setup(self.graph, self.fair, kind, *self.tables[k])
            if setup.comps and setup.reaches(setup.member):
                self.done.append(setup)
                yield setup


class _Never:
    """A violated `always` conjunct among the later instances: no fairness makes it hold."""

    def holds_with(self, taken_by: bytearray) -> bool:
        return False


_NEVER = _Never()


def outside_constraint(model: Model, trace: Trace) -> tuple[int, ...]:
    """The indices of the loop's states that lie outside the model's state constraint."""
    if trace.loop_start is None or not model.has_constraint:
        return ()
    out = []
    for i in range(trace.loop_start, len(trace.steps)):
        try:
            if not model.within_constraint(trace.steps[i].state):
                out.append(i)
        except ModelError:
            pass
    return tuple(sorted(set(out)))


def _truth(graph: StateGraph, pred: Callable[[State, int], bool] | None, k: int) -> bytearray:
    """pred (instance k) on every state of the graph, as 0/1 by state id. A model's predicate
    may evaluate a whole list at once (`truth`, compile/model.py); when that fails, the
    state by state loop below finds the state where it fails."""
    assert pred is not None
    # a predicate a model tabulates itself (compile/model.py _Instances.truth), else one
    # call per state
    whole = getattr(pred, "truth", None)
    if whole is not None:
        try:
            table: bytearray = whole(graph.states, k)
            return table
        except ModelError:
            pass
    out = bytearray(graph.size)
    for v, s in enumerate(graph.states):
        try:
            out[v] = 1 if pred(s, k) else 0
        except ModelError as e:
            raise PredicateFailure(e, s) from None
    return out


# ---------------------------------------------------------------- the search

def find_violation(graph: StateGraph, fair: Fairness, kind: str, p: bytearray,
                   q: bytearray | None = None, setup: "_Setup | None" = None) -> Lasso | None:
    """A fair lasso violating the property of `kind` over the truth tables p (and q), or None.
    `setup`: the property's fair components, when the caller has computed them already."""
    if kind == "always":
        found = _bfs(graph, graph.init, bytearray(b"\x01") * graph.size, bytearray(1 - x for x in p))
        return None if found is None else Lasso(found[0], found[1], None)
    setup = setup or _Setup(graph, fair, kind, p, q)
    comps, member = setup.comps, setup.member
    if not comps or (kind == "leads_to" and not setup.reaches(member)):
        return None             # (leads to: one plain BFS decides before the slower path)
    found = setup.path(member)
    if found is None:
        return None
    start, prefix = found
    entry = prefix[-1][1] if prefix else start
    comp = comps[member[entry] - 1]
    must = setup.not_p if kind == "eventually_always" else None
    return Lasso(start, prefix, fair_loop(graph, fair, comp, entry, must))


class _Setup:
    """What deciding a property of `kind` needs (for every kind but `always`): the fair
    components of the subgraph it is about (`comps`, `member`: fair_components), and how a
    violation reaches one (`reaches`, a plain reachability test; `path`, the shortest prefix).
    `holds_with` decides it again with one more weak fairness constraint, from the same
    components: a weak constraint refines no component (only strong ones do), it only rules
    out those in which it stays enabled and is never taken.

    `cycles`: a subgraph of `graph` (the same states, fewer edges) whose fair components are
    wanted instead, for loops made of its edges only; the prefixes still take any edge of
    `graph` (engine/prefer_lasso.py: loops without costly steps)."""

    def __init__(self, graph: StateGraph, fair: Fairness, kind: str, p: bytearray, q: bytearray | None,
                 cycles: StateGraph | None = None):
        self.graph, self.kind = graph, kind
        loops = self.loops = graph if cycles is None else cycles
        self.everywhere = bytearray(b"\x01") * graph.size
        self.not_p = bytearray(1 - x for x in p)
        if kind == "eventually":
            # only cycles reachable from an initial state through not-P states matter
            self.comps, self.member = fair_components(loops, fair, _reach(graph, graph.init, self.not_p))
        elif kind == "always_eventually":
            self.comps, self.member = fair_components(loops, fair, self.not_p)
        elif kind == "eventually_always":
            self.comps, self.member = fair_components(loops, fair, self.everywhere, must=self.not_p)
        elif kind == "leads_to":
            assert q is not None
            self.not_q = bytearray(1 - x for x in q)
            self.trigger = bytearray(a & b for a, b in zip(p, self.not_q))
            self.sources = [v for v in range(graph.size) if self.trigger[v]]
            # Every state of the graph is reachable, so a violation exists iff some trigger
            # state reaches a fair not-Q cycle through not-Q states. Only the not-Q states
            # reachable that way can hold one (they are closed under not-Q successors, so
            # their components are those of the whole not-Q subgraph).
            self.comps, self.member = (fair_components(loops, fair, _reach(graph, self.sources, self.not_q))
                                       if self.sources else ([], [0] * graph.size))
        else:
            raise ValueError(f"unknown temporal kind {kind!r}")

    def reaches(self, member: list[int]) -> bool:
        """Does a behaviour violating the property reach a component marked in `member`?"""
        g = self.graph
        if not any(member):
            return False
        if self.kind == "eventually":
            return _bfs(g, g.init, self.not_p, member) is not None
        if self.kind == "leads_to":
            return _bfs(g, self.sources, self.not_q, member) is not None
        return _bfs(g, g.init, self.everywhere, member) is not None

    def path(self, member: list[int]) -> tuple[int, Path] | None:
        """The shortest prefix to a fair violating component: (start, steps)."""
        g = self.graph
        if self.kind == "eventually":
            return _bfs(g, g.init, self.not_p, member)
        if self.kind == "leads_to":
            # shortest over the path to the trigger and on to the cycle (the slower search)
            return _bfs_through(g, self.trigger, self.not_q, member)
        return _bfs(g, g.init, self.everywhere, member)

    def holds_with(self, taken_by: bytearray) -> bool:
        """Does the property hold once the transitions whose label id l has taken_by[l] are
        one more weak fairness constraint? (a component stays fair iff the constraint is
        taken on one of its internal edges or disabled in one of its states)"""
        member = [0] * self.graph.size
        for i, comp in enumerate(self.comps):
            if _weakly_fair(self.loops, comp, taken_by):
                for v in comp:
                    member[v] = i + 1
        return not self.reaches(member)


def _weakly_fair(graph: StateGraph, comp: set[int], taken_by: bytearray) -> bool:
    taken = False
    for v in comp:
        enabled = False
        for w, lid in graph.out(v):
            if taken_by[lid]:
                enabled = True
                if w in comp:
                    taken = True
        if not enabled or taken:
            return True         # disabled in one of its states, or taken inside
    return False


def fair_components(graph: StateGraph, fair: Fairness, allowed: bytearray,
                    must: bytearray | None = None) -> tuple[list[set[int]], list[int]]:
    """The components of the `allowed` subgraph that hold a fair cycle (one that meets every
    fairness constraint and, if `must` is given, visits a state of `must`).

    Returns the components and a table state id -> 1 + index of its component (0: none).
    Every fair cycle of the subgraph lies inside one of them, and each of them is itself
    one fair cycle (a closed walk through all its states and internal edges), or a single
    state that may stutter forever.
    """
    enabled, by_label = fair.enabled, fair.by_label
    off, dst, lab = graph.off, graph.dst, graph.lab
    where = [0] * graph.size            # current piece tag of each state (0: outside)
    tag = 0
    found: list[set[int]] = []
    work = [[v for v in range(graph.size) if allowed[v]]]
    while work:
        nodes = work.pop()
        tag += 1
        for v in nodes:
            where[v] = tag
        for comp in tarjan_csr(nodes, graph.size, off, dst, where, tag):
            tag += 1
            for v in comp:
                where[v] = tag
            taken, any_en, all_en, internal = 0, 0, -1, False
            for v in comp:
                any_en |= enabled[v]
                all_en &= enabled[v]
                for e in range(off[v], off[v + 1]):
                    if where[dst[e]] == tag:
                        taken |= by_label[lab[e]]
                        internal = True
            if not internal:            # one state, no cycle but stuttering
                v = comp[0]
                if enabled[v] == 0 and (must is None or must[v]):
                    found.append({v})
                continue
            unmet = fair.strong & any_en & ~taken
            if unmet:
                # Emerson-Lei: no fair cycle passes where an untaken strong constraint is
                # enabled; drop those states and split what is left again.
                keep = [v for v in comp if not enabled[v] & unmet]
                if keep:
                    work.append(keep)
                continue
            if fair.weak & all_en & ~taken:
                continue                # a weak constraint enabled throughout, never taken
            if must is not None and not any(must[v] for v in comp):
                continue
            found.append(set(comp))
    member = [0] * graph.size
    for i, fair_comp in enumerate(found):
        for v in fair_comp:
            member[v] = i + 1
    return found, member


def fair_loop(graph: StateGraph, fair: Fairness, comp: set[int], entry: int,
              must: bytearray | None, price: Price | None = None) -> Path:
    """A short fair closed walk from `entry` inside the fair component `comp` ([]: stutter).

    Greedy: while some obligation is open (a strong constraint enabled at a visited state and
    not yet taken; a weak one enabled at every visited state and not yet taken; no `must`
    state visited yet), walk the shortest path to the nearest step or state that meets one,
    then return to `entry`; repeat until returning opens nothing new. Each round meets at
    least one obligation and a met one stays met, so this ends; `comp` being fair and
    strongly connected, a target always exists. `price`: each step's cost (engine/
    prefer_lasso.py); the paths are then the cheapest, and the shortest among those, to the
    cheapest target.
    """
    enabled, by_label = fair.enabled, fair.by_label
    search = _bfs_in if price is None else (lambda g, src, c, meets: _cheapest_in(g, src, c, meets, price))
    walk: Path = []
    any_en = all_en = enabled[entry]
    taken = 0
    seen_must = must is None or bool(must[entry])
    cur = entry
    while True:
        strong_open = fair.strong & any_en & ~taken
        weak_open = fair.weak & all_en & ~taken
        if not (strong_open or weak_open or not seen_must):
            if cur == entry:
                return walk
            path = search(graph, cur, comp, lambda v, lid: lid is None and v == entry)
        else:
            want = strong_open | weak_open

            def meets(v: int, lid: int | None) -> bool:
                if lid is not None:
                    return bool(by_label[lid] & want)
                return bool(weak_open & ~enabled[v]) or (not seen_must and must is not None and bool(must[v]))
            path = search(graph, cur, comp, meets)
        assert path, "a fair component always has a step that meets an open obligation"
        for lid, w in path:
            walk.append((lid, w))
            any_en |= enabled[w]
            all_en &= enabled[w]
            taken |= by_label[lid]
            if must is not None and must[w]:
                seen_must = True
        cur = walk[-1][1]


def _bfs_in(graph: StateGraph, src: int, comp: set[int],
            meets: Callable[[int, int | None], bool]) -> Path:
    """Shortest path inside `comp` from src to a state v with meets(v, None), or ending with
    an edge (lid) with meets(target, lid); src itself does not count as a target state."""
    parent: dict[int, tuple[int, int] | None] = {src: None}
    queue = deque([src])
    while queue:
        v = queue.popleft()
        for w, lid in graph.out(v):
            if w not in comp:
                continue
            if meets(w, lid):
                return _path(parent, v) + [(lid, w)]
            if w not in parent:
                parent[w] = (v, lid)
                if meets(w, None):
                    return _path(parent, w)
                queue.append(w)
    return []


@dataclass(frozen=True, slots=True)
class Price:
    """The cost of the steps of a graph: `step(state, label id, target)`, a tuple of naturals
    (compared lexicographically, added element by element); `zero`, nothing spent."""

    step: Callable[[int, int, int], tuple[int, ...]]
    zero: tuple[int, ...]


def _cheapest_in(graph: StateGraph, src: int, comp: set[int],
                 meets: Callable[[int, int | None], bool], price: Price) -> Path:
    """_bfs_in by (cost, steps) instead of steps: the cheapest path inside `comp` from src to
    a target (Dijkstra: costs are tuples of naturals, compared lexicographically), the
    shortest among the cheapest, ties broken by state id."""
    best = {src: (price.zero, 0)}
    parent: dict[int, tuple[int, int] | None] = {src: None}
    # (cost, steps, state, label id, -1); for a step that meets an obligation itself,
    # (cost, steps, its target, its label id, its source)
    heap = [(price.zero, 0, src, -1, -1)]
    done: set[int] = set()
    while heap:
        c, n, v, lid, edge_end = heapq.heappop(heap)
        if edge_end >= 0:                    # a step that meets an obligation itself
            return _path(parent, edge_end) + [(lid, v)]
        if v in done:
            continue
        done.add(v)
        if v != src and meets(v, None):
            return _path(parent, v)
        for w, l2 in graph.out(v):
            if w not in comp:
                continue
            c2 = tuple(x + y for x, y in zip(c, price.step(v, l2, w)))
            if meets(w, l2):
                heapq.heappush(heap, (c2, n + 1, w, l2, v))
            if w not in done and (w not in best or (c2, n + 1) < best[w]):
                best[w] = (c2, n + 1)
                parent[w] = (v, l2)
                heapq.heappush(heap, (c2, n + 1, w, -1, -1))
    return []


def _reach(graph: StateGraph, sources: Iterable[int], allowed: bytearray) -> bytearray:
    """The `allowed` states reachable from the allowed sources through allowed states."""
    out = bytearray(graph.size)
    stack = [s for s in sources if allowed[s]]
    for s in stack:
        out[s] = 1
    off, dst = graph.off, graph.dst
    while stack:
        v = stack.pop()
        for e in range(off[v], off[v + 1]):
            w = dst[e]
            if allowed[w] and not out[w]:
                out[w] = 1
                stack.append(w)
    return out


def _bfs(graph: StateGraph, sources: Iterable[int], allowed: bytearray,
         target: Sequence[int]) -> tuple[int, Path] | None:
    """A shortest path from a source to a target state, through `allowed` states only."""
    parent: dict[int, tuple[int, int] | None] = {}
    seen = bytearray(graph.size)
    queue: deque[int] = deque()
    for s in sources:
        if allowed[s] and not seen[s]:
            seen[s] = 1
            parent[s] = None
            queue.append(s)
    off, dst, lab = graph.off, graph.dst, graph.lab
    while queue:
        v = queue.popleft()
        if target[v]:
            return _start(parent, v), _path(parent, v)
        for e in range(off[v], off[v + 1]):
            w = dst[e]
            if not seen[w] and allowed[w]:
                seen[w] = 1
                parent[w] = (v, lab[e])
                queue.append(w)
    return None


def _bfs_through(graph: StateGraph, trigger: bytearray, allowed: bytearray,
                 target: Sequence[int]) -> tuple[int, Path] | None:
    """For leads-to: a shortest path from an initial state that passes a trigger state and
    from there stays in `allowed` until it reaches a target (a 0-1 BFS over (state, phase):
    phase 0 before the trigger, anywhere; phase 1 after it, in `allowed` only)."""
    # Node (v, phase) is the int 2 * v + phase; distances and parents live in flat lists
    # (a state graph has hundreds of thousands of states: no dicts of tuples).
    n2 = 2 * graph.size
    dist = [-1] * n2
    parent = [-1] * n2                  # previous node, -1 for a start
    via = [-1] * n2                     # label id of the step to it, -1 for the phase switch
    done = bytearray(n2)
    queue: deque[int] = deque()
    for s in graph.init:
        if dist[2 * s] < 0:
            dist[2 * s] = 0
            queue.append(2 * s)
    off, dst, lab = graph.off, graph.dst, graph.lab
    while queue:
        node = queue.popleft()
        if done[node]:
            continue
        done[node] = 1
        v, phase = node >> 1, node & 1
        if phase == 1 and target[v]:
            return _phased_path(parent, via, node)
        d = dist[node]
        if phase == 0 and trigger[v]:
            nxt = node + 1
            if dist[nxt] < 0 or d < dist[nxt]:
                dist[nxt] = d
                parent[nxt], via[nxt] = node, -1
                queue.appendleft(nxt)
        for e in range(off[v], off[v + 1]):
            w = dst[e]
            if phase == 0 or allowed[w]:
                nxt = 2 * w + phase
                if dist[nxt] < 0 or d + 1 < dist[nxt]:
                    dist[nxt] = d + 1
                    parent[nxt], via[nxt] = node, lab[e]
                    queue.append(nxt)
    return None


def _phased_path(parent: list[int], via: list[int], node: int) -> tuple[int, Path]:
    steps: Path = []
    while parent[node] >= 0:
        if via[node] >= 0:              # the phase switch is not a step
            steps.append((via[node], node >> 1))
        node = parent[node]
    steps.reverse()
    return node >> 1, steps


def _start(parent: dict[int, tuple[int, int] | None], v: int) -> int:
    step = parent[v]
    while step is not None:
        v = step[0]
        step = parent[v]
    return v


def _path(parent: dict[int, tuple[int, int] | None], v: int) -> Path:
    steps: Path = []
    step = parent[v]
    while step is not None:
        prev, lid = step
        steps.append((lid, v))
        v = prev
        step = parent[v]
    steps.reverse()
    return steps


# ---------------------------------------------------------------- traces

def to_trace(model: Model, graph: StateGraph, lasso: Lasso) -> Trace:
    """The lasso as a Trace of model states, each step with its action instance."""
    steps = [Step(None, None, graph.states[lasso.start])]
    for lid, w in lasso.prefix:
        label = graph.labels[lid]
        steps.append(Step(label, model.format_label(label), graph.states[w]))
    if lasso.loop is None:
        return Trace(tuple(steps))
    loop_start = len(steps) - 1
    if not lasso.loop:
        steps.append(Step(None, STUTTER, steps[-1].state))
    for lid, w in lasso.loop:
        label = graph.labels[lid]
        steps.append(Step(label, model.format_label(label), graph.states[w]))
    return Trace(tuple(steps), loop_start)
