"""The `check` program itself (checker.cli:run, as installed): it exits without tearing the
interpreter down, so its exit code and everything it printed must still arrive whole."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def program(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker.cli", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_exit_codes_and_whole_output_through_pipes():
    ok = program("models/twophase.kovn", "--const", "N=3", "--variant", "default", "--json", "--no-progress")
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["results"][0]["distinct_states"] == 288   # the JSON is complete
    violated = program("models/diehard.kovn", "--variant", "puzzle", "--no-progress")
    assert violated.returncode == 12
    assert "VIOLATED NotSolved" in violated.stdout
    assert violated.stdout.rstrip().endswith("1 of 1 variant met their expectations")
    missing = program("no-such-spec.kovn")
    assert missing.returncode == 150
    assert "KOV901" in missing.stderr
    usage = program("models/twophase.kovn", "--max-states", "zero")
    assert usage.returncode == 151


def test_a_reader_that_goes_away_is_no_error():
    p = subprocess.Popen([sys.executable, "-m", "checker.cli", "models/twophase.kovn", "--const", "N=3",
                          "--verbose", "--no-progress"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    _, err = p.communicate(timeout=120)
    assert b"Traceback" not in err
