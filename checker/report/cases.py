"""One test case per variant x property: the unit that CI outputs report on.

Input: an `api.VariantResult` (or a whole `api.Report`). Output: `Case` values, one per
property the variant checked (the deadlock check is a property named "deadlock"), in the
order the report lists them. A variant that checks no property at all still gives one case
(property None) so that CI sees it: it passes when the exploration completes.

A case passes when its property's status is what the variant declares: violated if the
property is named in `expect violated ...`, holds otherwise (the same rule as
`api.expectation`). Used by the pytest plugin, JUnit, GitHub annotations and SARIF, so all
four agree on what failed and where: the property at the user's line (a property of the
library at the line that brought it in, checker/report/places.py) and the step that
matters, the last one of a finite counterexample (the step that broke the property) or,
for a lasso, the step that enters the loop.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.engine.result import PropertyResult, Status, Trace, Verdict
from checker.analysis.analyse import analyse
from checker.render.text import changes, trace_lines
from checker.report.places import Place, place, report_path, shown_origin, user_span
from checker.semantics.display import show

__all__ = ["Case", "Place", "place", "ci_path", "report_cases", "variant_cases", "counterexample_lines",
           "trace_steps", "trace_summary"]

SUMMARY_STEPS = 12      # steps an annotation lists at most (the rest is in the artefacts)


@dataclass(frozen=True, slots=True)
class Case:
    spec: str                    # the spec the report was made for, repository-relative
    variant: str
    prop: str | None             # None: the variant checks no property
    kind: str                    # "invariant" | "action" | "reachable" | "deadlock" | "liveness" | "variant"
    status: Status | None        # None: the variant expects it violated but did not check it
    expected: Status             # HOLDS or VIOLATED
    passed: bool
    message: str                 # one line: what was expected and what happened
    where: Place | None          # the property, at the user's line (places.user_span)
    step: Place | None           # the step that matters: the last one, or the loop's entry of a lasso
    step_action: str | None      # that step's action instance, e.g. "PodDel.release(0)"
    trace: tuple[str, ...]       # the counterexample, line for line as the terminal report prints it
    seconds: float               # the variant's time: parse, compile and search
    result: Any = field(default=None, compare=False, repr=False)   # the api.VariantResult
    prop_result: PropertyResult | None = field(default=None, compare=False, repr=False)
    declared: Place | None = None    # the declaration in the library, when `where` is the user's line
    loop: int | None = None          # a lasso: the number of the state its loop starts at
    step_number: int | None = None   # the number of `step` in the counterexample
    summary: tuple[str, ...] = ()    # the counterexample's steps, at most SUMMARY_STEPS of them

    @property
    def name(self) -> str:
        """`variant::property` (just `variant` when it checks no property)."""
        return self.variant if self.prop is None else f"{self.variant}::{self.prop}"


def report_cases(report) -> tuple[Case, ...]:
    return tuple(c for r in report.results for c in variant_cases(r, report.spec))


def variant_cases(vr, spec: str | None = None) -> tuple[Case, ...]:
    """The cases of one variant's result; `spec` defaults to the variant's own file."""
    spec = spec or (vr.variant.span.path if vr.variant.span is not None else vr.model.spec.name)
    spec = report_path(spec) if spec.endswith(".kovn") else spec
    res = vr.result
    out = [_case(vr, spec, p) for p in res.properties]
    checked = {p.name for p in res.properties}
    out += [_unchecked(vr, spec, name) for name in vr.variant.expect_violated if name not in checked]
    if not out:
        out.append(_variant_only(vr, spec))
    return tuple(out)


def _case(vr, spec: str, p: PropertyResult) -> Case:
    expected = Status.VIOLATED if p.name in vr.variant.expect_violated else Status.HOLDS
    passed = p.status is expected
    trace: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    step, action, number = None, None, None
    if p.trace is not None and p.kind != "reachable":
        trace = tuple(counterexample_lines(vr.model, p))
        summary = tuple(trace_summary(vr.model, p.trace))
        number, step, action = _step_that_matters(vr.model, p.trace)
    elif not passed and vr.result.failure is not None:
        trace = _failure_trace(vr)
    where, declared = _property_places(vr.variant, p.name, p.origin)
    loop = p.trace.loop_start + 1 if p.trace is not None and p.trace.loop_start is not None else None
    return Case(spec, vr.variant.name, p.name, p.kind, p.status, expected, passed,
                _message(vr, p, expected), where, step, action, trace,
                vr.result.stats.seconds, vr, p, declared, loop, number, summary)


def _property_places(variant, name: str, origin) -> tuple[Place | None, Place | None]:
    """(where to report the property, its declaration in the library when that differs)."""
    at = user_span(origin, variant, name)
    if at is origin:
        return place(origin), None
    return place(at if at is not None else origin), place(origin)


def _unchecked(vr, spec: str, name: str) -> Case:
    why = ("deadlocks are not checked (the spec allows them)" if name == "deadlock"
           else "the variant does not check it")
    mention = next((at for n, at in vr.variant.mentions if n == name), vr.variant.span)
    return Case(spec, vr.variant.name, name, "deadlock" if name == "deadlock" else "unknown", None,
                Status.VIOLATED, False, f"{name}: expected to be violated, but {why}",
                place(mention), None, None, (), vr.result.stats.seconds, vr)


def _variant_only(vr, spec: str) -> Case:
    res = vr.result
    passed = res.verdict is Verdict.OK
    if passed:
        message = f"explored completely: {res.stats.distinct:,} distinct states (the variant checks no property)"
    else:
        message = f"the exploration did not complete: {_why_incomplete(res)}"
    return Case(spec, vr.variant.name, None, "variant", None, Status.HOLDS, passed, message,
                place(vr.variant.span), None, None, _failure_trace(vr), res.stats.seconds, vr)


def _message(vr, p: PropertyResult, expected: Status) -> str:
    res = vr.result
    shown = _shown_status(p)
    if p.status is expected:
        return f"{p.name}: {shown}, as expected"
    want = "be violated" if expected is Status.VIOLATED else "hold"
    if p.status is Status.UNKNOWN:
        return f"{p.name}: expected to {want}, but it is undecided: {_why_incomplete(res)}"
    return f"{p.name}: expected to {want}, but it {'holds' if p.status is Status.HOLDS else 'is ' + shown}"


def _shown_status(p: PropertyResult) -> str:
    if p.status is Status.HOLDS:
        return "reached" if p.kind == "reachable" else "holds"
    if p.status is Status.VIOLATED:
        if p.kind == "reachable":
            return "never reached"
        return f"violated ({len(p.trace)} states)" if p.trace is not None else "violated"
    return "unknown"


def _why_incomplete(res) -> str:
    if res.failure is not None:
        return f"the model failed to evaluate an expression: {res.failure.message}"
    if res.limit is not None:
        return f"the search stopped at {res.limit}"
    if res.undecided is not None:
        return res.undecided
    if res.stopped == "violation":
        return "the search stopped at the first violation (stop-at-first)"
    return "the search did not finish"


def _failure_trace(vr) -> tuple[str, ...]:
    f = vr.result.failure
    if f is None or f.trace is None:
        return ()
    return tuple(["  trace to the state where it failed:"] + trace_lines(vr.model, f.trace, "  ", shown_origin))


def counterexample_lines(model, p: PropertyResult) -> list[str]:
    """The counterexample of `p` as the terminal report prints it (no markup), its spec
    locations as the CI reports name files (checker/report/places.py)."""
    t = p.trace
    assert t is not None        # a counterexample to show
    loop = f", loop from state {t.loop_start + 1}" if t.loop_start is not None else ""
    which = f" with {p.instance}" if p.instance else ""
    return ([f"  counterexample for {p.name}{which} ({len(t)} states{loop}):"]
            + trace_lines(model, t, "  ", shown_origin, analyse(model, t, p)))


def trace_summary(model, trace: Trace, limit: int = SUMMARY_STEPS) -> list[str]:
    """The steps of a counterexample, one line each (number, action, spec line; what changed
    is left to the full trace), at most `limit` of them: the first state, then the last
    steps, and all of a lasso's loop that fits; the steps left out are counted."""
    lines = []
    for n, step in enumerate(trace.steps, 1):
        where = shown_origin(model.actions[step.label[0]].origin) if step.label is not None else ""
        name = step.action if step.action is not None else "(initial state)"
        mark = "  <- loop starts here" if trace.loop_start is not None and n - 1 == trace.loop_start else ""
        lines.append(f"{n:>3}  {name}  {where}{mark}".rstrip())
    if len(lines) <= limit:
        return lines
    tail = lines[-(limit - 2):]
    return [lines[0], f"     ... {len(lines) - len(tail) - 1} steps ..."] + tail


def trace_steps(model, trace) -> list[tuple[Place | None, str]]:
    """Each step of `trace` as (the spec place of its action, one line of text): its
    number, its action and what changed (every variable for the initial state)."""
    out: list[tuple[Place | None, str]] = []
    prev = None
    for n, step in enumerate(trace.steps, 1):
        state = model.describe(step.state)
        if prev is None:
            what = ", ".join(f"{var} = {show(value)}" for var, value in state.items())
            out.append((None, f"{n}: (initial state) {what}".rstrip()))
        else:
            diffs = [f"{path}: {text}" if "->" in text or text.startswith("(") else f"{path} {text}"
                     for var in state for path, text in changes(var, prev[var], state[var])]
            where = place(model.actions[step.label[0]].origin) if step.label is not None else None
            out.append((where, f"{n}: {step.action}: " + ("; ".join(diffs) or "(no change)")))
        prev = state
    return out


def _step_that_matters(model, trace) -> tuple[int | None, Place | None, str | None]:
    """(its number, its action's place, its action) of the step to point at: for a lasso the
    step that enters the loop (the behaviour that violates a liveness property is the whole
    loop, repeated forever, not its last step); otherwise the last step taken by an action,
    the one that broke the property."""
    steps = trace.steps
    if trace.loop_start is not None:
        loop = range(trace.loop_start, len(steps))
        # the step into the loop's first state; for a loop from the initial state, its first action
        candidates = [trace.loop_start] if trace.loop_start > 0 else list(loop)[1:]
    else:
        candidates = list(range(len(steps) - 1, -1, -1))
    for i in candidates:
        step = steps[i]
        if step.label is not None:
            return i + 1, _action_place(model, step), step.action
    return None, None, None


def _action_place(model, step) -> Place | None:
    """The place of a step's action: in the user's files (a library action, such as the
    informer's Deliver, at the import that brought it in)."""
    origin = model.actions[step.label[0]].origin
    at = user_span(origin)
    return place(at if at is not None else origin)


def ci_path(path: str) -> str:
    """`path` relative to the working directory when it lies below it (CI tools resolve
    paths against the checkout), with forward slashes; otherwise unchanged."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    return Path(os.path.normpath(p)).as_posix()
