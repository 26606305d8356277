"""Variants and files: variant constant overrides, `properties` / `properties none`,
`expect violated A, B`, `allow deadlock` in a variant, `--const` overriding every variant,
and imports of a relative file (with duplicates across files reported at both places).
"""
from __future__ import annotations

import pytest

from checker import api, codes
from checker.diagnostics import DiagnosticError
from checker.engine import CheckOptions, Status

from assertions import statuses

ACT = """
    spec act
    const MAX: int = 3
    var x: 0..5
    var y: 0..5
    init { x := 0  y := 0 }
    action Inc {
      require x < MAX
      x := x + 1
    }
    action Jump {
      require x == 2
      y := 5
    }
    action property Mono: x' >= x
    action property YStep: y' == y or y' == y + 1
    reachable Never: x == 5
    constraint Small: y < 5
    check deadlock
    variant base { expect violated YStep, Never, deadlock }
    variant big { MAX = 5  expect violated YStep, deadlock }
    variant quiet { properties Mono  allow deadlock }
    variant nothing { properties none }
    variant wrong { expect violated Mono }
"""


def by_variant(report):
    return {r.variant.name: r for r in report.results}


def test_every_variant_against_its_expectation(kovn):
    rs = by_variant(kovn.check(ACT))
    assert list(rs) == ["base", "big", "quiet", "nothing", "wrong"]
    # base, MAX = 3: x counts 0..3 (3,0) is a deadlock, Never (x == 5) is never reached.
    assert (rs["base"].result.stats.distinct, rs["base"].result.stats.generated) == (5, 5)
    assert statuses(rs["base"]) == {"Mono": Status.HOLDS, "YStep": Status.VIOLATED,
                                    "Never": Status.VIOLATED, "deadlock": Status.VIOLATED}
    assert rs["base"].expectation_met
    # big, MAX = 5: x reaches 5 (Never is witnessed): 0..5 with y = 0, and (2,5): 7 states.
    assert (rs["big"].result.stats.distinct, rs["big"].result.stats.generated) == (7, 7)
    assert statuses(rs["big"])["Never"] is Status.HOLDS
    assert rs["big"].expectation_met
    # quiet: only Mono is checked, deadlocks allowed.
    assert statuses(rs["quiet"]) == {"Mono": Status.HOLDS}
    assert rs["quiet"].expectation_met
    # properties none: nothing is checked, not even deadlock; the space is still explored.
    assert statuses(rs["nothing"]) == {}
    assert rs["nothing"].result.stats.distinct == 5
    assert rs["nothing"].expectation_met
    # wrong: Mono holds although a violation is expected, and the others are violated.
    assert not rs["wrong"].expectation_met
    assert set(rs["wrong"].mismatches) == {
        "Mono: expected to be violated, but it holds",
        "YStep: expected to hold, but it is violated",
        "Never: expected to hold, but it is violated",
        "deadlock: expected to hold, but it is violated"}


def test_const_on_the_command_line_overrides_every_variant(kovn):
    rs = by_variant(kovn.check(ACT, consts={"MAX": "1"}))
    # MAX = 1 everywhere, big's own MAX = 5 included: (0,0) -> (1,0), a deadlock; 2 states.
    assert {n: r.result.stats.distinct for n, r in rs.items()} == \
           {"base": 2, "big": 2, "quiet": 2, "nothing": 2, "wrong": 2}
    assert statuses(rs["big"])["YStep"] is Status.HOLDS


def test_only_the_named_variants_run(kovn):
    report = kovn.check(ACT, variants=["quiet", "big"])
    assert [r.variant.name for r in report.results] == ["big", "quiet"]


def test_variant_overrides_use_the_spec_syntax_for_values(kovn):
    r = kovn.one("""
        spec jugs
        const Cap: seq[int] = [3, 5]
        var j: 0..len(Cap) - 1 -> 0..20
        init { j := {k: 0 for k in 0..len(Cap) - 1} }
        action Fill(k: 0..len(Cap) - 1) { j[k] := Cap[k] }
        allow deadlock
    """, consts={"Cap": "[20, 1, 2]"})
    # Three jugs, each empty or full: 2^3 = 8 states, 1 + 8 * 3 = 25 generated.
    assert (r.result.stats.distinct, r.result.stats.generated) == (8, 25)


LIB = """
    // a library: a type, a constant and a definition
    type Color = red | green
    const LIMIT: int = 2
    def next_color(c: Color): Color = if c == red then green else red
"""

MAIN = """
    spec main
    import "./lib/colors.kovn"
    var c: Color
    var n: 0..LIMIT
    init { c := red  n := 0 }
    action Step {
      require n < LIMIT
      c := next_color(c)
      n := n + 1
    }
    invariant Alternates: (c == red) == (n % 2 == 0)
    allow deadlock
"""


def test_import_of_a_relative_file(kovn):
    kovn.write(LIB, "lib/colors.kovn")
    path = kovn.write(MAIN, "main.kovn")
    (r,) = api.check(str(path), {}, None, CheckOptions()).results
    # n counts 0..2 while c alternates: 3 states, 3 generated (1 + 2 Steps), depth 3.
    assert (r.result.stats.distinct, r.result.stats.generated, r.result.stats.depth) == (3, 3, 3)
    assert r.expectation_met


def test_a_file_imported_twice_is_read_once(kovn):
    kovn.write(LIB, "lib/colors.kovn")
    kovn.write('import "./colors.kovn"\ndef other(c: Color): Color = next_color(next_color(c))\n', "lib/more.kovn")
    path = kovn.write(MAIN.replace('import "./lib/colors.kovn"',
                                   'import "./lib/colors.kovn"\nimport "./lib/more.kovn"'), "main.kovn")
    (r,) = api.check(str(path), {}, None, CheckOptions()).results
    assert r.result.stats.distinct == 3


def test_duplicates_across_files_name_both_locations(kovn):
    kovn.write(LIB, "lib/colors.kovn")
    path = kovn.write(MAIN.replace("var c: Color", "const LIMIT: int = 5\n    var c: Color"), "main.kovn")
    with pytest.raises(DiagnosticError) as exc:
        api.check(str(path), {}, None, CheckOptions())
    (d,) = exc.value.diagnostics
    assert d.code == codes.DUPLICATE_NAME
    assert (d.span.path, d.span.line) == (str(path), 3)
    ((first, label),) = d.labels
    assert label == "first declared here"
    assert (first.path.endswith("lib/colors.kovn"), first.line) == (True, 3)
    run = kovn.cli([path])
    assert run.code == 150
    assert f"{path}:3:1: error[KOV102]" in run.err
    assert "first declared here at " in run.err and "lib/colors.kovn:3:1" in run.err
