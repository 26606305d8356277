"""The reference the solver is tested against: a planned query solved by trying every candidate.

Input: a `plan.Query`, its input values (run-time representations, as the generated code
passes them) and the candidates to try (default: every value of the element type, which must
then be small). Output: the same as enumerate.solve (ascending representations; every
solution or the least one; `TooMany` past the bound), computed by the IR reference
interpreter (checker/ir/interp.py), which shares nothing with the encoder. Slow on purpose.
"""
from __future__ import annotations

from typing import Iterable

from checker.ir import nodes as ir
from checker.ir.interp import Ctx, Interpreter, from_rep, normalize
from checker.semantics import types as T
from checker.solver.enumerate import TooMany
from checker.ir.solve_plan import INPUT, Query

_EMPTY = ir.SpecIR("brute", "default", (), (), (), (), (), (), False)


def solve(q: Query, inputs: tuple, bound: int = 1024, candidates: Iterable | None = None) -> tuple:
    interp = Interpreter(_EMPTY)
    env = {f"{INPUT}{i}": from_rep(t, v) for i, (t, v) in enumerate(zip(q.input_types, inputs))}
    if candidates is None:
        candidates = [T.from_ordinal(q.elem, o) for o in range(T.size(q.elem))]
    found = []
    for rep in sorted(candidates, key=lambda r: T.ordinal(q.elem, r)):
        plain = normalize(from_rep(q.elem, rep))
        if interp.truth(interp.eval(q.cond, Ctx({}, {**env, q.name: plain}))):
            found.append(rep)
            if q.least:
                break
            if len(found) > bound:
                raise TooMany(bound)
    return tuple(found)
