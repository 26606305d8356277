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
- `CompactStore`: a StateStore for states that are ints of at most 64 bits (compiled
  specs): the states in a 64-bit array, and the seen set split into a Python set of the
  newest level and an open-addressing table (an array) of the others, about 35 bytes a
  state instead of 100; exact, and the same ids, order and parents (docs/adr/
  0033-compact-store.md).
- `EdgeTable`: the transitions (self-loops aside) in compressed-sparse-row arrays: the
  out-edges of state v are positions off[v]..off[v+1]-1 of `dst` (target ids) and `lab`
  (label ids into `labels`, each distinct action instance once): engine/graph.py reads them.
- `Counters`: per action, transitions generated and new states first reached by it; the
  states of a --max-depth level cut (a successor not stored).
- `RoutedStore`: a worker's chunk in a partitioned search: the states it expands (with
  their base keys), the new ones it owns (with their parent states, actions and keys), and,
  per other worker, the new states that worker owns (its outbox).

Each store can `mark()` where it stands and `undo()` back to a mark: a chunk that a
generated expander could not finish is undone and run again by the general loop.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any, Iterable, cast

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
    cold = 0        # states kept outside `seen` (a CompactStore's table)

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

    def retire(self, lo: int) -> None:
        """The levels below id `lo` are done (a CompactStore compacts them; here, nothing)."""

    def chain(self, sid: int) -> list[State]:
        """The states from an initial state to state `sid`, along the parent ids."""
        chain = []
        while sid >= 0:
            chain.append(self.states[sid])
            sid = self.parents[sid]
        chain.reverse()
        return chain


# The cold table's hash: Fibonacci hashing of the state's 64 bits (the top bits of its
# product with 2**64 / phi), so states whose low bits vary little still spread. Generated
# expanders inline the same formula (COLD_MIX, engine/fastpath.py's contract).
COLD_MIX = 0x9E3779B97F4A7C15
_M64 = (1 << 64) - 1
_MAX_LOAD = 0.7         # the cold table is doubled before it is fuller than this (linear
                        # probing: a miss takes about 2.5 probes at half full, 6 at 0.7)


class CompactStore(StateStore):
    """The states of a search whose states are ints of at most 64 bits, compactly
    (module docstring): 8 bytes a state in `states` (an array), 4 in `parents`, and the
    seen set in two parts:
    - `hot`: a Python set of the recent states: once the table is in use, those of the
      level being generated (and the state 0, which the table cannot hold);
    - the cold table: every older state, in an open-addressing hash table (linear probing)
      over an array of 64-bit slots, 0 meaning empty: `table`, `mask`, `shift`
      (the slot of state s is ((s * COLD_MIX) mod 2**64) >> shift, the next ones after it).
    `retire(lo)`, at a level's start, moves the states below id `lo` from the hot set to the
    table, once `compact_from` states are stored (before that everything stays hot: small
    searches do not pay the table's cost). It is exact: every state kept whole, no
    fingerprint, the same states in the same order as a StateStore. `seen` answers for
    both parts (the general loop's `in`); generated expanders probe them inline."""

    __slots__ = ("hot", "table", "mask", "shift", "cold", "retired", "compact_from")

    def __init__(self, compact_from: int = 0):
        super().__init__(graph=False)
        self.states = array("Q")                # type: ignore[assignment]
        self.hot: set[State] = set()
        self.seen = _Seen(self)
        self.compact_from = compact_from
        self.cold = 0           # states in the table
        self.retired = 0        # states below this id are in the table (or are the state 0)
        self._size(0)

    def _size(self, bits: int) -> None:
        self.table = array("Q", bytes(8 << bits))
        self.mask = (1 << bits) - 1
        self.shift = 64 - bits

    def add(self, state: State, parent: int) -> int:
        j = len(self.states)
        self.hot.add(state)
        self.states.append(state)
        self.parents.append(parent)
        return j

    def undo(self, lo: int, mark: Mark) -> None:
        # the states since a mark are those of the level being expanded: all hot
        for s in self.states[mark.states:]:
            self.hot.discard(s)
        del self.states[mark.states:]
        del self.parents[mark.states:]

    def in_cold(self, s: int) -> bool:
        table, mask = self.table, self.mask
        h = ((s * COLD_MIX) & _M64) >> self.shift
        x = table[h]
        while x:
            if x == s:
                return True
            h = (h + 1) & mask
            x = table[h]
        return False

    def retire(self, lo: int) -> None:
        """Move the states with ids below `lo` (every level up to the one about to be
        expanded) from the hot set to the table, if the store is large enough to pay. The
        hot set then holds the new states only; the level's self-loops are recognised
        without a probe (the generated expander tests `w != s` first)."""
        if lo <= self.retired or len(self.states) < self.compact_from:
            return
        view = memoryview(cast("array[int]", self.states))      # no copy (slices of an array copy)
        try:
            moving = view[self.retired:lo]
            zero = 0 in moving
            need = self.cold + len(moving) - zero
            bits = self.mask.bit_length()
            while need > _MAX_LOAD * (1 << bits):
                bits += 1
            if bits != self.mask.bit_length():
                # a larger table, filled again from the states (the old one freed first: the
                # two are never held at once)
                del self.table
                self._size(bits)
                self._insert(view[:lo])
            else:
                self._insert(moving)
            # the hot set emptied of them in place: no second set at the largest level
            self.hot.difference_update(moving)
            if zero:
                self.hot.add(0)
            del moving
        finally:
            view.release()
        self.cold = need
        self.retired = lo

    def _insert(self, states: Iterable[Any]) -> None:
        table, mask, shift = self.table, self.mask, self.shift
        for s in states:
            if s:       # the state 0 stays hot
                h = ((s * COLD_MIX) & _M64) >> shift
                while table[h]:
                    h = (h + 1) & mask
                table[h] = s


class _Seen:
    """A CompactStore's seen set as the general loop and the search's initial level use it:
    `in` looks in both parts; `add`, `discard` change the hot one (new states are hot)."""

    __slots__ = ("store",)

    def __init__(self, store: CompactStore):
        self.store = store

    def __contains__(self, s: object) -> bool:
        store = self.store
        return s in store.hot or (store.cold > 0 and store.in_cold(s))  # type: ignore[arg-type]

    def add(self, s: State) -> None:
        self.store.hot.add(s)

    def discard(self, s: State) -> None:
        self.store.hot.discard(s)


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


Outbox = tuple[list[State], list[State], list[int], Any]   # states, parent states, actions, keys (an array)


class RoutedStore:
    """One chunk of a worker's frontier and the new states it produced (module docstring).

    states: the chunk's states (ids 0..len-1), then the new states this worker owns;
    bases: the base key of each chunk state (its rank in the level, shifted: engine/worker.py);
    parents, actions, keys: the parent state, the action index and the key of each new owned
    state; seen: the worker's seen set (the states it owns, and those it sent to their owners);
    outbox[k]: the new states worker k owns, with their parents, actions and keys."""

    __slots__ = ("states", "bases", "parents", "actions", "keys", "seen", "outbox", "me", "workers",
                 "start")

    def __init__(self, chunk: list[State], bases: Any, seen: set[State], outbox: list[Outbox],
                 me: int, workers: int, keys: Any):
        self.states = list(chunk)
        self.bases = bases
        self.start = len(chunk)
        self.parents: list[State] = []
        self.actions: list[int] = []
        self.keys = keys
        self.seen = seen
        self.outbox = outbox
        self.me, self.workers = me, workers

    def new_states(self) -> list[State]:
        return self.states[self.start:]

    def mark(self) -> tuple[int, ...]:
        return (len(self.states), *(len(ts) for ts, _, _, _ in self.outbox))

    def undo(self, mark: tuple[int, ...]) -> None:
        """Forget the states produced since `mark` (seen-set entries included)."""
        for t in self.states[mark[0]:]:
            self.seen.discard(t)
        del self.states[mark[0]:]
        n = mark[0] - self.start
        del self.parents[n:], self.actions[n:], self.keys[n:]
        for (ts, ps, acs, ks), m in zip(self.outbox, mark[1:]):
            for t in ts[m:]:
                self.seen.discard(t)
            del ts[m:], ps[m:], acs[m:], ks[m:]
