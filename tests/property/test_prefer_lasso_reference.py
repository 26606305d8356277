"""The cheapest violating lasso (checker/engine/prefer_lasso.py) against brute force on random
small specs with temporal properties and fairness (specgen.py, `temporal=True`).

The cost of a step is the steps of the spec's first action and how much the step lowers its
first int variable (the two kinds of `--prefer` term, as in test_prefer_reference.py); the
first can recur in a loop, so loops that cost something are exercised, the second cannot
(what a loop lowers it raises again, which costs nothing) unless the variable goes up and
down.

The reference decides everything from the definitions (liveness.py's docstring, TLA+'s
semantics), on the graph it builds itself from `model.successors`:
- a lasso is a path from an initial state to a state v, then a closed walk from v (or v
  stuttering forever); its cost is the sum of its steps' costs;
- a closed walk is fair iff every constraint is taken on one of its steps, or (weak) is
  disabled in one of its states, or (strong) is disabled in all of them; it violates the
  instance by the states it visits and, for `eventually` and `leads to`, the prefix's;
- the least cost is found by a uniform-cost search over (state, what the walk has visited:
  its set of states and its set of constraints taken) for the loops, and over (state, the
  prefix's phase) for the prefixes; each combination is tried.
Since fairness and violation depend on a walk only through what those nodes record, and
costs are never negative, the least cost found is the least over all lassos.

The engine's lasso must be a real lasso of the model (each step a successor, the loop
closed), fair, violating the instance it names, and cost what it says; its cost must be the
reference's least when it claims so (`bound` None), and otherwise lie at or above the
least, with the bound at or below it.
"""
from __future__ import annotations

import heapq

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, ModelError, Status, explore
from checker.engine.prefer import term_cost, trace_cost
from checker.engine.prefer_lasso import LassoSearch

from specgen import spec_from_seed  # tests/property is on sys.path (rootdir-less import)

SEEDS = range(220)
MAX_STATES = 9            # the reference's walks record a set of states: kept small
MAX_CONSTRAINTS = 5


class Graph:
    """The reachable graph of a model, by the reference's own breadth-first search:
    states, initial state ids, non-stuttering steps (v, label, w), fairness constraints
    (strength, labels), and the enabled constraints of each state."""

    def __init__(self, model, cap: int):
        self.states = list(dict.fromkeys(model.init_states()))
        index = {s: i for i, s in enumerate(self.states)}
        self.init = list(range(len(self.states)))
        self.steps: list[tuple[int, object, int]] = []
        i = 0
        while i < len(self.states):
            s = self.states[i]
            if not model.has_constraint or model.within_constraint(s):
                for label, t in model.successors(s):
                    if t == s:
                        continue
                    if t not in index:
                        if len(self.states) >= cap:
                            raise TooBig
                        index[t] = len(self.states)
                        self.states.append(t)
                    self.steps.append((i, label, index[t]))
            i += 1
        self.constraints = []
        for f in model.fairness:
            keys: dict = {}
            for _, label, _ in self.steps:
                key = f.group(label)
                if key is not None:
                    keys.setdefault(key, set()).add(label)
            self.constraints += [(f.strength, frozenset(ls)) for ls in keys.values()]
        self.enabled = [frozenset(c for c, (_, ls) in enumerate(self.constraints)
                                  if any(v == s and label in ls for v, label, _ in self.steps))
                        for s in range(len(self.states))]

    def fair(self, visited: frozenset[int], taken: frozenset[int]) -> bool:
        for c, (strength, _) in enumerate(self.constraints):
            if c in taken:
                continue
            on = [c in self.enabled[s] for s in visited]
            if (strength == "weak" and all(on)) or (strength == "strong" and any(on)):
                return False
        return True

    def taken_by(self, label) -> frozenset[int]:
        return frozenset(c for c, (_, ls) in enumerate(self.constraints) if label in ls)


class TooBig(Exception):
    pass


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def _uniform_cost(starts, moves):
    """Least cost of every node reachable from `starts` ((node, cost) pairs); `moves(node)`
    yields (next node, step cost)."""
    best: dict = {}
    heap = [(c, i, n) for i, (n, c) in enumerate(starts)]
    heapq.heapify(heap)
    count = len(heap)
    while heap:
        c, _, node = heapq.heappop(heap)
        if node in best:
            continue
        best[node] = c
        for nxt, sc in moves(node):
            if nxt not in best:
                count += 1
                heapq.heappush(heap, (_add(c, sc), count, nxt))
    return best


def reference_least(g: Graph, kind: str, p, q, cost, zero):
    """The least cost of a lasso violating the instance (None: none does)."""
    n = len(g.states)
    out: dict[int, list] = {v: [] for v in range(n)}
    for v, label, w in g.steps:
        out[v].append((label, w, cost(label, g.states[v], g.states[w])))
    if kind == "always":
        least = _uniform_cost([(v, zero) for v in g.init], lambda v: [(w, c) for _, w, c in out[v]])
        return min((c for v, c in least.items() if not p[v]), default=None)

    # prefixes: (state, phase); phase (leads to): a P-and-not-Q state since the last Q
    def phase(ph, w):
        return 0 if q[w] else (1 if ph or p[w] else 0)
    if kind == "leads_to":
        starts = [((v, phase(0, v)), zero) for v in g.init]
        prefix = _uniform_cost(starts, lambda node: [((w, phase(node[1], w)), c) for _, w, c in out[node[0]]])
    else:
        ok = (lambda v: not p[v]) if kind == "eventually" else (lambda v: True)
        prefix = _uniform_cost([((v, 0), zero) for v in g.init if ok(v)],
                               lambda node: [((w, 0), c) for _, w, c in out[node[0]] if ok(w)])

    def violates(ph, visited) -> bool:
        if kind in ("eventually", "always_eventually"):
            return not any(p[s] for s in visited)
        if kind == "eventually_always":
            return not all(p[s] for s in visited)
        return not any(q[s] for s in visited) and (ph == 1 or any(p[s] for s in visited))

    least = None
    for v in range(n):
        entries = [(ph, c) for (u, ph), c in prefix.items() if u == v]
        if not entries:
            continue
        # stuttering forever in v is the walk that visits v and takes nothing
        loops = [(frozenset({v}), frozenset(), zero)]
        walks = _uniform_cost([((v, frozenset({v}), frozenset(), False), zero)],
                              lambda node: [((w, node[1] | {w}, node[2] | g.taken_by(label), True), c)
                                            for label, w, c in out[node[0]]])
        loops += [(vis, tk, c) for (u, vis, tk, moved), c in walks.items() if u == v and moved]
        for vis, tk, c in loops:
            if not g.fair(vis, tk):
                continue
            for ph, pc in entries:
                if violates(ph, vis):
                    total = _add(pc, c)
                    least = total if least is None or total < least else least
    return least


def check_lasso(g: Graph, model, kind, p, q, trace) -> None:
    """The engine's lasso, checked directly: real, closed, fair, violating."""
    index = {s: i for i, s in enumerate(g.states)}
    ids = [index[step.state] for step in trace.steps]
    assert ids[0] in g.init
    for a, b in zip(trace.steps, trace.steps[1:]):
        if b.label is None:
            assert b.state == a.state and b is trace.steps[-1]      # stuttering closes the loop
        else:
            assert (b.label, b.state) in list(model.successors(a.state))
    if trace.loop_start is None:
        assert kind == "always" and not p[ids[-1]]
        return
    k = trace.loop_start
    assert ids[-1] == ids[k]
    visited = frozenset(ids[k:])
    taken = frozenset().union(*[g.taken_by(b.label) for b in trace.steps[k + 1:] if b.label is not None])
    assert g.fair(visited, taken)
    prefix = ids[:k + 1]
    if kind == "eventually":
        assert not any(p[s] for s in prefix) and not any(p[s] for s in visited)
    elif kind == "always_eventually":
        assert not any(p[s] for s in visited)
    elif kind == "eventually_always":
        assert not all(p[s] for s in visited)
    else:
        assert not any(q[s] for s in visited)
        assert any(p[s] for s in visited) or any(p[s] and not any(q[x] for x in prefix[i:])
                                                 for i, s in enumerate(prefix))


def _term_lists(model) -> list[list[str]]:
    """Each action (a process: its steps) with the first int variable."""
    first = next(iter(model.init_states()))
    ints = [name for name, v in model.describe(first).items() if isinstance(v, int) and not isinstance(v, bool)]
    actions = dict.fromkeys(a.name.split(".")[0] for a in model.actions)
    return [[a] + ints[:1] for a in actions]


def _cases(tmp):
    for seed in SEEDS:
        path = tmp / f"s{seed}.kovn"
        path.write_text(spec_from_seed(seed, temporal=True).text, encoding="utf-8")
        try:
            compiled, _ = api.compile_spec(str(path), lint=False)
        except DiagnosticError:
            continue
        for _variant, model in compiled:
            try:
                g = Graph(model, MAX_STATES)
                res = explore(model, CheckOptions(max_states=2000))
            except (ModelError, TooBig):
                continue
            if res.failure is not None or res.limit is not None or len(g.constraints) > MAX_CONSTRAINTS:
                continue
            yield seed, model, res, g


def test_the_cheapest_lasso_is_the_brute_force_minimum(tmp_path):
    compared = exact = bounded = cheaper = holds = 0
    for seed, model, res, g in _cases(tmp_path):
        verdicts = {r.name: r for r in res.properties if r.kind == "liveness"}
        for terms in _term_lists(model):
            cost = term_cost(model, terms)
            zero = (0,) * len(terms)
            search = LassoSearch.of(model, cost, len(terms), 10_000)
            assert search is not None
            for t in model.temporal:
                tables = [([bool(t.p(s, k)) for s in g.states],
                           [bool(t.q(s, k)) for s in g.states] if t.kind_at(k) == "leads_to" else None)
                          for k in range(len(t.instances))]
                wants = [reference_least(g, t.kind_at(k), p, q, cost, zero) for k, (p, q) in enumerate(tables)]
                want = min((w for w in wants if w is not None), default=None)
                got = search.cheapest(t)
                where = f"seed {seed} {t.name} ({t.kinds or t.kind}) {terms}"
                assert (got is None) == (want is None) == (verdicts[t.name].status is Status.HOLDS), where
                if got is None:
                    holds += 1
                    continue
                trace = got.result.trace
                k = t.instances.index(got.result.instance or "")
                check_lasso(g, model, t.kind_at(k), *tables[k], trace)
                assert trace_cost(trace, cost, len(terms)) == got.cost, where
                assert wants[k] is not None
                if got.bound is None:
                    assert got.cost == want, where
                    exact += 1
                else:
                    assert got.bound <= want <= got.cost and got.bound < got.cost, where
                    bounded += 1
                cheaper += got.cost < trace_cost(verdicts[t.name].trace, cost, len(terms))
                compared += 1
    assert compared >= 200, f"only {compared} violated properties compared: the generator changed?"
    assert holds >= 100, f"only {holds} properties that hold"
    assert exact >= 0.9 * compared, f"{exact} of {compared} lassos shown to be the least"
    assert bounded >= 1, "no lasso left unproven: the bounded answer is not exercised"
    assert cheaper >= 10, f"only {cheaper} lassos cheaper than the shortest: the costs say little"
