"""Breadth-first exploration: the explorer behind `check`.

Input: a Model (checker.engine.model), CheckOptions, an optional progress Reporter.
Output: a CheckResult: verdict, one PropertyResult per property (and "deadlock" when checked),
statistics counted as TLC counts them, per-action coverage.

How it works:
- Level by level. Initial states are level 1; Stats.depth is the number of levels holding a
  state. A state is checked (model.check_state) when it is first stored, so the first
  violation of an invariant found lies on the shallowest level that has one: its trace is a
  shortest counterexample.
- The states live in a `StateStore` (engine/store.py): an exact seen set, states numbered
  in the order they are stored, each with the id of its parent. The levels are consecutive
  ranges of ids, so the frontier is a range, not a list. Traces are rebuilt at the end by
  replaying the model along the parent chain (engine/findings.py, engine/trace.py).
- Generated = initial states produced (duplicates included) + every (label, next) pair of
  every expanded state. Per-action coverage counts the pairs by action, so generated is
  derived from it rather than counted twice in the hot loop.
- Two loops expand a level, chunk by chunk. A compiled spec offers a generated expander
  (the model's fast path: engine/fastpath.py, checker/compile/expand.py) that handles the
  common case in one straight-line function; on anything rare it gives up and the chunk
  is undone and run again by the general loop over model.successors() (engine/
  expansion.py), which every Model has. Both store the same states in the same order, so
  results do not depend on which loop ran.
- Rare events (a violation, a limit, a ModelError, time to look at the clock) leave the hot
  loop through methods; the ones that end the search raise `Stop` after recording why.
  What was found is kept in `Findings`, and the result assembled from it, by
  engine/findings.py (shared with the parallel search).
- Models with temporal properties: the store records each transition (self-loops aside) as
  it is generated (its EdgeTable); the liveness check (checker.engine.liveness) runs on that
  graph after the search.
- Symmetry (checker.engine.symmetry, when the model declares it): each successor is
  replaced by the canonical representative of its orbit before the seen-set lookup.
- Partial-order reduction (CheckOptions.por; engine/por.py, ADR 0034): every transition of
  an expanded state is generated and checked, but only the targets of its ample set are
  stored; the general loop does it (the generated expanders do not reduce). Where the
  reduction is not sound for the model, or turns out not to be (engine/por.py
  NoPartialOrder), the search runs in full and the result says why.
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

from array import array
from dataclasses import dataclass, replace
from time import perf_counter
from typing import Callable, Sequence

from checker.engine import checkpoint, expansion
from checker.engine.checkpoint import Image
from checker.engine.budget import LimitReached, guard, memory_limit, peak_rss_bytes
from checker.engine.fastpath import Expander, ExpansionPlan, Mode
from checker.engine.findings import Failure, Finding, Findings, SearchEnd, Traces, assemble
from checker.engine.graph import StateGraph
from checker.engine.liveness import PredicateFailure, check_liveness
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.observe import PremiseTracker
from checker.engine.options import CheckOptions
from checker.engine.por import Independence, NoPartialOrder, Reducer, reduction
from checker.engine.progress import Progress, Reporter
from checker.engine.result import CheckResult, PropertyResult
from checker.engine.store import CompactStore, Counters, FingerprintStore, StateStore
from checker.engine.symmetry import NoReduction

# Clock reads are spaced so that about _CLOCK_PERIOD seconds pass between two, whatever the
# model's speed: fast models read it every few thousand states, slow ones (a solver per
# state) every state, so a timeout is never overshot by much.
_CLOCK_PERIOD = 0.02
# Partial-order reduction runs in the general loop only, slower than the generated
# expanders (2-3x): one that has left no state out after this many is dropped (ADR 0034).
_POR_TRIAL = 10_000
_MAX_STRIDE = 4096


def explore(model: Model, options: CheckOptions = CheckOptions(),
            reporter: Reporter | None = None, resume: Image | None = None) -> CheckResult:
    """Explore `model` breadth-first and check its properties; `resume`: go on from a
    checkpoint (engine/checkpoint.py) instead of from the initial states.

    Raises only for internal bugs: a ModelError raised by the model becomes verdict ERROR
    with a RuntimeFailure; any other exception propagates.
    """
    start = perf_counter()
    if options.por:
        relation = reduction(model, options)
        if isinstance(relation, Independence):
            try:
                return Search(model, options, reporter, compact=True, independence=relation).run()
            except NoPartialOrder as e:
                relation = str(e)
                options = _time_left(options, start)
        return replace(explore(model, replace(options, por=False), reporter, resume),
                       partial_order_off=relation)
    if resume is not None and resume.symmetry_off is not None:
        result = Search(model, options, reporter, symmetry=False, resume=resume).run()
        return replace(result, symmetry_off=resume.symmetry_off)
    try:
        return Search(model, options, reporter, resume=resume, compact=resume is None).run()
    except NoReduction as e:
        return explore_without_symmetry(model, options, reporter, str(e), start)


def _time_left(options: CheckOptions, start: float) -> CheckOptions:
    """`options` for a search starting again now, in what is left of the time since `start`."""
    if options.timeout is not None:
        options = replace(options, timeout=max(options.timeout - (perf_counter() - start), 1e-3))
    return options


def explore_without_symmetry(model: Model, options: CheckOptions, reporter: Reporter | None,
                             why: str, start: float) -> CheckResult:
    """The search again, without symmetry reduction, which did not pay (`why`), in what is
    left of the time since `start`. From the start: counts from a search that mixed
    representatives with raw states would be neither the reduced nor the full ones."""
    options = _time_left(options, start)
    result = Search(model, options, reporter, symmetry=False, symmetry_off=why, compact=True).run()
    return replace(result, symmetry_off=why)


@dataclass(frozen=True, slots=True)
class _Boundary:
    """A level boundary of the search: the next level is ids lo..hi-1; the counts, findings
    and premises then (a checkpoint's content: engine/checkpoint.py)."""

    lo: int
    hi: int
    depth: int
    edges: int
    generated: list[int]
    distinct: list[int]
    found: dict[int, Finding]
    undecided: int
    premises_seen: bytes
    premises_failed: bytes
    decided: frozenset[int]
    seconds: float


class Stop(Exception):
    """Ends the search early; the reason is recorded on the Search before raising."""


def new_store(model: Model, options: CheckOptions, compact: bool, live: bool = True,
              canonical: Callable[[State], State] | None = None) -> StateStore:
    """Where the search keeps its states (engine/store.py): a CompactStore when asked for
    (`compact`, and CheckOptions.compact_from not None) and the model's states are ints of at
    most 64 bits (`state_bits`); a FingerprintStore for wider ones under
    CheckOptions.fingerprints; the edges of a model with temporal properties are recorded
    in a StateStore, unless the search will not check them (`live` False: under symmetry)."""
    bits = model.state_bits
    graph = bool(model.temporal) and live
    if compact and not graph and bits is not None:
        if bits <= 64 and (options.compact_from is not None or options.fingerprints):
            return CompactStore(options.compact_from if options.compact_from is not None else 0)
        if bits > 64 and options.fingerprints and options.checkpoint is None:
            return FingerprintStore(model, canonical)
    return StateStore(graph=graph)


def fingerprints_figure(model: Model, options: CheckOptions, store: StateStore, live: bool) -> str | None:
    """What became of --fingerprints (CheckResult.fingerprints): the probability of a
    collision, or why the states were kept whole; None when not asked for."""
    if not options.fingerprints:
        return None
    if isinstance(store, FingerprintStore):
        return (f"64-bit, {len(store):,} states: the probability that two shared one (and a state was "
                f"left out) is at most {store.collision_bound():.1e}")
    if isinstance(store, CompactStore):
        return "off (the states fit 64 bits: kept whole, exactly, in the compact store)"
    if model.temporal and live:
        why = "temporal properties: the liveness check needs the state graph"
    elif model.state_bits is None:
        why = "the model's states are not packed ints"
    elif options.checkpoint is not None:
        why = "checkpoints keep every state whole"
    else:
        why = "a resumed search keeps its states whole"
    return f"off ({why})"


# Why a search under symmetry leaves the temporal properties undecided (docs/adr/0035): a
# lasso of the reduced graph need not be one of the spec, and weak fairness of one pod's
# process is not fairness of its representative's. The safety properties are decided.
UNDER_SYMMETRY = "temporal properties are not checked under symmetry reduction"


class Search:
    """The mutable state of one exploration; explore() runs one. It is the expansion core's
    host (engine/expansion.py) for the general loop. The parallel search (engine/
    parallel.py) uses one for its initial level (`initial_level`), its findings, its clock
    and its trace book (`store`: the states of the counterexamples' parent chains)."""

    def __init__(self, model: Model, options: CheckOptions, reporter: Reporter | None,
                 symmetry: bool = True, resume: Image | None = None, symmetry_off: str | None = None,
                 compact: bool = False, independence: Independence | None = None):
        self.model = model
        self.options = options
        self.reporter = reporter
        # vacuity: the premises some state or step makes true (engine/observe.py)
        self.premises = PremiseTracker(model if options.premises else None)
        self.findings = Findings(model, options, self.premises)
        self.symmetry = model.symmetry if symmetry else None
        self.canon = self.symmetry.canonical if self.symmetry is not None else None
        # partial-order reduction (engine/por.py): the ample sets, by the general loop only
        self.reducer = Reducer(independence) if independence is not None else None
        self.por_dropped: str | None = None
        # models with temporal properties: the edges are recorded for the liveness check,
        # which does not run under symmetry (UNDER_SYMMETRY)
        self.store = new_store(model, options, compact, live=self.symmetry is None, canonical=self.canon)
        self.seen, self.edges = self.store.seen, self.store.edges
        self.counters = Counters(len(model.actions))
        self.check_state = model.check_state if self.findings.has_state_properties() else None
        self.init_generated = 0
        # len(states) never equals -1, so "unlimited" costs the same test as a real cap.
        self.cap = options.max_states if options.max_states is not None else -1
        self.depth = 0
        self.left = 0
        self.limit: str | None = None
        self.failure: Failure | None = None
        self.start = perf_counter()
        self.deadline = self.start + options.timeout if options.timeout is not None else None
        self.next_report = self.start + options.progress_interval
        self.last_tick = self.start
        self.stride = 1         # states between clock reads; adapts in _tick
        self.at = 0             # id of the state being expanded (for left_in_queue)
        self._initial_count = 0
        self.liveness_seconds = 0.0
        # --max-depth: states of the last level with a successor not stored (the cut)
        self.last = False
        self._cut_at = -1
        # checkpoints (engine/checkpoint.py): the image to go on from, and the last level
        # boundary passed (what a checkpoint written now would hold)
        self.resume = resume
        self.symmetry_off = resume.symmetry_off if resume is not None else symmetry_off
        self.prior_seconds = resume.seconds if resume is not None else 0.0
        self.boundary: _Boundary | None = None
        self.last_checkpoint = self.start

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
            live = self.unknown_liveness()
        self._final_checkpoint()
        return self._result(perf_counter() - self.start, live)

    def _search(self) -> None:
        max_depth = self.options.max_depth
        store = self.store
        try:
            if self.resume is not None:
                lo, hi = self._restore(self.resume)
            else:
                lo, hi = self.initial_level()
                self.depth = 1 if hi > lo else 0
            while hi > lo:
                self._boundary(lo, hi)
                if self.depth == max_depth:
                    self.last = True
                    try:
                        self._level(lo, hi)
                    finally:
                        # cut, even if something else ended the level early
                        if self.counters.cuts and self.limit is None:
                            self.limit = f"max-depth {max_depth}"
                    self.left = self.counters.cuts
                    break
                store.retire(hi)        # the levels up to this one: compact (engine/store.py)
                self._level(lo, hi)
                lo, hi = hi, len(store)
                if hi > lo:
                    self.depth += 1
        except Stop:
            pass

    def _complete(self) -> bool:
        return self.limit is None and self.findings.stopped is None and self.failure is None

    def _liveness(self) -> list[PropertyResult]:
        """The temporal properties, checked on the graph recorded during the search
        (checker.engine.liveness); UNKNOWN unless the search was complete."""
        if not self.model.temporal:
            return []
        if self.symmetry is not None:
            return self.unknown_liveness()
        start = perf_counter()
        complete = self._complete()
        graph = None
        store = self.store
        if complete and store.edges is not None:
            e = store.edges
            graph = StateGraph(store.states, store.seen, tuple(range(self._initial_count)),
                               e.off, e.dst, e.lab, tuple(e.labels))
        try:
            results = check_liveness(self.model, store.states, complete, graph=graph)
        except PredicateFailure as e:
            sid = store.seen.get(e.state)
            self.failure = Failure(e.error, None if sid is None else Finding(sid))
            results = check_liveness(self.model, (), False)
        self.liveness_seconds = perf_counter() - start
        return results

    def undecided(self) -> str | None:
        """Why a complete search leaves properties unknown: temporal ones under symmetry."""
        return UNDER_SYMMETRY if self.symmetry is not None and self.model.temporal else None

    def unknown_liveness(self) -> list[PropertyResult]:
        if not self.model.temporal:
            return []
        return check_liveness(self.model, (), False)

    def initial_level(self) -> tuple[int, int]:
        """Store and check the initial states; return their id range."""
        store, seen, cap, canon = self.store, self.seen, self.cap, self.canon
        next_tick = 0
        self._initial_count = 0
        try:
            try:
                initial = self._initial_states()
            except ModelError as e:     # init_states itself failed: no state to show
                self._fail(e, None)
            for i, s in enumerate(initial):
                if i >= next_tick:
                    next_tick = i + self._tick(len(store))
                if canon is not None:
                    s = canon(s)
                if s in seen:
                    continue
                if len(store) == cap:
                    self._state_limit()
                sid = store.add(s, -1)
                self._initial_count = len(store)
                self._check_new(sid, s)
        except (Stop, LimitReached, MemoryError):
            self.left = len(store)
            self.depth = 1 if len(store) else 0
            raise
        return 0, len(store)

    def _initial_states(self) -> list[State]:
        """The initial states, each once, in the order they come; counted in
        init_generated (duplicates too). All of them, so that one that fails to evaluate is
        an error before any is checked, but no more than the state limit can store: an
        endless enumeration (two nested choices over a million values) stops there."""
        canon, cap = self.canon, self.cap
        order: dict[State, None] = {}
        reps: set[State] = set()        # their representatives, under symmetry
        self.init_generated = 0
        for s in self.model.init_states():
            self.init_generated += 1        # so far, should a limit interrupt
            if s not in order:
                order[s] = None
                if canon is not None:
                    reps.add(canon(s))
                if (len(reps) if canon is not None else len(order)) > cap >= 0:
                    break           # the state limit stops the search at this one
        return list(order)

    def _check_new(self, sid: int, s: State) -> None:
        """A state just stored: observed, then checked."""
        if self.premises.state is not None:
            self.premises.state(s)
        if self.check_state is not None:
            try:
                bad = self.check_state(s)
            except ModelError as e:
                self._fail(e, sid)
            if bad and self.findings.state(sid, bad):
                raise Stop

    def _level(self, lo: int, hi: int) -> None:
        """Expand the states with ids lo..hi-1 (one level); their successors not seen before
        become ids hi, hi+1, ... (the next level). At the last level (--max-depth) they are
        not stored: each state that has one adds 1 to the cut."""
        store = self.store
        i = lo
        try:
            while i < hi:
                self.at = i
                stride = self._tick(len(store) - i)
                self._por_pays()
                fast, cap = self._fast_expander()
                # a vectorised expander (compile/vector.py) pays per chunk, not per state
                end = min(hi, i + max(stride, getattr(fast, "batch", 0)))
                if fast is None or not self._try_fast(fast, i, end, cap):
                    self._expand(i, end)
                i = end
                self.premises.sync()
        except (Stop, LimitReached, MemoryError):
            self.left = len(store) - self.at
            if len(store) > hi:
                self.depth += 1         # the next level holds states already
            raise

    def _por_pays(self) -> None:
        """A reduction that has expanded _POR_TRIAL states without leaving one out is
        dropped: the search so far is exactly the full one, and it goes on as the full one,
        in the generated expanders. The result says so; its counts are the full ones."""
        r = self.reducer
        if r is not None and r.reduced == 0 and r.full >= _POR_TRIAL:
            self.reducer = None
            self.por_dropped = (f"no state left out in the first {r.full:,} expanded: the search went on in full "
                                "(the reduction runs in the slower general loop)")

    def _try_fast(self, fast: Expander, lo: int, hi: int, cap: int) -> bool:
        """Run the generated expander on lo..hi-1; on an event undo it and return False."""
        store, counters = self.store, self.counters
        mark = store.mark()
        self.at = lo
        return expansion.try_fast(lambda: fast(store, lo, hi, counters, cap),
                                  lambda: store.undo(lo, mark))

    def _plan(self) -> ExpansionPlan:
        f = self.findings
        graph = self.store.edges is not None
        if self.last and f.last_level_pending():
            mode = Mode.CUT_GRAPH if graph else Mode.CUT
        else:
            mode = Mode.GRAPH if graph else Mode.STORE
        kinds = self.premises.kinds
        vector = self.options.vector_from is not None and len(self.store) >= self.options.vector_from
        return ExpansionPlan(mode, f.state_props(), f.transition_props(), f.deadlock_pending(),
                             self.canon is not None, kinds[0], kinds[1],
                             isinstance(self.store, CompactStore), self.store.cold > 0, vector)

    def _fast_expander(self) -> tuple[Expander | None, int]:
        """The generated expander for what is still undecided, or None (a model without
        one, or a check it cannot do); and the state cap to give it.

        For the last level, one that counts new successors as cuts, used while the level
        can still decide something (Findings.last_level_pending). Otherwise, the ordinary
        expander with the cap at the current count: the first new successor is then an
        event, and the general loop handles its chunk (and stops at the cut, as nothing is
        pending)."""
        fast_path = self.model.fast_path
        if fast_path is None or self.reducer is not None:
            return None, self.cap
        plan = self._plan()
        fast = fast_path.expander(plan)
        if self.last and not plan.mode.cut:
            return fast, len(self.store)
        return fast, self.cap

    def _expand(self, lo: int, hi: int) -> None:
        """The general loop (engine/expansion.py) over ids lo..hi-1."""
        expansion.expand(self.model, self, self.store.states, lo, hi, self.counters,
                         self.canon, self.findings.check_deadlock, observe=self.premises.transition,
                         reducer=self.reducer)

    # ---- the expansion core's host (engine/expansion.py) --------------------------------

    def new_state(self, i: int, s: State, label: Label, t: State) -> int | None:
        """Store a state reached for the first time and check it; return its id. At the
        last level (--max-depth) it is not stored but marks a cut."""
        if self.last:
            self._cut(i)
            return None
        store = self.store
        j = len(store)
        if j == self.cap:
            self._state_limit()
        store.add(t, i)
        self.counters.distinct[label[0]] += 1
        self._check_new(j, t)
        return j

    def violates(self, i: int, s: State, label: Label, t: State, indices: Sequence[int]) -> None:
        if self.findings.transition(i, label, t, indices):
            raise Stop

    def deadlock(self, i: int, s: State) -> None:
        # A state without successors in which the model says it has finished is a normal
        # end, not a deadlock. Asked here, on the rare path, so the hot loop does not pay.
        if self.model.is_terminal(s):
            return
        if self.findings.deadlock(i):
            raise Stop

    def failed(self, error: ModelError, i: int, s: State, label: Label | None = None,
               t: State = None) -> None:
        self._fail(error, i, label, t)

    def _cut(self, sid: int) -> None:
        """At the last level (--max-depth), state `sid` has a successor not seen before:
        the search is cut. It ends here unless the level can still decide something."""
        if self._cut_at != sid:
            self._cut_at = sid
            self.counters.cuts += 1
        if not self.findings.last_level_pending():
            self.limit = f"max-depth {self.options.max_depth}"
            raise Stop

    # ---- rare events ------------------------------------------------------------------

    def _tick(self, queue: int) -> int:
        """Look at the clock: timeout, progress. Return how many states until the next look."""
        now = perf_counter()
        if self.deadline is not None and now >= self.deadline:
            self.limit = f"timeout {self.options.timeout:g}s"
            raise Stop
        if self.symmetry is not None:
            why = self.symmetry.pays()
            if why is not None:
                raise NoReduction(why)
        if self.reporter is not None and now >= self.next_report:
            self.next_report = now + self.options.progress_interval
            self.reporter.on_progress(Progress(
                len(self.store), self._generated(), self.depth, queue, now - self.start))
        elapsed, self.last_tick = now - self.last_tick, now
        if elapsed < _CLOCK_PERIOD / 2:
            self.stride = min(self.stride * 2, _MAX_STRIDE)
        elif elapsed > _CLOCK_PERIOD * 2:
            self.stride = max(self.stride // 2, 1)
        return self.stride

    def _state_limit(self) -> None:
        self.limit = f"max-states {self.options.max_states}"
        raise Stop

    def _fail(self, error: ModelError, sid: int | None,
              label: Label | None = None, nxt: State = None) -> None:
        self.failure = Failure(error, None if sid is None else Finding(sid, label, nxt))
        raise Stop

    # ---- checkpoints (engine/checkpoint.py) ----------------------------------------------

    def _boundary(self, lo: int, hi: int) -> None:
        """Between two levels: the level lo..hi-1 is next. Remember what a checkpoint
        written now holds (what a search stopped within the level rolls back to), and
        write one when it is due."""
        config = self.options.checkpoint
        if config is None:
            return
        self.boundary = self._snapshot(lo, hi)
        if perf_counter() - self.last_checkpoint >= config.every:
            checkpoint.write(config, self._image(self.boundary))
            self.last_checkpoint = perf_counter()

    def _snapshot(self, lo: int, hi: int) -> _Boundary:
        c, f, p = self.counters, self.findings, self.premises
        seen, failed = p.snapshot()
        return _Boundary(lo, hi, self.depth, len(self.store.edges.dst) if self.store.edges is not None else 0,
                         list(c.generated), list(c.distinct), dict(f.found), f.undecided, seen, failed,
                         frozenset(p.decided), perf_counter() - self.start + self.prior_seconds)

    def _final_checkpoint(self) -> None:
        """The search ended: a complete search writes its whole store; one stopped early
        (a limit, Ctrl-C, SIGTERM, a finding, an error) the last level boundary it passed."""
        config = self.options.checkpoint
        if config is None:
            return
        if self._complete() and self.left == 0 and not self.last:
            self.boundary = self._snapshot(len(self.store), len(self.store))
        if self.boundary is not None:
            checkpoint.write(config, self._image(self.boundary))

    def _image(self, b: _Boundary) -> Image:
        store = self.store
        edges = None
        if store.edges is not None:
            e = store.edges
            edges = (e.off[:b.lo + 1], e.dst[:b.edges], e.lab[:b.edges], list(e.labels))
        return Image(self.options.checkpoint.identity if self.options.checkpoint else (), "serial",
                     list(store.states[:b.hi]), list(store.parents[:b.hi]), b.lo, self._initial_count,
                     b.depth, self.init_generated, b.generated, b.distinct, b.found, b.undecided,
                     b.premises_seen, b.premises_failed, b.decided, self.symmetry_off, b.seconds,
                     edges=edges)

    def _restore(self, im: Image) -> tuple[int, int]:
        """Go on from checkpoint `im`: its store, counts, findings and premises; return the
        frontier's id range."""
        if im.kind != "serial":
            raise checkpoint.CheckpointError(
                f"the checkpoint was written by a search with {im.workers} workers: resume it with "
                "--workers or --ray")
        store = self.store
        store.states = list(im.states)
        store.parents = array("i", im.parents)
        if store.edges is not None:
            store.seen = {st: i for i, st in enumerate(store.states)}
            off, dst, lab, labels = im.edges if im.edges is not None else (array("q", [0]), [], [], [])
            e = store.edges
            e.off, e.dst, e.lab = array("q", off), array("i", dst), array("i", lab)
            e.labels = list(labels)
            e.lids = {label: i for i, label in enumerate(e.labels)}
        else:
            store.seen = set(store.states)
        self.seen, self.edges = store.seen, store.edges
        im.restore_progress(self.counters, self.findings, self.premises)
        self.init_generated, self._initial_count, self.depth = im.init_generated, im.initial, im.depth
        return im.lo, len(store)

    # ---- the result -------------------------------------------------------------------

    def _generated(self) -> int:
        return self.init_generated + sum(self.counters.generated)

    def _result(self, seconds: float, live: Sequence[PropertyResult] = ()) -> CheckResult:
        end = SearchEnd(self.limit, self.failure, len(self.store), self._generated(), self.depth,
                        seconds + self.prior_seconds, peak_rss_bytes(), self.left, self.counters)
        result = assemble(self.findings, Traces(self.model, self.store, self.canon), end, live,
                          liveness_seconds=(round(self.liveness_seconds, 4)
                                            if self.model.temporal and self.symmetry is None else None),
                          symmetry=self.symmetry,
                          undecided=self.undecided())
        if self.reducer is not None:
            result = replace(result, partial_order=self.reducer.figures())
        elif self.por_dropped is not None:
            result = replace(result, partial_order_off=self.por_dropped)
        fp = fingerprints_figure(self.model, self.options, self.store, self.symmetry is None)
        return replace(result, fingerprints=fp) if fp is not None else result
