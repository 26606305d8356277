"""IR expressions -> Z3 terms, over concrete inputs and symbolic values.

Input: an IR expression (a `choose ... where` constraint after planning, or a guard during
static analysis) and an environment binding its free locals to values (values.py): concrete
inputs read from the current state, the chosen value as a Z3 term, symbolic state variables.
Output: a value: `Conc` when everything it reads is concrete (computed in Python, with the
compiled model's own code for the rare operations), otherwise Z3 terms. Integers, addresses
and ordinals are Z3 Ints, so arithmetic is exact as in the interpreter (an address is a 32-bit
field of the state; a range check happens only when a value is stored). Quantifiers and
comprehensions are unrolled over concrete or small domains.

A form the encoder cannot express raises `Unsupported` with the offending node (plan.py
reports the same forms as KOV308 before any state exists). With `abstract=True` (static
analysis) an unsupported sub-expression becomes a fresh unconstrained value of its type
instead, which over-approximates: an unsatisfiable result stays a proof.
"""
from __future__ import annotations

import itertools
from typing import Any

import z3

from checker.engine.model import ModelError
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.solver.plan import UNROLL_UP_TO, free_locals
from checker.solver.values import (Conc, FinSet, MapSym, Opt, PredSet, RangeSet, Rec, field_rep, is_z3,
                                   lift, number_of, numeric, set_elements)

BOOL = T.BoolT()
INT = T.IntT()
MAX_FRESH_BITS = 64     # symbolic sets and maps with more elements/keys stay opaque


class Unsupported(Exception):
    def __init__(self, node: Any, why: str):
        super().__init__(why)
        self.node = node
        self.why = why


class Opaque:
    """A state variable whose type the encoder does not model (reading it is unsupported)."""

    def __init__(self, t: T.Type):
        self.t = t


def tru(v: Any) -> Any:
    """A bool value as a Z3 term."""
    if isinstance(v, Conc):
        return z3.BoolVal(bool(v.rep))
    return v


def num(v: Any, t: T.Type) -> Any:
    if isinstance(v, Conc):
        return z3.IntVal(number_of(t, v.rep))
    return v


def _fold(xs, fn):
    acc = xs[0]
    for x in xs[1:]:
        acc = fn(acc, x)
    return acc


def _c(v: Any) -> bool:
    return isinstance(v, Conc)


class Encoder:
    def __init__(self, env: dict[str, Any] | None = None, defs=(), state: dict | None = None,
                 abstract: bool = False):
        self.env: dict[str, Any] = dict(env or {})
        self.defs = defs
        self.state = state
        self.abstract = abstract
        self.side: list = []          # constraints on fresh values (their types' bounds)
        self.fixed: set[str] = set()  # locals bound once per analysed path (memo allowed)
        self.memo: dict = {}
        self.version = 0              # bumped when the symbolic state changes
        self.count = 0

    # ------------------------------------------------------------ entry points
    def enc(self, e: ir.E) -> Any:
        method = getattr(self, "e_" + type(e).__name__, None)
        try:
            if method is None:
                raise Unsupported(e, f"{type(e).__name__} is not supported in a constraint")
            return method(e)
        except Unsupported:
            if not self.abstract:
                raise
            return self.unknown(e)

    def boolean(self, e: ir.E) -> Any:
        """e as a Z3 Bool (or a Python bool when it is concrete)."""
        v = self.enc(e)
        return bool(v.rep) if _c(v) else v

    def bind(self, name: str, value: Any) -> Any:
        old = self.env.get(name, _UNSET)
        self.env[name] = value
        return old

    def unbind(self, name: str, old: Any) -> None:
        if old is _UNSET:
            self.env.pop(name, None)
        else:
            self.env[name] = old

    # ------------------------------------------------------------ fresh values (static analysis)
    def name(self, hint: str) -> str:
        # unique in the process: Z3 constants of the same name and sort are one constant,
        # and values made by different encoders may meet in one query
        return f"{hint}!{next(_NAMES)}"

    def fresh(self, t: T.Type, hint: str = "v") -> Any:
        """A new unconstrained value of type t (bounded by the type); Opaque if not modelled."""
        if isinstance(t, T.BoolT):
            return z3.Bool(self.name(hint))
        if numeric(t):
            x = z3.Int(self.name(hint))
            lo, hi = _bounds(t)
            if lo is not None:
                self.side.append(x >= lo)
            if hi is not None:
                self.side.append(x <= hi)
            return x
        if isinstance(t, T.RecordT):
            fields = tuple(self.fresh(ft, f"{hint}.{n}") for n, ft in t.fields)
            return Opaque(t) if any(isinstance(f, Opaque) for f in fields) else Rec(t, fields)
        if isinstance(t, T.OptT):
            inner = self.fresh(t.elem, hint)
            return Opaque(t) if isinstance(inner, Opaque) else Opt(t, z3.Bool(self.name(hint + "?")), inner)
        if isinstance(t, T.SetT) and T.finite(t.elem) and T.size(t.elem) <= MAX_FRESH_BITS:
            return FinSet(t, tuple((z3.Bool(self.name(f"{hint}#{o}")), Conc(t.elem, T.from_ordinal(t.elem, o)))
                                   for o in range(T.size(t.elem))))
        if isinstance(t, T.SetT) and numeric(t.elem):
            f = z3.Function(self.name(hint), z3.IntSort(), z3.BoolSort())
            return PredSet(t, lambda x, f=f, et=t.elem: f(num(x, et)))
        if isinstance(t, T.MapT) and T.finite(t.key) and T.size(t.key) <= MAX_FRESH_BITS:
            slots = []
            for o in range(T.size(t.key)):
                v = self.fresh(t.value, f"{hint}[{o}]")
                if isinstance(v, Opaque):
                    return Opaque(t)
                slots.append((z3.BoolVal(True) if t.total else z3.Bool(self.name(f"{hint}?{o}")), v))
            return MapSym(t, tuple(slots))
        return Opaque(t)

    def unknown(self, e: ir.E) -> Any:
        """A fresh value standing for e (abstract mode): the same one for the same expression
        in the same state when it reads only names bound once on the path."""
        key = None
        if free_locals(e) <= self.fixed:
            key = (e, self.version)
            if key in self.memo:
                return self.memo[key]
        v = self.fresh(e.t, "u")
        if isinstance(v, Opaque):
            raise Unsupported(e, f"values of type {e.t} are not modelled")
        if key is not None:
            self.memo[key] = v
        return v

    # ------------------------------------------------------------ leaves
    def e_Lit(self, e: ir.Lit) -> Any:
        return Conc(e.t, e.value)

    def e_Local(self, e: ir.Local) -> Any:
        v = self.env.get(e.name, _UNSET)
        if v is _UNSET or isinstance(v, Opaque):
            raise Unsupported(e, f"'{e.name}' is not known here")
        return v

    def e_VarRef(self, e: ir.VarRef) -> Any:
        if self.state is None or e.primed:
            raise Unsupported(e, "the state is not known here")
        v = self.state.get(e.index)
        if v is None or isinstance(v, Opaque):
            raise Unsupported(e, f"values of type {e.t} are not modelled")
        return v

    def e_TypeSet(self, e: ir.TypeSet) -> Any:
        elem = e.t.elem
        if isinstance(elem, T.IntT) and elem.bounded:
            return RangeSet(e.t, Conc(INT, elem.lo), Conc(INT, elem.hi))
        if T.finite(elem) and T.size(elem) <= UNROLL_UP_TO:
            return FinSet(e.t, tuple((True, Conc(elem, T.from_ordinal(elem, o))) for o in range(T.size(elem))))
        if isinstance(elem, T.CidrT):
            return PredSet(e.t, lambda x: z3.BoolVal(True))
        raise Unsupported(e, f"the values of {elem} cannot be listed")

    # ------------------------------------------------------------ structure
    def e_Ite(self, e: ir.Ite) -> Any:
        c = self.enc(e.cond)
        if _c(c):
            return self.enc(e.then if c.rep else e.else_)
        return self.merge(c, self.enc(e.then), self.enc(e.else_), e.t)

    def e_LetE(self, e: ir.LetE) -> Any:
        old = self.bind(e.name, self.enc(e.value))
        try:
            return self.enc(e.body)
        finally:
            self.unbind(e.name, old)

    def e_CallDef(self, e: ir.CallDef) -> Any:
        if e.index >= len(self.defs):
            raise Unsupported(e, "a call of a definition")
        d = self.defs[e.index]
        args = [self.enc(a) for a in e.args]
        olds = [(n, self.bind(n, v)) for (n, _), v in zip(d.params, args)]
        try:
            return self.enc(d.body)
        finally:
            for n, old in reversed(olds):
                self.unbind(n, old)

    def e_FieldGet(self, e: ir.FieldGet) -> Any:
        base = self.enc(e.base)
        if _c(base):
            return Conc(e.t, field_rep(e.base.t, base.rep, e.name))
        if isinstance(base, Rec):
            return base.fields[[n for n, _ in base.t.fields].index(e.name)]
        raise Unsupported(e, "a field of this value")

    def e_Collection(self, e: ir.Collection) -> Any:
        items = [self.enc(x) if not isinstance(x, tuple) else (self.enc(x[0]), self.enc(x[1])) for x in e.items]
        flat = [v for x in items for v in (x if isinstance(x, tuple) else (x,))]
        if all(_c(v) for v in flat):
            return self.concrete(e)
        if isinstance(e.t, T.SetT):
            return FinSet(e.t, tuple((True, v) for v in items))
        if isinstance(e.t, T.RecordT):
            return Rec(e.t, tuple(items))
        raise Unsupported(e, f"a {e.t} built from unknown values")

    def e_Construct(self, e: ir.Construct) -> Any:
        base = e.t.bases()[e.t.tag_index(e.tag)]
        if e.payload is None:
            return Conc(e.t, base)
        p = self.enc(e.payload)
        pt = e.t.payload(e.tag)
        if _c(p):
            return Conc(e.t, base + T.ordinal(pt, p.rep))
        if numeric(pt) and is_z3(p):
            return p - (pt.lo if isinstance(pt, T.IntT) else 0) + base
        raise Unsupported(e, f"a {e.t} value with an unknown payload")

    def e_MatchE(self, e: ir.MatchE) -> Any:
        # as the compiled code: the arm of the subject's tag, wherever the wildcard `_` is
        st = e.subject.t
        o = self.enc(e.subject)
        tagged = [a for a in e.arms if a.tag is not None]
        wild = [a for a in e.arms if a.tag is None]
        if _c(o):
            for arm in tagged + wild:
                lo, hi = self.arm_range(st, arm)
                if arm.tag is None or lo <= o.rep < hi:
                    return self.arm_body(st, arm, o, lo)
            raise Unsupported(e, "no arm matches")
        if wild:
            result = self.arm_body(st, wild[0], o, 0)
        else:
            last = tagged.pop()
            result = self.arm_body(st, last, o, self.arm_range(st, last)[0])
        for arm in reversed(tagged):
            lo, hi = self.arm_range(st, arm)
            result = self.merge(z3.And(o >= lo, o < hi), self.arm_body(st, arm, o, lo), result, e.t)
        return result

    def arm_range(self, st: T.SumT, arm: ir.MatchArm) -> tuple[int, int]:
        if arm.tag is None:
            return 0, T.size(st)
        i = st.tag_index(arm.tag)
        lo = st.bases()[i]
        p = st.alts[i][1]
        return lo, lo + (1 if p is None else T.size(p))

    def arm_body(self, st: T.SumT, arm: ir.MatchArm, o: Any, lo: int) -> Any:
        if arm.bind is None:
            return self.enc(arm.body)
        pt = st.payload(arm.tag)
        if _c(o):
            payload = Conc(pt, T.from_ordinal(pt, o.rep - lo))
        elif numeric(pt):
            payload = o - lo + (pt.lo if isinstance(pt, T.IntT) else 0)
        else:
            raise Unsupported(arm.body, f"a {pt} payload of an unknown value")
        old = self.bind(arm.bind, payload)
        try:
            return self.enc(arm.body)
        finally:
            self.unbind(arm.bind, old)

    def e_Coerce(self, e: ir.Coerce) -> Any:
        v = self.enc(e.e)
        if _c(v):
            return self.concrete(ir.Coerce(e.t, ir.Lit(e.e.t, v.rep), e.origin))
        src, dst = e.e.t, e.t
        if isinstance(src, T.IntT) and isinstance(dst, T.IntT):
            if self.abstract or _within(src, dst):
                return v
            raise Unsupported(e, f"a value that may fall outside {dst} (a run-time error the solver "
                                 "does not model)")
        if isinstance(v, (FinSet, PredSet, RangeSet)) and isinstance(src, T.SetT) and isinstance(dst, T.SetT) \
                and numeric(src.elem) and type(src.elem) is type(dst.elem) and (self.abstract or _within(src.elem, dst.elem)):
            return _retype(v, dst)
        raise Unsupported(e, f"a conversion from {src} to {dst}")

    def e_Index(self, e: ir.Index) -> Any:
        base, key = self.enc(e.base), self.enc(e.key)
        if _c(base) and _c(key):
            return self.concrete(ir.Index(e.t, ir.Lit(e.base.t, base.rep), ir.Lit(e.key.t, key.rep), e.origin))
        m = self.as_map(base, e)
        kt = m.t.key
        if _c(key):
            o = self.key_ordinal(kt, key, e)
            return m.slots[o][1]
        k = num(key, e.key.t)
        if not numeric(kt):
            raise Unsupported(e, "a map read at an unknown key")
        result = m.slots[-1][1]
        for o in range(len(m.slots) - 2, -1, -1):
            result = self.merge(k == number_of(kt, T.from_ordinal(kt, o)), m.slots[o][1], result, e.t)
        return result

    def key_ordinal(self, kt: T.Type, key: Conc, e: ir.E) -> int:
        if isinstance(kt, T.IntT) and not kt.lo <= key.rep <= kt.hi:
            raise Unsupported(e, "a key outside the map's keys")
        return T.ordinal(kt, key.rep)

    def as_map(self, v: Any, e: ir.E) -> MapSym:
        if isinstance(v, MapSym):
            return v
        t = e.base.t if isinstance(e, ir.Index) else e.t
        if _c(v) and isinstance(t, T.MapT) and T.finite(t):
            sw, vw = T.slot_width(t), T.width(t.value)
            slots = []
            for o in range(T.size(t.key)):
                slot = (v.rep >> (o * sw)) & ((1 << sw) - 1)
                present = t.total or bool(slot >> vw)
                slots.append((z3.BoolVal(present), Conc(t.value, T.rep_of_code(t.value, slot & ((1 << vw) - 1)))))
            return MapSym(t, tuple(slots))
        raise Unsupported(e, "a map that is not known key by key")

    def e_Update(self, e: ir.Update) -> Any:
        base = self.enc(e.base)
        entries = [(k if isinstance(k, str) else self.enc(k), self.enc(v)) for k, v in e.entries]
        if _c(base) and all(isinstance(k, str) or _c(k) for k, _ in entries) and all(_c(v) for _, v in entries):
            return self.concrete(e, {})
        if isinstance(e.t, T.RecordT):
            rec = lift(base, e.t)
            if not isinstance(rec, Rec):
                raise Unsupported(e, "an update of an unknown record")
            names = [n for n, _ in e.t.fields]
            fields = list(rec.fields)
            for k, v in entries:
                fields[names.index(k)] = v
            return Rec(e.t, tuple(fields))
        if isinstance(e.t, T.MapT):
            m = self.as_map(base, e)
            slots = list(m.slots)
            for k, v in entries:
                if not _c(k):
                    raise Unsupported(e, "a map update at an unknown key")
                slots[self.key_ordinal(e.t.key, k, e)] = (z3.BoolVal(True), v)
            return MapSym(e.t, tuple(slots))
        raise Unsupported(e, f"an update of a {e.t}")

    def e_Quant(self, e: ir.Quant) -> Any:
        parts = []
        for guard in self.bindings(e.binders, 0, [], e):
            body = self.enc(e.body)
            if e.kind == "forall":
                parts.append(_implies(guard, body))
            else:
                parts.append(_and([guard, body]))
            if _c(parts[-1]) and bool(parts[-1].rep) == (e.kind == "exists"):
                return parts[-1]        # decided (the interpreter stops here too)
        return _and(parts) if e.kind == "forall" else _or(parts)

    def e_Comp(self, e: ir.Comp) -> Any:
        if e.key is not None:
            raise Unsupported(e, "a map comprehension")
        items = []
        for guard in self.bindings(e.binders, 0, [], e):
            cond = Conc(BOOL, True) if e.cond is None else self.enc(e.cond)
            items.append((_and([guard, cond]), self.enc(e.elem)))
        items = [(g, v) for g, v in items if not (_c(g) and not g.rep)]
        if all(_c(g) and _c(v) for g, v in items):
            return Conc(e.t, self.build_set(e.t, [v.rep for _, v in items]))
        return FinSet(e.t, tuple((g.rep if _c(g) else g, v) for g, v in items))

    def bindings(self, binders, i: int, guards: list, e: ir.E):
        """Bind binders[i:] to every element of their domains in turn; yields the guard
        (the conjunction of the elements' guards) with the names bound."""
        if i == len(binders):
            yield _and(guards) if guards else Conc(BOOL, True)
            return
        b = binders[i]
        for g, v in self.items(self.enc(b.domain), b.domain):
            old = self.bind(b.name, v)
            try:
                yield from self.bindings(binders, i + 1, guards + [g if not isinstance(g, bool) else Conc(BOOL, g)], e)
            finally:
                self.unbind(b.name, old)

    def items(self, s: Any, e: ir.E) -> list:
        """(guard, element) pairs of a set value that can be listed."""
        if _c(s):
            elems = set_elements(s.t, s.rep)
            if len(elems) > UNROLL_UP_TO:
                raise Unsupported(e, f"a set of {len(elems)} elements to range over")
            return [(True, Conc(s.t.elem, x)) for x in elems]
        if isinstance(s, FinSet):
            return list(s.items)
        if isinstance(s, RangeSet) and _c(s.lo) and _c(s.hi):
            if s.hi.rep - s.lo.rep >= UNROLL_UP_TO:
                raise Unsupported(e, "a range too large to range over")
            return [(True, Conc(s.t.elem, x)) for x in range(s.lo.rep, s.hi.rep + 1)]
        raise Unsupported(e, "a set whose elements are not known")

    def e_Solve(self, e: ir.Solve) -> Any:
        raise Unsupported(e, "a choice inside a constraint")

    # ------------------------------------------------------------ concrete evaluation
    def concrete(self, e: ir.E, _unused=None) -> Conc:
        """Evaluate e, whose free locals are all concrete, with the compiled model's code."""
        from checker.compile.model import evaluate_closed
        from checker.ir.walk import transform, walk

        if any(isinstance(n, (ir.VarRef, ir.CallDef)) for n in walk(e)):
            raise Unsupported(e, "the state is not known here")
        env = self.env

        def sub(n):
            if isinstance(n, ir.Local) and isinstance(env.get(n.name), Conc):
                return ir.Lit(n.t, env[n.name].rep, n.origin)
            return n

        closed = transform(e, sub)
        if free_locals(closed):
            raise Unsupported(e, "a value that is not known")
        try:
            return Conc(e.t, evaluate_closed(closed))
        except ModelError as exc:
            if self.abstract:
                raise Unsupported(e, exc.message) from None
            raise

    def build_set(self, t: T.SetT, reps: list) -> Any:
        if T.is_bitset(t):
            m = 0
            for r in reps:
                m |= 1 << T.ordinal(t.elem, r)
            return m
        return frozenset(reps)

    # ------------------------------------------------------------ operators
    def e_Op(self, e: ir.Op) -> Any:
        op = e.op
        if op in _LAZY:
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


_LAZY = frozenset({"and", "or", "implies"})
_NAMES = itertools.count(1)
_UNSET = object()


class _Typed:
    """Stands for an expression of a known type (as_map reads only `.t`)."""

    def __init__(self, t):
        self.t = t
        self.base = self


def _bounds(t: T.Type) -> tuple[int | None, int | None]:
    if isinstance(t, T.IntT):
        return t.lo, t.hi
    return 0, T.size(t) - 1


def _within(a: T.IntT, b: T.IntT) -> bool:
    if not b.bounded:
        return True
    return a.bounded and b.lo <= a.lo and a.hi <= b.hi


def _retype(v: Any, t: T.SetT) -> Any:
    if isinstance(v, FinSet):
        return FinSet(t, v.items)
    if isinstance(v, RangeSet):
        return RangeSet(t, v.lo, v.hi)
    return PredSet(t, v.member)


def _finite(v: Any) -> Any:
    """Concrete sets as FinSets (to combine them with symbolic ones)."""
    if _c(v) and isinstance(v.t, T.SetT):
        return FinSet(v.t, tuple((True, Conc(v.t.elem, x)) for x in set_elements(v.t, v.rep)))
    return v


def _conc_member(st: T.SetT, rep: Any, xt: T.Type, x: Any) -> bool:
    elem = st.elem
    if T.is_bitset(st):
        if isinstance(elem, T.IntT):
            return elem.lo <= x <= elem.hi and bool((rep >> (x - elem.lo)) & 1)
        return bool((rep >> T.ordinal(elem, x)) & 1)
    return x in rep


def _cb(g: Any) -> Any:
    return Conc(BOOL, True) if g is True else g


def _not(v: Any) -> Any:
    return Conc(BOOL, not v.rep) if _c(v) else z3.Not(v)


def _and(vs: list) -> Any:
    out = []
    for v in vs:
        if v is True:
            continue
        if _c(v):
            if not v.rep:
                return Conc(BOOL, False)
            continue
        out.append(v)
    if not out:
        return Conc(BOOL, True)
    return out[0] if len(out) == 1 else z3.And(out)


def _or(vs: list) -> Any:
    out = []
    for v in vs:
        if _c(v):
            if v.rep:
                return Conc(BOOL, True)
            continue
        out.append(v)
    if not out:
        return Conc(BOOL, False)
    return out[0] if len(out) == 1 else z3.Or(out)


def _implies(a: Any, b: Any) -> Any:
    return _or([_not(_cb(a)), b])
