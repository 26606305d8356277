"""`check SPEC --ray ADDRESS` on a two-node local cluster (tests/distributed/conftest.py)
against `check SPEC` in one process and `check SPEC --workers 2`, as CI runs them: the
`--json` reports compared with the timings removed.

The three reports are the same but for the `workers` line of each variant (which names
the cluster, or says why a variant ran in one process): verdicts, statuses, expectations,
distinct and generated states, depth, per-action coverage (the new states each action
found first included), warnings, counterexamples. The partitioned search keeps one
process's order of every level (docs/scale.md, ADR 0060).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.report import exitcodes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))
from test_output_snapshots import without_timings  # noqa: E402

pytestmark = pytest.mark.xdist_group("ray-cluster")    # one cluster (conftest.py)
ROOT = Path(__file__).resolve().parents[2]
CHECK = str(Path(sys.executable).with_name("check"))
SPEC = ["models/twophase.kovn", "--const", "N=4"]


def check_json(*args: str) -> tuple[int, dict]:
    done = subprocess.run([CHECK, *SPEC, "--json", "--no-progress", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, without_timings(json.loads(done.stdout))


def without_workers(report: dict) -> dict:
    for r in report["results"]:
        r.pop("workers", None)
    return report


@pytest.mark.parametrize("stop", [[], ["--max-states", "500"]])
def test_the_cluster_reports_what_one_process_and_forked_workers_report(ray_cluster, stop):
    """The whole run, and stopped by a state cap in the middle of a level."""
    one_code, one = check_json(*stop)
    forked_code, forked = check_json("--workers", "2", *stop)
    ray_code, on_ray = check_json("--ray", ray_cluster, "--workers", "2", *stop)
    assert one_code == forked_code == ray_code
    shown = [r.get("workers") for r in on_ray["results"]]
    assert "2 (Ray, 2 nodes)" in shown       # the variants without temporal properties
    assert [r.get("workers") for r in forked["results"]] == [
        2 if w == "2 (Ray, 2 nodes)" else w for w in shown]
    assert without_workers(on_ray) == without_workers(forked) == without_workers(one)


def test_no_cluster_is_exit_154(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()           # nothing listens there now
    code, report = check_json("--ray", f"127.0.0.1:{port}")
    assert code == exitcodes.NO_CLUSTER == 154
    assert report["exit_code"] == 154 and f"no Ray cluster answers at 127.0.0.1:{port}" in report["summary"]


def test_what_ray_does_not_take_is_a_usage_error():
    for args, says in ((["--simulate", "--ray", "auto"], "--simulate runs on this machine"),
                       (["--ray", " "], "--ray needs an address")):
        done = subprocess.run([CHECK, *SPEC, "--no-progress", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == exitcodes.USAGE_ERROR and says in done.stderr
