"""Why a lasso's loop lasts (checker/analysis/lasso.py): the fair actions enabled in the
loop but not throughout it, the processes that wait and the `require` that holds them."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker import api
from checker.analysis.analyse import analyse
from checker.engine import CheckOptions
from checker.engine.result import Status
from checker.render.text import loop_lines

ROOT = Path(__file__).resolve().parents[2]


def _lassos(path, variant=None):
    report = api.check(str(ROOT / path), None, [variant] if variant else None, CheckOptions())
    return [(r.model, p) for r in report.results for p in r.result.properties
            if p.status is Status.VIOLATED and p.kind == "liveness"]


def test_weak_fairness_is_not_forced_by_an_action_enabled_only_sometimes():
    (model, prop), = _lassos("models/fairness.kovn", "weak")
    loop = analyse(model, prop.trace, prop).loop
    by = {g.who: g for g in loop.fair}
    assert by["Lock"].taken and by["Unlock"].taken
    acquire = by["Acquire"]
    assert (acquire.taken, acquire.enabled, acquire.states) == (False, 1, 2)
    assert "Acquire (weakly fair) is enabled in 1 of the loop's 2 states and never taken" in \
        "\n".join(loop_lines(loop))


def test_a_waiting_worker_says_where_and_which_require_holds_it(kovn):
    spec = """
        spec waits
        var queue: set[0..1]
        var seen: 0..2
        init { queue := {}  seen := 0 }
        process Worker(w: 0..0) {
          take:
            require 1 in queue
            seen := seen + 1
            goto take
        }
        action Poke { require seen < 2  seen := seen + 1 }
        fair weak process Worker
        temporal Served: eventually seen == 2
    """
    r = kovn.check(spec).results[0]
    (prop,) = [p for p in r.result.properties if p.name == "Served"]
    assert prop.status is Status.VIOLATED
    loop = analyse(r.model, prop.trace, prop).loop
    (w,) = loop.waiting
    assert (w.who, w.at, w.fair) == ("Worker(0)", "take", True)
    assert (w.blocked.cond, w.blocked.value, w.blocked.seen) == ("1 in queue", False, ("queue = {}",))
    assert loop.fair == ()


@pytest.mark.slow
def test_the_flagship_lasso_names_the_workers_waiting_on_empty_queues():
    found = [(m, p) for m, p in _lassos("spec/ipam.kovn", "v1_12") if p.name == "DeletionCompletes"]
    model, prop = found[0]
    loop = analyse(model, prop.trace, prop).loop
    waits = {w.who: w for w in loop.waiting}
    assert waits["PodDel(1)"].blocked.cond == "Pod(p) in queue[delPod]"
    assert waits["PodDel(1)"].blocked.seen == ("queue[delPod] = {}",)
    assert waits["IPAdd(0)"].blocked.cond == "queue[addIP] is empty"
    assert loop.has_queues and loop.queues == ()
