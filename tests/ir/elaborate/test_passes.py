"""The elaborator's passes and their fixtures: each module of checker/ir/elaborate/ that
reports diagnostics has golden cases named after it in tests/golden/errors/
(`<pass>_*.kovn`, run by tests/golden/test_error_goldens.py), and every diagnostic code a
pass reports is expected by one of the golden cases. A pass that gains a code gains a case.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import codes

ROOT = Path(__file__).resolve().parents[3]
PASSES = ROOT / "checker" / "ir" / "elaborate"
ERRORS = ROOT / "tests" / "golden" / "errors"
CODE_USE = re.compile(r"codes\.([A-Z_]+)")
EXPECT = re.compile(r"//\s*[EW]:\s*(KOV\d{3})")


def _reports(module: Path) -> set[str]:
    """The diagnostic codes a pass module reports (KOVnnn)."""
    return {getattr(codes, name) for name in CODE_USE.findall(module.read_text(encoding="utf-8"))}


def _reporting_passes() -> list[Path]:
    return [m for m in sorted(PASSES.glob("*.py")) if m.stem not in ("__init__", "common") and _reports(m)]


def test_the_passes_are_the_modules_the_package_docstring_lists():
    doc = (PASSES / "__init__.py").read_text(encoding="utf-8").split('"""')[1]
    listed = set(re.findall(r"^    (\w+)\s{2,}", doc, re.M))
    assert listed == {m.stem for m in PASSES.glob("*.py") if m.stem != "__init__"}


@pytest.mark.parametrize("module", _reporting_passes(), ids=lambda m: m.stem)
def test_each_reporting_pass_has_its_golden_cases(module):
    cases = sorted(ERRORS.glob(f"{module.stem}_*.kovn"))
    assert cases, f"no tests/golden/errors/{module.stem}_*.kovn for the pass {module.name}"
    expected = {c for case in cases for c in EXPECT.findall(case.read_text(encoding="utf-8"))}
    assert expected & _reports(module), f"the cases of {module.stem} expect none of the codes it reports"


def test_every_code_a_pass_reports_is_expected_by_a_golden_case():
    expected = {c for case in ERRORS.rglob("*.kovn") for c in EXPECT.findall(case.read_text(encoding="utf-8"))}
    reported = {c for m in _reporting_passes() for c in _reports(m)}
    assert reported - expected == set()
