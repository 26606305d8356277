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
from checker.solver.plan import INPUT, Query
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
    solutions), the constraints of its type, and how to read a solution back."""

    value: Any
    key: Any
    domain: tuple
    lo: int
    hi: int
    rep_of_key: Callable[[int], Any]


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
                        lambda k: (k // 33) | ((k % 33) << 32))
    raise TypeError(f"the solver cannot choose a {t}")


def solve(q: Query, inputs: tuple, options: SolverOptions = SolverOptions()) -> tuple:
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
    return tuple(var.rep_of_key(k) for k in sorted(all_keys(s, var, options.max_solutions)))


def _check(s) -> bool:
    r = s.check()
    if r == z3.unknown:
        raise Undecided(s.reason_unknown())
    return r == z3.sat


def _key(s, var: Variable) -> int:
    return s.model().eval(var.key, model_completion=True).as_long()


def all_keys(s: z3.Solver, var: Variable, bound: int) -> list[int]:
    out = []
    while _check(s):
        k = _key(s, var)
        out.append(k)
        if len(out) > bound:
            raise TooMany(bound)
        s.add(var.key != k)
    return out


def least_key(s: z3.Solver, var: Variable, options: SolverOptions) -> int | None:
    if options.least == "optimize":
        return _least_optimize(s, var, options)
    if not _check(s):
        return None
    best = _key(s, var)
    lo = var.lo
    # invariant: a solution with key `best` exists, none below `lo`
    while lo < best:
        mid = (lo + best - 1) // 2
        s.push()
        s.add(var.key <= mid)
        if _check(s):
            best = _key(s, var)
        else:
            lo = mid + 1
        s.pop()
    return best


def _least_optimize(s: z3.Solver, var: Variable, options: SolverOptions) -> int | None:
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
