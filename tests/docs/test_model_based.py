"""Model-based testing (docs/model-based-testing.md): `check --simulate --itf DIR` writes
random walks of models/diehard.kovn as ITF traces; each is replayed against the Python
system under test docs/examples/mbt/jugs.py, action by action, and the system's state is
compared with the model's after every step. A bug planted in the system is caught."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "examples" / "mbt"))
from jugs import Jugs  # noqa: E402

ACTION = re.compile(r"(\w+)\(([\d, ]*)\)")


def value(x):
    """An ITF value as plain Python (the few encodings the jugs use)."""
    if isinstance(x, dict) and "#bigint" in x:
        return int(x["#bigint"])
    if isinstance(x, dict) and "#map" in x:
        return {value(k): value(v) for k, v in x["#map"]}
    return x


def replay(trace: dict, sut: Jugs) -> None:
    """Drive `sut` along the trace; its state must be the model's at every step."""
    for step in trace["states"]:
        action = step["#meta"]["action"]
        if action != "init":
            name, args = ACTION.fullmatch(action).groups()
            getattr(sut, name.lower())(*(int(a) for a in args.split(",")))
        jug = value(step["jug"])
        assert sut.levels == [jug[j] for j in sorted(jug)], f"after step {step['#meta']['index']}: {action}"


@pytest.fixture(scope="module")
def walks(tmp_path_factory):
    out = tmp_path_factory.mktemp("itf")
    subprocess.run([sys.executable, "-c", "from checker.cli import run; run()", "models/diehard.kovn",
                    "--variant", "puzzle", "--simulate", "--traces", "40", "--depth", "15", "--seed", "1",
                    "--itf", str(out), "--no-progress"], cwd=ROOT, capture_output=True, check=False)
    files = sorted(out.glob("*.itf.json"))
    assert len(files) == 40
    return [json.loads(f.read_text()) for f in files]


def test_the_system_follows_every_walk(walks):
    for trace in walks:
        replay(trace, Jugs([3, 5]))


def test_a_planted_bug_is_caught(walks):
    class Leaky(Jugs):
        def pour(self, i: int, k: int) -> None:      # forgets that the target may overflow
            amount = self.levels[i]
            self.levels[i] -= amount
            self.levels[k] += amount
    with pytest.raises(AssertionError, match="Pour"):
        for trace in walks:
            replay(trace, Leaky([3, 5]))
