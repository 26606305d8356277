"""Elaboration: constants: resolved on first use, evaluated by the compiled evaluator, assumptions checked.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from typing import Any
from checker import codes
from checker.diagnostics import Span
from checker.ir import nodes as ir
from checker.semantics import display as D
from checker.syntax import ast
from checker.ir.elaborate.common import BOOL, Ctx, INT, Scope, _EvalFailure, _const_names, _has_error, _inline_defs


class ConstantsPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def const(self, name: str, use: Span | None) -> ir.ConstIR | None:
        if name in self.const_values:
            return self.const_values[name]
        decl = self.d.consts[name]
        if name in self.in_progress:
            self.error(codes.RECURSIVE_DEFINITION, f"constant '{name}' depends on itself", use)
            return None
        self.in_progress.add(name)
        try:
            t = self.resolve_type(decl.type)
            expr = self.overrides.get(name, decl.default)
            if expr is None:
                self.error(codes.MISSING_CONSTANT, f"constant '{name}' has no value", decl.span,
                           hint=f"give it a default (`const {name}: ... = value`), set it in the "
                                f"variant, or pass --const {name}=VALUE")
                result = None
            else:
                e = self.check(expr, t, Ctx(Scope(), state=False))
                result = None
                if not _has_error(e):
                    before = len(self.diags)
                    value = self.evaluate(e, expr.span)
                    if len(self.diags) == before:      # a failed evaluation has reported itself
                        result = ir.ConstIR(name, t, value)
        finally:
            self.in_progress.discard(name)
        self.const_values[name] = result
        return result

    def check_assumptions(self) -> None:
        """`assume NAME: expr`: each must hold with this variant's constants (KOV407), before
        any state exists; a failure names the constants it read and their values."""
        for a in self.d.assumptions:
            before = len(self.diags)
            e = self.check(a.expr, BOOL, Ctx(Scope(), state=False))
            if _has_error(e) or len(self.diags) > before:
                continue
            value = self.evaluate(e, a.expr.span)
            if value is not False or len(self.diags) > before:
                continue
            shown = []
            for n in _const_names(a.expr, self.d.consts):
                c = self.const_values.get(n)
                if c is not None:
                    shown.append(f"{n} = {D.show(D.to_display(c.t, c.value))}")
            given = "" if not shown else " with " + ", ".join(shown)
            where = [n for n in _const_names(a.expr, self.d.consts) if n in self.overrides]
            hint = (f"the variant or --const sets {', '.join(where)}: keep it within the assumption"
                    if where else "the constants' defaults break it: change them or the assumption")
            self.error(codes.ASSUMPTION_FAILED, f"assumption '{a.name}' does not hold in variant "
                       f"'{self.variant}'{given}", a.expr.span,
                       labels=((a.span, "assumption declared here"),) if a.span.line != a.expr.span.line else (),
                       hint=hint)

    def evaluate(self, e: ir.E, span: Span | None) -> Any:
        try:
            return self.const_eval(_inline_defs(e, self.defs))
        except _EvalFailure as exc:
            self.error(codes.RUNTIME_ERROR, str(exc), getattr(exc, "origin", None) or span)
            return None

    def const_int(self, expr: ast.Expr) -> int | None:
        e = self.check(expr, INT, Ctx(Scope(), state=False))
        if _has_error(e):
            return None
        v = self.evaluate(e, expr.span)
        return v if isinstance(v, int) else None
