"""Places of the state a step writes, and how places overlap: the read/write sets of steps.

Input: a compiled model (`SpecSource`) and two consecutive plain states. Output: the places
(`Read`s: `var[key]` for a changed key of a map variable, else the whole variable) that
differ between them, the step's write set; `overlap` and `covers` compare places (a read's
and a write's) as checker/analysis/cause.py needs for dependencies.
"""
from __future__ import annotations

from typing import Any, Iterable

from checker.analysis.recorder import _display
from checker.analysis.results import Read
from checker.ir import nodes as ir
from checker.semantics import types as T

_MISSING = object()


def writes_of(spec: ir.SpecIR, before: dict[str, Any], after: dict[str, Any]) -> frozenset[Read]:
    """The places that differ between `before` and `after` (keys shown as reads show them)."""
    out: set[Read] = set()
    for var in spec.vars:
        a, b = before[var.name], after[var.name]
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict) and isinstance(var.t, T.MapT):
            for k in set(a) | set(b):
                if a.get(k, _MISSING) != b.get(k, _MISSING):
                    out.add(Read(var.name, _display(var.t.key, k)))
        else:
            out.add(Read(var.name, None, True))
    return frozenset(out)


def overlap(p: Read, q: Read) -> bool:
    """Can the two places be the same piece of the state?"""
    return p.var == q.var and (p.whole or q.whole or p.key == q.key)


def covers(written: Iterable[Read], p: Read) -> bool:
    """Does a write to `written` define all of place `p` (so earlier writes to it are
    irrelevant to whoever reads p later)?"""
    return any(q.var == p.var and (q.whole or (not p.whole and q.key == p.key)) for q in written)
