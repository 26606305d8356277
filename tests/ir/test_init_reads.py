"""KOV309: a state variable read while the initial states are computed, before it has a
value on some path. Without the check, the compiled checker read the first value of the
variable's type (`init { x := y; y := 2 }` gave x = 0) and the reference interpreter
failed (TypeBroken). Covered: init statements in order, `if` (both branches must assign),
`for`, `choose` (also `choose ... where`), `require`, macros and definitions used by init,
partial assignments (`f[k] := v`, `r.a := v`), declaration initial values (in declaration
order, imported files first), volatile variables, process locals and `restart` in init; and
what stays accepted: assign-then-read, declared initial values, both branches assigning,
reads in actions (also through `restart`). Reading a `let`/`choose` name before it is bound
is KOV101, as before.

Accepted specs are compiled and their initial states compared with the reference
interpreter's: neither reads an unassigned variable any more.
"""
from __future__ import annotations

import pytest

from checker import api
from checker.diagnostics import DiagnosticError, render
from checker.ir.interp import Interpreter
from checker.semantics.types import Tag


def diagnostics(kovn, text: str, name: str | None = None) -> list:
    path = kovn.write(text, name)
    with pytest.raises(DiagnosticError) as exc:
        api.compile_spec(str(path))
    return sorted(exc.value.diagnostics, key=lambda d: (d.span.start, d.code))


def kov309(kovn, text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of each KOV309, in source order; no other error."""
    diags = diagnostics(kovn, text)
    assert all(d.code == "KOV309" for d in diags), [render(d) for d in diags]
    return [(d.span.line, d.span.col, d.message) for d in diags]


def initial_states(kovn, text: str) -> list[dict]:
    """The compiled model's initial states, checked against the reference interpreter's."""
    path = kovn.write(text)
    compiled, _ = api.compile_spec(str(path))
    (_, model), = compiled
    states = [model.describe(s) for s in model.init_states()]
    assert states == Interpreter(model.spec).init_states()
    return states


# ---------------------------------------------------------------- the known case

KNOWN = """
    var x: 0..3
    var y: 0..3
    init {
      x := y
      y := 2
    }
    allow deadlock
"""


def test_read_before_the_assignment_in_init_is_reported_at_the_read(kovn):
    (d,) = diagnostics(kovn, KNOWN)
    assert d.code == "KOV309"
    assert (d.span.line, d.span.col, d.span.text()) == (4, 8, "y")
    assert d.message == "state variable 'y' is read before it has a value"
    assert [(s.line, label) for s, label in d.labels] == [(5, "assigned only later, here")]
    assert "`var y: 0..3 = value`" in d.hint


def test_read_before_assignment_renders_with_location_caret_and_hint_exit_150(kovn):
    path = kovn.write(KNOWN, "known.kovn")
    run = kovn.cli([path, "--no-progress"])
    assert run.code == 150
    assert "known.kovn:4:8: error[KOV309]: state variable 'y' is read before it has a value" in run.err
    assert "  4 |   x := y\n    |        ^\n" in run.err
    assert "= hint: assign 'y' before reading it" in run.err
    assert "Traceback" not in run.err and "internal error" not in run.err


def test_assign_then_read_is_accepted(kovn):
    states = initial_states(kovn, """
        var x: 0..3
        var y: 0..3
        init {
          y := 2
          x := y
        }
        allow deadlock
    """)
    assert states == [{"x": 2, "y": 2}]


def test_a_declared_initial_value_is_accepted(kovn):
    states = initial_states(kovn, """
        var x: 0..3
        var y: 0..3 = 2
        init { x := y + 1 }
        allow deadlock
    """)
    assert states == [{"x": 3, "y": 2}]


# ---------------------------------------------------------------- control flow in init

def test_if_that_assigns_in_one_branch_only_is_reported_at_the_later_read(kovn):
    diags = diagnostics(kovn, """
        var x: 0..3
        var y: 0..3
        init {
          choose v in 0..1
          if v == 0 { y := 1 }
          x := y
        }
        allow deadlock
    """)
    # y is also not assigned on every path at all (KOV305, at its declaration)
    assert [(d.code, d.span.line) for d in diags] == [("KOV305", 2), ("KOV309", 6)]
    read = diags[1]
    assert [(s.line, label) for s, label in read.labels] == [
        (5, "assigned here, but not on every path to the read")]


def test_if_that_assigns_in_both_branches_is_accepted(kovn):
    states = initial_states(kovn, """
        var x: 0..3
        var y: 0..3
        init {
          choose v in 0..1
          if v == 0 { y := 1 } else { y := 2 }
          x := y
        }
        allow deadlock
    """)
    assert states == [{"x": 1, "y": 1}, {"x": 2, "y": 2}]


def test_the_condition_of_an_if_and_a_require_are_reads(kovn):
    assert kov309(kovn, """
        var x: 0..3
        var y: 0..3
        var z: 0..3
        init {
          if x == 0 { y := 1 } else { y := 2 }
          require z < 3
          x := 0
          z := 0
        }
        allow deadlock
    """) == [(5, 6, "state variable 'x' is read before it has a value"),
             (6, 11, "state variable 'z' is read before it has a value")]


def test_a_for_loop_assigns_nothing_for_sure_and_its_first_run_sees_only_what_came_before(kovn):
    diags = diagnostics(kovn, """
        var n: 0..3
        var m: 0..3
        init {
          for i in 0..1 { n := i }
          m := n
          for i in 0..1 { m := m + 1 }
        }
        allow deadlock
    """)
    # n: assigned only inside the loop (KOV305), read after it; m is assigned before its loop
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("KOV305", 1, 1), ("KOV309", 5, 8)]

    # the first run of the body reads n before the body assigns it
    diags = diagnostics(kovn, """
        var n: 0..3
        var total: 0..3 = 0
        init {
          for i in 0..1 { total := total + n  n := i }
        }
        allow deadlock
    """)
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("KOV305", 1, 1), ("KOV309", 4, 36)]


def test_choose_sets_and_choose_where_constraints_are_reads(kovn):
    assert kov309(kovn, """
        var s: set[0..3]
        var t: set[0..3]
        var x: 0..3
        init {
          choose a in s
          choose b: 0..3 where b in t
          s := {1}
          t := {2}
          x := a + b
        }
        allow deadlock
    """) == [(5, 15, "state variable 's' is read before it has a value"),
             (6, 29, "state variable 't' is read before it has a value")]


def test_choose_over_an_assigned_variable_is_accepted(kovn):
    states = initial_states(kovn, """
        var s: set[0..3]
        var x: 0..3
        init {
          s := {1, 2}
          choose a in s
          x := a
        }
        allow deadlock
    """)
    assert states == [{"s": frozenset({1, 2}), "x": 1}, {"s": frozenset({1, 2}), "x": 2}]


def test_each_statement_reports_a_variable_once(kovn):
    assert kov309(kovn, """
        var x: 0..6
        var y: 0..3
        var z: 0..6
        init {
          x := y + y
          z := y
          y := 1
        }
        allow deadlock
    """) == [(5, 8, "state variable 'y' is read before it has a value"),
             (6, 8, "state variable 'y' is read before it has a value")]


# ---------------------------------------------------------------- macros and definitions

def test_a_macro_called_from_init_is_reported_at_the_call_with_a_note_at_the_read(kovn):
    (d,) = diagnostics(kovn, """
        var x: 0..3
        var y: 0..3
        macro copy() {
          x := y
        }
        init {
          copy()
          y := 1
        }
        allow deadlock
    """)
    assert d.code == "KOV309" and (d.span.line, d.span.text()) == (7, "copy()")
    assert [(s.line, s.col, label) for s, label in d.labels] == [
        (4, 8, "'y' is read here, in macro 'copy'"), (8, 3, "assigned only later, here")]


def test_a_macro_that_assigns_first_and_macro_arguments(kovn):
    states = initial_states(kovn, """
        var x: 0..3
        var y: 0..3
        macro put(v: 0..3) {
          y := v
          x := y
        }
        init { put(2) }
        allow deadlock
    """)
    assert states == [{"x": 2, "y": 2}]

    # an argument is read at the call: the diagnostic points at it, with no note
    (d,) = diagnostics(kovn, """
        var x: 0..3
        var y: 0..3
        macro put(v: 0..3) { x := v }
        init {
          put(y)
          y := 1
        }
        allow deadlock
    """)
    assert (d.code, d.span.line, d.span.col, d.span.text()) == ("KOV309", 5, 7, "y")
    assert [label for _, label in d.labels] == ["assigned only later, here"]


def test_a_definition_that_reads_state_is_reported_at_the_call(kovn):
    (d,) = diagnostics(kovn, """
        var x: 0..6
        var y: 0..3
        def Double(k: 0..3): 0..6 = k + y
        init {
          x := Double(1)
          y := 1
        }
        allow deadlock
    """)
    assert (d.code, d.span.line, d.span.text()) == ("KOV309", 5, "Double(1)")
    assert d.labels[0][0].line == 3 and d.labels[0][1] == "'y' is read here, in definition 'Double'"


def test_a_definition_called_after_the_assignment_is_accepted(kovn):
    states = initial_states(kovn, """
        var x: 0..6
        var y: 0..3
        def Double: 0..6 = 2 * y
        init {
          y := 3
          x := Double
        }
        allow deadlock
    """)
    assert states == [{"x": 6, "y": 3}]


def test_an_assignment_reading_itself_through_a_definition_is_not_a_double_assignment(kovn):
    states = initial_states(kovn, """
        var x: 0..3
        def Next: 0..4 = x + 1
        init {
          x := 0
          x := Next
        }
        allow deadlock
    """)
    assert states == [{"x": 1}]


# ---------------------------------------------------------------- partial assignments

def test_assigning_part_of_a_map_or_record_without_a_whole_value_is_reported(kovn):
    diags = diagnostics(kovn, """
        type K = 1..2
        type R = {a: 0..1, b: 0..1}
        var f: K -> 0..3
        var r: R
        init {
          f[1] := 2
          f[2] := 3
          r.a := 1
          r.b := 0
        }
        allow deadlock
    """)
    assert [(d.code, d.span.line, d.span.col, d.message) for d in diags] == [
        ("KOV309", 6, 3, "state variable 'f' is assigned in part before it has a value"),
        ("KOV309", 8, 3, "state variable 'r' is assigned in part before it has a value")]
    assert "(`f := ...`)" in diags[0].hint and "`var r: R = value`" in diags[1].hint


def test_a_partial_assignment_in_a_for_loop_is_reported(kovn):
    diags = diagnostics(kovn, """
        type K = 1..2
        var f: K -> 0..3
        init {
          for k in K { f[k] := 0 }
        }
        allow deadlock
    """)
    assert [(d.code, d.span.line) for d in diags] == [("KOV305", 2), ("KOV309", 4)]


def test_partial_assignments_after_a_whole_value_are_accepted(kovn):
    states = initial_states(kovn, """
        type K = 1..2
        var f: K -> 0..3
        var g: map[K, 0..3] = {}
        init {
          f := {k: 0 for k in K}
          for k in K { f[k] := f[k] + k }
          g[2] := f[2]
        }
        allow deadlock
    """)
    assert states == [{"f": {1: 1, 2: 2}, "g": {2: 2}}]


# ---------------------------------------------------------------- declarations, volatile, processes

def test_declaration_initial_values_are_evaluated_in_declaration_order(kovn):
    (d,) = diagnostics(kovn, """
        var early: 0..3 = late
        var late: 0..3 = 1
        allow deadlock
    """)
    assert (d.code, d.span.line, d.span.col) == ("KOV309", 1, 19)
    assert "declare 'late' before 'early'" in d.hint
    assert [(s.line, label) for s, label in d.labels] == [(2, "assigned only later, here")]

    states = initial_states(kovn, """
        var late: 0..3 = 1
        var early: 0..3 = late + 1
        allow deadlock
    """)
    assert states == [{"late": 1, "early": 2}]


def test_a_declaration_reading_a_variable_assigned_in_init_is_reported(kovn):
    (d,) = diagnostics(kovn, """
        var x: 0..3 = y
        var y: 0..3
        init { y := 1 }
        allow deadlock
    """)
    assert (d.code, d.span.line, d.span.col) == ("KOV309", 1, 15)
    assert "before the `init` blocks" in d.hint and "assign 'x' in `init` after 'y'" in d.hint


def test_a_volatile_variable_reading_a_variable_assigned_in_init_is_reported(kovn):
    (d,) = diagnostics(kovn, """
        type Obj = a | b
        var api: set[Obj]
        volatile var cache: set[Obj] = api
        init { api := {a} }
        allow deadlock
    """)
    assert (d.code, d.span.line, d.span.col) == ("KOV309", 3, 32)
    assert d.hint.startswith("a volatile variable's initial value is evaluated before the `init` blocks")


def test_a_volatile_variable_reading_an_earlier_declared_value_and_restart_in_actions_are_accepted(kovn):
    text = """
        type Obj = a | b
        var api: set[Obj] = {a}
        volatile var cache: set[Obj] = api
        var crashed: bool = false
        action Crash {
          require not crashed
          api := {b}
          crashed := true
          restart
        }
        allow deadlock
    """
    states = initial_states(kovn, text)
    assert states == [{"api": frozenset({Tag("a")}), "cache": frozenset({Tag("a")}), "crashed": False}]
    r = kovn.one(text + "\n        reachable Rebuilt: cache == {b}\n")
    assert [p.status.name for p in r.result.properties] == ["HOLDS"]


def test_an_imported_file_declares_first(kovn):
    kovn.write("""
        volatile var cache: 0..3 = count
    """, "lib.kovn")
    (d,) = diagnostics(kovn, """
        import "./lib.kovn"
        var count: 0..3 = 2
        allow deadlock
    """)
    assert d.code == "KOV309" and d.span.path.endswith("lib.kovn")
    assert "an imported file's declarations come before the importer's" in d.hint


def test_a_process_local_reading_a_variable_assigned_in_init_is_reported(kovn):
    (d,) = diagnostics(kovn, """
        type P = 1..2
        var counter: 0..3
        process W(p: P) {
          var seen: 0..3 = counter
          start:
            skip
        }
        init { counter := 1 }
    """)
    assert (d.code, d.span.line, d.span.col) == ("KOV309", 4, 20)
    assert d.hint.startswith("process locals get their initial values before the `init` blocks")


def test_a_process_local_reading_a_local_of_a_later_process_is_reported(kovn):
    (d,) = diagnostics(kovn, """
        type P = 1..2
        process A(p: P) {
          var t: 0..3 = B.u[1]
          start:
            skip
        }
        process B(p: P) {
          var u: 0..3 = 1
          start:
            skip
        }
    """)
    assert d.code == "KOV309" and d.message == "process variable 'B.u' is read before it has a value"
    assert "declare process 'B' before 'A'" in d.hint


def test_a_process_local_reading_a_declared_value_is_accepted(kovn):
    states = initial_states(kovn, """
        type P = 1..2
        var counter: 0..3 = 1
        process W(p: P) {
          var seen: 0..3 = counter
          start:
            skip
        }
    """)
    assert [s["W.seen"] for s in states] == [{1: 1, 2: 1}]


def test_restart_in_init_reads_the_volatile_initial_values_there(kovn):
    diags = diagnostics(kovn, """
        var api: 0..3
        volatile var cache: 0..3 = 0
        volatile var copy: 0..3 = cache
        init {
          restart
          api := 1
        }
        allow deadlock
    """)
    # cache and copy have values from their declarations; restart reassigns them (KOV306),
    # and reads nothing unassigned
    assert {d.code for d in diags} == {"KOV306"}

    diags = diagnostics(kovn, """
        var api: 0..3
        volatile var cache: 0..3 = 0
        init {
          restart
          api := 1
        }
        action Crash { api := cache  restart }
        allow deadlock
    """)
    assert {d.code for d in diags} == {"KOV306"}


# ---------------------------------------------------------------- actions and bound names

def test_reads_in_actions_see_the_current_state_and_are_not_reported(kovn):
    r = kovn.one("""
        var x: 0..3
        var y: 0..3
        init { x := 0  y := 0 }
        action Step {
          require y < 3
          x := y
          y := y + 1
        }
        reachable Three: y == 3 and x == 2
        allow deadlock
    """)
    assert [p.status.name for p in r.result.properties] == ["HOLDS"]


@pytest.mark.parametrize("body,name", [
    ("let a = b  let b = 1  x := a", "b"),
    ("if x == 0 { let c = 1 }  x := c", "c"),
    ("if x == 0 { choose d in 0..1  x := d }  x := d", "d"),
    ("for i in 0..1 { let f = i }  x := f", "f"),
])
def test_a_let_or_choose_name_read_before_it_is_bound_is_undefined(kovn, body, name):
    for where in (f"action A {{ {body} }}", f"init {{ x := 0  {body} }}"):
        diags = [d for d in diagnostics(kovn, f"""
            var x: 0..3 = 0
            {where}
            allow deadlock
        """) if d.code != "KOV306"]
        assert [(d.code, d.message) for d in diags] == [("KOV101", f"name '{name}' is not defined")]
