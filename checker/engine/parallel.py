"""Breadth-first search by several worker processes on one machine (`check --workers N`).

Input: a Model, CheckOptions, the number of workers, an optional Reporter. Output: the
CheckResult of engine/bfs.py: the same counts, per-action coverage, verdicts and
counterexample traces, also where a limit or a violation ends the search in the middle of
a level (ADR 0060, "The order within a level is one process's").

How: level-synchronous and partitioned by state. Worker k owns the states s with
owner(s) == k (engine/fastpath.py: a hash of the state that does not depend on
PYTHONHASHSEED for ints, the states of compiled specs); engine/worker.py is a worker and
the typed messages it exchanges. Per level, each worker expands its part of the frontier
and reports to the coordinator (this module), which adds up the counts, records the
findings in one process's order (by their keys: engine/worker.py), decides whether to go
on, and at the end asks the owners for the parent chains of the counterexamples, which it
replays into traces. Where one process would have stopped within a level (a state cap, a
violation that ends the search, a state cut at --max-depth), the workers finish the level
and count up to that point for the report. The initial level is the one-process search's
own (bfs.Search.initial_level), in this process.

The processes are forked, so the compiled model is shared without pickling; on a
platform without fork, or for a model with temporal properties (the liveness check needs
the whole graph in one process; not under symmetry, which leaves them undecided: bfs.py
UNDER_SYMMETRY), the search runs in this process (bfs.explore) and the
result says so (`CheckResult.workers_fallback`). A timeout or a memory limit is checked
between levels and between chunks of a level. The level at --max-depth is expanded like
the others, its new successors counted as the cut instead of stored (bfs.py). Every
property is evaluated on every state and transition, decided or not, as bfs.py does; when
that meets a run-time error, the worker stops there, the rest of its part of the level
unknown, so the search is repeated in this process and its result is the answer.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
import multiprocessing
import os
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from itertools import chain
from time import perf_counter
from array import array
from typing import Any, Callable, Protocol

from checker.engine.bfs import Search, Stop, explore, explore_without_symmetry
from checker.engine.budget import LimitReached, guard, memory_limit, peak_rss_bytes, resident_bytes
from checker.engine.fastpath import owner
from checker.engine import checkpoint
from checker.engine.checkpoint import Image
from checker.engine.findings import Failure, Finding, SearchEnd, Traces, assemble
from checker.engine.model import Model, ModelError, State
from checker.engine.options import CheckOptions
from checker.engine.progress import Progress, Reporter
from checker.engine.result import CheckResult
from checker.engine.store import Counters
from checker.engine.symmetry import NoReduction
from checker.engine.worker import (
    OUT_OF_MEMORY,
    Crashed,
    FirstCut,
    Init,
    Key,
    Level,
    LevelReport,
    Memory,
    MemoryUse,
    NoSymmetry,
    NthNew,
    Parent,
    ParentOf,
    Quit,
    Restore,
    Snapshot,
    Truncate,
    Truncated,
    WorkerFinding,
    event_of,
    worker_main,
)


CrewFactory = Callable[[CheckOptions, int], "Crew"]


def explore_parallel(model: Model, options: CheckOptions = CheckOptions(), workers: int = 2,
                     reporter: Reporter | None = None, resume: Image | None = None,
                     crew: CrewFactory | None = None) -> CheckResult:
    """Explore `model` with `workers` processes (one: bfs.explore, in this process).
    `crew`: start the workers elsewhere (`crew(options, workers)`: Ray actors,
    checker/distributed/ray.py) instead of forking them."""
    reduced = model.symmetry is not None and (resume is None or resume.symmetry_off is None)
    reason = _why_not_parallel(model, workers, forked=crew is None, reduced=reduced)
    if reason is None:
        start = perf_counter()
        begin = (lambda: crew(options, workers)) if crew is not None else None
        try:
            result = Coordinator(model, options, workers, reporter, start=begin, resume=resume).run()
        except NoReduction as e:   # in one process: the workers would reduce by symmetry
            return explore_without_symmetry(model, options, reporter, str(e), start)
        if result.failure is None:
            return result
        # Which comes first, a run-time error or a violation that ends the search, is
        # decided in one worker's order of the level (docs/language.md), which the workers
        # do not share: the search is repeated in one process, to report it as one does.
        reason = "a run-time error is reported as one worker meets it"
    result = explore(model, options, reporter, resume)
    if workers > 1:
        result = dataclasses.replace(result, workers_fallback=reason)
    return result


def _why_not_parallel(model: Model, workers: int, forked: bool = True, reduced: bool = False) -> str | None:
    """Why the search runs in one process, or None. `reduced`: it reduces by symmetry,
    which leaves the temporal properties undecided (bfs.UNDER_SYMMETRY): no graph needed."""
    if workers <= 1:
        return "asked for one"
    if model.temporal and not reduced:
        return "temporal properties are checked on the whole graph, in one process"
    if forked and "fork" not in multiprocessing.get_all_start_methods():
        return "this platform cannot fork"
    return None


class WorkerDied(Exception):
    """A worker ended in the middle of the search (the message, the limit text, says how)."""


class _WorkerDied(WorkerDied):
    """A worker process ended in the middle of the search."""

    def __init__(self, k: int, proc: BaseProcess):
        proc.join(timeout=1)
        code = proc.exitcode
        how = (f"killed by signal {-code}" if code is not None and code < 0
               else "out of memory" if code == OUT_OF_MEMORY
               else f"exit code {code}" if code is not None else "it stopped answering")
        super().__init__(f"search worker {k} died ({how})")


class Crew(Protocol):
    """The workers of a partitioned search, over some transport: forked processes here
    (`_Processes`), Ray actors (checker/distributed/ray.py). Each message is
    engine/worker.py's; an answer goes through `answer_of`; a worker that ends raises
    WorkerDied."""

    size: int

    def send(self, messages: list[object]) -> None:
        """Send worker k messages[k]."""

    def gather(self) -> list[Any]:
        """The answers to the last `send`, in worker order (again, after a limit interrupted
        the wait: the workers go on with what they were asked)."""

    def one(self, k: int, message: object) -> Any:
        """Worker k's answer to `message`."""

    def pids(self) -> list[int]:
        """The processes on this machine whose memory counts against --max-memory."""

    def stop(self, gently: bool) -> None:
        """End the workers (`gently`: after a search that ended normally)."""


class _Processes:
    """The crew as forked processes: a pipe to each, a queue between them."""

    def __init__(self, model: Model, options: CheckOptions, workers: int):
        self.size = workers
        ctx = multiprocessing.get_context("fork")
        inboxes = [ctx.Queue() for _ in range(workers)]
        pipes = [ctx.Pipe() for _ in range(workers)]
        self.procs = [ctx.Process(target=worker_main, daemon=True,
                                  args=(k, workers, model, options, inboxes, pipes[k][1], os.getpid()))
                      for k in range(workers)]
        for p in self.procs:
            p.start()
        for _, child_end in pipes:
            child_end.close()       # the workers' ends live in the workers only
        self.conns = [a for a, _ in pipes]
        self.answers: dict[int, Any] = {}

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def stop(self, gently: bool) -> None:
        """Ask the workers to quit (and wait a little) after a search that ended normally;
        otherwise (a limit, a dead worker, an interrupt) kill them at once: they may be in
        the middle of one long step, or waiting for a dead peer's states."""
        if gently:
            for c in self.conns:
                try:
                    c.send(Quit())
                except (BrokenPipeError, OSError):
                    pass
        for p in self.procs:
            if gently:
                p.join(timeout=5)
            if p.is_alive():
                p.kill()
            p.join(timeout=5)

    def _recv(self, k: int) -> Any:
        """Worker k's next answer; _WorkerDied if it ends (killed, say by the system's
        out-of-memory killer) first."""
        conn, proc = self.conns[k], self.procs[k]
        while True:
            ready = wait([conn, proc.sentinel])
            if conn in ready:
                try:
                    answer = conn.recv()
                except EOFError:
                    raise _WorkerDied(k, proc) from None
                return answer_of(answer)
            if proc.sentinel in ready:
                raise _WorkerDied(k, proc)

    def one(self, k: int, message: object) -> Any:
        self.conns[k].send(message)
        return self._recv(k)

    def send(self, messages: list[object]) -> None:
        """A worker that fails answers Crashed; one that dies ends the search (_WorkerDied)."""
        self.answers = {}
        for k, (c, m) in enumerate(zip(self.conns, messages)):
            try:
                c.send(m)
            except (BrokenPipeError, OSError):
                raise _WorkerDied(k, self.procs[k]) from None

    def gather(self) -> list[Any]:
        answers = self.answers
        while len(answers) < len(self.conns):
            waiting = [k for k in range(len(self.conns)) if k not in answers]
            handles = [self.conns[k] for k in waiting] + [self.procs[k].sentinel for k in waiting]
            ready = wait(handles)
            for k in waiting:
                if self.conns[k] in ready or self.procs[k].sentinel in ready:
                    answers[k] = self._recv(k)
        return [answers[k] for k in range(len(self.conns))]


def answer_of(answer: Any) -> Any:
    """A worker's answer, or the exception it stands for."""
    if isinstance(answer, Crashed):
        raise RuntimeError("a search worker failed:\n" + answer.traceback)
    if isinstance(answer, NoSymmetry):
        raise NoReduction(answer.why)
    return answer


class Coordinator:
    """The scheduler of a partitioned search (module docstring), over a `Crew` that
    `start` makes; `resume`: a checkpoint to go on from (engine/checkpoint.py)."""

    def __init__(self, model: Model, options: CheckOptions, workers: int, reporter: Reporter | None,
                 start: Callable[[], Crew] | None = None, resume: Image | None = None):
        self.model = model
        self.options = options
        self.workers = workers
        self.reporter = reporter
        self.start = start or (lambda: _Processes(model, options, workers))
        self.resume = checkpoint.as_partitioned(resume) if resume is not None else None
        symmetry_off = self.resume.symmetry_off if self.resume is not None else None
        # the initial level, the findings, the clock and the trace book (the states of the
        # counterexamples' parent chains) are the one-process search's own
        self.search = Search(model, options, reporter, symmetry=symmetry_off is None, symmetry_off=symmetry_off)
        self.findings = self.search.findings
        self.distinct = 0
        self.shards = [0] * workers     # the states each worker stores (the progress line)
        self.counters = Counters(len(model.actions))
        self.at_boundary = False        # the workers are between two levels (a checkpoint may be taken)
        self.stop: _Stop | None = None  # where one process stops within the last level
        self.rollback: _Counts | None = None    # then, the figures before that level
        self.truncated: _Counts | None = None   # the report's figures then
        self.last_checkpoint = perf_counter()

    def run(self) -> CheckResult:
        s = self.search
        self.crew = self.start()
        done = False        # did the search end by itself (not a limit, a dead worker, Ctrl-C)?
        # the limits, the workers' memory included, hold here too: the coordinator waits
        # for the workers, and a worker busy with one long evaluation does not look up
        with guard(s.deadline, self.options.max_memory, self.options.timeout, pids=self.crew.pids) as limits:
            try:
                try:
                    self._search()
                    limits.disarm()
                    done = True
                except (LimitReached, MemoryError) as e:
                    limits.disarm()
                    s.limit = memory_limit(e, self.options.max_memory)
                except WorkerDied as e:
                    limits.disarm()
                    s.limit = str(e)
                if done and self.options.checkpoint is not None and self.at_boundary:
                    checkpoint.write(self.options.checkpoint, self._image(self.rollback))
                results = self._finish(ask=done)
            finally:
                self.crew.stop(gently=done)
        return results

    def _ask(self, message: object) -> list[Any]:
        """Send `message` to every worker and return their answers in worker order."""
        self.crew.send([message] * self.crew.size)
        return self.crew.gather()

    def _search(self) -> None:
        s, options = self.search, self.options
        if self.resume is not None:
            frontier = self._restore(self.resume)
        else:
            try:
                init = self._initial()
            except Stop:
                return
            self.crew.send([Init(p, r) for p, r in self._parts(init)])
            self.crew.gather()
            s.depth = 1 if init else 0
            frontier = len(init)
        while frontier:
            self._boundary()
            last = s.depth == options.max_depth
            decided = frozenset(self.findings.found)
            pending = frozenset(s.premises.pending)
            # with checkpoints, the workers finish every level they start (the coordinator
            # watches the clock) so that the search stops at a level boundary
            deadline = s.deadline if options.checkpoint is None else None
            f = self.findings
            start = _Counts(self.distinct, list(self.counters.generated), list(self.counters.distinct), s.depth,
                            found=(dict(f.found), f.undecided, f.stopped),
                            premises=(*s.premises.snapshot(), frozenset(s.premises.decided)))
            answers, limit = self._level(Level(decided, deadline, last, pending))
            expanded, frontier = frontier, self._collect(answers, last, limit is None)
            if limit is not None:
                s.limit = s.limit or limit
                s.left = frontier
            if s.limit is not None or self.findings.stopped is not None or s.failure is not None:
                if frontier and not last:
                    s.depth += 1        # the next level holds states already (as bfs.py counts)
                if self.stop is not None:
                    self._truncate(start, expanded)
                if self.stop is not None or last:
                    self.rollback = start
                return
            if last:
                # --max-depth: new successors of the last level were not stored (bfs.py)
                if self.stop is not None:
                    self._truncate(start, expanded)
                elif frontier:
                    s.limit = f"max-depth {options.max_depth}"
                    s.left = frontier
                if frontier:
                    self.rollback = start       # a deeper search goes on from the level's start
                return
            if frontier:
                s.depth += 1

    def _parts(self, states: list[State]) -> list[tuple[list[State], list[int]]]:
        """Each worker's part of a level in one process's order: its states and their ranks."""
        parts: list[tuple[list[State], list[int]]] = [([], []) for _ in range(self.workers)]
        for rank, st in enumerate(states):
            mine, ranks = parts[owner(st, self.workers)]
            mine.append(st)
            ranks.append(rank)
        self.shards = [len(p) for p, _ in parts]
        return parts

    def _level(self, message: Level) -> tuple[list[LevelReport], str | None]:
        """One level's reports; and the limit met while waiting for them, when the search
        writes checkpoints: it then waits for the level to end (engine/checkpoint.py), a
        second Ctrl-C aside."""
        self.at_boundary = False
        self.crew.send([message] * self.crew.size)
        try:
            answers = self.crew.gather()
            limit = None
        except (LimitReached, MemoryError) as e:
            if self.options.checkpoint is None:
                raise
            limit = memory_limit(e, self.options.max_memory)
            answers = self.crew.gather()
        self.at_boundary = True
        return answers, limit

    # ---- checkpoints (engine/checkpoint.py)

    def _boundary(self) -> None:
        config = self.options.checkpoint
        self.at_boundary = True
        if config is not None and perf_counter() - self.last_checkpoint >= config.every:
            checkpoint.write(config, self._image())
            self.last_checkpoint = perf_counter()

    def _image(self, before: _Counts | None = None) -> Image:
        """The checkpoint of the search at the level boundary it is at; `before`: at the one
        before the last level (its figures then), which one process stopped in its middle
        (engine/checkpoint.py: an image is always of a boundary an uninterrupted search
        passes through; the workers leave the last level's states out)."""
        s, f, c = self.search, self.findings, self.counters
        owned: dict[State, State | None] = {}
        ranked: list[tuple[int, State]] = []
        for part in self._ask(Snapshot(before is not None)):
            owned.update(part.parents)
            ranked += zip(part.ranks, part.frontier)
        ranked.sort(key=lambda rs: rs[0])
        frontier = [st for _, st in ranked]        # in one process's order (worker.py)
        if before is None:
            before = _Counts(self.distinct, c.generated, c.distinct, s.depth,
                             found=(f.found, f.undecided, f.stopped),
                             premises=(*s.premises.snapshot(), frozenset(s.premises.decided)))
        assert before.found is not None and before.premises is not None
        found, undecided, _ = before.found
        seen, failed, decided = before.premises
        config = self.options.checkpoint
        return Image(config.identity if config is not None else (), "partitioned", list(s.store.states),
                     list(s.store.parents), 0, len(self._init_ids), before.depth, s.init_generated,
                     list(before.generated), list(before.distinct), dict(found), undecided, seen, failed,
                     decided, s.symmetry_off, perf_counter() - s.start + s.prior_seconds, owned=owned,
                     frontier=frontier, workers=self.workers)

    def _restore(self, im: Image) -> int:
        """Go on from `im`: the trace book, the counts and findings here, each worker's part
        of the states; return the frontier's size."""
        s = self.search
        s.store.states = list(im.states)
        s.store.parents = array("i", im.parents)
        self._init_ids = {st: i for i, st in enumerate(im.states[:im.initial])}
        im.restore_progress(self.counters, self.findings, s.premises)
        s.init_generated, s.depth, s.prior_seconds = im.init_generated, im.depth, im.seconds
        self.distinct = len(im.owned)
        parents: list[dict[State, State | None]] = [{} for _ in range(self.workers)]
        for st, parent in im.owned.items():
            parents[owner(st, self.workers)][st] = parent
        fronts = self._parts(im.frontier)
        self.shards = [len(p) for p in parents]
        self.crew.send([Restore(p, f, r) for p, (f, r) in zip(parents, fronts)])
        self.crew.gather()
        return len(im.frontier)

    def _initial(self) -> list[State]:
        """The one-process search's initial level, in this process (the states and their
        checks)."""
        s = self.search
        try:
            lo, hi = s.initial_level()
        finally:
            self.distinct = len(s.store)
        init = s.store.states[lo:hi]
        self._init_ids = {st: i for i, st in enumerate(init)}
        return init

    def _collect(self, answers: list[LevelReport], last: bool, whole: bool) -> int:
        """Add up one level's reports; record its findings in one process's order (by key:
        engine/worker.py); note where one process would stop within the level (`self.stop`);
        return the next frontier's size. `whole`: every worker expanded all its part (no
        limit met)."""
        s = self.search
        frontier = 0
        limit = None
        before = self.distinct
        for k, report in enumerate(answers):
            s.premises.merge(report.premises_seen, report.premises_failed)
            frontier += report.new
            if not last:            # the last level's new states are the cut, not stored
                self.distinct += report.new
                self.shards[k] += report.new
            _add(self.counters, report.generated, report.distinct)
            failure = report.failure
            if failure is not None and s.failure is None:
                at = Finding(self._remember(failure.state), failure.label, failure.nxt)
                s.failure = Failure(ModelError(failure.message, failure.origin), at)
            limit = limit or report.limit
        if last:        # the states with a cut (a parent's cuts may go to several owners)
            frontier = len(set(chain.from_iterable(r.cut for r in answers)))
        self._report(frontier)
        exact = whole and s.failure is None
        found = sorted((f for r in answers for f in r.found), key=lambda f: f.at)
        cap = None
        if last:
            self.stop = self._note_last(found)
        else:
            cap_at = self.options.max_states - before if self.options.max_states is not None else -1
            if exact and 0 <= cap_at < frontier:
                # one process stores states up to the cap, and stops at the next new one (a
                # search resumed with more states than the cap never meets it there: bfs.py)
                cap = next(a.key for a in self._ask(NthNew(cap_at)) if isinstance(a, Key) and a.key is not None)
            self.stop = self._note(found, cap)
        if not exact:
            self.stop = None
        if cap is not None and self.stop is not None and self.stop.at == cap:
            s.limit = f"max-states {self.options.max_states}"
            s.left = frontier
        elif self.stop is not None or s.failure is not None:
            s.left = frontier
        elif limit is not None:
            s.limit = limit
            s.left = frontier
        return frontier

    def _note(self, found: list[WorkerFinding], cap: int | None) -> _Stop | None:
        """Record the level's findings (sorted by key) as one process meets them, up to the
        one that ends the search (every finding of that state or transition is kept); return
        where one process stops within the level: there, or at the state cap's key `cap`
        when that comes first (with what had been found by then)."""
        f = self.findings
        stop = None
        at_cap = None
        for w in found:
            if stop is not None and w.at != stop:
                break
            if cap is not None and at_cap is None and w.at >= cap:
                at_cap = (dict(f.found), f.undecided, f.stopped)
            if w.key in f.found:
                continue
            if f.note(w.key, Finding(self._remember(w.state), w.label, w.nxt), w.violation):
                stop = w.at
        if cap is not None and (stop is None or cap <= stop):     # the state at `cap` is not checked
            return _Stop(cap, cap - 1, at_cap)
        return _Stop(stop, stop) if stop is not None else None

    def _note_last(self, found: list[WorkerFinding]) -> _Stop | None:
        """The last level's findings, as one process meets them (bfs.py): it goes on
        through the level while an action property or a deadlock is undecided, and
        otherwise stops at the next transition to a state not stored (a cut); return where
        it stops (None: it goes through)."""
        f = self.findings
        stop = None
        decided = None if f.last_level_pending() else -1    # key after which nothing is pending
        for w in found:
            if stop is not None and w.at != stop:
                break
            if decided is not None and w.at != decided:
                break
            if w.key in f.found:
                continue
            if f.note(w.key, Finding(self._remember(w.state), w.label, w.nxt), w.violation):
                stop = w.at
            elif not f.last_level_pending():
                decided = w.at
        first = self._first_cut(-1)
        if stop is not None:
            if first is not None and first < stop:
                self.search.limit = f"max-depth {self.options.max_depth}"
            return _Stop(stop, -1)
        if decided is not None:
            cut = first if decided < 0 else self._first_cut(decided)
            if cut is not None:
                self.search.limit = f"max-depth {self.options.max_depth}"
                return _Stop(cut, -1)
        return None

    def _first_cut(self, after: int) -> int | None:
        keys = [a.key for a in self._ask(FirstCut(after)) if isinstance(a, Key) and a.key is not None]
        return min(keys, default=None)

    def _truncate(self, start: _Counts, expanded: int) -> None:
        """The report's figures where one process stops within the level that began with
        the figures `start` and expanded `expanded` states: the workers count up to the key
        of the stop (`self.stop`). The search's own figures stay the whole level's: a
        checkpoint written now is of the level's end (engine/checkpoint.py)."""
        stop = self.stop
        assert stop is not None
        counters = Counters(len(self.model.actions))
        _add(counters, start.generated, start.distinct)
        new = 0
        for t in self._ask(Truncate(stop.at, stop.through)):
            assert isinstance(t, Truncated)
            new += t.new
            _add(counters, t.generated, t.distinct)
        rank, _ = event_of(stop.at)
        self.truncated = _Counts(start.stored + new, counters.generated, counters.distinct,
                                 start.depth + (new > 0), expanded - rank + new, stop.found)

    def _remember(self, state: State) -> int:
        """Copy the parent chain of `state` from the owners into the trace book (the
        search's store); return the id it gets there."""
        store = self.search.store
        chain = [state]
        while chain[-1] not in self._init_ids:
            k = owner(chain[-1], self.workers)
            answer: Parent = self.crew.one(k, ParentOf(chain[-1]))
            chain.append(answer.state)
        parent = self._init_ids[chain[-1]]
        for st in reversed(chain[:-1]):
            store.states.append(st)
            store.parents.append(parent)
            parent = len(store.states) - 1
        return parent

    def _report(self, frontier: int) -> None:
        s = self.search
        if self.reporter is None:
            return
        now = perf_counter()
        if now >= s.next_report:
            s.next_report = now + self.options.progress_interval
            self.reporter.on_progress(Progress(self.distinct, self._generated(), s.depth + 1, frontier,
                                               now - s.start, tuple(self.shards)))

    def _generated(self) -> int:
        return self.search.init_generated + sum(self.counters.generated)

    def _finish(self, ask: bool = True) -> CheckResult:
        """The result; `ask`: the workers are still there to give their peak memory."""
        s = self.search
        # memory: the largest process (each holds its own part of the states)
        peaks = [peak_rss_bytes()]
        if ask:
            peaks += [m.peak_rss_bytes for m in self._ask(MemoryUse()) if isinstance(m, Memory)]
        else:   # not asked (a limit, a dead worker): their memory now, as the limit saw it
            peaks += [resident_bytes(pid) for pid in self.crew.pids()]
        distinct, counters, depth, left = self.distinct, self.counters, s.depth, s.left
        cut = self.truncated
        if cut is not None:         # one process's figures where it stops within the level
            distinct, depth, left = cut.stored, cut.depth, cut.left
            counters = Counters(len(self.model.actions))
            _add(counters, cut.generated, cut.distinct)
            if cut.found is not None:
                self.findings.found, self.findings.undecided, self.findings.stopped = cut.found
        end = SearchEnd(s.limit, s.failure, distinct, s.init_generated + sum(counters.generated), depth,
                        perf_counter() - s.start, max(peaks), left, counters)
        # under symmetry the temporal properties stay unknown, as in one process (bfs.py)
        return assemble(self.findings, Traces(self.model, s.store, s.canon), end, s.unknown_liveness(),
                        symmetry=s.symmetry, workers=self.workers,
                        undecided=s.undecided())


@dataclass(frozen=True, slots=True)
class _Stop:
    """Where one process stops within a level: at the event of key `at`, having stored the
    new states of keys up to `through`; `found`: the findings (found, undecided, stopped)
    then, when the search here recorded more (a state cap before a violation)."""

    at: int
    through: int
    found: tuple[dict[int, Finding], int, str | None] | None = None


@dataclass(frozen=True, slots=True)
class _Counts:
    """A search's figures: the states stored, per action the transitions and the new states,
    the depth, the states left; `found` as in _Stop; `premises`: the premises seen and
    failed, the properties decided."""

    stored: int
    generated: list[int]
    distinct: list[int]
    depth: int
    left: int = 0
    found: tuple[dict[int, Finding], int, str | None] | None = None
    premises: tuple[bytes, bytes, frozenset[int]] | None = None


def _add(counters: Counters, generated: list[int], distinct: list[int]) -> None:
    for i, g in enumerate(generated):
        counters.generated[i] += g
    for i, n in enumerate(distinct):
        counters.distinct[i] += n
