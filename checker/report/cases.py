"""One test case per variant x property: the unit that CI outputs report on.

Input: an `api.VariantResult` (or a whole `api.Report`). Output: `Case` values, one per
property the variant checked (the deadlock check is a property named "deadlock"), in the
order the report lists them. A variant that checks no property at all still gives one case
(property None) so that CI sees it: it passes when the exploration completes.

A case passes when its property's status is what the variant declares: violated if the
property is named in `expect violated ...`, holds otherwise (the same rule as
`api.expectation`). Used by the pytest plugin, JUnit, GitHub annotations and SARIF, so all
four agree on what failed and where.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.engine.result import PropertyResult, Status, Verdict
from checker.render.text import changes, trace_lines
from checker.semantics.types import show


@dataclass(frozen=True, slots=True)
class Place:
    """A spec location: path as CI tools want it (relative to the working directory when
    the file lies below it), 1-based line and column of the start and of the end."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def text(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Case:
    spec: str                    # the spec path the report was made for
    variant: str
    prop: str | None             # None: the variant checks no property
    kind: str                    # "invariant" | "action" | "reachable" | "deadlock" | "liveness" | "variant"
    status: Status | None        # None: the variant expects it violated but did not check it
    expected: Status             # HOLDS or VIOLATED
    passed: bool
    message: str                 # one line: what was expected and what happened
    where: Place | None          # the property's declaration
    step: Place | None           # the action of the last step of the counterexample
    step_action: str | None      # that step's action instance, e.g. "PodDel.release(0)"
    trace: tuple[str, ...]       # the counterexample, line for line as the terminal report prints it
    seconds: float               # the variant's exploration time
    result: Any = field(default=None, compare=False, repr=False)   # the api.VariantResult
    prop_result: PropertyResult | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        """`variant::property` (just `variant` when it checks no property)."""
        return self.variant if self.prop is None else f"{self.variant}::{self.prop}"


def report_cases(report) -> tuple[Case, ...]:
    return tuple(c for r in report.results for c in variant_cases(r, report.spec))


def variant_cases(vr, spec: str | None = None) -> tuple[Case, ...]:
    """The cases of one variant's result; `spec` defaults to the variant's own file."""
    spec = spec or (vr.variant.span.path if vr.variant.span is not None else vr.model.spec.name)
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
    trace, step, action = (), None, None
    if p.trace is not None and p.kind != "reachable":
        trace = tuple(counterexample_lines(vr.model, p))
        step, action = _last_step(vr.model, p.trace)
    elif not passed and vr.result.failure is not None:
        trace = _failure_trace(vr)
    return Case(spec, vr.variant.name, p.name, p.kind, p.status, expected, passed,
                _message(vr, p, expected), place(p.origin), step, action, trace,
                vr.result.stats.seconds, vr, p)


def _unchecked(vr, spec: str, name: str) -> Case:
    why = ("deadlocks are not checked (the spec allows them)" if name == "deadlock"
           else "the variant does not check it")
    return Case(spec, vr.variant.name, name, "deadlock" if name == "deadlock" else "unknown", None,
                Status.VIOLATED, False, f"{name}: expected to be violated, but {why}",
                place(vr.variant.span), None, None, (), vr.result.stats.seconds, vr)


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
    if res.stopped == "violation":
        return "the search stopped at the first violation (stop-at-first)"
    return "the search did not finish"


def _failure_trace(vr) -> tuple[str, ...]:
    f = vr.result.failure
    if f is None or f.trace is None:
        return ()
    return tuple(["  trace to the state where it failed:"] + trace_lines(vr.model, f.trace, "  "))


def counterexample_lines(model, p: PropertyResult) -> list[str]:
    """The counterexample of `p` exactly as the terminal report prints it (no markup)."""
    t = p.trace
    loop = f", loop from state {t.loop_start + 1}" if t.loop_start is not None else ""
    which = f" with {p.instance}" if getattr(p, "instance", None) else ""
    return [f"  counterexample for {p.name}{which} ({len(t)} states{loop}):"] + trace_lines(model, t, "  ")


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


def _last_step(model, trace) -> tuple[Place | None, str | None]:
    """The last step taken by an action: the one that broke the property."""
    for step in reversed(trace.steps):
        if step.label is not None:
            return place(model.actions[step.label[0]].origin), step.action
    return None, None


def place(origin) -> Place | None:
    """A span (anything with .source, .start, .end) as a `Place`; None when there is none."""
    if origin is None or not hasattr(origin, "source"):
        return None
    line, col = origin.source.line_col(origin.start)
    end_line, end_col = origin.source.line_col(origin.end)
    if (end_line, end_col) <= (line, col):
        end_line, end_col = line, col + 1
    return Place(ci_path(origin.path), line, col, end_line, end_col)


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
