"""Checkpoint and resume (engine/checkpoint.py) against the uninterrupted search.

The reference is the one-process search run to its end (engine/bfs.py, itself cross-checked
against the naive search). A search stopped by a state limit (which stops it in the middle
of a level) and resumed from its checkpoint, once or several times, must end exactly as
the uninterrupted one: the same verdicts, traces, counts, coverage and premises. With
workers too (a partitioned search keeps one process's order, and its checkpoint the
frontier in that order: ADR 0060), the premises compared for the properties that hold
(tests/engine/test_parallel.py says why).
"""
from __future__ import annotations

import pickle
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, explore
from checker.engine import checkpoint
from checker.engine.checkpoint import CheckpointError
from checker.engine.options import Checkpointing
from checker.engine.parallel import explore_parallel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from specgen import seeded_specs  # noqa: E402
from test_parallel import report_of  # noqa: E402

_SETTINGS = dict(derandomize=True, deadline=None, database=None, max_examples=30,
                 phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])
IDENT = (("spec text", "abc"), ("kovn version", "test"))


def comparable(result, traces: bool = True):
    """Everything a result says but its timings (and, across schedulers, its states)."""
    props = [(p.name, p.status, p.trace if traces else (len(p.trace) if p.trace else None))
             for p in result.properties]
    cov = [(c.name, c.generated, c.distinct if traces else None) for c in result.stats.coverage]
    return (result.verdict, result.limit, result.stopped, props, result.stats.distinct,
            result.stats.generated, result.stats.depth, result.stats.left_in_queue, cov,
            result.premises_seen, result.premises_failed,
            result.failure.message if result.failure else None)


def resumed_in_steps(model, directory: Path, caps: list[int], workers: int = 1,
                     options: CheckOptions = CheckOptions()):
    """Search with a checkpoint at every level, stopped at each state cap in turn and
    resumed from the checkpoint; then to the end."""
    config = Checkpointing(str(directory), 0.0, "v", IDENT)
    image = None
    for cap in [*caps, None]:
        opts = replace(options, max_states=cap, checkpoint=config)
        if workers > 1:
            result = explore_parallel(model, opts, workers, resume=image)
        else:
            result = explore(model, opts, resume=image)
        image = checkpoint.load(str(directory), "v", IDENT)
        # none only when it stopped within the initial states (no level boundary yet)
        assert image is not None or result.stats.depth <= 1
    return result


def models_of(tmp_path_factory, text: str):
    path = tmp_path_factory.mktemp("ck") / "spec.kovn"
    path.write_text(text)
    try:
        return [m for _, m in api.compile_spec(str(path))[0]]
    except DiagnosticError:
        return []       # the generator's rare spec with a constant that fails to evaluate


@settings(**_SETTINGS)
@given(seeded_specs(premises=True))
def test_random_specs_resumed_end_as_uninterrupted(tmp_path_factory, generated):
    for model in models_of(tmp_path_factory, generated.text):
        full = explore(model)
        n = full.stats.distinct
        caps = sorted({max(1, n // 3), max(1, (2 * n) // 3)})
        got = resumed_in_steps(model, tmp_path_factory.mktemp("dir"), caps)
        assert comparable(got) == comparable(full)


@settings(**{**_SETTINGS, "max_examples": 30})
@given(seeded_specs(), st.booleans(), st.integers(1, 6))
def test_random_specs_resumed_by_workers_end_as_uninterrupted(tmp_path_factory, generated, stop, where):
    """Stopped by a state cap anywhere (often in the middle of a level, perhaps before a
    violation that ends the uninterrupted search in the same level: the checkpoint is then
    of the boundary before that level) and resumed: the uninterrupted search's report."""
    options = CheckOptions(stop_on_violation=stop)
    for model in models_of(tmp_path_factory, generated.text):
        if model.temporal:
            continue
        full = explore(model, options)
        if full.failure is not None:
            continue        # a run-time error is reported by the search in one process
        caps = [max(1, full.stats.distinct * where // 7)]
        got = resumed_in_steps(model, tmp_path_factory.mktemp("dir"), caps, workers=2, options=options)
        assert report_of(got, model) == report_of(full, model)


@pytest.mark.parametrize("first,then", [(1, 2), (2, 3), (2, 1)])
def test_a_checkpoint_moves_between_schedulers(tmp_path, first, then):
    """One process's checkpoint goes on with workers, workers' with more or fewer; a
    partitioned one cannot go back to one process (refused, saying how to resume it)."""
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=4"]), ["plain"])[0]
    full = explore(model)
    config = Checkpointing(str(tmp_path), 0.0, "v", IDENT)
    opts = CheckOptions(max_states=full.stats.distinct // 2, checkpoint=config)
    (explore_parallel(model, opts, first) if first > 1 else explore(model, opts))
    image = checkpoint.load(str(tmp_path), "v", IDENT)
    rest = replace(opts, max_states=None)
    if then == 1:
        with pytest.raises(CheckpointError, match="resume it with --workers or --ray"):
            explore(model, rest, resume=image)
        return
    got = explore_parallel(model, rest, then, resume=image)
    assert report_of(got, model) == report_of(full, model)


def test_liveness_and_symmetry_resume(tmp_path):
    """The edge table (liveness) and the reduction (symmetry) survive a checkpoint."""
    compiled, _ = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), ["unfair", "symmetric"])
    for i, (_, model) in enumerate(compiled):
        full = explore(model)
        got = resumed_in_steps(model, tmp_path / str(i), [full.stats.distinct // 4, full.stats.distinct // 2])
        assert comparable(got) == comparable(full)


def test_another_run_is_refused(tmp_path):
    ((_, model),) = api.compile_spec("models/diehard.kovn", None, ["puzzle"])[0]
    config = Checkpointing(str(tmp_path), 0.0, "v", IDENT)
    explore(model, CheckOptions(checkpoint=config))
    other = (("spec text", "abd"), ("kovn version", "test"))
    with pytest.raises(CheckpointError, match="not the same spec text"):
        checkpoint.load(str(tmp_path), "v", other)
    assert checkpoint.load(str(tmp_path), "w", IDENT) is None     # none for that variant
    with pytest.raises(CheckpointError, match="not a directory"):
        checkpoint.load(str(tmp_path / "missing"), "v", IDENT)
    (tmp_path / "x.kovnckpt").write_bytes(b"not a pickle")
    with pytest.raises(CheckpointError, match="not a kovn checkpoint"):
        checkpoint.load(str(tmp_path), "x", IDENT)


def test_a_crash_while_writing_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    ((_, model),) = api.compile_spec("models/diehard.kovn", None, ["puzzle"])[0]
    config = Checkpointing(str(tmp_path), 0.0, "v", IDENT)
    explore(model, CheckOptions(max_states=5, checkpoint=config))
    before = checkpoint.load(str(tmp_path), "v", IDENT)

    def crash(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(pickle, "dump", crash)
    with pytest.raises(OSError):
        checkpoint.write(config, before)
    after = checkpoint.load(str(tmp_path), "v", IDENT)
    assert (after.states, after.lo) == (before.states, before.lo)
    assert [p.name for p in tmp_path.iterdir()] == ["v.kovnckpt"]        # no temporary left
