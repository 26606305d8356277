"""A Report as GitHub Actions workflow commands (`check --format github`).

Input: `api.Report`. Output: lines `::error file=...,line=...,endLine=...,col=...,
endColumn=...,title=...::message` that GitHub turns into annotations on the spec. For every
variant x property that is not what the variant declares (checker.report.cases):
- one at the property's declaration, whose message is the mismatch and the counterexample;
- when there is a counterexample, one at the action of its last step (the step that broke
  the property).
A variant whose model failed to evaluate an expression also gets one at that expression.
Properties that are violated as declared (`expect violated`) give no annotation: they are
the known bugs the spec is meant to keep catching. Each model-quality warning a variant does
not acknowledge (checker/quality.py) is a `::warning` at the place it points at, once for
all the variants that have it. Nothing is printed when every case passes and no warning is
left.

Escaping follows the runner's rules: in the message %, CR and LF are %-encoded; in the
properties also ':' and ','.
"""
from __future__ import annotations

from checker.report.cases import Case, Place, place, report_cases


def github_commands(report) -> list[str]:
    out: list[str] = []
    for case in report_cases(report):
        if case.passed:
            continue
        out.extend(_case_commands(case))
    for r in report.results:
        f = r.result.failure
        where = place(f.origin) if f is not None else None
        if f is not None:
            out.append(command("error", where, f"kovn: {r.variant.name}: the model failed",
                               f"{f.message} (variant {r.variant.name})"))
    return out + _warning_commands(report)


def _warning_commands(report) -> list[str]:
    """One `::warning` per unacknowledged warning, naming the variants that have it."""
    seen: dict = {}
    for r in report.results:
        for w in r.warnings:
            key = (w.code, w.message, w.span.path if w.span else None, w.span.start if w.span else None)
            seen.setdefault(key, (w, []))[1].append(r.variant.name)
    out = []
    for w, variants in seen.values():
        title = f"kovn {w.code}: {report.spec} variant{'s' if len(variants) > 1 else ''} {', '.join(variants)}"
        out.append(command("warning", place(w.span) if w.span is not None else None, title,
                           w.message + (f"\n{w.hint}" if w.hint else "")))
    return out


def _case_commands(case: Case) -> list[str]:
    title = f"kovn: {case.spec} variant {case.variant}" + (f": {case.prop}" if case.prop else "")
    body = "\n".join((case.message,) + case.trace)
    lines = [command("error", case.where, title, body)]
    if case.step is not None:
        lines.append(command("error", case.step, f"kovn: the step that breaks {case.prop} (variant {case.variant})",
                             f"{case.step_action} is the last step of the counterexample. {case.message}"))
    return lines


def command(level: str, where: Place | None, title: str, message: str) -> str:
    """One workflow command; without a place it annotates the run, not a file."""
    props = []
    if where is not None:
        props += [f"file={_prop(where.path)}", f"line={where.line}", f"endLine={where.end_line}"]
        if where.line == where.end_line:   # columns are only meaningful on one line
            props += [f"col={where.col}", f"endColumn={where.end_col}"]
    props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
