"""`choose x: T where C` and `choose least x: T where C`: semantics, the two ways of computing
them (enumeration in Python for small types, Z3 for large ones), the bound on solutions,
caching and statistics, large-type parameters, and the diagnostics for what the solver
cannot encode. Every spec runs through the real pipeline."""
from __future__ import annotations

import json

import pytest

from checker import api
from checker.diagnostics import DiagnosticError
from checker.engine import Status, Verdict
from checker.semantics import display as D
from checker.ir import solve_plan as plan
from checker.solver.options import SolverOptions

from assertions import statuses


def shown(r, trace, var):
    return [D.show(r.model.describe(s.state)[var]) for s in trace.steps]


@pytest.fixture
def solver_always(monkeypatch):
    """Every `choose ... where` goes to Z3, whatever the size of its type."""
    monkeypatch.setattr(plan, "ENUMERATE_UP_TO", 0)


# ---------------------------------------------------------------- the same answers both ways

PICK = """
    spec pick
    var used: set[0..12] = {}
    var prev: 0..12 = 0
    var noise: 0..1 = 0
    action Take {
      choose least x: 0..12 where x % 3 == 1 and x not in used and x > prev - 5
      used := used | {x}
      prev := x
    }
    action Any {
      choose x: 0..12 where x in used and x % 2 == 0
      used := used - {x}
    }
    action Back {
      choose x: 0..12 where x < prev and x != 7
      prev := x
    }
    action Noise { noise := 1 - noise }
    invariant Mod: forall x in used: x % 3 == 1
    reachable Deep: 10 in used
"""


def prop(r, name):
    return next(p for p in r.result.properties if p.name == name)


def run_both(kovn, monkeypatch, text: str):
    enumerated = kovn.one(text)
    monkeypatch.setattr(plan, "ENUMERATE_UP_TO", 0)
    solved = kovn.one(text)
    return enumerated, solved


def test_enumeration_and_the_solver_give_the_same_state_space_and_traces(kovn, monkeypatch):
    a, b = run_both(kovn, monkeypatch, PICK)
    sa, sb = a.result.stats, b.result.stats
    assert (sa.distinct, sa.generated, sa.depth) == (sb.distinct, sb.generated, sb.depth)
    assert sa.distinct > 100
    assert [(c.name, c.generated, c.distinct) for c in sa.coverage] == \
        [(c.name, c.generated, c.distinct) for c in sb.coverage]
    ta, tb = prop(a, "Deep").trace, prop(b, "Deep").trace
    assert [s.action for s in ta.steps] == [s.action for s in tb.steps]
    assert shown(a, ta, "used") == shown(b, tb, "used")
    # only the solver's run reports solver statistics
    assert a.solver is None
    assert b.solver.calls > 0


def test_least_takes_the_smallest_solution(kovn):
    r = kovn.one(PICK)
    trace = prop(r, "Deep").trace
    takes = [s for s in trace.steps[1:] if s.action == "Take"]
    values = [r.model.describe(s.state)["prev"] for s in takes]
    # each Take picks the least x = 1 (mod 3) above prev - 5 not yet used: 1, 4, 7, 10
    assert values == [1, 4, 7, 10]


def test_every_solution_is_one_successor(kovn):
    r = kovn.one("""
        spec every
        var x: 0..100000 = 0
        var done: bool = false
        action Pick {
          require not done
          choose v: 0..100000 where v % 25000 == 7
          x := v
          done := true
        }
        allow deadlock
    """)
    # 7, 25007, 50007, 75007 (the domain is past the break-even: Z3 answers)
    assert r.result.stats.distinct == 5
    assert r.solver.calls == 1


def test_no_solution_disables_the_step(kovn):
    r = kovn.one("""
        spec none
        var used: set[ip, 2] = {10.0.0.1, 10.0.0.2}
        var n: 0..1 = 0
        action Take {
          choose least a: ip where a in 10.0.0.0/30 and a != 10.0.0.0 and a != 10.0.0.3 and a not in used
          used := {a}
        }
        action Tick { n := 1 - n }
        reachable Took: len(used) == 1
    """)
    assert statuses(r)["Took"] is Status.VIOLATED
    take = next(c for c in r.result.stats.coverage if c.name == "Take")
    assert take.generated == 0


# ---------------------------------------------------------------- the bound on solutions

MANY = """
    spec many
    var a: ip = 0.0.0.0
    action Pick {
      choose b: ip where b in 10.0.0.0/24 and b > a
      a := b
    }
    allow deadlock
"""


def test_too_many_solutions_is_refused_with_a_diagnostic_and_the_bound_can_be_raised(kovn):
    wide = MANY.replace("10.0.0.0/24", "10.0.0.0/21")      # 2048 solutions in the first state
    r = kovn.one(wide)
    assert r.result.verdict is Verdict.ERROR
    assert "more than 1024 solutions" in r.result.failure.message
    assert r.result.failure.origin.text().startswith("choose b: ip where")
    # with the bound raised, every solution is a successor (from the first state only, so
    # that the run stays small: 2048 states that each have 2048 - k larger ones would
    # make two million transitions)
    path = kovn.write(wide.replace("action Pick {", "action Pick {\n  require a == 0.0.0.0"))
    raised = api.check(str(path), solver=SolverOptions(max_solutions=4096))
    assert raised.results[0].result.verdict is Verdict.OK
    assert raised.results[0].result.stats.distinct == 1 + 2048


def test_the_bound_applies_to_both_ways_and_is_raised_from_the_command_line(kovn, monkeypatch):
    path = kovn.write(MANY.replace("10.0.0.0/24", "10.0.0.0/28"))
    run = kovn.cli([path, "--no-progress", "--max-solutions", "10"])
    assert run.code == 75       # a run-time error of the model (KOV501)
    assert "more than 10 solutions" in run.err and "--max-solutions" in run.err
    assert kovn.cli([path, "--no-progress", "--max-solutions", "16"]).code == 0
    # the same bound for a constraint enumerated in Python
    small = kovn.write("""
        spec smallmany
        var a: 0..20 = 0
        action Pick {
          choose b: 0..20 where b > a
          a := b
        }
        allow deadlock
    """)
    run = kovn.cli([small, "--no-progress", "--max-solutions", "5"])
    assert run.code == 75 and "more than 5 solutions" in run.err


# ---------------------------------------------------------------- caching and statistics

CACHED = """
    spec cached
    var held: map[1..2, ip] = {}
    var noise: 0..3 = 0
    def used: set[ip] = {held[n] for n in keys(held)}
    action Alloc(n: 1..2) {
      require not (n in held)
      choose least a: ip where a in 192.168.0.0/24 and a != 192.168.0.1 and a not in used
      held[n] := a
    }
    action Free(n: 1..2) {
      require n in held
      held := remove(held, n)
    }
    action Noise { noise := (noise + 1) % 4 }
    invariant Distinct: 1 in held and 2 in held => held[1] != held[2]
"""


def test_answers_are_cached_by_what_the_constraint_reads(kovn):
    r = kovn.one(CACHED)
    solver = r.solver
    # the constraint reads only the addresses in use: {}, {.0}, {.2}, {.0, .2}
    # (.0 is the least address the constraint allows), whatever `noise` and the holders are
    assert solver.calls == 3
    asked = solver.calls + solver.cache_hits
    alloc = next(c for c in r.result.stats.coverage if c.name == "Alloc")
    assert asked >= alloc.generated
    assert solver.cache_hit_rate == round(solver.cache_hits / asked, 4)
    assert solver.seconds > 0
    assert dict(solver.figures())["solver_calls"] == 3


def test_solver_statistics_are_in_the_report_and_the_json(kovn):
    path = kovn.write(CACHED)
    run = kovn.cli([path, "--no-progress"])
    assert run.code == 0
    assert "solver_calls: 3" in run.out and "solver_cache_hits:" in run.out
    data = json.loads(kovn.cli([path, "--no-progress", "--json"]).out)
    (result,) = data["results"]
    assert result["solver_calls"] == 3
    assert {"solver_cache_hits", "solver_cache_hit_rate", "solver_seconds"} <= set(result)


def test_the_search_is_deterministic(kovn):
    a, b = kovn.one(CACHED), kovn.one(CACHED)
    assert (a.result.stats.distinct, a.result.stats.generated) == (b.result.stats.distinct, b.result.stats.generated)


# ---------------------------------------------------------------- blocks, parameters

def test_choosing_a_cidr_block(kovn):
    r = kovn.one("""
        spec blocks
        var taken: set[cidr, 3] = {}
        action Carve {
          require len(taken) < 3
          choose least c: cidr where c.prefix == 26 and c.network in 10.8.0.0/24 and c not in taken
          taken := taken | {c}
        }
        reachable Three: len(taken) == 3
        allow deadlock
    """)
    trace = r.result.properties[-1].trace
    assert shown(r, trace, "taken")[-1] == "{10.8.0.0/26, 10.8.0.64/26, 10.8.0.128/26}"


def test_a_large_parameter_is_picked_by_the_solver_from_the_leading_requires(kovn):
    r = kovn.one("""
        spec param
        var used: set[ip, 2] = {10.1.0.7}
        action Release(a: ip) {
          require a in used
          used := used - {a}
        }
        action Use(a: ip) {
          require a in 10.1.0.4/30 and a not in used
          require len(used) < 2
          used := used | {a}
        }
        reachable Empty: used == {}
    """)
    assert statuses(r)["Empty"] is Status.HOLDS
    labels = {s.action for p in r.result.properties if p.trace for s in p.trace.steps[1:]}
    assert "Release(10.1.0.7)" in labels
    # used: any subset of 10.1.0.4..7 of at most two addresses (1 + 4 + 6 = 11)
    assert r.result.stats.distinct == 11


def test_an_unconstrained_large_parameter_is_refused_at_the_parameter(kovn):
    with pytest.raises(DiagnosticError) as exc:
        kovn.check("""
            spec free
            var x: ip = 0.0.0.0
            action Set(a: ip) {
              x := a
            }
        """)
    (d,) = exc.value.diagnostics
    assert d.code == "KOV209" and "parameter 'a' ranges over ip" in d.message
    assert d.span.text() == "a: ip"


@pytest.mark.parametrize("constraint,part,why", [
    ("a * a == 16", "a * a", "not linear"),
    ("a / (a - 3) == 2", "a / (a - 3)", "division by a value that depends on the chosen value"),
    ("{k: a for k in 1..2}[1] == a", "{k: a for k in 1..2}", "map comprehension"),
    ("len({a, 3}) == 2 and head([a]) == a", "head([a])", "'head'"),
])
def test_forms_the_solver_cannot_encode_are_diagnostics_at_the_form(kovn, constraint, part, why):
    with pytest.raises(DiagnosticError) as exc:
        kovn.check(f"""
            spec bad
            var x: 0..1000000 = 0
            action Pick {{
              choose a: 0..1000000 where {constraint}
              x := a
            }}
        """)
    found = [d for d in exc.value.diagnostics if d.code == "KOV308"]
    assert found, exc.value.diagnostics
    assert any(d.span.text() == part and why in d.message for d in found), \
        [(d.span.text(), d.message) for d in found]


def test_the_same_forms_are_fine_on_a_small_type(kovn):
    r = kovn.one("""
        spec small
        var x: 0..10 = 0
        action Pick {
          choose a: 0..10 where a * a == 16
          x := a
        }
        reachable Four: x == 4
        allow deadlock
    """)
    assert statuses(r)["Four"] is Status.HOLDS


def test_a_solver_that_cannot_choose_the_type_says_so(kovn):
    with pytest.raises(DiagnosticError) as exc:
        kovn.check("""
            spec opt
            var x: option[ip] = none
            action Pick {
              choose o: option[ip] where o != none
              x := o
            }
        """)
    (d,) = exc.value.diagnostics
    assert d.code == "KOV308" and "chooses only integers, addresses and CIDR blocks" in d.message


def test_the_solver_path_is_the_same_under_any_hash_seed(root):
    """models/alloc.kovn (every allocation answered by Z3) prints the same JSON under two
    hash seeds, apart from the timings. The cache hits follow the clock too: a chunk of
    states the generated expander gives back is expanded again by the general loop, which
    asks the cache again, and chunks are sized by the clock (engine/bfs.py); the Z3 calls
    (the cache misses) do not."""
    import os
    import subprocess
    import sys

    def run(seed: str) -> dict:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        p = subprocess.run([sys.executable, "-m", "checker", "models/alloc.kovn", "--json", "--no-progress"],
                           cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        doc = json.loads(p.stdout)
        for r in doc["results"]:
            for k in [k for k in r if k.endswith("seconds") or k in (
                    "states_per_second", "peak_rss_bytes", "solver_cache_hits", "solver_cache_hit_rate")]:
                del r[k]
        return doc

    a, b = run("0"), run("1")
    assert a == b
    assert a["results"][0]["solver_calls"] > 0
