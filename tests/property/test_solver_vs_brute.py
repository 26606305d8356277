"""Z3's answers equal brute force: random small constraints, both forms of `choose`.

Each example is a random well-typed constraint C(x) over a small integer type (or over the
addresses of a small CIDR block), built as IR with its inputs (the values a constraint reads
from the state: a set of integers, an integer, a block) drawn at random too. The solver
(checker/solver/enumerate.py, through the encoder) and the reference (checker/solver/brute.py,
which evaluates C on every candidate with the IR interpreter) must give the same solutions,
in the same order, for the every-solution form and the least form, and must agree on
refusing a constraint with more solutions than the bound. The constraints mix comparisons,
exact arithmetic (floor division and remainder by negative numbers included), membership in
sets, ranges and blocks, quantifiers over the input set, let, if-then-else and the boolean
connectives.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.solver import brute
from checker.solver import enumerate as en
from checker.solver.options import SolverOptions
from checker.ir.solve_plan import Query

B, INT = T.BoolT(), T.IntT()
SET = T.SetT(INT)
IN_SET, IN_INT, IN_BLOCK = ir.Local(SET, "_in0"), ir.Local(INT, "_in1"), ir.Local(T.CidrT(), "_in2")
INPUT_TYPES = (SET, INT, T.CidrT())
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def op(t, name, *args):
    return ir.Op(t, name, tuple(args))


def lit(k: int) -> ir.E:
    return ir.Lit(INT, k)


@st.composite
def ints(draw, x: ir.E, depth: int, lets: tuple = ()) -> ir.E:
    """An integer term over x, the inputs and the names bound by enclosing lets."""
    leaves = [st.just(x), st.integers(-12, 40).map(lit), st.just(IN_INT)] + [st.just(n) for n in lets]
    if depth == 0:
        return draw(st.one_of(leaves))
    sub = ints(x, depth - 1, lets)
    k = st.integers(-7, 7).filter(lambda v: v != 0)
    kind = draw(st.sampled_from(["leaf", "add", "sub", "mulk", "div", "mod", "neg", "abs", "min", "max", "ite",
                                 "let"]))
    if kind == "leaf":
        return draw(st.one_of(leaves))
    if kind in ("add", "sub"):
        return op(INT, kind, draw(sub), draw(sub))
    if kind == "mulk":
        return op(INT, "mul", draw(sub), lit(draw(k)))
    if kind in ("div", "mod"):
        return op(INT, kind, draw(sub), lit(draw(k)))
    if kind in ("neg", "abs"):
        return op(INT, kind, draw(sub))
    if kind in ("min", "max"):
        return op(INT, kind + "2", draw(sub), draw(sub))
    if kind == "ite":
        return ir.Ite(INT, draw(bools(x, depth - 1, lets)), draw(sub), draw(sub))
    name = ir.Local(INT, f"l{depth}_{len(lets)}")
    return ir.LetE(INT, name.name, draw(sub), draw(ints(x, depth - 1, lets + (name,))))


@st.composite
def bools(draw, x: ir.E, depth: int, lets: tuple = ()) -> ir.E:
    term = ints(x, min(depth, 2), lets)
    kind = draw(st.sampled_from(["cmp", "cmp", "in_set", "in_range", "in_lit", "in_block", "exists", "forall"]
                                + (["and", "or", "not", "implies", "iff", "ite"] if depth > 0 else [])))
    if kind == "cmp":
        return op(B, draw(st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"])), draw(term), draw(term))
    if kind == "in_set":
        return op(B, "in", draw(term), IN_SET)
    if kind == "in_range":
        return op(B, "in", draw(term), op(SET, "range", draw(term), draw(term)))
    if kind == "in_lit":
        elems = draw(st.lists(term, min_size=1, max_size=3))
        return op(B, "in", draw(term), ir.Collection(SET, tuple(elems)))
    if kind == "in_block":
        return op(B, "in_cidr", draw(term), IN_BLOCK)
    if kind in ("exists", "forall"):
        y = ir.Local(INT, f"q{depth}_{len(lets)}")
        body = draw(bools(x, 0, lets + (y,)))
        return ir.Quant(B, kind, (ir.Binder(y.name, IN_SET),), body)
    sub = bools(x, depth - 1, lets)
    if kind == "not":
        return op(B, "not", draw(sub))
    if kind == "ite":
        return ir.Ite(B, draw(sub), draw(sub), draw(sub))
    return op(B, kind, draw(sub), draw(sub))


@st.composite
def inputs(draw) -> tuple:
    prefix = draw(st.integers(26, 32))
    network = draw(st.integers(0, 40)) >> (32 - prefix) << (32 - prefix) if prefix < 32 else draw(st.integers(0, 40))
    return (frozenset(draw(st.lists(st.integers(-10, 40), max_size=6))), draw(st.integers(-10, 40)),
            network | (prefix << 32))


@st.composite
def queries(draw):
    lo = draw(st.integers(-10, 10))
    elem = T.IntT(lo, lo + draw(st.integers(0, 30)))
    x = ir.Local(elem, "x")
    return draw(bools(x, 3)), elem


def agree(q: Query, values: tuple, bound: int = 1024, candidates=None) -> None:
    try:
        want = brute.solve(q, values, bound, candidates)
    except en.TooMany:
        with pytest.raises(en.TooMany):
            en.solve(q, values, SolverOptions(max_solutions=bound))
        return
    got = en.solve(q, values, SolverOptions(max_solutions=bound))
    assert got == want, f"solver {got} != brute force {want} for {'least' if q.least else 'every'}"


@SETTINGS
@given(queries(), inputs(), st.booleans())
def test_solver_equals_brute_force(query, values, least):
    cond, elem = query
    agree(Query(0, "x", elem, cond, (), INPUT_TYPES, least), values)


@SETTINGS
@given(queries(), inputs())
def test_least_is_the_first_of_every(query, values):
    cond, elem = query
    every = en.solve(Query(0, "x", elem, cond, (), INPUT_TYPES, False), values)
    least = en.solve(Query(0, "x", elem, cond, (), INPUT_TYPES, True), values)
    assert least == every[:1]


@settings(SETTINGS, max_examples=100)
@given(queries(), inputs(), st.integers(0, 4))
def test_the_bound_is_applied_alike(query, values, bound):
    cond, elem = query
    agree(Query(0, "x", elem, cond, (), INPUT_TYPES, False), values, bound)


def python_test(q: Query):
    """q's constraint compiled to Python by the code generator, as the generated successor
    code hands it to the solver (`test(value, *inputs)`)."""
    from checker.compile.codegen import CodeGen, Env
    from checker.compile.model import _EMPTY_SPEC
    from checker.compile.runtime import Failure, make_helpers
    gen = CodeGen(_EMPTY_SPEC, fold=False)
    body = gen.ex(q.cond, Env("s"))
    ns = make_helpers(Failure(gen.origins))
    ns.update(gen.constants)
    names = ", ".join([q.name] + [f"_in{i}" for i in range(len(q.input_types))])
    return eval(f"lambda {names}: {body}", ns)


@settings(SETTINGS, max_examples=150)
@given(st.data(), st.integers(-10, 10), inputs(), st.integers(9, 200))
def test_many_solutions_scanned_in_python_equal_brute_force(data, lo, values, bound):
    """Past BLOCK_FIRST solutions the solver tests a range of candidates with the constraint
    compiled to Python: the same answers, the same bound."""
    wide = T.IntT(lo, lo + 120)
    x = ir.Local(wide, "x")
    cond = op(B, "or", data.draw(bools(x, 3)), op(B, "in", x, op(SET, "range", lit(lo), lit(lo + 60))))
    q = Query(0, "x", wide, cond, (), INPUT_TYPES, False)
    try:
        want = brute.solve(q, values, bound)
    except en.TooMany:
        with pytest.raises(en.TooMany):
            en.solve(q, values, SolverOptions(max_solutions=bound), python_test(q))
        return
    assert len(want) > en.BLOCK_FIRST
    assert en.solve(q, values, SolverOptions(max_solutions=bound), python_test(q)) == want


@settings(SETTINGS, max_examples=150)
@given(st.data(), st.integers(26, 32), st.integers(0, 255), st.booleans())
def test_addresses_in_a_block(data, prefix, third, least):
    """x: ip constrained to a small block (a conjunct), other conditions on its offset."""
    network = (10 << 24) | (third << 8)
    network &= ~((1 << (32 - prefix)) - 1)
    block = ir.Lit(T.CidrT(), network | (prefix << 32))
    x = ir.Local(T.IpT(), "a")
    offset = op(INT, "sub", x, ir.Lit(INT, network))
    rest = data.draw(bools(offset, 2))
    cond = op(B, "and", op(B, "in_cidr", x, block), rest)
    values = data.draw(inputs())
    size = 1 << (32 - prefix)
    agree(Query(0, "a", T.IpT(), cond, (), INPUT_TYPES, least), values,
          candidates=range(network, network + size))


# ---------------------------------------------------------------- dead guards are proofs

DEADGUARD_SEEDS = range(150)


@pytest.mark.parametrize("chunk", range(3))
def test_an_action_reported_dead_never_fires(chunk, tmp_path):
    """The dead-guard analysis (KOV602) over-approximates: on random specs (specgen.py), an
    action it reports can never be enabled is never enabled by the search either. The specs
    have dead actions often enough for the check to bite (counted)."""
    from specgen import spec_from_seed

    from checker import api
    from checker.diagnostics import DiagnosticError
    from checker.engine import CheckOptions

    confirmed = 0
    for seed in DEADGUARD_SEEDS[chunk::3]:
        path = tmp_path / f"s{seed}.kovn"
        path.write_text(spec_from_seed(seed).text)
        try:
            report = api.check(str(path), options=CheckOptions(max_states=20_000))
        except DiagnosticError:
            continue
        dead = [w.message.split("'")[1] for w in report.warnings
                if w.code == "KOV602" and "can never be enabled" in w.message]
        for r in report.results:
            fired = {c.name for c in r.result.stats.coverage if c.generated > 0}
            assert not set(dead) & fired, (seed, r.variant.name, dead)
            confirmed += len(dead)
    assert confirmed >= 10
