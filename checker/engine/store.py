"""Where a search keeps its states: the objects the search loops (engine/expansion.py) and a
model's generated hot loop (engine/fastpath.py) write to.

Input: states and the transitions between them, as a level is expanded. Output: read by
the schedulers (engine/bfs.py, engine/parallel.py), by trace reconstruction (the parent
chains) and by the liveness check (the edges).

- `StateStore`: the states of one search, numbered in the order they are stored:
  `states[id]`, `parents[id]` (the id of the state it was first reached from, -1 for an
  initial state, in a typed array), and `seen`, the exact seen set (every state kept whole:
  no fingerprints, no collisions): a set, or a dict state -> id when edges are recorded.
  The levels of a breadth-first search are consecutive ranges of ids.
- `EdgeTable`: the transitions (self-loops aside) in compressed-sparse-row arrays: the
  out-edges of state v are positions off[v]..off[v+1]-1 of `dst` (target ids) and `lab`
  (label ids into `labels`, each distinct action instance once): engine/graph.py reads them.
- `Counters`: per action, transitions generated and new states first reached by it; the
  states of a --max-depth level cut (a successor not stored).
- `RoutedStore`: a worker's chunk in a partitioned search: the states it expands, the new
  ones it owns (with their parent states and actions), and, per other worker, the new
  states that worker owns (its outbox).

Each store can `mark()` where it stands and `undo()` back to a mark: a chunk that a
generated expander could not finish is undone and run again by the general loop.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from checker.engine.model import Label, State


class EdgeTable:
    """The transitions of a search, in compressed-sparse-row arrays (module docstring)."""

    __slots__ = ("off", "dst", "lab", "lids", "labels")

    def __init__(self) -> None:
        self.off = array("q", [0])
        self.dst = array("i")
        self.lab = array("i")
        self.lids: dict[Label, int] = {}
        self.labels: list[Label] = []

    def add(self, source: int, target: int, label: Label) -> None:
        """An edge of state `source` (the one being expanded) to state `target`; a self-loop
        is a stuttering step, not recorded (engine/graph.py)."""
        if target == source:
            return
        self.dst.append(target)
        x = self.lids.get(label)
        if x is None:
            x = self.lids[label] = len(self.labels)
            self.labels.append(label)
        self.lab.append(x)

    def close(self) -> None:
        """The state being expanded has no more edges."""
        self.off.append(len(self.dst))


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a store stood: its size and its number of edges."""

    states: int
    edges: int = 0


class StateStore:
    """The states of one search (module docstring). `graph`: record edges too."""

    __slots__ = ("states", "parents", "seen", "edges")

    def __init__(self, graph: bool = False):
        self.states: list[State] = []
        self.parents = array("i")
        self.seen: Any = {} if graph else set()
        self.edges: EdgeTable | None = EdgeTable() if graph else None

    def __len__(self) -> int:
        return len(self.states)

    def add(self, state: State, parent: int) -> int:
        """Store a state not seen before; return its id."""
        j = len(self.states)
        if self.edges is not None:
            self.seen[state] = j
        else:
            self.seen.add(state)
        self.states.append(state)
        self.parents.append(parent)
        return j

    def mark(self) -> Mark:
        return Mark(len(self.states), len(self.edges.dst) if self.edges is not None else 0)

    def undo(self, lo: int, mark: Mark) -> None:
        """Forget the states stored since `mark`, and the edges of states lo and later."""
        states, seen = self.states, self.seen
        if self.edges is not None:
            for s in states[mark.states:]:
                del seen[s]
            edges = self.edges
            del edges.off[lo + 1:]
            del edges.dst[mark.edges:]
            del edges.lab[mark.edges:]
        else:
            for s in states[mark.states:]:
                seen.discard(s)
        del states[mark.states:]
        del self.parents[mark.states:]

    def chain(self, sid: int) -> list[State]:
        """The states from an initial state to state `sid`, along the parent ids."""
        chain = []
        while sid >= 0:
            chain.append(self.states[sid])
            sid = self.parents[sid]
        chain.reverse()
        return chain


class Counters:
    """Per action: transitions generated and new states first reached; states cut."""

    __slots__ = ("generated", "distinct", "cuts")

    def __init__(self, actions: int):
        self.generated = [0] * actions
        self.distinct = [0] * actions
        self.cuts = 0

    def add(self, other: Counters) -> None:
        for i, g in enumerate(other.generated):
            self.generated[i] += g
        for i, n in enumerate(other.distinct):
            self.distinct[i] += n
        self.cuts += other.cuts


Outbox = tuple[list[State], list[State], list[int]]   # states, their parent states, their actions


class RoutedStore:
    """One chunk of a worker's frontier and the new states it produced (module docstring).

    states: the chunk's states (ids 0..len-1), then the new states this worker owns;
    parents, actions: the parent state and the action index of each new owned state;
    seen: the worker's seen set (the states it owns, and those it sent to their owners);
    outbox[k]: the new states worker k owns, with their parents and actions."""

    __slots__ = ("states", "parents", "actions", "seen", "outbox", "me", "workers", "start")

    def __init__(self, chunk: list[State], seen: set[State], outbox: list[Outbox], me: int, workers: int):
        self.states = list(chunk)
        self.start = len(chunk)
        self.parents: list[State] = []
        self.actions: list[int] = []
        self.seen = seen
        self.outbox = outbox
        self.me, self.workers = me, workers

    def own(self, state: State, parent: State, action: int) -> None:
        self.seen.add(state)
        self.states.append(state)
        self.parents.append(parent)
        self.actions.append(action)

    def send(self, worker: int, state: State, parent: State, action: int) -> None:
        self.seen.add(state)
        ts, ps, acts = self.outbox[worker]
        ts.append(state)
        ps.append(parent)
        acts.append(action)

    def new_states(self) -> list[State]:
        return self.states[self.start:]

    def mark(self) -> tuple[int, ...]:
        return (len(self.states), *(len(ts) for ts, _, _ in self.outbox))

    def undo(self, mark: tuple[int, ...]) -> None:
        """Forget the states produced since `mark` (seen-set entries included)."""
        for t in self.states[mark[0]:]:
            self.seen.discard(t)
        del self.states[mark[0]:]
        del self.parents[mark[0] - self.start:]
        del self.actions[mark[0] - self.start:]
        for (ts, ps, acs), m in zip(self.outbox, mark[1:]):
            for t in ts[m:]:
                self.seen.discard(t)
            del ts[m:], ps[m:], acs[m:]
