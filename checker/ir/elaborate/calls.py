"""Elaboration: calls: built-ins dispatched, constructors, record values, definitions inlined.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker import codes
from checker.diagnostics import Span
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.syntax import ast
from checker.ir.elaborate.builtins import BUILTIN_CALLS
from checker.ir.elaborate.common import (
    ErrorT, Ctx, Scope, _contains_error, _def_reads_state, _literal_range, _undefined_hint, err,
)
from checker.ir.elaborate.network import NET_CALLS


class CallsPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def e_Call(self, e: ast.Call, expected, ctx):
        if not isinstance(e.func, ast.Name) or ctx.scope.lookup(e.func.name) is not None:
            hides = isinstance(e.func, ast.Name) and e.func.name == "old"
            return self.error(codes.BAD_CALL,
                              "only definitions, built-ins, constructors and record types can be called",
                              e.func.span, hint="a bound name 'old' hides the built-in old(...): rename it"
                              if hides else None)
        name = e.func.name
        if name in BUILTIN_CALLS:
            return BUILTIN_CALLS[name](self, e, expected, ctx)
        if name in self.d.members:
            return self.member_call(name, e, expected, ctx)
        if name in self.d.types:
            return self.record_value(name, e, ctx)
        if name in self.d.defs:
            return self.call_def(name, e.args, e.span, ctx)
        if name in self.d.consts or name in self.d.vars:
            what = "a constant" if name in self.d.consts else "a state variable"
            return self.error(codes.BAD_CALL, f"'{name}' is {what} and cannot be called", e.func.span,
                              hint="index a map or sequence with [key]")
        if name in NET_CALLS:
            return NET_CALLS[name](self, e, expected, ctx)
        if name == "powerset":
            return self.powerset(e, ctx)
        if name == "old":
            return self.old(e, expected, ctx)
        return self.error(codes.UNDEFINED_NAME, f"'{name}' is not defined", e.func.span,
                          hint=_undefined_hint(name, list(self.d.defs) + list(BUILTIN_CALLS)))

    def powerset(self, e: ast.Call, ctx: Ctx) -> ir.E:
        """`powerset(S)`: every subset of S (TLA+'s SUBSET S), a set of sets: 2**len(S) of
        them, computed when evaluated."""
        if len(e.args) != 1 or e.args[0].name is not None:
            return self.error(codes.BAD_CALL, "powerset takes one set: powerset(S)", e.span)
        s = self.set_expr(e.args[0].value, ctx)
        if isinstance(s.t, ErrorT):
            return s
        return ir.Op(T.SetT(T.SetT(s.t.elem)), "powerset", (s,), e.span)

    def old(self, e: ast.Call, expected, ctx: Ctx) -> ir.E:
        """`old(e)`: e in the state the step started from, before its own assignments
        (docs/language.md, ADR 0040). Only in the statements of an action, a process step or
        a macro they call."""
        if len(e.args) != 1 or e.args[0].name is not None:
            return self.error(codes.BAD_CALL, "old takes one expression: old(x)", e.span)
        if not ctx.step:
            return self.error(codes.OLD_OUTSIDE_STEP, "old(...) is only allowed in the statements of an action "
                              "or a process step (the value at the start of the step)", e.span,
                              hint="in an action property, `x` is the value before the step and `x'` after")
        x = self.expr(e.args[0].value, expected, ctx)
        return ir.Op(x.t, "old", (x,), e.span)

    def record_value(self, name: str, e: ast.Call, ctx: Ctx) -> ir.E:
        t = self.named_type(name, e.span)
        if not isinstance(t, T.RecordT):
            return self.error(codes.BAD_CALL, f"type {name} is not a record type", e.span)
        for a in e.args:
            if a.name is None:
                return self.error(codes.BAD_CALL, f"fields of {name} are given by name: {name}(field: value, ...)",
                                  a.span)
        decl = self.d.types[name].rhs
        given = {a.name for a in e.args}
        # a field's default: a constant expression, evaluated where the type is declared
        defaults = {n: self.check(d, t.field_type(n), Ctx(Scope(), state=False))
                    for n, d in (decl.defaults if isinstance(decl, ast.RecordType) else ()) if n not in given}
        values = self.field_args(name, f"{name}(...)", t, e.args, e.span, ctx, positional=False, prefilled=defaults)
        return err(e.span) if values is None else self.record(t, values, e.span)

    def record(self, t: T.RecordT, values: tuple[ir.E, ...], span: Span) -> ir.E:
        """A record value; its fields must have finite types (records are stored packed)."""
        for n, ft in t.fields:
            if not isinstance(ft, ErrorT) and not _contains_error(ft) and not T.finite(ft):
                shown = f"the value at position {n[1:]}" if n.startswith("#") else f"field '{n}'"
                return self.error(codes.UNBOUNDED_STATE, f"{shown} of this record has type {ft}, which is not finite",
                                  span, hint="records hold finite values: give the field a range (lo..hi) in "
                                             "its type, or use the value where its record type is expected")
        return ir.Collection(t, values, span)

    def e_RecordLit(self, e: ast.RecordLit, expected, ctx):
        """`(a: 1, b: true)`: a value of the anonymous record type {a: ..., b: ...}; where the
        context expects a record with these fields, their types are the expected ones."""
        names = [n for n, _ in e.fields]
        for i, n in enumerate(names):
            if n in names[:i]:
                return self.error(codes.BAD_CALL, f"the record gives '{n}' twice", e.span)
        if isinstance(expected, T.RecordT) and sorted(names) == sorted(n for n, _ in expected.fields):
            values = {n: self.check(v, expected.field_type(n), ctx) for n, v in e.fields}
            return self.record(expected, tuple(values[n] for n, _ in expected.fields), e.span)
        values = {n: _literal_range(self.infer(v, ctx)) for n, v in e.fields}
        t = T.RecordT(tuple((n, values[n].t) for n in names))
        return self.record(t, tuple(values[n] for n in names), e.span)

    def call_def(self, name: str, args: tuple[ast.Arg, ...], span: Span, ctx: Ctx) -> ir.E:
        d = self.def_ir(name, span)
        if d is None:
            return err(span)
        if len(args) != len(d.params):
            return self.error(codes.BAD_CALL, f"'{name}' takes {len(d.params)} argument(s), given {len(args)}", span)
        values = tuple(self.check(a.value, pt, ctx) for a, (_, pt) in zip(args, d.params))
        if not ctx.state and _def_reads_state(d, self.defs):
            return self.error(codes.STATE_IN_CONSTANT, f"'{name}' reads state and cannot be used here", span)
        return ir.CallDef(d.t, self.def_index[name], values, span)

    def def_ir(self, name: str, span: Span) -> ir.DefIR | None:
        if name in self.def_index:
            return self.defs[self.def_index[name]]
        decl = self.d.defs[name]
        if name in self.in_progress:
            self.error(codes.RECURSIVE_DEFINITION, f"definition '{name}' refers to itself", span,
                       hint="definitions may not be recursive; use a quantifier or comprehension")
            return None
        self.in_progress.add(name)
        try:
            ctx = Ctx(Scope(), prime=False)
            params = []
            for p in decl.params or ():
                if p.type is None:
                    self.error(codes.TYPE_MISMATCH, f"parameter '{p.name}' of a definition needs a type", p.span,
                               hint=f"{p.name}: Type")
                    return None
                t = self.resolve_type(p.type)
                # a definition's parameters may reuse global names: its body's scope is its own
                params.append((self.bind(ctx.scope, p.name, t, p.span, shadow_ok=True).name, t))
            ret = None if decl.ret is None else self.resolve_type(decl.ret)
            body = self.check(decl.body, ret, ctx) if ret is not None else self.infer(decl.body, ctx)
        finally:
            self.in_progress.discard(name)
        d = ir.DefIR(name, tuple(params), body, ret or body.t, decl.span)
        self.def_index[name] = len(self.defs)
        self.defs.append(d)
        return d
