"""ITF traces: valid by the format's rules, readable by another ITF reader (itf-py), and read
back through the checker to the very same states (finite traces and lassos)."""
from __future__ import annotations

import json

import pytest

from checker.render.itf import ItfError, read_itf, write_itf
from render_helpers import SPECS, violation
from itf_rules import problems


def _itf(v) -> str:
    return write_itf(v.model, v.prop.trace, source="spec", variant=v.variant, prop=v.prop.name,
                     kind=v.prop.kind)


def _states(trace) -> list:
    return [s.state for s in trace.steps]


@pytest.fixture(scope="module")
def ipam():
    return violation(SPECS.parent.parent.parent / "spec" / "ipam.kovn", "NoOrphanIP", "v1_12",
                     max_depth=12)     # the 10-state counterexample, found as in the whole search


def test_ipam_trace_is_valid_itf_and_replays_to_the_same_states(ipam):
    text = _itf(ipam)
    doc = json.loads(text)
    assert problems(doc) == []
    assert "loop" not in doc
    assert len(doc["states"]) == len(ipam.prop.trace.steps)
    back = read_itf(ipam.model, text)
    assert _states(back) == _states(ipam.prop.trace)
    assert [s.label for s in back.steps] == [s.label for s in ipam.prop.trace.steps]
    assert back.loop_start is None


def test_values_use_the_itf_encodings(ipam):
    doc = json.loads(_itf(ipam))
    first = doc["states"][0]
    assert first["#meta"] == {"index": 0, "action": "init"}
    api_pairs = dict((json.dumps(k, sort_keys=True), v) for k, v in first["api"]["#map"])
    pod = api_pairs[json.dumps({"tag": "Pod", "value": {"#bigint": "1"}}, sort_keys=True)]
    subnet = api_pairs[json.dumps({"tag": "Subnet", "value": {"#tup": []}}, sort_keys=True)]  # no payload
    assert pod["finalizers"] == {"#set": []} and pod["deleting"] is False
    assert subnet["finalizers"] == {"#set": [{"tag": "kubeovn", "value": {"#tup": []}}]}
    assert pod["rv"] == {"#bigint": "0"}
    assert pod["owner"] == {"tag": "None", "value": {"#tup": []}}  # option[...] as Quint writes it
    ip = doc["states"][-1]["api"]["#map"]                          # a record payload
    assert any(k == {"tag": "IP", "value": {"pod": {"#bigint": "1"}, "index": {"#bigint": "1"}}} for k, _ in ip)
    assert doc["states"][1]["#meta"]["action"].startswith("PodAdd.")
    assert doc["#meta"]["varTypes"]["api"].startswith("map[")


def test_lasso_keeps_its_loop_index_and_replays():
    v = violation(SPECS / "loop.kovn", "ReachesTwo")
    trace = v.prop.trace
    assert trace.loop_start is not None and trace.steps[-1].state == trace.steps[trace.loop_start].state
    doc = json.loads(_itf(v))
    assert problems(doc) == []
    # ADR-015: `loop` is where the loop starts and the last state is followed by it again,
    # so kovn's repeated last state is not written
    assert doc["loop"] == trace.loop_start
    assert len(doc["states"]) == len(trace.steps) - 1
    back = read_itf(v.model, json.dumps(doc))
    assert back.loop_start == trace.loop_start
    assert _states(back) == _states(trace)


def test_stuttering_lasso_replays(root):
    v = violation(root / "models" / "twophase.kovn", "Termination", "unfair")
    trace = v.prop.trace
    doc = json.loads(_itf(v))
    assert problems(doc) == [] and doc["loop"] == trace.loop_start
    back = read_itf(v.model, json.dumps(doc))
    assert _states(back) == _states(trace) and back.loop_start == trace.loop_start


def test_another_itf_reader_reads_it():
    # itf-py reads maps, sets, records, integers and strings as kovn writes them (it cannot
    # read Quint's unit payload {"#tup": []}: docs/adr/0010-rendered-traces.md)
    itf_py = pytest.importorskip("itf_py", reason="itf-py is in the test extra (pyproject.toml)")
    v = violation(SPECS / "counter.kovn", "NoLostUpdate")
    trace = itf_py.trace_from_json(json.loads(_itf(v)))
    steps = v.prop.trace.steps
    assert trace.vars == list(v.model.describe(steps[0].state))
    assert len(trace.states) == len(steps) and trace.loop is None
    for state, step in zip(trace.states, steps):
        want = v.model.describe(step.state)
        assert state.values["x"] == want["x"]
        assert dict(state.values["done"]) == want["done"]
        assert dict(state.values["Inc.pc"]) == want["Inc.pc"]
    assert [s.meta["index"] for s in trace.states] == list(range(len(steps)))


def test_itf_output_is_deterministic():
    v = violation(SPECS / "counter.kovn", "NoLostUpdate")
    assert _itf(v) == _itf(violation(SPECS / "counter.kovn", "NoLostUpdate"))


def test_a_trace_that_is_not_a_behaviour_is_refused():
    v = violation(SPECS / "counter.kovn", "NoLostUpdate")
    doc = json.loads(_itf(v))
    doc["states"][2]["x"] = {"#bigint": "2"}
    with pytest.raises(ItfError, match=r"states\[2\] is not a successor of states\[1\]"):
        read_itf(v.model, json.dumps(doc))


@pytest.mark.parametrize("change,message", [
    (lambda d: d.pop("vars"), "`vars` and `states`"),
    (lambda d: d["states"][0].pop("x"), r"states\[0\] has no value for x"),
    (lambda d: d["states"][0].update(x={"#bigint": "7"}), r"states\[0\]\.x: .* is not a value of 0\.\.2"),
    (lambda d: d["states"][0].update(x=True), r"is not a value of 0\.\.2"),
    (lambda d: d.update(loop=9), "`loop` must be the index of a state"),
    (lambda d: [d["vars"].append("y")] + [st.update(y=True) for st in d["states"]], "unknown y"),
])
def test_malformed_itf_is_refused_with_a_message(change, message):
    v = violation(SPECS / "counter.kovn", "NoLostUpdate")
    doc = json.loads(_itf(v))
    change(doc)
    with pytest.raises(ItfError, match=message):
        read_itf(v.model, json.dumps(doc))


def test_not_json_is_refused():
    v = violation(SPECS / "counter.kovn", "NoLostUpdate")
    with pytest.raises(ItfError, match="not JSON"):
        read_itf(v.model, "{")


def test_the_rules_catch_what_they_should():
    # the validator itself: a few documents that break a rule
    assert problems({"vars": ["x"], "states": [{"x": 1.5}]})
    assert problems({"vars": ["x"], "states": [{}]}) == ["states[0] lacks x"]
    assert problems({"vars": ["x"], "states": [{"x": {"#set": [], "#map": []}}]})
    assert problems({"vars": ["x"], "states": [{"x": {"#bigint": "1x"}}]})
    assert problems({"vars": ["x"], "states": [{"x": 1}], "loop": 1})
    assert problems({"vars": ["x"], "states": [{"x": 1}], "loop": 0}) == []
