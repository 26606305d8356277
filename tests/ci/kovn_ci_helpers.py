"""Helpers for the tests of the CI outputs (docs/ci.md): the pytest plugin, JUnit, GitHub,
SARIF, baseline. (Not a conftest.py: tests/cli imports `conftest`, which must stay tests/'s.)
Test modules import what they use, fixtures included.

- `broken_ipam`: a temporary copy of spec/ (never the original) whose `fixed` variant of
  ipam.kovn lost one fix: the line `FIX_LOCK = true` (fix (1), the subnet lock across the
  allocation). Without it, the subnet can be finalized between the allocation and the IP
  custom resource's creation, which then outlives pod and subnet: NoOrphanIP, which fixed
  expects to hold, is violated.
- `broken_outputs`: the JSON summary, JUnit and SARIF of two variants of the broken copy,
  and the `--format github` run of its fixed (explored once per session).
- `run_cli(argv)`: `checker.cli.main` in-process -> (exit code, stdout, stderr).
- `run_pytest(args, cwd)`: a separate `python -m pytest` process (the plugin is found through
  its entry point, as it is for users; the project's addopts are cleared so that the
  flags given are the only ones) -> (exit code, output).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
REMOVED_FIX = "FIX_LOCK = true"

# a spec that does not compile: line 5 uses a name it never declares (KOV101 at 5:8)
BROKEN_SPEC = """\
spec broken
var x: 0..3 = 0
action Inc {
  require x < 3
  x := y + 1
}
invariant Small: x <= 3
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str = ""


def run_cli(argv) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main([str(a) for a in argv])
    return Run(code, out.getvalue(), err.getvalue())


def run_pytest(args, cwd: Path, timeout: float = 300) -> Run:
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    # pytest stops truncating its short summary when it sees a CI variable: the documented
    # transcripts are of a terminal run, so the inner pytest must not see them
    for name in ("CI", "BUILD_NUMBER"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
            "-o", "addopts=", *map(str, args)]
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout + proc.stderr)


def variant_block(text: str, name: str) -> tuple[int, int]:
    """Offsets of `variant NAME { ... }` (the first closing brace at the start of a line)."""
    m = re.search(rf"^variant {re.escape(name)}( extends \w+)? \{{", text, re.M)
    assert m, f"spec/ipam.kovn has no variant {name}"
    end = text.index("\n}", m.end())
    return m.start(), end + 2


# Each test module that imports a fixture from here gets its own copy of the fixture, so
# session scope alone would build these once per module: they are kept here instead.
_SHARED: dict = {}


def _once(name: str, make):
    if name not in _SHARED:
        _SHARED[name] = make()
    return _SHARED[name]


@pytest.fixture(scope="session")
def broken_ipam(tmp_path_factory) -> Path:
    """spec/ copied to a temporary directory; its ipam.kovn's fixed lacks one fix."""
    return _once("broken_ipam", lambda: _broken_copy(tmp_path_factory))


def _broken_copy(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("broken") / "spec"
    shutil.copytree(ROOT / "spec", dest)
    path = dest / "ipam.kovn"
    text = path.read_text(encoding="utf-8")
    start, end = variant_block(text, "fixed")
    block = text[start:end]
    lines = block.split("\n")
    kept = [line for line in lines if line.strip() != REMOVED_FIX]
    assert len(kept) == len(lines) - 1, f"fixed no longer sets {REMOVED_FIX}:\n{block}"
    path.write_text(text[:start] + "\n".join(kept) + text[end:], encoding="utf-8")
    return path


# the variants of the shared runs: one whose bugs are declared (the IP CR created with its
# finalizer, #5698: the smallest of the versions) and the broken fix
VARIANTS = ["pr5698", "fixed"]


@pytest.fixture(scope="session")
def broken_outputs(broken_ipam, tmp_path_factory):
    """(the JSON summary of VARIANTS, the directory with kovn.xml and kovn.sarif, the
    `--format github` run of fixed, whose text report is the terminal one): two explorations
    that every test of the CI outputs reads."""
    return _once("broken_outputs", lambda: _outputs(broken_ipam, tmp_path_factory))


def _outputs(broken_ipam, tmp_path_factory):
    import json
    out = tmp_path_factory.mktemp("outputs")
    args = [broken_ipam, "--no-progress"] + [a for v in VARIANTS for a in ("--variant", v)]
    run = run_cli(args + ["--json", "--junit", out / "kovn.xml", "--sarif", out / "kovn.sarif"])
    # With --variant the exit code is the verdict: a safety violation (or, when a temporal
    # property is violated too, a liveness violation).
    assert run.code in (12, 13), run.err
    github = run_cli([broken_ipam, "--no-progress", "--variant", "fixed", "--format", "github"])
    return json.loads(run.out), out, github


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line of `path` that starts with `needle`."""
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.startswith(needle):
            return n
    raise AssertionError(f"{needle!r} not in {path}")
