"""A worker of the partitioned search, and the messages it exchanges (engine/parallel.py).

Input: messages from the coordinator (`Init` or `Restore`, `Level`, `Snapshot`, `ParentOf`,
`MemoryUse`, `Quit`),
the successors other workers send it (`Batch`). Output: one reply per message
(`Ack`, `LevelReport`, `Owned`, `Parent`, `Memory`), or `Crashed` / `NoSymmetry` when it cannot go
on.

Worker k owns the states s with `owner(s) == k` (engine/fastpath.py): it alone stores
them, checks them, remembers their parents and expands them. Per level it expands its part
of the frontier (with the model's generated expander in ROUTE mode when it has one, else
the general loop of engine/expansion.py), keeps the successors it owns and sends the others
to their owners once each: it remembers every state it has sent, so a state another worker
owns costs one message at most per worker. Then it stores what it received (the senders in
worker order, so a run is reproducible) and reports the level.

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


# ---------------------------------------------------------------- the messages

@dataclass(frozen=True, slots=True)
class Init:
    """The initial states this worker owns (already stored and checked by the coordinator)."""

    states: list[State]


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
    initial state), and its part of the frontier, in order (engine/checkpoint.py)."""

    parents: dict[State, State | None]
    frontier: list[State]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Between two levels: send your states for a checkpoint (`Owned`)."""


@dataclass(frozen=True, slots=True)
class Owned:
    """A worker's part of a checkpoint: its states with their parents, its frontier."""

    parents: dict[State, State | None]
    frontier: list[State]


@dataclass(frozen=True, slots=True)
class ParentOf:
    state: State


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
    `state` (or on the step from it by `label` to `nxt`)."""

    key: int
    state: State
    label: Label | None
    nxt: State
    violation: bool


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
    """One level of one worker: `new` states it stored (the cut, on the last level), the
    transitions generated and the new states per action, its findings in its order, its
    run-time error, the limit it stopped at, the premises it saw true / failed on."""

    new: int
    generated: list[int]
    distinct: list[int]
    found: list[WorkerFinding]
    failure: WorkerFailure | None
    limit: str | None
    premises_seen: list[int] = field(default_factory=list)
    premises_failed: list[int] = field(default_factory=list)


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
    """A worker's new successors owned by the receiver, with their parents and actions."""

    sender: int
    states: list[State]
    parents: list[State]
    actions: list[int]


class Exchange(Protocol):
    """How the workers pass successors to their owners, once per level."""

    def send(self, worker: int, batch: Batch) -> None: ...

    def receive(self, count: int) -> list[Batch]: ...


class QueueExchange:
    """The exchange between forked processes: one multiprocessing queue per worker."""

    def __init__(self, inboxes: list[Any], me: int):       # multiprocessing queues
        self.inboxes, self.me = inboxes, me

    def send(self, worker: int, batch: Batch) -> None:
        self.inboxes[worker].put(batch)

    def receive(self, count: int) -> list[Batch]:
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
        self.frontier: list[State] = []
        self.decided: frozenset[int] = frozenset()
        self.last = False
        self.cuts = 0
        # premises (engine/observe.py): the coordinator says which are still unseen; this
        # worker observes them on its transitions and on the states it owns
        self.observers = model.observers() if model.premises else None
        self.observe_s: Any = None
        self.observe_t: Any = None
        self.counters = Counters(len(model.actions))
        self.found: list[WorkerFinding] = []
        self.failure: WorkerFailure | None = None
        self.mine: list[State] = []
        self.props: list[int] = []
        self.outbox: list[Outbox] = []

    def handle(self, msg: object) -> object | None:
        """The reply to one message (None for Quit)."""
        if isinstance(msg, Level):
            self.observe(msg.pending)
            return self.level(msg.decided, msg.deadline, msg.last)
        if isinstance(msg, ParentOf):
            return Parent(self.parent[msg.state])
        if isinstance(msg, Init):
            for st in msg.states:
                self.parent[st] = None
                self.seen.add(st)
            self.frontier = list(msg.states)
            return Ack()
        if isinstance(msg, Restore):
            self.parent.update(msg.parents)
            self.seen.update(msg.parents)
            self.frontier = list(msg.frontier)
            return Ack()
        if isinstance(msg, Snapshot):
            return Owned(self.parent, self.frontier)
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
        """Expand this worker's part of the frontier. With `last` (the level at
        --max-depth), a new successor is not stored but counted as a cut (bfs.py)."""
        self.decided = decided
        self.last = last
        self.cuts = 0
        self.counters = Counters(len(self.model.actions))
        self.found = []
        self.failure = None
        self.mine = []                      # owned, new: the next frontier
        self.props = [i for i, k in enumerate(self.kinds) if k != "action" and i not in decided]
        # per other worker: the states it owns, their parents and actions (flat lists)
        self.outbox = [([], [], []) for _ in range(self.workers)]
        limit = None
        frontier, self.frontier = self.frontier, []
        try:
            for lo in range(0, len(frontier), CHUNK):
                if deadline is not None and perf_counter() >= deadline:
                    limit = f"timeout {self.options.timeout:g}s"
                    break
                self.chunk(frontier[lo:lo + CHUNK])
        except _Failed:
            pass
        ts, ps, acts = self.exchange_level()
        try:
            fresh_t, fresh_p, fresh_a = [], [], []
            seen = self.seen
            for t, p, a in zip(ts, ps, acts):
                if t not in seen:
                    seen.add(t)
                    fresh_t.append(t)
                    fresh_p.append(p)
                    fresh_a.append(a)
            self.accept(fresh_t, fresh_p, fresh_a)
        except _Failed:
            pass
        self.frontier = self.mine
        new = self.cuts if last else len(self.mine)
        seen_premises, failed_premises = self.observed()
        return LevelReport(new, self.counters.generated, self.counters.distinct, self.found,
                           self.failure, limit, seen_premises, failed_premises)

    def exchange_level(self) -> Outbox:
        """Send each worker what it owns of this level's successors; receive ours (in the
        order of the senders)."""
        for k in range(self.workers):
            if k != self.me:
                self.exchange.send(k, Batch(self.me, *self.outbox[k]))
        got = sorted(self.exchange.receive(self.workers - 1), key=lambda b: b.sender)
        ts: list[State] = []
        ps: list[State] = []
        acts: list[int] = []
        for b in got:
            ts += b.states
            ps += b.parents
            acts += b.actions
        return ts, ps, acts

    def accept(self, ts: list[State], ps: list[State], acts: Sequence[int]) -> None:
        """States this worker owns, reached for the first time (already in `seen`): store
        their parents, count them, check them (all at C speed but the check). On the last
        level, only count them: they are the cut."""
        if self.last:
            self.cuts += len(ts)
            return
        self.parent.update(zip(ts, ps))
        self.mine.extend(ts)
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
                    self.found.append(WorkerFinding(i, t, None, None, self.kinds[i] == "invariant"))
            j += 1

    def fail(self, error: ModelError, state: State, label: Label | None = None, nxt: State = None) -> None:
        self.failure = WorkerFailure(error.message, error.origin, state, label, nxt)
        raise _Failed

    def chunk(self, states: list[State]) -> None:
        """Expand some frontier states: with the generated expander in ROUTE mode (own
        successors stored, others queued for their owners, in one pass); on an event, or
        for a model without one, with the general loop."""
        fast = self.expander()
        if fast is not None:
            store = RoutedStore(states, self.seen, self.outbox, self.me, self.workers)
            counters = Counters(len(self.model.actions))
            mark = store.mark()
            if expansion.try_fast(lambda: fast(store, 0, len(states), counters),
                                  lambda: store.undo(mark)):
                self.counters.add(counters)
                self.accept(store.new_states(), store.parents, store.actions)
                return
        deadlock = self.check_deadlock and self.deadlock_key not in self.decided
        expansion.expand(self.model, self, states, 0, len(states), self.counters, self.canon,
                         deadlock, observe=self.observe_t)

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

    # ---- the expansion core's host (engine/expansion.py)

    def new_state(self, i: int, s: State, label: Label, t: State) -> int | None:
        k = owner(t, self.workers)
        self.seen.add(t)
        if k == self.me:
            self.accept([t], [s], [label[0]])
        else:
            ts, ps, acs = self.outbox[k]
            ts.append(t)
            ps.append(s)
            acs.append(label[0])
        return None

    def violates(self, i: int, s: State, label: Label, t: State, indices: Sequence[int]) -> None:
        for key in indices:
            if key not in self.decided:
                self.found.append(WorkerFinding(key, s, label, t, True))

    def deadlock(self, i: int, s: State) -> None:
        if not self.model.is_terminal(s):
            self.found.append(WorkerFinding(self.deadlock_key, s, None, None, True))

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
