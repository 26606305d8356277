"""kovn installs anywhere: the built wheel, pip-installed into a fresh virtual environment
outside the repository, runs `check` on a spec that imports the Kubernetes library.

The wheel is built from a copy of the package's files (pyproject.toml, README.md, LICENSE,
checker/) through the PEP 517 hook that `python -m build` calls, without isolation (the
build tools are the test environment's). The fresh environment has no pip and no site
packages; pip (the test environment's, `pip --python`) installs the wheel into it and
resolves its dependencies, which a `.pth` file offers from a folder holding only kovn's
dependencies (so nothing is downloaded: no network in tests). What the test proves is the
package itself: its files (grammar, library, rules), its metadata and its `check` entry
point, run from a folder with no kovn source in reach. (A download of the dependencies from
the package index is what pip does for every package; checked by hand, see docs/ci.md.)
"""
from __future__ import annotations

import importlib.metadata as md
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
# building a wheel and running pip take seconds, not milliseconds: deselect with -m "not slow"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]   # one wheel for both tests
SPEC = """\
// a controller that deletes its dependent B once A is gone, through the library's verbs
import "k8s"

type Name = A | B
type Kind = | things
const OBJECTS: set[Name] = {A}
type Finalizer = | f
type Handler = | h
type Data = { x: bool }
def kindOf(n: Name): Kind = things
def d0: Data = Data(x: false)
const LAG: int = 1
const MAX_RV: int = 2
const FAULTS: int = 0

def initialObjects: map[Name, Obj] = {
  A: Obj(deleting: false, finalizers: {}, rv: 0, owner: none, data: d0),
  B: Obj(deleting: false, finalizers: {}, rv: 0, owner: none, data: d0)
}
macro onEvent(n: Name, old: option[Obj], new: option[Obj]) { enqueue(h, n) }

action DeleteA { require present(A); delete(A) }
action Cleanup(n in queue[h]) {
  take(h, n)
  if n == A and not cached(A) and present(B) { delete(B) }
}
fair weak Deliver(*), Cleanup(*)
temporal BGoes: not present(A) leads to not present(B)
allow deadlock
"""


def _dependencies(name: str = "kovn") -> list[md.Distribution]:
    """The installed distributions kovn needs, transitively (not kovn itself)."""
    out, todo, seen = [], [name], set()
    while todo:
        dist = md.distribution(todo.pop())
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        if key != name:
            out.append(dist)
        for text in dist.requires or ():
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return out


def _offer(dists: list[md.Distribution], folder: Path) -> None:
    """Links to the distributions' top-level files (modules, packages, .dist-info) in `folder`."""
    folder.mkdir()
    for dist in dists:
        base = Path(dist.locate_file(""))
        for top in {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}:
            if (base / top).exists() and not (folder / top).exists():
                (folder / top).symlink_to(base / top)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; its bin/ folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "checker", src / "checker", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp / "dist"
    hook = f"from setuptools import build_meta; print(build_meta.build_wheel({str(dist)!r}))"
    built = subprocess.run([sys.executable, "-c", hook], cwd=src, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = dist / built.stdout.strip().splitlines()[-1]
    env_dir = tmp / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    _offer(_dependencies(), tmp / "deps")
    Path(site, "kovn-test-deps.pth").write_text(f"{tmp / 'deps'}\n")
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
                          "--no-build-isolation", "--disable-pip-version-check", str(wheel)],
                         capture_output=True, text=True, env=_clean_env())
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    return env_dir / "bin"


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_REQUIRE", "VIRTUAL_ENV"))}


def test_the_installed_wheel_checks_a_spec_that_imports_the_kubernetes_library(installed, tmp_path):
    (tmp_path / "db.kovn").write_text(SPEC)
    run = subprocess.run([installed / "check", "db.kovn", "--no-progress", "--jobs", "1"], cwd=tmp_path,
                         capture_output=True, text=True, env=_clean_env())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "db variant default: OK (exhaustive: every property holds)" in run.stdout
    assert "BGoes" in run.stdout
    # the package came from the environment, not from the repository
    where = subprocess.run([installed / "python", "-c", "import checker, checker.loader as l; "
                            "print(checker.__file__); print(l.STDLIB)"],
                           cwd=tmp_path, capture_output=True, text=True, env=_clean_env(), check=True).stdout
    assert str(installed.parent) in where and str(ROOT) not in where


def test_the_wheel_carries_its_files_and_metadata(installed, tmp_path):
    code = ("import importlib.metadata as md, json; d = md.distribution('kovn'); "
            "print(json.dumps({'meta': dict(d.metadata.items()), 'classifiers': d.metadata.get_all('Classifier'), "
            "'eps': sorted(f'{e.group}:{e.name}' for e in d.entry_points), "
            "'files': sorted(str(f) for f in d.files)}))")
    info = json.loads(subprocess.run([installed / "python", "-c", code], capture_output=True, text=True,
                                     cwd=tmp_path, env=_clean_env(), check=True).stdout)
    assert info["meta"]["License-Expression"] == "Apache-2.0"
    assert "console_scripts:check" in info["eps"] and "pytest11:kovn" in info["eps"]
    assert any(c.startswith("Programming Language :: Python :: 3.11") for c in info["classifiers"])
    for f in ("checker/stdlib/k8s.kovn", "checker/syntax/kovn.lark", "checker/report/rules.json"):
        assert f in info["files"]
    assert any(f.endswith("licenses/LICENSE") for f in info["files"])
