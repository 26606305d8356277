"""CLI transcripts: `checker.cli.main(argv)` run in-process; exit codes, stdout and stderr.

Exit codes (README, checker/report/exitcodes.py): 0 every expectation met, 1 an expectation
not met, 11/12 with --variant a deadlock / a safety violation, 150 spec errors, 151 a bad
command line, 152 a limit stopped the search (INCOMPLETE), 255 an internal error.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

TWOPHASE = ROOT / "models" / "twophase.kovn"
DIEHARD = ROOT / "models" / "diehard.kovn"
PETERSON = ROOT / "models" / "peterson.kovn"

COUNTER = """
    spec counter
    var x: 0..2
    init { x := 0 }
    action Inc {
      require x < 2
      x := x + 1
    }
    invariant Small: x <= 1
    allow deadlock
"""

DEADLOCKING = """
    spec stuck
    var x: 0..2
    init { x := 0 }
    action Inc {
      require x < 2
      x := x + 1
    }
    invariant Fine: x <= 2
"""


def no_traceback(run) -> None:
    assert "Traceback" not in run.err and "Traceback" not in run.out


# ---------------------------------------------------------------- verdicts and expectations

def test_ok_run_exits_0_and_shows_exact_counts(kovn):
    run = kovn.cli([TWOPHASE, "--const", "N=3", "--variant", "default", "--no-progress"])
    assert run.code == 0, run.err
    assert "twophase variant default: OK (exhaustive: every property holds)" in run.out
    assert "288 distinct states, 1,146 generated, depth 11" in run.out
    assert "TCConsistent  invariant  holds" in run.out
    assert "1 of 1 variant met their expectations" in run.out
    assert run.err == ""


def test_a_spec_whose_variants_all_meet_their_expectations_exits_0(kovn):
    run = kovn.cli([kovn.write(COUNTER.replace("invariant Small: x <= 1", "invariant Small: x <= 2")),
                    "--no-progress"])
    assert run.code == 0
    assert "counter variant default: OK" in run.out
    assert "3 distinct states, 3 generated, depth 3" in run.out


def test_expectation_not_met_exits_1(kovn):
    # Small is violated (x reaches 2) but the spec expects every property to hold.
    run = kovn.cli([kovn.write(COUNTER), "--no-progress"])
    assert run.code == 1
    assert "VIOLATED Small" in run.out
    assert "NOT met" in run.out and "Small: expected to hold, but it is violated" in run.out


def test_expecting_a_violation_that_does_not_happen_exits_1(kovn):
    spec = kovn.write(COUNTER.replace("allow deadlock", "allow deadlock\nvariant v { expect violated Nope }")
                      .replace("invariant Small: x <= 1", "invariant Small: x <= 1\ninvariant Nope: x <= 2"))
    run = kovn.cli([spec, "--no-progress"])
    assert run.code == 1
    assert "Nope: expected to be violated, but it holds" in run.out
    assert "Small: expected to hold, but it is violated" in run.out


def test_met_violation_expectation_exits_0(kovn):
    run = kovn.cli([DIEHARD, "--no-progress"])
    assert run.code == 0
    assert "expectation: violated NotSolved met" in run.out
    assert "2 of 2 variants met their expectations" in run.out


def test_variant_with_invariant_violation_exits_12(kovn):
    run = kovn.cli([DIEHARD, "--variant", "puzzle", "--no-progress"])
    assert run.code == 12
    assert "counterexample for NotSolved (7 states)" in run.out


def test_variant_with_deadlock_exits_11(kovn):
    run = kovn.cli([kovn.write(DEADLOCKING), "--variant", "default", "--no-progress"])
    assert run.code == 11
    assert "VIOLATED deadlock" in run.out
    assert "counterexample for deadlock (3 states)" in run.out


def test_variant_that_holds_exits_0(kovn):
    run = kovn.cli([DIEHARD, "--variant", "space", "--no-progress"])
    assert run.code == 0
    assert "16 distinct states, 97 generated, depth 8" in run.out


def test_no_deadlock_flag_turns_the_deadlock_check_off(kovn):
    run = kovn.cli([kovn.write(DEADLOCKING), "--variant", "default", "--no-deadlock", "--no-progress"])
    assert run.code == 0
    assert "OK (exhaustive" in run.out
    assert "deadlock  deadlock" not in run.out      # no deadlock property is checked


# ---------------------------------------------------------------- limits: INCOMPLETE, never OK

@pytest.mark.parametrize("flags, limit", [
    (["--max-states", "1000"], "max-states 1000"),
    (["--max-depth", "3"], "max-depth 3"),
    (["--timeout", "0.05"], "timeout 0.05s"),
])
def test_limits_give_incomplete_and_exit_152(kovn, flags, limit):
    # peterson N=5 (88,560 states): every variant is far larger than each limit, and its
    # liveness variants decide nothing before the search is complete
    run = kovn.cli([PETERSON, "--const", "N=5", "--no-progress"] + flags)
    assert run.code == 152, run.out + run.err
    if "while parsing and compiling" in run.err:
        # --timeout covers the whole run (docs/cli.md): on a busy machine 0.05 s may end
        # before any search starts, which says so and reports nothing as checked
        assert f"INCOMPLETE: {limit} reached while parsing and compiling the spec" in run.err
        assert run.out == ""
        return
    assert f"INCOMPLETE (stopped at {limit}; nothing is proven)" in run.out
    assert "MutualExclusion  invariant  unknown" in run.out
    assert not re.search(r"\bOK\b", run.out)
    assert " met" not in run.out.replace("NOT met", "")


@pytest.mark.parametrize("flags", [["--max-states", "1000"], ["--max-depth", "3"], ["--timeout", "0.05"]])
def test_limits_with_variant_exit_152_too(kovn, flags):
    run = kovn.cli([TWOPHASE, "--const", "N=7", "--variant", "default", "--no-progress"] + flags)
    assert run.code == 152
    if flags[0] == "--timeout" and "reached while parsing and compiling the spec" in run.err:
        # a busy machine: the whole run's 0.05 s ended before the search (as above)
        assert "INCOMPLETE: timeout 0.05s reached" in run.err and run.out == ""
        return
    assert "INCOMPLETE" in run.out and not re.search(r"\bOK\b", run.out)


def test_max_states_counts_are_exact(kovn):
    run = kovn.cli([TWOPHASE, "--const", "N=7", "--variant", "default", "--max-states", "1000", "--json",
                    "--no-progress"])
    assert run.code == 152
    (res,) = json.loads(run.out)["results"]
    assert res["verdict"] == "incomplete"
    assert res["limit"] == "max-states 1000"
    assert res["distinct_states"] == 1000
    assert res["expectation_met"] is False


def test_a_state_limit_that_is_not_reached_changes_nothing(kovn):
    run = kovn.cli([TWOPHASE, "--const", "N=3", "--variant", "default", "--max-states", "288", "--no-progress"])
    assert run.code == 0
    assert "288 distinct states, 1,146 generated, depth 11" in run.out


def test_a_depth_limit_that_is_not_reached_changes_nothing(kovn):
    # Level 11 is the last: its successors were all seen before (twophase's self-loops, for
    # one), so nothing was cut and the result is the full run's.
    run = kovn.cli([TWOPHASE, "--const", "N=3", "--variant", "default", "--max-depth", "11", "--no-progress"])
    assert run.code == 0
    assert "288 distinct states, 1,146 generated, depth 11" in run.out
    assert "OK (exhaustive" in run.out and "unknown" not in run.out


# ---------------------------------------------------------------- spec errors: 150, never a traceback

def assert_diagnostic(run, path, line: int, col: int, code: str, source_line: str, exit_code: int = 150) -> None:
    assert run.code == exit_code, run.out + run.err
    no_traceback(run)
    assert f"{path}:{line}:{col}: error[{code}]" in run.err
    lines = run.err.splitlines()
    i = next(i for i, x in enumerate(lines) if x.endswith(f" | {source_line}"))
    caret_line = lines[i + 1]
    # the caret stands under column `col` of the quoted source line
    assert caret_line.index("^") - caret_line.index("|") - 2 == col - 1


def test_syntax_error_exits_150_with_location_source_line_and_caret(kovn):
    spec = kovn.write("""
        spec bad
        var x: 0..2
        init { x = 0 }
    """)
    run = kovn.cli([spec, "--no-progress"])
    assert_diagnostic(run, spec, 3, 10, "KOV002", "init { x = 0 }")
    assert "hint: assignments in actions are written 'x := value'" in run.err


def test_undefined_name_exits_150(kovn):
    spec = kovn.write("""
        spec bad
        var x: 0..2
        init { x := 0 }
        action A { x := y }
    """)
    run = kovn.cli([spec])
    assert_diagnostic(run, spec, 4, 17, "KOV101", "action A { x := y }")
    assert "name 'y' is not defined" in run.err


def test_type_error_exits_150(kovn):
    spec = kovn.write("""
        spec bad
        var x: 0..2
        init { x := true }
    """)
    run = kovn.cli([spec])
    assert_diagnostic(run, spec, 3, 13, "KOV201", "init { x := true }")
    assert "expected 0..2, found bool" in run.err


def test_all_errors_of_a_stage_are_reported_together(kovn):
    spec = kovn.write("""
        spec bad
        var x: 0..2
        init { x := a }
        action A { x := b }
    """)
    run = kovn.cli([spec])
    assert run.code == 150
    assert "name 'a' is not defined" in run.err and "name 'b' is not defined" in run.err
    assert run.err.rstrip().endswith("2 errors")


def test_missing_file_exits_150_with_a_diagnostic(kovn, tmp_path):
    missing = tmp_path / "nope.kovn"
    run = kovn.cli([missing])
    assert run.code == 150
    no_traceback(run)
    assert "error[KOV901]" in run.err and str(missing) in run.err


def test_missing_import_points_at_the_import(kovn):
    spec = kovn.write('spec a\nimport "./gone.kovn"\n')
    run = kovn.cli([spec])
    assert_diagnostic(run, spec, 2, 1, "KOV901", 'import "./gone.kovn"')


def test_runtime_error_exits_75_with_a_diagnostic_and_the_trace(kovn):
    spec = kovn.write("""
        spec rt
        var m: map[0..1, 0..1]
        var x: 0..1
        init { m := {0: 1}  x := 0 }
        action Read {
          x := m[1]
        }
    """)
    run = kovn.cli([spec, "--no-progress"])
    # a run-time error of the model is not a spec that does not compile (150): TLC's 75
    assert run.code == 75
    assert_diagnostic(run, spec, 6, 8, "KOV501", "  x := m[1]", exit_code=75)
    assert "the map has no value at this key" in run.err
    assert "ERROR" in run.out and "(initial state)" in run.out
    assert "never enabled" not in run.out      # the search stopped: coverage says nothing


# ---------------------------------------------------------------- bad command lines: 151

@pytest.mark.parametrize("argv, message", [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--max-states", "abc"], "--max-states: expected a whole number, got 'abc'"),
    (["--max-states", "0"], "--max-states: expected a number of at least 1, got 0"),
    (["--max-depth", "-3"], "--max-depth: expected a number of at least 1, got -3"),
    (["--timeout", "soon"], "--timeout: expected a number of seconds, got 'soon'"),
    (["--const", "N"], "error[KOV405]: --const expects NAME=VALUE, got 'N'"),
    (["--const", "=3"], "error[KOV405]: --const expects NAME=VALUE, got '=3'"),
    (["--const", "N="], "error[KOV405]: --const expects NAME=VALUE, got 'N='"),
    (["--const", "N=3 +"], "--const N:1:3: error[KOV003]: unexpected end of file"),
    (["--deadlock", "--no-deadlock"], "not allowed with argument"),
])
def test_bad_command_line_exits_151(kovn, argv, message):
    run = kovn.cli([TWOPHASE] + argv)
    assert run.code == 151, run.out + run.err
    no_traceback(run)
    assert message in run.err
    assert run.out == ""


def test_no_arguments_exits_151(kovn):
    run = kovn.cli([])
    assert run.code == 151
    assert "spec" in run.err


def test_unknown_variant_is_a_command_line_error_151(kovn):
    # the spec is fine, the command line names what it lacks: a bad command line (151), still
    # reported as the KOV403 diagnostic listing the variants that exist
    run = kovn.cli([DIEHARD, "--variant", "nope"])
    assert run.code == 151
    no_traceback(run)
    assert "error[KOV403]: the spec has no variant 'nope'" in run.err
    assert "variants: puzzle, space" in run.err


def test_const_naming_no_constant_is_a_command_line_error_151(kovn):
    run = kovn.cli([DIEHARD, "--const", "Nope=1"])
    assert run.code == 151
    assert "error[KOV402]" in run.err and "Nope" in run.err


def test_unknown_variant_with_spec_errors_is_150(kovn):
    # a spec that does not parse is reported as such (its variants are not known yet)
    spec = kovn.write("""
        spec broken
        var x: 0..3 = 0
        action Inc { x = 1 }
    """)
    run = kovn.cli([spec, "--variant", "nope"])
    assert run.code == 150 and "KOV002" in run.err


# ---------------------------------------------------------------- --json

RESULT_KEYS = {"variant", "verdict", "expectation_met", "distinct_states", "states_generated", "depth",
               "seconds", "violations"}
VIOLATION_KEYS = {"property", "kind", "trace_length"}


def test_json_shape(kovn):
    run = kovn.cli([DIEHARD, "--json", "--no-progress"])
    assert run.code == 0
    doc = json.loads(run.out)            # stdout is exactly one JSON document
    assert set(doc) == {"spec", "results"}
    assert doc["spec"] == str(DIEHARD)
    puzzle, space = doc["results"]
    for res in (puzzle, space):
        assert RESULT_KEYS <= set(res)
        assert isinstance(res["variant"], str)
        assert res["verdict"] in {"ok", "violated", "incomplete", "error"}
        assert isinstance(res["expectation_met"], bool)
        for key in ("distinct_states", "states_generated", "depth"):
            assert isinstance(res[key], int) and res[key] >= 0
        assert isinstance(res["seconds"], float)
        # the time the user waited: parse, compile and search, each shown
        parts = [res[k] for k in ("parse_seconds", "compile_seconds", "search_seconds")]
        assert all(isinstance(x, float) and x >= 0 for x in parts)
        assert res["parse_seconds"] > 0 and res["compile_seconds"] > 0
        assert abs(sum(parts) - res["seconds"]) < 1e-3
    assert (puzzle["variant"], puzzle["verdict"], puzzle["expectation_met"]) == ("puzzle", "violated", True)
    (v,) = puzzle["violations"]
    assert VIOLATION_KEYS <= set(v)
    assert (v["property"], v["kind"], v["trace_length"]) == ("NotSolved", "invariant", 7)
    assert (space["variant"], space["verdict"], space["violations"]) == ("space", "ok", [])
    assert (space["distinct_states"], space["states_generated"], space["depth"]) == (16, 97, 8)


def test_json_documents_every_key_it_writes(kovn):
    # checker/report/json.py's docstring is the reference for the shape: every key written
    # must be named there.
    from checker.report import json as report_json
    doc_text = report_json.__doc__
    run = kovn.cli([DIEHARD, "--json", "--no-progress"])
    for res in json.loads(run.out)["results"]:
        for key in res:
            assert f'"{key}"' in doc_text, key
        for v in res["violations"]:
            for key in v:
                assert f'"{key}"' in doc_text, key


def test_json_for_a_deadlock_and_a_runtime_error(kovn):
    run = kovn.cli([kovn.write(DEADLOCKING), "--json", "--no-progress"])
    (res,) = json.loads(run.out)["results"]
    assert res["violations"][0]["kind"] == "deadlock" and res["violations"][0]["trace_length"] == 3
    spec = kovn.write("""
        spec rt
        var s: seq[0..1, 1]
        init { s := [] }
        action Push { s := append(s, 1) }
    """)
    run = kovn.cli([spec, "--json", "--no-progress"])
    assert run.code == 75
    (res,) = json.loads(run.out)["results"]
    assert res["verdict"] == "error"
    assert res["error"]["location"] == f"{spec}:4:20"


@pytest.mark.parametrize("flag, text", [("--version", "kovn "), ("--help", "--max-states N")])
def test_version_and_help_exit_0(kovn, capsys, flag, text):
    # argparse ends these with SystemExit(0), as every command-line tool does
    with pytest.raises(SystemExit) as exc:
        kovn.cli([flag])
    assert exc.value.code == 0
    assert text in capsys.readouterr().out
