"""A run's outcome as GitHub Actions workflow commands (`check --format github`).

Input: `outcome.Outcome` (or an `api.Report`). Output: lines `::error file=...,line=...,
endLine=...,col=...,endColumn=...,title=...::message` that GitHub turns into annotations on
the spec, always at a file of the user's repository (checker/report/places.py):

- A run stopped by diagnostics (a spec that does not compile, a failed assumption, an
  unknown --variant): one `::error` per error and one `::warning` per warning, at its line,
  with its code in the title and its notes and hint in the message.
- For every variant x property that is not what the variant declares
  (checker.report.cases): one at the property (a property of the library at the user's line
  that brought it in: the variant's `expect`/`properties` line or the `import`). Its
  message is short: the verdict, the counterexample's steps (at most
  cases.SUMMARY_STEPS of them, without the states) and where the full trace is (the
  rendered artefact with --render, else the job log). When there is a counterexample,
  one more at the step that matters: the last step of a finite counterexample (the step
  that broke the property) or, for a lasso, the step that enters the loop, whose message
  says that the behaviour loops there forever.
- A variant whose model failed to evaluate an expression (KOV501): one at that expression.
- Each model-quality warning a variant does not acknowledge (checker/quality.py): a
  `::warning` (an `::error` with --strict) at the place it points at, once for all the
  variants that have it.
- A run that fails without any of these (a limit before the search, an interrupt, an
  internal error): one `::error` without a file, with the run's summary. Nothing is printed
  when every case passes and no warning is left.

Escaping follows the runner's rules: in the message %, CR and LF are %-encoded; in the
properties also ':' and ','.
"""
from __future__ import annotations

from checker.diagnostics import Diagnostic, Severity
from checker.report import exitcodes
from checker.report.cases import Case, report_cases
from checker.report.outcome import Outcome, of_report, shared_warnings
from checker.report.places import Place, place, shown_origin, user_span

MAX_MESSAGE = 4000      # characters: GitHub cuts longer annotation messages


def github_commands(run) -> list[str]:
    outcome = run if isinstance(run, Outcome) else of_report(run)
    out = [diagnostic_command(d) for d in outcome.errors + outcome.warnings]
    report = outcome.report
    if report is not None:
        for case in report_cases(report):
            if not case.passed:
                out.extend(_case_commands(case, outcome.artefacts))
        for r in report.results:
            f = r.result.failure
            if f is not None:
                where, note = _at_user_line(f.origin)
                out.append(command("error", where, f"kovn KOV501: {outcome.spec} variant {r.variant.name}: "
                                   "the model failed", f"{f.message} (variant {r.variant.name}){note}"))
        out += _warning_commands(report, outcome.spec, "error" if outcome.strict else "warning")
    if outcome.code not in (exitcodes.OK, exitcodes.BASELINE_CHANGED) and not any(
            line.startswith("::error") for line in out):
        out.append(command("error", None, f"kovn: {outcome.spec}", outcome.summary))
    return out


def diagnostic_command(d: Diagnostic) -> str:
    """One diagnostic as an annotation at its line (a line of the library: at the user's
    line that brought it in, the library's line named in the message)."""
    where, note = _at_user_line(d.span)
    lines = [d.message + note]
    lines += [f"{label} at {shown_origin(span) or '?'}" for span, label in d.labels]
    lines += [f"note: {n}" for n in d.notes]
    if d.hint:
        lines.append(f"hint: {d.hint}")
    level = "error" if d.is_error else ("warning" if d.severity is Severity.WARNING else "notice")
    return command(level, where, f"kovn {d.code}", "\n".join(lines))


def _at_user_line(span) -> tuple[Place | None, str]:
    at = user_span(span)
    if at is span:
        return place(span), ""
    library = shown_origin(span)
    return place(at), (f" (in the library, {library})" if library else "")


def _warning_commands(report, spec: str, level: str) -> list[str]:
    """One command per unacknowledged warning, naming the variants that have it."""
    out = []
    for w, variants in shared_warnings(report):
        title = f"kovn {w.code}: {spec} variant{'s' if len(variants) > 1 else ''} {', '.join(variants)}"
        where, note = _at_user_line(w.span)
        out.append(command(level, where, title, w.message + note + (f"\n{w.hint}" if w.hint else "")))
    return out


def _case_commands(case: Case, artefacts: dict[str, str]) -> list[str]:
    title = f"kovn: {case.spec} variant {case.variant}" + (f": {case.prop}" if case.prop else "")
    body = [case.message]
    if case.declared is not None:
        body.append(f"{case.prop} is declared in the library at {case.declared.text()}")
    if case.summary:
        trace = case.prop_result.trace if case.prop_result is not None else None
        assert trace is not None        # a summary is of a counterexample
        body.append(f"counterexample ({len(trace)} states"
                    + (f", loop from state {case.loop}" if case.loop is not None else "") + "):")
        body.extend(case.summary)
    full = full_trace(case, artefacts)
    if full:
        body.append(full)
    lines = [command("error", case.where, title, _capped("\n".join(body)))]
    if case.step is not None:
        lines.append(_step_command(case, full))
    return lines


def _step_command(case: Case, full: str) -> str:
    if case.loop is not None:
        title = f"kovn: {case.prop} (variant {case.variant}): the behaviour loops here forever"
        text = (f"{case.message}. The counterexample is a loop: from state {case.loop} on, the behaviour repeats "
                f"forever, entered by step {case.step_number}, {case.step_action}. {full}")
    else:
        title = f"kovn: the step that breaks {case.prop} (variant {case.variant})"
        text = f"{case.step_action} is the last step of the counterexample. {case.message}"
    return command("error", case.step, title, text.strip())


def full_trace(case: Case, artefacts: dict[str, str]) -> str:
    """Where the whole counterexample is: the rendered file, else the job log."""
    if case.prop_result is None or case.prop_result.trace is None or case.prop is None:
        return ""
    from checker.render import file_stem
    stem = file_stem(case.variant, case.prop, case.prop_result.instance)
    if stem in artefacts:
        return f"full trace: {artefacts[stem]}"
    return "full trace: in the job log (check's report), or rendered with --render DIR"


def _capped(text: str) -> str:
    if len(text) <= MAX_MESSAGE:
        return text
    return text[:MAX_MESSAGE - 40].rsplit("\n", 1)[0] + "\n... (cut: the rest is in the job log)"


def command(level: str, where: Place | None, title: str, message: str) -> str:
    """One workflow command; without a place (or at a library file, which is not in the
    repository) it annotates the run, not a file."""
    props = []
    if where is not None and not where.in_library:
        props += [f"file={_prop(where.path)}", f"line={where.line}", f"endLine={where.end_line}"]
        if where.line == where.end_line:   # columns are only meaningful on one line
            props += [f"col={where.col}", f"endColumn={where.end_col}"]
    props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
