"""Run-time error traces (KOV501, verdict ERROR) rendered like counterexamples: the files
`check --render` writes for them, the caption and the last row of the picture, the HTML
report's heading and last state, the ITF file (read back and replayed), the state graph."""
from __future__ import annotations

import json
import re

import pytest

from checker.render import failed_evaluation, graphviz, trace_diagram, trace_dot
from checker.render.html import report_html
from checker.render.itf import read_itf, write_itf
from itf_rules import problems
from render_helpers import SPECS, failure

needs_dot = pytest.mark.skipif(not graphviz.available(), reason="the graphviz `dot` program is not installed")

PNG = b"\x89PNG\r\n\x1a\n"
FAILING = SPECS / "failing.kovn"       # Worker.split divides by zero in state 3

INVARIANT_FAILS = """
spec mapkey
type K = A | B
var m: map[K, 0..3]
var n: 0..3
init {
  m := {A: 1}
  n := 0
}
action Grow {
  require n < 2
  n := n + 1
}
invariant Fine: n < 2 or m[B] > 0
"""

K8S_FAILS = """
spec k8serr
type Name = A | B
type Fin = | keep
type Obj = { deleting: bool, finalizers: set[Fin] }
var api: map[Name, Obj]
var cache: map[Name, Obj]
init {
  api := {A: Obj(deleting: false, finalizers: {})}
  cache := api
}
action UserDelete {
  require A in api and not api[A].deleting
  api[A] := api[A] with {deleting: true}
}
process Worker(w: 0..0) {
  check:
    require A in api and api[A].deleting
  cleanup:
    api[B] := api[B] with {finalizers: {}}
    goto check
}
allow deadlock
"""

# Few is violated in state 3; the search goes on and fails in state 5 (a fifth address does
# not fit set[ip, 4]): one variant, a counterexample and a run-time error
BOTH = """
spec both
const BLOCK: cidr = 10.0.0.0/24
var used: set[ip, 4]
init {
  used := {}
}
action Pick {
  choose least a: ip where a in BLOCK and a != network(BLOCK) and a not in used
  used := used | {a}
}
invariant Few: len(used) < 2
"""


def _names(path):
    return sorted(p.name for p in path.iterdir())


def _cell(d, row, lane_title):
    lane = [x.title for x in d.lanes].index(lane_title)
    return next((c for c in d.cells if (c.row, c.lane) == (row, lane)), None)


def _node_label(dot_text: str, name: str) -> str:
    m = re.search(rf'^\s*"{re.escape(name)}" \[.*?label=<(.*?)>, id=', dot_text, re.M)
    assert m, f"no node {name}"
    return m.group(1)


@pytest.fixture(scope="module")
def failing():
    return failure(FAILING)


# ---------------------------------------------------------------- check --render

@needs_dot
def test_check_render_writes_every_format_for_a_run_time_error(kovn, tmp_path):
    out = tmp_path / "out"
    plain = kovn.cli([FAILING, "--no-progress"])
    run = kovn.cli([FAILING, "--render", out, "--no-progress"])
    assert run.code == plain.code != 0                   # rendering does not change the verdict
    assert "KOV501" in run.err and "division by zero" in run.err
    assert _names(out) == [f"default-error{ext}" for ext in (".dot", ".html", ".itf.json", ".png", ".svg")]
    for f in out.iterdir():
        assert str(f) in run.err and f.stat().st_size > 500, f
    assert (out / "default-error.png").read_bytes()[:8] == PNG
    svg = (out / "default-error.svg").read_text(encoding="utf-8")
    assert "division by zero" in svg and "failing.kovn:25:14" in svg and "evaluation failed here" in svg
    html = (out / "default-error.html").read_text(encoding="utf-8")
    assert "<svg" in html and 'id="failure"' in html
    doc = json.loads((out / "default-error.itf.json").read_text(encoding="utf-8"))
    assert doc["#meta"]["error"]["message"] == "division by zero"


def test_a_violation_and_a_run_time_error_of_one_variant_are_both_rendered(kovn, tmp_path):
    out = tmp_path / "out"
    run = kovn.cli([kovn.write(BOTH), "--render", out, "--render-format", "dot,itf", "--no-progress"])
    assert "KOV501" in run.err
    assert _names(out) == ["default-Few.dot", "default-Few.itf.json", "default-error.dot",
                           "default-error.itf.json"]
    assert "a set of 5 elements does not fit set[ip, 4]" in (out / "default-error.dot").read_text(encoding="utf-8")


def test_the_state_graph_of_a_run_time_error_marks_the_state_that_failed(kovn, tmp_path):
    out = tmp_path / "out"
    run = kovn.cli([FAILING, "--render", out, "--render-format", "dot", "--state-graph", "--no-progress"])
    assert "internal error" not in run.err
    assert _names(out) == ["default-error.dot", "default-error.states.dot"]
    text = (out / "default-error.states.dot").read_text(encoding="utf-8")
    assert "the trace to the run-time error in red" in text
    # every state with jobs = 0 divides by zero: share is 0, 2 or 4 there
    assert text.count("its next states failed to evaluate") == 3


def test_an_error_in_the_initial_states_has_no_trace_to_render(kovn, tmp_path):
    spec = kovn.write("""
        spec initerr
        type K = A | B
        var m: map[K, 0..3]
        var x: 0..3
        init {
          m := {A: 1}
          choose k in {A, B}
          x := m[k]
        }
        action Inc {
          require x < 3
          x := x + 1
        }
        allow deadlock
        """)
    out = tmp_path / "out"
    run = kovn.cli([spec, "--render", out, "--render-format", "dot", "--state-graph", "--no-progress"])
    assert "KOV501" in run.err and "internal error" not in run.err
    assert "no state graph for variant default: computing the initial states failed" in run.err
    assert not out.exists() or _names(out) == []
    plain = kovn.cli([spec, "--render", tmp_path / "plain", "--render-format", "dot", "--no-progress"])
    assert "failed while computing its initial states: no trace to draw" in plain.err


def test_the_error_files_do_not_take_the_name_of_a_property_called_error(failing):
    assert failed_evaluation(failing.result).name == "error"
    assert failed_evaluation(failing.result, ["error"]).name == "runtime-error"


# ---------------------------------------------------------------- the picture

def test_caption_gives_the_message_the_location_and_what_was_evaluated(failing):
    d = trace_diagram(failing.model, failing.spec_name, failing.variant, failing.prop)
    assert d.title[0] == "failing · variant default: division by zero (run-time error, failing.kovn:25:14)"
    assert d.title[1] == ("evaluating budget / jobs · in Worker.split(0), computing a next state of state 3"
                          " · 3 states")
    assert len(d.rows) == len(failing.prop.trace.steps) == 3          # one row per state, no more


def test_the_last_row_is_marked_as_where_evaluation_failed(failing):
    d = trace_diagram(failing.model, failing.spec_name, failing.variant, failing.prop)
    assert d.error and d.verdict == "✗ evaluation failed here"
    assert d.notes == ("read budget, jobs",)
    # the failing step has a lane although it never took a step, and a red box in the last row
    assert [(x.title, x.kind) for x in d.lanes][:2] == [("Worker", "process"), ("Cancel", "action")]
    failed = _cell(d, 2, "Worker")
    assert failed.style == "step-failed"
    assert [line.text for line in failed.lines] == ["✗ split", "failing.kovn:24", "evaluation failed:",
                                                    "division by zero", "in budget / jobs"]
    # what the failing expression read is marked in the last row, nothing else is
    offending = sorted(d.lanes[c.lane].title for c in d.cells if c.style == "offending")
    assert offending == ["budget", "jobs"]
    assert all(c.row == 2 for c in d.cells if c.style in ("offending", "step-failed"))
    assert "offending-error" in d.legend and "step-failed" in d.legend and "offending" not in d.legend


def test_dot_of_an_error_trace(failing):
    text = trace_dot(failing.model, failing.spec_name, failing.variant, failing.prop)
    caption = re.search(r"^  label=<(.*)>;$", text, re.M).group(1)
    assert "division by zero (run-time error, failing.kovn:25:14)" in caption
    assert "evaluating budget / jobs" in caption
    last = _node_label(text, "t3")
    assert "✗ evaluation failed here" in last and "read budget, jobs" in last
    assert '"t4"' not in text
    worker = [x.title for x in trace_diagram(failing.model, failing.spec_name, failing.variant,
                                             failing.prop).lanes].index("Worker")
    box = re.search(rf'^\s*"r3_l{worker}" \[(.*)\];$', text, re.M).group(1)
    assert 'fillcolor="#fce8e6"' in box and 'id="r3_l0_s"' in box     # the HTML report finds the actor box
    assert "the step that failed to evaluate" in text                  # legend


def test_an_error_in_an_invariant_marks_the_map_it_read(kovn):
    v = failure(kovn.write(INVARIANT_FAILS))
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    assert d.title[0].startswith("mapkey · variant default: the map has no value at this key (run-time error, ")
    assert "in invariant Fine, checking state 3" in d.title[1]
    assert not [c for c in d.cells if c.style == "step-failed"]        # no action failed
    assert [d.lanes[c.lane].title for c in d.cells if c.style == "offending"] == ["m"]
    assert d.notes == ("read m[B]",)


def test_an_error_in_a_handler_of_a_kubernetes_spec(kovn):
    v = failure(kovn.write(K8S_FAILS))
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    assert "in Worker.cleanup(0), computing a next state of state 3" in d.title[1]
    box = _cell(d, 2, "Worker")          # the worker took the last step (check) and fails next
    texts = [line.text for line in box.lines]
    assert box.style == "step-failed" and texts[0] == "3. check"
    assert "then ✗ cleanup failed:" in texts and "the map has no value at this key" in texts
    assert d.notes == ("read api[B]",)   # B is in no lane: it never existed


def test_an_error_in_a_temporal_predicate_names_it(kovn):
    v = failure(kovn.write("""
        spec temperr
        type K = A | B
        var m: map[K, 0..3]
        var n: 0..2
        init {
          m := {A: 1}
          n := 0
        }
        action Grow {
          require n < 2
          n := n + 1
        }
        temporal Done: eventually (n == 2 and m[B] > 0)
        allow deadlock
        """))
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    assert "in temporal property Done, checking state 3" in d.title[1]
    assert d.notes == ("read m[B]",)


# ---------------------------------------------------------------- the HTML report

def test_html_heading_and_last_state_say_what_failed(failing):
    d = trace_diagram(failing.model, failing.spec_name, failing.variant, failing.prop)
    page = report_html(failing.model, failing.prop.trace, failing.prop, d, failing.result, None, "no picture")
    h1 = re.search(r'<header class="error"><h1>(.*?)</h1>', page).group(1)
    assert h1 == "failing · variant default: division by zero (run-time error, failing.kovn:25:14)"
    stats = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    assert stats["verdict"] == "error" and stats["run-time error"] == "division by zero"
    assert stats["where"].endswith("failing.kovn:25:14") and stats["expression"] == "budget / jobs"
    assert "property" not in stats
    assert len(re.findall(r'<article class="state"', page)) == 3
    items = re.findall(r'<li data-step="(\d+)".*?</li>', page)
    assert items == ["1", "2", "3"]
    last_item = re.search(r'<li data-step="3".*?</li>', page).group(0)
    assert "✗ evaluation failed here" in last_item
    state3 = page.split('id="state-3"', 1)[1].split("</article>", 1)[0]
    note = re.search(r'<div class="failed" id="failure" role="alert">(.*?)</div>', state3).group(1)
    assert "Evaluation failed in this state:</strong> division by zero" in note
    assert "budget / jobs" in note and "in Worker.split(0), computing a next state of state 3" in note
    assert page.count('id="failure"') == 1


# ---------------------------------------------------------------- ITF

def test_itf_of_an_error_trace_is_valid_and_replays(failing, tmp_path):
    from checker.render import RenderOptions, render_violation

    out = render_violation(failing.model, failing.spec_name, failing.variant, failing.result, failing.prop,
                           RenderOptions(tmp_path, frozenset({"itf"})), source="failing.kovn")
    (path,) = out.files
    assert path.name == "default-error.itf.json"
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert problems(doc) == []
    meta = doc["#meta"]
    assert meta["kind"] == "error" and "property" not in meta
    assert meta["error"] == {"message": "division by zero", "location": "failing.kovn:25:14",
                             "expression": "budget / jobs", "state": 2}
    trace = failing.prop.trace
    assert len(doc["states"]) == len(trace.steps) and "loop" not in doc
    back = read_itf(failing.model, text)
    assert [s.state for s in back.steps] == [s.state for s in trace.steps]
    assert [s.label for s in back.steps] == [s.label for s in trace.steps]
    # the same as writing it directly, minus nothing
    assert write_itf(failing.model, trace, source="failing.kovn", variant="default", kind="error",
                     error=meta["error"]) == text


def test_an_error_of_a_model_written_in_python_renders_without_a_location(tmp_path):
    # no spec behind it: no source span, no reads; the files still come out and say what failed
    import importlib.util
    from checker.engine.result import RuntimeFailure
    from checker.engine.trace import rebuild_trace
    from checker.render import RenderOptions, render_violation

    root = SPECS.parents[2]
    spec = importlib.util.spec_from_file_location("peterson_model", root / "models" / "peterson_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.PetersonModel(2)
    chain = [next(iter(model.init_states()))]
    for _ in range(2):
        chain.append(next(iter(model.successors(chain[-1])))[1])
    failed = failed_evaluation(type("R", (), {"failure": RuntimeFailure("boom", None, rebuild_trace(model, chain))})())
    d = trace_diagram(model, "peterson", "py", failed)
    assert d.title == ("peterson · variant py: boom (run-time error)", "in state 3 · 3 states")
    assert d.error and d.notes == ()
    out = render_violation(model, "peterson", "py", None, failed,
                           RenderOptions(tmp_path, frozenset({"dot", "html", "itf"})))
    assert sorted(p.name for p in out.files) == ["py-error.dot", "py-error.html", "py-error.itf.json"]
    doc = json.loads((tmp_path / "py-error.itf.json").read_text(encoding="utf-8"))
    assert doc["#meta"]["error"] == {"message": "boom", "state": 2} and problems(doc) == []


@pytest.mark.skipif(not graphviz.available(), reason="needs graphviz's dot")
def test_a_layout_that_takes_too_long_is_abandoned(monkeypatch):
    """`dot` ran without a time limit (issue 20): a layout past DOT_TIMEOUT is stopped and
    reported as a failed layout (the callers keep the DOT file)."""
    monkeypatch.setattr(graphviz, "DOT_TIMEOUT", 0.001)
    big = "digraph g {\n" + "".join(f"  n{i} -> n{(i * 7919) % 3000};\n" for i in range(3000)) + "}\n"
    with pytest.raises(graphviz.LayoutFailed, match="took longer than"):
        graphviz.layout(big, "svg")
