"""The ways engine/bfs.py can run one model, for tests that make them agree.

- the model as compiled: the generated level expander (its fast path, compile/expand.py),
  the general loop on anything rare; for the level at --max-depth, the generated CUT
  expander (engine/fastpath.py Mode.CUT) while that level can still decide something,
  else the ordinary one with the cap at the current count;
- `GeneralOnly(model)`: no fast path, so the general loop over successors() runs every
  state.

`summary(result)` is everything a result says that must not depend on the path: verdict,
limit, counts, coverage, what is left, every property's status and trace states, the
failure's message and trace, and the search's figures without timings.
"""
from __future__ import annotations

from checker.report.figures import result_figures


class GeneralOnly:
    """The model without its generated expander: bfs uses the general loop only."""

    fast_path = None

    def __init__(self, model):
        self._m = model

    def __getattr__(self, name):
        return getattr(self._m, name)


def paths(model):
    """(name, model) for every way of running it."""
    return [("fast", model), ("general", GeneralOnly(model))]


def trace_states(trace):
    return None if trace is None else tuple(step.state for step in trace.steps)


def summary(result):
    stats = result.stats
    failure = result.failure
    return dict(
        verdict=result.verdict, limit=result.limit,
        counts=(stats.distinct, stats.generated, stats.depth, stats.left_in_queue),
        coverage=tuple((c.name, c.generated, c.distinct) for c in stats.coverage),
        properties=tuple((p.name, p.kind, p.status, trace_states(p.trace))
                         for p in result.properties),
        failure=None if failure is None else (failure.message, trace_states(failure.trace)),
        figures=[(k, v) for k, v in result_figures(result) if not k.endswith("seconds")],
    )
