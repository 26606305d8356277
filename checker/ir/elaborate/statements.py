"""Elaboration: statements: assignments, let and match, macro calls inlined, restart.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
import dataclasses
from checker import codes
from checker.diagnostics import Span
from checker.ir import nodes as ir
from checker.ir.walk import transform
from checker.semantics import types as T
from checker.syntax import ast
from checker.ir.elaborate.common import (
    ErrorT, BOOL, Ctx, INT, Scope, _InitSite, _LocalKey, _called_from, _elem, _suggest, _undefined_hint, err,
)


class StatementsPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def stmts(self, body: tuple[ast.Stmt, ...], ctx: Ctx) -> tuple[ir.S, ...]:
        out: list[ir.S] = []
        scope = ctx.scope.child()
        ctx = dataclasses.replace(ctx, scope=scope)
        for i, s in enumerate(body):
            if isinstance(s, ast.Goto) and i != len(body) - 1:
                self.error(codes.BAD_STATEMENT_PLACE, "nothing may follow `goto` in its block", body[i + 1].span)
            out.extend(self.stmt(s, ctx))
        return tuple(out)

    def stmt(self, s: ast.Stmt, ctx: Ctx) -> list[ir.S]:
        if isinstance(s, ast.Require):
            return [ir.Require(self.check(s.cond, BOOL, ctx), s.span)]
        if isinstance(s, ast.Assign):
            return [self.assign(s, ctx)]
        if isinstance(s, ast.If):
            cond = self.check(s.cond, BOOL, ctx)
            then = self.stmts(s.then, ctx)
            else_ = self.stmts(s.else_, ctx) if s.else_ else ()
            return [ir.IfS(cond, then, else_, s.span)]
        if isinstance(s, ast.Choose):
            dom = self.set_expr(s.domain, ctx)
            local = self.bind(ctx.scope, s.name, _elem(dom.t), s.span)
            return [ir.ChooseS(local.name, dom, s.span)]
        if isinstance(s, ast.ChooseWhere):
            return self.choose_where(s, ctx)
        if isinstance(s, ast.Let):
            value = self.infer(s.value, ctx)
            local = self.bind(ctx.scope, s.name, value.t, s.span)
            return [ir.LetS(local.name, value, s.span)]
        if isinstance(s, ast.LetPattern):
            return self.let_pattern(s, ctx)
        if isinstance(s, ast.MatchStmt):
            return self.match_stmt(s, ctx)
        if isinstance(s, ast.For):
            dom = self.set_expr(s.domain, ctx)
            inner = dataclasses.replace(ctx, scope=ctx.scope.child())
            local = self.bind(inner.scope, s.name, _elem(dom.t), s.span)
            return [ir.ForS(local.name, dom, self.stmts(s.body, inner), s.span)]
        if isinstance(s, ast.Goto):
            return [self.goto(s, ctx)]
        if isinstance(s, ast.Skip):
            return []
        if isinstance(s, ast.Label):
            self.error(codes.BAD_STATEMENT_PLACE, "labels are only allowed at the top level of a process body",
                       s.span)
            return []
        if isinstance(s, ast.CallStmt):
            return self.call_macro(s, ctx)
        if isinstance(s, ast.Restart):
            return self.restart(s, ctx)
        raise AssertionError(s)

    def let_pattern(self, s: ast.LetPattern, ctx: Ctx) -> list[ir.S]:
        """`let Tag(a, b) = e`: e once, into a hidden local; the step goes on only when it
        is a Tag (a `require`), with a and b naming its values for the rest of the block."""
        value = self.infer(s.value, ctx)
        if not self.sum_subject(value, s.value.span) or not self.known_tag(value.t, s.tag, s.span):
            self.bind_unknown(ctx.scope, s.binds, s.span)
            return []
        subject = self.bind(ctx.scope, self.fresh("subject"), value.t, s.span, shadow_ok=True)
        out: list[ir.S] = [ir.LetS(subject.name, value, s.span),
                           ir.Require(self.has_tag(value.t, s.tag, subject, s.span), s.span)]
        if value.t.payload(s.tag) is not None and s.binds:
            payload = self.bind(ctx.scope, self.fresh("payload"), value.t.payload(s.tag), s.span, shadow_ok=True)
            out.append(ir.LetS(payload.name, self.payload_of(value.t, s.tag, subject, s.span), s.span))
            self.bind_pattern(ctx.scope, value.t, s.tag, s.binds, payload, s.span)
        else:
            self.bind_pattern(ctx.scope, value.t, s.tag, s.binds, subject, s.span)
        return out

    def match_stmt(self, s: ast.MatchStmt, ctx: Ctx) -> list[ir.S]:
        """`match e { Tag(a) => { ... }, _ => { ... } }`: e once, into a hidden local; then
        the block of the first arm naming its tag (else `_`'s), as a chain of `if`s."""
        value = self.infer(s.subject, ctx)
        if not self.sum_subject(value, s.subject.span):
            return []
        t: T.SumT = value.t
        subject = self.bind(ctx.scope, self.fresh("subject"), t, s.span, shadow_ok=True)
        chain: tuple[ir.S, ...] = ()
        wild = next((a for a in s.arms if a.tag is None), None)
        if wild is not None:
            chain = self.stmts(wild.body, ctx)
        tags = [a.tag for a in s.arms]
        for arm in reversed([a for a in s.arms if a.tag is not None]):
            if not self.known_tag(t, arm.tag, arm.span):
                continue
            inner = dataclasses.replace(ctx, scope=ctx.scope.child())
            head: list[ir.S] = []
            if t.payload(arm.tag) is not None and arm.binds:
                payload = self.bind(inner.scope, self.fresh("payload"), t.payload(arm.tag), arm.span, shadow_ok=True)
                head.append(ir.LetS(payload.name, self.payload_of(t, arm.tag, subject, arm.span), arm.span))
                if not self.bind_pattern(inner.scope, t, arm.tag, arm.binds, payload, arm.span):
                    continue
            elif not self.bind_pattern(inner.scope, t, arm.tag, arm.binds, subject, arm.span):
                continue
            body = tuple(head) + self.stmts(arm.body, inner)
            chain = (ir.IfS(self.has_tag(t, arm.tag, subject, arm.span), body, chain, arm.span),)
        self.check_coverage(t, tags, s.span)
        return [ir.LetS(subject.name, value, s.span), *chain]

    def restart(self, s: ast.Restart, ctx: Ctx) -> list[ir.S]:
        """`restart`: volatile variables are recomputed from their initial expressions (in
        the current state: e.g. an in-memory index rebuilt from the API), processes start over."""
        fresh = Ctx(Scope(), ctx.state, False, None)
        out: list[ir.S] = []
        for name, decl in self.d.vars.items():
            if decl.volatile:
                if decl.init is None:
                    self.error(codes.MISSING_INIT, f"volatile variable '{name}' needs an initial value "
                               "(`restart` recomputes it)", decl.span)
                    continue
                i = self.var_index[name]
                out.append(ir.Assign(i, self.check(decl.init, self.vars[i].t, fresh), s.span))
        for proc in self.d.processes.values():
            out.extend(self.process_init(proc, fresh))
        self.mark_init_site(out, _InitSite("restart", None, s.span))
        return out

    def call_macro(self, s: ast.CallStmt, ctx: Ctx) -> list[ir.S]:
        """Inline a macro: its arguments are evaluated first (bound like `let`), then its
        body runs with only its parameters and global names in scope (hygienic)."""
        m = self.d.macros.get(s.name)
        if m is None:
            return [self.error_stmt(codes.UNDEFINED_NAME, f"there is no macro named '{s.name}'", s.span,
                                    hint=_undefined_hint(s.name, self.d.macros))]
        if s.name in self.in_progress:
            return [self.error_stmt(codes.RECURSIVE_DEFINITION, f"macro '{s.name}' calls itself", s.span)]
        if len(s.args) != len(m.params) or any(a.name is not None for a in s.args):
            return [self.error_stmt(codes.BAD_CALL, f"macro '{s.name}' takes {len(m.params)} argument(s), "
                                    f"given {len(s.args)}", s.span)]
        out: list[ir.S] = []
        inner = Ctx(Scope(), ctx.state, ctx.prime, None, ctx.step)
        for p, a in zip(m.params, s.args):
            t = self.resolve_type(p.type) if p.type is not None else self.param_type(p)
            value = self.check(a.value, t, ctx)
            local = self.bind(inner.scope, p.name, t, p.span)
            out.append(ir.LetS(local.name, value, a.span))
        self.in_progress.add(s.name)
        call = (s.span.text() if s.span is not None else s.name, s.span)
        self.calls.append(call)
        try:
            body = self.stmts(m.body, inner)
        finally:
            self.in_progress.discard(s.name)
            self.calls.pop()
        if s.span is not None:       # errors found while exploring name the call, not only the macro's line
            body = tuple(transform(b, lambda n: _called_from(n, call)) for b in body)
        out.extend(body)
        self.mark_init_site(out, _InitSite("macro", s.name, s.span))
        return out

    def error_stmt(self, code: str, message: str, span, **kw) -> ir.S:
        return ir.LetS("_", self.error(code, message, span, **kw))

    def assign(self, s: ast.Assign, ctx: Ctx) -> ir.S:
        target = s.target
        b = ctx.scope.lookup(target.name)
        selectors = list(target.selectors)
        if b is not None and b.kind == "plocal":
            vi, me = b.node
            selectors.insert(0, _LocalKey(me))
        elif b is not None:
            self.error(codes.ASSIGN_NOT_VARIABLE, f"'{target.name}' is a bound name, not a state variable",
                       target.span)
            return ir.LetS("_", err())
        elif target.name in self.var_index and "." not in target.name:
            vi = self.var_index[target.name]
        elif target.name in self.process_vars and selectors and isinstance(selectors[0], str) \
                and selectors[0] in self.process_vars[target.name]:
            # `Proc.local := ...` / `Proc.pc := ...` from outside the process (e.g. a restart)
            vi = self.process_vars[target.name][selectors.pop(0)]
        else:
            what = "a constant" if target.name in self.d.consts else "not a state variable"
            code = codes.ASSIGN_NOT_VARIABLE if target.name in self.d.consts or target.name in self.d.defs \
                else codes.UNDEFINED_NAME
            self.error(code, f"cannot assign to '{target.name}': it is {what}", target.span,
                       hint=_undefined_hint(target.name, self.var_index))
            return ir.LetS("_", err())
        var = self.vars[vi]
        base = ir.VarRef(var.t, vi, origin=target.span)
        value = self.assign_path(base, selectors, s.value, ctx, target.span)
        return ir.Assign(vi, value, s.span)

    def assign_path(self, base: ir.E, selectors: list, value: ast.Expr, ctx: Ctx, span: Span) -> ir.E:
        """base with the part named by selectors replaced by value (a whole new value)."""
        if not selectors:
            return self.check(value, base.t, ctx)
        sel, rest = selectors[0], selectors[1:]
        if isinstance(sel, str):
            if not isinstance(base.t, T.RecordT):
                return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no fields", span)
            ft = base.t.field_type(sel)
            if ft is None:
                return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no field '{sel}'", span,
                                  hint=_suggest(sel, [n for n, _ in base.t.fields]))
            inner = self.assign_path(ir.FieldGet(ft, base, sel, span), rest, value, ctx, span)
            return ir.Update(base.t, base, ((sel, inner),), span)
        key = sel.local if isinstance(sel, _LocalKey) else None
        if isinstance(base.t, T.MapT):
            key = key or self.check(sel, base.t.key, ctx)
            inner = self.assign_path(ir.Index(base.t.value, base, key, span), rest, value, ctx, span)
            return ir.Update(base.t, base, ((key, inner),), span)
        if isinstance(base.t, T.SeqT):
            key = key or self.check(sel, INT, ctx)
            inner = self.assign_path(ir.Index(base.t.elem, base, key, span), rest, value, ctx, span)
            return ir.Update(base.t, base, ((key, inner),), span)
        if isinstance(base.t, ErrorT):
            return err(span)
        return self.error(codes.BAD_OPERAND, f"cannot index a value of type {base.t}", span)
