"""The compact store (engine/store.py CompactStore) against the plain one and a reference.

The compact store keeps the states of older levels in an open-addressing table over a
64-bit array instead of a Python set. It must be exact: the same states, in the same
order, with the same parents, so every count, verdict and trace is the plain store's. The
generated expander probes the table inline (compile/expand.py), the general loop through
the store's `seen`: both are run, with compaction from the first level on
(compact_from=0), on random specs and on the shipped models, against the plain store and,
for the reachable states, against a breadth-first search written out here.
"""
from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.engine import CheckOptions, explore
from checker.engine.bfs import Search
from checker.engine.model import ModelError
from checker.engine.result import Verdict
from checker.engine.store import CompactStore, Mark

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_paths import GeneralOnly, summary  # noqa: E402
from specgen import compiled_models, seeded_specs  # noqa: E402

_SETTINGS = dict(derandomize=True, deadline=None, database=None, max_examples=60,
                 phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])

OPTIONS = [CheckOptions(), CheckOptions(max_states=7), CheckOptions(stop_on_violation=True),
           CheckOptions(max_depth=3), CheckOptions(complete=True)]


def reachable(model) -> set:
    """Every state reachable within the constraint: a plain breadth-first search."""
    seen = set(model.init_states())
    todo = list(seen)
    while todo:
        nxt = []
        for s in todo:
            if model.has_constraint and not model.within_constraint(s):
                continue
            for _, t in model.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        todo = nxt
    return seen


def compared(model, options: CheckOptions) -> None:
    plain = summary(explore(model, dataclasses.replace(options, compact_from=None)))
    for m in (model, GeneralOnly(model)):
        assert summary(explore(m, dataclasses.replace(options, compact_from=0))) == plain


@settings(**_SETTINGS)
@given(seeded_specs())
def test_compact_store_matches_the_plain_store_on_random_specs(tmp_path_factory, generated):
    for model in compiled_models(tmp_path_factory.mktemp("compact"), generated.text):
        for options in OPTIONS:
            compared(model, options)
        search = Search(model, CheckOptions(compact_from=0, complete=True), None, compact=True)
        result = search.run()
        if result.verdict is Verdict.OK and model.symmetry is None and not model.temporal:
            try:
                states = reachable(model)
            except ModelError:
                continue
            assert isinstance(search.store, CompactStore)
            assert sorted(search.store.states) == sorted(states)
            assert all(s in search.store.seen for s in states)


@pytest.mark.parametrize("path,consts,variant", [
    ("models/twophase.kovn", ["N=4"], "plain"),
    ("models/twophase.kovn", ["N=4"], "default"),
    ("models/twophase.kovn", ["N=5"], "symmetric"),
    ("models/peterson.kovn", ["N=3"], "default"),
    ("models/diehard.kovn", [], None),
    ("models/alloc.kovn", [], None),
])
def test_compact_store_matches_the_plain_store_on_models(path, consts, variant):
    compiled, _ = api.compile_spec(path, api.parse_consts(consts), [variant] if variant else None)
    for _, model in compiled:
        for options in (CheckOptions(), CheckOptions(max_depth=6), CheckOptions(max_states=500)):
            compared(model, options)


def test_the_older_levels_are_in_the_table():
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=4"]), ["plain"])[0]
    search = Search(model, CheckOptions(compact_from=0), None, compact=True)
    result = search.run()
    store = search.store
    assert isinstance(store, CompactStore)
    assert result.stats.distinct == len(store.states) == 1568
    # every level went to the table before it was expanded; the hot set holds the states
    # found since (none: the last level had no new successor) and the state 0
    zero = 0 in store.states[:store.retired]
    assert store.retired == len(store.states) and store.cold == store.retired - zero > 0
    assert len(store.hot) == len(store.states) - store.retired + zero
    assert all(store.in_cold(s) for s in store.states[:store.retired] if s)
    # below compact_from nothing moves
    small = Search(model, CheckOptions(), None, compact=True)
    small.run()
    assert isinstance(small.store, CompactStore) and small.store.cold == 0


def test_a_model_without_int_states_keeps_the_plain_store():
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), ["plain"])[0]

    class Wide(GeneralOnly):
        state_bits = 65

    assert not isinstance(Search(Wide(model), CheckOptions(), None, compact=True).store, CompactStore)
    assert not isinstance(Search(model, CheckOptions(compact_from=None), None, compact=True).store,
                          CompactStore)


def test_the_table_against_a_set():
    rng = random.Random(15)
    store = CompactStore(compact_from=0)
    truth: set[int] = set()
    values = [0, 1, 2**64 - 1] + [rng.getrandbits(rng.choice([3, 12, 40, 64])) for _ in range(5000)]
    lo = 0
    for level in range(12):
        for v in values[level * 420:(level + 1) * 420]:
            if v not in store.seen:
                assert v not in truth
                store.add(v, -1)
                truth.add(v)
            else:
                assert v in truth
        # a chunk undone: its states are forgotten, the older ones kept
        mark = Mark(len(store.states))
        extra = [rng.getrandbits(64) | 1 for _ in range(5)]
        for v in extra:
            if v not in store.seen:
                store.add(v, 0)
        store.undo(lo, mark)
        assert len(store.states) == mark.states
        lo = len(store.states)
        store.retire(lo)
        assert store.cold == len(truth - {0}) and store.retired == lo
        assert store.cold <= 0.7 * len(store.table)
        for v in truth:
            assert v in store.seen
        for v in extra:
            assert (v in store.seen) == (v in truth)
    assert 0 in store.seen and 0 in store.hot      # the table cannot hold it (0: empty)
