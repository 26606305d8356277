"""Searches beyond one machine: the partitioned search (engine/parallel.py) with its workers
on a cluster (`check SPEC --ray ADDRESS|auto`; docs/scale.md, ADR 0060).

Input: a compiled model (checker/compile), the engine's options, where the cluster is and
how many workers to start there. Output: the engine's CheckResult.

This package sits above the engine and the compiler because a worker on another machine
cannot be handed a compiled model (its generated functions do not pickle): it rebuilds the
model from the variant's IR, which needs checker/compile, which the engine may not import
(ADR 0050). `checker.distributed.ray` is the only module that imports Ray, an optional
extra (`pip install 'kovn[ray]'`); it is imported only when a search asks for it, so a kovn
without Ray runs everything else.
"""
from __future__ import annotations

from checker.engine.checkpoint import Image
from checker.engine.options import CheckOptions
from checker.engine.progress import Reporter
from checker.engine.result import CheckResult


class ClusterError(Exception):
    """The cluster cannot be used (Ray missing, no cluster at the address, too few CPUs): the
    message says what and how to fix it."""


def explore_on_ray(model, options: CheckOptions, address: str, workers: int | None = None,
                   reporter: Reporter | None = None, resume: Image | None = None) -> CheckResult:
    """Search `model` (a checker.compile.model.SpecModel) with `workers` Ray actors (None:
    one per CPU of the cluster) on the cluster at `address` ("auto": the one this machine
    belongs to). ClusterError when that cannot be done."""
    try:
        from checker.distributed import ray as on_ray
    except ImportError as exc:
        raise ClusterError(f"--ray needs Ray ({exc}): pip install 'kovn[ray]'") from None
    return on_ray.explore(model, options, address, workers, reporter, resume)
