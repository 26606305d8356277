"""Every shipped spec's output, pinned: `check SPEC --json` (and the text report with its
counterexamples) compared with a stored copy, the timings and memory figures removed.

This is the acceptance test of restructurings that must not change behaviour (issue 14):
the counts, verdicts, coverage, warnings, trace lengths and the traces themselves of
spec/ and models/ stay what they were. spec/ipam.kovn's full run takes minutes, so its
variants are searched to a bounded depth here (their violations show within it); the
full run is compared by hand when the engine changes (docs/architecture.md says how).

The stored copies are rewritten only by `pytest --update-golden`; review the diff.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
STORED = Path(__file__).resolve().parent / "outputs"

# name -> the command line (after `check`); --jobs 1: variants one after another, in this
# process (the report is the same with more, ADR 0030)
CASES = {
    "alloc": ["models/alloc.kovn"],
    "diehard": ["models/diehard.kovn"],
    "fairness": ["models/fairness.kovn"],
    "peterson": ["models/peterson.kovn"],
    "twophase": ["models/twophase.kovn"],
    "k8s-aigw_finalizer_conflict": ["models/k8s/aigw_finalizer_conflict.kovn"],
    "k8s-fluid_restart": ["models/k8s/fluid_restart.kovn"],
    "k8s-kubefed_orphan": ["models/k8s/kubefed_orphan.kovn"],
    "example-finalizer": ["docs/examples/finalizer.kovn"],
    # the parallel search (engine/parallel.py) must give the one-process counts
    "twophase-workers2": ["models/twophase.kovn", "--const", "N=4", "--workers", "2"],
    "peterson-workers2": ["models/peterson.kovn", "--variant", "default", "--workers", "2"],
    "ipam-depth10": ["spec/ipam.kovn", "--max-depth", "10"],
}
# the text report with every counterexample: the traces themselves
TEXT_CASES = {
    "alloc": ["models/alloc.kovn"],
    "diehard": ["models/diehard.kovn"],
    "fairness": ["models/fairness.kovn"],
    "peterson": ["models/peterson.kovn"],
    "twophase": ["models/twophase.kovn"],
    "k8s-aigw_finalizer_conflict": ["models/k8s/aigw_finalizer_conflict.kovn"],
    "k8s-fluid_restart": ["models/k8s/fluid_restart.kovn"],
    "k8s-kubefed_orphan": ["models/k8s/kubefed_orphan.kovn"],
    "example-finalizer": ["docs/examples/finalizer.kovn"],
    "ipam-v1_12-depth10": ["spec/ipam.kovn", "--variant", "v1_12", "--max-depth", "10"],
}

# figures that depend on the machine and the moment, not on the search: times, memory, and
# the solver's cache hits, which follow the clock too (a chunk of states that the generated
# expander gives back is expanded again by the general loop, asking the cache again, and
# the chunks are sized by the clock: engine/bfs.py)
TIMINGS = {"seconds", "parse_seconds", "compile_seconds", "search_seconds", "states_per_second",
           "peak_rss_bytes", "liveness_seconds", "solver_seconds", "solver_cache_hits",
           "solver_cache_hit_rate"}
_TEXT_TIMINGS = [
    (re.compile(r"\d[\d,.]* s \(parse [\d.]+, compile [\d.]+, search [\d,.]+ s: [\d,.]+ states/s\), "
                r"peak memory [\d,.]+ [KMG]i?B"), "<time>"),
    (re.compile(r"(liveness_seconds|solver_seconds|solver_cache_hits|solver_cache_hit_rate): [\d.]+"),
     r"\1: <time>"),
]


def without_timings(report: dict) -> dict:
    for r in report["results"]:
        for key in TIMINGS:
            r.pop(key, None)
    return report


def masked(text: str) -> str:
    for pattern, repl in _TEXT_TIMINGS:
        text = pattern.sub(repl, text)
    return text


def _run(argv: list[str], capsys, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(ROOT)
    capsys.readouterr()
    code = cli_main([*argv, "--no-progress", "--jobs", "1"])
    return code, capsys.readouterr().out


def _compare(path: Path, got: str, update: bool) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.exists(), f"no stored output {path.name}: run pytest --update-golden once"
    assert got == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_output_is_unchanged(name, capsys, monkeypatch, update_golden):
    code, out = _run([*CASES[name], "--json"], capsys, monkeypatch)
    report = without_timings(json.loads(out))
    got = json.dumps({"exit": code, **report}, indent=1, sort_keys=False) + "\n"
    _compare(STORED / f"{name}.json", got, update_golden)


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_text_report_and_traces_are_unchanged(name, capsys, monkeypatch, update_golden):
    code, out = _run([*TEXT_CASES[name], "--traces"], capsys, monkeypatch)
    _compare(STORED / f"{name}.txt", f"[exit {code}]\n" + masked(out), update_golden)


def test_timings_are_the_only_figures_removed():
    """The mask removes the figures that vary from run to run, and nothing else."""
    line = ("  288 distinct states, 1,146 generated, depth 11, 0.21 s (parse 0.05, compile 0.03, "
            "search 0.13 s: 8,832 states/s), peak memory 30 MiB")
    assert masked(line) == "  288 distinct states, 1,146 generated, depth 11, <time>"
    report = {"results": [{"distinct_states": 3, "seconds": 1.5, "parse_seconds": 0.1, "compile_seconds": 0.2,
                           "search_seconds": 1.2, "peak_rss_bytes": 9, "depth": 2}]}
    assert without_timings(report) == {"results": [{"distinct_states": 3, "depth": 2}]}
