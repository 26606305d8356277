"""What a step read (checker/analysis/reads.py) and what the lane diagram shows
(checker/render/lanes.py): lanes, read and write arrows, stale reads, the offending object."""
from __future__ import annotations

import textwrap

from checker import api
from checker.engine.result import Step, Trace
from checker.render import trace_diagram
from checker.analysis.results import Read
from checker.analysis.reads import step_reads
from checker.semantics.types import Tag
from render_helpers import SPECS, violation

READS_SPEC = """
spec reads
type K = K1 | K2
var a: map[K, 0..3]
var b: 0..3
init {
  a := {K1: 0, K2: 2}
  b := 0
}
action WriteThenRead {
  a[K1] := 1
  b := a[K1]
}
action ReadOther {
  b := a[K2]
}
action Fork {
  choose v in {1, 2}
  if v == 1 {
    b := a[K1]
  } else {
    b := a[K2] + 1
  }
}
action Member {
  require K2 in a
  b := 3
}
"""


def _model(tmp_path, text):
    path = tmp_path / "reads.kovn"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    (variant, model), = api.compile_spec(str(path))[0]
    return model


def _one_step(model, name: str, pick=lambda nxt: True) -> Trace:
    first = next(iter(model.init_states()))
    for label, nxt in model.successors(first):
        if model.format_label(label) == name and pick(model.describe(nxt)):
            return Trace((Step(None, None, first), Step(label, name, nxt)))
    raise AssertionError(f"no step {name}")


def test_a_read_of_what_the_step_wrote_itself_is_not_a_read(tmp_path):
    model = _model(tmp_path, READS_SPEC)
    (_, reads), = [step_reads(model, _one_step(model, "WriteThenRead"))]
    assert reads == frozenset()
    (_, reads), = [step_reads(model, _one_step(model, "ReadOther"))]
    assert reads == {Read("a", Tag("K2"))}


def test_reads_follow_the_path_the_trace_took(tmp_path):
    model = _model(tmp_path, READS_SPEC)
    via_k1 = _one_step(model, "Fork", lambda s: s["b"] == 0)      # v = 1: b := a[K1] = 0
    via_k2 = _one_step(model, "Fork", lambda s: s["b"] == 3)      # v = 2: b := a[K2] + 1 = 3
    assert step_reads(model, via_k1)[1] == {Read("a", Tag("K1"))}
    assert step_reads(model, via_k2)[1] == {Read("a", Tag("K2"))}


def test_membership_is_a_read_of_that_key(tmp_path):
    model = _model(tmp_path, READS_SPEC)
    assert step_reads(model, _one_step(model, "Member"))[1] == {Read("a", Tag("K2"))}


def _chooser():
    (variant, model), = api.compile_spec(str(SPECS / "chooser.kovn"))[0]
    return model


def _after(model, trace: Trace, name: str) -> Trace:
    """`trace` and one more step, the first successor by action `name`."""
    for label, nxt in model.successors(trace.steps[-1].state):
        if model.format_label(label).startswith(name):
            return Trace(trace.steps + (Step(label, model.format_label(label), nxt),))
    raise AssertionError(f"no step {name}")


def test_choose_where_on_addresses_reads_what_its_constraint_reads():
    # `choose least a: ip where a in BLOCK and a != network(BLOCK) and a != gateway and
    # a not in used`: 2^32 candidates, solved by Z3; its reads are those of the constraint
    model = _chooser()
    trace = _one_step(model, "Alloc")
    assert model.describe(trace.steps[1].state)["newest"] == 0x0A000002      # 10.0.0.2, as the search chose
    assert step_reads(model, trace)[1] == {Read("used", whole=True), Read("gateway", whole=True)}
    again = _after(model, trace, "Alloc")                                    # 10.0.0.3, used = {10.0.0.2}
    assert step_reads(model, again)[2] == {Read("used", whole=True), Read("gateway", whole=True)}


def test_choose_where_on_a_small_type_reads_what_its_constraint_reads():
    # `choose s: Slot where s not in parked and s >= bar`: enumerated, one path per slot
    model = _chooser()
    for slot in (1, 2, 3):
        trace = _one_step(model, "Park", lambda s, slot=slot: s["parked"] == frozenset({slot}))
        assert step_reads(model, trace)[1] == {Read("parked", whole=True), Read("bar", whole=True)}


def test_a_parameter_of_a_large_type_reads_what_its_requires_read():
    # `action Release(a: ip) { require a in used and a != newest ... }`: the parameter's
    # values are solved from the requires, whose reads are the step's
    model = _chooser()
    trace = _after(model, _after(model, _one_step(model, "Alloc"), "Alloc"), "Release")
    assert trace.steps[-1].action == "Release(10.0.0.2)"
    assert step_reads(model, trace)[3] == {Read("used", whole=True), Read("newest", whole=True)}


def test_choose_where_steps_get_read_arrows():
    v = violation(SPECS / "chooser.kovn", "FewInUse")
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    lane = {x.title: i for i, x in enumerate(d.lanes)}
    assert [s.action for s in v.prop.trace.steps[1:]] == ["Alloc", "Alloc"]
    reads = sorted((a.src, a.dst) for a in d.arrows if a.kind == "read")
    alloc = lane["Alloc"]
    assert reads == sorted([((0, lane["used"]), (1, alloc)), ((0, lane["gateway"]), (1, alloc)),
                            ((1, lane["used"]), (2, alloc)), ((1, lane["gateway"]), (2, alloc))])


def test_stale_cache_read_is_marked():
    v = violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting")
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    titles = [lane.title for lane in d.lanes]
    assert titles == ["Worker", "A", "UserDelete"]
    assert [lane.kind for lane in d.lanes] == ["process", "object", "action"]
    stale = [a for a in d.arrows if a.kind == "stale-read"]
    assert len(stale) == 1
    (arrow,) = stale
    assert arrow.src == (1, 1) and arrow.dst == (2, 0)             # from A after the delete, into check
    assert "no deletionTimestamp" in arrow.label
    check = next(c for c in d.cells if (c.row, c.lane) == (2, 0))
    assert check.style == "step-alert"
    assert ("lagging" in {s for lane, _, s in d.segments if lane == 1})
    last = next(c for c in d.cells if (c.row, c.lane) == (3, 1))
    assert last.style == "offending" and last.lines[-1].text == "✗ NoFinalizerWhileDeleting violated"


def test_fresh_cache_reads_are_not_stale(tmp_path):
    v = violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting")
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    writes = [a for a in d.arrows if a.kind == "write"]
    assert [(a.src[0], a.label) for a in writes] == [(1, "deletionTimestamp set"), (3, "+finalizer keep")]


def test_ipam_v1_12_shows_the_leak_and_the_order_of_deletions(root):
    v = violation(root / "spec" / "ipam.kovn", "NoOrphanIP", "v1_12", max_depth=12)   # BFS: the same trace
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    lane = {lane.title: i for i, lane in enumerate(d.lanes)}
    ip = "IP(NIC(pod: 1, index: 1))"
    assert {"Pod(1)", "Subnet", ip} <= set(lane)
    kinds = [x.kind for x in d.lanes]
    assert kinds.index("object") > max(i for i, k in enumerate(kinds) if k == "process")
    # the leaked IP CR is the offending object, in the last row: it exists, without the
    # finalizer 1.12 patches on later, and the controller's cache has not seen it
    offending = [c for c in d.cells if c.style == "offending"]
    assert [d.lanes[c.lane].title for c in offending] == [ip]
    assert offending[0].row == len(d.rows) - 1
    texts = [line.text for line in offending[0].lines]
    assert "exists" in texts and "finalizers: none" in texts and "cache: not seen yet" in texts
    writes = [(a.src[0], d.lanes[a.dst[1]].title, a.label) for a in d.arrows if a.kind == "write"]
    created = [row for row, title, label in writes if title == ip and label == "create"]
    pod_deleted = [row for row, title, label in writes if title == "Pod(1)" and "gone" in label]
    unfinalized = [row for row, title, label in writes if title == "Subnet" and "-finalizer kubeovn" in label]
    # the IP CR is created, the pod deleted, and the subnet's finalizer removed last: the
    # subnet goes while the pod's IP CR is there
    assert created and pod_deleted and unfinalized
    assert created[0] < unfinalized[0] and pod_deleted[0] < unfinalized[0]
    assert unfinalized[0] == len(d.rows) - 1
    assert d.title[1].startswith("fails for n = NIC(pod: 1, index: 1)")
    # the address is chosen by `choose least a: ip where ipamFree(a)` (the IPAM library):
    # the step reads the addresses in use
    reads = step_reads(v.model, v.prop.trace)
    (alloc,) = [i for i, s in enumerate(v.prop.trace.steps) if s.action == "PodAdd.alloc(1)"]
    assert Read("nicToIP", whole=True) in reads[alloc]


def test_other_specs_get_lanes_per_process_and_variable():
    v = violation(SPECS / "counter.kovn", "NoLostUpdate")
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    assert [(x.title, x.kind) for x in d.lanes] == [("Inc(0)", "process"), ("Inc(1)", "process"),
                                                   ("x", "variable"), ("done", "variable")]
    reads_of_x = [a for a in d.arrows if a.kind == "read" and a.src[1] == 2]
    assert [(a.src[0], a.dst) for a in reads_of_x] == [(0, (1, 0)), (1, (2, 1))]
    assert {d.lanes[c.lane].title for c in d.cells if c.style == "offending"} == {"x", "done"}


def test_lasso_diagram_knows_its_loop():
    v = violation(SPECS / "loop.kovn", "ReachesTwo")
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    assert d.loop_start == 0 and "loop" in d.legend
    assert "the loop repeats forever" in d.title[1]


def test_a_model_written_in_python_renders_with_lanes_per_action_and_variable(tmp_path):
    # no IR behind it: no reads and no processes, but the same files come out
    import importlib.util
    from checker.engine import PropertyResult, Status
    from checker.engine.trace import rebuild_trace
    from checker.render import RenderOptions, render_violation

    root = SPECS.parents[2]
    spec = importlib.util.spec_from_file_location("peterson_model", root / "models" / "peterson_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.PetersonModel(2)
    chain = [next(iter(model.init_states()))]
    for _ in range(3):
        chain.append(next(iter(model.successors(chain[-1])))[1])
    trace = rebuild_trace(model, chain)
    prop = PropertyResult("Pretend", "invariant", Status.VIOLATED, trace)
    d = trace_diagram(model, "peterson", "py", prop)
    assert {x.kind for x in d.lanes} == {"action", "variable"}
    assert not [a for a in d.arrows if a.kind == "read"]
    options = RenderOptions(tmp_path, frozenset({"dot", "html", "itf"}))
    out = render_violation(model, "peterson", "py", None, prop, options)
    assert sorted(p.name for p in out.files) == ["py-Pretend.dot", "py-Pretend.html", "py-Pretend.itf.json"]


def test_an_object_box_shows_the_fields_of_its_kind():
    """Per-kind data (`type Data = DbData(replicas: 1..3) | BackupData(done: bool)`): a box
    shows the fields of the object's own alternative, flattened like a record's; an untracked
    generation (0) is left out."""
    from checker.render.objects import fields
    from checker.semantics.types import Tag
    from checker.semantics.display import Record
    db = Record("Obj", (("deleting", False), ("data", Tag("DbData", Record("", (("replicas", 2),)), True)),
                        ("gen", 0)))
    assert fields(db) == {"deleting": False, "replicas": 2}
    backup = Record("Obj", (("data", Tag("BackupData", Record("", (("done", True),)), True)), ("gen", 3)))
    assert fields(backup) == {"done": True, "gen": 3}
    record = Record("Obj", (("data", Record("Data", (("x", 1),))),))
    assert fields(record) == {"x": 1}
