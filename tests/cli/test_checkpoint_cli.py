"""`check --checkpoint DIR` / `--resume DIR` as a program: a run killed with SIGKILL in
the middle resumes to the uninterrupted run's report; SIGTERM writes a final checkpoint
(exit 143); a checkpoint of another run is refused (exit 153)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TWOPHASE = str(ROOT / "models" / "twophase.kovn")
CHECK = [sys.executable, "-c", "from checker.cli import run; run()"]
TIMED = ("seconds", "parse_seconds", "compile_seconds", "search_seconds", "states_per_second", "peak_rss_bytes",
         "liveness_seconds")


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CHECK, *args, "--no-progress"], capture_output=True, text=True, cwd=ROOT)


def untimed(text: str):
    """The --json report without its timings (ADR 0042's rule for comparing runs)."""
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in TIMED}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return strip(json.loads(text))


def started_then_stopped(tmp_path: Path, how: signal.Signals, *args: str) -> subprocess.Popen:
    """Start a checkpointed run; once a checkpoint is on disk, send it `how`."""
    ck = tmp_path / "ck"
    proc = subprocess.Popen([*CHECK, TWOPHASE, *args, "--json", "--no-progress", "--checkpoint", str(ck),
                             "--checkpoint-every", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(ck.glob("*.kovnckpt")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be stopped: make it larger"
    proc.send_signal(how)
    proc.wait(timeout=120)
    return proc


ARGS = ("--const", "N=6", "--variant", "default")


@pytest.fixture(scope="module")
def whole():
    """The uninterrupted run's report."""
    return untimed(check(TWOPHASE, *ARGS, "--json").stdout)


def test_kill_9_then_resume_gives_the_uninterrupted_report(tmp_path, whole):
    proc = started_then_stopped(tmp_path, signal.SIGKILL, *ARGS)
    assert proc.returncode == -signal.SIGKILL
    resumed = check(TWOPHASE, *ARGS, "--json", "--resume", str(tmp_path / "ck"))
    assert resumed.returncode == 0, resumed.stderr
    assert untimed(resumed.stdout) == whole


def test_sigterm_writes_a_final_checkpoint(tmp_path, whole):
    proc = started_then_stopped(tmp_path, signal.SIGTERM, *ARGS)
    out, _ = proc.communicate()
    assert proc.returncode == 143
    report = json.loads(out)
    assert report["results"][0]["limit"] == "terminated (SIGTERM)"
    assert report["results"][0]["verdict"] == "incomplete"
    resumed = check(TWOPHASE, *ARGS, "--json", "--resume", str(tmp_path / "ck"))
    assert untimed(resumed.stdout) == whole


def test_a_checkpoint_of_another_run_is_refused(tmp_path):
    ck = str(tmp_path / "ck")
    first = check(TWOPHASE, "--const", "N=3", "--variant", "plain", "--checkpoint", ck)
    assert first.returncode == 0, first.stderr
    other = check(TWOPHASE, "--const", "N=4", "--variant", "plain", "--resume", ck)
    assert other.returncode == 153
    assert "not the same constants" in other.stderr and "Traceback" not in other.stderr
    nothing = check(TWOPHASE, "--resume", str(tmp_path / "none"))
    assert nothing.returncode == 153 and "not a directory of checkpoints" in nothing.stderr
    usage = check(TWOPHASE, "--checkpoint-every", "1")
    assert usage.returncode == 151 and "--checkpoint-every needs --checkpoint" in usage.stderr


def test_workers_resume_a_killed_run(tmp_path):
    args = ("--const", "N=5", "--variant", "plain", "--workers", "2")
    proc = started_then_stopped(tmp_path, signal.SIGKILL, *args)
    assert proc.returncode == -signal.SIGKILL
    resumed = check(TWOPHASE, *args, "--json", "--resume", str(tmp_path / "ck"))
    whole = check(TWOPHASE, *args, "--json")
    assert resumed.returncode == 0, resumed.stderr
    a, b = untimed(resumed.stdout), untimed(whole.stdout)
    for r in (a, b):        # workers: per-action new states depend on which worker got there first
        for c in r["results"][0]["coverage"]:
            c.pop("distinct")
    assert a == b
    assert os.listdir(tmp_path / "ck") == ["plain.kovnckpt"]
