"""Shared test fixtures: the `--update-golden` option and small helpers to run specs.

The tests follow checker/'s layout: tests/<package>/ holds the tests of checker/<package>/
(syntax, semantics, ir, compile, solver, engine, analysis through render, render, report,
quality); the others cut across it: language/ (features end to end), golden/ (stored
outputs), property/ (cross-checks against references on random specs), models/
(conformance counts), stdlib/, limits/, cli/, ci/, docs/, browser/, packaging/, bench/.
assertions.py has what tests read off a result (counts, statuses); test_import_contract.py
and test_static_checks.py check the whole package.

`kovn` (a fixture) writes spec text to a temporary file and runs it through the real
pipeline: `kovn.check(text)` returns the api `Report`, `kovn.cli(argv)` runs
`checker.cli.main` in-process and returns (exit code, stdout, stderr).
Golden files are rewritten only with `pytest --update-golden`; review the diff.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker import api
from checker.cli import main as cli_main
from checker.engine import CheckOptions

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """The tests keep kovn's cache (checker/cache.py) in a directory of their own, removed at
    the end: the thousands of random specs they parse must not crowd out a user's cache,
    and a user's cache must not decide what the tests see. Subprocesses inherit it."""
    if os.environ.get("KOVN_CACHE_DIR"):
        return
    directory = tempfile.mkdtemp(prefix="kovn-test-cache-")
    os.environ["KOVN_CACHE_DIR"] = directory

    def cleanup():
        os.environ.pop("KOVN_CACHE_DIR", None)
        shutil.rmtree(directory, ignore_errors=True)
    config.add_cleanup(cleanup)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden"))


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


class Kovn:
    """Runs spec text through the checker (files go to a per-test temporary directory)."""

    def __init__(self, tmp_path: Path, capsys):
        self.tmp = tmp_path
        self.capsys = capsys
        self._n = 0

    def write(self, text: str, name: str | None = None) -> Path:
        """Write dedented `text` to tmp/name (default: a fresh spec<N>.kovn)."""
        if name is None:
            self._n += 1
            name = f"spec{self._n}.kovn"
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def check(self, text: str, consts: dict[str, str] | None = None, variants: list[str] | None = None,
              **options) -> api.Report:
        path = self.write(text)
        parsed = api.parse_consts([f"{k}={v}" for k, v in (consts or {}).items()])
        return api.check(str(path), parsed, variants, CheckOptions(**options))

    def one(self, text: str, consts: dict[str, str] | None = None, **options):
        """The single VariantResult of a spec with one variant (the default one)."""
        report = self.check(text, consts, **options)
        assert len(report.results) == 1, [r.variant.name for r in report.results]
        return report.results[0]

    def cli(self, argv: list[str]) -> CliRun:
        self.capsys.readouterr()          # drop anything printed before
        code = cli_main([str(a) for a in argv])
        captured = self.capsys.readouterr()
        return CliRun(code, captured.out, captured.err)


@pytest.fixture
def kovn(tmp_path, capsys) -> Kovn:
    return Kovn(tmp_path, capsys)


@pytest.fixture
def root() -> Path:
    return ROOT
