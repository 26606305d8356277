"""A trace as text: each step's action, its spec line, and only what changed.

Input: a Model (for describe / format_label / action origins) and an engine `Trace`.
Output: lines of text (no colour, no markup), e.g.

    1  (initial state)
         jug = {0: 0, 1: 0}
    2  Fill(1)                                  models/diehard.kovn:17
         jug[1]: 0 -> 5
"""
from __future__ import annotations

from typing import Any

from checker.diagnostics import where
from checker.engine.result import Trace
from checker.semantics.types import Record, show

_MISSING = object()


def changes(path: str, old: Any, new: Any) -> list[tuple[str, str]]:
    """(path, description) for every part of a value that differs, finest first."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in list(old) + [k for k in new if k not in old]:
            a, b = old.get(k, _MISSING), new.get(k, _MISSING)
            sub = f"{path}[{show(k)}]"
            if a is _MISSING:
                out.append((sub, f"(added) {show(b)}"))
            elif b is _MISSING:
                out.append((sub, "(removed)"))
            else:
                out.extend(changes(sub, a, b))
        return out
    if isinstance(old, Record) and isinstance(new, Record) and old.type_name == new.type_name:
        out = []
        for (name, a), (_, b) in zip(old.items, new.items):
            out.extend(changes(f"{path}.{name}", a, b))
        return out
    if isinstance(old, frozenset) and isinstance(new, frozenset):
        parts = []
        if new - old:
            parts.append("+" + show(frozenset(new - old)))
        if old - new:
            parts.append("-" + show(frozenset(old - new)))
        return [(path, " ".join(parts) + f"  = {show(new)}")]
    return [(path, f"{show(old)} -> {show(new)}")]


def _outside(model, state) -> bool:
    """Does `state` lie outside the model's state constraint (its successors unexplored)?"""
    if not model.has_constraint:
        return False
    try:
        return not model.within_constraint(state)
    except Exception:   # noqa: BLE001 - a failing constraint is reported by the search itself
        return False


def origin_text(origin) -> str:
    return where(origin)


def trace_lines(model, trace: Trace, indent: str = "  ", where_text=origin_text) -> list[str]:
    """`where_text(origin)`: how a step's spec location is written (the CI reports name
    files relative to the repository: checker/report/places.py)."""
    lines = []
    prev = None
    width = max((len(s.action or "") for s in trace.steps), default=0)
    width = max(width, len("(initial state)"))
    for n, step in enumerate(trace.steps, 1):
        state = model.describe(step.state)
        where = where_text(model.actions[step.label[0]].origin) if step.label is not None else ""
        name = step.action if step.action is not None else "(initial state)"
        marker = "  <- loop starts here" if trace.loop_start is not None and n - 1 == trace.loop_start else ""
        lines.append(f"{indent}{n:>3}  {name:<{width}}  {where}{marker}".rstrip())
        if prev is None:
            for var, value in state.items():
                lines.append(f"{indent}       {var} = {show(value)}")
        else:
            diffs = [d for var in state for d in changes(var, prev[var], state[var])]
            if not diffs:
                lines.append(f"{indent}       (no change)")
            for path, text in diffs:
                lines.append(f"{indent}       {path}: {text}" if "->" in text or text.startswith("(")
                             else f"{indent}       {path} {text}")
        if _outside(model, step.state):
            in_loop = trace.loop_start is not None and n - 1 >= trace.loop_start
            lines.append(f"{indent}       (outside the state constraint: its successors were not explored"
                         + ("; the loop may be an artefact of the bound)" if in_loop else ")"))
        prev = state
    if trace.loop_start is not None:
        # A lasso's last state is its loop's first again (engine.result.Trace).
        lines.append(f"{indent}       ... state {len(trace.steps)} is state {trace.loop_start + 1} "
                     "again: the loop repeats forever")
    return lines
