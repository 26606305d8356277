"""A Report as JUnit XML (`check --junit FILE`): the one module that imports junitparser.

Input: `api.Report`. Output: XML text with one <testsuite> (named after the spec path) and
one <testcase> per variant x property (checker.report.cases): classname
`SPEC::VARIANT`, name the property. A case whose property is not what the variant declares
carries a <failure> (an <error> when the model failed to evaluate an expression) whose
message says what was expected and whose text is the counterexample as the terminal report
prints it. Every case has a one-line <system-out> with the variant's state counts.

Times: a variant is explored once for all its properties, so its exploration time is
given to its first test case and the others get 0 (pytest does the same with a shared
fixture's setup); the suite's time is the sum.
"""
from __future__ import annotations

import re

from junitparser import Error, Failure, JUnitXml, TestCase, TestSuite

from checker.engine.result import Verdict
from checker.report.cases import Case, report_cases


def junit_xml(report) -> str:
    suite = TestSuite(report.spec)
    seen: set[str] = set()
    for case in report_cases(report):
        first = case.variant not in seen
        seen.add(case.variant)
        suite.add_testcase(_testcase(case, round(case.seconds, 4) if first else 0.0))
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


def write_junit(report, path: str) -> None:
    """Write `junit_xml(report)` to `path` (raises OSError if it cannot be written)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(junit_xml(report))


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
    if case.where is not None:
        lines.append(f"property declared at {case.where.text()}")
    if case.step is not None:
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
