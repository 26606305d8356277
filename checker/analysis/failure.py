"""Where a run-time error happened: what was being evaluated, and what it read.

Input: a compiled model (`SpecSource`), the origin (span) of the expression the search
failed to evaluate (its RuntimeFailure, KOV501) and the trace to the state where it
failed. Output: an `Explanation`: what was being evaluated (an action computing the next
states of the trace's last state, an invariant in it, an action property on its last step:
`context`, and the action instance as `label` when it was an action) and what the failing
expression read before it failed (`reads`), found by running that evaluation again in the
recording interpreter (recorder.py) until it fails at the same place.
"""
from __future__ import annotations

from typing import Any

from checker.analysis.recorder import Recorder, same_span
from checker.analysis.results import Explanation
from checker.analysis.source import SpecSource
from checker.engine.result import Trace
from checker.ir import nodes as ir
from checker.ir.walk import walk


def explain_failure(model: SpecSource, origin: Any, trace: Trace | None) -> Explanation | None:
    """A run-time error at `origin` in the last state of `trace` (the module docstring);
    None when it cannot be worked out."""
    if trace is None or not trace.steps:
        return None
    try:
        rec = Recorder(model.spec, model.max_solutions)
        states = [model.plain_state(s.state) for s in trace.steps[-2:]]
        return rec.failure(owner(model.spec, origin), origin, states, len(trace.steps), model)
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - decoration only
        return None


def owner(spec: ir.SpecIR, origin: Any) -> tuple[str, Any]:
    """Where the span `origin` is written: ("action", index), ("property", PropertyIR),
    ("temporal", TemporalIR), ("def", DefIR), ("init", None) or ("", None) when no node of
    the IR has it."""

    def has(nodes) -> bool:
        return any(same_span(getattr(n, "origin", None), origin) for node in nodes for n in walk(node))

    for i, a in enumerate(spec.actions):
        if has(a.body) or has(p.domain for p in a.params):
            return "action", i
    for p in spec.properties:
        if has((p.expr,)):
            return "property", p
    for t in spec.temporals:
        if has((t.p,) + ((t.q,) if t.q is not None else ())):
            return "temporal", t
    for d in spec.defs:
        if has((d.body,)):
            return "def", d
    if has(spec.init):
        return "init", None
    return "", None
