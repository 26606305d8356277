"""The lane diagram as data: what checker/render/lanes.py decides and checker/render/dot.py
draws (Diagram and its parts), what the builders share while deciding it (Context and a
few small helpers), and FailedEvaluation, a run-time error's trace in the shape of a
violated property. Plain frozen data; nothing here knows DOT or colours.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.analysis.results import Read
from checker.diagnostics import where
from checker.semantics.display import show

MAX_LINE = 46          # characters of one label line (the tooltip keeps the whole text)
MAX_CHANGES = 6        # change lines in one step box
MAX_DECISIONS = 3      # decision lines in one step box


@dataclass(frozen=True, slots=True)
class FailedEvaluation:
    """A run-time error (the search's RuntimeFailure: KOV501) to render like a violated
    property: `trace` ends in the state where evaluating the expression at `origin` failed
    with `message`. The renderers read name, kind, origin and trace as a PropertyResult's."""

    message: str
    origin: Any
    trace: Any
    name: str = "error"
    kind: str = "error"
    instance: None = None

    def location(self, full: bool = False) -> str:
        """`div.kovn:13:8` (full: the path as the diagnostics give it), or ""."""
        return where(self.origin, col=True, file_only=not full)

    def expression(self, width: int = 60) -> str:
        """The failing expression's source text on one line (clipped), or ""."""
        try:
            text = " ".join(self.origin.text().split())
        except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
            raise
        except Exception:                     # noqa: BLE001 - an origin that is not a span
            return ""
        return clip(text, width)


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    tone: str = "plain"      # "title" | "plain" | "muted" | "warn" | "bad" | "decision" | "race"


@dataclass(frozen=True, slots=True)
class Lane:
    title: str
    kind: str                # "process" | "action" | "object" | "variable"
    subtitle: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """A box in lane `lane` at row `row` (0 = the initial state); style names its look:
    step, step-alert, step-failed (a step that failed to evaluate: no state follows),
    step-race (one of the race's two steps), step-aside (outside the causal slice),
    created, exists, deleting, gone, value, changed, offending."""

    row: int
    lane: int
    lines: tuple[Line, ...]
    style: str
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class Arrow:
    """kind: write (to the API or a variable), cache-write (the informer), read-api,
    read-cache, stale-read, read (a variable), race (from the first step of the race to
    the second)."""

    src: tuple[int, int]     # (row, lane)
    dst: tuple[int, int]
    kind: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Diagram:
    title: tuple[str, ...]
    lanes: tuple[Lane, ...]
    rows: tuple[str, ...]                       # per row: the step's action ("" for the first)
    cells: tuple[Cell, ...]
    segments: tuple[tuple[int, int, str], ...]  # (lane, row, style): from row-1 down to row;
                                                # style object | lagging | busy | variable
    arrows: tuple[Arrow, ...]
    loop_start: int | None = None
    verdict: str = ""                           # the violated property, for the last row
    legend: tuple[str, ...] = field(default=())  # arrow kinds and segment styles present
    error: bool = False                         # a run-time error's trace: the verdict is
                                                # always by the last state's number,
    notes: tuple[str, ...] = ()                 # with these lines under it


@dataclass(frozen=True)
class Context:
    """What the builders share: the states as displayed, the lanes found, the reads."""

    model: Any
    trace: Any
    states: list
    reads: tuple
    k8s: bool
    processes: dict          # process name -> its pc variable
    actors: list             # per row: lane index of the step's actor (None for row 0)
    lane_of: dict            # ("obj", key) | ("var", name) | actor key -> lane index
    notes: tuple = ()        # per row: the step's StepNote (checker/analysis), or ()
    cause: Any = None        # the Cause of a safety violation, or None


def lanes_of(ctx: Context, kind: str):
    """(key, lane index) of the object ("obj") or variable ("var") lanes."""
    return [(k[1], lane) for k, lane in ctx.lane_of.items() if len(k) == 2 and k[0] == kind]


def instance_key(value: dict, shown: str):
    for k in value:
        if show(k) == shown:
            return k
    return None


def change_text(path: str, text: str) -> str:
    if "  = " in text and not text.startswith("("):      # set changes: "+{x}  = {x, y}"
        text = text.split("  = ", 1)[0]
        return f"{path} {text}"
    return f"{path}: {text.replace(' -> ', ' → ')}"


def clip(text: str, width: int = MAX_LINE) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def reads_of(ctx: Context, row: int) -> list[Read]:
    return [r for r in ctx.reads[row] if not r.primed] if row < len(ctx.reads) else []
