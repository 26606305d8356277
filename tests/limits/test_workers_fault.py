"""Issue 20, workers: kill -9 the coordinator of a `--workers 2` run, and separately one
worker. No kovn process may remain 5 s later, and a survivor (the coordinator, when a
worker dies) exits non-zero with a message saying what happened."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _as_a_terminal_starts_it() -> None:
    """Ctrl-C delivered and handled by default, as in a shell's foreground job: a blocked or
    ignored SIGINT is inherited across fork and exec, and the test worker's may be either
    (left so by an earlier test's library), which made the search never see the Ctrl-C."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def signal_state(pid: int) -> str:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return "gone"
    return " ".join(line for line in lines if line.startswith(("SigBlk", "SigIgn", "SigCgt")))


def start() -> tuple[subprocess.Popen, list[int]]:
    """A --workers 2 search long enough to be killed in the middle; its worker pids."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", "models/twophase.kovn", "--const", "N=10", "--variant", "plain",
         "--workers", "2", "--no-progress"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=_as_a_terminal_starts_it)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = [c for c in children(proc.pid) if alive(c)]
        if len(workers) >= 2:
            time.sleep(1.0)         # into the search
            return proc, workers
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the workers did not start")


def wait_gone(pids: list[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def kill_all(pids: list[int]) -> None:
    """Whatever a failed test left running."""
    for p in pids:
        if alive(p):
            os.kill(p, signal.SIGKILL)


def test_workers_die_with_a_killed_coordinator():
    proc, workers = start()
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
        assert wait_gone(workers) == [], "workers outlived their coordinator"
        # nobody holds the caller's pipes open any more: they reach end of file
        assert proc.stdout.read() == ""
    finally:
        kill_all([proc.pid, *workers])


def test_a_killed_worker_ends_the_run_with_a_message():
    proc, workers = start()
    try:
        os.kill(workers[1], signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 152, (proc.returncode, out, err)
        assert "search worker" in out and "died (killed by signal 9)" in out, out
        assert "Traceback" not in err
        assert wait_gone([proc.pid, *workers]) == []
    finally:
        kill_all([proc.pid, *workers])


def test_ctrl_c_prints_no_worker_tracebacks():
    proc, workers = start()
    try:
        for p in [proc.pid, *workers]:     # as a terminal does: the whole foreground group
            os.kill(p, signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"no exit 30 s after Ctrl-C: {signal_state(proc.pid)}") from None
        assert proc.returncode == 130, (proc.returncode, err)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert wait_gone(workers) == []
    finally:
        kill_all([proc.pid, *workers])
