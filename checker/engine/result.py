"""What an exploration produces: verdict, per-property outcomes, statistics, traces.

Input: built by the explorers (bfs, dfs). Output: read by render/ and report/.
All plain frozen data; states inside traces are the model's own state values.
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any

from checker.engine.model import Label, State
from checker.engine.por import PorFigures


class Verdict(enum.Enum):
    OK = "ok"                  # exhaustive, every property holds
    VIOLATED = "violated"      # at least one property has a counterexample
    INCOMPLETE = "incomplete"  # a limit was hit before the search could decide
    ERROR = "error"            # the model failed to evaluate (ModelError)


class Status(enum.Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    UNKNOWN = "unknown"        # the search stopped (a limit) before deciding


@dataclass(frozen=True, slots=True)
class Step:
    """One state of a trace and the action instance that led to it (None for the first)."""

    label: Label | None
    action: str | None          # the label formatted by the model
    state: State


@dataclass(frozen=True, slots=True)
class Trace:
    steps: tuple[Step, ...]
    # For lassos (liveness counterexamples): index of the first state of the loop. The last
    # step returns to it (its state equals steps[loop_start].state) by its action, or by
    # stuttering (label None, action "(stutters)") when the loop is one state repeated.
    loop_start: int | None = None

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True, slots=True)
class PropertyResult:
    name: str
    kind: str                   # "invariant" | "action" | "reachable" | "deadlock" | "liveness"
    status: Status
    trace: Trace | None = None  # counterexample (or, for reachable, the witness)
    origin: Any = None
    instance: str | None = None  # liveness: the violated instance of `forall i in S: ...`
    # liveness findings (engine/liveness.py; checker/quality.py turns them into warnings):
    # trivial: it holds and no reachable state opens its obligation (for every instance);
    # stutter: the lasso stutters in a state where these actions are enabled without
    #   fairness, each with whether the property holds once that action is weakly fair;
    # outside: the trace indices of the loop's states that lie outside the state constraint
    trivial: bool = False
    stutter: tuple[tuple[str, bool | None], ...] = ()
    outside: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionCoverage:
    name: str
    generated: int              # transitions produced by this action
    distinct: int               # new distinct states first reached by this action
    origin: Any = None


@dataclass(frozen=True, slots=True)
class Stats:
    """The counts of a search and the time the user waited for them.

    seconds: the whole time of the variant: parsing and checking the spec, compiling the
    variant, and its search (the liveness check included); the engine fills in the search
    alone (parse_seconds and compile_seconds 0), checker/api.py adds the front end's parts
    (`with_phases`). The spec is parsed once for all its variants: each variant's
    parse_seconds is that one parse, which each of them waited for."""

    distinct: int
    generated: int
    depth: int
    seconds: float
    peak_rss_bytes: int
    coverage: tuple[ActionCoverage, ...] = ()
    left_in_queue: int = 0
    parse_seconds: float = 0.0
    compile_seconds: float = 0.0

    @property
    def search_seconds(self) -> float:
        return max(self.seconds - self.parse_seconds - self.compile_seconds, 0.0)

    @property
    def states_per_second(self) -> float:
        """The search's rate: states generated per second of the search (not of the front end)."""
        search = self.search_seconds
        return self.generated / search if search > 0 else 0.0

    def with_phases(self, parse_seconds: float, compile_seconds: float) -> Stats:
        """These counts, with the front end's time before the search added to `seconds`."""
        return dataclasses.replace(self, seconds=self.search_seconds + parse_seconds + compile_seconds,
                                   parse_seconds=parse_seconds, compile_seconds=compile_seconds)


@dataclass(frozen=True, slots=True)
class RuntimeFailure:
    message: str
    origin: Any
    trace: Trace | None


@dataclass(frozen=True, slots=True)
class SimulationFigures:
    """What a simulation (engine/simulate.py) checked: `walks` random walks of up to `depth`
    steps from `seed`, `steps` transitions taken in all, `visited` distinct states."""

    walks: int
    depth: int
    seed: int
    steps: int
    visited: int


@dataclass(frozen=True, slots=True)
class CheckResult:
    verdict: Verdict
    properties: tuple[PropertyResult, ...]
    stats: Stats
    limit: str | None = None            # which limit stopped the search, e.g. "max-states 1000"
    failure: RuntimeFailure | None = None
    # the search ended early, every property decided: "all-decided", or at the first
    # violation (CheckOptions.stop_on_violation): "violation"; None: it ran to its end
    stopped: str | None = None
    liveness_seconds: float | None = None   # the liveness check's time (models with temporal properties)
    # symmetry reduction: the symmetric sets the search reduced by; the states given a
    # representative from one order only (engine/symmetry.py); or why the search ran without
    # the reduction the model asked for (it did not pay: the counts are the full search's)
    symmetry: tuple[str, ...] = ()
    symmetry_inexact: int = 0
    symmetry_off: str | None = None
    # why properties stayed UNKNOWN though no limit stopped the search (the temporal
    # properties under symmetry reduction: engine/bfs.py UNDER_SYMMETRY); the verdict is
    # then INCOMPLETE unless something is violated
    undecided: str | None = None
    # vacuity (engine/observe.py): whether premises were observed (CheckOptions.premises);
    # ids of the model's premises that some stored state or generated step made true, and of
    # those never seen whose evaluation failed somewhere
    premises_observed: bool = True
    premises_seen: frozenset[int] = frozenset()
    premises_failed: frozenset[int] = frozenset()
    # processes that searched (engine/parallel.py); when more were asked for but the search
    # ran in one, why (workers_fallback)
    workers: int = 1
    workers_fallback: str | None = None
    # where the workers ran when not forked here (checker/distributed: "Ray, 2 nodes")
    cluster: str | None = None
    # a simulation (engine/simulate.py), not an exhaustive search: what it checked
    simulation: SimulationFigures | None = None
    # partial-order reduction (engine/por.py): what it did (the counts are then those of the
    # reduced state space), or why a search asked to reduce ran in full
    partial_order: PorFigures | None = None
    partial_order_off: str | None = None
    # fingerprints (CheckOptions.fingerprints): the bound on a collision's probability, or
    # why the states were kept whole after all
    fingerprints: str | None = None

    @property
    def violations(self) -> tuple[PropertyResult, ...]:
        return tuple(p for p in self.properties if p.status is Status.VIOLATED)
