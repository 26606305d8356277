"""--strict, acknowledgements, and the warnings in --json, --format github and the pytest
plugin; assumptions (KOV407) and bad acknowledgements (KOV408); the shipped models pass
--strict.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checker import api
from checker.cli import main as cli_main
from checker.diagnostics import DiagnosticError
from checker.report import exitcodes

ROOT = Path(__file__).resolve().parents[2]

SPEC = """
    spec lamp
    const BROKEN: bool = false
    var on: bool = false
    var hours: 0..3 = 0
    action Switch { require not BROKEN  on := not on }
    action Burn { require on and hours < 3  hours := hours + 1 }
    invariant Worn: hours == 3 => not on or hours >= 0
    invariant Cool: on => hours <= 3
    allow deadlock
    variant working {}
    variant broken {
      BROKEN = true
      acknowledge never_enabled Switch, Burn
    }
"""


def write(tmp_path: Path, text: str, name: str = "lamp.kovn") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def run(argv: list, capsys) -> tuple[int, str, str]:
    code = cli_main([str(a) for a in argv] + ["--no-progress"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_acknowledged_warnings_pass_strict_the_others_fail_it(tmp_path, capsys):
    path = write(tmp_path, SPEC)
    code, out, err = run([path, "--strict"], capsys)
    # variant broken: Switch and Burn never enabled (acknowledged), so Cool and Worn are
    # vacuous (not acknowledged)
    assert code == exitcodes.STRICT_WARNINGS == 1, out + err
    named = re.findall(r"^  variant (\w+): (KOV\d+) (.*)$", err, re.M)
    assert {(v, c) for v, c, _ in named} == {("broken", "KOV603")}, err
    assert "acknowledged: never_enabled Switch, never_enabled Burn, dead_guard Switch" in out
    code, out, err = run([path], capsys)
    assert code == 0 and "check: --strict" not in err          # warnings alone never fail a run


def test_a_worse_outcome_keeps_its_own_exit_code(tmp_path, capsys):
    path = write(tmp_path, SPEC.replace("invariant Cool: on => hours <= 3", "invariant Cool: on => hours <= 2"))
    code, _, err = run([path, "--strict"], capsys)
    assert code == exitcodes.EXPECTATION_FAILED
    code, _, _ = run([path, "--strict", "--variant", "working"], capsys)
    assert code == exitcodes.SAFETY_VIOLATION


def test_json_lists_warnings_and_acknowledged_per_variant(tmp_path, capsys):
    path = write(tmp_path, SPEC)
    code, out, _ = run([path, "--json"], capsys)
    results = {r["variant"]: r for r in json.loads(out)["results"]}
    assert results["working"]["warnings"] == [] and results["working"]["acknowledged"] == []
    broken = results["broken"]
    assert {w["code"] for w in broken["warnings"]} == {"KOV603"}
    w = next(w for w in broken["warnings"] if w["subjects"] == ["Cool"])
    assert w == {"code": "KOV603", "name": "vacuous", "message": "vacuous: Cool holds because 'on' is never true",
                 "location": f"{path}:8:17", "subjects": ["Cool"]}
    assert {(a["code"], a["subjects"][0]) for a in broken["acknowledged"]} == \
        {("KOV601", "Switch"), ("KOV601", "Burn"), ("KOV602", "Switch")}


def test_github_format_annotates_each_warning_once(tmp_path, capsys):
    path = write(tmp_path, SPEC)
    code, out, _ = run([path, "--format", "github"], capsys)
    warnings = [line for line in out.split("\n") if line.startswith("::warning")]
    assert len(warnings) == 2, warnings
    cool = next(line for line in warnings if "Cool holds" in line)
    # repository-relative (here: the spec's own folder), never absolute
    assert cool.startswith(f"::warning file={path.name},line=8,endLine=8,col=17,endColumn=19,"
                           f"title=kovn KOV603%3A {path.name} variant broken::")


def test_acknowledging_at_the_top_level_covers_every_variant(tmp_path, capsys):
    text = SPEC + "acknowledge vacuous *\n"
    path = write(tmp_path, text)
    code, out, err = run([path, "--strict"], capsys)
    assert code == 0, out + err


def test_an_acknowledgement_that_matches_nothing_is_reported_where_it_is_declared(tmp_path, capsys):
    text = SPEC.replace("variant working {}", "variant working { acknowledge vacuous Cool }") \
        + "acknowledge vacuous *\n"
    path = write(tmp_path, text)
    code, out, err = run([path, "--strict"], capsys)
    assert code == 1
    assert re.findall(r"^  variant (\w+): (KOV\d+)", err, re.M) == [("working", "KOV610")]


def test_an_inherited_acknowledgement_is_judged_over_every_variant_that_has_it(tmp_path, capsys):
    text = SPEC + """
        variant broken_twice extends broken {}
        acknowledge vacuous *
    """
    path = write(tmp_path, text)
    code, out, err = run([path, "--strict"], capsys)
    assert code == 0, err


def test_an_acknowledgement_is_not_judged_by_a_run_that_leaves_out_a_variant_it_applies_to(tmp_path, capsys):
    # `broken` needs the top-level acknowledgement (Cool is vacuous there); a run of
    # `working` alone cannot know that, and must not call it unused. `broken_twice` inherits
    # broken's own acknowledgement: a run of it alone judges neither.
    text = SPEC + """
        variant broken_twice extends broken {}
        acknowledge vacuous *
    """
    path = write(tmp_path, text)
    for only in (["working"], ["broken_twice"], ["working", "broken_twice"]):
        code, out, err = run([path, "--strict", *(x for v in only for x in ("--variant", v))], capsys)
        assert code == 0 and "KOV610" not in out + err, (only, out + err)
    # the same acknowledgements, unused everywhere, are reported by a run of every variant
    # they apply to, and only by such a run
    unused = text.replace("acknowledge never_enabled Switch, Burn", "acknowledge never_enabled Switch, Burn\n"
                          "acknowledge dead_guard Burn")
    path = write(tmp_path, unused)
    code, out, err = run([path, "--strict", "--variant", "broken", "--variant", "broken_twice"], capsys)
    assert re.findall(r"^  variant (\w+): (KOV\d+)", err, re.M) == [("broken", "KOV610")], err
    code, out, err = run([path, "--strict", "--variant", "broken"], capsys)
    assert "KOV610" not in out + err


def test_unknown_acknowledgements_are_errors(tmp_path):
    for bad, message in (("acknowledge vacous Cool", "there is no warning named 'vacous'"),
                         ("acknowledge vacuous Cold", "'Cold' is not an action, process step or property")):
        path = write(tmp_path, SPEC + bad + "\n")
        with pytest.raises(DiagnosticError) as exc:
            api.compile_spec(str(path))
        (d,) = exc.value.diagnostics
        assert d.code == "KOV408" and message in d.message


def test_acknowledging_by_code_is_the_same_as_by_name(tmp_path):
    path = write(tmp_path, SPEC.replace("acknowledge never_enabled Switch, Burn", "acknowledge KOV601 Switch, Burn"))
    report = api.check(str(path))
    broken = next(r for r in report.results if r.variant.name == "broken")
    assert {w.code for w in broken.acknowledged} == {"KOV601", "KOV602"}


def test_assumptions_are_checked_for_every_variant_and_const(tmp_path, capsys):
    text = """
        const N: int = 2
        const M: int = 3
        assume Fits: N <= M
        var x: 0..9 = 0
        action Inc { require x < N  x := x + 1 }
        allow deadlock
        variant ok {}
        variant big { N = 4 }
    """
    path = write(tmp_path, text)
    code, _, err = run([path], capsys)
    assert code == exitcodes.SPEC_ERROR
    assert re.findall(r"error\[KOV407\]: assumption 'Fits' does not hold in variant '(\w+)' with (.*)$", err, re.M) \
        == [("big", "N = 4, M = 3")]
    code, _, err = run([path, "--variant", "ok", "--const", "M=1"], capsys)
    assert code == exitcodes.SPEC_ERROR and "with N = 2, M = 1" in err
    code, _, _ = run([path, "--variant", "ok"], capsys)
    assert code == 0


def test_assumptions_read_only_constants_and_are_bool(tmp_path):
    for text, code in (("var x: 0..1 = 0\nassume A: x == 0\nallow deadlock\n", "KOV303"),
                       ("const N: int = 1\nassume A: N + 1\nvar x: 0..1 = 0\nallow deadlock\n", "KOV201")):
        path = write(tmp_path, text, "a.kovn")
        with pytest.raises(DiagnosticError) as exc:
            api.compile_spec(str(path))
        assert code in {d.code for d in exc.value.diagnostics}, text


def test_the_kubernetes_library_states_its_assumptions(capsys):
    code, _, err = run([ROOT / "spec" / "ipam.kovn", "--variant", "v1_12", "--const", "MAX_RV=0"], capsys)
    assert code == exitcodes.SPEC_ERROR
    assert "error[KOV407]: assumption 'MaxRVAtLeastOne' does not hold in variant 'v1_12' with MAX_RV = 0" in err


SHIPPED_MODELS = sorted((ROOT / "models").rglob("*.kovn")) + sorted((ROOT / "docs" / "examples").glob("*.kovn"))


@pytest.mark.parametrize("path", SHIPPED_MODELS, ids=lambda p: p.name)
def test_the_shipped_models_pass_strict(path, capsys):
    code, out, err = run([path, "--strict"], capsys)
    assert code == 0, err


def test_the_pytest_plugin_strict_item_fails_on_unacknowledged_warnings(tmp_path):
    write(tmp_path, SPEC)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", "--kovn-strict",
                           "lamp.kovn"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    got = {k: v for v, k in re.findall(r"^(PASSED|FAILED) lamp\.kovn::(\S+)", done.stdout, re.M)}
    assert got["working::(warnings)"] == "PASSED", done.stdout
    assert got["broken::(warnings)"] == "FAILED", done.stdout
    assert got["broken::Cool"] == "PASSED"
    assert "vacuous: Cool holds because 'on' is never true" in done.stdout


def test_a_process_name_acknowledges_its_steps(tmp_path):
    text = """
        const ON: bool = false
        var x: 0..2 = 0
        process P(p: 0..0) {
          first:
            require ON
            x := 1
          second:
            x := 2
        }
        allow deadlock
        variant off { acknowledge never_enabled P }
    """
    report = api.check(str(write(tmp_path, text, "p.kovn")))
    (r,) = report.results
    assert r.warnings == ()
    assert {(w.code, w.subjects[0]) for w in r.acknowledged} >= {("KOV601", "P.first"), ("KOV601", "P.second")}
