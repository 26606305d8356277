"""Processes: labelled steps (one atomic action per label), fall-through, `goto`, process
locals `var x: T = v`, `Proc.pc` / `Proc.local` in properties, and termination: when every
process is at `done`, the state is a normal end, not a deadlock.

Checked through real exploration; counts worked out by hand in the comments.
"""
from __future__ import annotations

from checker.engine import Status, Verdict

from assertions import counts

WORKERS = """
    spec procs
    type P = 1..2
    var count: 0..4
    init { count := 0 }
    process Worker(p: P) {
      var n: 0..2 = 0
      start:
        n := n + 1
      incr:
        count := count + 1
        if n < 2 { goto start }
      finish:
        skip
    }
    invariant Bound: count <= 4
    invariant LocalOk: forall p in P: Worker.n[p] <= 2
    invariant CountIsProgress:
      count == len({p for p in P if Worker.pc[p] == Worker.finish or Worker.pc[p] == Worker.done}) * 2
               + len({p for p in P if Worker.pc[p] == Worker.start and Worker.n[p] == 1
                                      or Worker.pc[p] == Worker.incr and Worker.n[p] == 2})
    reachable AllDone: forall p in P: Worker.pc[p] == Worker.done
    reachable Counted: count == 4
"""


def test_processes_labels_goto_locals_and_termination(kovn):
    r = kovn.one(WORKERS)
    # Each worker runs through 6 local states in a line: (start,0) (incr,1) (start,1)
    # (incr,2) (finish,2) (done,2); count is the number of `incr` steps taken by both, which
    # the two positions determine. So 6 * 6 = 36 states. Generated: 1 + one step for each
    # worker not yet done: 2 * 5 * 6 = 60, so 61. Depth: 5 + 5 steps, 11 levels.
    assert counts(r) == (36, 61, 11)
    st = {p.name: p for p in r.result.properties}
    assert {n: p.status for n, p in st.items()} == {
        "Bound": Status.HOLDS, "LocalOk": Status.HOLDS, "CountIsProgress": Status.HOLDS,
        "AllDone": Status.HOLDS, "Counted": Status.HOLDS, "deadlock": Status.HOLDS}
    # Termination (every worker at done) is reached in 10 steps, and is not a deadlock.
    assert len(st["AllDone"].trace) == 11
    assert len(st["Counted"].trace) == 9        # 4 incr steps need 8 steps in all
    assert r.result.verdict is Verdict.OK
    # One action per label; the trace names the process and its id.
    assert [a.name for a in r.model.actions] == ["Worker.start", "Worker.incr", "Worker.finish"]
    assert st["Counted"].trace.steps[1].action == "Worker.start(1)"


def test_a_stuck_process_is_a_deadlock(kovn):
    r = kovn.one("""
        spec stuck
        var flag: bool
        init { flag := false }
        process Waiter(i: 0..1) {
          wait:
            require flag
          after:
            skip
        }
    """)
    # Nobody sets flag: the initial state has no successor and the processes are not done.
    assert counts(r) == (1, 1, 1)
    (v,) = r.result.violations
    assert v.kind == "deadlock" and len(v.trace) == 1


def test_termination_with_one_process_stuck_is_a_deadlock(kovn):
    r = kovn.one("""
        spec half
        var go: bool
        init { go := false }
        process W(i: 0..1) {
          a:
            require i == 0 or go
        }
    """)
    # W(0) finishes, W(1) waits for go forever: (a,a) -> (done,a), which is stuck.
    (v,) = r.result.violations
    assert v.kind == "deadlock"
    assert [s.action for s in v.trace.steps] == [None, "W.a(0)"]


def test_process_parameter_over_a_set_and_locals_in_a_trace(kovn):
    r = kovn.one("""
        spec ids
        const IDS: set[0..7] = {2, 5}
        var total: 0..20
        init { total := 0 }
        process Adder(me in IDS) {
          var got: 0..7 = 0
          add:
            got := me
            total := total + me
        }
        invariant Sum: total == Adder.got[2] + Adder.got[5]
        invariant Small: total < 7
    """)
    # Adder(2) and Adder(5) each add once: 4 states, 1 + 2 + 1 + 1 = 5 generated, 3 levels;
    # the state with both done breaks Small, and it is a normal end, not a deadlock.
    assert counts(r) == (4, 5, 3)
    props = {p.name: p for p in r.result.properties}
    assert props["Sum"].status is Status.HOLDS
    assert props["deadlock"].status is Status.HOLDS
    small = props["Small"]
    assert small.status is Status.VIOLATED
    assert [s.action for s in small.trace.steps] == [None, "Adder.add(2)", "Adder.add(5)"]
    last = r.model.describe(small.trace.steps[-1].state)
    assert last["total"] == 7
    assert (last["Adder.got"][2], last["Adder.got"][5]) == (2, 5)
