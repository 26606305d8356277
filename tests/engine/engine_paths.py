"""The ways engine/bfs.py can run one model, for tests that make them agree.

- the model as compiled: the generated level expander (compile/expand.py) on the fast
  path, the general loop on anything rare;
- `GeneralOnly(model)`: no level expander, so the general loop over successors() runs
  every state;
- `NativeLast(model)`: a level_expander that also takes `last` and so gives bfs the
  generated last-level expander for the level at --max-depth (compile/expand.py's
  ExpandPlan.last). compile/model.py's level_expander does not take `last` (yet); without
  it bfs runs that level on the ordinary expander with the cap at the current count.

`summary(result)` is everything a result says that must not depend on the path: verdict,
limit, counts, coverage, what is left, every property's status and trace states, the
failure's message and trace, and `extra` without timings.
"""
from __future__ import annotations

from checker.compile.expand import ExpandPlan, expander_source


class GeneralOnly:
    """The model without its generated expander: bfs uses the general loop only."""

    def __init__(self, model):
        self._m = model

    def __getattr__(self, name):
        if name == "level_expander":
            raise AttributeError(name)
        return getattr(self._m, name)


class NativeLast:
    """The model with a level_expander that takes `last`, as compile/model.py's would."""

    def __init__(self, model):
        self._m = model

    def __getattr__(self, name):
        return getattr(self._m, name)

    def level_expander(self, state_props, transition, deadlock, graph, canonical=False,
                       actions=False, route=False, last=False):
        m = self._m
        plan = ExpandPlan(tuple(state_props), transition, deadlock, graph, canonical, actions,
                          route, last)
        fn = m._expanders.get(plan)
        if fn is None:
            source = expander_source(m._gen, plan)
            m._ns.update(m._gen.constants)
            exec(compile(source, f"<kovn {m.name} test search>", "exec"), m._ns)
            fn = m._expanders[plan] = m._ns[plan.name()]
        return fn


def paths(model):
    """(name, model) for every way of running it."""
    return [("fast", model), ("general", GeneralOnly(model)), ("native-last", NativeLast(model))]


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
        extra={k: v for k, v in result.extra.items() if not k.endswith("seconds")},
    )
