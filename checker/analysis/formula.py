"""Why a safety property's formula is false: every failing element of its outer `forall`
and, for the first, the sub-expressions that make it false.

Input: the IR of a variant, a property (invariant or action property) and the plain
state(s) it fails in. Output: a `Formula` (results.py): the formula's source text, the
failing bindings (all of them, in the quantifier's order) and the culprits: the smallest
sub-expressions whose values decide the failure, found by descending from the body
through `not`, `and`, `or`, `=>` and the spec's own definitions (`orphan(n)`; the
library's, such as `present(x)`, are words of the vocabulary): a false `and` by its
first false conjunct, a true one (under a `not`) by all its conjuncts, and so on; each
culprit shown with its value (`not present(Subnet) is true`).
"""
from __future__ import annotations

from typing import Any

from checker.analysis.recorder import Recorder, _in_library, _one_line
from checker.analysis.results import Formula
from checker.ir import nodes as ir
from checker.ir.interp import Ctx
from checker.semantics import display as D

MAX_DEPTH = 4           # definitions descended into
MAX_BINDINGS = 20       # failing elements listed


def explain_formula(spec: ir.SpecIR, prop: ir.PropertyIR, state: dict, nxt: dict | None) -> Formula:
    rec = Recorder(spec)
    ctx = Ctx(state, {}, nxt)
    expr = prop.expr
    failing: list[str] = []
    first: Ctx | None = None
    body = expr
    if isinstance(expr, ir.Quant) and expr.kind == "forall":
        body = expr.body
        for c in rec.bindings(expr.binders, ctx):
            if not rec.truth(rec.eval(expr.body, c)):
                if first is None:
                    first = c
                if len(failing) < MAX_BINDINGS:
                    failing.append(rec._binding_text(expr.binders, c))
    culprits = _why(rec, body, first or ctx, False, 0) if first is not None or body is expr else []
    return Formula(_one_line(expr), tuple(failing), tuple(dict.fromkeys(culprits)))


def _why(rec: Recorder, e: ir.E, ctx: Ctx, want: bool, depth: int) -> list[str]:
    """The sub-expressions of `e` (whose value is not `want`: the property needed `want`)
    that decide its value."""
    value = rec.eval(e, ctx)
    if isinstance(e, ir.Op) and e.op == "not":
        return _why(rec, e.args[0], ctx, not want, depth)
    if isinstance(e, ir.Op) and e.op in ("and", "or"):
        parts = _flat(e, e.op)
        values = [rec.truth(rec.eval(p, ctx)) for p in parts]
        deciding = False if e.op == "and" else True
        if value == deciding:      # one part decided it: the first such
            k = values.index(deciding)
            return _why(rec, parts[k], ctx, not deciding, depth)
        return [x for p in parts for x in _why(rec, p, ctx, deciding, depth)]
    if isinstance(e, ir.Op) and e.op == "implies" and not value:
        return _why(rec, e.args[0], ctx, False, depth) + _why(rec, e.args[1], ctx, True, depth)
    if isinstance(e, ir.Op) and e.op == "prime":     # read in the next state: its origin lacks the '
        return [f"{_one_line(e)}' is {_shown(value)}"]
    if isinstance(e, ir.CallDef) and depth < MAX_DEPTH:
        d = rec.spec.defs[e.index]
        if isinstance(value, bool) and not _in_library(d.origin):    # the library's are its vocabulary
            args = [rec.eval(a, ctx) for a in e.args]
            inner = Ctx(ctx.state, {n: a for (n, _), a in zip(d.params, args)}, ctx.nxt)
            found = _why(rec, d.body, inner, want, depth + 1)
            head = f"{_one_line(e)} is {_shown(value)}"
            return [head + ": " + "; ".join(found)] if found else [head]
    return [f"{_one_line(e)} is {_shown(value)}"]


def _flat(e: ir.E, op: str) -> list[ir.E]:
    if isinstance(e, ir.Op) and e.op == op:
        return [x for a in e.args for x in _flat(a, op)]
    return [e]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return D.show(value)
