"""The `ip` and `cidr` types, their literals and helpers, wide integers, and bounded sets of a
large element type (`set[ip, N]`), each checked through the real pipeline."""
from __future__ import annotations

import pytest

from checker.diagnostics import DiagnosticError, SourceFile
from checker.engine import Status, Verdict
from checker.ir.interp import Interpreter
from checker.ir.search import explore
from checker.semantics import types as T
from checker.semantics import display as D
from checker.syntax import ast
from checker.syntax.parser import parse_expr

from assertions import statuses


def expr(text: str):
    return parse_expr(SourceFile("e", text))


# ---------------------------------------------------------------- lexing

def _ip(text):
    return ast.IpLit(text, span=None)


def _int(v):
    return ast.IntLit(v, span=None)


def _bin(op, a, b):
    return ast.Binary(op, a, b, span=None)


@pytest.mark.parametrize("text,want", [
    ("10.16.0.1", _ip("10.16.0.1")),
    ("10.16.0.0/16", ast.CidrLit("10.16.0.0/16", span=None)),
    ("1..3", _bin("..", _int(1), _int(3))),
    ("1..N", _bin("..", _int(1), ast.Name("N", span=None))),
    ("1 .. 2", _bin("..", _int(1), _int(2))),
    ("x/8", _bin("/", ast.Name("x", span=None), _int(8))),
    ("12/4", _bin("/", _int(12), _int(4))),
    ("10.0.0.1..10.0.0.9", _bin("..", _ip("10.0.0.1"), _ip("10.0.0.9"))),
    ("r.first", ast.Field(ast.Name("r", span=None), "first", span=None)),
])
def test_addresses_are_one_token_and_ranges_are_not(text, want):
    assert expr(text) == want


@pytest.mark.parametrize("text", ["2.5", "1.2.3", "1.2.3.4.5"])
def test_float_like_text_is_still_a_syntax_error(text):
    with pytest.raises(DiagnosticError) as exc:
        expr(text)
    assert exc.value.diagnostics[0].code in ("KOV001", "KOV002")


# ---------------------------------------------------------------- values

NET = """
    spec net
    const BLOCK: cidr = 10.16.0.0/16
    var a: ip = 10.16.0.1
    var c: cidr = BLOCK
    var wide: 0..1099511627775 = 1099511627775
    action Step {
      require a < 10.16.0.3
      a := a + 1
    }
    invariant Helpers: network(BLOCK) == 10.16.0.0 and broadcast(BLOCK) == 10.16.255.255
        and gateway(BLOCK) == 10.16.0.1 and size(BLOCK) == 65536 and prefix(BLOCK) == 16
        and c.network == 10.16.0.0 and c.prefix == 16
    invariant Membership: a in BLOCK and not (a in 10.17.0.0/16) and 10.16.0.1 in 10.0.0.0/8
        and not (broadcast(BLOCK) + 1 in BLOCK) and 10.16.0.1 in 10.16.0.1/32
    invariant Order: 10.16.0.1 < 10.16.0.2 and 10.16.0.255 < 10.16.1.0 and a - 10.16.0.0 <= 3
    invariant Blocks: cidr(10.16.7.9, 16) == BLOCK and cidr(a, 24) == 10.16.0.0/24
        and ip(167772161) == 10.0.0.1
    invariant Wide: wide == 1099511627775 and wide - 1 + 1 == wide
    reachable Third: a == 10.16.0.3
    allow deadlock
"""


def test_literals_helpers_membership_ordering_and_offsets(kovn):
    r = kovn.one(NET)
    assert r.result.verdict is Verdict.OK, r.result
    assert all(s is Status.HOLDS for s in statuses(r).values())
    # a walks 10.16.0.1 .. 10.16.0.3
    assert r.result.stats.distinct == 3


def test_addresses_and_blocks_display_in_their_own_syntax(kovn):
    r = kovn.one(NET)
    trace = r.result.properties[-1].trace
    shown = r.model.describe(trace.steps[-1].state)
    assert D.show(shown["a"]) == "10.16.0.3"
    assert D.show(shown["c"]) == "10.16.0.0/16"
    assert shown["wide"] == 1099511627775
    assert [s.action for s in trace.steps[1:]] == ["Step", "Step"]


def test_an_address_computed_out_of_range_is_a_run_time_error(kovn):
    r = kovn.one("""
        spec over
        var a: ip = 255.255.255.254
        action Step { a := a + 1 }
    """)
    assert r.result.verdict is Verdict.ERROR
    assert "outside" in r.result.failure.message


@pytest.mark.parametrize("type_,literal,message", [
    ("ip", "300.0.0.1", "'300.0.0.1' is not an IPv4 address"),
    ("cidr", "10.0.0.5/8", "'10.0.0.5/8' has host bits set"),
    ("cidr", "10.0.0.0/33", "'10.0.0.0/33' is not a CIDR block"),
])
def test_bad_literals_are_diagnostics_at_the_literal(kovn, type_, literal, message):
    with pytest.raises(DiagnosticError) as exc:
        kovn.check(f"spec bad\nvar v: {type_} = {literal}\n")
    (d,) = exc.value.diagnostics
    assert d.code == "KOV211" and message in d.message
    assert d.span.text() == literal


def test_cidr_of_a_bad_prefix_is_a_run_time_error(kovn):
    r = kovn.one("""
        spec badprefix
        var p: 30..33 = 30
        var c: cidr = 10.0.0.0/8
        action Grow {
          c := cidr(10.0.0.0, p)
          p := p + 1
        }
    """)
    assert r.result.verdict is Verdict.ERROR
    assert "prefix length 33" in r.result.failure.message


# ---------------------------------------------------------------- bounded sets of addresses

USED = """
    spec used
    var used: set[ip, 2] = {}
    var cand: 0..3 = 0
    action Add {
      require len(used) < 2
      used := used | {10.0.0.0 + cand}
      cand := (cand + 1) % 4
    }
    action Remove(a in used) {
      used := used - {a}
    }
    invariant Small: len(used) <= 2
    invariant Members: forall a in used: a in 10.0.0.0/30
    invariant Iteration: {a + 0 for a in used} == used
    reachable Two: used == {10.0.0.1, 10.0.0.2}
    allow deadlock
"""


def test_a_bounded_set_of_addresses_is_stored_inserted_removed_counted_and_compared(kovn):
    r = kovn.one(USED)
    assert r.result.verdict is Verdict.OK, statuses(r)
    assert statuses(r)["Two"] is Status.HOLDS
    # the reference interpreter (plain frozensets, no packing) reaches the same states
    reference = explore(Interpreter(r.model.spec))
    assert r.result.stats.distinct == len(reference.level) > 11
    assert r.result.stats.depth == reference.depth
    trace = r.result.properties[-1].trace
    assert D.show(r.model.describe(trace.steps[-1].state)["used"]) == "{10.0.0.1, 10.0.0.2}"


def test_the_code_of_a_bounded_set_is_canonical():
    t = T.SetT(T.IpT(), 3)
    assert T.is_packed_set(t) and not T.is_bitset(t)
    a = T.code_of(t, frozenset({167772161, 5, 2 ** 32 - 1}))
    b = T.code_of(t, frozenset({2 ** 32 - 1, 167772161, 5}))
    assert a == b
    assert T.rep_of_code(t, a) == frozenset({5, 167772161, 2 ** 32 - 1})
    assert T.width(t) == 2 + 3 * 32
    with pytest.raises(ValueError):
        T.code_of(t, frozenset(range(4)))


def test_storing_too_many_elements_is_a_run_time_error(kovn):
    r = kovn.one("""
        spec overflow
        var used: set[ip, 1] = {}
        var n: 0..2 = 0
        action Add {
          require n < 2
          used := used | {10.0.0.0 + n}
          n := n + 1
        }
    """)
    assert r.result.verdict is Verdict.ERROR
    assert "does not fit set[ip, 1]" in r.result.failure.message


def test_a_bound_on_a_small_element_type_changes_nothing(kovn):
    r = kovn.one("""
        spec small
        var s: set[0..3, 2] = {}
        action Add(x: 0..3) { s := s | {x} }
        reachable All: s == {0, 1, 2, 3}
    """)
    assert statuses(r)["All"] is Status.HOLDS
    assert r.result.stats.distinct == 16


def test_a_set_of_addresses_without_a_bound_cannot_be_state(kovn):
    with pytest.raises(DiagnosticError) as exc:
        kovn.check("spec nobound\nvar used: set[ip] = {}\n")
    assert [d.code for d in exc.value.diagnostics] == ["KOV207"]


def test_type_aliases_of_addresses_and_blocks_keep_their_meaning(kovn):
    r = kovn.one("""
        spec alias
        type Block = cidr
        type Addr = ip
        const B: Block = 10.1.0.0/16
        var a: Addr = 10.1.0.5
        var b: Block = B
        action Step { require a < 10.1.0.7  a := a + 1 }
        invariant In: a in B and network(B) == 10.1.0.0 and b == 10.1.0.0/16
        reachable Last: a == 10.1.0.7
        allow deadlock
    """)
    assert r.result.verdict is Verdict.OK
    last = next(p for p in r.result.properties if p.name == "Last").trace.steps[-1].state
    assert D.show(r.model.describe(last)["b"]) == "10.1.0.0/16"
    assert D.show(r.model.describe(last)["a"]) == "10.1.0.7"
