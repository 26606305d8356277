"""What a step of a trace read, and what a violated property looked at.

Input: a compiled model (`SpecSource`, source.py) and a `Trace`. Output: for each step the
`Read`s it made (places such as `cache[Subnet]`, or a whole variable), and, for a violated
property, the places its failing instance read (`explain`, `explain_temporal`): the
recording interpreter (recorder.py) re-runs each.

Everything here is best effort decoration for the renderers: a step the interpreter cannot
run (a construct it does not know yet) gives no reads rather than an error.
"""
from __future__ import annotations

from checker.analysis.recorder import Recorder
from checker.analysis.results import Explanation, Read
from checker.analysis.source import SpecSource
from checker.engine.model import State
from checker.engine.result import Trace
from checker.ir.interp import Ctx


def step_reads(model: SpecSource, trace: Trace) -> tuple[frozenset[Read], ...]:
    """Per step of `trace`, the places it read (the first step, the initial state: none)."""
    from checker.analysis.steps import step_trails
    return step_trails(model, trace)[0]


def explain(model: SpecSource, prop_name: str, state: State, nxt: State = None) -> Explanation | None:
    """The failing instance of invariant (or action property) `prop_name` in `state` (and
    `nxt`), with the places it read; None when it cannot be worked out."""
    prop = next((p for p in model.spec.properties if p.name == prop_name), None)
    if prop is None or prop.kind not in ("invariant", "action"):
        return None
    rec = Recorder(model.spec)
    before = model.plain_state(state)
    after = model.plain_state(nxt) if nxt is not None else None
    try:
        return rec.explain(prop.expr, before, after)
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - decoration only
        return None


def premise_reads(model: SpecSource, prop_name: str, instance: str | None, state: State) -> frozenset:
    """What the premise P of temporal property `prop_name` (`P leads to Q`; its instance
    named `instance`) reads in `state` (empty when it cannot be worked out)."""
    t = next((t for t in model.spec.temporals if t.name == prop_name), None)
    if t is None:
        return frozenset()
    rec = Recorder(model.spec)
    plain = model.plain_state(state)
    try:
        env = rec.instance_env(t.params, instance or "", plain)
        if env is None:
            return frozenset()
        rec.before, rec.quiet, rec.log = None, set(), []
        rec.eval(t.p, Ctx(plain, env))
        return frozenset(rec.log)
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - decoration only
        return frozenset()


def explain_temporal(model: SpecSource, prop_name: str, instance: str | None,
                     state: State) -> Explanation | None:
    """What temporal property `prop_name` (its instance named `instance`, as the engine names
    it: "n = Subnet") looks at in `state`: the reads of the predicate that never comes true
    (P, or Q for `P leads to Q`). None when it cannot be worked out."""
    t = next((t for t in model.spec.temporals if t.name == prop_name), None)
    if t is None:
        return None
    rec = Recorder(model.spec)
    plain = model.plain_state(state)
    try:
        env = rec.instance_env(t.params, instance or "", plain)
        if env is None:
            return None
        expr = t.q if t.kind == "leads_to" and t.q is not None else t.p
        rec.before, rec.quiet, rec.log = None, set(), []
        rec.eval(expr, Ctx(plain, env))
        return Explanation(instance or "", frozenset(rec.log))
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - decoration only
        return None
