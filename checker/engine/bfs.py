"""Breadth-first exploration: the explorer behind `check`.

Input: a Model (checker.engine.model), CheckOptions, an optional progress Reporter.
Output: a CheckResult: verdict, one PropertyResult per property (and "deadlock" when checked),
statistics counted as TLC counts them, per-action coverage.

How it works:
- Level by level. Initial states are level 1; Stats.depth is the number of levels holding a
  state. A state is checked (model.check_state) when it is first stored, so the first
  violation of an invariant found lies on the shallowest level that has one: its trace is a
  shortest counterexample.
- The seen set is exact: every stored state is kept whole (no fingerprints, so no
  collisions). States are numbered in the order they are stored: `states[id]` is the state,
  `par[id]` the id of the state it was first reached from (-1 for initial states), in a
  typed array. The levels are consecutive ranges of ids, so the frontier is a range, not a
  list. Traces are rebuilt at the end by replaying the model along the parent chain
  (checker.engine.trace).
- Generated = initial states produced (duplicates included) + every (label, next) pair of
  every expanded state. Per-action coverage counts the pairs by action, so generated is
  derived from it rather than counted twice in the hot loop.
- Two loops expand a level, chunk by chunk. A compiled spec offers a generated expander
  (model.level_expander: checker/compile/expand.py) that handles the common case in one
  straight-line function; on anything rare it gives up and the chunk is undone and run
  again by the general loop over model.successors(), which every Model has. Both store
  the same states in the same order, so results do not depend on which loop ran.
- Rare events (a violation, a limit, a ModelError, time to look at the clock) leave the hot
  loop through methods; the ones that end the search raise `_Stop` after recording why.
- Models with temporal properties: the seen set is a dict state -> id and each transition
  (self-loops aside) is recorded as it is generated, in compressed-sparse-row arrays; the
  liveness check (checker.engine.liveness) runs on that graph after the search.
- Symmetry (checker.engine.symmetry, when the model declares it): each successor is
  replaced by the canonical representative of its orbit before the seen-set lookup.
- --max-depth N: level N is expanded like any other (generated counts, coverage, action
  properties, edges to states already seen, deadlocks), except that a successor not seen
  before (under symmetry: whose representative is not seen) is not stored: it marks the
  search as cut (INCOMPLETE, limit "max-depth N"). When no state of level N has such a
  successor, nothing was cut and the result is exactly that of an unlimited search. Once
  cut, the search goes on through level N only while something level N can still decide
  is undecided (an action property, a deadlock); otherwise it ends at the first
  successor that cuts, as it ends at the state that --max-states refuses.

Run-time errors, and the order of events (both loops obey it; tests/engine pin it):
- Events are met in search order: the initial states in order, each checked as it is
  stored; then the states in BFS order, and for each, its transitions in successor order:
  the transition's action properties, then, when its target is new, the target's state
  properties (invariants, reachable properties); then the deadlock test of the state.
- Every property is evaluated on every state stored (and every action property on every
  transition generated), whether or not it is already decided, until the search ends. A
  ModelError in any of them, or in the spec's actions or constraint, ends the search with
  verdict ERROR at that point (docs/errors.md, KOV501); nothing is recorded for the state
  or transition being checked (the model checks all its properties in one call, so a
  state where one property fails to evaluate yields no finding for the others), and the
  findings recorded before it are kept and listed.
- So the first event decides: an error met before a violation is ERROR, the violation
  unknown; a violation met before an error is recorded, and the search ends there with
  VIOLATED if --stop-at-first (or every property then being decided) ends it, otherwise
  it goes on and meets the error: ERROR, the violation listed. Every finding of one
  state (or transition) is recorded before the search stops, so --stop-at-first reports
  all the properties that the first violating state violates.
"""
from __future__ import annotations

import functools
import resource
import sys
from array import array
from dataclasses import replace
from time import perf_counter
from typing import Any, Sequence

from checker.engine.budget import LimitReached, guard, memory_limit
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.observe import PremiseTracker
from checker.engine.options import CheckOptions
from checker.engine.symmetry import NoReduction
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
from checker.engine.trace import extend_trace, rebuild_trace

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
    start = perf_counter()
    try:
        return _Search(model, options, reporter).run()
    except NoReduction as e:
        return explore_without_symmetry(model, options, reporter, str(e), start)


def explore_without_symmetry(model: Model, options: CheckOptions, reporter: Reporter | None,
                             why: str, start: float) -> CheckResult:
    """The search again, without symmetry reduction, which did not pay (`why`), in what is
    left of the time since `start`. From the start: counts from a search that mixed
    representatives with raw states would be neither the reduced nor the full ones."""
    if options.timeout is not None:
        options = replace(options, timeout=max(options.timeout - (perf_counter() - start), 1e-3))
    result = _Search(model, options, reporter, symmetry=False).run()
    result.extra["symmetry"] = f"off ({why}); the counts are those of the full search, without reduction"
    return result


class _Stop(Exception):
    """Ends the search early; the reason is recorded on the _Search before raising."""




class _Search:
    """The mutable state of one exploration. Internal: explore() is the interface."""

    def __init__(self, model: Model, options: CheckOptions, reporter: Reporter | None,
                 symmetry: bool = True):
        self.model = model
        self.options = options
        self.reporter = reporter
        self.kinds = tuple(p.kind for p in model.properties)
        self.check_deadlock = (options.check_deadlock if options.check_deadlock is not None
                               else model.check_deadlock)
        self.deadlock_key = len(self.kinds)     # where a deadlock is recorded in `found`
        # property index (or deadlock_key) -> (state id, label, next): the end of its trace;
        # label and next are set only for findings on a transition (action properties).
        self.found: dict[int, tuple[int, Label | None, State]] = {}
        self.undecided = len(self.kinds) + (1 if self.check_deadlock else 0)
        # Temporal properties are decided after the search, on the whole graph: while a model
        # has any, the search never ends early as "all-decided".
        self.temporal = tuple(getattr(model, "temporal", ()))
        self.undecided += len(self.temporal)
        self.canon = _canonicalizer(model) if symmetry else None
        self.states: list[State] = []
        self.par = array("i")
        # graph mode: the seen set maps each state to its id, and edges are recorded
        self.seen: Any = {} if self.temporal else set()
        self.graph: tuple | None = None
        if self.temporal:
            self.graph = (array("q", [0]), array("i"), array("i"), {}, [])
        self.gen_cov = [0] * len(model.actions)
        self.new_cov = [0] * len(model.actions)
        self.init_generated = 0
        # len(states) never equals -1, so "unlimited" costs the same test as a real cap.
        self.cap = options.max_states if options.max_states is not None else -1
        self.depth = 0
        self.left = 0
        self.limit: str | None = None
        self.stopped: str | None = None          # "violation" | "all-decided"
        # (error, id of the state, label, next state); id None: no state (initial states)
        self.failure: tuple[ModelError, int | None, Label | None, State] | None = None
        self.start = perf_counter()
        self.deadline = self.start + options.timeout if options.timeout is not None else None
        self.next_report = self.start + options.progress_interval
        self.last_tick = self.start
        self.stride = 1         # states between clock reads; adapts in _tick
        self.at = 0             # id of the state being expanded (for left_in_queue)
        self._initial_count = 0
        self.liveness_seconds = 0.0
        # --max-depth: states of the last level with a successor not stored (the cut)
        self.cut = 0
        self._cut_at = -1
        # vacuity: the premises some state or step makes true (engine/observe.py)
        self.premises = PremiseTracker(model if options.premises else None)

    # ---- the search -------------------------------------------------------------------

    def run(self) -> CheckResult:
        # every phase under the limits (engine/budget.py): the initial states, one state's
        # successors, one long evaluation, symmetry, the liveness check
        live = None
        with guard(self.deadline, self.options.max_memory, self.options.timeout) as limits:
            try:
                self._search()
                live = self._liveness()
                limits.disarm()
            except (LimitReached, MemoryError) as e:
                limits.disarm()
                self.limit = memory_limit(e, self.options.max_memory)
        if live is None:    # the limit was hit in the liveness check, or before it
            live = self._unknown_liveness()
        seconds = perf_counter() - self.start
        return self._result(seconds, live)

    def _search(self) -> None:
        max_depth = self.options.max_depth
        try:
            lo, hi = self._initial_level()
            self.depth = 1 if hi > lo else 0
            while hi > lo:
                if self.depth == max_depth:
                    try:
                        self._level(lo, hi, last=True)
                    finally:
                        # cut, even if something else ended the level early
                        if self.cut and self.limit is None:
                            self.limit = f"max-depth {max_depth}"
                    self.left = self.cut
                    break
                self._level(lo, hi)
                lo, hi = hi, len(self.states)
                if hi > lo:
                    self.depth += 1
        except _Stop:
            pass

    def _liveness(self) -> list[PropertyResult]:
        """The temporal properties, checked on the graph recorded during the search
        (checker.engine.liveness); UNKNOWN unless the search was complete."""
        if not self.temporal:
            return []
        # imported here: a safety-only check does not pay for the liveness machinery
        from checker.engine.graph import StateGraph
        from checker.engine.liveness import PredicateFailure, check_liveness
        start = perf_counter()
        complete = self.limit is None and self.stopped is None and self.failure is None
        graph = None
        if complete:
            off, dst, lab, _, labels = self.graph
            n_init = self._initial_count
            graph = StateGraph(self.states, self.seen, tuple(range(n_init)), off, dst, lab,
                               tuple(labels))
        try:
            results = check_liveness(self.model, self.states, complete, graph=graph)
        except PredicateFailure as e:
            self.failure = (e.error, self.seen.get(e.state), None, None)
            results = check_liveness(self.model, (), False)
        self.liveness_seconds = perf_counter() - start
        return results

    def _unknown_liveness(self) -> list[PropertyResult]:
        if not self.temporal:
            return []
        from checker.engine.liveness import check_liveness
        return check_liveness(self.model, (), False)

    def _initial_level(self) -> tuple[int, int]:
        """Store and check the initial states; return their id range."""
        model, seen, states, cap = self.model, self.seen, self.states, self.cap
        check_state = model.check_state if self._has_state_properties() else None
        canon = self.canon
        next_tick = 0
        self._initial_count = 0
        try:
            try:
                initial = self._initial_states()
            except ModelError as e:     # init_states itself failed: no state to show
                self._fail(e, None)
            for i, s in enumerate(initial):
                if i >= next_tick:
                    next_tick = i + self._tick(len(states))
                if canon is not None:
                    s = canon(s)
                if s in seen:
                    continue
                if len(states) == cap:
                    self._state_limit()
                self._store(s, -1)
                self._initial_count = len(states)
                if self.premises.state is not None:
                    self.premises.state(s)
                if check_state is not None:
                    try:
                        bad = check_state(s)
                    except ModelError as e:
                        self._fail(e, len(states) - 1)
                    if bad:
                        self._on_state(len(states) - 1, bad)
        except (_Stop, LimitReached, MemoryError):
            self.left = len(states)
            self.depth = 1 if states else 0
            raise
        return 0, len(states)

    def _initial_states(self) -> list[State]:
        """The initial states, each once, in the order they come; counted in
        init_generated (duplicates too). All of them, so that one that fails to evaluate is
        an error before any is checked, but no more than the state limit can store: an
        endless enumeration (two nested choices over a million values) stops there."""
        canon, cap = self.canon, self.cap
        order: dict = {}
        reps = set() if canon is not None else order
        self.init_generated = 0
        for s in self.model.init_states():
            self.init_generated += 1        # so far, should a limit interrupt
            if s not in order:
                order[s] = None
                if canon is not None:
                    reps.add(canon(s))
                if len(reps) > cap >= 0:
                    break           # the state limit stops the search at this one
        return list(order)

    def _store(self, s: State, parent: int) -> None:
        if self.graph is not None:
            self.seen[s] = len(self.states)
        else:
            self.seen.add(s)
        self.states.append(s)
        self.par.append(parent)

    def _level(self, lo: int, hi: int, last: bool = False) -> None:
        """Expand the states with ids lo..hi-1 (one level); their successors not seen before
        become ids hi, hi+1, ... (the next level). With `last` (the level at --max-depth),
        they are not stored: each state that has one adds 1 to self.cut."""
        states = self.states
        i = lo
        try:
            while i < hi:
                self.at = i
                end = min(hi, i + self._tick(len(states) - i))
                fast, cap = self._fast_expander(last)
                if fast is not None and self._try_fast(fast, i, end, cap):
                    i = end
                    self.premises.sync()
                    continue
                self._expand(i, end, last)
                i = end
                self.premises.sync()
        except (_Stop, LimitReached, MemoryError):
            self.left = len(states) - self.at
            if len(states) > hi:
                self.depth += 1         # the next level holds states already
            raise

    def _try_fast(self, fast, lo: int, hi: int, cap: int) -> bool:
        """Run the generated expander on lo..hi-1; on an event undo it and return False."""
        states, graph = self.states, self.graph
        mark = len(states)
        emark = len(graph[1]) if graph is not None else 0
        self.at = lo
        try:
            event = fast(states, lo, hi, self.seen, self.par, self.gen_cov, self.new_cov,
                         cap, graph)
        except ModelError:
            event = lo
        except (LimitReached, MemoryError):
            # the chunk's coverage is the expander's own until it returns: undo its states
            # too, so the counts reported stay consistent
            self._undo(lo, mark, emark)
            raise
        if event < 0:
            self.cut += -1 - event      # 0 but from a last-level expander
            return True
        # Undo the chunk: the general loop runs it again and reports the event exactly.
        self._undo(lo, mark, emark)
        return False

    def _undo(self, lo: int, mark: int, emark: int) -> None:
        """Forget the states stored (and edges recorded) since `mark` (`emark`)."""
        states, graph = self.states, self.graph
        seen = self.seen
        if graph is not None:
            for s in states[mark:]:
                del seen[s]
            off, dst, lab = graph[0], graph[1], graph[2]
            del off[lo + 1:]
            del dst[emark:]
            del lab[emark:]
        else:
            for s in states[mark:]:
                seen.discard(s)
        del states[mark:]
        del self.par[mark:]

    def _fast_expander(self, last: bool = False):
        """The generated expander for what is still undecided, or None (a model without
        one, or a check it cannot do); and the state cap to give it.

        For the last level (`last`), one that counts new successors as cuts
        (compile/expand.py), used while the level can still decide something
        (_last_pending). Otherwise, the ordinary expander with the cap at the current
        count: the first new successor is then an event, and the general loop handles its
        chunk (and stops at the cut, as nothing is pending)."""
        get = getattr(self.model, "level_expander", None)
        if get is None:
            return None, self.cap
        props = tuple(i for i, k in enumerate(self.kinds)
                      if k != "action" and i not in self.found)
        transition = tuple(i for i, k in enumerate(self.kinds) if k == "action" and i not in self.found)
        deadlock = self.check_deadlock and self.deadlock_key not in self.found
        args = (props, transition, deadlock, self.graph is not None, self.canon is not None)
        if any(self.premises.kinds):
            get = functools.partial(get, observe=self.premises.kinds)
        if not last:
            return get(*args), self.cap
        if self._last_pending():
            return get(*args, last=True), self.cap
        return get(*args), len(self.states)

    def _expand(self, lo: int, hi: int, last: bool = False) -> None:
        """The general loop: expand ids lo..hi-1 through model.successors().

        Everything it touches is a local, and the only calls per transition are
        successors() and, when the model has action properties, check_transition().
        With `last`, a successor not seen before is not stored but marks a cut (_cut).
        """
        model, seen, states, par, cap = self.model, self.seen, self.states, self.par, self.cap
        successors = model.successors
        check_state = model.check_state if self._has_state_properties() else None
        check_tr = model.check_transition if model.has_action_properties else None
        within = model.within_constraint if model.has_constraint else None
        deadlock = self.check_deadlock
        gen_cov, new_cov = self.gen_cov, self.new_cov
        canon = self.canon
        graph = self.graph
        observe_t = self.premises.transition
        if graph is not None:
            off, dst, lab, lids, labels = graph
        size = len
        i = lo
        try:
            for i in range(lo, hi):
                self.at = i
                s = states[i]
                if within is not None and not within(s):
                    if graph is not None:
                        off.append(size(dst))
                    continue        # outside the constraint: checked, not expanded
                t = _MISSING
                for label, t in successors(s):
                    gen_cov[label[0]] += 1
                    if check_tr is not None:
                        try:
                            bad = check_tr(s, label, t)
                        except ModelError as e:
                            self._fail(e, i, label, t)
                        if bad:
                            self._on_transition(i, label, t, bad)
                    if observe_t is not None:
                        observe_t(s, t)
                    c = t if canon is None else canon(t)
                    if graph is not None:
                        j = seen.get(c)
                        if j is None:
                            if last:
                                self._cut(i)
                                continue
                            j = self._store_new(c, i, label, check_state)
                        if j != i:
                            dst.append(j)
                            x = lids.get(label)
                            if x is None:
                                x = lids[label] = size(labels)
                                labels.append(label)
                            lab.append(x)
                        continue
                    if c in seen:
                        continue
                    if last:
                        self._cut(i)
                        continue
                    self._store_new(c, i, label, check_state)
                if t is _MISSING and deadlock:
                    self._on_deadlock(i)
                if graph is not None:
                    off.append(size(dst))
        except ModelError as e:     # successors() or within_constraint() of s failed
            self._fail(e, i)

    def _store_new(self, t: State, parent: int, label: Label, check_state) -> int:
        """Store a state reached for the first time; check it. Returns its id."""
        j = len(self.states)
        if j == self.cap:
            self._state_limit()
        self._store(t, parent)
        self.new_cov[label[0]] += 1
        if self.premises.state is not None:
            self.premises.state(t)
        if check_state is not None:
            try:
                bad = check_state(t)
            except ModelError as e:
                self._fail(e, j)
            if bad:
                self._on_state(j, bad)
        return j

    def _cut(self, sid: int) -> None:
        """At the last level (--max-depth), state `sid` has a successor not seen before:
        the search is cut. It ends here unless the level can still decide something."""
        if self._cut_at != sid:
            self._cut_at = sid
            self.cut += 1
        if not self._last_pending():
            self.limit = f"max-depth {self.options.max_depth}"
            raise _Stop

    def _last_pending(self) -> bool:
        """Could the rest of the last level still decide a property? Only an action
        property or a deadlock can be found there (its new states are not stored)."""
        if self.check_deadlock and self.deadlock_key not in self.found:
            return True
        return any(k == "action" and i not in self.found for i, k in enumerate(self.kinds))

    def _has_state_properties(self) -> bool:
        return any(k != "action" for k in self.kinds)

    # ---- rare events ------------------------------------------------------------------

    def _tick(self, queue: int) -> int:
        """Look at the clock: timeout, progress. Return how many states until the next look."""
        now = perf_counter()
        if self.deadline is not None and now >= self.deadline:
            self.limit = f"timeout {self.options.timeout:g}s"
            raise _Stop
        if self.canon is not None:
            why = self.model.symmetry.pays()
            if why is not None:
                raise NoReduction(why)
        if self.reporter is not None and now >= self.next_report:
            self.next_report = now + self.options.progress_interval
            self.reporter.on_progress(Progress(
                len(self.states), self._generated(), self.depth, queue, now - self.start))
        elapsed, self.last_tick = now - self.last_tick, now
        if elapsed < _CLOCK_PERIOD / 2:
            self.stride = min(self.stride * 2, _MAX_STRIDE)
        elif elapsed > _CLOCK_PERIOD * 2:
            self.stride = max(self.stride // 2, 1)
        return self.stride

    # Every finding of one state (or transition) is recorded before the search stops.

    def _on_state(self, sid: int, indices: Sequence[int]) -> None:
        stop = False
        for index in indices:
            kind = self.kinds[index]
            if kind == "action":
                raise ValueError(f"{self.model.name}: check_state returned action property "
                                 f"{self.model.properties[index].name!r}")
            stop |= self._note(index, (sid, None, None), violation=kind == "invariant")
        if stop:
            raise _Stop

    def _on_transition(self, sid: int, label: Label, nxt: State,
                       indices: Sequence[int]) -> None:
        stop = False
        for index in indices:
            if self.kinds[index] != "action":
                raise ValueError(f"{self.model.name}: check_transition returned non-action "
                                 f"property {self.model.properties[index].name!r}")
            stop |= self._note(index, (sid, label, nxt), violation=True)
        if stop:
            raise _Stop

    def _on_deadlock(self, sid: int) -> None:
        # A state without successors in which the model says it has finished (optional
        # `is_terminal(state)`: every process of a compiled spec at `done`) is a normal end,
        # not a deadlock. Asked here, on the rare path, so the hot loop does not pay for it.
        is_terminal = getattr(self.model, "is_terminal", None)
        if is_terminal is not None and is_terminal(self.states[sid]):
            return
        self._record(self.deadlock_key, (sid, None, None), violation=True)

    def _record(self, key: int, where: tuple[int, Label | None, State],
                violation: bool) -> None:
        """Keep the first finding for `key` (BFS order: a shortest trace); maybe stop."""
        if self._note(key, where, violation):
            raise _Stop

    def _note(self, key: int, where: tuple[int, Label | None, State],
              violation: bool) -> bool:
        """Keep the first finding for `key`; return whether the search must stop (the
        reason recorded in self.stopped)."""
        if key in self.found:
            return False
        self.found[key] = where
        self.undecided -= 1
        if violation and key < len(self.kinds):
            self.premises.decide(key)
        if violation and self.options.stop_on_violation:
            self.stopped = "violation"
            return True
        if self.undecided == 0 and not self.options.complete:
            # Every property has its final answer; searching on cannot change any of them.
            if self.stopped is None:
                self.stopped = "all-decided"
            return True
        return False

    def _state_limit(self) -> None:
        self.limit = f"max-states {self.options.max_states}"
        raise _Stop

    def _fail(self, error: ModelError, sid: int | None,
              label: Label | None = None, nxt: State = None) -> None:
        self.failure = (error, sid, label, nxt)
        raise _Stop

    # ---- the result -------------------------------------------------------------------

    def _generated(self) -> int:
        return self.init_generated + sum(self.gen_cov)

    def _chain(self, sid: int) -> list[State]:
        """The states from an initial state to state `sid`, along the parent ids."""
        chain = []
        while sid >= 0:
            chain.append(self.states[sid])
            sid = self.par[sid]
        chain.reverse()
        return chain

    def _trace(self, sid: int, label: Label | None = None, nxt: State = None) -> Trace:
        chain = self._chain(sid)
        if self.canon is not None:
            from checker.engine.symmetry import rebuild_symmetric_trace
            return rebuild_symmetric_trace(self.model, chain, self.canon, label, nxt)
        trace = rebuild_trace(self.model, chain)
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
        extra: dict = {"stopped": self.stopped} if self.stopped is not None else {}
        if live:
            extra["liveness_seconds"] = round(self.liveness_seconds, 4)
        if self.canon is not None:
            sym = getattr(self.model, "symmetry")
            extra["symmetry"] = list(sym.names)
            if sym.inexact:     # representatives from one order only (engine/symmetry.py)
                extra["symmetry_inexact"] = sym.inexact
        seen, failed = self.premises.result()
        if not self.options.premises:
            extra["premises"] = "not observed"
        return CheckResult(verdict, tuple(properties), self._stats(seconds), self.limit,
                           failure, extra, premises_seen=seen, premises_failed=failed)

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
        error, sid, label, nxt = self.failure
        trace = None if sid is None else self._trace(sid, label, nxt)
        return RuntimeFailure(error.message, error.origin, trace)

    def _stats(self, seconds: float) -> Stats:
        coverage = tuple(ActionCoverage(a.name, g, d, a.origin) for a, g, d in
                         zip(self.model.actions, self.gen_cov, self.new_cov))
        return Stats(distinct=len(self.states), generated=self._generated(), depth=self.depth,
                     seconds=seconds, peak_rss_bytes=_peak_rss_bytes(), coverage=coverage,
                     left_in_queue=self.left)


def _canonicalizer(model: Model):
    """The model's canonical-representative function when it asks for symmetry reduction
    (an optional `symmetry` attribute: checker.engine.symmetry.Symmetry), else None."""
    sym = getattr(model, "symmetry", None)
    return None if sym is None else sym.canonical


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak if sys.platform == "darwin" else peak * 1024
