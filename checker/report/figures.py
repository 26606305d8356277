"""A variant's search figures beyond the counts, named as the reports show them.

Input: an api `VariantResult` (its CheckResult's typed fields and its solver statistics).
Output: (name, value) pairs in a fixed order, which the terminal report prints as
`name: value` lines and `--json` adds as keys of the variant's object (docs/cli.md): why
the search stopped early, the liveness check's time, the symmetry and partial-order
reductions, whether premises were observed, the worker processes, the solver's work.
"""
from __future__ import annotations

from typing import Any

from checker.engine.result import CheckResult


def search_figures(vr) -> list[tuple[str, Any]]:
    """The figures of one variant's search, in report order."""
    out = result_figures(vr.result)
    if vr.solver is not None:
        out.extend(vr.solver.figures())
    return out


def result_figures(res: CheckResult) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if res.stopped is not None:
        out.append(("stopped", res.stopped))
    if res.liveness_seconds is not None:
        out.append(("liveness_seconds", res.liveness_seconds))
    if res.symmetry:
        out.append(("symmetry", list(res.symmetry)))
        if res.symmetry_inexact:    # representatives from one order only (engine/symmetry.py)
            out.append(("symmetry_inexact", res.symmetry_inexact))
    if res.undecided is not None:   # properties a complete search left unknown, and why
        out.append(("undecided", res.undecided))
    if not res.premises_observed:
        out.append(("premises", "not observed"))
    if res.symmetry_off is not None:
        out.append(("symmetry", f"off ({res.symmetry_off}); the counts are those of the full search, "
                                "without reduction"))
    if res.partial_order is not None:
        po = res.partial_order
        out.append(("reduction", f"partial-order: {po.reduced:,} states expanded by an ample set, {po.full:,} in "
                                 f"full ({po.proviso:,} by the cycle proviso); the counts are of the reduced state "
                                 "space, a counterexample may be longer than the shortest, and never-enabled and "
                                 "vacuity warnings are not judged"))
    elif res.partial_order_off is not None:
        out.append(("reduction", f"partial-order off ({res.partial_order_off}); the counts are those of the "
                                 "full search"))
    if res.fingerprints is not None:
        out.append(("fingerprints", res.fingerprints))
    if res.simulation is not None:
        sim = res.simulation
        out.append(("simulation", f"{sim.walks:,} random walks of up to {sim.depth:,} steps (seed {sim.seed}): "
                                  f"{sim.steps:,} steps, {sim.visited:,} distinct states visited; not exhaustive"))
    if res.workers_fallback is not None:
        out.append(("workers", f"1 ({res.workers_fallback})"))
    elif res.workers > 1:
        out.append(("workers", res.workers if res.cluster is None else f"{res.workers} ({res.cluster})"))
    return out
