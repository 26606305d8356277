"""The operators of the encoder (encode.py): `e_Op` and one method per IR operator, with
membership, equality and if-then-else over every kind of value (values.py).

Input/output: as encode.py, whose `Encoder` mixes this class in; each operator computes in
Python when its operands are concrete and builds Z3 terms otherwise.
"""
from __future__ import annotations

from typing import Any

import z3

from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.solver.values import (BOOL, INT, Conc, FinSet, MapSym, Opt, PredSet, RangeSet, Rec, Unsupported,
                                   _and, _c, _cb, _conc_member, _finite, _fold, _implies, _not, _or, _Typed,
                                   lift, num, number_of, numeric, tru)

LAZY = frozenset({"and", "or", "implies"})      # operators whose right operand may go unevaluated


class Operators:
    """Mixed into Encoder: needs `enc`, `concrete`, `as_map` and `abstract` from it."""

    def e_Op(self, e: ir.Op) -> Any:
        op = e.op
        if op in LAZY:
            return getattr(self, "op_" + op)(e)
        args = [self.enc(a) for a in e.args]
        method = getattr(self, "op_" + op, None)
        if method is not None:
            return method(e, args)
        if all(_c(a) for a in args):
            return self.concrete(ir.Op(e.t, op, tuple(ir.Lit(a.t, v.rep) for a, v in zip(e.args, args)), e.origin))
        raise Unsupported(e, f"'{op}' of values that are not known")

    def op_and(self, e: ir.Op) -> Any:
        a = self.enc(e.args[0])
        if _c(a) and not a.rep:
            return a
        return _and([a, self.enc(e.args[1])])

    def op_or(self, e: ir.Op) -> Any:
        a = self.enc(e.args[0])
        if _c(a) and a.rep:
            return a
        return _or([a, self.enc(e.args[1])])

    def op_implies(self, e: ir.Op) -> Any:
        a = self.enc(e.args[0])
        if _c(a) and not a.rep:
            return Conc(BOOL, True)
        return _implies(a, self.enc(e.args[1]))

    def op_not(self, e, args):
        (a,) = args
        return Conc(BOOL, not a.rep) if _c(a) else z3.Not(a)

    def op_iff(self, e, args):
        a, b = args
        if _c(a) and _c(b):
            return Conc(BOOL, bool(a.rep) == bool(b.rep))
        return tru(a) == tru(b)

    def op_eq(self, e, args):
        return self.eq(args[0], args[1], e.args[0].t, e.args[1].t, e)

    def op_ne(self, e, args):
        v = self.eq(args[0], args[1], e.args[0].t, e.args[1].t, e)
        return Conc(BOOL, not v.rep) if _c(v) else z3.Not(v)

    def _cmp(self, e, args, fn):
        a, b = args
        ta, tb = e.args[0].t, e.args[1].t
        if not (numeric(ta) and numeric(tb)):
            raise Unsupported(e, f"ordering of {ta}")
        if _c(a) and _c(b):
            return Conc(BOOL, fn(number_of(ta, a.rep), number_of(tb, b.rep)))
        return fn(num(a, ta), num(b, tb))

    def op_lt(self, e, args):
        return self._cmp(e, args, lambda x, y: x < y)

    def op_le(self, e, args):
        return self._cmp(e, args, lambda x, y: x <= y)

    def op_gt(self, e, args):
        return self._cmp(e, args, lambda x, y: x > y)

    def op_ge(self, e, args):
        return self._cmp(e, args, lambda x, y: x >= y)

    def _arith(self, e, args, fn):
        if not all(isinstance(a.t, T.IntT) for a in e.args):
            raise Unsupported(e, f"arithmetic on {e.args[0].t}")
        if all(_c(a) for a in args):
            return Conc(e.t, fn(*(a.rep for a in args)))
        return fn(*(num(a, x.t) for a, x in zip(args, e.args)))

    def op_add(self, e, args):
        return self._arith(e, args, lambda x, y: x + y)

    def op_sub(self, e, args):
        return self._arith(e, args, lambda x, y: x - y)

    def op_mul(self, e, args):
        return self._arith(e, args, lambda x, y: x * y)

    def op_neg(self, e, args):
        return self._arith(e, args, lambda x: -x)

    def op_abs(self, e, args):
        return self._arith(e, args, lambda x: abs(x) if isinstance(x, int) else z3.If(x >= 0, x, -x))

    def op_min2(self, e, args):    # min(a, b, ...): two or more operands
        return self._arith(e, args, lambda *xs: _fold(xs, lambda x, y: min(x, y) if isinstance(x, int)
                                                       and isinstance(y, int) else z3.If(x <= y, x, y)))

    def op_max2(self, e, args):
        return self._arith(e, args, lambda *xs: _fold(xs, lambda x, y: max(x, y) if isinstance(x, int)
                                                       and isinstance(y, int) else z3.If(x >= y, x, y)))

    def _divisor(self, e, args) -> int:
        b = args[1]
        if not _c(b):
            raise Unsupported(e, "division by a value that is not known")
        if b.rep == 0:
            if self.abstract:
                raise Unsupported(e, "division by zero")
            self.concrete(ir.Op(e.t, e.op, (ir.Lit(INT, 0), ir.Lit(INT, 0)), e.origin))  # raises the model's error
        return b.rep

    def op_div(self, e, args):
        a = args[0]
        b = self._divisor(e, args)
        if _c(a):
            return Conc(e.t, a.rep // b)
        x = num(a, e.args[0].t)
        return x / b if b > 0 else (-x) / (-b)      # Z3's div floors for a positive divisor, as // does

    def op_mod(self, e, args):
        a = args[0]
        b = self._divisor(e, args)
        if _c(a):
            return Conc(e.t, a.rep % b)
        x = num(a, e.args[0].t)
        q = x / b if b > 0 else (-x) / (-b)
        return x - b * q

    # sets
    def op_in(self, e, args):
        return self.member(args[1], args[0], e.args[0].t, e)

    def op_range(self, e, args):
        lo, hi = args
        return RangeSet(e.t, lo, hi)

    def op_union(self, e, args):
        return self.setop(e, args, "union")

    def op_inter(self, e, args):
        return self.setop(e, args, "inter")

    def op_diff(self, e, args):
        return self.setop(e, args, "diff")

    def setop(self, e, args, kind: str) -> Any:
        a, b = args
        if _c(a) and _c(b):
            return self.concrete(ir.Op(e.t, kind, (ir.Lit(e.args[0].t, a.rep), ir.Lit(e.args[1].t, b.rep)), e.origin))
        et = e.t.elem
        a, b = _finite(a), _finite(b)
        if kind == "union":
            if isinstance(a, FinSet) and isinstance(b, FinSet):
                return FinSet(e.t, a.items + b.items)
            return PredSet(e.t, lambda x: z3.Or(tru(self.member(a, x, et, e)), tru(self.member(b, x, et, e))))
        if isinstance(a, FinSet):
            keep = (lambda x: self.member(b, x, et, e)) if kind == "inter" else \
                (lambda x: _not(self.member(b, x, et, e)))
            return FinSet(e.t, tuple((_and([_cb(g), keep(v)]), v) for g, v in a.items))
        if kind == "inter" and isinstance(b, FinSet):
            return FinSet(e.t, tuple((_and([_cb(g), self.member(a, v, et, e)]), v) for g, v in b.items))
        if kind == "inter":
            return PredSet(e.t, lambda x: z3.And(tru(self.member(a, x, et, e)), tru(self.member(b, x, et, e))))
        return PredSet(e.t, lambda x: z3.And(tru(self.member(a, x, et, e)), z3.Not(tru(self.member(b, x, et, e)))))

    def op_subseteq(self, e, args):
        a, b = args
        if _c(a) and _c(b):
            return self.concrete(ir.Op(e.t, "subseteq", (ir.Lit(e.args[0].t, a.rep), ir.Lit(e.args[1].t, b.rep)),
                                       e.origin))
        a = _finite(a)
        if not isinstance(a, FinSet):
            raise Unsupported(e, "a subset test of a set whose elements are not known")
        et = e.args[0].t.elem
        return _and([_implies(_cb(g), self.member(b, v, et, e)) for g, v in a.items])

    def op_len(self, e, args):
        (a,) = args
        if _c(a):
            return self.concrete(ir.Op(e.t, "len", (ir.Lit(e.args[0].t, a.rep),), e.origin))
        if isinstance(a, RangeSet):
            if _c(a.lo) and _c(a.hi):
                return Conc(INT, max(0, a.hi.rep - a.lo.rep + 1))
            lo, hi = num(a.lo, INT), num(a.hi, INT)
            return z3.If(hi >= lo, hi - lo + 1, 0)
        if isinstance(a, FinSet):
            et = e.args[0].t.elem
            terms = []
            for i, (g, v) in enumerate(a.items):
                earlier = [_and([_cb(h), self.eq(w, v, et, et, e)]) for h, w in a.items[:i]]
                terms.append(z3.If(tru(_and([_cb(g), _not(_or(earlier))])), 1, 0))
            return z3.Sum(terms) if terms else Conc(INT, 0)
        raise Unsupported(e, "the size of a set whose elements are not known")

    def op_keys(self, e, args):
        (m,) = args
        if _c(m):
            return self.concrete(ir.Op(e.t, "keys", (ir.Lit(e.args[0].t, m.rep),), e.origin))
        if isinstance(m, MapSym):
            kt = e.t.elem
            return FinSet(e.t, tuple((p, Conc(kt, T.from_ordinal(kt, o))) for o, (p, _) in enumerate(m.slots)))
        raise Unsupported(e, "the keys of this map")

    # options
    def op_some(self, e, args):
        (a,) = args
        if _c(a):
            return self.concrete(ir.Op(e.t, "some", (ir.Lit(e.args[0].t, a.rep),), e.origin))
        return Opt(e.t, z3.BoolVal(True), a)

    def op_is_some(self, e, args):
        (a,) = args
        if _c(a):
            return self.concrete(ir.Op(e.t, "is_some", (ir.Lit(e.args[0].t, a.rep),), e.origin))
        if isinstance(a, Opt):
            return a.present
        raise Unsupported(e, "an option that is not known")

    def op_get(self, e, args):
        (a,) = args
        if _c(a):
            return self.concrete(ir.Op(e.t, "get", (ir.Lit(e.args[0].t, a.rep),), e.origin))
        if isinstance(a, Opt) and a.value is not None:
            return a.value
        raise Unsupported(e, "an option that is not known")

    # addresses and blocks
    def cidr_parts(self, c: Any, e: ir.E) -> tuple[Any, Any]:
        """(network, prefix) of a cidr value: ints when concrete, terms otherwise."""
        if _c(c):
            return c.rep & T.IP_MAX, c.rep >> 32
        if isinstance(c, Rec):
            n, p = c.fields
            return (n.rep if _c(n) else n), (p.rep if _c(p) else p)
        raise Unsupported(e, "a CIDR block that is not known")

    def block_size(self, p: Any) -> Any:
        if isinstance(p, int):
            return 1 << (32 - p)
        out = z3.IntVal(1)
        for k in range(32, -1, -1):
            out = z3.If(p == k, 1 << (32 - k), out)
        return out

    def op_in_cidr(self, e, args):
        x, c = args
        n, p = self.cidr_parts(c, e)
        if _c(x) and isinstance(n, int) and isinstance(p, int):
            return Conc(BOOL, n <= x.rep < n + (1 << (32 - p)))
        xv = num(x, e.args[0].t)
        return z3.And(xv >= n, xv < n + self.block_size(p))

    def op_broadcast(self, e, args):
        n, p = self.cidr_parts(args[0], e)
        if isinstance(n, int) and isinstance(p, int):
            return Conc(e.t, n + (1 << (32 - p)) - 1)
        return n + self.block_size(p) - 1

    def op_gateway(self, e, args):
        n, p = self.cidr_parts(args[0], e)
        if isinstance(n, int) and isinstance(p, int):
            return Conc(e.t, n + 1 if p <= 30 else n)
        return z3.If(p <= 30, n + 1, n)

    def op_cidr_size(self, e, args):
        n, p = self.cidr_parts(args[0], e)
        if isinstance(p, int):
            return Conc(e.t, 1 << (32 - p))
        return self.block_size(p)

    # ------------------------------------------------------------ generic helpers
    def member(self, s: Any, x: Any, xt: T.Type, e: ir.E) -> Any:
        """Is x (of type xt) in the set value s?"""
        if _c(s) and _c(x):
            return Conc(BOOL, _conc_member(s.t, s.rep, xt, x.rep))
        if isinstance(s, RangeSet):
            if not numeric(xt):
                raise Unsupported(e, f"{xt} in a range")
            if _c(x) and _c(s.lo) and _c(s.hi):
                return Conc(BOOL, s.lo.rep <= x.rep <= s.hi.rep)
            xv = num(x, xt)
            return z3.And(xv >= num(s.lo, INT), xv <= num(s.hi, INT))
        if isinstance(s, PredSet):
            return s.member(x)
        s = _finite(s)
        if isinstance(s, FinSet):
            et = s.t.elem
            if _c(x) and all(_c(v) and g is True for g, v in s.items):
                return Conc(BOOL, any(self.eq(x, v, xt, et, e).rep for _, v in s.items))
            return _or([_and([_cb(g), self.eq(x, v, xt, et, e)]) for g, v in s.items])
        raise Unsupported(e, "membership in this set")

    def eq(self, a: Any, b: Any, ta: T.Type, tb: T.Type, e: ir.E) -> Any:
        if _c(a) and _c(b):
            if numeric(ta) and numeric(tb):
                return Conc(BOOL, number_of(ta, a.rep) == number_of(tb, b.rep))
            if isinstance(ta, T.BoolT):
                return Conc(BOOL, bool(a.rep) == bool(b.rep))
            return Conc(BOOL, a.rep == b.rep)
        if isinstance(ta, T.BoolT):
            return tru(a) == tru(b)
        if numeric(ta) and numeric(tb):
            return num(a, ta) == num(b, tb)
        if isinstance(ta, T.RecordT) and isinstance(tb, T.RecordT):
            ra, rb = lift(a, ta), lift(b, tb)
            return _and([self.eq(x, y, ft, gt, e) for x, y, (_, ft), (_, gt) in zip(ra.fields, rb.fields, ta.fields,
                                                                                   tb.fields)])
        if isinstance(ta, T.OptT) and isinstance(tb, T.OptT):
            oa, ob = lift(a, ta), lift(b, tb)
            if not isinstance(oa, Opt) or not isinstance(ob, Opt):
                raise Unsupported(e, "an option that is not known")
            both = _and([oa.present, ob.present, self.eq(oa.value, ob.value, ta.elem, tb.elem, e)]) \
                if oa.value is not None and ob.value is not None else Conc(BOOL, False)
            return _or([_and([_not(oa.present), _not(ob.present)]), both])
        if isinstance(ta, T.SetT) and isinstance(tb, T.SetT):
            fa, fb = _finite(a), _finite(b)
            if isinstance(fa, FinSet) and isinstance(fb, FinSet):
                sub = [_implies(_cb(g), self.member(fb, v, ta.elem, e)) for g, v in fa.items]
                sup = [_implies(_cb(g), self.member(fa, v, tb.elem, e)) for g, v in fb.items]
                return _and(sub + sup)
        if isinstance(ta, T.MapT) and isinstance(tb, T.MapT) and ta.key == tb.key:
            ma, mb = self.as_map(a, _Typed(ta)), self.as_map(b, _Typed(tb))
            parts = []
            for (pa, va), (pb, vb) in zip(ma.slots, mb.slots):
                parts.append(_and([pa == pb, _implies(pa, self.eq(va, vb, ta.value, tb.value, e))]))
            return _and(parts)
        raise Unsupported(e, f"equality of {ta} values that are not known")

    def merge(self, c: Any, a: Any, b: Any, t: T.Type) -> Any:
        """if c then a else b, for values of type t."""
        c = tru(c)
        if _c(a) and _c(b) and a.rep == b.rep:
            return a
        if isinstance(t, T.BoolT):
            return z3.If(c, tru(a), tru(b))
        if numeric(t):
            return z3.If(c, num(a, t), num(b, t))
        if isinstance(t, T.RecordT):
            ra, rb = lift(a, t), lift(b, t)
            return Rec(t, tuple(self.merge(c, x, y, ft) for x, y, (_, ft) in zip(ra.fields, rb.fields, t.fields)))
        if isinstance(t, T.OptT):
            oa, ob = lift(a, t), lift(b, t)
            if isinstance(oa, Opt) and isinstance(ob, Opt):
                if oa.value is None or ob.value is None:
                    value = ob.value if oa.value is None else oa.value
                else:
                    value = self.merge(c, oa.value, ob.value, t.elem)
                return Opt(t, z3.If(c, oa.present, ob.present), value)
        if isinstance(t, T.SetT):
            fa, fb = _finite(a), _finite(b)
            if isinstance(fa, FinSet) and isinstance(fb, FinSet):
                return FinSet(t, tuple((_and([Conc(BOOL, True) if g is True else g, c]), v) for g, v in fa.items)
                              + tuple((_and([Conc(BOOL, True) if g is True else g, z3.Not(c)]), v)
                                      for g, v in fb.items))
            return PredSet(t, lambda x: z3.If(c, tru(self.member(a, x, t.elem, None)),
                                               tru(self.member(b, x, t.elem, None))))
        if isinstance(t, T.MapT):
            ma, mb = self.as_map(a, _Typed(t)), self.as_map(b, _Typed(t))
            return MapSym(t, tuple((z3.If(c, pa, pb), self.merge(c, va, vb, t.value))
                                   for (pa, va), (pb, vb) in zip(ma.slots, mb.slots)))
        raise Unsupported(None, f"a choice between two {t} values")
