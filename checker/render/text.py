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
from checker.semantics.display import Record, show

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


HIDE = {
    "pc": "the processes' places (variables P.pc)",
    "locals": "the processes' own variables (P.x)",
    "initial": "the initial state's values",
    "decisions": "the branches each step took",
    "paused": "the handlers stopped mid-way",
    "formula": "the property's formula, its failing elements and sub-expressions",
    "cause": "the causal slice, the minimal sub-trace and the race; why a loop lasts",
    "unrelated": "steps outside the causal slice (folded to one line)",
}


def hidden(name: str, hide: frozenset) -> bool:
    """Is the variable `name` hidden by `hide` (its name, or pc / locals)?"""
    if name in hide:
        return True
    if "." in name:
        return "locals" in hide or ("pc" in hide and name.endswith(".pc"))
    return False


def trace_lines(model, trace: Trace, indent: str = "  ", where_text=origin_text,
                analysis: Any = None, hide: frozenset = frozenset()) -> list[str]:
    """`where_text(origin)`: how a step's spec location is written (the CI reports name
    files relative to the repository: checker/report/places.py). `analysis`: the trace's
    TraceAnalysis (checker/analysis), whose decisions, paused handlers and cause are shown;
    `hide`: variable names and the categories of HIDE left out."""
    lines = []
    prev = None
    width = max((len(s.action or "") for s in trace.steps), default=0)
    width = max(width, len("(initial state)"))
    notes = analysis.notes if analysis is not None and analysis.notes else ()
    cause = analysis.cause if analysis is not None else None
    fold = cause.slice if cause is not None and "unrelated" in hide else None
    folded = 0
    paused_shown: tuple = ()
    for n, step in enumerate(trace.steps, 1):
        state = model.describe(step.state)
        if fold is not None and n > 1 and n - 1 not in fold and n != len(trace.steps):
            folded += 1
            prev = state
            continue
        if folded:
            lines.append(f"{indent}       ... {folded} step{'s' if folded > 1 else ''} not in the causal slice")
            folded = 0
        where = where_text(model.actions[step.label[0]].origin) if step.label is not None else ""
        name = step.action if step.action is not None else "(initial state)"
        marker = "  <- loop starts here" if trace.loop_start is not None and n - 1 == trace.loop_start else ""
        lines.append(f"{indent}{n:>3}  {name:<{width}}  {where}{marker}".rstrip())
        if prev is None:
            if "initial" not in hide:
                for var, value in state.items():
                    if not hidden(var, hide):
                        lines.append(f"{indent}       {var} = {show(value)}")
        else:
            diffs = [d for var in state for d in changes(var, prev[var], state[var])]
            note = notes[n - 1] if n - 1 < len(notes) else None
            if not diffs:
                lines.append(f"{indent}       (no change)")
            elif note is not None and note.unchanged:
                lines.append(f"{indent}       (changed nothing but where it stands: {note.unchanged})")
            for path, text in diffs:
                if hidden(path.split("[", 1)[0], hide):
                    continue
                lines.append(f"{indent}       {path}: {text}" if "->" in text or text.startswith("(")
                             else f"{indent}       {path} {text}")
            if note is not None:
                if "decisions" not in hide:
                    lines.extend(f"{indent}       {x}" for x in decision_lines(note, where_text))
                own = step.action.split("(", 1)[0].split(".", 1)[0] if step.action else ""
                others = tuple(p for p in note.paused if not p.startswith(own + "("))
                if "paused" not in hide and others and others != paused_shown:
                    lines.append(f"{indent}       (paused mid-handler: {', '.join(others)})")
                paused_shown = others
        if _outside(model, step.state):
            in_loop = trace.loop_start is not None and n - 1 >= trace.loop_start
            lines.append(f"{indent}       (outside the state constraint: its successors were not explored"
                         + ("; the loop may be an artefact of the bound)" if in_loop else ")"))
        prev = state
    if trace.loop_start is not None:
        # A lasso's last state is its loop's first again (engine.result.Trace).
        lines.append(f"{indent}       ... state {len(trace.steps)} is state {trace.loop_start + 1} "
                     "again: the loop repeats forever")
    formula = analysis.formula if analysis is not None else None
    if formula is not None and "formula" not in hide:
        lines.extend(f"{indent}  {x}" for x in formula_lines(formula))
    if cause is not None and "cause" not in hide:
        lines.extend(f"{indent}  {x}" for x in cause_lines(cause, trace))
    loop = analysis.loop if analysis is not None else None
    if loop is not None and "cause" not in hide:
        lines.extend(f"{indent}  {x}" for x in loop_lines(loop))
    return lines


def blocked_text(d) -> str:
    """What holds a step: `Subnet in queue[subnetQ] is false`, `queue[addIP] is empty`."""
    return d.cond if d.choice else f"{d.cond} is false"


def loop_lines(loop) -> list[str]:
    """Why a lasso's loop can go on forever (checker/analysis/lasso.py) in words."""
    out = ["why the loop can go on forever under the fairness assumed:"]
    taken = [g.who for g in loop.fair if g.taken]
    if taken:
        out.append("  fair and taken in the loop: " + ", ".join(taken))
    for g in loop.fair:
        if not g.taken:
            out.append(f"  {g.who} ({g.strength}ly fair) is enabled in {g.enabled} of the loop's {g.states} "
                       "states and never taken: " + ("it is not enabled throughout, so weak fairness does "
                                                     "not force it" if g.enabled < g.states else
                                                     "enabled throughout (an unfair loop)"))
    if not loop.fair:
        out.append("  no fair action is enabled anywhere in the loop")
    for w in loop.waiting:
        why = f": {blocked_text(w.blocked)}" + (f" ({'; '.join(w.blocked.seen)})" if w.blocked.seen else "") \
            if w.blocked is not None else ""
        out.append(f"  {w.who} waits at {w.at}{why}" + ("" if w.fair else " (not fair)"))
    if loop.has_queues:
        out.append("  queues: " + (", ".join(loop.queues) if loop.queues else "all empty"))
    return out


def shown_decisions(note) -> list:
    """The decisions worth a reader's time: written in the spec itself (not inlined from
    the library), and either a choice among several or a branch on the state (a branch
    on a value the step computed repeats what its change lines say)."""
    return [d for d in note.decisions if not d.library and (d.choice or d.seen)]


def decision_text(d, width: int = 60) -> str:
    """`if cached(Subnet): false (cache[Subnet] = absent)`, each value read clipped."""
    if d.choice:
        return f"chose {d.cond} = {d.value}"
    seen = "; ".join(x if len(x) <= width else x[:width - 1] + "…" for x in d.seen)
    return f"if {d.cond}: {'true' if d.value else 'false'}" + (f" ({seen})" if seen else "")


def decision_short(d, width: int = 44) -> str:
    """A decision in a box: `if keepMembers(cache[F…]) → false` (the value always shown)."""
    value = d.value if d.choice else ("true" if d.value else "false")
    head = f"chose {d.cond}" if d.choice else f"if {d.cond}"
    tail = f" = {value}" if d.choice else f" → {value}"
    room = max(width - len(tail), 8)
    return (head if len(head) <= room else head[:room - 1] + "…") + tail


def decision_lines(note, where_text=origin_text) -> list[str]:
    """A step's decisions (shown_decisions), one a line, with where each is written."""
    return [f"{decision_text(d)}  {where_text(d.origin)}".rstrip() for d in shown_decisions(note)]


def formula_lines(formula) -> list[str]:
    """The violated formula, every failing element of its `forall`, and why (formula.py)."""
    out = [f"the formula: {formula.text}"]
    if formula.failing:
        n = len(formula.failing)
        out.append(f"  fails for {'; '.join(formula.failing)}" + (f" ({n} elements)" if n > 1 else ""))
    out += [f"  because {c}" for c in formula.culprits]
    return out


def cause_lines(cause, trace: Trace) -> list[str]:
    """The cause of a safety violation (checker/analysis/cause.py) in words."""
    def steps(xs) -> str:
        return ", ".join(str(i + 1) for i in xs)
    n = (cause.upto if cause.upto >= 0 else len(trace.steps) - 1)
    out = [f"how the trace reaches {cause.target}:"] if cause.target else []
    what = "what the premise reads there" if cause.target else "what the violation reads"
    out.append(f"causal slice: steps {steps(cause.slice)} ({len(cause.slice)} of {n}; "
               f"the others do not touch {what})")
    if cause.minimal is not None:
        out.append(f"minimal sub-trace: steps {steps(cause.minimal)} still "
                   + ("get there" if cause.target else "violate") + " when replayed (none of them can be left out)")
    if cause.race is not None:
        out.append(cause.race.text)
    elif cause.minimal is not None and cause.racy:
        out.append("no race found: no move of up to 3 of these steps across another replays without "
                   + ("getting there" if cause.target else "the violation")
                   + " (what avoids it is a step the trace does not take)")
    if cause.note:
        out.append(f"({cause.note})")
    return out
