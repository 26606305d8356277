"""How the solver answers `choose ... where` queries: bounds and the least-solution method.

Input: set by the CLI (`--max-solutions`) or by callers of checker.api. Output: read by
checker/solver/runtime.py and by the code generator (the bound also applies to constraints
enumerated in Python, so both ways give the same answers and the same refusals).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SolverOptions:
    # The every-solution form refuses (a run-time error, KOV501) when a constraint has more
    # solutions than this in some state: one successor per solution would flood the search.
    max_solutions: int = 1024
    # Per Z3 call; a query Z3 cannot decide in time is a run-time error, never a guess.
    timeout_ms: int = 20_000
    # "bisect" (binary search on the chosen value with incremental checks) or "optimize"
    # (z3.Optimize): docs/solver.md compares them; Optimize was 3-40 times faster on every
    # IPAM query measured (`python bench/solver_bench.py least`).
    least: str = "optimize"
