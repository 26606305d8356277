"""Why a lasso's loop can go on forever: fairness in the loop, waiting processes, queues.

Input: the model (an engine Model that is also a `SpecSource`) and a lasso `Trace` (its
last state is its loop's first again). Output: a `LoopNote` (results.py):
- for every fairness constraint instance enabled somewhere in the loop (the engine's
  FairnessInfo groups, asked of the model's successors in each loop state; a step back to
  the same state is a stutter and enables nothing): in how many loop states it is enabled
  and whether the loop takes it. A fair lasso takes every weakly fair one enabled
  throughout; those enabled only in some states are why the loop stays fair;
- every process instance that takes no step in the loop: its place and the `require` that
  is false there, with the values it read (the recording interpreter, recorder.py), and
  whether a fairness constraint covers its process;
- for a spec with a variable `queue` (a map of queues, the k8s library's), what each
  holds in the loop's first state.
"""
from __future__ import annotations

from typing import Any

from checker.analysis.recorder import Recorder, _display
from checker.analysis.results import FairGroup, LoopNote, Waiting
from checker.engine.result import Trace
from checker.semantics import types as T
from checker.semantics.display import show


def explain_loop(model: Any, trace: Trace) -> LoopNote | None:
    """The loop of the lasso `trace` explained (module docstring); None for a finite trace."""
    start = trace.loop_start
    if start is None:
        return None
    loop = list(range(start, len(trace.steps) - 1)) or [start]
    states = [trace.steps[i].state for i in loop]
    steps = trace.steps
    taken = [steps[i].label for i in range(start + 1, len(steps))
             if steps[i].label is not None and steps[i].state != steps[i - 1].state]
    return LoopNote(_fair(model, states, taken), _waiting(model, trace, start, taken), *_queues(model, states[0]))


def _fair(model: Any, states: list, taken: list) -> tuple[FairGroup, ...]:
    enabled: dict[tuple[int, Any], set[int]] = {}
    names: dict[tuple[int, Any], str] = {}
    for k, state in enumerate(states):
        for label, nxt in model.successors(state):
            if nxt == state:
                continue
            for fi, f in enumerate(model.fairness):
                key = f.group(label)
                if key is not None:
                    enabled.setdefault((fi, key), set()).add(k)
                    names.setdefault((fi, key), _who(model, label))
    out = []
    for (fi, key), where in enabled.items():
        f = model.fairness[fi]
        took = any(f.group(label) == key for label in taken)
        out.append(FairGroup(names[(fi, key)], f.strength, len(where), len(states), took))
    return tuple(sorted(out, key=lambda g: (g.taken, g.enabled == g.states, g.who)))


def _who(model: Any, label: Any) -> str:
    """`PodDel(1)` for a process step, the action instance (`Deliver(pods)`) otherwise."""
    action = model.spec.actions[label[0]]
    text = model.format_label(label)
    if action.process:
        inner = text.split("(", 1)[1].split(",")[0].rstrip(")") if "(" in text else ""
        return f"{action.process}({inner})"
    return text


def _waiting(model: Any, trace: Trace, start: int, taken: list) -> tuple[Waiting, ...]:
    spec = model.spec
    plain = model.plain_state(trace.steps[start].state)
    moved = {(spec.actions[label[0]].process, _first(model, label)) for label in taken
             if spec.actions[label[0]].process}
    fair_actions = {i for f in spec.fairness for i in f.actions}
    rec = Recorder(spec, model.max_solutions)
    out = []
    for var in spec.vars:
        if not var.name.endswith(".pc") or not isinstance(var.t, T.MapT):
            continue
        process = var.name.removesuffix(".pc")
        for key, place in plain[var.name].items():
            shown_key = _display(var.t.key, key)
            at = show(_display(var.t.value, place))
            if (process, shown_key) in moved or at == "done":
                continue
            index = next((i for i, a in enumerate(spec.actions) if a.process == process and a.label == at), None)
            blocked = None
            if index is not None:
                blocked = _blocked(rec, index, key, plain)
            fair = any(i in fair_actions for i, a in enumerate(spec.actions) if a.process == process)
            out.append(Waiting(f"{process}({show(shown_key)})", at, blocked, fair))
    return tuple(out)


def _first(model: Any, label: Any) -> Any:
    """The process instance of a process step's label, shown as the pc's keys are."""
    action = model.spec.actions[label[0]]
    p = action.params[0]
    return _display(p.t, T.to_plain(p.t, label[1][0]))


def _blocked(rec: Recorder, index: int, key: Any, plain: dict):
    """The false `require` of the process step `index` for the instance `key`."""
    action = rec.spec.actions[index]
    try:
        for params in rec.param_values(action, plain):
            if params and params[0] == key:
                return rec.blocked(index, params, plain)
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - decoration only (reads.py)
        return None
    return None


def _queues(model: Any, state: Any) -> tuple[tuple[str, ...], bool]:
    shown = model.describe(state)
    queue = shown.get("queue")
    if not isinstance(queue, dict):
        return (), False
    return tuple(f"{show(k)} = {show(v)}" for k, v in queue.items() if v), True
