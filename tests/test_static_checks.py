"""The static checks CI runs with the tests: ruff (lint) and mypy (types), configured in
pyproject.toml; docs/adr/0050-static-checks.md says what each checks and what waits.

Both run over the whole repository as `make test` runs it; a finding fails the test with
the tool's own report.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    # mypy's cache goes with the tests' other temporary files, not into the working tree
    env = {**os.environ, "MYPY_CACHE_DIR": str(Path(os.environ.get("KOVN_CACHE_DIR", ROOT)) / "mypy")}
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("tool", ["ruff", "mypy"])
def test_the_tool_is_installed(tool):
    """Installed with the test extra (pyproject.toml): a missing one fails, it never skips."""
    done = run(tool, "--version")
    assert done.returncode == 0, f"{tool} is not installed: pip install -e '.[test]'\n{done.stderr}"


def test_ruff_finds_nothing():
    done = run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing():
    done = run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


def test_the_checks_can_fail(tmp_path):
    """Each tool reports a planted error (the configuration does not silence everything)."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef f(x: int) -> str:\n    return x\n")
    lint = run("ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad))
    assert lint.returncode != 0 and "F401" in lint.stdout
    types = run("mypy", "--config-file", str(ROOT / "pyproject.toml"), str(bad))
    assert types.returncode != 0 and "Incompatible return value type" in types.stdout
