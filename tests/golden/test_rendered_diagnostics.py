"""Rendered diagnostics, whole: what `check FILE` writes to stderr for a few bad specs, with
locations, source lines, carets, notes and hints. Each golden/render/NAME.kovn has its
expected stderr in NAME.stderr (and the exit code on its first line). Regenerate with
`pytest --update-golden` and review the diff.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = sorted((HERE / "render").glob("*.kovn"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_rendered_diagnostics(case, capsys, monkeypatch, update_golden):
    monkeypatch.chdir(ROOT)          # paths in the output are relative, as a user types them
    rel = case.relative_to(ROOT).as_posix()
    capsys.readouterr()
    code = main([rel, "--no-progress"])
    err = capsys.readouterr().err
    got = f"[exit {code}]\n{err}"
    golden = case.with_suffix(".stderr")
    if update_golden:
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden for {case.name}: run pytest --update-golden"
    assert got == golden.read_text(encoding="utf-8")
