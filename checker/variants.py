"""Several variants searched at once, one process each.

Input: the compiled models of a spec's variants and the engine's options. Output: their
results (`CheckResult`s), in the order of the models, exactly as `engine.explore` gives them in one
process: each variant's search is independent and deterministic, so running them side by
side changes nothing but the wall time.

The processes are forked after compilation, so each child already holds every model and is
sent only an index; it sends back its result (anything the model counts itself, such as its
solver's calls, is read in the child by the `run` function given). Progress lines are not shown (several searches
would write over each other). Forking is not available everywhere (Windows, and macOS spawns
by default): there the variants are searched one after the other.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, TypeVar

from checker.engine import CheckOptions, budget

_TASK: list = []          # (models, options, run) of the searches in progress
M = TypeVar("M")
R = TypeVar("R")


def cpus() -> int:
    """The CPUs this process may run on (the scheduler's affinity where it is known)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def explore_variants(models: list[M], options: CheckOptions, jobs: int,
                     run: Callable[[M, CheckOptions], R]) -> list[R]:
    """`run(model, options)` for each model, up to `jobs` at a time (`run` is the engine's
    `explore`, or a wrapper that also collects a model's own statistics in the process that
    searched it: api.check's `run`). What `run` returns must pickle."""
    if jobs <= 1 or len(models) <= 1 or "fork" not in mp.get_all_start_methods():
        return [run(m, options) for m in models]
    _TASK[:] = [(models, options, run)]
    try:
        ctx = mp.get_context("fork")
        # Ctrl-C: each child stops its search and sends back what it explored (INCOMPLETE);
        # one sent to this process alone is passed on to them
        with budget.interruptible(forward=_interrupt_children), \
                ProcessPoolExecutor(max_workers=min(jobs, len(models)), mp_context=ctx) as pool:
            return list(pool.map(_run_one, range(len(models))))
    finally:
        _TASK.clear()


def _interrupt_children() -> None:
    for child in mp.active_children():
        if child.pid is None:       # not started
            continue
        try:
            os.kill(child.pid, signal.SIGINT)
        except ProcessLookupError:
            pass


def _run_one(i: int):
    budget.in_forked_child()
    models, options, run = _TASK[0]
    return run(models[i], options)
