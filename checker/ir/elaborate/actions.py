"""Elaboration: actions and properties.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker.ir import nodes as ir
from checker.syntax import ast
from checker.ir.elaborate.common import BOOL, Ctx, Scope


class ActionsPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def elab_action(self, a: ast.ActionDecl) -> ir.ActionIR:
        ctx = Ctx(Scope(), step=True)
        params = self.bind_params(a.params, ctx)
        body = self.stmts(a.body, ctx)
        params = self.solve_large_params(params, body)
        return ir.ActionIR(a.name, params, body, origin=a.span)

    def elab_property(self, p: ast.PropertyDecl) -> ir.PropertyIR:
        ctx = Ctx(Scope(), prime=p.kind == "action")
        return ir.PropertyIR(p.name, p.kind, self.check(p.expr, BOOL, ctx), p.span)
