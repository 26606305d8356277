"""old(e): the value at the start of the step, compiled and interpreted alike.

Each spec below uses old(...) where the in-order semantics would read something else: after
assignments, inside `if` branches that fork, `for` loops, `choose` and `choose ... where`,
macros and process steps. compare_model (test_compile_vs_interp.py) checks the compiled
successor function against the reference interpreter on every reachable state; the pinned
values say what the right answer is.
"""
from __future__ import annotations

import textwrap

import pytest

from checker import api
from checker.diagnostics import DiagnosticError

from test_compile_vs_interp import check_text, reachable_values  # same directory

SPECS = {
    "after_assignments": """
        spec r
        var x: 0..3 = 1
        var y: 0..6 = 0
        action Step {
          require x < 3
          x := x + 1
          y := x + old(x)          // new + old: always odd
        }
        invariant Odd: y == 0 or y % 2 == 1
    """,
    "forks_loops_and_choices": """
        spec r
        type K = 0..2
        var f: K -> 0..3 = {k: 0 for k in K}
        var s: 0..9 = 0
        action Shift(k: K) {
          require f[k] < 3
          f[k] := f[k] + 1
          if old(f[k]) == 0 {
            choose v in {old(f[k]), f[k]}
            s := v
          } else {
            require old(f)[k] < f[k]
            choose least w: 0..9 where w > old(s)
            s := w
          }
        }
        action Rotate {
          require s < 9
          for k in K {
            f[k] := old(f[(k + 1) % 3])
          }
          s := s + 1
        }
    """,
    "macros_and_processes": """
        spec r
        var c: 0..4 = 0
        var seen: 0..4 = 0
        macro bump() {
          c := c + 1
          seen := old(c)
        }
        action Tick { require c < 3  bump() }
        process P(p: 0..1) {
          var mine: 0..4 = 0
          take:
            require c < 4
            c := c + 1
            mine := old(c)
        }
        allow deadlock
    """,
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_old_compiles_as_the_interpreter_evaluates_it(name, tmp_path):
    check_text(textwrap.dedent(SPECS[name]).lstrip(), tmp_path)


def test_old_reads_the_start_of_the_step(tmp_path):
    # y is x's new value plus its old one: 1 + 2, 2 + 3
    assert reachable_values(SPECS["after_assignments"], tmp_path, "y") == {0, 3, 5}
    # seen is c before the step, which bumped it: 0 .. 2 by Tick, and what processes leave
    assert reachable_values(SPECS["macros_and_processes"], tmp_path, "seen") == {0, 1, 2}


@pytest.mark.parametrize("where, text", [
    ("init", "var x: 0..3\ninit { x := old(1) }"),
    ("invariant", "var x: 0..3 = 0\ninvariant I: old(x) == x"),
    ("definition", "var x: 0..3 = 0\ndef D: int = old(x)\naction A { x := D }"),
    ("action property", "var x: 0..3 = 0\naction A { x := 1 }\naction property P: old(x) <= x'"),
])
def test_old_outside_a_step_is_kov310(where, text, tmp_path):
    path = tmp_path / "bad.kovn"
    path.write_text(text + "\nallow deadlock\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as exc:
        api.compile_spec(str(path))
    assert [d.code for d in exc.value.diagnostics] == ["KOV310"], where


def test_a_local_named_old_hides_the_builtin(tmp_path):
    path = tmp_path / "hide.kovn"
    path.write_text("var x: 0..3 = 0\naction A { let old = x  x := old }\nallow deadlock\n", encoding="utf-8")
    api.compile_spec(str(path))         # `old` as a name is fine
    path.write_text("var x: 0..3 = 0\naction A { let old = x  x := old(x) }\nallow deadlock\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as exc:
        api.compile_spec(str(path))
    (d,) = exc.value.diagnostics
    assert d.code == "KOV204" and "hides the built-in" in d.hint
