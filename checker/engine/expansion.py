"""The expansion core: the one loop that expands states through `model.successors()`.

Input: a Model, the states to expand, and a `Host`: the scheduler that owns them
(engine/bfs.py's search, a worker of engine/parallel.py, the state graph of
checker/render/state_graph.py), which says what becomes of a new successor and of each
event. Output: counts in `Counters`, successors handed to the host, events reported to it.

For every state, in order: outside the state constraint it is not expanded; otherwise for
each (label, next) pair of `model.successors(state)`, in order: the transition is counted
for its action; the action properties are checked on it (a violation is reported to the
host); the premise observer sees it; the next state is replaced by its representative
(symmetry); then, when edges are recorded (`host.edges`), the edge to it is recorded,
the target stored first when it is new; otherwise a target not seen before is handed to
the host (`host.new_state`). With partial-order reduction (`reducer`, engine/por.py) every
transition is generated, counted, checked and observed as without it, but only the
targets of the ample set are looked up and handed on; and each state's stuttering step is
checked against the action properties (ADR 0034: a reduced search sees a stuttering step
only where it also sees its visible valuation). When asked (`numbered`), the host's `step` is set to the
transition's index among the state's successors before `new_state` and `violates` (the
partitioned search orders a level by it: engine/worker.py). A state without successors is a deadlock candidate
(`host.deadlock`). A ModelError goes to `host.failed`, which either raises (the search ends:
engine/bfs.py, "Run-time errors") or returns (the next state is expanded: the state graph
draws what it can).

A model's generated expander (engine/fastpath.py) does the same work in one straight-line
function; `try_fast` runs it over a chunk and undoes the chunk on an event, after which the
caller runs this loop over the chunk again.
"""
from __future__ import annotations

import itertools
import traceback
from typing import Any, Callable, Iterable, Protocol, Sequence, cast

from checker.engine.budget import LimitReached
from checker.engine.fastpath import DONE
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.por import NoPartialOrder, Reducer
from checker.engine.store import Counters

_MISSING: Any = object()        # "no successor yet": states may be None or any value
_ALL = itertools.repeat(True)   # every target stored (no partial-order reduction)


class EdgeRecorder(Protocol):
    def add(self, source: int, target: int, label: Label) -> None: ...

    def close(self) -> None: ...


class Host(Protocol):
    """What the general loop needs of the scheduler that runs it."""

    seen: Any               # the states seen: `in` (a set), or state -> id when edges are recorded
    at: int                 # the index of the state being expanded (kept up to date here)

    @property
    def edges(self) -> EdgeRecorder | None:
        """Where every edge goes (None: edges are not recorded)."""

    def new_state(self, i: int, s: State, label: Label, t: State) -> int | None:
        """`t`, reached from state i (`s`) by `label`, was not seen before: store it (its id,
        when edges are recorded), route it, or count it as cut (None)."""

    def violates(self, i: int, s: State, label: Label, t: State, indices: Sequence[int]) -> None:
        """The transition violates the action properties `indices`."""

    def deadlock(self, i: int, s: State) -> None:
        """State i has no successor (asked only when the loop checks deadlocks)."""

    def failed(self, error: ModelError, i: int, s: State, label: Label | None = None,
               t: State = None) -> None:
        """A ModelError while expanding state i (on the transition by `label` to `t`, when
        checking it failed)."""


class NumberedHost(Host, Protocol):
    step: int               # the index, among the successors of state `at`, of the transition
                            # handed to new_state or violates (set just before the call)


def expand(model: Model, host: Host, states: Sequence[State], lo: int, hi: int,
           counters: Counters, canonical: Callable[[State], State] | None = None,
           deadlock: bool = False, check_transitions: bool = True,
           observe: Callable[[State, State], None] | None = None,
           reducer: Reducer | None = None, numbered: bool = False) -> None:
    """Expand states[lo:hi] in order (the module docstring). `deadlock`: report states
    without successors; `check_transitions`: check the model's action properties;
    `reducer`: the partial-order reduction's ample sets; `numbered`: set the host's `step`
    (a NumberedHost) before new_state and violates."""
    successors = model.successors
    check_tr = model.check_transition if check_transitions and model.has_action_properties else None
    within = model.within_constraint if model.has_constraint else None
    gen = counters.generated
    seen, edges, new = host.seen, host.edges, host.new_state
    counted = cast(NumberedHost, host) if numbered else None
    for i in range(lo, hi):
        host.at = i
        s = states[i]
        try:
            if within is not None and not within(s):
                if edges is not None:
                    edges.close()
                continue        # outside the constraint: checked, not expanded
            t = _MISSING
            pairs: Iterable[tuple[Label, State]] = successors(s)
            stored: Iterable[bool] = _ALL
            if reducer is not None:     # the ample set, chosen before any target is stored
                if check_tr is not None:
                    _stutter(check_tr, s)
                pairs = list(pairs)
                stored = reducer.select(pairs, seen, canonical) or _ALL
            for j, ((label, t), store) in enumerate(zip(pairs, stored)):
                gen[label[0]] += 1
                if check_tr is not None:
                    try:
                        bad = check_tr(s, label, t)
                    except ModelError as e:
                        host.failed(e, i, s, label, t)
                        continue
                    if bad:
                        if counted is not None:
                            counted.step = j
                        host.violates(i, s, label, t, bad)
                if observe is not None:
                    observe(s, t)
                if not store:
                    continue
                c = t if canonical is None else canonical(t)
                if edges is not None:
                    v = seen.get(c)
                    if v is None:
                        if counted is not None:
                            counted.step = j
                        v = new(i, s, label, c)
                        if v is None:
                            continue
                    edges.add(i, v, label)
                    continue
                if c not in seen:
                    if counted is not None:
                        counted.step = j
                    new(i, s, label, c)
            if t is _MISSING and deadlock:
                host.deadlock(i, s)
            if edges is not None:
                edges.close()
        except ModelError as e:     # successors() or within_constraint() of s failed
            host.failed(e, i, s)


def _stutter(check_tr: Callable[[State, Label, State], Sequence[int]], s: State) -> None:
    """The action properties on the step from s to s. A reduced search follows only
    transitions that leave what the properties read unchanged, besides the visible ones: an
    action property such a step could violate (one false on a step that changes nothing it
    reads) is not preserved, and the search must run in full (ADR 0034)."""
    try:
        bad = check_tr(s, (-1, ()), s)
    except ModelError as e:
        raise NoPartialOrder(f"an action property cannot be evaluated on a stuttering step ({e.message})") from None
    if bad:
        raise NoPartialOrder("an action property is false on a step that changes nothing it reads")


def _release(exc: BaseException) -> None:
    """Let go of what the frames an exception unwound still hold: NumPy views of the
    store's arrays (compile/vector.py) forbid resizing them, as an undo does (BufferError).
    The frames keep their lines for a traceback; their locals go."""
    traceback.clear_frames(exc.__traceback__)


def try_fast(run: Callable[[], int], undo: Callable[[], None]) -> bool:
    """Run a generated expander over a chunk (`run`); True when it went through. On an event
    (or a ModelError it raised) the chunk is undone and False returned: the general loop
    then runs it again and reports the event exactly. A limit undoes it too, then goes on:
    the counts reported stay consistent."""
    try:
        event = run()
    except ModelError as exc:
        _release(exc)
        event = 0
    except (LimitReached, MemoryError) as exc:
        _release(exc)
        undo()
        raise
    if event == DONE:
        return True
    undo()
    return False
