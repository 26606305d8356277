"""One small spec per model-quality warning (tests/quality/specs/*.kovn): its variant
`triggers` has the warning, its variant `clean` has none at all.

Each spec says in its header what `triggers` must report:

    // warns: KOV603 Full            the code, and the subject it is about
    // also: KOV601                  other codes `triggers` may have (they come with it)
    // message: vacuous: Full holds because 'x == 3' is never true

Every variant is checked on its own, as `check --strict --variant NAME` checks it (the search
runs to the end), through the pipeline (api.check) and through the command line (exit codes).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import api, codes
from checker.cli import main as cli_main
from checker.engine import CheckOptions

SPECS = sorted((Path(__file__).parent / "specs").glob("*.kovn"))
STRICT = CheckOptions(complete=True)


def header(path: Path) -> tuple[str, str, set[str], str]:
    text = path.read_text(encoding="utf-8")
    code, subject = re.search(r"^// warns: (KOV\d+) (\S+)$", text, re.M).groups()
    also = set(re.findall(r"KOV\d+", (re.search(r"^// also: (.*)$", text, re.M) or [None, ""])[1]))
    message = re.search(r"^// message: (.*)$", text, re.M).group(1)
    return code, subject, also, message


def variant_warnings(path: Path, name: str):
    report = api.check(str(path), None, [name], STRICT)
    (r,) = report.results
    assert r.expectation_met, r.mismatches
    return r


def test_every_warning_code_has_a_spec():
    warning_codes = set(codes.WARNING_NAMES)
    covered = {header(p)[0] for p in SPECS}
    assert warning_codes <= covered, f"no spec triggers {sorted(warning_codes - covered)}"


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_triggers_has_the_warning_and_clean_has_none(path: Path):
    code, subject, also, message = header(path)
    hot = variant_warnings(path, "triggers")
    found = [w for w in hot.warnings if w.code == code]
    assert found, f"{path.name}: triggers has no {code}: {[w.message for w in hot.warnings]}"
    assert any(subject in w.subjects for w in found), [w.subjects for w in found]
    assert message in [w.message for w in found]
    assert {w.code for w in hot.warnings} <= {code} | also, [w.message for w in hot.warnings]
    assert all(w.span is not None for w in found), "a warning points into the spec"
    cold = variant_warnings(path, "clean")
    assert cold.warnings == (), [w.message for w in cold.warnings]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_strict_fails_naming_the_triggering_variant(path: Path, capsys):
    """`check FILE` exits 0 (every variant meets its expectation); with --strict, 1, naming
    the triggering variant's warnings and nothing of the clean one."""
    assert cli_main([str(path), "--no-progress"]) == 0
    capsys.readouterr()
    assert cli_main([str(path), "--strict", "--no-progress"]) == 1
    err = capsys.readouterr().err
    code = header(path)[0]
    assert re.search(r"^check: --strict: \d+ warnings? not acknowledged:$", err, re.M), err
    assert re.search(rf"^  variant triggers: {code} ", err, re.M), err
    assert "variant clean:" not in err


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_acknowledging_the_warning_silences_it(path: Path, tmp_path):
    """The triggering variant, with `acknowledge NAME SUBJECT` for each of its warnings,
    passes --strict; the warnings are then listed as acknowledged."""
    code, subject, also, _ = header(path)
    hot = variant_warnings(path, "triggers")
    lines = sorted({f"  acknowledge {codes.WARNING_NAMES[w.code]} {w.subjects[0]}" for w in hot.warnings
                    if w.code != codes.UNUSED_ACKNOWLEDGEMENT})
    text = path.read_text(encoding="utf-8")
    if code == codes.UNUSED_ACKNOWLEDGEMENT:      # the fix is to drop the stale one
        text = text.replace("variant triggers { acknowledge never_enabled Reset }", "variant triggers {}")
    else:
        text = text.replace("variant triggers {", "variant triggers {\n" + "\n".join(lines), 1)
    acked = tmp_path / path.name
    acked.write_text(text, encoding="utf-8")
    r = variant_warnings(acked, "triggers")
    assert r.warnings == ()
    if code != codes.UNUSED_ACKNOWLEDGEMENT:
        assert {w.code for w in r.acknowledged} == {w.code for w in hot.warnings}
    assert cli_main([str(acked), "--strict", "--no-progress"]) == 0
