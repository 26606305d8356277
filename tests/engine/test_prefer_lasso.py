"""The cheapest violating lasso (checker/engine/prefer_lasso.py) and `--prefer` for liveness
(api.preferred): small specs whose shortest lasso takes a restart as a shortcut, or needs
one, and hand-made graphs whose cheapest lassos can be read off their edge tables. The
brute-force cross-check on random specs is tests/property/test_prefer_lasso_reference.py.
"""
from __future__ import annotations

import json

from checker import api
from checker.engine.liveness import STUTTER
from checker.engine.prefer import trace_cost
from checker.engine.prefer_lasso import LassoSearch
from checker.render.itf import read_itf, write_itf

from test_liveness import Graph, check, prop, weak

SHORTCUT = """
    spec shortcut
    var restartsLeft: 0..1 = 1
    var x: 0..3 = 0
    // a restart jumps straight to where the work is stuck; the steps get there too
    action Restart { require restartsLeft > 0 and x == 0  restartsLeft := restartsLeft - 1  x := 2 }
    action Step { require x < 2  x := x + 1 }
    fair weak Step
    allow deadlock
    temporal Finishes: eventually x == 3
"""


def _lasso(r, name):
    (p,) = [p for p in r.result.properties if p.name == name]
    return p


def test_a_restart_taken_as_a_shortcut_is_replaced_by_a_lasso_without_one(kovn):
    r = kovn.one(SHORTCUT)
    before = _lasso(r, "Finishes")
    assert [s.action for s in before.trace.steps] == [None, "Restart", STUTTER]     # the search's first find
    res, notes = api.preferred(r.model, r.result, api.Preference(("faults",)))
    after = _lasso(api.VariantResult(r.variant, r.model, res, r.expectation_met, r.mismatches), "Finishes")
    assert [s.action for s in after.trace.steps] == [None, "Step", "Step", STUTTER]
    assert after.trace.loop_start == 2
    assert notes == ("Finishes: cost (restartsLeft) = (0) in 4 states "
                     "(the shortest lasso: cost (restartsLeft) = (1) in 3)",)
    # it replays in the model, loop and all (the ITF round trip: every step a successor)
    back = read_itf(r.model, write_itf(r.model, after.trace, prop="Finishes", kind="liveness"))
    assert [s.state for s in back.steps] == [s.state for s in after.trace.steps]
    assert back.loop_start == after.trace.loop_start
    # the loop is fair: Step is disabled where it stutters
    assert r.model.describe(after.trace.steps[-1].state)["x"] == 2


def test_prefer_in_the_report_says_which_lasso_it_replaced(kovn):
    path = kovn.write(SHORTCUT)
    plain = kovn.cli([path, "--no-progress"])
    run = kovn.cli([path, "--no-progress", "--prefer", "faults"])
    assert "--prefer" not in plain.out and "2  Restart" in plain.out
    assert ("--prefer: Finishes: cost (restartsLeft) = (0) in 4 states "
            "(the shortest lasso: cost (restartsLeft) = (1) in 3)") in run.out
    assert "Restart " not in run.out.split("counterexample for Finishes")[1]
    assert run.code == plain.code


def test_a_restart_the_property_needs_is_kept_and_the_report_says_it_is_the_cheapest(kovn):
    """Restart is weakly fair and enabled from the start: every violating lasso takes it."""
    r = kovn.one(SHORTCUT.replace("fair weak Step", "fair weak Restart")
                 .replace("and x == 0  restartsLeft", "  restartsLeft"))
    before = _lasso(r, "Finishes")
    res, notes = api.preferred(r.model, r.result, api.Preference(("faults",)))
    assert _lasso(api.VariantResult(r.variant, r.model, res, True, ()), "Finishes").trace == before.trace
    assert notes == ("Finishes: the shortest lasso is the cheapest: cost (restartsLeft) = (1)",)


def test_an_action_term_counts_the_steps_of_the_loop_too(kovn):
    """`--prefer Ping`: the loop Ping, Pong, Ping, Pong... is the shortest (from the initial
    state on); stopping after Go is the free one."""
    r = kovn.one("""
        spec loops
        var x: 0..2 = 0
        action Ping { require x == 0  x := 1 }
        action Pong { require x == 1  x := 0 }
        action Go { require x == 0  x := 2 }
        fair weak Ping, Go
        allow deadlock
        temporal Never: eventually x == 3
    """)
    res, notes = api.preferred(r.model, r.result, api.Preference(("Ping",)))
    after = _lasso(api.VariantResult(r.variant, r.model, res, True, ()), "Never")
    assert [s.action for s in after.trace.steps] == [None, "Go", STUTTER]
    assert notes[0].startswith("Never: cost (Ping) = (0) in 3 states (the shortest lasso: cost (Ping) = (1)")


# ---- hand-made graphs (labels (action, (param,)); A0 the costly action) ---------------------

def _cheapest(model, cost=lambda label, a, b: (1 if label[0] == 0 else 0,)):
    search = LassoSearch.of(model, cost, 1, 1000)
    (t,) = model.temporal
    return search.cheapest(t)


def _states(trace):
    return [s.state for s in trace.steps]


def test_the_cheapest_prefix_may_be_longer():
    # 0 -A0-> 3 (costly shortcut); 0 -A1-> 1 -A1-> 2 -A1-> 3; 3 is stuck without P
    g = Graph([(0, 0, 0, 3), (0, 1, 0, 1), (1, 1, 0, 2), (2, 1, 0, 3)],
              temporal=[prop("eventually", lambda s: s == 9)], fairness=[weak(1)])
    assert _states(check(g).trace) == [0, 3, 3]
    got = _cheapest(g)
    assert _states(got.result.trace) == [0, 1, 2, 3, 3] and got.cost == (0,) and got.bound is None


def test_a_loop_that_must_cost_is_counted_once_and_is_the_least():
    # the only fair loop 1 -A0-> 2 -A1-> 1 takes A0 once per round (weak fairness of both)
    g = Graph([(0, 1, 0, 1), (1, 0, 0, 2), (2, 1, 0, 1)],
              temporal=[prop("always_eventually", lambda s: s == 0)], fairness=[weak(0), weak(1)])
    got = _cheapest(g)
    assert _states(got.result.trace) == [0, 1, 2, 1] and got.cost == (1,) and got.bound is None


def test_a_free_loop_beats_a_shorter_costly_one():
    # A0 weakly fair: the search's loop takes it (1 -A0-> 4 -A1-> 1); the free loop goes
    # through 2, where A0 is disabled (1 -A1-> 2 -A1-> 3 -A1-> 1)
    g = Graph([(0, 1, 0, 1), (1, 0, 0, 4), (4, 1, 0, 1), (1, 1, 1, 2), (2, 1, 0, 3), (3, 1, 0, 1)],
              temporal=[prop("always_eventually", lambda s: s == 0)], fairness=[weak(0)])
    assert _states(check(g).trace) == [0, 1, 4, 1]
    got = _cheapest(g)
    assert _states(got.result.trace) == [0, 1, 2, 3, 1] and got.cost == (0,) and got.bound is None


def test_leads_to_counts_the_prefix_to_the_trigger_and_on():
    # P at 2 and 3, Q nowhere, no fairness: the search stops at 3 after the costly step,
    # the cheapest way to a trigger is two free steps to 2
    g = Graph([(0, 0, 0, 3), (0, 1, 0, 1), (1, 1, 0, 2)],
              temporal=[prop("leads_to", lambda s: s in (2, 3), lambda s: s == 4)])
    assert _states(check(g).trace) == [0, 3, 3]
    got = _cheapest(g)
    assert _states(got.result.trace) == [0, 1, 2, 2] and got.cost == (0,) and got.bound is None


def test_always_takes_the_cheapest_path_to_the_bad_state():
    g = Graph([(0, 0, 0, 2), (0, 1, 0, 1), (1, 1, 0, 2)], temporal=[prop("always", lambda s: s != 2)])
    assert _states(check(g).trace) == [0, 2]
    got = _cheapest(g)
    assert _states(got.result.trace) == [0, 1, 2] and got.result.trace.loop_start is None and got.cost == (0,)


def test_the_cost_of_the_chosen_lasso_is_its_steps_cost():
    g = Graph([(0, 0, 0, 1), (1, 0, 0, 2), (2, 1, 0, 1)],
              temporal=[prop("always_eventually", lambda s: s == 0)], fairness=[weak(0)])
    got = _cheapest(g)
    cost = lambda label, a, b: (1 if label[0] == 0 else 0,)   # noqa: E731
    assert trace_cost(got.result.trace, cost, 1) == got.cost == (2,)


def test_no_violation_no_lasso():
    g = Graph([(0, 0, 0, 1), (1, 1, 0, 0)], temporal=[prop("always_eventually", lambda s: s == 0)],
              fairness=[weak(0), weak(1)])
    assert _cheapest(g) is None


def test_same_answer_on_every_run(kovn):
    r = kovn.one(SHORTCUT)
    runs = {json.dumps([repr(s.state) for s in _lasso(
        api.VariantResult(r.variant, r.model, api.preferred(r.model, r.result, api.Preference(("faults",)))[0],
                          True, ()), "Finishes").trace.steps]) for _ in range(3)}
    assert len(runs) == 1
