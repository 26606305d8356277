"""The IPAM library (checker/stdlib/ipam.kovn) through its test spec (ipam_lib.kovn here) and
models/alloc.kovn: least free address, the gateway and excludeIps never handed out, an
address kept by its NIC, released addresses handed out again; each library rule shown to be
needed by breaking it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker import api
from checker.engine import Status, Verdict
from checker.loader import STDLIB
from checker.semantics import types as T
from checker.semantics import display as D

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
LIB_SPEC = HERE / "ipam_lib.kovn"


def state_of(model, **values) -> int:
    """The packed state with these plain values (every variable must be given)."""
    s = 0
    for i, v in enumerate(model.spec.vars):
        s |= T.code_of(v.t, T.from_plain(v.t, values[v.name])) << model.layout.offset(i)
    return s


def ip(text: str) -> int:
    a, b, c, d = (int(p) for p in text.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def step(model, state, label: str):
    found = [t for lab, t in model.successors(state) if model.format_label(lab) == label]
    assert len(found) == 1, [model.format_label(lab) for lab, _ in model.successors(state)]
    return model.describe(found[0])["nicToIP"]


def test_the_library_spec_meets_its_expectation_with_solver_statistics():
    (r,) = api.check(str(LIB_SPEC)).results
    assert r.expectation_met, r.mismatches
    assert r.result.verdict is Verdict.OK
    assert all(p.status in (Status.HOLDS,) for p in r.result.properties)
    assert r.solver.calls > 0 and r.solver.cache_hits > r.solver.calls


def test_least_free_kept_and_reused():
    ((_, model),), _ = api.compile_spec(str(LIB_SPEC))
    empty = state_of(model, nicToIP={})
    # .1 gateway, .3-.4 excluded: the first address is .2, then .5
    assert step(model, empty, "Allocate(2)") == {2: ip("192.168.7.2")}
    two = state_of(model, nicToIP={1: ip("192.168.7.2"), 2: ip("192.168.7.5")})
    assert step(model, two, "Allocate(1)") == {1: ip("192.168.7.2"), 2: ip("192.168.7.5")}   # kept
    freed = state_of(model, nicToIP={2: ip("192.168.7.5")})
    assert step(model, two, "Release(1)") == {2: ip("192.168.7.5")}
    assert step(model, freed, "Allocate(3)") == {2: ip("192.168.7.5"), 3: ip("192.168.7.2")}   # reused
    assert D.show(D.to_display(model.spec.vars[0].t, T.from_plain(model.spec.vars[0].t,
                                                                   {3: ip("192.168.7.2")}))) == "{3: 192.168.7.2}"


def test_a_full_subnet_has_no_free_address():
    ((_, model),), _ = api.compile_spec(str(LIB_SPEC))
    consts = {c.name: c.value for c in model.spec.consts}
    assert consts["IPAM_ADDRESSES"] == 3          # .2, .5, .6
    full = state_of(model, nicToIP={1: ip("192.168.7.2"), 2: ip("192.168.7.5"), 3: ip("192.168.7.6")})
    assert not [lab for lab, _ in model.successors(full) if model.format_label(lab).startswith("Allocate")]


def test_alloc_model_explores_a_slash_8_with_solver_statistics():
    report = api.check(str(ROOT / "models" / "alloc.kovn"))
    by_name = {r.variant.name: r for r in report.results}
    ok = by_name["default"]
    assert ok.expectation_met and ok.result.verdict is Verdict.OK
    assert ok.result.stats.seconds < 10
    assert ok.solver.calls >= 1
    assert ok.solver.cache_hit_rate > 0.5
    bad = by_name["ignores_excludes"]
    assert bad.expectation_met
    trace = next(p.trace for p in bad.result.properties if p.name == "NoReservedAddress")
    assert D.show(bad.model.describe(trace.steps[-1].state)["nicToIP"]) == "{1: 10.0.0.2}"


BREAKAGES = [
    ("def ipamFree(a: ip): bool = ipamUsable(a) and not ipamReserved(a) and a not in ipamUsed",
     "def ipamFree(a: ip): bool = ipamUsable(a) and a not in ipamUsed", "FreeOnly"),
    ("def ipamFree(a: ip): bool = ipamUsable(a) and not ipamReserved(a) and a not in ipamUsed",
     "def ipamFree(a: ip): bool = ipamUsable(a) and not ipamReserved(a)", "Distinct"),
    ("  a in CIDR_BLOCK and (prefix(CIDR_BLOCK) >= 31 or (a != network(CIDR_BLOCK) and a != broadcast(CIDR_BLOCK)))",
     "  a in CIDR_BLOCK", "Usable"),
    ("    choose least a: ip where ipamFree(a)", "    choose a: ip where ipamFree(a)", "LeastFree"),
]


@pytest.mark.parametrize("rule, broken, prop", BREAKAGES, ids=[b[2] + str(i) for i, b in enumerate(BREAKAGES)])
def test_each_rule_is_needed(rule, broken, prop, tmp_path, monkeypatch):
    lib = tmp_path / "stdlib"
    shutil.copytree(STDLIB, lib)
    text = (lib / "ipam.kovn").read_text()
    assert text.count(rule) == 1, "the rule to break is not (uniquely) in the library any more"
    (lib / "ipam.kovn").write_text(text.replace(rule, broken))
    monkeypatch.setenv("KOVN_STDLIB", str(lib))
    (r,) = api.check(str(LIB_SPEC)).results
    assert prop in {p.name for p in r.result.violations}
    assert not r.expectation_met
