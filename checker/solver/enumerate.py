"""The solutions of one planned query for given input values, found with Z3.

Input: a `plan.Query`, the input values (run-time representations, in placeholder order)
and SolverOptions. Output: the solutions' run-time representations in ascending (canonical)
order: every solution, or only the least one; raises `TooMany` past the bound and
`Undecided` when Z3 answers unknown. Every solution is found by the usual loop (solve, block
the model's value, solve again) and the answers are sorted afterwards, so the order never
depends on the models Z3 happens to return. The least solution is found by binary search on
the chosen value's ordinal with incremental checks, or by z3.Optimize (options.least).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import z3

from checker.semantics import types as T
from checker.solver.encode import Encoder
from checker.solver.options import SolverOptions
from checker.ir import solve_plan
from checker.ir.solve_plan import INPUT, Query
from checker.solver.values import Conc, Rec


class TooMany(Exception):
    def __init__(self, bound: int):
        super().__init__(f"more than {bound} solutions")
        self.bound = bound


class Undecided(Exception):
    pass


@dataclass(frozen=True)
class Variable:
    """The chosen value as the encoder sees it, its ordinal (an Int term: the order of
    solutions), the constraints of its type, and how to read a solution back; `valid`
    tells whether an ordinal in lo..hi is a value of the type."""

    value: Any
    key: Any
    domain: tuple
    lo: int
    hi: int
    rep_of_key: Callable[[int], Any]
    valid: Callable[[int], bool] = lambda k: True   # noqa: E731


def variable(t: T.Type, name: str) -> Variable:
    if isinstance(t, T.IntT):
        x = z3.Int(name)
        return Variable(x, x, (x >= t.lo, x <= t.hi), t.lo, t.hi, lambda k: k)
    if isinstance(t, T.CidrT):
        n, p = z3.Int(name + ".network"), z3.Int(name + ".prefix")
        # a block's host bits are zero: 10.0.0.5/8 is not a block
        aligned = z3.Or([z3.And(p == k, n % (1 << (32 - k)) == 0) for k in range(33)])
        domain = (n >= 0, n <= T.IP_MAX, p >= 0, p <= 32, aligned)
        return Variable(Rec(t, (n, p)), n * 33 + p, domain, 0, (T.IP_MAX + 1) * 33 - 1,
                        lambda k: (k // 33) | ((k % 33) << 32),
                        lambda k: (k // 33) % (1 << (32 - k % 33)) == 0)
    raise TypeError(f"the solver cannot choose a {t}")


def solve(q: Query, inputs: tuple, options: SolverOptions = SolverOptions(), test=None) -> tuple:
    """`test(value, *inputs)`, when given, is the constraint compiled to Python: past
    BLOCK_FIRST solutions, a range of solutions no wider than the enumeration break-even is
    scanned with it instead of being blocked one model at a time."""
    enc = Encoder({f"{INPUT}{i}": Conc(t, v) for i, (t, v) in enumerate(zip(q.input_types, inputs))})
    var = variable(q.elem, q.name)
    enc.bind(q.name, var.value)
    cond = enc.enc(q.cond)
    s = z3.Solver()
    s.set("timeout", options.timeout_ms)
    s.add(*var.domain)
    if isinstance(cond, Conc):
        if not cond.rep:
            return ()
    else:
        s.add(cond)
    if q.least:
        k = least_key(s, var, options)
        return () if k is None else (var.rep_of_key(k),)
    scan = None if test is None else (lambda k: test(var.rep_of_key(k), *inputs))
    keys = all_keys(s, var, options.max_solutions, scan, options)
    return tuple(var.rep_of_key(k) for k in sorted(keys))


def _check(s) -> bool:
    r = s.check()
    if r == z3.unknown:
        raise Undecided(s.reason_unknown())
    return r == z3.sat


def _key(s, var: Variable) -> int:
    return s.model().eval(var.key, model_completion=True).as_long()


BLOCK_FIRST = 16      # solutions found by blocking models before a range scan is tried


def all_keys(s: z3.Solver, var: Variable, bound: int, scan=None, options: SolverOptions = SolverOptions()) -> list[int]:
    out = []
    base = list(s.assertions())          # the constraint, before any model is blocked
    while _check(s):
        k = _key(s, var)
        out.append(k)
        if len(out) > bound:
            raise TooMany(bound)
        if len(out) == BLOCK_FIRST and scan is not None:
            found = _scan(base, var, bound, scan, options)
            if found is not None:
                return found
        s.add(var.key != k)
    return out


def _scan(base: list, var: Variable, bound: int, scan, options: SolverOptions) -> list[int] | None:
    """Every solution by testing each value between the least and the greatest solution
    in Python, when there are few enough of them; None otherwise."""
    lo, hi = _extreme(base, var, options, True), _extreme(base, var, options, False)
    if hi - lo >= solve_plan.ENUMERATE_UP_TO:     # read now: the benchmark changes it
        return None
    out = []
    for k in range(lo, hi + 1):
        if var.valid(k) and scan(k):
            out.append(k)
            if len(out) > bound:
                raise TooMany(bound)
    return out


def _extreme(base: list, var: Variable, options: SolverOptions, least: bool) -> int:
    o = z3.Optimize()
    o.set("timeout", options.timeout_ms)
    o.add(*base)
    o.minimize(var.key) if least else o.maximize(var.key)
    if o.check() != z3.sat:
        raise Undecided(o.reason_unknown())
    return o.model().eval(var.key, model_completion=True).as_long()


DESCENT_PROBES = 3


def least_key(s: z3.Solver, var: Variable, options: SolverOptions) -> int | None:
    if options.least == "optimize":
        return _least_optimize(s, var, options)
    if not _check(s):
        return None
    best = _key(s, var)
    lo = var.lo
    # Invariant: a solution with key `best` exists, none below `lo`. The first probes ask
    # for anything below the last model (Z3's models of interval constraints are often
    # their least values already, and then one probe ends the search); binary search after.
    probes = 0
    while lo < best:
        mid = best - 1 if probes < DESCENT_PROBES else (lo + best - 1) // 2
        probes += 1
        s.push()
        s.add(var.key <= mid)
        if _check(s):
            best = _key(s, var)
        else:
            lo = mid + 1
        s.pop()
    return best


def _least_optimize(s: z3.Solver, var: Variable, options: SolverOptions) -> int | None:
    # One z3.Optimize call. Checking first and probing below the model was measured too:
    # cheaper when the first model is the least, far dearer when many addresses are in use
    # (a plain check with many disequalities costs more than the whole optimisation).
    o = z3.Optimize()
    o.set("timeout", options.timeout_ms)
    o.add(*s.assertions())
    o.minimize(var.key)
    r = o.check()
    if r == z3.unknown:
        raise Undecided(o.reason_unknown())
    if r == z3.unsat:
        return None
    return o.model().eval(var.key, model_completion=True).as_long()
