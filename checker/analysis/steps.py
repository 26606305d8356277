"""What each step of a trace decided, and what it left as it was.

Input: a compiled model (`SpecSource`) and a `Trace`. Output: per step its reads (as
reads.py gives them) and a `StepNote` (results.py): the branches it took with the values
the conditions read and the choices it made (re-run in the recording interpreter,
recorder.py), whether it changed nothing but its process's place (or nothing at all), and
which process instances stand in the middle of a handler after it ("PodAdd(1) at
patchPod": not at the place where they started).
"""
from __future__ import annotations

from checker.analysis.recorder import Recorder, _display
from checker.analysis.results import Read, StepNote
from checker.analysis.source import SpecSource
from checker.engine.result import Trace
from checker.semantics import types as T
from checker.semantics.display import show


def step_trails(model: SpecSource, trace: Trace) -> tuple[tuple[frozenset[Read], ...], tuple[StepNote, ...]]:
    """Per step of `trace`: the places it read and its note (the first step: none)."""
    rec = Recorder(model.spec, model.max_solutions)
    states = [model.plain_state(s.state) for s in trace.steps]
    pcs = [v.name for v in model.spec.vars if v.name.endswith(".pc")]
    reads: list[frozenset[Read]] = [frozenset()]
    notes: list[StepNote] = [StepNote()]
    for i in range(1, len(trace.steps)):
        label = trace.steps[i].label
        decided: tuple = ()
        got: frozenset[Read] = frozenset()
        if label is not None:                 # a stuttering step reads and decides nothing
            try:
                got, decided = rec.trail_of_step(label, states[i - 1], states[i])
            except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
                raise
            except Exception:                 # noqa: BLE001 - decoration only (reads.py)
                got, decided = frozenset(), ()
        reads.append(got)
        notes.append(StepNote(decided, _unchanged(model.spec, states[i - 1], states[i], pcs),
                              _paused(model.spec, states[0], states[i], pcs)))
    return tuple(reads), tuple(notes)


def _unchanged(spec, before: dict, after: dict, pcs: list[str]) -> str:
    """"nothing" when the step changed no variable; where its process moved to when it
    changed nothing else; "" when it changed something."""
    moved = [v for v in before if before[v] != after[v]]
    if not moved:
        return "nothing"
    if not all(v in pcs for v in moved):
        return ""
    types = {v.name: v.t for v in spec.vars}
    out = []
    for v in moved:
        t = types[v]
        a, b = before[v], after[v]
        if isinstance(t, T.MapT) and isinstance(a, dict) and isinstance(b, dict):
            out += [f"{v.removesuffix('.pc')}({show(_display(t.key, k))}) to {show(_display(t.value, b[k]))}"
                    for k in b if a.get(k) != b[k]]
        else:
            out.append(f"{v.removesuffix('.pc')} to {show(_display(t, b))}")
    return ", ".join(out)


def _paused(spec, first: dict, now: dict, pcs: list[str]) -> tuple[str, ...]:
    """Process instances not at their starting place (nor done): mid-handler."""
    types = {v.name: v.t for v in spec.vars}
    out = []
    for v in pcs:
        t, start, cur = types[v], first.get(v), now.get(v)
        if not (isinstance(t, T.MapT) and isinstance(cur, dict) and isinstance(start, dict)):
            continue
        for k, place in cur.items():
            at = show(_display(t.value, place))
            if place != start.get(k) and at != "done":
                out.append(f"{v.removesuffix('.pc')}({show(_display(t.key, k))}) at {at}")
    return tuple(out)
