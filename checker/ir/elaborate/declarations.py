"""Elaboration: state variables, process locals and action parameters declared.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker import codes
from checker.diagnostics import Span
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.semantics.names import reserved_name
from checker.syntax import ast
from checker.ir.elaborate.common import ErrorT, Binding, Ctx, ENUM_LIMIT, ERR_T, Scope, _in_library, enumerable


class DeclarationsPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def declare_var(self, name: str, te: ast.TypeExpr | T.Type, span: Span) -> int:
        t = te if isinstance(te, T.Type) else self.resolve_type(te)
        self.require_finite(t, span, f"state variable '{name}'")
        self.var_index[name] = len(self.vars)
        self.vars.append(ir.VarIR(name, t, span))
        return self.var_index[name]

    def param_type(self, p: ast.Param) -> T.Type:
        if p.type is not None:
            return self.resolve_type(p.type)
        dom = self.infer(p.domain, Ctx(Scope(), state=False))
        return dom.t.elem if isinstance(dom.t, T.SetT) else ERR_T

    def fresh(self, name: str) -> str:
        return f"{name}_{next(self.counter)}"

    def bind_params(self, params: tuple[ast.Param, ...], ctx: Ctx) -> tuple[ir.ParamIR, ...]:
        out = []
        for p in params:
            if p.type is not None:
                t = self.resolve_type(p.type)
                dom: ir.E = ir.TypeSet(T.SetT(t), p.span)
                if not isinstance(t, ErrorT) and not T.finite(t):
                    self.error(codes.DOMAIN_TOO_LARGE, f"parameter '{p.name}' ranges over {t}, which is not finite",
                               p.span, hint=f"write `{p.name} in SET` or give the type a bound")
            else:
                dom = self.infer(p.domain, ctx)
                if not isinstance(dom.t, (T.SetT, ErrorT)):
                    dom = self.error(codes.TYPE_MISMATCH, f"parameter '{p.name}' must range over a set, not {dom.t}",
                                     p.domain.span)
                t = dom.t.elem if isinstance(dom.t, T.SetT) else ERR_T
            local = self.bind(ctx.scope, p.name, t, p.span)
            out.append(ir.ParamIR(local.name, p.name, t, dom))
        self.check_instances(params, out)
        return tuple(out)

    def check_instances(self, params: tuple[ast.Param, ...], out: list[ir.ParamIR]) -> None:
        """KOV209: typed parameters whose value combinations are too many to enumerate (the
        instances are tabled when the spec is compiled)."""
        n = 1
        for p in out:
            if isinstance(p.domain, ir.TypeSet) and T.finite(p.t) and enumerable(p.t):
                n *= T.size(p.t)      # larger ones are picked by the solver (solve_large_params)
        if n > ENUM_LIMIT:
            self.error(codes.DOMAIN_TOO_LARGE, f"the parameters have {n:,} combinations of values, more than "
                       f"the {ENUM_LIMIT:,} an action may have", params[0].span.to(params[-1].span),
                       hint="use smaller types, or `x in SET` over a set the state bounds")

    def bind(self, scope: Scope, name: str, t: T.Type, span: Span | None, shadow_ok: bool = False) -> ir.Local:
        if not shadow_ok:
            self.check_shadowing(name, span)
        local = ir.Local(t, self.fresh(name), span)
        scope.names[name] = Binding("local", local)
        return local

    def check_shadowing(self, name: str, span: Span | None) -> None:
        """KOV107: a bound name (parameter, binder, let, choose, process local) may not hide a
        declaration usable in expressions: which one a use means would depend on scope rules a
        reader has to remember (TLA+ forbids it too)."""
        kinds = (("constant", self.d.consts), ("state variable", self.d.vars), ("type", self.d.types),
                 ("definition", self.d.defs), ("enum member", self.d.members))
        if span is not None and _in_library(span):
            # the shipped library cannot know the names a spec declares: its bound names
            # are local to it (macros are hygienic), so hiding a spec's name is harmless
            return
        reserved = reserved_name(name, span)
        if reserved is not None:
            self.diags.append(reserved)
            return
        for what, table in kinds:
            if name in table:
                self.error(codes.SHADOWED_NAME, f"'{name}' hides the {what} of the same name", span,
                           hint="rename the bound name")
                return
