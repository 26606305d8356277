"""Breadth-first exploration: the explorer behind `check`.

Input: a Model (checker.engine.model), CheckOptions, an optional progress Reporter.
Output: a CheckResult: verdict, one PropertyResult per property (and "deadlock" when checked),
statistics counted as TLC counts them, per-action coverage.

How it works:
- Level by level. Initial states are level 1; Stats.depth is the number of levels holding a
  state. A state is checked (model.check_state) when it is first stored, so the first
  violation of an invariant found lies on the shallowest level that has one: its trace is a
  shortest counterexample.
- The seen set is exact: `parent` maps every stored state to the state it was first reached
  from (None for initial states). No fingerprints, so no collisions; traces are rebuilt at the
  end by replaying the model along the parent chain (checker.engine.trace).
- Generated = initial states produced (duplicates included) + every (label, next) pair of
  every expanded state. Per-action coverage counts the pairs by action, so generated is
  derived from it rather than counted twice in the hot loop.
- Rare events (a violation, a limit, a ModelError, time to look at the clock) leave the hot
  loop through methods; the ones that end the search raise `_Stop` after recording why.
"""
from __future__ import annotations

import resource
import sys
from time import perf_counter
from typing import Any, Sequence

from checker.engine.liveness import PredicateFailure, check_liveness
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.options import CheckOptions
from checker.engine.progress import Progress, Reporter
from checker.engine.result import (
    ActionCoverage,
    CheckResult,
    PropertyResult,
    RuntimeFailure,
    Stats,
    Status,
    Trace,
    Verdict,
)
from checker.engine.trace import chain_to, extend_trace, rebuild_trace

_MISSING: Any = object()        # "no successor seen yet": states may be None or any value

# Clock reads are spaced so that about _CLOCK_PERIOD seconds pass between two, whatever the
# model's speed: fast models read it every few thousand states, slow ones (a solver per
# state) every state, so a timeout is never overshot by much.
_CLOCK_PERIOD = 0.02
_MAX_STRIDE = 4096


def explore(model: Model, options: CheckOptions = CheckOptions(),
            reporter: Reporter | None = None) -> CheckResult:
    """Explore `model` breadth-first and check its properties.

    Raises only for internal bugs: a ModelError raised by the model becomes verdict ERROR
    with a RuntimeFailure; any other exception propagates.
    """
    return _Search(model, options, reporter).run()


class _Stop(Exception):
    """Ends the search early; the reason is recorded on the _Search before raising."""


class _Search:
    """The mutable state of one exploration. Internal: explore() is the interface."""

    def __init__(self, model: Model, options: CheckOptions, reporter: Reporter | None):
        self.model = model
        self.options = options
        self.reporter = reporter
        self.parent: dict[State, State | None] = {}
        self.kinds = tuple(p.kind for p in model.properties)
        self.check_deadlock = (options.check_deadlock if options.check_deadlock is not None
                               else model.check_deadlock)
        self.deadlock_key = len(self.kinds)     # where a deadlock is recorded in `found`
        # property index (or deadlock_key) -> (state, label, next): the end of its trace;
        # label and next are set only for findings on a transition (action properties).
        self.found: dict[int, tuple[State, Label | None, State]] = {}
        self.undecided = len(self.kinds) + (1 if self.check_deadlock else 0)
        # Temporal properties are decided after the search, on the whole graph: while a model
        # has any, the search never ends early as "all-decided".
        self.undecided += len(getattr(model, "temporal", ()))
        self.gen_cov = [0] * len(model.actions)
        self.new_cov = [0] * len(model.actions)
        self.init_generated = 0
        # len(parent) never equals -1, so "unlimited" costs the same test as a real cap.
        self.cap = options.max_states if options.max_states is not None else -1
        self.depth = 0
        self.left = 0
        self.limit: str | None = None
        self.stopped: str | None = None          # "violation" | "all-decided"
        self.failure: tuple[ModelError, State | None, Label | None, State] | None = None
        self.start = perf_counter()
        self.deadline = self.start + options.timeout if options.timeout is not None else None
        self.next_report = self.start + options.progress_interval
        self.last_tick = self.start
        self.stride = 1         # states between clock reads; adapts in _tick

    # ---- the search -------------------------------------------------------------------

    def run(self) -> CheckResult:
        max_depth = self.options.max_depth
        try:
            frontier = self._initial_level()
            self.depth = 1 if frontier else 0
            while frontier:
                if self.depth == max_depth:
                    self._probe(frontier)
                    break
                frontier = self._expand(frontier)
                if frontier:
                    self.depth += 1
        except _Stop:
            pass
        live = self._liveness()
        seconds = perf_counter() - self.start
        return self._result(seconds, live)

    def _liveness(self) -> list[PropertyResult]:
        """The temporal properties, checked on the graph of every stored state
        (checker.engine.liveness); UNKNOWN unless the search was complete."""
        if not getattr(self.model, "temporal", ()):
            return []
        start = perf_counter()
        complete = self.limit is None and self.stopped is None and self.failure is None
        try:
            results = check_liveness(self.model, self.parent.keys(), complete)
        except PredicateFailure as e:
            self.failure = (e.error, e.state, None, None)
            results = check_liveness(self.model, (), False)
        self.liveness_seconds = perf_counter() - start
        return results

    def _initial_level(self) -> list[State]:
        """Store and check the initial states; return the distinct ones in order."""
        model, parent, cap = self.model, self.parent, self.cap
        check_state = model.check_state if self._has_state_properties() else None
        level: list[State] = []
        next_tick = 0
        try:
            try:
                for i, s in enumerate(model.init_states()):
                    if i >= next_tick:
                        next_tick = i + self._tick(len(level))
                    self.init_generated += 1
                    if s in parent:
                        continue
                    if len(parent) == cap:
                        self._state_limit()
                    parent[s] = None
                    level.append(s)
                    if check_state is not None:
                        try:
                            bad = check_state(s)
                        except ModelError as e:
                            self._fail(e, s)
                        if bad:
                            self._on_state(s, bad)
            except ModelError as e:     # init_states itself failed: no state to show
                self._fail(e, None)
        except _Stop:
            self.left = len(level)
            self.depth = 1 if level else 0
            raise
        return level

    def _expand(self, frontier: list[State]) -> list[State]:
        """Expand every state of one level; return the new states (the next level).

        The hot loop: everything it touches is a local, and the only calls per transition
        are successors() and, when the model has action properties, check_transition().
        """
        model, parent, cap = self.model, self.parent, self.cap
        successors = model.successors
        check_state = model.check_state if self._has_state_properties() else None
        check_tr = model.check_transition if model.has_action_properties else None
        within = model.within_constraint if model.has_constraint else None
        deadlock = self.check_deadlock
        gen_cov, new_cov = self.gen_cov, self.new_cov
        size = len
        nxt: list[State] = []
        append = nxt.append
        next_tick = 0
        i, s = 0, None
        try:
            try:
                for i, s in enumerate(frontier):
                    if i >= next_tick:
                        next_tick = i + self._tick(size(frontier) - i + size(nxt))
                    if within is not None and not within(s):
                        continue        # outside the constraint: checked, not expanded
                    t = _MISSING
                    for label, t in successors(s):
                        gen_cov[label[0]] += 1
                        if check_tr is not None:
                            try:
                                bad = check_tr(s, label, t)
                            except ModelError as e:
                                self._fail(e, s, label, t)
                            if bad:
                                self._on_transition(s, label, t, bad)
                        if t in parent:
                            continue
                        if size(parent) == cap:
                            self._state_limit()
                        parent[t] = s
                        append(t)
                        new_cov[label[0]] += 1
                        if check_state is not None:
                            try:
                                bad = check_state(t)
                            except ModelError as e:
                                self._fail(e, t)
                            if bad:
                                self._on_state(t, bad)
                    if t is _MISSING and deadlock:
                        self._on_deadlock(s)
            except ModelError as e:     # successors() or within_constraint() of s failed
                self._fail(e, s)
        except _Stop:
            self.left = len(frontier) - i + len(nxt)
            if nxt:
                self.depth += 1         # the next level holds states already
            raise
        return nxt

    def _probe(self, frontier: list[State]) -> None:
        """Handle the level at max_depth: its states are stored and checked, not expanded.

        Ask each whether it has a successor. If one does, the search was cut (INCOMPLETE,
        limit "max-depth N"); a state with none is a true deadlock, so it is reported. Once
        the cut is known and no deadlock is pending, the remaining states need no probe.
        """
        model = self.model
        within = model.within_constraint if model.has_constraint else None
        finished = 0        # states known to need no expansion
        cut = False
        next_tick = 0
        try:
            for i, s in enumerate(frontier):
                if cut and not (self.check_deadlock and self.deadlock_key not in self.found):
                    break
                if i >= next_tick:
                    next_tick = i + self._tick(len(frontier) - i)
                try:
                    if within is not None and not within(s):
                        finished += 1
                        continue
                    has_successor = next(iter(model.successors(s)), _MISSING) is not _MISSING
                except ModelError as e:
                    self._fail(e, s)
                if has_successor:
                    cut = True
                else:
                    finished += 1
                    if self.check_deadlock:
                        self._on_deadlock(s)
        finally:
            self.left = len(frontier) - finished    # 0 when every state was probed empty
        if cut:
            self.limit = f"max-depth {self.options.max_depth}"

    def _has_state_properties(self) -> bool:
        return any(k != "action" for k in self.kinds)

    # ---- rare events ------------------------------------------------------------------

    def _tick(self, queue: int) -> int:
        """Look at the clock: timeout, progress. Return how many states until the next look."""
        now = perf_counter()
        if self.deadline is not None and now >= self.deadline:
            self.limit = f"timeout {self.options.timeout:g}s"
            raise _Stop
        if self.reporter is not None and now >= self.next_report:
            self.next_report = now + self.options.progress_interval
            self.reporter.on_progress(Progress(
                len(self.parent), self._generated(), self.depth, queue, now - self.start))
        elapsed, self.last_tick = now - self.last_tick, now
        if elapsed < _CLOCK_PERIOD / 2:
            self.stride = min(self.stride * 2, _MAX_STRIDE)
        elif elapsed > _CLOCK_PERIOD * 2:
            self.stride = max(self.stride // 2, 1)
        return self.stride

    def _on_state(self, state: State, indices: Sequence[int]) -> None:
        for index in indices:
            kind = self.kinds[index]
            if kind == "action":
                raise ValueError(f"{self.model.name}: check_state returned action property "
                                 f"{self.model.properties[index].name!r}")
            self._record(index, (state, None, None), violation=kind == "invariant")

    def _on_transition(self, state: State, label: Label, nxt: State,
                       indices: Sequence[int]) -> None:
        for index in indices:
            if self.kinds[index] != "action":
                raise ValueError(f"{self.model.name}: check_transition returned non-action "
                                 f"property {self.model.properties[index].name!r}")
            self._record(index, (state, label, nxt), violation=True)

    def _on_deadlock(self, state: State) -> None:
        # A state without successors in which the model says it has finished (optional
        # `is_terminal(state)`: every process of a compiled spec at `done`) is a normal end,
        # not a deadlock. Asked here, on the rare path, so the hot loop does not pay for it.
        is_terminal = getattr(self.model, "is_terminal", None)
        if is_terminal is not None and is_terminal(state):
            return
        self._record(self.deadlock_key, (state, None, None), violation=True)

    def _record(self, key: int, where: tuple[State, Label | None, State],
                violation: bool) -> None:
        """Keep the first finding for `key` (BFS order: a shortest trace); maybe stop."""
        if key in self.found:
            return
        self.found[key] = where
        self.undecided -= 1
        if violation and self.options.stop_on_violation:
            self.stopped = "violation"
            raise _Stop
        if self.undecided == 0:
            # Every property has its final answer; searching on cannot change any of them.
            self.stopped = "all-decided"
            raise _Stop

    def _state_limit(self) -> None:
        self.limit = f"max-states {self.options.max_states}"
        raise _Stop

    def _fail(self, error: ModelError, state: State | None,
              label: Label | None = None, nxt: State = None) -> None:
        self.failure = (error, state, label, nxt)
        raise _Stop

    # ---- the result -------------------------------------------------------------------

    def _generated(self) -> int:
        return self.init_generated + sum(self.gen_cov)

    def _trace(self, state: State, label: Label | None = None, nxt: State = None) -> Trace:
        trace = rebuild_trace(self.model, chain_to(self.parent, state))
        return trace if label is None else extend_trace(self.model, trace, label, nxt)

    def _result(self, seconds: float, live: Sequence[PropertyResult] = ()) -> CheckResult:
        exhaustive = self.limit is None and self.stopped is None and self.failure is None
        properties = [self._property_result(i, p.name, p.kind, p.origin, exhaustive)
                      for i, p in enumerate(self.model.properties)]
        if self.check_deadlock:
            properties.append(self._property_result(
                self.deadlock_key, "deadlock", "deadlock", None, exhaustive))
        properties.extend(live)
        failure = self._runtime_failure()
        if failure is not None:
            verdict = Verdict.ERROR
        elif any(p.status is Status.VIOLATED for p in properties):
            verdict = Verdict.VIOLATED
        elif self.limit is not None:
            verdict = Verdict.INCOMPLETE
        else:
            verdict = Verdict.OK
        extra = {"stopped": self.stopped} if self.stopped is not None else {}
        if live:
            extra["liveness_seconds"] = round(self.liveness_seconds, 4)
        return CheckResult(verdict, tuple(properties), self._stats(seconds), self.limit,
                           failure, extra)

    def _property_result(self, key: int, name: str, kind: str, origin: Any,
                         exhaustive: bool) -> PropertyResult:
        where = self.found.get(key)
        if where is not None:
            status = Status.HOLDS if kind == "reachable" else Status.VIOLATED
            return PropertyResult(name, kind, status, self._trace(*where), origin)
        if not exhaustive:
            return PropertyResult(name, kind, Status.UNKNOWN, None, origin)
        # Exhaustive: an invariant never violated holds; a reachable property never
        # witnessed is violated (no trace can show that).
        status = Status.VIOLATED if kind == "reachable" else Status.HOLDS
        return PropertyResult(name, kind, status, None, origin)

    def _runtime_failure(self) -> RuntimeFailure | None:
        if self.failure is None:
            return None
        error, state, label, nxt = self.failure
        trace = None if state is None else self._trace(state, label, nxt)
        return RuntimeFailure(error.message, error.origin, trace)

    def _stats(self, seconds: float) -> Stats:
        coverage = tuple(ActionCoverage(a.name, g, d, a.origin) for a, g, d in
                         zip(self.model.actions, self.gen_cov, self.new_cov))
        return Stats(distinct=len(self.parent), generated=self._generated(), depth=self.depth,
                     seconds=seconds, peak_rss_bytes=_peak_rss_bytes(), coverage=coverage,
                     left_in_queue=self.left)


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak if sys.platform == "darwin" else peak * 1024
