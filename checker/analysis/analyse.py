"""The entry point of trace analysis: a trace and what it is a counterexample to, analysed.

Input: any Model, a Trace, and the violated property (an engine PropertyResult, or a
run-time error rendered as one: checker/render/diagram.py FailedEvaluation). Output: a
`TraceAnalysis` (results.py): the reads of every step and the explanation of the failure,
what each step decided (steps.py) and, for a safety violation, its cause (cause.py: the
causal slice, a minimal violating sub-trace and the deciding race, found by replay).
"""
from __future__ import annotations

from typing import Any

from checker.analysis.failure import explain_failure
from checker.analysis.cause import find_cause, trigger_cause
from checker.analysis.lasso import explain_loop
from checker.analysis.reads import explain, explain_temporal, premise_reads
from checker.analysis.steps import step_trails
from checker.analysis.formula import explain_formula
from checker.analysis.results import Explanation, Formula, TraceAnalysis
from checker.analysis.source import SpecSource, spec_source
from checker.engine.result import Trace


def analyse(model: object, trace: Trace, prop: Any) -> TraceAnalysis:
    """The reads of every step of `trace` and why `prop` fails on it. `prop`: a violated
    property (engine PropertyResult) or a run-time error rendered as one (its kind "error",
    its origin the failing expression's span)."""
    source = spec_source(model)
    if source is None:
        return TraceAnalysis(tuple(frozenset() for _ in trace.steps), None)
    reads, notes = step_trails(source, trace)
    explanation = _explanation(source, trace, prop)
    cause = None
    if explanation is not None and prop.kind in ("invariant", "action"):
        cause = find_cause(model, trace, prop, reads, explanation.reads)
    elif prop.kind == "liveness" and trace.loop_start is not None:
        cause = trigger_cause(model, trace, prop, reads,
                              lambda i: premise_reads(source, prop.name, prop.instance, trace.steps[i].state))
    loop = explain_loop(model, trace) if trace.loop_start is not None else None
    return TraceAnalysis(reads, explanation, notes, cause, loop, _formula(source, trace, prop))


def _formula(model: SpecSource, trace: Trace, prop: Any) -> Formula | None:
    """Why a violated invariant or action property is false (formula.py)."""
    ir_prop = next((p for p in model.spec.properties if p.name == prop.name), None) \
        if prop.kind in ("invariant", "action") else None
    if ir_prop is None:
        return None
    states = [model.plain_state(s.state) for s in trace.steps[-2:]]
    try:
        if prop.kind == "action" and len(states) == 2:
            return explain_formula(model.spec, ir_prop, states[0], states[1])
        return explain_formula(model.spec, ir_prop, states[-1], None)
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - decoration only (reads.py)
        return None


def _explanation(model: SpecSource, trace: Trace, prop: Any) -> Explanation | None:
    if prop.kind == "invariant":
        return explain(model, prop.name, trace.steps[-1].state)
    if prop.kind == "action" and len(trace.steps) > 1:
        return explain(model, prop.name, trace.steps[-2].state, trace.steps[-1].state)
    if prop.kind == "liveness":
        return explain_temporal(model, prop.name, prop.instance, trace.steps[-1].state)
    if prop.kind == "error":
        return explain_failure(model, prop.origin, trace)
    return None
