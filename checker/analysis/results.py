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
class TraceAnalysis:
    """A counterexample analysed: per step the places it read (the first step, the initial
    state: none), and why its property fails (None when it cannot be worked out)."""

    reads: tuple[frozenset[Read], ...]
    explanation: Explanation | None
