"""A run's outcome as JUnit XML (`check --junit FILE`): the one module that imports junitparser.

Input: `outcome.Outcome` (or an `api.Report`). Output: XML text with one <testsuite> (named
after the spec path) whose properties carry the run's exit code and summary, and:
- when a search ran, one <testcase> per variant x property (checker.report.cases):
  classname `SPEC::VARIANT`, name the property. A case whose property is not what the
  variant declares carries a <failure> (an <error> when the model failed to evaluate an
  expression) whose message says what was expected and whose text is the counterexample
  as the terminal report prints it. Every case has a one-line <system-out> with the
  variant's state counts. With --strict, each variant has one more case, `(warnings)`,
  that fails when the variant has a warning it does not acknowledge;
- when diagnostics stopped the run before any search (a spec that does not compile, an
  unknown --variant), one failed case named `(spec)` (`(command line)` for a usage error),
  classname the spec, whose text is the diagnostics as `check` prints them;
- when the run stopped otherwise before any search (a limit, an interrupt, a bug in kovn),
  one case `(run)` with an <error> saying why.

Times: a variant is explored once for all its properties, so its exploration time is
given to its first test case and the others get 0 (pytest does the same with a shared
fixture's setup); the suite's time is the sum.
"""
from __future__ import annotations

import re

from junitparser import Error, Failure, JUnitXml, TestCase, TestSuite

from checker.diagnostics import render_all
from checker.engine.result import Verdict
from checker.report import exitcodes
from checker.report.cases import Case, report_cases
from checker.report.outcome import Outcome, of_report

WARNINGS = "(warnings)"


def junit_xml(run) -> str:
    outcome = run if isinstance(run, Outcome) else of_report(run)
    suite = TestSuite(outcome.spec)
    suite.add_property("kovn.exit_code", str(outcome.code))
    suite.add_property("kovn.summary", outcome.summary)
    for tc in _testcases(outcome):
        suite.add_testcase(tc)
    suite.update_statistics()
    xml = JUnitXml("kovn")
    xml.add_testsuite(suite)
    xml.update_statistics()
    text = xml.tostring()
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    # XML 1.0 has no way to write most control characters, not even as &#x1b;: a file
    # name or a string value holding one would make the whole file unreadable
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_junit(run, path: str) -> None:
    """Write `junit_xml(run)` to `path` (raises OSError if it cannot be written)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(junit_xml(run))


def _testcases(outcome: Outcome) -> list[TestCase]:
    if outcome.report is None:
        return [_stopped(outcome)]
    out, seen = [], set()
    for case in report_cases(outcome.report):
        first = case.variant not in seen
        seen.add(case.variant)
        out.append(_testcase(case, round(case.seconds, 4) if first else 0.0))
    if outcome.strict:
        out += [_warnings_case(outcome.spec, r) for r in outcome.report.results]
    return out


def _stopped(outcome: Outcome) -> TestCase:
    """The one case of a run that stopped before any search."""
    if outcome.errors:
        name = "(command line)" if outcome.usage else "(spec)"
        tc = TestCase(name, classname=outcome.spec, time=0.0)
        kind = "kovn.UsageError" if outcome.usage else "kovn.SpecError"
        result = Failure(outcome.summary, kind)
        result.text = render_all(outcome.errors + outcome.warnings)
    else:
        tc = TestCase("(run)", classname=outcome.spec, time=0.0)
        if outcome.code == exitcodes.OK:        # --show-code: nothing was checked, nothing failed
            return tc
        kind = {exitcodes.INCOMPLETE: "kovn.Incomplete", exitcodes.INTERRUPTED: "kovn.Interrupted",
                exitcodes.USAGE_ERROR: "kovn.UsageError"}.get(
            outcome.code, "kovn.InternalError")
        error = Error(outcome.summary, kind)
        error.text = outcome.summary
        tc.result = [error]
        return tc
    tc.result = [result]
    return tc


def _warnings_case(spec: str, r) -> TestCase:
    """--strict: the variant's unacknowledged warnings as one case."""
    tc = TestCase(WARNINGS, classname=f"{spec}::{r.variant.name}", time=0.0)
    if r.warnings:
        n = len(r.warnings)
        result = Failure(f"variant {r.variant.name} has {n} warning{'s' if n != 1 else ''} it does not "
                         "acknowledge", "kovn.Warnings")
        result.text = render_all(r.warnings)
        tc.result = [result]
    return tc


def _testcase(case: Case, seconds: float) -> TestCase:
    tc = TestCase(case.prop if case.prop is not None else "(exploration)",
                  classname=f"{case.spec}::{case.variant}", time=seconds)
    if not case.passed:
        outcome = (Error(case.message, "kovn.ModelError") if _errored(case)
                   else Failure(case.message, "kovn.ExpectationNotMet"))
        outcome.text = failure_text(case)
        tc.result = [outcome]
    tc.system_out = _summary(case)
    return tc


def failure_text(case: Case) -> str:
    """What a failed case shows: the message, the property's line, the counterexample."""
    lines = [case.message]
    if case.declared is not None and case.where is not None:
        lines.append(f"property declared at {case.declared.text()}, brought in at {case.where.text()}")
    elif case.where is not None:
        lines.append(f"property declared at {case.where.text()}")
    if case.step is not None and case.loop is not None:
        lines.append(f"loops forever from state {case.loop}, entered by step {case.step_action} at {case.step.text()}")
    elif case.step is not None:
        lines.append(f"broken by step {case.step_action} at {case.step.text()}")
    lines.extend(case.trace)
    return "\n".join(lines)


def _errored(case: Case) -> bool:
    return case.result is not None and case.result.result.verdict is Verdict.ERROR


def _summary(case: Case) -> str:
    if case.result is None:
        return case.message
    st = case.result.result.stats
    return (f"variant {case.variant}: {st.distinct:,} distinct states, {st.generated:,} generated, "
            f"depth {st.depth}; {case.message}")
