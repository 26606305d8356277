"""The generated search loop against the general one, and the graph recorded during the
search against the one built afterwards.

engine/bfs.py expands a level through the model's generated expander (compile/expand.py)
when it has one, and falls back to the general loop over successors() chunk by chunk on
anything rare. Both must give exactly the same result: counts, coverage, verdicts,
counterexample states, and the state at which a limit stops the search. For models with
temporal properties the search records the state graph as it goes; it must be the graph
engine/graph.py builds by calling successors() again.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.engine import CheckOptions, explore
from checker.engine.bfs import Search
from checker.engine.graph import build_graph

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
from engine_paths import GeneralOnly  # noqa: E402
from specgen import compiled_models, seeded_specs  # noqa: E402

_SETTINGS = dict(derandomize=True, deadline=None, database=None, max_examples=60,
                 phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


def summary(result):
    stats = result.stats
    return (result.verdict, result.limit, stats.distinct, stats.generated, stats.depth,
            stats.left_in_queue, tuple((c.generated, c.distinct) for c in stats.coverage),
            tuple((p.name, p.status, None if p.trace is None else tuple(s.state for s in p.trace.steps))
                  for p in result.properties),
            None if result.failure is None else (result.failure.message,
                                                 None if result.failure.trace is None
                                                 else len(result.failure.trace)))


OPTIONS = [CheckOptions(), CheckOptions(max_states=7), CheckOptions(stop_on_violation=True),
           CheckOptions(max_depth=3)]


@settings(**_SETTINGS)
@given(seeded_specs())
def test_generated_loop_matches_the_general_loop(tmp_path_factory, generated):
    for model in compiled_models(tmp_path_factory.mktemp("fast"), generated.text):
        for options in OPTIONS:
            assert summary(explore(model, options)) == summary(explore(GeneralOnly(model), options))


@pytest.mark.parametrize("path,consts,variant", [
    ("models/twophase.kovn", ["N=3"], "fair"),
    ("models/twophase.kovn", ["N=3"], "unfair"),
    ("models/peterson.kovn", ["N=3"], "fair"),
    ("models/fairness.kovn", [], None),
])
def test_recorded_graph_is_the_built_graph(path, consts, variant):
    compiled, _ = api.compile_spec(path, api.parse_consts(consts), [variant] if variant else None)
    for _, model in compiled:
        for m in (model, GeneralOnly(model)):
            search = Search(m, CheckOptions(), None)
            result = search.run()
            edges = search.store.edges
            built = build_graph(model, search.store.states)
            assert list(built.off) == list(edges.off)
            assert list(built.dst) == list(edges.dst)
            assert [built.labels[x] for x in built.lab] == [edges.labels[x] for x in edges.lab]
            assert built.init == tuple(range(search._initial_count))
            # and the verdicts are those of a check on the built graph
            assert summary(result) == summary(explore(m))
