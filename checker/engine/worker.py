"""A worker of the partitioned search, and the messages it exchanges (engine/parallel.py).

Input: messages from the coordinator (`Init` or `Restore`, `Level`, `Snapshot`, `ParentOf`,
`NthNew`, `Truncate`, `MemoryUse`, `Quit`), the successors other workers send it (`Batch`)
and their part of the next level's order (`Ranking`). Output: one reply per message
(`Ack`, `LevelReport`, `Owned`, `Parent`, `Key`, `Truncated`, `Memory`), or `Crashed` /
`NoSymmetry` when it cannot go on.

Worker k owns the states s with `owner(s) == k` (engine/fastpath.py): it alone stores
them, checks them, remembers their parents and expands them. Per level it expands its part
of the frontier (with the model's generated expander in ROUTE mode when it has one, else
the general loop of engine/expansion.py), keeps the successors it owns and sends the others
to their owners once each: it remembers every state it has sent, so a state another worker
owns costs one message at most per worker. Then it stores what it received and reports
the level.

The order of a level is one process's (engine/bfs.py, ADR 0060). One process stores a
level's new states in the order of (the position of the parent in its level, the index of
the transition among the parent's successors) of the transition that first reached them.
So every state of the frontier knows its rank (its position in one process's order of its
level), and every successor candidate carries the key `rank << KEY_SHIFT | 2 * index + 1`;
an event on the transition itself (an action property violated) has the key one less, a
deadlock of the state the key `rank << KEY_SHIFT`: keys order all the events of a level as
one process meets them. The owner of a state keeps the candidate with the least key (its
parent, its action: the "new state" is that action's), sorts its part of the next level by
key, and the workers exchange their sorted keys (`Ranking`) so that each learns the rank
of its states in the next level: the number of keys, over all workers, below each. The
coordinator merges the findings by key (the first of each property is one process's), and
a search that stops in the middle of a level (a state cap, a violation) asks the workers
for the counts up to the key where one process stops (`NthNew`, `Truncate`).

The worker's logic (`Worker.handle`) knows nothing of processes: the transport is the
caller's (a pipe to the coordinator, `Exchange` between workers), so another transport
(a distributed engine's actors) can carry the same messages.
"""
from __future__ import annotations

import os
import signal
import sys
import traceback
from dataclasses import dataclass, field
from array import array
from bisect import bisect_left, bisect_right
from itertools import chain, compress
from operator import itemgetter
from multiprocessing.connection import Connection
from time import perf_counter
from typing import Any, Protocol, Sequence

from checker.engine import budget, expansion
from checker.engine.fastpath import ExpansionPlan, Mode, RoutingExpander, owner
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.options import CheckOptions
from checker.engine.store import Counters, Outbox, RoutedStore
from checker.engine.symmetry import NoReduction

CHUNK = 2048        # frontier states between two looks at the clock in a worker
OUT_OF_MEMORY = 3   # a worker's exit code when it ran out of memory
# The keys of a level's events (module docstring): the rank of the state expanded, shifted
# past room for 2**32 successors of one state, then twice the successor's index (plus one
# for the successor as a new state).
KEY_SHIFT = 33


def base_of(rank: int) -> int:
    """The key of the state of rank `rank` in its level (the key of its deadlock)."""
    return rank << KEY_SHIFT


def event_of(key: int) -> tuple[int, int]:
    """The (rank of the state expanded, index of its transition) that key `key` is on."""
    return key >> KEY_SHIFT, (key & ((1 << KEY_SHIFT) - 1)) >> 1


def keys_of(values: Any = ()) -> array[int]:
    """Keys (and base keys) are kept in arrays of 64-bit ints: 8 bytes each, not a Python
    int's 32, and they pickle as bytes between workers (ranks stay below 2**30)."""
    return array("q", values)


def _empty() -> Outbox:
    return [], [], [], keys_of()


def _pick(values: Any, order: list[int]) -> list[Any]:
    """values[i] for i in order (at C speed)."""
    if len(order) > 1:
        return list(itemgetter(*order)(values))
    return [values[i] for i in order]


# ---------------------------------------------------------------- the messages

@dataclass(frozen=True, slots=True)
class Init:
    """The initial states this worker owns (already stored and checked by the coordinator),
    with their ranks among all initial states."""

    states: list[State]
    ranks: list[int]


@dataclass(frozen=True, slots=True)
class Level:
    """Expand your part of the frontier. `decided`: the property keys already decided (their
    violations are no longer reported); `last`: the level at --max-depth (new successors are
    counted as cut, not stored); `pending`: the premises still to observe."""

    decided: frozenset[int]
    deadline: float | None
    last: bool
    pending: frozenset[int]


@dataclass(frozen=True, slots=True)
class Restore:
    """Go on from a checkpoint: the states this worker owns with their parents (None for an
    initial state), and its part of the frontier, in order, with the ranks of its states in
    the whole frontier (engine/checkpoint.py)."""

    parents: dict[State, State | None]
    frontier: list[State]
    ranks: list[int]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Between two levels: send your states for a checkpoint (`Owned`); `before`: as they
    were before the last level (the search ends: its new states are dropped)."""

    before: bool = False


@dataclass(frozen=True, slots=True)
class Owned:
    """A worker's part of a checkpoint: its states with their parents, its frontier and the
    ranks of its states in the whole frontier."""

    parents: dict[State, State | None]
    frontier: list[State]
    ranks: list[int]


@dataclass(frozen=True, slots=True)
class ParentOf:
    state: State


@dataclass(frozen=True, slots=True)
class NthNew:
    """After a level: the key of the new state of rank `rank` in the next level, if you own it."""

    rank: int


@dataclass(frozen=True, slots=True)
class FirstCut:
    """After the last level (--max-depth): the least key above `after` of a transition to a
    state not stored (a cut) that you own."""

    after: int


@dataclass(frozen=True, slots=True)
class Key:
    key: int | None


@dataclass(frozen=True, slots=True)
class Truncate:
    """After a level that one process ends in its middle: your counts up to key `at` (the
    transitions of the states of rank below `at`'s, and of its own up to its transition) and
    your new states with a key up to `through`."""

    at: int
    through: int


@dataclass(frozen=True, slots=True)
class Truncated:
    new: int
    generated: list[int]
    distinct: list[int]


@dataclass(frozen=True, slots=True)
class MemoryUse:
    pass


@dataclass(frozen=True, slots=True)
class Quit:
    pass


@dataclass(frozen=True, slots=True)
class Ack:
    pass


@dataclass(frozen=True, slots=True)
class WorkerFinding:
    """A property decided in a worker: `key` (a property index, or the deadlock key) at
    `state` (or on the step from it by `label` to `nxt`); `at`: the event's key in the
    level's order (module docstring)."""

    key: int
    state: State
    label: Label | None
    nxt: State
    violation: bool
    at: int


@dataclass(frozen=True, slots=True)
class WorkerFailure:
    """A run-time error in a worker, at `state` (or on its step by `label` to `nxt`)."""

    message: str
    origin: Any
    state: State
    label: Label | None = None
    nxt: State = None


@dataclass(frozen=True, slots=True)
class LevelReport:
    """One level of one worker: `new` states it stored (on the last level, the states it
    owns that are cut), the transitions generated and the new states per action, its
    findings, its run-time error, the limit it stopped at, the premises it saw true / failed
    on; on the last level, `cut`: the ranks of the states with a successor it owns that is
    cut."""

    new: int
    generated: list[int]
    distinct: list[int]
    found: list[WorkerFinding]
    failure: WorkerFailure | None
    limit: str | None
    premises_seen: list[int] = field(default_factory=list)
    premises_failed: list[int] = field(default_factory=list)
    cut: Any = ()


@dataclass(frozen=True, slots=True)
class Parent:
    state: State | None


@dataclass(frozen=True, slots=True)
class Memory:
    peak_rss_bytes: int


@dataclass(frozen=True, slots=True)
class Crashed:
    traceback: str


@dataclass(frozen=True, slots=True)
class NoSymmetry:
    """Symmetry reduction does not pay (engine/symmetry.py): the search starts again without."""

    why: str


@dataclass(frozen=True, slots=True)
class Batch:
    """A worker's new successors owned by the receiver, with their parents, actions and keys
    (in key order)."""

    sender: int
    states: list[State]
    parents: list[State]
    actions: list[int]
    keys: array[int]


@dataclass(frozen=True, slots=True)
class Ranking:
    """The sorted keys of the sender's part of the next level."""

    sender: int
    keys: array[int]


Message = Batch | Ranking


class Exchange(Protocol):
    """How the workers pass successors to their owners, and then their keys, once per level."""

    def send(self, worker: int, batch: Message) -> None: ...

    def receive(self, count: int) -> list[Message]: ...


class QueueExchange:
    """The exchange between forked processes: one multiprocessing queue per worker."""

    def __init__(self, inboxes: list[Any], me: int):       # multiprocessing queues
        self.inboxes, self.me = inboxes, me

    def send(self, worker: int, batch: Message) -> None:
        self.inboxes[worker].put(batch)

    def receive(self, count: int) -> list[Message]:
        return [self.inboxes[self.me].get() for _ in range(count)]


class _Failed(Exception):
    """A ModelError in a worker: recorded in `failure`; the level ends early."""


# ---------------------------------------------------------------- the worker

class Worker:
    """One worker's states and its handling of the coordinator's messages."""

    def __init__(self, me: int, workers: int, model: Model, options: CheckOptions,
                 exchange: Exchange):
        self.me, self.workers = me, workers
        self.model, self.options = model, options
        self.exchange = exchange
        self.kinds = tuple(p.kind for p in model.properties)
        self.state_properties = any(k != "action" for k in self.kinds)
        self.check_deadlock = (options.check_deadlock if options.check_deadlock is not None
                               else model.check_deadlock)
        self.deadlock_key = len(self.kinds)
        self.canon = model.symmetry.canonical if model.symmetry is not None else None
        self.parent: dict[State, State | None] = {}     # owned states -> parent state
        self.seen: set[State] = set()       # owned states, and those sent to their owners
        self.edges = None                   # (the expansion core's host records no edges)
        self.at = 0
        self.step = 0                       # set by the expansion core (engine/expansion.py)
        self.frontier: list[State] = []
        self.bases = keys_of()              # the base key of each frontier state (its rank)
        self.decided: frozenset[int] = frozenset()
        self.last = False
        # premises (engine/observe.py): the coordinator says which are still unseen; this
        # worker observes them on its transitions and on the states it owns
        self.observers = model.observers() if model.premises else None
        self.observe_s: Any = None
        self.observe_t: Any = None
        self.counters = Counters(len(model.actions))
        self.found: list[WorkerFinding] = []
        self.failure: WorkerFailure | None = None
        self.props: list[int] = []
        # this level's new states this worker owns, and per other worker those it owns
        # (states, parent states, actions, keys: in key order)
        self.own: Outbox = _empty()
        self.outbox: list[Outbox] = []
        self.chunk_bases = keys_of()
        # the level expanded last, kept until the next one for `Truncate`: its states and
        # their base keys, the generated counts after each chunk, and the keys and actions
        # of the new states it gave this worker
        self.expanded: tuple[list[State], array[int]] = ([], keys_of())
        self.marks: list[tuple[int, list[int]]] = []
        self.level_keys = keys_of()
        self.level_actions: list[int] = []
        self.cut_keys = keys_of()           # the last level: the keys of its cuts, sorted
        self.stash: list[Message] = []      # a peer's message of the other exchange round

    def handle(self, msg: object) -> object | None:
        """The reply to one message (None for Quit)."""
        if isinstance(msg, Level):
            self.observe(msg.pending)
            return self.level(msg.decided, msg.deadline, msg.last)
        if isinstance(msg, ParentOf):
            return Parent(self.parent[msg.state])
        if isinstance(msg, NthNew):
            return Key(self.nth_new(msg.rank))
        if isinstance(msg, FirstCut):
            i = bisect_right(self.cut_keys, msg.after)
            return Key(self.cut_keys[i] if i < len(self.cut_keys) else None)
        if isinstance(msg, Truncate):
            return self.truncate(msg.at, msg.through)
        if isinstance(msg, Init):
            for st in msg.states:
                self.parent[st] = None
                self.seen.add(st)
            self.frontier = list(msg.states)
            self.bases = keys_of(base_of(r) for r in msg.ranks)
            return Ack()
        if isinstance(msg, Restore):
            self.parent.update(msg.parents)
            self.seen.update(msg.parents)
            self.frontier = list(msg.frontier)
            self.bases = keys_of(base_of(r) for r in msg.ranks)
            return Ack()
        if isinstance(msg, Snapshot):
            if msg.before:
                for t in self.frontier:
                    del self.parent[t]
                self.frontier, self.bases = self.expanded
                self.expanded = ([], keys_of())
            return Owned(self.parent, self.frontier, [b >> KEY_SHIFT for b in self.bases])
        if isinstance(msg, MemoryUse):
            return Memory(budget.peak_rss_bytes())
        if isinstance(msg, Quit):
            return None
        raise TypeError(f"a search worker got an unknown message: {msg!r}")

    def observe(self, pending: frozenset[int]) -> None:
        """Observe exactly these premises from now on (the coordinator's pending set)."""
        if self.observers is None:
            return
        self.observers.install(pending)
        self.observe_s, self.observe_t = self.observers.state, self.observers.transition

    def observed(self) -> tuple[list[int], list[int]]:
        if self.observers is None:
            return [], []
        return ([i for i, v in enumerate(self.observers.seen) if v],
                [i for i, v in enumerate(self.observers.failed) if v])

    # ---- one level

    def level(self, decided: frozenset[int], deadline: float | None, last: bool = False) -> LevelReport:
        """Expand this worker's part of the frontier, in rank order. With `last` (the level
        at --max-depth), a new successor is not stored but counted as a cut (bfs.py)."""
        self.decided = decided
        self.last = last
        self.counters = Counters(len(self.model.actions))
        self.found = []
        self.failure = None
        self.props = [i for i, k in enumerate(self.kinds) if k != "action" and i not in decided]
        self.own = _empty()
        self.outbox = [_empty() for _ in range(self.workers)]
        limit = None
        frontier, bases = self.frontier, self.bases
        self.frontier, self.bases = [], keys_of()
        self.expanded, self.marks = (frontier, bases), []
        self.level_keys, self.level_actions = keys_of(), []     # the last level's, no longer needed
        try:
            for lo in range(0, len(frontier), CHUNK):
                if deadline is not None and perf_counter() >= deadline:
                    limit = f"timeout {self.options.timeout:g}s"
                    break
                self.chunk(frontier[lo:lo + CHUNK], bases[lo:lo + CHUNK])
                self.marks.append((min(lo + CHUNK, len(frontier)), list(self.counters.generated)))
        except _Failed:
            pass
        if last:
            return self.cut(limit)
        ts, ps, acts, keys = self.candidates(self.exchange_level())
        try:
            self.accept(ts, ps, acts, keys)
        except _Failed:
            pass
        # every worker takes part in the ranking, even after a failure: its peers wait
        self.frontier, self.bases = ts, self.ranking(keys)
        self.level_keys, self.level_actions = keys, acts
        seen_premises, failed_premises = self.observed()
        return LevelReport(len(ts), self.counters.generated, self.counters.distinct, self.found,
                           self.failure, limit, seen_premises, failed_premises)

    def cut(self, limit: str | None) -> LevelReport:
        """The end of the last level (--max-depth): of every transition (not only the first
        one) to a state not seen, sent to the state's owner, the ones this worker owns are
        cuts; their keys are kept (`FirstCut`), and the ranks of their states reported (one
        process counts the states with a cut, bfs.py)."""
        batches = self.exchange_level()
        ts, _, _, keys = self.own
        self.own = _empty()
        seen = self.seen
        cuts = keys_of(compress(keys, [t not in seen for t in ts]))
        for b in batches:
            cuts += keys_of(compress(b.keys, [t not in seen for t in b.states]))
        self.cut_keys = keys_of(sorted(cuts))
        self.level_keys, self.level_actions = keys_of(), []
        new = len(set(chain(ts, *(b.states for b in batches))) - seen)
        seen_premises, failed_premises = self.observed()
        return LevelReport(new, self.counters.generated, self.counters.distinct, self.found, self.failure,
                           limit, seen_premises, failed_premises,
                           keys_of(sorted({k >> KEY_SHIFT for k in self.cut_keys})))

    def exchange_level(self) -> list[Batch]:
        """Send each worker what it owns of this level's successors; receive ours."""
        for k in range(self.workers):
            if k != self.me:
                self.exchange.send(k, Batch(self.me, *self.outbox[k]))
        self.outbox = []
        return self.receive(Batch)      # type: ignore[return-value]

    def receive(self, kind: type) -> list[Message]:
        """One message of `kind` from every other worker, in worker order. A peer that is
        already in the next round of the exchange may have sent its message of that round:
        it waits in the stash."""
        got = [m for m in self.stash if isinstance(m, kind)]
        self.stash = [m for m in self.stash if not isinstance(m, kind)]
        while len(got) < self.workers - 1:
            for m in self.exchange.receive(1):
                (got if isinstance(m, kind) else self.stash).append(m)
        return sorted(got, key=lambda m: m.sender)

    def candidates(self, batches: list[Batch]) -> Outbox:
        """This level's new states this worker owns, each with the parent, action and key of
        its least key, sorted by key. Its own candidates are all new; of those its peers
        sent, the ones not in its seen set are new, and the others are either stored from
        an earlier level (no candidates) or candidates of this level too (a second way to
        them: the least key keeps the state)."""
        ts, ps, acts, keys = self.own
        self.own = _empty()
        seen = self.seen
        runs = 1
        again: list[tuple[Batch, list[bool]]] = []
        for b in batches:
            if not b.states:
                continue
            runs += 1
            known = [t in seen for t in b.states]
            fresh = [not k for k in known]
            new = list(compress(b.states, fresh))
            seen.update(new)
            ts += new
            ps += compress(b.parents, fresh)
            acts += compress(b.actions, fresh)
            keys += keys_of(compress(b.keys, fresh))
            if len(new) < len(known):
                again.append((b, known))
        if runs == 1:
            return ts, ps, acts, keys       # its own only: in key order already
        distinct = len(ts)
        if again:
            # the second ways to this level's states go in too; sorting by key and keeping
            # the first of each state below leaves the least key (all at C speed: a level
            # can hold as many second ways as states)
            stored = self.parent        # the states stored in earlier levels (no candidates)
            for b, known in again:
                also = [t not in stored for t in compress(b.states, known)]
                more = list(compress(compress(range(len(known)), known), also))
                ts += _pick(b.states, more)
                ps += _pick(b.parents, more)
                acts += _pick(b.actions, more)
                keys += keys_of(_pick(b.keys, more))
        order = sorted(range(len(keys)), key=keys.__getitem__)
        if len(ts) > distinct:
            in_order = _pick(ts, order)
            first = dict(zip(reversed(in_order), range(len(in_order) - 1, -1, -1)))
            order = _pick(order, sorted(first.values()))
        return _pick(ts, order), _pick(ps, order), _pick(acts, order), keys_of(_pick(keys, order))

    def ranking(self, keys: array[int]) -> array[int]:
        """The base keys of this worker's part of the next level (sorted `keys`): its rank
        is the number of keys below it over all workers."""
        for k in range(self.workers):
            if k != self.me:
                self.exchange.send(k, Ranking(self.me, keys))
        theirs = [m.keys for m in self.receive(Ranking) if isinstance(m, Ranking) and m.keys]
        if len(theirs) == 1:        # two workers (no list of all the level's keys is built)
            other = theirs[0]
            return keys_of((i + bisect_left(other, k)) << KEY_SHIFT for i, k in enumerate(keys))
        ranks = keys_of(range(len(keys)))
        for other in theirs:
            ranks = keys_of(r + bisect_left(other, k) for r, k in zip(ranks, keys))
        return keys_of(r << KEY_SHIFT for r in ranks)

    def accept(self, ts: list[State], ps: list[State], acts: Sequence[int], keys: array[int]) -> None:
        """States this worker owns, reached for the first time in this level (already in
        `seen`), in key order: store their parents, count them, check them (all at C speed
        but the check)."""
        self.parent.update(zip(ts, ps))
        distinct = self.counters.distinct
        for a in acts:
            distinct[a] += 1
        if self.observe_s is not None:
            for t in ts:
                self.observe_s(t)
        if not ts or not self.state_properties:
            return
        # every state property is evaluated, decided or not (a run-time error in a decided
        # one is still an event: docs/language.md); the generated scan finds the states
        # that need a closer look, check_state then says what they violate or where it fails
        fast = self.model.fast_path
        batch = fast.state_scanner(tuple(self.props)) if fast is not None else None
        j = 0
        while j < len(ts):
            if batch is not None:
                try:
                    j = batch(ts, j)
                except ModelError:
                    batch = None        # state by state from j: check_state meets the failure
                    continue
                if j < 0:
                    return
            t = ts[j]
            try:
                bad = self.model.check_state(t)
            except ModelError as e:
                self.fail(e, t)
            for i in bad:
                if i not in self.decided:
                    self.found.append(WorkerFinding(i, t, None, None, self.kinds[i] == "invariant", keys[j]))
            j += 1

    def fail(self, error: ModelError, state: State, label: Label | None = None, nxt: State = None) -> None:
        self.failure = WorkerFailure(error.message, error.origin, state, label, nxt)
        raise _Failed

    def chunk(self, states: list[State], bases: array[int]) -> None:
        """Expand some frontier states (their base keys `bases`): with the generated
        expander in ROUTE mode (own successors kept, others queued for their owners, in one
        pass); on an event, or for a model without one, with the general loop."""
        # the last level goes through the general loop: it reports every transition to a
        # state not seen, where the generated expander reports the first to each
        fast = self.expander() if not self.last else None
        if fast is not None:
            store = RoutedStore(states, bases, self.seen, self.outbox, self.me, self.workers, keys_of())
            counters = Counters(len(self.model.actions))
            mark = store.mark()
            if expansion.try_fast(lambda: fast(store, 0, len(states), counters),
                                  lambda: store.undo(mark)):
                self.counters.add(counters)
                ts, ps, acts, keys = self.own
                ts += store.new_states()
                ps += store.parents
                acts += store.actions
                keys += store.keys
                return
        deadlock = self.check_deadlock and self.deadlock_key not in self.decided
        self.chunk_bases = bases
        expansion.expand(self.model, self, states, 0, len(states), self.counters, self.canon,
                         deadlock, observe=self.observe_t, numbered=True)

    def expander(self) -> RoutingExpander | None:
        """The generated expander, without state checks: most new states it finds belong
        to other workers, which check them (accept) once they own them."""
        fast = self.model.fast_path
        if fast is None:
            return None
        transition = tuple(i for i, k in enumerate(self.kinds) if k == "action" and i not in self.decided)
        deadlock = self.check_deadlock and self.deadlock_key not in self.decided
        # states are observed when their owner accepts them; transitions where generated
        steps = self.observers is not None and any(p.step for p in self.model.premises)
        plan = ExpansionPlan(Mode.ROUTE, (), transition, deadlock, self.canon is not None,
                             False, steps)
        return fast.router(plan)

    # ---- after a level that one process ends in its middle

    def nth_new(self, rank: int) -> int | None:
        """The key of this worker's new state of rank `rank` in the next level (None: another
        worker owns it)."""
        i = bisect_left(self.bases, base_of(rank))
        return self.level_keys[i] if i < len(self.bases) and self.bases[i] == base_of(rank) else None

    def truncate(self, at: int, through: int) -> Truncated:
        """The counts of the level up to key `at` (one process stops there) and the new states
        up to key `through`: the generated counts after the last chunk wholly before `at`'s
        state, plus the transitions counted again from there (a chunk at most)."""
        rank, step = event_of(at)
        states, bases = self.expanded
        stop = bisect_left(bases, base_of(rank))       # this worker's states before it
        start, generated = 0, [0] * len(self.model.actions)
        for end, counts in self.marks:
            if end > stop:
                break
            start, generated = end, list(counts)
        self.recount(states[start:stop], generated)
        if stop < len(bases) and bases[stop] == base_of(rank):
            self.recount(states[stop:stop + 1], generated, step)
        n = bisect_right(self.level_keys, through)
        distinct = [0] * len(self.model.actions)
        for a in self.level_actions[:n]:
            distinct[a] += 1
        return Truncated(n, generated, distinct)

    def recount(self, states: list[State], generated: list[int], step: int | None = None) -> None:
        """Count the transitions of `states` again (of the last one, those up to index
        `step`): the same successors the level counted, without their effects."""
        within = self.model.within_constraint if self.model.has_constraint else None
        for s in states:
            if within is not None and not within(s):
                continue
            for j, (label, _) in enumerate(self.model.successors(s)):
                if step is not None and j > step:
                    break
                generated[label[0]] += 1

    # ---- the expansion core's host (engine/expansion.py)

    def new_state(self, i: int, s: State, label: Label, t: State) -> int | None:
        k = owner(t, self.workers)
        if not self.last:
            self.seen.add(t)
        ts, ps, acs, keys = self.own if k == self.me else self.outbox[k]
        ts.append(t)
        ps.append(s)
        acs.append(label[0])
        keys.append(self.chunk_bases[i] + 2 * self.step + 1)
        return None

    def violates(self, i: int, s: State, label: Label, t: State, indices: Sequence[int]) -> None:
        at = self.chunk_bases[i] + 2 * self.step
        for key in indices:
            if key not in self.decided:
                self.found.append(WorkerFinding(key, s, label, t, True, at))

    def deadlock(self, i: int, s: State) -> None:
        if not self.model.is_terminal(s):
            self.found.append(WorkerFinding(self.deadlock_key, s, None, None, True, self.chunk_bases[i]))

    def failed(self, error: ModelError, i: int, s: State, label: Label | None = None,
               t: State = None) -> None:
        self.fail(error, s, label, t)


# ---------------------------------------------------------------- the process

def tie_to_coordinator(coordinator: int) -> None:
    """A worker ends with its coordinator, however that ends (even by SIGKILL): Linux sends
    it SIGKILL then (PR_SET_PDEATHSIG). Ctrl-C is the coordinator's to handle: a worker
    ignores SIGINT (no worker tracebacks), and the coordinator kills it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    budget.in_forked_child()
    if sys.platform.startswith("linux"):
        try:
            import ctypes       # only here: the one use, on Linux
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != coordinator:     # it ended before the line above took effect
        os._exit(1)


def worker_main(me: int, workers: int, model: Model, options: CheckOptions, inboxes: list[Any],
                conn: Connection, coordinator: int | None = None) -> None:
    """A forked worker process: serve the coordinator's messages on `conn` until Quit."""
    tie_to_coordinator(coordinator if coordinator is not None else os.getppid())
    try:
        worker = Worker(me, workers, model, options, QueueExchange(inboxes, me))
        while True:
            reply = worker.handle(conn.recv())
            if reply is None:
                return
            conn.send(reply)
    except MemoryError:     # a limit, not a bug: the coordinator reports the worker's end
        os._exit(OUT_OF_MEMORY)
    except NoReduction as e:
        conn.send(NoSymmetry(str(e)))
    except Exception:       # noqa: BLE001 - report, then end: the coordinator raises it
        try:
            conn.send(Crashed(traceback.format_exc()))
        except Exception:   # noqa: BLE001
            pass
    finally:
        sys.stdout.flush()
