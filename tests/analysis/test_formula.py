"""Why a formula is false (checker/analysis/formula.py): every failing element of its
`forall`, and the sub-expressions that decide it, through the spec's own definitions."""
from __future__ import annotations

from checker.analysis.analyse import analyse
from checker.engine.result import Status


def _formula(kovn, spec, name):
    r = kovn.check(spec).results[0]
    (prop,) = [p for p in r.result.properties if p.name == name]
    assert prop.status is Status.VIOLATED
    return analyse(r.model, prop.trace, prop).formula


def test_every_failing_element_and_the_deciding_conjunct(kovn):
    spec = """
        spec many
        var x: map[0..2, 0..2]
        init { x := {0: 0, 1: 0, 2: 0} }
        action Both { require x[0] == 0  x := {0: 2, 1: 1, 2: 2} }
        def bad(i: 0..2): bool = x[i] > 1 and i != 1
        invariant Low: forall i in 0..2: not bad(i)
    """
    f = _formula(kovn, spec, "Low")
    assert f.text == "forall i in 0..2: not bad(i)"
    assert f.failing == ("i = 0", "i = 2")           # all of them, not only the first
    assert f.culprits == ("bad(i) is true: x[i] > 1 is true; i != 1 is true",)


def test_an_implication_names_its_premise_and_its_false_conclusion(kovn):
    spec = """
        spec imp
        var a: bool
        var b: bool
        init { a := false  b := false }
        action Set { a := true }
        invariant AthenB: a => b or not a
    """
    f = _formula(kovn, spec, "AthenB")
    assert f.failing == ()
    # `not a` is false because a is true: said once
    assert f.culprits == ("a is true", "b is false")
