"""Elaboration: type expressions to types: named types, sum alternatives' payloads, finiteness.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker import codes
from checker.diagnostics import Span
from checker.semantics import types as T
from checker.syntax import ast
from checker.ir.elaborate.common import ErrorT, BOOL, ERR_T, INT, _contains_error, _undefined_hint
from checker.ir.elaborate.network import NET_TYPES


class TypingPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def named_type(self, name: str, use: Span | None) -> T.Type:
        if name in self.type_values:
            return self.type_values[name] or ERR_T
        decl = self.d.types[name]
        if name in self.in_progress:
            self.error(codes.RECURSIVE_DEFINITION, f"type '{name}' refers to itself", use)
            return ERR_T
        self.in_progress.add(name)
        try:
            rhs = decl.rhs
            if isinstance(rhs, ast.SumType):
                alts = tuple((tag, self.alt_payload(name, tag, p)) for tag, p in rhs.alts)
                tags = [a for a, _ in alts]
                for tag in tags:
                    if tags.count(tag) > 1:
                        self.error(codes.DUPLICATE_NAME, f"'{tag}' appears twice in type '{name}'", decl.span)
                        break
                t: T.Type = T.SumT(name, alts)
            else:
                t = self.resolve_type(rhs)
                if isinstance(t, T.RecordT) and not isinstance(t, T.CidrT):   # `type Block = cidr` stays a cidr
                    t = T.RecordT(t.fields, name)
                elif isinstance(t, T.SymT):
                    t = T.SymT(t.lo, t.hi, name)
        finally:
            self.in_progress.discard(name)
        self.type_values[name] = t
        return t

    def alt_payload(self, sum_name: str, tag: str, p: ast.TypeExpr | None) -> T.Type | None:
        """What an alternative carries: nothing, one value, or several (`Msg(Ballot, Value)`,
        `Msg(b: Ballot, v: Value)`): an anonymous record, positional fields named `#0`, `#1`
        (shown as `Msg(1, 2)`), registered in `alt_records` for construction and patterns."""
        if p is None:
            return None
        if not isinstance(p, ast.AltFields):
            return self.resolve_type(p)
        named = [n is not None for n, _ in p.fields]
        if any(named) and not all(named):
            self.error(codes.NOT_A_TYPE, f"the values of '{tag}' are either all named or all positional", p.span,
                       hint=f"{tag}(a: T, b: U) or {tag}(T, U)")
            return ERR_T
        names = [n if n is not None else f"#{i}" for i, (n, _) in enumerate(p.fields)]
        if len(set(names)) != len(names):
            self.error(codes.DUPLICATE_NAME, f"'{tag}' names a value twice", p.span)
            return ERR_T
        rt = T.RecordT(tuple((n, self.resolve_type(f)) for n, (_, f) in zip(names, p.fields)))
        self.alt_records[(sum_name, tag)] = rt
        return rt

    def resolve_type(self, te: ast.TypeExpr) -> T.Type:
        if isinstance(te, ast.BoolType):
            return BOOL
        if isinstance(te, ast.IntType):
            return INT
        if isinstance(te, ast.NamedType):
            if te.name in self.d.types:
                return self.named_type(te.name, te.span)
            if te.name in NET_TYPES:          # built in, unless the spec declares its own
                return NET_TYPES[te.name]
            self.error(codes.NOT_A_TYPE, f"'{te.name}' is not a type", te.span,
                       hint=_undefined_hint(te.name, self.d.types))
            return ERR_T
        if isinstance(te, ast.SymmetricType):      # named in named_type
            t = self.resolve_type(ast.RangeType(te.lo, te.hi, te.span))
            return T.SymT(t.lo, t.hi) if isinstance(t, T.IntT) else t
        if isinstance(te, ast.RangeType):
            lo, hi = self.const_int(te.lo), self.const_int(te.hi)
            if lo is None or hi is None:
                return ERR_T
            if hi < lo:
                self.error(codes.BAD_RANGE, f"the range {lo}..{hi} is empty", te.span)
                return ERR_T
            return T.IntT(lo, hi)
        if isinstance(te, ast.SetType):
            return T.SetT(self.resolve_type(te.elem))
        if isinstance(te, ast.BoundedSetType):
            return self.bounded_set_type(te)
        if isinstance(te, ast.MapType):
            return T.MapT(self.resolve_type(te.key), self.resolve_type(te.value), te.total)
        if isinstance(te, ast.SeqType):
            n = None if te.max is None else self.const_int(te.max)
            if n is not None and n < 0:
                self.error(codes.BAD_RANGE, f"a sequence holds at most {n} elements: the bound must be at least 0",
                           te.max.span)
                return ERR_T
            return T.SeqT(self.resolve_type(te.elem), n)
        if isinstance(te, ast.OptionType):
            return T.OptT(self.resolve_type(te.elem))
        if isinstance(te, ast.RecordType):
            return T.RecordT(tuple((n, self.resolve_type(f)) for n, f in te.fields))
        if isinstance(te, ast.SumType):
            self.error(codes.NOT_A_TYPE, "a sum type must be declared with its own name", te.span,
                       hint="type Name = a | b | c")
            return ERR_T
        raise AssertionError(te)

    def require_finite(self, t: T.Type, span: Span, what: str) -> bool:
        if isinstance(t, ErrorT) or _contains_error(t):
            return False
        if not T.finite(t):
            self.error(codes.UNBOUNDED_STATE, f"{what} has type {t}, which is not finite", span,
                       hint="state needs bounded types: a range lo..hi instead of int, "
                            "seq[T, max] instead of seq[T]")
            return False
        return True
