"""Elaboration: choose-where and large parameters handed to the solver, and checked solvable (docs/solver.md).

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker import codes
from checker.diagnostics import Span
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.syntax import ast
from checker.ir.elaborate.common import ErrorT, BOOL, Ctx, ERR_T, _contains_error, _has_error
from checker.ir.elaborate.network import _conjuncts


class FeasibilityPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def choose_where(self, s: ast.ChooseWhere, ctx: Ctx) -> list[ir.S]:
        """`choose [least] x: T where C`: ChooseS over the solutions of C (ir.Solve)."""
        t = self.resolve_type(s.type)
        if not isinstance(t, ErrorT) and not _contains_error(t) and not T.finite(t):
            self.error(codes.DOMAIN_TOO_LARGE, f"'{s.name}' ranges over {t}, which is not finite", s.type.span,
                       hint="give the type a bound: a range lo..hi, ip, cidr, a record of them")
            t = ERR_T
        local = self.bind(ctx.scope, s.name, t, s.span)
        cond = self.check(s.cond, BOOL, ctx)
        node = ir.Solve(T.SetT(t), local.name, cond, s.least, s.span)
        if not isinstance(t, ErrorT) and not _has_error(cond):
            self.check_solvable(node, s.type.span)
        return [ir.ChooseS(local.name, node, s.span)]

    def check_solvable(self, node: ir.Solve, type_span: Span | None) -> None:
        """KOV308: a constraint over too many values to enumerate must be one the solver
        encodes; every unsupported form is reported where it is written."""
        from checker.ir.solve_plan import enumerable, plan, solvable_type
        from checker.ir.solve_support import unsupported
        elem = node.t.elem
        if enumerable(elem):
            return
        if not solvable_type(elem):
            self.error(codes.UNSUPPORTED_CONSTRAINT, f"{elem} has {T.size(elem):,} values, too many to enumerate, "
                       f"and the solver chooses only integers, addresses and CIDR blocks", type_span,
                       hint="choose the parts separately, or use a smaller type")
            return
        for where, why in unsupported(plan(node, self.defs, 0)):
            self.error(codes.UNSUPPORTED_CONSTRAINT, f"the solver cannot encode this: {why}",
                       where or node.origin,
                       hint=f"{elem} has {T.size(elem):,} values, too many to enumerate; rewrite this part "
                            "with comparisons, arithmetic, membership and quantifiers over known sets")

    def solve_large_params(self, params: tuple[ir.ParamIR, ...], body: tuple[ir.S, ...]) -> tuple[ir.ParamIR, ...]:
        """A typed parameter with too many values to enumerate (`a: ip`) is picked by the
        solver from the action's leading `require`s that mention it: its domain becomes
        ir.Solve over their conjunction (the requires stay in the body)."""
        from checker.ir.solve_plan import enumerable, free_locals
        guards = []
        for s in body:
            if not isinstance(s, ir.Require):
                break
            guards.extend(_conjuncts(s.cond))
        out = []
        for i, p in enumerate(params):
            if not (isinstance(p.domain, ir.TypeSet) and T.finite(p.t) and not enumerable(p.t)):
                out.append(p)
                continue
            known = {q.name for q in params[:i + 1]}
            mine = [g for g in guards if p.name in free_locals(g) and free_locals(g) <= known]
            if not mine:
                self.error(codes.DOMAIN_TOO_LARGE, f"parameter '{p.display}' ranges over {p.t} "
                           f"({T.size(p.t):,} values), too many to enumerate", p.domain.origin,
                           hint=f"constrain it with `require` at the start of the action (the solver then "
                                f"picks its values), or write `choose {p.display}: {p.t} where ...`")
                out.append(p)
                continue
            cond = mine[0]
            for g in mine[1:]:
                cond = ir.Op(BOOL, "and", (cond, g), g.origin)
            node = ir.Solve(p.domain.t, p.name, cond, False, p.domain.origin)
            self.check_solvable(node, p.domain.origin)
            out.append(ir.ParamIR(p.name, p.display, p.t, node))
        return tuple(out)
