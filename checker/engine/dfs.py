"""A deliberately simple reference explorer, for cross-checking `bfs.explore` in tests.

Input: a Model (and an optional bound on distinct states).
Output: a `ReachableGraph`: the reachable states, the number of generated transitions counted
as TLC counts them, and every edge.

Depth-first with an explicit stack, no limits beyond max_states, no properties, no tricks: it
should be obviously correct, not fast. Its set of states is used only for membership and its
results are compared as sets, so iterating it in hash order does not matter here.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.engine.model import Label, Model, State


@dataclass(frozen=True, slots=True)
class ReachableGraph:
    initial: tuple[State, ...]                       # distinct initial states, in order produced
    states: frozenset[State]                         # every distinct state found
    generated: int                                   # initial states (duplicates included) + edges
    edges: tuple[tuple[State, Label, State], ...]    # (state, label, next) of expanded states
    complete: bool                                   # False if max_states stopped the search


def reachable_graph(model: Model, max_states: int | None = None) -> ReachableGraph:
    """Every state reachable in `model`, found depth-first.

    States outside the model's constraint are stored but not expanded, as in bfs.
    With max_states, the search stops before storing more than that many states.
    """
    seen: set[State] = set()
    initial: list[State] = []
    stack: list[State] = []
    edges: list[tuple[State, Label, State]] = []
    generated = 0

    def add(state: State) -> bool:
        """Store a new state; False if max_states forbids it."""
        if max_states is not None and len(seen) >= max_states:
            return False
        seen.add(state)
        stack.append(state)
        return True

    complete = True
    for s in model.init_states():
        generated += 1
        if s not in seen:
            if not add(s):
                complete = False
                break
            initial.append(s)
    while stack and complete:
        s = stack.pop()
        if model.has_constraint and not model.within_constraint(s):
            continue
        for label, t in model.successors(s):
            generated += 1
            edges.append((s, label, t))
            if t not in seen and not add(t):
                complete = False
                break
    return ReachableGraph(tuple(initial), frozenset(seen), generated, tuple(edges), complete)
