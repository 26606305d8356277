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
- `FingerprintStore` (`--fingerprints`): a StateStore for int states wider than 64 bits
  that keeps the level being expanded and the next one whole and every older state as its
  64-bit fingerprint (TLC's way): about 24 bytes a state, not exact (a collision leaves a
  state out; `collision_bound` says how likely), traces rebuilt by replay (ADR 0033).
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
from hashlib import blake2b
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, cast

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


class _TwoPartStore(StateStore):
    """A StateStore whose seen set has two parts: `hot`, a Python set of the recent states,
    and a table of the older ones (an open-addressing hash table with linear probing over
    an array of 64-bit slots, 0 meaning empty: `table`, `mask`, `shift`, `cold` entries),
    which `knows` answers for; `retired`: the states below this id are in the table. New
    states go to the hot set; `seen` answers for both parts."""

    __slots__ = ("hot", "table", "mask", "shift", "cold", "retired")

    def __init__(self, bits: int) -> None:
        super().__init__(graph=False)
        self.hot: set[State] = set()
        self.seen = _Seen(self)
        self.cold = 0
        self.retired = 0
        self._size(bits)

    def _size(self, bits: int) -> None:
        self.table = array("Q", bytes(8 << bits))
        self.mask = (1 << bits) - 1
        self.shift = 64 - bits

    def _fill(self, need: int, new: Iterable[Any], every: Iterable[Any]) -> None:
        """Enter `new` into the table, which then holds `need` entries; if that would make
        it fuller than _MAX_LOAD, a larger table is built from `every` entry instead (the
        old one freed first: the two are never held at once)."""
        bits = self.mask.bit_length()
        while need > _MAX_LOAD * (1 << bits):
            bits += 1
        if bits != self.mask.bit_length():
            del self.table
            self._size(bits)
            self._insert(every)
        else:
            self._insert(new)
        self.cold = need

    def _insert(self, entries: Iterable[Any]) -> None:
        """Put `entries` into the table (each store its own slot function, inline)."""
        raise NotImplementedError

    def add(self, state: State, parent: int) -> int:
        j = len(self.states)
        self.hot.add(state)
        self.states.append(state)
        self.parents.append(parent)
        return j

    def knows(self, s: State) -> bool:
        """Is `s` in the table?"""
        raise NotImplementedError

    def _probe(self, x: int, h: int) -> bool:
        """Is the entry `x` in the table, looking from slot `h` on (linear probing)?"""
        table, mask = self.table, self.mask
        v = table[h]
        while v:
            if v == x:
                return True
            h = (h + 1) & mask
            v = table[h]
        return False


class CompactStore(_TwoPartStore):
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

    __slots__ = ("compact_from",)

    def __init__(self, compact_from: int = 0):
        super().__init__(0)
        self.states = array("Q")                # type: ignore[assignment]
        self.compact_from = compact_from        # (the state 0, which the table cannot hold, stays hot)

    def undo(self, lo: int, mark: Mark) -> None:
        # the states since a mark are those of the level being expanded: all hot
        for s in self.states[mark.states:]:
            self.hot.discard(s)
        del self.states[mark.states:]
        del self.parents[mark.states:]

    def knows(self, s: State) -> bool:
        return self.in_cold(cast(int, s))

    def in_cold(self, s: int) -> bool:
        return self._probe(s, ((s * COLD_MIX) & _M64) >> self.shift)

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
            self._fill(self.cold + len(moving) - zero, moving, view[:lo])
            # the hot set emptied of them in place: no second set at the largest level
            self.hot.difference_update(moving)
            if zero:
                self.hot.add(0)
            del moving
        finally:
            view.release()
        self.retired = lo

    def _insert(self, states: Iterable[Any]) -> None:
        table, mask, shift = self.table, self.mask, self.shift
        for s in states:
            if s:       # the state 0 stays hot
                h = ((s * COLD_MIX) & _M64) >> shift
                while table[h]:
                    h = (h + 1) & mask
                table[h] = s


# Fingerprints (FingerprintStore): 64 bits of BLAKE2b over the state's bytes, keyed so
# that they are kovn's own; deterministic (no PYTHONHASHSEED), and spread however
# regular the states' bits are (hash() of an int, its value modulo 2**61 - 1, is not:
# two fields changed by +1 at bit 61 and -1 at bit 0 give the same value).
_FP_KEY = b"kovn fingerprint"


def fingerprint(state: State) -> int:
    """The 64-bit fingerprint of an int state (never 0: the table's empty slot)."""
    s = cast(int, state)
    data = s.to_bytes((s.bit_length() + 7) // 8 or 1, "little")
    return int.from_bytes(blake2b(data, digest_size=8, key=_FP_KEY).digest(), "little") or 1


class _Window(list[State]):
    """The states a FingerprintStore keeps whole, ids `base` on, read by id like the list
    of every state a StateStore keeps: `len` counts every state stored; indexing an id
    below `base` is an error (only its fingerprint is left). `append` is list's own."""

    __slots__ = ("base",)

    def __init__(self) -> None:
        super().__init__()
        self.base = 0

    def __len__(self) -> int:
        return self.base + list.__len__(self)

    def __getitem__(self, i: Any) -> Any:
        base = self.base
        if isinstance(i, slice):
            lo, hi, _ = i.indices(len(self))
            if lo < base:
                raise IndexError(f"states below id {base:,} are kept as fingerprints only")
            return list.__getitem__(self, slice(lo - base, hi - base))
        if i < 0:
            i += len(self)
        if i < base:
            raise IndexError(f"state {i:,} is kept as a fingerprint only")
        return list.__getitem__(self, i - base)

    def __delitem__(self, i: Any) -> None:
        assert isinstance(i, slice) and i.stop is None and i.start >= self.base, i
        list.__delitem__(self, slice(i.start - self.base, None))

    def __iter__(self) -> Iterator[State]:
        raise TypeError("iterate over ids: the older states are fingerprints only")

    def drop_below(self, lo: int) -> None:
        """Forget the states with ids below `lo` (their fingerprints stay)."""
        if lo > self.base:
            list.__delitem__(self, slice(0, lo - self.base))
            self.base = lo


class FingerprintStore(_TwoPartStore):
    """The states of a search whose states are ints wider than 64 bits, as TLC keeps them
    (`--fingerprints`, docs/adr/0033-compact-store.md): the states of the level being
    expanded and of the next one whole (`states`, a _Window) and hot (in a set, exactly),
    every older one as its 64-bit fingerprint only: in `fps` by id (8 bytes) and in an
    open-addressing table (linear probing, the fingerprint's top bits its slot, 0 an empty
    slot) that answers `seen` for them; the parent ids as in every store. About 24 bytes a state instead of the
    state's own width (hundreds of bytes for a controller spec). Not exact: two states
    with one fingerprint are taken for one, the second never stored; `collision_bound`
    says how likely that is. Traces are rebuilt by replay (`chain`): from the initial
    state with the first fingerprint of the chain, each step the successor (its
    representative, under symmetry) with the next one."""

    __slots__ = ("fps", "level", "model", "canonical")

    def __init__(self, model: Any, canonical: Any = None):
        super().__init__(10)
        self.states = _Window()
        self.fps = array("Q")
        self.model, self.canonical = model, canonical
        # `retired`: the states below it are fingerprints only; from it on, whole and hot
        self.level = 0          # where the level being expanded starts (retire's last `lo`)

    def undo(self, lo: int, mark: Mark) -> None:
        # the states since a mark are those of the level being generated: all whole, all hot
        states = self.states
        for i in range(mark.states, len(states)):
            self.hot.discard(states[i])
        del states[mark.states:]
        del self.parents[mark.states:]

    def knows(self, s: State) -> bool:
        return self.in_cold(fingerprint(s))

    def in_cold(self, f: int) -> bool:
        return self._probe(f, f >> self.shift)     # a fingerprint is spread already

    def retire(self, lo: int) -> None:
        """At the start of the level `level`..lo-1's expansion (`level`: the previous call's
        `lo`): the states before it become fingerprints and are forgotten; the level's own
        stay whole and hot (exact, no fingerprint to compute for the successors that are in
        it: self-loops, diamonds) until the next level starts."""
        level, self.level = self.level, max(self.level, lo)
        if level <= self.retired:
            return
        states = cast(_Window, self.states)
        moving = states[self.retired:level]
        new = [fingerprint(s) for s in moving]
        self.fps.extend(new)
        self._fill(self.cold + len(new), new, self.fps)
        self.hot.difference_update(moving)
        states.drop_below(level)
        self.retired = level

    def _insert(self, fps: Iterable[int]) -> None:
        table, mask, shift = self.table, self.mask, self.shift
        for f in fps:
            h = f >> shift
            while table[h]:
                h = (h + 1) & mask
            table[h] = f

    def collision_bound(self) -> float:
        """An upper bound on the probability that two distinct states the search stored or
        met had one fingerprint (the birthday bound n^2 / 2^65 over the n states stored: a
        new state is lost only when its fingerprint is one already in the table)."""
        n = len(self.states)
        return n * n / 2.0 ** 65

    def chain(self, sid: int) -> list[State]:
        """The states from an initial state to state `sid`: those kept whole as they are,
        the older ones replayed from their fingerprints."""
        ids = []
        while sid >= 0:
            ids.append(sid)
            sid = self.parents[sid]
        ids.reverse()
        base = cast(_Window, self.states).base
        canonical = self.canonical
        out: list[State] = []
        def found(k: int) -> Iterable[State]:
            return self.model.init_states() if k == 0 else (t for _, t in self.model.successors(out[-1]))

        for k, i in enumerate(ids):
            if i < base:
                out.append(self._replayed(found(k), self.fps[i], i))
                continue
            s = self.states[i]      # kept whole: it must follow the last state replayed
            if k and ids[k - 1] < base and s not in {t if canonical is None else canonical(t) for t in found(k)}:
                raise FingerprintCollision(f"the trace to state {i:,} cannot be replayed: the replayed "
                                           "states do not lead to it, so two states shared a fingerprint "
                                           "(run again without --fingerprints)")
            out.append(s)
        return out

    def _replayed(self, candidates: Iterable[State], f: int, i: int) -> State:
        canonical = self.canonical
        for t in candidates:
            c = t if canonical is None else canonical(t)
            if fingerprint(c) == f:
                return c
        raise FingerprintCollision(f"the trace to state {i:,} cannot be replayed: no successor has its "
                                   "fingerprint, so two states shared one (run again without --fingerprints)")


class FingerprintCollision(Exception):
    """A trace a FingerprintStore could not replay: proof of a fingerprint collision."""


class _Seen:
    """A two-part store's seen set as the general loop and the search's initial level use
    it (a CompactStore's generated expanders probe its table inline): `in` looks in both
    parts; `add`, `discard` change the hot one (new states are hot)."""

    __slots__ = ("store",)

    def __init__(self, store: _TwoPartStore):
        self.store = store

    def __contains__(self, s: State) -> bool:
        store = self.store
        return s in store.hot or (store.cold > 0 and store.knows(s))

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
