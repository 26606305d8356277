"""IR expressions -> Z3 terms, over concrete inputs and symbolic values.

Input: an IR expression (a `choose ... where` constraint after planning, or a guard during
static analysis) and an environment binding its free locals to values (values.py): concrete
inputs read from the current state, the chosen value as a Z3 term, symbolic state variables.
Output: a value: `Conc` when everything it reads is concrete (computed in Python, with the
compiled model's own code for the rare operations), otherwise Z3 terms. Integers, addresses
and ordinals are Z3 Ints, so arithmetic is exact as in the interpreter (an address is a 32-bit
field of the state; a range check happens only when a value is stored). Quantifiers and
comprehensions are unrolled over concrete or small domains.

A form the encoder cannot express raises `Unsupported` with the offending node (solve_support.py
reports the same forms as KOV308 before any state exists). With `abstract=True` (static
analysis) an unsupported sub-expression becomes a fresh unconstrained value of its type
instead, which over-approximates: an unsatisfiable result stays a proof. This module holds
the encoder's leaves, structure and fresh values; its operators are in operators.py.
"""
from __future__ import annotations

import itertools
from typing import Any

import z3

from checker.engine.model import ModelError
from checker.ir import nodes as ir
from checker.ir.walk import transform, walk
from checker.semantics import types as T
from checker.solver.operators import Operators
from checker.ir.solve_plan import UNROLL_UP_TO, free_locals
from checker.solver.values import (BOOL, INT, Conc, FinSet, MapSym, Opaque, Opt, PredSet, RangeSet, Rec,
                                   Unsupported, _and, _bounds, _c, _implies, _or, _retype, _within,
                                   field_rep, is_z3, lift, num, number_of, numeric, set_elements, tru)

__all__ = ["Encoder", "Opaque", "Unsupported", "tru", "num"]

MAX_FRESH_BITS = 64     # symbolic sets and maps with more elements/keys stay opaque
_NAMES = itertools.count(1)
_UNSET = object()


class Encoder(Operators):
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
                and numeric(src.elem) and type(src.elem) is type(dst.elem) \
                and (self.abstract or _within(src.elem, dst.elem)):
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
            return self.concrete(e)
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
    def concrete(self, e: ir.E) -> Conc:
        """Evaluate e, whose free locals are all concrete, with the compiled model's code."""
        from checker.compile.model import evaluate_closed    # compile/model.py imports the solver

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
