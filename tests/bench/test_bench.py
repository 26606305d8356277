"""The benchmark script (python bench/bench.py): its quick suite runs end to end and
reports the conformance counts; pan's report is read as SPIN prints it. Timings are only
printed, never asserted."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "bench.py"


def _bench_module():
    """bench/bench.py, a script outside the package, loaded as a module."""
    spec = importlib.util.spec_from_file_location("kovn_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module      # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


parse_pan = _bench_module().parse_pan


@pytest.mark.slow   # the benchmark's quick suite
def test_the_quick_suite_reports_the_conformance_counts(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--no-spin", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    runs = {r["case"]: r for r in json.loads(out.read_text())["runs"]}
    counts = {name: (r["distinct"], r["generated"], r["depth"]) for name, r in runs.items()}
    assert counts == {
        "twophase5": (8_832, 58_146, 17),
        "twophase5-w2": (8_832, 58_146, 17),
        "twophase5-sym": (314, 2_048, 17),
        "peterson3": (288, 652, 15),
        "diehard2": (16, 97, 8),
    }
    for r in runs.values():
        assert r["error"] == ""
        assert 0 < r["search_s"] < r["wall_s"] and r["first_s"] > 0 and r["peak_rss_mib"] > 0
    assert "first s" in done.stdout.splitlines()[0]


def test_pan_figures_are_read_from_its_report():
    report = """
State-vector 44 byte, depth reached 22, errors: 0
   296448 states, stored
  2448258 states, matched
  2744706 transitions (= stored+matched)
   60.128	total actual memory usage
"""
    assert parse_pan(report) == {"distinct": 296_448, "generated": 2_744_706, "depth": 23,
                                 "memory_mib": 60.128, "errors": 0}


def test_the_vacuity_mode_runs_each_case_with_and_without_premise_observation(tmp_path):
    out = tmp_path / "vacuity.json"
    done = subprocess.run([sys.executable, str(BENCH), "--vacuity", "--cases", "peterson3",
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(out.read_text())["vacuity"]
    assert row["case"] == "peterson3" and row["distinct"] == 288 and row["error"] == ""
    assert row["search_with_s"] > 0 and row["search_without_s"] > 0
    assert "overhead" in done.stdout.splitlines()[0]


def test_the_table_shows_the_reduction_factor_of_a_full_and_reduced_pair():
    bench = _bench_module()
    full, red = bench.REDUCTIONS[0]
    runs = [bench.Run(full, distinct=1000, wall_s=4.0), bench.Run(red, distinct=400, wall_s=2.0)]
    text = bench.table(runs)
    assert f"{full} / {red}: 2.500x fewer states, time full / reduced 2.00" in text
    assert "reduction factors" not in bench.table(runs[:1])
