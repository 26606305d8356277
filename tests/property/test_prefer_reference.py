"""The fault-averse counterexample search (checker/engine/prefer.py) against brute force on
random small specs (specgen.py).

For each violated invariant or action property of a random spec, with a cost made of the
first action's steps and how much a step lowers the first int variable (the two kinds of
`--prefer` term), and a slack of 0 to 2 steps: the reference enumerates every path from an
initial state of at most the shortest counterexample's length plus the slack (states
outside the state constraint are not expanded, as in the search) and takes the least
(cost, length) among those that end in a violation. The search must find that same
(cost, length), with a trace that is a real path of the model (replayed from an initial
state), that violates the property, and that costs what it says.
"""
from __future__ import annotations

import pytest

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, ModelError, Status, explore
from checker.engine.prefer import cheapest_trace, term_cost, trace_cost

from specgen import spec_from_seed  # tests/property is on sys.path (rootdir-less import)

SEEDS = range(160)
MAX_PATHS = 60_000          # a spec whose paths are more is skipped (the reference is slow)


class TooMany(Exception):
    pass


def _reference(model, index, kind, cost, width, max_steps):
    """The least (cost, steps) of a violating path of at most max_steps steps, or None."""
    best = None
    count = 0

    def visit(state, c, steps):
        nonlocal best, count
        count += 1
        if count > MAX_PATHS:
            raise TooMany
        if kind == "invariant" and index in model.check_state(state):
            best = min(best, (c, steps)) if best is not None else (c, steps)
            return
        if steps == max_steps or (model.has_constraint and not model.within_constraint(state)):
            return
        for label, nxt in model.successors(state):
            c2 = tuple(x + y for x, y in zip(c, cost(label, state, nxt)))
            if kind == "action" and index in model.check_transition(state, label, nxt):
                cand = (c2, steps + 1)
                best = min(best, cand) if best is not None else cand
                continue
            visit(nxt, c2, steps + 1)

    for s in model.init_states():
        visit(s, (0,) * width, 0)
    return best


def _replays(model, trace) -> bool:
    if trace.steps[0].state not in list(model.init_states()):
        return False
    return all((b.label, b.state) in list(model.successors(a.state)) for a, b in zip(trace.steps, trace.steps[1:]))


def _terms(model) -> list[str]:
    first = next(iter(model.init_states()))
    ints = [name for name, v in model.describe(first).items() if isinstance(v, int) and not isinstance(v, bool)]
    return [model.actions[0].name.split(".")[0]] + ints[:1]


def _cases(tmp):
    compared = 0
    for seed in SEEDS:
        path = tmp / f"s{seed}.kovn"
        path.write_text(spec_from_seed(seed).text, encoding="utf-8")
        try:
            compiled, _ = api.compile_spec(str(path))
        except DiagnosticError:
            continue
        for _variant, model in compiled:
            try:
                res = explore(model, CheckOptions(max_states=5000))
            except ModelError:
                continue
            if res.failure is not None:
                continue
            for p in res.properties:
                if p.status is Status.VIOLATED and p.trace is not None and p.kind in ("invariant", "action"):
                    yield seed, model, p
                    compared += 1
    assert compared >= 40, f"only {compared} counterexamples compared: the generator changed?"


def test_the_cheapest_trace_is_the_brute_force_minimum(tmp_path):
    checked = improved = 0
    for seed, model, prop in _cases(tmp_path):
        terms = _terms(model)
        cost = term_cost(model, terms)
        index = [p.name for p in model.properties].index(prop.name)
        shortest = len(prop.trace) - 1
        for slack in (0, 1, 2):
            try:
                want = _reference(model, index, prop.kind, cost, len(terms), shortest + slack)
            except (TooMany, ModelError):
                break
            try:
                got = cheapest_trace(model, index, cost, len(terms), shortest + slack)
            except ModelError:
                break
            assert want is not None, f"seed {seed}: the reference finds no violation of {prop.name}"
            assert got is not None, f"seed {seed}: no trace for {prop.name}"
            assert (got.cost, len(got.trace) - 1) == want, f"seed {seed} {prop.name} slack {slack}"
            assert _replays(model, got.trace), f"seed {seed}: not a path of the model"
            assert trace_cost(got.trace, cost, len(terms)) == got.cost
            assert got.cost <= trace_cost(prop.trace, cost, len(terms))
            checked += 1
            improved += (got.cost, len(got.trace)) < (trace_cost(prop.trace, cost, len(terms)), len(prop.trace))
    assert checked >= 60, f"only {checked} comparisons"
    assert improved >= 10, f"only {improved} traces were cheaper than the shortest: the costs say little"


def test_prefer_faults_replaces_a_trace_with_an_injected_error(kovn):
    """Among the shortest counterexamples, the one without the injected error that the
    search found first (the preset's budget `faultsLeft`; `restartsLeft` absent: left out)."""
    spec = """
        spec flaky
        var faultsLeft: 0..1 = 1
        var done: bool = false
        action Fail { require not done and faultsLeft > 0  faultsLeft := faultsLeft - 1  done := true }
        action Write { require not done  done := true }
        invariant NotDone: not done
    """
    r = kovn.check(spec).results[0]
    (p,) = [p for p in r.result.properties if p.name == "NotDone"]
    assert [s.action for s in p.trace.steps] == [None, "Fail"]      # the search's first find
    res, notes = api.preferred(r.model, r.result, api.Preference(("faults",)))
    (q,) = [x for x in res.properties if x.name == "NotDone"]
    assert [s.action for s in q.trace.steps] == [None, "Write"]
    assert notes == ("NotDone: cost (faultsLeft) = (0) in 2 states "
                     "(the shortest trace: cost (faultsLeft) = (1) in 2)",)
    with pytest.raises(api.PreferError, match="'Nope' is neither an action nor a variable"):
        api.preferred(r.model, r.result, api.Preference(("Nope",)))
