"""Liveness against a slow, obviously correct reference, on random small models (hypothesis).

The engine (checker.engine.liveness: SCCs, Emerson-Lei refinement, greedy loops) must give
the same verdict as a reference that enumerates lassos and decides fairness and the
property on each lasso directly from their definitions. Every counterexample the engine
returns is also checked on its own: a real path from an initial state, a closed loop, fair,
and violating the property.

Why the reference's enumeration is enough (n states, E edges):
- What an infinite behaviour of a finite graph visits infinitely often is a set of states V
  and of non-stuttering steps F forming a strongly connected subgraph (or F empty: it
  stutters forever in its last state). Fairness and the truth of every property here depend
  on the behaviour only through its prefix's states (in order) and (V, F). Conversely every
  strongly connected F is walked by a closed walk of at most |F| * n <= E * n steps (an edge,
  then a shortest path back, per edge), so "every lasso with a loop of at most E * n steps"
  and "every (prefix, strongly connected F)" are the same set of verdicts: the reference
  enumerates the second, which is the first without the repetitions.
- Prefixes: it enumerates every path from an initial state of at most 2n - 2 steps. That is
  enough: a violating prefix can be cut down to a simple path to its end (n - 1 steps; only
  a subset of its states remains, so a prefix free of P or of Q stays so), except for
  leads-to, where the prefix is a simple path to the trigger state (P and not Q) then a
  simple path from it to the loop through not-Q states: 2n - 2 steps.
Stuttering steps are self-loops (kept out of F): TLA+'s fairness is about <<A>>_vars, steps
that change the state, so a self-loop neither enables nor takes a constraint.
"""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.engine import CheckOptions, Status, explore
from checker.engine.model import ActionInfo, FairnessInfo, ModelBase, TemporalInfo

KINDS = ("always", "eventually", "always_eventually", "eventually_always", "leads_to")


class GraphModel(ModelBase):
    """A Model over int states: edges (src, action, param, dst); labels (action, (param,))."""

    name = "random"
    properties = ()
    check_deadlock = False
    has_action_properties = False
    has_constraint = False

    def __init__(self, n, init, edges, temporal, fairness, actions=2):
        self.n, self.init, self.edges = n, tuple(init), tuple(edges)
        self.temporal, self.fairness = tuple(temporal), tuple(fairness)
        self.actions = tuple(ActionInfo(f"A{i}") for i in range(actions))

    def init_states(self):
        return list(self.init)

    def successors(self, s):
        return [((a, (x,)), t) for (src, a, x, t) in self.edges if src == s]

    def check_state(self, s):
        return ()

    def format_label(self, label):
        return f"A{label[0]}({label[1][0]})"

    def describe(self, s):
        return {"s": s}


# ---------------------------------------------------------------- random models

def fairness_decl(draw_item):
    strength, mode, actions = draw_item
    acts = frozenset(actions)
    if mode == "whole":        # one constraint: any of these actions
        group = lambda label: "all" if label[0] in acts else None  # noqa: E731
    elif mode == "each":       # one per action instance
        group = lambda label: label if label[0] in acts else None  # noqa: E731
    else:                      # one per parameter value, across the actions (a "process")
        group = lambda label: label[1] if label[0] in acts else None  # noqa: E731
    return FairnessInfo(strength, group, f"{strength} {mode} {sorted(acts)}")


@st.composite
def models(draw):
    n = draw(st.integers(1, 5))
    state = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(state, st.integers(0, 1), st.integers(0, 1), state),
                          min_size=n, max_size=8, unique=True))
    init = draw(st.lists(state, min_size=1, max_size=2, unique=True))
    fair_items = draw(st.lists(st.tuples(st.sampled_from(("weak", "strong")),
                                         st.sampled_from(("whole", "each", "param")),
                                         st.lists(st.integers(0, 1), min_size=1, max_size=2)),
                               min_size=draw(st.sampled_from((0, 1, 1, 1))), max_size=3))
    kind = draw(st.sampled_from(KINDS))
    instances = draw(st.integers(1, 2))
    # a conjunction `(F1) and (F2)`: instances of different kinds
    kinds = tuple(draw(st.sampled_from(KINDS)) for _ in range(instances)) if draw(st.integers(0, 3)) == 0 else None
    if kinds is not None:
        kind = kinds[0]
    # Predicates true in few states: the interesting verdicts hinge on fairness, not on P.
    chosen = [draw(st.sets(state, max_size=2)) for _ in range(2 * instances)]
    ptab = [[s in chosen[k] for s in range(n)] for k in range(instances)]
    qtab = [[s in chosen[instances + k] for s in range(n)] for k in range(instances)]
    leads = kind == "leads_to" or (kinds is not None and "leads_to" in kinds)
    temporal = TemporalInfo("T", kind, lambda s, k: ptab[k][s],
                            (lambda s, k: qtab[k][s]) if leads else None,
                            tuple(f"i = {k}" for k in range(instances)), kinds=kinds)
    model = GraphModel(n, init, edges, [temporal], [fairness_decl(f) for f in fair_items])
    return model, ptab, qtab


# ---------------------------------------------------------------- the reference

def moves(model):
    """Non-stuttering steps (src, label, dst)."""
    return [(s, (a, (x,)), t) for (s, a, x, t) in model.edges if s != t]


def constraints(model):
    """Every fairness constraint: (strength, set of labels it covers), over all labels."""
    labels = {label for _, label, _ in moves(model)}
    out = []
    for f in model.fairness:
        keys: dict = {}
        for label in labels:
            k = f.group(label)
            if k is not None:
                keys.setdefault(k, set()).add(label)
        out.extend((f.strength, frozenset(ls)) for ls in keys.values())
    return out


def enabled(model, cover, s):
    return any(src == s and label in cover for src, label, _ in moves(model))


def is_fair(model, cons, states, steps) -> bool:
    """Fairness of the behaviour that visits exactly `states` and `steps` infinitely often."""
    for strength, cover in cons:
        taken = any(label in cover for _, label, _ in steps)
        en = [enabled(model, cover, s) for s in states]
        if strength == "weak" and not taken and all(en):
            return False
        if strength == "strong" and not taken and any(en):
            return False
    return True


def strongly_connected(steps) -> bool:
    nodes = {s for s, _, _ in steps} | {t for _, _, t in steps}
    adj: dict = {}
    for s, _, t in steps:
        adj.setdefault(s, set()).add(t)

    def reach(a):
        seen, todo = {a}, [a]
        while todo:
            for w in adj.get(todo.pop(), ()):
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
        return seen
    return all(reach(v) == nodes for v in nodes)


def loops(model):
    """Every (states, steps) a behaviour can visit infinitely often (see the module doc)."""
    ms = moves(model)
    for s in range(model.n):
        yield frozenset({s}), ()                     # stuttering forever in s
    for r in range(1, len(ms) + 1):
        for steps in itertools.combinations(ms, r):
            if strongly_connected(steps):
                yield frozenset({s for s, _, _ in steps}), steps


def prefixes(model, bound):
    """Every path from an initial state of at most `bound` non-stuttering steps (states)."""
    ms = moves(model)
    todo = [(s,) for s in model.init]
    while todo:
        path = todo.pop()
        yield path
        if len(path) <= bound:
            todo.extend(path + (t,) for s, _, t in ms if s == path[-1])


def violates(kind, p, q, prefix, states) -> bool:
    """Does the lasso (prefix states; then `states` forever) falsify the property?"""
    if kind == "always":
        return not all(p[s] for s in prefix) or not all(p[s] for s in states)
    if kind == "eventually":
        return not any(p[s] for s in prefix) and not any(p[s] for s in states)
    if kind == "always_eventually":
        return not any(p[s] for s in states)
    if kind == "eventually_always":
        return not all(p[s] for s in states)
    if any(q[s] for s in states):
        return False                # Q comes back forever: every P is answered
    if any(p[s] for s in states):
        return True
    return any(p[prefix[i]] and not any(q[s] for s in prefix[i:]) for i in range(len(prefix)))


def reference_violated(model, kind, p, q) -> bool:
    cons = constraints(model)
    fair = [(states, steps) for states, steps in loops(model) if is_fair(model, cons, states, steps)]
    for prefix in prefixes(model, 2 * model.n - 2):
        for states, _steps in fair:
            if prefix[-1] in states and violates(kind, p, q, prefix, states):
                return True
    return False


def check_counterexample(model, kind, p, q, trace):
    """The engine's lasso, checked directly: real, closed, fair, violating."""
    states = [step.state for step in trace.steps]
    assert states[0] in model.init
    for prev, step in zip(trace.steps, trace.steps[1:]):
        if step.label is None:      # a stuttering step closes the loop
            assert step.state == prev.state and step is trace.steps[-1]
        else:
            assert (step.label, step.state) in model.successors(prev.state)
    if trace.loop_start is None:
        assert kind == "always" and not p[states[-1]]
        return
    k = trace.loop_start
    assert states[-1] == states[k]
    loop_steps = tuple((a.state, b.label, b.state) for a, b in zip(trace.steps[k:], trace.steps[k + 1:])
                       if b.label is not None and a.state != b.state)
    loop_states = frozenset(states[k:])
    assert is_fair(model, constraints(model), loop_states, loop_steps)
    assert violates(kind, p, q, tuple(states[:k + 1]), loop_states)


@settings(max_examples=1500, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_liveness_agrees_with_the_reference(case):
    model, ptab, qtab = case
    (t,) = model.temporal
    result = explore(model, CheckOptions())
    (got,) = [r for r in result.properties if r.kind == "liveness"]
    expected = [reference_violated(model, t.kind_at(k), ptab[k], qtab[k]) for k in range(len(ptab))]
    assert (got.status is Status.VIOLATED) == any(expected), (t.kinds or t.kind, model.edges, model.init)
    if got.status is Status.VIOLATED:
        k = t.instances.index(got.instance)
        assert expected[k] and not any(expected[:k])      # the first violated instance
        check_counterexample(model, t.kind_at(k), ptab[k], qtab[k], got.trace)
        check_stutter(model, ptab, qtab, got)
    else:
        assert got.stutter == () and got.outside == ()
        live = [k for k in range(len(ptab)) if t.kind_at(k) != "always"]
        assert got.trivial == (bool(live) and not any(opens(model, t.kind_at(k), ptab[k], qtab[k]) for k in live))


def opens(model, kind, p, q) -> bool:
    """KOV609's fact: does some reachable state leave the property to what happens next?"""
    seen, todo = set(model.init), list(model.init)
    while todo:
        s = todo.pop()
        for (src, _a, _x, dst) in model.edges:
            if src == s and dst not in seen:
                seen.add(dst)
                todo.append(dst)
    if kind == "leads_to":
        return any(p[s] and not q[s] for s in seen)
    if kind == "eventually":
        return any(not p[s] for s in model.init)
    return any(not p[s] for s in seen)


def check_stutter(model, ptab, qtab, got) -> None:
    """KOV608's facts: a lasso that stutters lists the actions enabled where it stutters,
    each with whether the property holds once that action is weakly fair, as the reference
    decides it for the model with that fairness added."""
    (t,) = model.temporal
    if got.trace.loop_start is None or got.trace.steps[-1].label is not None:
        assert got.stutter == ()        # no loop (always P), or a loop of real steps
        return
    v = got.trace.steps[-1].state
    enabled_there = sorted({a for (src, a, _x, dst) in model.edges if src == v and dst != v})
    assert sorted(name for name, _ in got.stutter) == [f"A{a}" for a in enabled_there]
    for name, holds in got.stutter:
        a = int(name[1:])
        fair = model.fairness + (FairnessInfo("weak", lambda label, a=a: 0 if label[0] == a else None),)
        more = GraphModel(model.n, model.init, model.edges, model.temporal, fair)
        assert holds == (not any(reference_violated(more, t.kind_at(k), ptab[k], qtab[k])
                                 for k in range(len(ptab)))), (name, t.kinds or t.kind, model.edges, model.init)
