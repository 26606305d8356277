"""`check --baseline FILE`: this run's verdicts and distinct-state counts against a saved
`check --json` output. Exit 2 when they changed and nothing worse happened (docs/ci.md)."""
from __future__ import annotations

import json

from kovn_ci_helpers import ROOT, run_cli

DIEHARD = ROOT / "models" / "diehard.kovn"


def save_baseline(tmp_path, *args, code=0):
    run = run_cli([DIEHARD, "--json", "--no-progress", *args])
    assert run.code == code, run.err
    path = tmp_path / "baseline.json"
    path.write_text(run.out, encoding="utf-8")
    return path, json.loads(run.out)


def edit(path, data, variant, **changes):
    for r in data["results"]:
        if r["variant"] == variant:
            r.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_an_unchanged_run_exits_0_and_says_so(tmp_path):
    path, _ = save_baseline(tmp_path)
    run = run_cli([DIEHARD, "--no-progress", "--baseline", path])
    assert run.code == 0, run.err
    assert f"baseline {path}: no change (2 variants compared)" in run.err


def test_a_changed_distinct_state_count_exits_2_and_names_the_variant(tmp_path):
    path, data = save_baseline(tmp_path)
    n = next(r["distinct_states"] for r in data["results"] if r["variant"] == "space")
    edit(path, data, "space", distinct_states=n - 3)
    run = run_cli([DIEHARD, "--no-progress", "--baseline", path])
    assert run.code == 2, run.err
    assert f"  variant space: distinct states {n - 3:,} -> {n:,} (+3)" in run.err
    assert "puzzle" not in run.err
    assert "2 of 2 variants met their expectations" in run.out   # the report itself is unchanged


def test_a_changed_verdict_is_reported(tmp_path):
    path, data = save_baseline(tmp_path)
    edit(path, data, "puzzle", verdict="ok")
    run = run_cli([DIEHARD, "--no-progress", "--baseline", path])
    assert run.code == 2
    assert "  variant puzzle: verdict ok -> violated" in run.err


def test_a_worse_outcome_keeps_its_own_exit_code(tmp_path):
    path, data = save_baseline(tmp_path)
    edit(path, data, "space", distinct_states=1)
    # Cap=[3, 6] changes the state space and leaves the puzzle unsolvable (no 4 litres):
    # the expectation failure (1) says more than the baseline change (2).
    run = run_cli([DIEHARD, "--no-progress", "--baseline", path, "--const", "Cap=[3, 6]"])
    assert run.code == 1, run.out + run.err
    assert "variant space: distinct states 1 ->" in run.err


def test_variants_left_out_are_not_compared_and_new_ones_are_reported(tmp_path):
    path, data = save_baseline(tmp_path, "--variant", "puzzle", code=12)   # --variant: the verdict
    only = run_cli([DIEHARD, "--no-progress", "--variant", "puzzle", "--baseline", path])
    assert only.code == 12 and "no change (1 variant compared)" in only.err
    both = run_cli([DIEHARD, "--no-progress", "--baseline", path])
    assert both.code == 2
    assert "variant space: not in the baseline (new: ok, 16 distinct states)" in both.err


def test_a_bad_baseline_is_a_usage_error(tmp_path):
    missing = run_cli([DIEHARD, "--baseline", tmp_path / "none.json"])
    assert missing.code == 151 and "cannot read the baseline" in missing.err
    (tmp_path / "text.json").write_text("not json", encoding="utf-8")
    text = run_cli([DIEHARD, "--baseline", tmp_path / "text.json"])
    assert text.code == 151 and "is not JSON" in text.err
    (tmp_path / "shape.json").write_text('{"results": [{"variant": "x"}]}', encoding="utf-8")
    shape = run_cli([DIEHARD, "--baseline", tmp_path / "shape.json"])
    assert shape.code == 151 and "is not the output of `check --json`" in shape.err
    assert all("Traceback" not in r.err for r in (missing, text, shape))
