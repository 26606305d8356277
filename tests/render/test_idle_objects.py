"""An object that no step of the counterexample changes or reads gets no lane in the
picture (it would be an empty column); the caption names it."""
from __future__ import annotations

from checker import api
from checker.engine.result import Status
from checker.render import trace_diagram

SPEC = """\
spec idle
import "k8s"

type Name = A | B | C
type Kind = | things
const OBJECTS: set[Name] = {A}
type Finalizer = | f
type Handler = | h
type Data = { x: bool }
def kindOf(n: Name): Kind = things
def d0: Data = Data(x: false)
const LAG: int = 1
const MAX_RV: int = 2
const FAULTS: int = 0

def initialObjects: map[Name, Obj] = {
  A: Obj(deleting: false, finalizers: {}, rv: 0, owner: none, data: d0),
  B: Obj(deleting: false, finalizers: {}, rv: 0, owner: none, data: d0),
  C: Obj(deleting: false, finalizers: {}, rv: 0, owner: none, data: d0)
}
macro onEvent(n: Name, old: option[Obj], new: option[Obj]) { enqueue(h, n) }

action DeleteA { require present(A); delete(A) }
action Cleanup(n in queue[h]) {
  take(h, n)
  if n == A and present(B) { delete(B) }
}
invariant AStays: present(A)
allow deadlock
"""


def test_objects_untouched_by_the_trace_get_no_lane_and_are_named(tmp_path):
    path = tmp_path / "idle.kovn"
    path.write_text(SPEC, encoding="utf-8")
    (r,) = api.check(str(path), jobs=1).results
    (prop,) = [p for p in r.result.properties if p.name == "AStays"]
    assert prop.status is Status.VIOLATED and len(prop.trace.steps) == 2    # DeleteA alone
    d = trace_diagram(r.model, "idle", r.variant.name, prop)
    objects = [lane.title for lane in d.lanes if lane.kind == "object"]
    assert objects == ["A"]
    assert "not drawn (no step changes or reads them): B, C" in d.title
