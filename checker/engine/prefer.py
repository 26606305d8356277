"""Counterexamples with the fewest environment faults: the cheapest violating trace within a
length bound.

Input: a Model, the violated safety property (its index into `model.properties`, an
invariant or an action property), a cost per step (`Cost`: a tuple, compared
lexicographically: restarts, then injected errors, say) and the most steps a trace may
take (the shortest counterexample's length plus the slack the user allows). Output: the
violating `Trace` whose (cost, length) is least, compared lexicographically, among every
trace of at most that many steps from an initial state (None when there is none, or when
the search stopped at `max_records`).

The search goes level by level from the initial states, keeping a record per (state,
cost) reached: a state reached again at the same or a later level with a cost that is
not lower than one it already has is dropped, since anything that continues from it
continues as well, no longer and no dearer, from the earlier record (costs are added, and
adding the same cost keeps a lexicographic order). A violating state ends its path (going
on can only cost more). States outside the state constraint are not expanded, as in the
main search. This is the slow reference's answer (tests/engine/test_prefer.py enumerates
every path of small random specs) at a cost of at most one expansion per state and
distinct cost.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from checker.engine.model import Label, Model, State
from checker.engine.result import Step, Trace

CostFn = Callable[[Label, State, State], tuple[int, ...]]
Record = tuple[State, tuple[int, ...], int, int, "Label | None"]    # state, cost, depth, parent, label
MAX_RECORDS = 2_000_000


@dataclass(frozen=True, slots=True)
class Cheapest:
    trace: Trace
    cost: tuple[int, ...]


def trace_cost(trace: Trace, cost: CostFn, width: int) -> tuple[int, ...]:
    """The summed cost of a trace's steps (stuttering steps cost nothing)."""
    total = (0,) * width
    for a, b in zip(trace.steps, trace.steps[1:]):
        if b.label is not None:
            total = _add(total, cost(b.label, a.state, b.state))
    return total


def cheapest_trace(model: Model, index: int, cost: CostFn, width: int, max_steps: int,
                   max_records: int = MAX_RECORDS) -> Cheapest | None:
    """The least (cost, length) violating trace of property `index` (module docstring)."""
    kind = model.properties[index].kind
    if kind not in ("invariant", "action"):
        raise ValueError(f"a cheapest trace is for invariants and action properties, not {kind}")
    zero = (0,) * width
    # a record: (state, cost, depth, parent record or -1, label)
    records: list[Record] = []
    best: dict[State, tuple[int, ...]] = {}
    goals: list[int] = []
    frontier: list[int] = []
    for s in model.init_states():
        if s in best:
            continue
        best[s] = zero
        records.append((s, zero, 0, -1, None))
        if kind == "invariant" and index in model.check_state(s):
            goals.append(len(records) - 1)
        else:
            frontier.append(len(records) - 1)
    for depth in range(1, max_steps + 1):
        nxt: list[int] = []
        for rid in frontier:
            s, c, _, _, _ = records[rid]
            if model.has_constraint and not model.within_constraint(s):
                continue
            for label, s2 in model.successors(s):
                c2 = _add(c, cost(label, s, s2))
                if kind == "action" and index in model.check_transition(s, label, s2):
                    records.append((s2, c2, depth, rid, label))
                    goals.append(len(records) - 1)
                    continue
                seen = best.get(s2)
                if seen is not None and seen <= c2:
                    continue
                best[s2] = c2
                records.append((s2, c2, depth, rid, label))
                if kind == "invariant" and index in model.check_state(s2):
                    goals.append(len(records) - 1)
                else:
                    nxt.append(len(records) - 1)
                if len(records) > max_records:
                    return None
        frontier = nxt
    if not goals:
        return None
    goal = min(goals, key=lambda g: (records[g][1], records[g][2], g))
    return Cheapest(_trace(model, records, goal), records[goal][1])


def _add(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b))


def _trace(model: Model, records: list[Record], goal: int) -> Trace:
    steps = []
    rid = goal
    while rid != -1:
        s, _, _, parent, label = records[rid]
        steps.append(Step(label, model.format_label(label) if label is not None else None, s))
        rid = parent
    return Trace(tuple(reversed(steps)))


def term_cost(model: Model, terms: Sequence[str]) -> CostFn:
    """The cost of a step under `terms`, in their order: an action's name counts the steps
    it takes (a process's name counts its steps), a variable's name how much the step
    lowers it (a budget such as `faultsLeft`: what it spends). Raises ValueError for a
    term that names neither."""
    names = [a.name for a in model.actions]
    variables = set(model.describe(next(iter(model.init_states()))))
    parts: list[Callable[[Label, State, State], int]] = []
    for term in terms:
        if term in variables:
            parts.append(_spent(model, term))
        elif any(n == term or n.startswith(term + ".") for n in names):
            parts.append(_steps_of(frozenset(i for i, n in enumerate(names)
                                             if n == term or n.startswith(term + "."))))
        else:
            raise ValueError(f"{term!r} is neither an action nor a variable of {model.name}")
    return lambda label, a, b: tuple(p(label, a, b) for p in parts)


def _steps_of(hits: frozenset[int]) -> Callable[[Label, State, State], int]:
    def steps(label: Label, a: State, b: State) -> int:
        return 1 if label[0] in hits else 0
    return steps


def _spent(model: Model, var: str) -> Callable[[Label, State, State], int]:
    values: dict[State, object] = {}      # describing a state is dear: once per state

    def value(s: State) -> object:
        v = values.get(s, values)
        if v is values:
            if len(values) > MAX_RECORDS:
                values.clear()
            v = values[s] = model.describe_var(s, var)
        return v

    def spent(label: Label, a: State, b: State) -> int:
        x, y = value(a), value(b)
        return max(x - y, 0) if isinstance(x, int) and isinstance(y, int) else 0
    return spent
