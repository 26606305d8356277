"""One local two-node Ray cluster for the tests of tests/distributed, stopped after the last of
them (package scope: it does not idle through the rest of the suite). They share an xdist
group, `ray-cluster`, so one pytest worker runs them all and starts it once): tests/distributed/cluster.py.

Ray is in the test extra (pyproject.toml): these tests run in CI, never skipped."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import LocalCluster  # noqa: E402


@pytest.fixture(scope="package")
def ray_cluster():
    """The cluster's address; this process joins it on its first search there."""
    cluster = LocalCluster().start()
    try:
        yield cluster.address
    finally:
        import ray
        from checker.distributed import ray as on_ray
        for p in list(on_ray._POOLS.values()):
            p.close()
        if ray.is_initialized():
            ray.shutdown()
        cluster.stop()
