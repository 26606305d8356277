"""What a search has decided, and the CheckResult assembled from it.

Input: the events of a search (a state that violates or witnesses a property, a transition
that violates an action property, a deadlock, a run-time error), reported by a scheduler
(engine/bfs.py in one process, the coordinator of engine/parallel.py for several).
Output: `Findings`, the first finding of each property and whether the search must stop;
`assemble`, the CheckResult of a finished search (verdict, one PropertyResult per property
with its trace, statistics).

A finding names a state by its id in a `StateStore` (engine/store.py) whose parent chain
leads back to an initial state; its trace is rebuilt at the end by replaying the model
along that chain (engine/trace.py), or through the representatives when the search
reduced by symmetry (engine/symmetry.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence

from checker.engine.model import Label, Model, ModelError, State
from checker.engine.observe import PremiseTracker
from checker.engine.options import CheckOptions
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
from checker.engine.store import Counters, StateStore
from checker.engine.symmetry import Symmetry, rebuild_symmetric_trace
from checker.engine.trace import extend_trace, rebuild_trace


@dataclass(frozen=True, slots=True)
class Finding:
    """Where a property was decided: state `state` (an id), or, for a transition (an action
    property), the step from it by `label` to `nxt`."""

    state: int
    label: Label | None = None
    nxt: State = None


@dataclass(frozen=True, slots=True)
class Failure:
    """A run-time error (ModelError) and where it happened (None: computing the initial
    states, before any state was stored)."""

    error: ModelError
    at: Finding | None


class Findings:
    """The first finding of each property (and of "deadlock"), in search order.

    Keys: property indices (into model.properties), and `deadlock_key` for a deadlock.
    `note` keeps the first finding of a key and says whether the search must stop: at the
    first violation with CheckOptions.stop_on_violation, or when every property is decided
    (unless CheckOptions.complete); `stopped` says which."""

    def __init__(self, model: Model, options: CheckOptions, premises: PremiseTracker):
        self.model = model
        self.options = options
        self.premises = premises
        self.kinds = tuple(p.kind for p in model.properties)
        self.check_deadlock = (options.check_deadlock if options.check_deadlock is not None
                               else model.check_deadlock)
        self.deadlock_key = len(self.kinds)
        self.found: dict[int, Finding] = {}
        # temporal properties are decided after the search, on the whole graph: while a model
        # has any, the search never ends early as "all-decided"
        self.undecided = len(self.kinds) + (1 if self.check_deadlock else 0) + len(model.temporal)
        self.stopped: str | None = None          # "violation" | "all-decided"

    # ---- what is still undecided (a generated expander flags only these)

    def state_props(self) -> tuple[int, ...]:
        """The invariants and reachable properties not decided yet."""
        return tuple(i for i, k in enumerate(self.kinds) if k != "action" and i not in self.found)

    def transition_props(self) -> tuple[int, ...]:
        """The action properties not decided yet."""
        return tuple(i for i, k in enumerate(self.kinds) if k == "action" and i not in self.found)

    def deadlock_pending(self) -> bool:
        return self.check_deadlock and self.deadlock_key not in self.found

    def last_level_pending(self) -> bool:
        """Could the level at --max-depth still decide a property? Only an action property
        or a deadlock can be found there (its new states are not stored)."""
        return self.deadlock_pending() or bool(self.transition_props())

    def has_state_properties(self) -> bool:
        return any(k != "action" for k in self.kinds)

    # ---- events

    def state(self, sid: int, indices: Sequence[int]) -> bool:
        """State `sid` violates or witnesses the state properties `indices`; True: stop."""
        stop = False
        for index in indices:
            kind = self.kinds[index]
            if kind == "action":
                raise ValueError(f"{self.model.name}: check_state returned action property "
                                 f"{self.model.properties[index].name!r}")
            stop |= self.note(index, Finding(sid), violation=kind == "invariant")
        return stop

    def transition(self, sid: int, label: Label, nxt: State, indices: Sequence[int]) -> bool:
        """The step from `sid` by `label` to `nxt` violates action properties; True: stop."""
        stop = False
        for index in indices:
            if self.kinds[index] != "action":
                raise ValueError(f"{self.model.name}: check_transition returned non-action "
                                 f"property {self.model.properties[index].name!r}")
            stop |= self.note(index, Finding(sid, label, nxt), violation=True)
        return stop

    def deadlock(self, sid: int) -> bool:
        return self.note(self.deadlock_key, Finding(sid), violation=True)

    def note(self, key: int, finding: Finding, violation: bool) -> bool:
        """Keep the first finding for `key` (in BFS order: a shortest trace); return whether
        the search must stop (the reason kept in `stopped`)."""
        if key in self.found:
            return False
        self.found[key] = finding
        self.undecided -= 1
        if violation and key < len(self.kinds):
            self.premises.decide(key)
        if violation and self.options.stop_on_violation:
            self.stopped = "violation"
            return True
        if self.undecided == 0 and not self.options.complete:
            # every property has its final answer; searching on cannot change any of them
            if self.stopped is None:
                self.stopped = "all-decided"
            return True
        return False


class Traces:
    """Counterexample traces of the findings, rebuilt from a store's parent chains."""

    def __init__(self, model: Model, store: StateStore,
                 canonical: Callable[[State], State] | None = None):
        self.model, self.store, self.canonical = model, store, canonical

    def of(self, finding: Finding) -> Trace:
        chain = self.store.chain(finding.state)
        if self.canonical is not None:
            return rebuild_symmetric_trace(self.model, chain, self.canonical, finding.label, finding.nxt)
        trace = rebuild_trace(self.model, chain)
        if finding.label is None:
            return trace
        return extend_trace(self.model, trace, finding.label, finding.nxt)


@dataclass(frozen=True, slots=True)
class SearchEnd:
    """How a search ended, besides its findings: the limit that stopped it (None: none),
    its run-time error, and the figures of its statistics."""

    limit: str | None
    failure: Failure | None
    distinct: int
    generated: int
    depth: int
    seconds: float
    peak_rss_bytes: int
    left_in_queue: int
    counters: Counters


class TraceSource(Protocol):
    """Where the counterexamples of findings come from (a store's parent chains: `Traces`;
    a simulation's walks)."""

    def of(self, finding: Finding) -> Trace: ...


def assemble(findings: Findings, traces: TraceSource, end: SearchEnd,
             live: Sequence[PropertyResult] = (), *, liveness_seconds: float | None = None,
             symmetry: Symmetry | None = None, workers: int = 1,
             undecided: str | None = None) -> CheckResult:
    """The CheckResult of a search: its findings, its end, its temporal properties' results
    (`live`) and the liveness check's time; `symmetry`: the reduction it searched under;
    `workers`: the processes that searched; `undecided`: why the properties left UNKNOWN by
    a complete search were not decided (the verdict is then INCOMPLETE, never OK)."""
    model = findings.model
    exhaustive = end.limit is None and findings.stopped is None and end.failure is None
    properties = [_property(findings, traces, i, p.name, p.kind, p.origin, exhaustive)
                  for i, p in enumerate(model.properties)]
    if findings.check_deadlock:
        properties.append(_property(findings, traces, findings.deadlock_key, "deadlock", "deadlock",
                                    None, exhaustive))
    properties.extend(live)
    failure = None
    if end.failure is not None:
        at = end.failure.at
        failure = RuntimeFailure(end.failure.error.message, end.failure.error.origin,
                                 None if at is None else traces.of(at))
    if failure is not None:
        verdict = Verdict.ERROR
    elif any(p.status is Status.VIOLATED for p in properties):
        verdict = Verdict.VIOLATED
    elif end.limit is not None:
        verdict = Verdict.INCOMPLETE
    elif undecided is not None and any(p.status is Status.UNKNOWN for p in properties):
        verdict = Verdict.INCOMPLETE
    else:
        undecided = None
        verdict = Verdict.OK
    coverage = tuple(ActionCoverage(a.name, g, d, a.origin) for a, g, d in
                     zip(model.actions, end.counters.generated, end.counters.distinct))
    stats = Stats(distinct=end.distinct, generated=end.generated, depth=end.depth,
                  seconds=end.seconds, peak_rss_bytes=end.peak_rss_bytes, coverage=coverage,
                  left_in_queue=end.left_in_queue)
    seen, failed = findings.premises.result()
    return CheckResult(verdict, tuple(properties), stats, end.limit, failure,
                       stopped=findings.stopped, liveness_seconds=liveness_seconds,
                       symmetry=symmetry.names if symmetry is not None else (),
                       symmetry_inexact=symmetry.inexact if symmetry is not None else 0,
                       premises_observed=findings.options.premises, premises_seen=seen,
                       premises_failed=failed, workers=workers,
                       undecided=undecided if verdict is not Verdict.OK else None)


def _property(findings: Findings, traces: TraceSource, key: int, name: str, kind: str, origin: Any,
              exhaustive: bool) -> PropertyResult:
    where = findings.found.get(key)
    if where is not None:
        status = Status.HOLDS if kind == "reachable" else Status.VIOLATED
        return PropertyResult(name, kind, status, traces.of(where), origin)
    if not exhaustive:
        return PropertyResult(name, kind, Status.UNKNOWN, None, origin)
    # Exhaustive: an invariant never violated holds; a reachable property never witnessed is
    # violated (no trace can show that).
    status = Status.VIOLATED if kind == "reachable" else Status.HOLDS
    return PropertyResult(name, kind, status, None, origin)
