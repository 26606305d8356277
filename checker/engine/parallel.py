"""Breadth-first search by several worker processes on one machine (`check --workers N`).

Input: a Model, CheckOptions, the number of workers, an optional Reporter. Output: the
same CheckResult as engine/bfs.py: the same distinct, generated and depth counts and
per-action generated counts, the same verdicts, and counterexamples as short as one
worker's (the same length, perhaps other states).

How: level-synchronous and partitioned by state. Worker k owns the states s with
owner(s) == k (a hash of the state that does not depend on PYTHONHASHSEED for ints,
the states of compiled specs); it alone stores them, checks them, remembers their
parents and expands them. Per level, each worker expands its part of the frontier (with
the model's generated expander when it has one, as bfs.py does), keeps the successors it
owns and sends the others to their owners, once each: a worker remembers every state it
has sent, so a state another worker owns costs one message at most per worker. Then each
worker stores what it received (the senders in worker order, so a run is reproducible)
and reports to the coordinator (this process), which adds up the counts, keeps the
findings of the shallowest level, decides whether to go on, and at the end asks the
owners for the parent chains of the counterexamples, which it replays into traces.

The processes are forked, so the compiled model is shared without pickling; on a
platform without fork, or for a model with temporal properties (the liveness check needs
the whole graph in one process), the search runs in this process (bfs.explore) and the
result says so (`extra["workers"]`). Limits are checked between levels and between
chunks of a level: a max-states limit may be passed by part of a level (the count
reported is the real one). The level at --max-depth is expanded like the others, its new
successors counted as the cut instead of stored (bfs.py). Every property is evaluated on
every state and transition, decided or not, as bfs.py does; when that meets a run-time
error, whether the error or a violation came first is a matter of one worker's order,
which the workers do not share, so the search is repeated in this process and its result
is the answer.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import sys
import traceback
from multiprocessing.connection import wait
from time import perf_counter
from typing import Any

from checker.engine import budget
from checker.engine.bfs import _MISSING, _Search, _Stop, explore, explore_without_symmetry
from checker.engine.budget import LimitReached, guard, memory_limit
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.options import CheckOptions
from checker.engine.progress import Progress, Reporter
from checker.engine.result import CheckResult
from checker.engine.symmetry import NoReduction

_CHUNK = 2048       # frontier states between two looks at the clock in a worker


def explore_parallel(model: Model, options: CheckOptions = CheckOptions(), workers: int = 2,
                     reporter: Reporter | None = None) -> CheckResult:
    """Explore `model` with `workers` processes (one: bfs.explore, in this process)."""
    reason = _why_not_parallel(model, workers)
    if reason is None:
        start = perf_counter()
        try:
            result = _Coordinator(model, options, workers, reporter).run()
        except NoReduction as e:   # in one process: the workers would reduce by symmetry
            return explore_without_symmetry(model, options, reporter, str(e), start)
        if result.failure is None:
            return result
        # Which comes first, a run-time error or a violation that ends the search, is
        # decided in one worker's order of the level (docs/language.md), which the workers
        # do not share: the search is repeated in one process, to report it as one does.
        reason = "a run-time error is reported as one worker meets it"
    result = explore(model, options, reporter)
    if workers > 1:
        result.extra["workers"] = f"1 ({reason})"
    return result


def _why_not_parallel(model: Model, workers: int) -> str | None:
    if workers <= 1:
        return "asked for one"
    if getattr(model, "temporal", ()):
        return "temporal properties are checked on the whole graph, in one process"
    if "fork" not in multiprocessing.get_all_start_methods():
        return "this platform cannot fork"
    return None


_MIX = 0x9E3779B97F4A7C15


def owner(state: State, workers: int) -> int:
    """The worker that stores `state`. hash() of an int is its value modulo 2**61 - 1, the
    same in every process and run; the multiplication spreads packed states whose low
    bits vary little. (Worker.route inlines it.)"""
    return ((hash(state) * _MIX) >> 29) % workers


# ---------------------------------------------------------------- the coordinator

class _Coordinator:
    def __init__(self, model: Model, options: CheckOptions, workers: int, reporter: Reporter | None):
        self.model = model
        self.options = options
        self.workers = workers
        self.reporter = reporter
        # bookkeeping and result assembly are bfs's own (findings, verdicts, traces)
        self.search = _Search(model, options, reporter)
        self.distinct = 0
        self.generated_cov = [0] * len(model.actions)
        self.new_cov = [0] * len(model.actions)

    def run(self) -> CheckResult:
        s = self.search
        ctx = multiprocessing.get_context("fork")
        inboxes = [ctx.Queue() for _ in range(self.workers)]
        pipes = [ctx.Pipe() for _ in range(self.workers)]
        self.procs = [ctx.Process(target=_worker_main, daemon=True,
                                  args=(k, self.workers, self.model, self.options, inboxes, pipes[k][1],
                                        os.getpid()))
                      for k in range(self.workers)]
        for p in self.procs:
            p.start()
        for _, child_end in pipes:
            child_end.close()       # the workers' ends live in the workers only
        self.conns = [a for a, _ in pipes]
        done = False        # did the search end by itself (not a limit, a dead worker, Ctrl-C)?
        # the limits, the workers' memory included, hold here too: the coordinator waits
        # for the workers, and a worker busy with one long evaluation does not look up
        with guard(s.deadline, self.options.max_memory, self.options.timeout,
                   pids=lambda: [p.pid for p in self.procs if p.pid is not None]) as limits:
            try:
                try:
                    self._search()
                    limits.disarm()
                    done = True
                except (LimitReached, MemoryError) as e:
                    limits.disarm()
                    s.limit = memory_limit(e, self.options.max_memory)
                except _WorkerDied as e:
                    limits.disarm()
                    s.limit = str(e)
                results = self._finish(ask=done)
            finally:
                self._stop_workers(gently=done)
        return results

    def _stop_workers(self, gently: bool) -> None:
        """Ask the workers to quit (and wait a little) after a search that ended normally;
        otherwise (a limit, a dead worker, an interrupt) kill them at once: they may be in
        the middle of one long step, or waiting for a dead peer's states."""
        if gently:
            for c in self.conns:
                try:
                    c.send(("quit",))
                except (BrokenPipeError, OSError):
                    pass
        for p in self.procs:
            if gently:
                p.join(timeout=5)
            if p.is_alive():
                p.kill()
            p.join(timeout=5)

    def _recv(self, k: int):
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
                if answer[0] == "crash":
                    raise RuntimeError("a search worker failed:\n" + answer[1])
                if answer[0] == "no-reduction":
                    raise NoReduction(answer[1])
                return answer
            if proc.sentinel in ready:
                raise _WorkerDied(k, proc)

    def _ask(self, message) -> list:
        """Send `message` to every worker and return their answers in worker order. A worker
        that fails answers "crash"; one that dies ends the search (_WorkerDied)."""
        for k, c in enumerate(self.conns):
            try:
                c.send(message)
            except (BrokenPipeError, OSError):
                raise _WorkerDied(k, self.procs[k]) from None
        answers: dict[int, Any] = {}
        while len(answers) < len(self.conns):
            waiting = [k for k in range(len(self.conns)) if k not in answers]
            handles = [self.conns[k] for k in waiting] + [self.procs[k].sentinel for k in waiting]
            ready = wait(handles)
            for k in waiting:
                if self.conns[k] in ready or self.procs[k].sentinel in ready:
                    answers[k] = self._recv(k)
        return [answers[k] for k in range(len(self.conns))]

    def _search(self) -> None:
        s, options = self.search, self.options
        try:
            init = self._initial()
        except _Stop:
            return
        parts: list[list] = [[] for _ in range(self.workers)]
        for st in init:
            parts[owner(st, self.workers)].append(st)
        for k, c in enumerate(self.conns):
            c.send(("init", parts[k]))
        for k in range(len(self.conns)):
            self._recv(k)
        s.depth = 1 if init else 0
        frontier = len(init)
        while frontier:
            last = s.depth == options.max_depth
            decided = tuple(sorted(s.found))
            pending = tuple(sorted(s.premises.pending))
            answers = self._ask(("level", decided, s.deadline, last, pending))
            frontier = self._collect(answers)
            if s.limit is not None or s.stopped is not None or s.failure is not None:
                if frontier and not last:
                    s.depth += 1        # the next level holds states already (as bfs.py counts)
                return
            if last:
                # --max-depth: new successors of the last level were not stored (bfs.py)
                if frontier:
                    s.limit = f"max-depth {options.max_depth}"
                    s.left = frontier
                return
            if frontier:
                s.depth += 1
            if options.max_states is not None and self.distinct > options.max_states:
                s.limit = f"max-states {options.max_states}"
                s.left = frontier
                return

    def _initial(self) -> list:
        """bfs's own initial level, in this process (the states and their checks)."""
        s = self.search
        try:
            lo, hi = s._initial_level()
        finally:
            self.distinct = len(s.states)
        init = s.states[lo:hi]
        self._init_ids = {st: i for i, st in enumerate(init)}
        return init

    def _collect(self, answers: list) -> int:
        """Add up one level's reports; record findings; return the next frontier's size."""
        s = self.search
        frontier = 0
        limit = None
        findings = []
        last = self.search.depth == self.options.max_depth
        for k, (_, new, gen, news, found, failure, lim, seen, failed) in enumerate(answers):
            s.premises.merge(seen, failed)
            frontier += new
            if not last:            # the last level's new states are the cut, not stored
                self.distinct += new
            for i, g in enumerate(gen):
                self.generated_cov[i] += g
            for i, n in enumerate(news):
                self.new_cov[i] += n
            findings.extend(found)
            if failure is not None and s.failure is None:
                message, origin, state, label, nxt = failure
                s.failure = (ModelError(message, origin), self._remember(state), label, nxt)
            limit = limit or lim
        self._report(frontier)
        stop, event = False, None
        for key, state, label, nxt, violation in findings:
            if stop and (state, label, nxt) != event:
                break           # every finding of the state (transition) that stopped it is kept
            if key in s.found:
                continue
            event = (state, label, nxt)
            stop |= s._note(key, (self._remember(state), label, nxt), violation)
        if stop:
            s.left = frontier
            return frontier
        if s.failure is not None:
            s.left = frontier
        elif limit is not None:
            s.limit = limit
            s.left = frontier
        return frontier

    def _remember(self, state: State) -> int:
        """Copy the parent chain of `state` from the owners into bfs's arrays (for traces);
        return the id it gets there."""
        s = self.search
        chain = [state]
        while chain[-1] not in self._init_ids:
            k = owner(chain[-1], self.workers)
            self.conns[k].send(("parent", chain[-1]))
            chain.append(self._recv(k)[1])
        parent = self._init_ids[chain[-1]]
        for st in reversed(chain[:-1]):
            s.states.append(st)
            s.par.append(parent)
            parent = len(s.states) - 1
        return parent

    def _report(self, frontier: int) -> None:
        s = self.search
        if self.reporter is None:
            return
        now = perf_counter()
        if now >= s.next_report:
            s.next_report = now + self.options.progress_interval
            self.reporter.on_progress(Progress(self.distinct, self._generated(), s.depth + 1, frontier,
                                               now - s.start))

    def _generated(self) -> int:
        return self.search.init_generated + sum(self.generated_cov)

    def _finish(self, ask: bool = True) -> CheckResult:
        """The result; `ask`: the workers are still there to give their peak memory."""
        s = self.search
        s.gen_cov, s.new_cov = self.generated_cov, self.new_cov
        result = s._result(perf_counter() - s.start)
        # memory: the largest process (each holds its own part of the states)
        peak = max([result.stats.peak_rss_bytes] + ([a[1] for a in self._ask(("rss",))] if ask else []))
        stats = dataclasses.replace(result.stats, distinct=self.distinct, peak_rss_bytes=peak)
        return dataclasses.replace(result, stats=stats, extra={**result.extra, "workers": self.workers})


# ---------------------------------------------------------------- a worker

class _WorkerDied(Exception):
    """A worker process ended in the middle of the search (the limit text says how)."""

    def __init__(self, k: int, proc):
        proc.join(timeout=1)
        code = proc.exitcode
        how = (f"killed by signal {-code}" if code is not None and code < 0
               else "out of memory" if code == _OUT_OF_MEMORY
               else f"exit code {code}" if code is not None else "it stopped answering")
        super().__init__(f"search worker {k} died ({how})")


def _tie_to_coordinator(coordinator: int) -> None:
    """A worker ends with its coordinator, however that ends (even by SIGKILL): Linux sends
    it SIGKILL then (PR_SET_PDEATHSIG). Ctrl-C is the coordinator's to handle: a worker
    ignores SIGINT (no worker tracebacks), and the coordinator kills it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    budget.in_forked_child()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != coordinator:     # it ended before the line above took effect
        os._exit(1)


def _worker_main(me: int, workers: int, model: Model, options: CheckOptions, inboxes, conn,
                 coordinator: int | None = None) -> None:
    _tie_to_coordinator(coordinator if coordinator is not None else os.getppid())
    try:
        _Worker(me, workers, model, options, inboxes, conn).serve()
    except MemoryError:     # a limit, not a bug: the coordinator reports the worker's end
        os._exit(_OUT_OF_MEMORY)
    except NoReduction as e:
        conn.send(("no-reduction", str(e)))
    except Exception:       # noqa: BLE001 - report, then end: the coordinator raises it
        try:
            conn.send(("crash", traceback.format_exc()))
        except Exception:   # noqa: BLE001
            pass
    finally:
        sys.stdout.flush()


_OUT_OF_MEMORY = 3      # a worker's exit code when it ran out of memory


class _Worker:
    def __init__(self, me: int, workers: int, model: Model, options: CheckOptions, inboxes, conn):
        self.me, self.workers = me, workers
        self.model, self.options = model, options
        self.inboxes, self.conn = inboxes, conn
        self.kinds = tuple(p.kind for p in model.properties)
        self.state_properties = any(k != "action" for k in self.kinds)
        self.check_deadlock = (options.check_deadlock if options.check_deadlock is not None
                               else model.check_deadlock)
        self.deadlock_key = len(self.kinds)
        sym = getattr(model, "symmetry", None)
        self.canon = None if sym is None else sym.canonical
        self.parent: dict[State, State | None] = {}     # owned states -> parent state
        self.seen: set[State] = set()       # owned states, and those sent to their owners
        self.frontier: list[State] = []
        self.decided: frozenset[int] = frozenset()
        self.last = False
        self.cuts = 0
        # premises (engine/observe.py): the coordinator says which are still unseen; this
        # worker observes them on its transitions and on the states it owns
        self.observers = model.observers() if getattr(model, "premises", ()) else None
        self.observe_s = self.observe_t = None

    def serve(self) -> None:
        while True:
            msg = self.conn.recv()
            op = msg[0]
            if op == "quit":
                return
            if op == "init":
                for st in msg[1]:
                    self.parent[st] = None
                    self.seen.add(st)
                self.frontier = list(msg[1])
                self.conn.send(("ok",))
            elif op == "level":
                self.observe(frozenset(msg[4]))
                self.conn.send(self.level(frozenset(msg[1]), msg[2], msg[3]))
            elif op == "parent":
                self.conn.send(("parent", self.parent[msg[1]]))
            elif op == "rss":
                from checker.engine.bfs import _peak_rss_bytes
                self.conn.send(("rss", _peak_rss_bytes()))

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
    def level(self, decided: frozenset[int], deadline: float | None, last: bool = False):
        """Expand this worker's part of the frontier. With `last` (the level at
        --max-depth), a new successor is not stored but counted as a cut (bfs.py)."""
        self.decided = decided
        self.last = last
        self.cuts = 0
        n = len(self.model.actions)
        self.gen = [0] * n
        self.news = [0] * n
        self.found: list = []
        self.failure = None
        self.mine: list[State] = []                     # owned, new: the next frontier
        self.props = [i for i, k in enumerate(self.kinds) if k != "action" and i not in decided]
        # per other worker: the states it owns, their parents and actions (flat lists)
        self.outbox: list[tuple[list, list, list]] = [([], [], []) for _ in range(self.workers)]
        limit = None
        frontier, self.frontier = self.frontier, []
        try:
            for lo in range(0, len(frontier), _CHUNK):
                if deadline is not None and perf_counter() >= deadline:
                    limit = f"timeout {self.options.timeout:g}s"
                    break
                self.chunk(frontier[lo:lo + _CHUNK])
        except _Failed:
            pass
        ts, ps, acts = self.exchange()
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
        return ("level", new, self.gen, self.news, self.found, self.failure, limit, *self.observed())

    def exchange(self) -> tuple[list, list, list]:
        """Send each worker what it owns of this level's successors; receive ours (in the
        order of the senders)."""
        for k in range(self.workers):
            if k != self.me:
                self.inboxes[k].put((self.me, *self.outbox[k]))
        got = sorted((self.inboxes[self.me].get() for _ in range(self.workers - 1)), key=lambda m: m[0])
        ts, ps, acts = [], [], []
        for _, t, p, a in got:
            ts += t
            ps += p
            acts += a
        return ts, ps, acts

    def accept(self, ts: list, ps: list, acts: list) -> None:
        """States this worker owns, reached for the first time (already in `seen`): store
        their parents, count them, check them (all at C speed but the check). On the last
        level, only count them: they are the cut."""
        if self.last:
            self.cuts += len(ts)
            return
        self.parent.update(zip(ts, ps))
        self.mine.extend(ts)
        news = self.news
        for a in acts:
            news[a] += 1
        if self.observe_s is not None:
            for t in ts:
                self.observe_s(t)
        if not ts or not self.state_properties:
            return
        # every state property is evaluated, decided or not (a run-time error in a decided
        # one is still an event: docs/language.md); the generated scan finds the states
        # that need a closer look, check_state then says what they violate or where it fails
        batch = self.batch_checker()
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
                    self.found.append((i, t, None, None, self.kinds[i] == "invariant"))
            j += 1

    def store(self, t: State, p: State, action: int) -> None:
        """One owned state reached for the first time by the general loop."""
        self.seen.add(t)
        self.accept([t], [p], [action])

    def fail(self, error: ModelError, state: State, label: Label | None = None, nxt: State = None):
        self.failure = (error.message, error.origin, state, label, nxt)
        raise _Failed

    def chunk(self, states: list) -> None:
        """Expand some frontier states: with the generated expander in routing mode (own
        successors stored, others queued for their owners, in one pass); on an event, or
        for a model without one, with the general loop."""
        fast = self.expander()
        if fast is not None:
            buf = list(states)
            parents: list = []
            acts: list[int] = []
            k = len(states)
            gen, news = [0] * len(self.gen), [0] * len(self.gen)
            marks = [len(ts) for ts, _, _ in self.outbox]
            try:
                event = fast(buf, 0, k, self.seen, parents, gen, news, -1,
                             (acts, self.outbox, self.me, self.workers))
            except ModelError:
                event = 0
            if event < 0:
                for i, g in enumerate(gen):
                    self.gen[i] += g
                self.accept(buf[k:], parents, acts)
                return
            # undo: the general loop runs the chunk again
            for t in buf[k:]:
                self.seen.discard(t)
            for (ts, ps, acs), m in zip(self.outbox, marks):
                for t in ts[m:]:
                    self.seen.discard(t)
                del ts[m:], ps[m:], acs[m:]
        for s in states:
            self.expand(s)

    def expand(self, s: State) -> None:
        """The general loop for one state (bfs._Search._expand, partitioned)."""
        model = self.model
        check_tr = model.check_transition if model.has_action_properties else None
        try:
            if model.has_constraint and not model.within_constraint(s):
                return
            t = _MISSING
            for label, t in model.successors(s):
                self.gen[label[0]] += 1
                if check_tr is not None:
                    try:
                        bad = check_tr(s, label, t)
                    except ModelError as e:
                        self.fail(e, s, label, t)
                    for i in bad:
                        if i not in self.decided:
                            self.found.append((i, s, label, t, True))
                if self.observe_t is not None:
                    self.observe_t(s, t)
                c = t if self.canon is None else self.canon(t)
                if c in self.seen:
                    continue
                k = owner(c, self.workers)
                if k == self.me:
                    self.store(c, s, label[0])
                else:
                    self.seen.add(c)
                    ts, ps, acs = self.outbox[k]
                    ts.append(c)
                    ps.append(s)
                    acs.append(label[0])
            if t is _MISSING and self.check_deadlock and self.deadlock_key not in self.decided:
                is_terminal = getattr(model, "is_terminal", None)
                if is_terminal is None or not is_terminal(s):
                    self.found.append((self.deadlock_key, s, None, None, True))
        except ModelError as e:
            self.fail(e, s)

    def expander(self):
        """The generated expander, without state checks: most new states it finds belong
        to other workers, which check them (accept) once they own them."""
        get = getattr(self.model, "level_expander", None)
        if get is None:
            return None
        transition = tuple(i for i, k in enumerate(self.kinds) if k == "action" and i not in self.decided)
        deadlock = self.check_deadlock and self.deadlock_key not in self.decided
        # states are observed when their owner accepts them; transitions where generated
        kinds = (False, any(p.step for p in self.model.premises)) if self.observers is not None else (False, False)
        return get((), transition, deadlock, False, self.canon is not None, route=True, observe=kinds)

    def batch_checker(self):
        """The model's generated scan for the first state a state property flags (None: check
        every state with check_state)."""
        get = getattr(self.model, "state_scanner", None)
        return None if get is None else get(tuple(self.props))

class _Failed(Exception):
    """A ModelError in a worker: recorded in `failure`; the level ends early."""
