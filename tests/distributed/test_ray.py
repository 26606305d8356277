"""The search on a Ray cluster (checker/distributed/ray.py) against the one-process search
(engine/bfs.py) and the forked workers (engine/parallel.py), on random specs
(tests/property/specgen.py) and the shipped models.

On the cluster, N actors must find exactly what N forked workers find (the same partition,
the same messages: every count, verdict, coverage figure and trace), and that is what one
process finds (the partitioned search keeps one process's order: ADR 0060): the same
verdicts, counts, per-action coverage and counterexample traces, state by state, also when
a limit or a violation stops the search in the middle of a level, and after a checkpoint.
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings

from checker import api
from checker.distributed import explore_on_ray
from checker.engine import CheckOptions, Status, explore
from checker.engine import checkpoint
from checker.engine.options import Checkpointing
from checker.engine.parallel import explore_parallel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
from specgen import compiled_models, seeded_specs  # noqa: E402
from test_checkpoint import IDENT, comparable  # noqa: E402
from test_parallel import _SETTINGS, same_search  # noqa: E402

pytestmark = pytest.mark.xdist_group("ray-cluster")    # one cluster (conftest.py)


def on_ray_as_on_workers(model, address: str, options: CheckOptions = CheckOptions()):
    """The cluster's result, checked against two forked workers' and one process's."""
    ray_result = explore_on_ray(model, options, address, 2)
    forked = explore_parallel(model, options, 2)
    assert comparable(ray_result) == comparable(forked)
    assert ray_result.workers_fallback == forked.workers_fallback
    same_search(model, 2, options, many=ray_result)
    return ray_result


@settings(**{**_SETTINGS, "max_examples": 15})
@given(seeded_specs(premises=True))
def test_random_specs_on_the_cluster(ray_cluster, tmp_path_factory, generated):
    for model in compiled_models(tmp_path_factory.mktemp("ray"), generated.text):
        on_ray_as_on_workers(model, ray_cluster)


@pytest.mark.parametrize("path,consts,variants", [
    ("models/twophase.kovn", ["N=4"], ["default", "symmetric"]),
    ("models/diehard.kovn", [], None),
    ("models/peterson.kovn", [], ["default"]),
    ("models/alloc.kovn", [], None),
    ("docs/examples/finalizer.kovn", [], None),
])
def test_shipped_models_on_the_cluster(ray_cluster, path, consts, variants):
    compiled, _ = api.compile_spec(path, api.parse_consts(consts), variants)
    for _, model in compiled:
        result = on_ray_as_on_workers(model, ray_cluster)
        assert result.workers == 2 and result.cluster == "Ray, 2 nodes"


def test_stops_and_limits_on_the_cluster(ray_cluster):
    """--stop-at-first, --max-depth and --max-states end as with forked workers, and as in
    one process (in the middle of a level)."""
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=4"]), ["plain"])[0]
    for options in (CheckOptions(stop_on_violation=True), CheckOptions(max_depth=5),
                    CheckOptions(max_states=100)):
        on_ray_as_on_workers(model, ray_cluster, options)


def test_temporal_properties_are_checked_in_one_process(ray_cluster):
    """Liveness needs the whole graph in one process: the result says so, and is one
    process's."""
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), ["unfair"])[0]
    got = explore_on_ray(model, CheckOptions(), ray_cluster, 2)
    assert got.workers == 1 and got.workers_fallback.startswith("temporal properties")
    assert got.properties[-1].status is Status.VIOLATED
    assert comparable(got) == comparable(explore(model))


def test_checkpoints_on_the_cluster(ray_cluster, tmp_path):
    """A search on the cluster stopped at a state limit and resumed there, or by forked
    workers, ends as the uninterrupted search, on the cluster or in one process; a forked
    search's checkpoint resumes on the cluster."""
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=4"]), ["plain"])[0]
    full = explore(model)
    whole = explore_on_ray(model, CheckOptions(), ray_cluster, 2)
    config = Checkpointing(str(tmp_path), 0.0, "v", IDENT)
    capped = CheckOptions(max_states=full.stats.distinct // 2, checkpoint=config)
    for first, then in (("ray", "ray"), ("ray", "forked"), ("forked", "ray")):
        if first == "ray":
            explore_on_ray(model, capped, ray_cluster, 2)
        else:
            explore_parallel(model, capped, 2)
        image = checkpoint.load(str(tmp_path), "v", IDENT)
        assert image is not None and image.kind == "partitioned" and image.stored < full.stats.distinct
        rest = replace(capped, max_states=None)
        got = (explore_on_ray(model, rest, ray_cluster, 2, resume=image) if then == "ray"
               else explore_parallel(model, rest, 2, resume=image))
        assert comparable(got) == comparable(full) == comparable(whole)
