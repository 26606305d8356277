"""Elaboration: expressions, checked against an expected type where the context gives one (bidirectional).

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
    ErrorT, BOOL, Ctx, ENUM_LIMIT, ERR_T, INT, _assignable, _elem, _empty_value, _has_error, _is_closed, _join,
    _prime, _scope_names, _suggest, _undefined_hint, err,
)


class ExpressionsPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def infer(self, e: ast.Expr, ctx: Ctx) -> ir.E:
        return self.expr(e, None, ctx)

    def check(self, e: ast.Expr, t: T.Type, ctx: Ctx) -> ir.E:
        got = self.expr(e, t, ctx)
        return self.coerce(got, t, e.span)

    def set_expr(self, e: ast.Expr, ctx: Ctx) -> ir.E:
        got = self.infer(e, ctx)
        if isinstance(got.t, (T.SetT, ErrorT)):
            return got
        if isinstance(got.t, T.EmptyT):
            return self.error(codes.CANNOT_INFER, "the element type of this empty set is not known", e.span,
                              hint="nothing can be drawn from an empty set; name a typed set instead")
        return self.error(codes.TYPE_MISMATCH, f"expected a set, found {got.t}", e.span)

    def coerce(self, e: ir.E, t: T.Type, span: Span | None) -> ir.E:
        if isinstance(e.t, ErrorT) or isinstance(t, ErrorT) or e.t == t:
            return e
        if not _assignable(e.t, t):
            return self.error(codes.TYPE_MISMATCH, f"expected {t}, found {e.t}", span)
        if isinstance(e.t, T.EmptyT):
            return _empty_value(t, span)
        return ir.Coerce(t, e, span)

    def expr(self, e: ast.Expr, expected: T.Type | None, ctx: Ctx) -> ir.E:
        method = getattr(self, "e_" + type(e).__name__)
        return method(e, expected, ctx)

    def e_IntLit(self, e, expected, ctx):
        return ir.Lit(INT, e.value, e.span)

    def e_BoolLit(self, e, expected, ctx):
        return ir.Lit(BOOL, e.value, e.span)

    def e_Name(self, e: ast.Name, expected, ctx):
        b = ctx.scope.lookup(e.name)
        if b is not None:
            if b.kind == "local":
                return ir.Local(b.node.t, b.node.name, e.span)
            if b.kind == "alias":       # a name a pattern binds: a part of an immutable local
                return transform(b.node, dataclasses.replace)
            vi, me = b.node
            var = self.vars[vi]
            return ir.Index(var.t.value, ir.VarRef(var.t, vi, origin=e.span), me, e.span)
        return self.global_name(e.name, e.span, expected, ctx)

    def global_name(self, name: str, span: Span, expected, ctx: Ctx) -> ir.E:
        if name in self.d.consts:
            c = self.const(name, span)
            return err(span) if c is None else ir.Lit(c.t, c.value, span)
        if name in self.d.vars and name not in self.var_index:
            # only while a state variable's own type is being resolved
            return self.error(codes.STATE_IN_CONSTANT, f"state variable '{name}' cannot be read here", span,
                              hint="a type bound is evaluated before any state exists")
        if name in self.var_index and "." not in name:
            if not ctx.state:
                return self.error(codes.STATE_IN_CONSTANT, f"state variable '{name}' cannot be read here", span,
                                  hint="constants, type bounds and variant settings are evaluated "
                                       "before any state exists")
            return ir.VarRef(self.vars[self.var_index[name]].t, self.var_index[name], origin=span)
        if name in self.d.types:
            t = self.named_type(name, span)
            if isinstance(t, ErrorT):
                return err(span)
            if not T.finite(t):
                return self.error(codes.DOMAIN_TOO_LARGE, f"type {name} is not finite and cannot be used as a set",
                                  span)
            if T.size(t) > ENUM_LIMIT:
                return self.error(codes.DOMAIN_TOO_LARGE, f"type {name} has {T.size(t):,} values, too many to "
                                  f"enumerate (at most {ENUM_LIMIT:,})", span)
            return ir.TypeSet(T.SetT(t), span)
        if name in self.d.members:
            return self.member(name, span, expected, None)
        if name in self.d.defs:
            return self.call_def(name, (), span, ctx)
        if name == "none":
            inner = expected.elem if isinstance(expected, T.OptT) else T.EmptyT()
            t = T.OptT(inner)
            return ir.Lit(t, 0 if T.finite(t) else None, span)   # the representation of none
        hint = _undefined_hint(name, list(self.d.consts) + list(self.var_index) + list(self.d.types)
                        + list(self.d.members) + list(self.d.defs) + _scope_names(ctx.scope))
        return self.error(codes.UNDEFINED_NAME, f"name '{name}' is not defined", span, hint=hint)

    def member_type(self, tag: str, span: Span, expected, type_name: str | None = None) -> T.SumT | ir.E:
        """The sum type a member belongs to (the context decides between several), or an
        error expression."""
        owners = [type_name] if type_name else self.d.members[tag]
        if type_name is None and len(owners) > 1:
            if isinstance(expected, T.SumT) and expected.name in owners:
                owners = [expected.name]
            else:
                return self.error(codes.AMBIGUOUS_MEMBER, f"'{tag}' is a member of {', '.join(owners)}", span,
                                  hint=f"write {owners[0]}.{tag}")
        t = self.named_type(owners[0], span)
        return t if isinstance(t, T.SumT) else err(span)

    def member_call(self, tag: str, e: ast.Call, expected, ctx: Ctx) -> ir.E:
        """`Tag(v)`, or `Tag(a, b)` / `Tag(x: a, y: b)` for an alternative of several values."""
        t = self.member_type(tag, e.span, expected)
        if not isinstance(t, T.SumT):
            return t
        rt = self.alt_records.get((t.name, tag))
        if rt is None:
            if len(e.args) != 1 or e.args[0].name is not None:
                return self.error(codes.BAD_CALL, f"'{tag}' takes one value", e.span)
            return self.member(tag, e.span, expected, e.args[0].value, ctx, t.name)
        values = self.field_args(f"'{tag}'", f"{tag}(...)", rt, e.args, e.span, ctx, positional=True)
        if values is None:
            return err(e.span)
        return ir.Construct(t, tag, self.record(rt, values, e.span), e.span)

    def field_args(self, what: str, call: str, rt: T.RecordT, args: tuple[ast.Arg, ...], span: Span, ctx: Ctx,
                   positional: bool, prefilled: dict[str, ir.E] | None = None) -> tuple[ir.E, ...] | None:
        """The values of a record's fields in declaration order, from arguments given by
        name (any order) or, where `positional`, all by position; None after an error.
        `what` names the record in messages, `call` the call."""
        fields = [n for n, _ in rt.fields]
        shown = [n for n in fields if not n.startswith("#")]
        if positional and all(a.name is None for a in args):
            if len(args) != len(fields):
                self.error(codes.BAD_CALL, f"{call} takes {len(fields)} values, given {len(args)}", span)
                return None
            return tuple(self.check(a.value, ft, ctx) for a, (_, ft) in zip(args, rt.fields))
        given: dict[str, ir.E] = dict(prefilled or {})
        for a in args:
            if a.name is None:
                self.error(codes.BAD_CALL, f"the values of {what} are given all by name or all by position",
                           a.span)
                return None
            if rt.field_type(a.name) is None or a.name.startswith("#"):
                self.error(codes.NO_SUCH_FIELD, f"{what} has no field '{a.name}'", a.span,
                           hint=_suggest(a.name, shown))
                return None
            if a.name in given and a.name not in (prefilled or {}):
                self.error(codes.BAD_CALL, f"{what} is given '{a.name}' twice", a.span)
                return None
            given[a.name] = self.check(a.value, rt.field_type(a.name), ctx)
        missing = [n for n in fields if n not in given]
        if missing:
            self.error(codes.BAD_CALL, f"{call} is missing {', '.join(missing)}", span)
            return None
        return tuple(given[n] for n in fields)

    def member(self, tag: str, span: Span, expected, payload: ast.Expr | None, ctx: Ctx | None = None,
               type_name: str | None = None) -> ir.E:
        t = self.member_type(tag, span, expected, type_name)
        if not isinstance(t, T.SumT):
            return t
        ptype = t.payload(tag)
        if ptype is None:
            if payload is not None:
                return self.error(codes.BAD_CALL, f"'{tag}' carries no value", span)
            return ir.Construct(t, tag, None, span)
        if payload is None:
            return self.error(codes.BAD_CALL, f"'{tag}' needs a value of type {ptype}", span,
                              hint=f"{tag}(...)")
        return ir.Construct(t, tag, self.check(payload, ptype, ctx), span)

    def e_Unary(self, e: ast.Unary, expected, ctx):
        if e.op == "not":
            return ir.Op(BOOL, "not", (self.check(e.operand, BOOL, ctx),), e.span)
        return ir.Op(INT, "neg", (self.int_operand(e.operand, ctx),), e.span)

    def int_operand(self, e: ast.Expr, ctx: Ctx) -> ir.E:
        got = self.infer(e, ctx)
        if isinstance(got.t, (T.IntT, ErrorT)):
            return got
        return self.error(codes.BAD_OPERAND, f"expected an integer, found {got.t}", e.span)

    def e_Binary(self, e: ast.Binary, expected, ctx):
        op = e.op
        if op in ("and", "or", "=>", "<=>"):
            name = {"and": "and", "or": "or", "=>": "implies", "<=>": "iff"}[op]
            return ir.Op(BOOL, name, (self.check(e.left, BOOL, ctx), self.check(e.right, BOOL, ctx)), e.span)
        if op in ("==", "!="):
            a, b = self.pair(e.left, e.right, ctx, e.span)
            return ir.Op(BOOL, "eq" if op == "==" else "ne", (a, b), e.span)
        if op in ("in", "notin"):
            s = self.infer(e.right, ctx)
            if isinstance(s.t, T.CidrT):
                node = ir.Op(BOOL, "in_cidr", (self.int_operand(e.left, ctx), s), e.span)
                return node if op == "in" else ir.Op(BOOL, "not", (node,), e.span)
            if isinstance(s.t, T.MapT):
                s = ir.Op(T.SetT(s.t.key), "keys", (s,), e.right.span)
            if not isinstance(s.t, (T.SetT, ErrorT)):
                return self.error(codes.BAD_OPERAND, f"'in' needs a set on its right, found {s.t}", e.right.span)
            elem_t = s.t.elem if isinstance(s.t, T.SetT) else None
            x = self.expr(e.left, elem_t, ctx)
            x = self.member_operand(x, elem_t, e.left.span)
            node = ir.Op(BOOL, "in", (x, s), e.span)
            return node if op == "in" else ir.Op(BOOL, "not", (node,), e.span)
        if op == "..":
            return self.range_set(e, ctx)
        if op in ("<", "<=", ">", ">="):
            expected = None     # the result is a bool; it says nothing of the operands' type
        a = self.expr(e.left, expected, ctx)
        if op in ("+", "-", "*", "/", "%", "<", "<=", ">", ">=") and isinstance(a.t, (T.IntT, ErrorT)):
            b = self.int_operand(e.right, ctx)
            name = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod",
                    "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[op]
            return ir.Op(BOOL if name in ("lt", "le", "gt", "ge") else INT, name, (a, b), e.span)
        if op in ("|", "&", "-", "<=", "<", ">=", ">") and isinstance(a.t, (T.SetT, T.EmptyT)):
            return self.set_op(op, a, e, expected, ctx)
        if op == "++" and isinstance(a.t, (T.SeqT, T.EmptyT)):
            b = self.expr(e.right, a.t if isinstance(a.t, T.SeqT) else expected, ctx)
            t = self.join(a.t, b.t, e.span)
            if isinstance(t, T.SeqT) and t.max is not None:
                t = T.SeqT(t.elem, None)
            return ir.Op(t, "concat", (self.coerce(a, t, e.left.span), self.coerce(b, t, e.right.span)), e.span)
        return self.error(codes.BAD_OPERAND, f"'{op}' is not defined for {a.t}", e.span)

    def member_operand(self, x: ir.E, elem_t, span) -> ir.E:
        """The left of `in`: ints may be of a wider range (then membership is false)."""
        if elem_t is None or isinstance(x.t, ErrorT) or x.t == elem_t:
            return x
        if isinstance(x.t, T.IntT) and isinstance(elem_t, T.IntT):
            return x
        return self.coerce(x, elem_t, span)

    def set_op(self, op: str, a: ir.E, e: ast.Binary, expected, ctx: Ctx) -> ir.E:
        b = self.expr(e.right, a.t if isinstance(a.t, T.SetT) else expected, ctx)
        t = self.join(a.t, b.t, e.span)
        if isinstance(t, ErrorT):
            return err(e.span)
        if isinstance(t, T.EmptyT):
            if expected is None:
                return self.error(codes.CANNOT_INFER, "the element type of this set is not known", e.span)
            t = expected
        a, b = self.coerce(a, t, e.left.span), self.coerce(b, t, e.right.span)
        if op in ("|", "&", "-"):
            return ir.Op(t, {"|": "union", "&": "inter", "-": "diff"}[op], (a, b), e.span)
        if op == "<=":
            return ir.Op(BOOL, "subseteq", (a, b), e.span)
        if op == ">=":
            return ir.Op(BOOL, "subseteq", (b, a), e.span)
        if op == "<":
            return ir.Op(BOOL, "and", (ir.Op(BOOL, "subseteq", (a, b)), ir.Op(BOOL, "ne", (a, b))), e.span)
        return ir.Op(BOOL, "and", (ir.Op(BOOL, "subseteq", (b, a)), ir.Op(BOOL, "ne", (a, b))), e.span)

    def range_set(self, e: ast.Binary, ctx: Ctx) -> ir.E:
        lo, hi = self.int_operand(e.left, ctx), self.int_operand(e.right, ctx)
        if _has_error(lo) or _has_error(hi):
            return err(e.span)
        if _is_closed(lo) and _is_closed(hi):
            a, b = self.evaluate(lo, e.left.span), self.evaluate(hi, e.right.span)
            if isinstance(a, int) and isinstance(b, int):
                if b < a:
                    return ir.Lit(T.SetT(INT), frozenset(), e.span)
                t = T.SetT(T.IntT(a, b))
                if T.finite(t):
                    return ir.TypeSet(t, e.span)
                if b - a + 1 > ENUM_LIMIT:
                    return self.error(codes.DOMAIN_TOO_LARGE, f"the set {a}..{b} has {b - a + 1:,} elements, "
                                      f"more than the {ENUM_LIMIT:,} a set value may have", e.span,
                                      hint="compare with lo <= x and x <= hi instead")
                return ir.Op(T.SetT(INT), "range", (lo, hi), e.span)
        return ir.Op(T.SetT(INT), "range", (lo, hi), e.span)

    def pair(self, left: ast.Expr, right: ast.Expr, ctx: Ctx, span: Span) -> tuple[ir.E, ir.E]:
        """Two operands that must have one type (==, !=): the one that fixes it goes first."""
        if self.needs_context(left) and not self.needs_context(right):
            b = self.infer(right, ctx)
            a = self.expr(left, b.t, ctx)
        else:
            a = self.infer(left, ctx)
            b = self.expr(right, a.t, ctx)
        t = self.join(a.t, b.t, span)
        if isinstance(t, T.EmptyT):
            return self.error(codes.CANNOT_INFER, "the type of these empty collections is not known", span), err()
        if isinstance(a.t, T.IntT) and isinstance(b.t, T.IntT):
            return a, b
        return self.coerce(a, t, left.span), self.coerce(b, t, right.span)

    def needs_context(self, e: ast.Expr) -> bool:
        if isinstance(e, (ast.EmptyBraces,)):
            return True
        if isinstance(e, ast.SeqLit) and not e.elems:
            return True
        if isinstance(e, ast.Name):
            return e.name == "none" or (len(self.d.members.get(e.name, ())) > 1
                                         and e.name not in self.d.consts and e.name not in self.var_index)
        return False

    def join(self, a: T.Type, b: T.Type, span: Span | None) -> T.Type:
        t = _join(a, b)
        if t is None:
            self.error(codes.TYPE_MISMATCH, f"{a} and {b} do not have a common type", span)
            return ERR_T
        return t

    def e_Quant(self, e: ast.Quant, expected, ctx):
        inner, binders = self.binders(e.binders, ctx)
        body = self.check(e.body, BOOL, inner)
        return ir.Quant(BOOL, e.kind, binders, body, e.span)

    def binders(self, binders: tuple[ast.Binder, ...], ctx: Ctx) -> tuple[Ctx, tuple[ir.Binder, ...]]:
        inner = dataclasses.replace(ctx, scope=ctx.scope.child())
        out = []
        for b in binders:
            dom = self.set_expr(b.domain, inner)
            if b.pattern is not None:
                out.append(self.pattern_binder(b, dom, inner))
                continue
            local = self.bind(inner.scope, b.name, _elem(dom.t), b.span)
            out.append(ir.Binder(local.name, dom))
        return inner, tuple(out)

    def pattern_binder(self, b: ast.Binder, dom: ir.E, ctx: Ctx) -> ir.Binder:
        """`Tag(x, y) in S`: ranges over the elements of S that are a Tag (a filtered set,
        so a later binder's range may use x and y), binding x and y to their values."""
        elem = _elem(dom.t)
        h = self.bind(ctx.scope, self.fresh("elem"), elem, b.span, shadow_ok=True)
        if not isinstance(elem, T.SumT):
            if not isinstance(elem, ErrorT):
                self.error(codes.BAD_OPERAND, f"a pattern needs a set of a sum type, found {dom.t}", b.domain.span)
            self.bind_unknown(ctx.scope, b.pattern, b.span)
            return ir.Binder(h.name, dom)
        if not self.known_tag(elem, b.name, b.span):
            self.bind_unknown(ctx.scope, b.pattern, b.span)
            return ir.Binder(h.name, dom)
        x = ir.Local(elem, self.fresh("x"), b.span)
        filtered = ir.Comp(dom.t, (ir.Binder(x.name, dom),), self.has_tag(elem, b.name, x, b.span), None, x, b.span)
        part = h if elem.payload(b.name) is None else self.payload_of(elem, b.name, h, b.span)
        self.bind_pattern(ctx.scope, elem, b.name, b.pattern, part, b.span)
        return ir.Binder(h.name, filtered)

    def e_LetExpr(self, e: ast.LetExpr, expected, ctx):
        value = self.infer(e.value, ctx)
        inner = dataclasses.replace(ctx, scope=ctx.scope.child())
        local = self.bind(inner.scope, e.name, value.t, e.span)
        body = self.expr(e.body, expected, inner)
        return ir.LetE(body.t, local.name, value, body, e.span)

    def e_IfExpr(self, e: ast.IfExpr, expected, ctx):
        cond = self.check(e.cond, BOOL, ctx)
        a = self.expr(e.then, expected, ctx)
        b = self.expr(e.else_, expected if expected is not None else a.t, ctx)
        t = self.join(a.t, b.t, e.span)
        if isinstance(a.t, T.IntT) and isinstance(b.t, T.IntT):
            t = _join(a.t, b.t)
            return ir.Ite(t, cond, a, b, e.span)
        return ir.Ite(t, cond, self.coerce(a, t, e.then.span), self.coerce(b, t, e.else_.span), e.span)

    def e_Index(self, e: ast.Index, expected, ctx):
        base = self.infer(e.base, ctx)
        if isinstance(base.t, T.MapT):
            key = self.expr(e.key, base.t.key, ctx)
            key = self.member_operand(key, base.t.key, e.key.span)
            return ir.Index(base.t.value, base, key, e.span)
        if isinstance(base.t, T.SeqT):
            return ir.Index(base.t.elem, base, self.int_operand(e.key, ctx), e.span)
        if isinstance(base.t, ErrorT):
            return err(e.span)
        return self.error(codes.BAD_OPERAND, f"cannot index a value of type {base.t}", e.span)

    def e_Field(self, e: ast.Field, expected, ctx):
        if isinstance(e.base, ast.Name) and ctx.scope.lookup(e.base.name) is None:
            qualified = self.qualified(e.base.name, e.name, e.span, expected, ctx)
            if qualified is not None:
                return qualified
        base = self.infer(e.base, ctx)
        if isinstance(base.t, T.RecordT):
            ft = base.t.field_type(e.name)
            if ft is None:
                return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no field '{e.name}'", e.span,
                                  hint=_suggest(e.name, [n for n, _ in base.t.fields]))
            return ir.FieldGet(ft, base, e.name, e.span)
        if isinstance(base.t, ErrorT):
            return err(e.span)
        return self.error(codes.NO_SUCH_FIELD, f"a value of type {base.t} has no field '{e.name}'", e.span)

    def qualified(self, left: str, right: str, span: Span, expected, ctx: Ctx) -> ir.E | None:
        """`Type.member` and `Process.pc` / `Process.local`."""
        if left in self.d.types and left not in self.d.consts and left not in self.var_index:
            t = self.named_type(left, span)
            if isinstance(t, T.SumT):
                if right not in [a for a, _ in t.alts]:
                    return self.error(codes.NO_SUCH_FIELD, f"type {left} has no member '{right}'", span)
                return self.member(right, span, expected, None, ctx, type_name=left)
        if left in self.process_vars:
            pv = self.process_vars[left]
            labels = self.labels[left].labels
            if right not in pv and right in labels:   # a label as a value: `Worker.start`
                return ir.Lit(self.labels[left], labels.index(right), span)
            if right not in pv:
                return self.error(codes.NO_SUCH_FIELD, f"process {left} has no local '{right}'", span,
                                  hint=_suggest(right, pv))
            if not ctx.state:
                return self.error(codes.STATE_IN_CONSTANT, f"'{left}.{right}' is state and cannot be read here", span)
            return ir.VarRef(self.vars[pv[right]].t, pv[right], origin=span)
        return None

    def e_Prime(self, e: ast.Prime, expected, ctx):
        if not ctx.prime:
            return self.error(codes.PRIME_OUTSIDE_ACTION_PROPERTY,
                              "x' (the next value) is only allowed in action properties",
                              e.span)
        if isinstance(e.operand, ast.Prime):
            return self.error(codes.PRIME_OUTSIDE_ACTION_PROPERTY,
                              "x'' (the next value of a next value): an action property sees two states only",
                              e.span)
        # the operand is read in the next state: a prime inside it would be a third state
        inner = self.infer(e.operand, Ctx(ctx.scope, ctx.state, False, ctx.process))
        return _prime(inner)

    def e_With(self, e: ast.With, expected, ctx):
        base = self.expr(e.base, expected, ctx)
        entries = []
        if isinstance(base.t, T.RecordT):
            for ent in e.entries:
                if not isinstance(ent.key, ast.Name) or base.t.field_type(ent.key.name) is None:
                    return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no field '{ent.key.span.text()}'",
                                      ent.key.span)
                entries.append((ent.key.name, self.check(ent.value, base.t.field_type(ent.key.name), ctx)))
            return ir.Update(base.t, base, tuple(entries), e.span)
        if isinstance(base.t, T.MapT):
            for ent in e.entries:
                entries.append((self.check(ent.key, base.t.key, ctx), self.check(ent.value, base.t.value, ctx)))
            return ir.Update(base.t, base, tuple(entries), e.span)
        if isinstance(base.t, T.SeqT):
            for ent in e.entries:
                entries.append((self.int_operand(ent.key, ctx), self.check(ent.value, base.t.elem, ctx)))
            return ir.Update(base.t, base, tuple(entries), e.span)
        if isinstance(base.t, ErrorT):
            return err(e.span)
        return self.error(codes.BAD_OPERAND, f"`with` needs a record, map or sequence, found {base.t}", e.span)

    def e_EmptyBraces(self, e, expected, ctx):
        if isinstance(expected, (T.SetT, T.MapT)):
            return _empty_value(expected, e.span)
        return ir.Lit(T.EmptyT(), None, e.span)

    def e_SetLit(self, e: ast.SetLit, expected, ctx):
        t, elems = self.literal_elements(e.elems, expected.elem if isinstance(expected, T.SetT) else None, ctx)
        return ir.Collection(T.SetT(t), elems, e.span)

    def literal_elements(self, asts, want, ctx) -> tuple[T.Type, tuple[ir.E, ...]]:
        """The elements of a set or sequence literal, and their type: `want` when the context
        gives it, else the join of the elements' own types; each element coerced to it."""
        elems = [self.expr(x, want, ctx) for x in asts]
        t = want
        if t is None:
            t = elems[0].t
            for x, src in zip(elems[1:], asts[1:]):
                t = self.join(t, x.t, src.span)
        return t, tuple(self.coerce(x, t, src.span) for x, src in zip(elems, asts))

    def e_MapLit(self, e: ast.MapLit, expected, ctx):
        if isinstance(expected, T.MapT):
            kt, vt = expected.key, expected.value
        else:
            k0, v0 = self.infer(e.entries[0].key, ctx), self.infer(e.entries[0].value, ctx)
            kt, vt = k0.t, v0.t
        items = tuple((self.check(x.key, kt, ctx), self.check(x.value, vt, ctx)) for x in e.entries)
        t = expected if isinstance(expected, T.MapT) else T.MapT(kt, vt)
        return ir.Collection(t, items, e.span)

    def e_SeqLit(self, e: ast.SeqLit, expected, ctx):
        if not e.elems:
            if isinstance(expected, T.SeqT):
                return _empty_value(expected, e.span)
            return ir.Lit(T.EmptyT(), None, e.span)
        t, elems = self.literal_elements(e.elems, expected.elem if isinstance(expected, T.SeqT) else None, ctx)
        st = expected if isinstance(expected, T.SeqT) else T.SeqT(t, None)
        return ir.Collection(st, elems, e.span)

    def e_SetComp(self, e: ast.SetComp, expected, ctx):
        inner, binders = self.binders(e.binders, ctx)
        cond = None if e.cond is None else self.check(e.cond, BOOL, inner)
        want = expected.elem if isinstance(expected, T.SetT) else None
        elem = self.expr(e.elem, want, inner)
        t = want or elem.t
        return ir.Comp(T.SetT(t), binders, cond, None, self.coerce(elem, t, e.elem.span), e.span)

    def e_MapComp(self, e: ast.MapComp, expected, ctx):
        inner, binders = self.binders(e.binders, ctx)
        cond = None if e.cond is None else self.check(e.cond, BOOL, inner)
        kt = expected.key if isinstance(expected, T.MapT) else None
        vt = expected.value if isinstance(expected, T.MapT) else None
        key = self.expr(e.key, kt, inner)
        value = self.expr(e.value, vt, inner)
        kt, vt = kt or key.t, vt or value.t
        total = isinstance(expected, T.MapT) and expected.total
        t = T.MapT(kt, vt, total)
        return ir.Comp(t, binders, cond, self.coerce(key, kt, e.key.span), self.coerce(value, vt, e.value.span),
                       e.span)

    def e_Match(self, e: ast.Match, expected, ctx):
        subject = self.infer(e.subject, ctx)
        if not self.sum_subject(subject, e.subject.span):
            return err(e.span)
        arms, t = [], expected
        for arm in e.arms:
            inner = dataclasses.replace(ctx, scope=ctx.scope.child())
            bind = None
            if arm.tag is not None:
                if not self.known_tag(subject.t, arm.tag, arm.span):
                    continue
                ptype = subject.t.payload(arm.tag)
                single = (subject.t.name, arm.tag) not in self.alt_records
                if arm.binds and ptype is not None and single and arm.binds[0] is not None and len(arm.binds) == 1:
                    bind = self.bind(inner.scope, arm.binds[0], ptype, arm.span).name
                elif arm.binds and ptype is not None:
                    payload = self.bind(inner.scope, self.fresh("payload"), ptype, arm.span, shadow_ok=True)
                    bind = payload.name
                    if not self.bind_pattern(inner.scope, subject.t, arm.tag, arm.binds, payload, arm.span):
                        continue
                elif arm.binds:
                    self.error(codes.BAD_CALL, f"'{arm.tag}' carries no value to bind", arm.span)
                    continue
            body = self.expr(arm.body, t, inner)
            t = body.t if t is None else self.join(t, body.t, arm.span)
            arms.append((arm, ir.MatchArm(arm.tag, bind, body)))
        self.check_coverage(subject.t, [a.tag for a, _ in arms], e.span)
        out = tuple(ir.MatchArm(m.tag, m.bind, self.coerce(m.body, t, a.body.span)) for a, m in arms)
        return ir.MatchE(t or ERR_T, subject, out, e.span)
