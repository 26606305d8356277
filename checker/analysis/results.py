"""What trace analysis finds: the results the renderers show.

Input: produced by checker/analysis (reads.py, failure.py). Output: read by checker/render
(lanes, objects, HTML): plain frozen data, no model or IR inside.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Read:
    """A place a step read: `var[key]` (key is a display value) or all of `var`."""

    var: str
    key: Any = None
    whole: bool = False
    primed: bool = False     # read in the next state (action properties: x')


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a property fails: the failing instance of its outer `forall` and its reads.
    For a run-time error: what failed to evaluate and what the failing expression read."""

    binding: str             # "n = 1", or "" when the property has no outer forall
    reads: frozenset
    context: str = ""        # run-time errors: "action Div, computing the next states of state 3"
    label: Any = None        # run-time errors in an action: the failing action instance (a Label)


@dataclass(frozen=True, slots=True)
class FairGroup:
    """One fairness constraint's instance in a lasso's loop: who (`PodDel(1)`, `Deliver(pods)`),
    in how many of the loop's states it is enabled, whether the loop takes it."""

    who: str
    strength: str            # "weak" | "strong"
    enabled: int             # loop states in which it is enabled
    states: int              # the loop's states
    taken: bool


@dataclass(frozen=True, slots=True)
class Waiting:
    """A process instance that takes no step in the loop: where it stands, and the
    `require` that holds it there (None when it is not blocked by one)."""

    who: str                 # "SubnetWorker(0)"
    at: str                  # its place: "take"
    blocked: Decision | None
    fair: bool               # is it under a fairness constraint?


@dataclass(frozen=True, slots=True)
class LoopNote:
    """Why a lasso's loop may go on forever under the fairness assumed: the fairness
    constraints enabled in it (taken, or not enabled in every state: weak fairness does not
    force those), the processes that wait and why, and the queues as the loop holds them."""

    fair: tuple[FairGroup, ...]
    waiting: tuple[Waiting, ...]
    queues: tuple[str, ...]   # "subnetQ = {Subnet}" for each non-empty queue; () when all are empty
    has_queues: bool = False  # does the spec have a variable `queue`?


@dataclass(frozen=True, slots=True)
class Formula:
    """A safety property's formula and why it is false (formula.py): its source text, every
    failing element of its outer `forall` ("n = NIC(pod: 1, index: 1)"), and for the first
    the sub-expressions that decide it, each with its value."""

    text: str
    failing: tuple[str, ...]
    culprits: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TraceAnalysis:
    """A counterexample analysed: per step the places it read (the first step, the initial
    state: none), and why its property fails (None when it cannot be worked out)."""

    reads: tuple[frozenset[Read], ...]
    explanation: Explanation | None
    notes: tuple["StepNote", ...] = ()       # per step (the first: empty); () for no spec
    cause: "Cause | None" = None             # safety counterexamples of a spec only
    loop: "LoopNote | None" = None           # lassos of a spec only
    formula: "Formula | None" = None         # safety violations of a spec only


@dataclass(frozen=True, slots=True)
class Decision:
    """A branch a step took: `if cond` found `value`, having read `seen` (places with their
    values in the state the step started from: "cache[Subnet] = absent"); or a choice a step
    made (`choose x in S`: cond "x", value the chosen value shown); or, for what holds a
    step (lasso.py), a `choose x in S` with nothing to choose (cond "S is empty", choice)."""

    cond: str                # the condition's source text on one line
    value: Any               # True / False for a branch; the shown value for a choice
    seen: tuple[str, ...]    # "place = value" for each place of the state it read
    origin: Any = None       # the condition's span (reports format it: Location, Place)
    choice: bool = False
    library: bool = False    # written in the shipped library (inlined from a macro)


@dataclass(frozen=True, slots=True)
class StepNote:
    """What a step decided and what it left as it was: its decisions, in the order taken;
    `unchanged`: it changed nothing but its process's place ("" when it changed something:
    else the place it moved to, or "nothing" when it changed no variable at all); `paused`:
    every other process instance stopped in the middle of its handler after this step
    ("PodAdd(1) at patchPod")."""

    decisions: tuple[Decision, ...] = ()
    unchanged: str = ""
    paused: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Race:
    """Two steps (trace indices, first < second) whose order decides the outcome: with
    the steps `moved` (which include one of the two) put on the other side of the other
    one, the replayed steps no longer violate the property (`order`: the trace indices in
    the order that holds). `text` names them for people."""

    first: int
    second: int
    text: str
    moved: tuple[int, ...] = ()
    order: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Cause:
    """What a safety counterexample's violation depends on.

    `slice`: the trace indices of the steps the violated instance depends on through
    reads-from (a step read what an earlier one wrote), from the property's reads back;
    `edges`: those dependencies among steps (i, j, kind) with kind "reads-from" (j read
    what i wrote), "write-after-read" (j overwrote what i read) or "write-after-write";
    `minimal`: the trace indices of a sub-sequence of the steps that still violates the
    property when replayed in the model from the same initial state, no step of which can
    be left out (None when none was found by replay); `race`: the deciding pair, if any."""

    slice: tuple[int, ...]
    edges: tuple[tuple[int, int, str], ...]
    minimal: tuple[int, ...] | None
    race: Race | None
    note: str = ""           # why something could not be worked out ("" when all was)
    # what is explained: "" for the violation; for a lasso of `P leads to Q`, how the trace
    # reaches the state where P holds and Q never does again ("scenarioB holds at state 13"),
    # the steps up to `upto` (a trace index; the last one for a violation)
    target: str = ""
    upto: int = -1
    racy: bool = False       # do steps of different actors in `minimal` depend on each other?
