"""`make test` relies on pytest-xdist's `--dist loadgroup`: the items of one `xdist_group`
run in one worker, so a spec's variants are explored once (checker/pytest_plugin.py) and
the CI outputs' shared runs are built once (tests/ci/kovn_ci_helpers.py). A pytest or xdist
release that breaks the grouping makes the suite much slower without failing anything;
this test fails instead (pytest 9.2 with xdist 3.8 did: pyproject.toml)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest.importorskip("xdist")

GROUPED = '''
import os
import pytest

pytestmark = pytest.mark.xdist_group("one")

@pytest.mark.parametrize("k", range(6))
def test_item(k):
    print("worker", os.environ.get("PYTEST_XDIST_WORKER"))
'''


def test_the_items_of_a_group_run_in_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    # kovn's own plugin is left out: the grouping under test is xdist's, and loading kovn in
    # the controller and both workers would only add three imports of the checker
    run = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
                          "-p", "no:kovn", "-rA", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    workers = set(re.findall(r"worker (gw\d+)", run.stdout))
    assert len(re.findall(r"PASSED \S+@one", run.stdout)) == 6, run.stdout
    assert len(workers) == 1, run.stdout
