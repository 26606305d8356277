"""The DOT text of small counterexamples, against golden files (tests/render/golden/*.dot).

Regenerate on purpose with `pytest --update-golden tests/render` and review the diff: the
DOT text is what the picture is drawn from, so a change here is a change users see.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.render import trace_dot
from render_helpers import SPECS, failure, violation

GOLDEN = Path(__file__).resolve().parent / "golden"

CASES = [
    ("stale.kovn", "NoFinalizerWhileDeleting"),   # k8s-aware lanes, a stale cache read
    ("counter.kovn", "NoLostUpdate"),             # lanes per process and per variable
    ("loop.kovn", "ReachesTwo"),                  # a lasso: the loop drawn back up
]


@pytest.mark.parametrize("spec,prop", CASES + [("failing.kovn", None)], ids=[c[0] for c in CASES] + ["failing.kovn"])
def test_dot_matches_golden(spec, prop, update_golden):
    # failing.kovn: a run-time error's trace (no property: the search failed to evaluate)
    v = violation(SPECS / spec, prop) if prop is not None else failure(SPECS / spec)
    text = trace_dot(v.model, v.spec_name, v.variant, v.prop)
    golden = GOLDEN / (Path(spec).stem + ".dot")
    if update_golden or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{golden} did not exist; written now, review it and rerun")
    assert text == golden.read_text(encoding="utf-8"), \
        f"the DOT of {spec} changed; if on purpose: pytest --update-golden tests/render"


def test_dot_is_the_same_on_every_run():
    v = violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting")
    first = trace_dot(v.model, v.spec_name, v.variant, v.prop)
    again = violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting")
    assert trace_dot(again.model, again.spec_name, again.variant, again.prop) == first


def test_dot_and_itf_do_not_depend_on_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    script = ("import sys; from checker.render.itf import write_itf; from checker.render import trace_dot; "
              "from render_helpers import SPECS, violation; "
              "v = violation(SPECS / 'counter.kovn', 'NoLostUpdate'); "
              "sys.stdout.write(trace_dot(v.model, v.spec_name, v.variant, v.prop) + write_itf(v.model, v.prop.trace))")
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests" / "render")])}
        outs.append(subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True,
                                   text=True, check=True).stdout)
    assert outs[0] == outs[1] and "digraph trace" in outs[0]
