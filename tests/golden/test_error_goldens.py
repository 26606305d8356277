"""Golden diagnostics, mypy-style: each tests/golden/errors/*.kovn is a small bad spec whose
expected diagnostics are written inline, on the line where each is reported:

    init { x := y }  // E: KOV101 name 'y' is not defined

`// E: CODE [text]` expects an error (`// W:` a warning) with that code on that line, and, when
text is given, a message containing it. Several may share a line. Files in errors/lib/ are
imported by the cases (their expectations count for the case that imports them) and are not
cases themselves. Every case must give exactly the expected diagnostics: no more, no fewer.

Also: every diagnostic code the front end can produce has a case (or a CLI test, for the codes
only the command line can cause), and every case with an error exits 150 through the CLI
without a traceback. A new code in checker/codes.py needs a case here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import api, codes
from checker.diagnostics import DiagnosticError

ERRORS = Path(__file__).resolve().parent / "errors"
CASES = sorted(ERRORS.glob("*.kovn"))
EXPECT = re.compile(r"//\s*([EW]):\s*(KOV\d{3})([^/]*)")
IMPORT = re.compile(r'^\s*import\s+"([^"]+)"', re.M)

# Codes no spec text can cause: only a command line can. Each is pinned by the named test.
COMMAND_LINE_ONLY = {
    "KOV403": "tests/cli/test_cli.py::"
              "test_unknown_variant_is_a_spec_diagnostic_150_because_validity_depends_on_the_spec",
    "KOV405": "tests/cli/test_cli.py::test_bad_command_line_exits_151",
}
# Codes reported outside the front end, and where they are pinned.
ELSEWHERE = {
    "KOV501": "tests/cli/test_cli.py::test_runtime_error_exits_150_with_a_diagnostic_and_the_trace "
              "(and constants_evaluation_fails.kovn here, for constants)",
    "KOV601": "tests/report/test_reports.py::test_never_enabled_action_is_reported_after_a_complete_search",
    "KOV408": "tests/quality/test_strict_and_outputs.py::test_unknown_acknowledgements_are_errors",
    # the model-quality warnings: one spec each in tests/quality/specs/ (a variant that
    # triggers it, one that does not), run by tests/quality/test_warning_suite.py
    **{code: "tests/quality/test_warning_suite.py::test_triggers_has_the_warning_and_clean_has_none"
       for code in ("KOV603", "KOV604", "KOV605", "KOV606", "KOV607", "KOV608", "KOV609", "KOV610")},
}


def files_of(case: Path) -> list[Path]:
    """The case and the lib/ files it imports, transitively."""
    out, todo = [], [case]
    while todo:
        f = todo.pop()
        if f in out or not f.is_file():
            continue
        out.append(f)
        for imp in IMPORT.findall(f.read_text()):
            target = (f.parent / imp).resolve()
            if target.parent == (ERRORS / "lib").resolve():
                todo.append(target)
    return out


def expected(case: Path) -> list[tuple[str, int, str, str]]:
    """(file, line, severity letter, code, message fragment) for every inline expectation."""
    out = []
    for f in files_of(case):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            for sev, code, text in EXPECT.findall(line):
                out.append((f.resolve().as_posix(), n, sev, code, text.strip()))
    return out


def actual(case: Path) -> list[tuple[str, int, str, str, str]]:
    try:
        _, warnings = api.compile_spec(str(case))
        diags = list(warnings)
    except DiagnosticError as exc:
        diags = list(exc.diagnostics)
    out = []
    for d in diags:
        assert d.span is not None, f"{d.code} has no location: {d.message}"
        sev = "E" if d.is_error else "W"
        out.append((Path(d.span.path).resolve().as_posix(), d.span.line, sev, d.code, d.message))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_error_golden(case):
    want = expected(case)
    got = actual(case)
    assert want, f"{case.name} states no expected diagnostic"
    assert sorted(w[:4] for w in want) == sorted(g[:4] for g in got), "\n".join(
        f"{Path(g[0]).name}:{g[1]}: {g[2]} {g[3]} {g[4]}" for g in got)
    for path, line, sev, code, text in want:
        if text:
            messages = [g[4] for g in got if g[:4] == (path, line, sev, code)]
            assert any(text in m for m in messages), (line, code, text, messages)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_error_golden_through_the_cli(kovn, case):
    run = kovn.cli([case, "--no-progress"])
    want = expected(case)
    # errors stop the checker (150); a case with warnings only is checked, and warned about
    assert (run.code == 150) == any(sev == "E" for _, _, sev, _, _ in want), run.code
    assert "Traceback" not in run.err and "internal error" not in run.err
    for path, line, sev, code, _ in want:
        word = "error" if sev == "E" else "warning"
        assert re.search(rf"{re.escape(Path(path).name)}:{line}:\d+: {word}\[{code}\]", run.err), (code, line)


def test_every_diagnostic_code_is_produced_somewhere():
    covered = {w[3] for case in CASES for w in expected(case)}
    pinned = covered | set(COMMAND_LINE_ONLY) | set(ELSEWHERE)
    missing = sorted(set(codes.DOCS) - pinned)
    assert not missing, f"codes with no golden case or test: {missing}"


def test_command_line_only_codes_really_have_no_spec_case():
    covered = {w[3] for case in CASES for w in expected(case)}
    assert not (set(COMMAND_LINE_ONLY) & covered)
