"""Dead guards (KOV602): actions, process steps and `choose ... where` constraints that can
never hold under the declared types and constants, found by the solver before the search."""
from __future__ import annotations

import re


from checker import api


def dead(kovn, text: str, variants=None) -> list:
    report = kovn.check(text, variants=variants)
    return [w for w in report.warnings if w.code == "KOV602"]


def test_an_impossible_guard_is_a_warning_pointing_at_the_guard(kovn):
    (w,) = dead(kovn, """
        spec s
        var x: 0..3 = 0
        var y: ip = 10.0.0.1
        action Inc {
          require x < 3
          x := x + 1
        }
        action Never {
          require x >= 1
          require y in 10.0.0.0/8 and x + 4 < 5 and x != 0
          x := 0
        }
        allow deadlock
    """)
    assert w.message.startswith("action 'Never' can never be enabled")
    assert w.span.text() == "y in 10.0.0.0/8 and x + 4 < 5 and x != 0"
    assert (w.span.line, w.span.col) == (10, 11)
    assert w.labels and w.labels[0][0].text().startswith("action Never")


def test_the_warning_is_printed_with_its_location(kovn):
    path = kovn.write("""
        spec s
        const LIMIT: int = 2
        var x: 0..LIMIT = 0
        action Grow {
          require x > LIMIT
          x := 0
        }
        action Inc {
          require x < LIMIT
          x := x + 1
        }
        allow deadlock
    """)
    run = kovn.cli([path, "--no-progress"])
    assert run.code == 0
    assert re.search(r"spec\d+\.kovn:5:11: warning\[KOV602\]: action 'Grow' can never be enabled", run.err)


def test_guards_over_addresses_and_blocks(kovn):
    found = dead(kovn, """
        spec s
        const BLOCK: cidr = 10.16.0.0/16
        var a: ip = 10.16.0.1
        action Outside {
          require a in BLOCK and a in 192.168.0.0/16
          a := 10.16.0.2
        }
        action Above {
          require a in BLOCK and a > broadcast(BLOCK)
          a := 10.16.0.2
        }
        action Fine {
          require a in BLOCK and a != gateway(BLOCK)
          a := gateway(BLOCK)
        }
        allow deadlock
    """)
    assert sorted(w.message.split("'")[1] for w in found) == ["Above", "Outside"]


def test_a_guard_made_impossible_by_an_earlier_assignment(kovn):
    (w,) = dead(kovn, """
        spec s
        var x: 0..3 = 0
        action Reset {
          x := 0
          require x > 0
        }
        action Inc {
          require x < 3
          x := x + 1
        }
        allow deadlock
    """)
    assert w.span.text() == "x > 0"


def test_every_path_must_be_dead(kovn):
    found = dead(kovn, """
        spec s
        var x: 0..3 = 0
        var b: bool = false
        action BothDead {
          if b { require x > 5 } else { require x < 0 }
          x := 0
        }
        action OneAlive {
          if b { require x > 5 } else { require x < 2 }
          x := 1
        }
        action Flip { b := not b }
    """)
    assert [w.message.split("'")[1] for w in found] == ["BothDead"]


def test_a_process_step_with_an_impossible_guard(kovn):
    (w,) = dead(kovn, """
        spec s
        var n: 0..2 = 0
        process P(i: 0..1) {
          start:
            require n < 2
            n := n + 1
          stuck:
            require n > 2
            n := 0
        }
        allow deadlock
    """)
    assert w.message.startswith("step 'P.stuck' can never be enabled")
    assert w.span.text() == "n > 2"


def test_a_choose_whose_constraint_has_no_solution_in_any_state(kovn):
    (w,) = dead(kovn, """
        spec s
        var used: set[ip, 2] = {}
        action Take {
          choose least a: ip where a in 10.0.0.0/30 and a > 10.0.0.3 and a not in used
          used := used | {a}
        }
        action Clear { used := {} }
    """)
    assert "this constraint has no solution in any state" in w.message
    assert w.span.text() == "a in 10.0.0.0/30 and a > 10.0.0.3 and a not in used"


def test_guards_that_hold_in_some_typed_state_are_not_reported(kovn):
    # reachable or not: the warning is about the types and constants only
    assert dead(kovn, """
        spec s
        var x: 0..3 = 0
        var q: seq[0..3, 2] = []
        action NeverReached {
          require x == 3
          x := 0
        }
        action Opaque {
          require len(q) > 0 and head(q) > 2
          q := tail(q)
        }
        action Stay { x := x }
    """) == []


def test_a_guard_switched_off_in_one_variant_is_reported_in_that_variant_only(kovn):
    text = """
        spec s
        const FEATURE: bool = false
        var x: 0..1 = 0
        action Feature {
          require FEATURE and x == 0
          x := 1
        }
        action Reset { x := 0 }
        variant off { }
        variant on { FEATURE = true }
    """
    # The warning belongs to the variant that switches the action off (which says so, if
    # on purpose, with `acknowledge never_enabled Feature`), never to the other.
    (w,) = dead(kovn, text)
    assert w.message.startswith("action 'Feature'")
    assert "in variant off" in w.notes
    (w,) = dead(kovn, text, variants=["off"])
    assert w.message.startswith("action 'Feature'")
    assert dead(kovn, text, variants=["on"]) == []
    report = kovn.check(text)
    by_variant = {r.variant.name: [x.code for x in r.warnings] for r in report.results}
    assert "KOV602" in by_variant["off"] and "KOV602" not in by_variant["on"]


def test_the_shipped_specs_and_models_have_no_dead_guard():
    """No guard of a shipped spec is dead in every variant (that is a mistake whatever the
    settings); the models have none at all. A guard a variant switches off with a constant
    (spec/ipam.kovn's fixes and fault budgets) is that variant's warning, which it
    acknowledges (tests/quality checks --strict)."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    for path in sorted(root.glob("models/*.kovn")) + [root / "spec" / "ipam.kovn"]:
        compiled, _ = api.compile_spec(str(path), lint=False)
        per_variant = api.dead_guards(compiled)
        everywhere = [w.message for w in api.merged(per_variant, [v.name for v, _ in compiled])
                      if not any(n.startswith("in variant") for n in w.notes)]
        assert everywhere == [], path.name
        if path.parent.name == "models":
            assert per_variant == [[] for _ in compiled], path.name


# ---------------------------------------------------------------- after the search

def test_check_judges_only_what_the_search_never_saw_enabled(kovn, monkeypatch):
    """`check` runs the analysis after the search, on the actions that never fired (and on
    `choose ... where` constraints, which a fired action may still never reach)."""
    from checker.solver import deadguard
    seen = []
    real = deadguard.dead_guards
    monkeypatch.setattr(deadguard, "dead_guards",
                        lambda spec, only=None, **kw: seen.append(sorted(only)) or real(spec, only=only, **kw))
    found = dead(kovn, """
        var x: 0..3 = 0
        var y: ip = 10.0.0.1
        action Inc {
          require x < 3
          x := x + 1
        }
        action Pick {
          require x == 1
          if x == 2 {
            choose a: ip where a in 10.0.0.0/30 and a in 11.0.0.0/30
            y := a
          }
        }
        action Never {
          require x > 3
          x := 0
        }
        allow deadlock
    """)
    assert seen == [[1, 2]]         # Pick fired but has a constraint; Never did not fire
    assert ["this constraint has no solution" in w.message for w in found] == [True, False]
    assert found[1].message.startswith("action 'Never' can never be enabled")


def test_a_spec_whose_actions_all_fire_never_loads_the_solver(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    code = ("import sys; from checker import api; "
            "r = api.check('models/twophase.kovn', api.parse_consts(['N=3']), ['plain']); "
            "assert r.results[0].result.stats.distinct == 288; "
            "print('z3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
