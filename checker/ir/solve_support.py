"""Which constraints the encoder can express: the KOV308 diagnostics, before any state exists.

Input: a planned `Query` (solve_plan.py). Output: (span, why) for every sub-expression that depends
on the chosen value and has a form checker/solver/encode.py / operators.py cannot turn into Z3 terms once
the inputs are known. Parts that do not depend on the chosen value are computed in Python
and always supported. This module mirrors the encoder: a form added there belongs here too
(tests/solver/test_choose_where.py checks both sides). No z3 here.
"""
from __future__ import annotations

from typing import Any

from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.ir.solve_plan import UNROLL_UP_TO, Query, _within, free_locals

def unsupported(q: Query) -> list[tuple[Any, str]]:
    """(span, why) for every form of q's constraint that the encoder (encode.py) cannot
    express once the inputs are known: the KOV308 diagnostics. Parts that do not depend on
    the chosen value are computed in Python and always supported. Mirrors encode.py."""
    return _Support(q.name).check(q.cond)


_SIMPLE_OPS = frozenset({"and", "or", "implies", "not", "iff", "lt", "le", "gt", "ge", "add", "sub", "neg",
                         "abs", "min2", "max2", "in", "range", "union", "inter", "diff", "some", "is_some", "get",
                         "in_cidr", "broadcast", "gateway", "cidr_size"})


class _Support:
    def __init__(self, name: str):
        self.sym = {name}       # names whose values depend on the chosen value
        self.out: list[tuple[Any, str]] = []

    def dep(self, e: ir.E) -> bool:
        return bool(free_locals(e) & self.sym)

    def bad(self, e: ir.E, why: str) -> list:
        self.out.append((getattr(e, "origin", None), why))
        return self.out

    def check(self, e: ir.E) -> list:
        if not self.dep(e) or isinstance(e, (ir.Local, ir.Lit, ir.TypeSet)):
            return self.out
        method = getattr(self, "c_" + type(e).__name__, None)
        if method is None:
            return self.bad(e, f"{_describe(e)} of the chosen value")
        method(e)
        return self.out

    def all(self, es) -> None:
        for x in es:
            self.check(x)

    def c_Ite(self, e: ir.Ite) -> None:
        self.all((e.cond, e.then, e.else_))
        if self.dep(e.cond) and not _mergeable(e.t):
            self.bad(e, f"a choice between two {e.t} values that depends on the chosen value")

    def c_LetE(self, e: ir.LetE) -> None:
        self.check(e.value)
        if self.dep(e.value):
            self.sym.add(e.name)
        self.check(e.body)

    def c_FieldGet(self, e: ir.FieldGet) -> None:
        self.check(e.base)

    def c_Collection(self, e: ir.Collection) -> None:
        if not isinstance(e.t, (T.SetT, T.RecordT)):
            self.bad(e, f"a {e.t} built from the chosen value")
            return
        self.all(e.items)

    def c_Construct(self, e: ir.Construct) -> None:
        pt = e.t.payload(e.tag)
        if not (isinstance(pt, (T.IntT, T.SumT, T.LabelT))):
            self.bad(e, f"a {e.t} value carrying a {pt} that depends on the chosen value")
            return
        self.check(e.payload)

    def c_MatchE(self, e: ir.MatchE) -> None:
        self.check(e.subject)
        for arm in e.arms:
            if arm.bind is not None and self.dep(e.subject):
                pt = e.subject.t.payload(arm.tag)
                if not isinstance(pt, (T.IntT, T.SumT, T.LabelT)):
                    self.bad(arm.body, f"a {pt} payload that depends on the chosen value")
                    continue
                self.sym.add(arm.bind)
            self.check(arm.body)
        if self.dep(e.subject) and not _mergeable(e.t):
            self.bad(e, f"a match giving {e.t} values that depends on the chosen value")

    def c_Coerce(self, e: ir.Coerce) -> None:
        src, dst = e.e.t, e.t
        self.check(e.e)
        if isinstance(src, T.IntT) and isinstance(dst, T.IntT):
            if not _within(src, dst):
                self.bad(e, f"a value that may fall outside {dst} (a run-time error the solver does not model)")
            return
        if isinstance(src, T.SetT) and isinstance(dst, T.SetT) and isinstance(src.elem, T.IntT) \
                and isinstance(dst.elem, T.IntT) and _within(src.elem, dst.elem):
            return
        self.bad(e, f"a conversion from {src} to {dst}")

    def c_Index(self, e: ir.Index) -> None:
        if self.dep(e.base):
            before = len(self.out)
            self.check(e.base)           # the innermost form that cannot be encoded, if any
            if len(self.out) == before:
                self.bad(e, "an index of a value that depends on the chosen value")
            return
        if not (isinstance(e.base.t, T.MapT) and T.finite(e.base.t)):
            self.bad(e, "a sequence or unbounded map read at a position that depends on the chosen value")
            return
        if not isinstance(e.base.t.key, (T.IntT, T.SumT, T.LabelT, T.BoolT)):
            self.bad(e, f"a map read at a {e.base.t.key} key that depends on the chosen value")
            return
        self.check(e.key)

    def c_Update(self, e: ir.Update) -> None:
        if isinstance(e.t, T.RecordT) or (isinstance(e.t, T.MapT) and T.finite(e.t)
                                          and not any(isinstance(k, ir.E) and self.dep(k) for k, _ in e.entries)):
            self.check(e.base)
            self.all(v for _, v in e.entries)
            return
        self.bad(e, f"an update of a {e.t} that depends on the chosen value")

    def c_Quant(self, e: ir.Quant) -> None:
        self.binders(e.binders)
        self.check(e.body)

    def c_Comp(self, e: ir.Comp) -> None:
        if e.key is not None:
            self.bad(e, "a map comprehension that depends on the chosen value")
            return
        self.binders(e.binders)
        self.all(x for x in (e.cond, e.elem) if x is not None)

    def binders(self, binders) -> None:
        for b in binders:
            d = b.domain
            if self.dep(d):
                if not _listable(d, self.dep):
                    self.bad(d, "a range over a set whose elements depend on the chosen value")
                    continue
                self.check(d)
                self.sym.add(b.name)
            elif isinstance(d, ir.TypeSet) and not (isinstance(d.t.elem, T.IntT) or
                                                  (T.finite(d.t.elem) and T.size(d.t.elem) <= UNROLL_UP_TO)):
                self.bad(d, f"a range over every {d.t.elem} ({T.size(d.t.elem):,} values)")

    def c_Op(self, e: ir.Op) -> None:
        op, args = e.op, e.args
        if op in ("eq", "ne"):
            self.all(args)
            t = args[0].t
            if isinstance(t, T.SetT) and not all(_listable(a, self.dep) for a in args):
                self.bad(e, "equality of sets whose elements are not known one by one")
            elif isinstance(t, (T.SeqT,)) or (isinstance(t, T.MapT) and not T.finite(t)):
                self.bad(e, f"equality of {t} values that depend on the chosen value")
            return
        if op == "mul":
            self.all(args)
            if all(self.dep(a) for a in args):
                self.bad(e, "a product of two values that depend on the chosen value (not linear)")
            return
        if op in ("div", "mod"):
            self.check(args[0])
            if self.dep(args[1]):
                self.bad(e, "division by a value that depends on the chosen value")
            return
        if op in ("subseteq", "len"):
            self.all(args)
            if not (_listable(args[0], self.dep) or (op == "len" and _is_range(args[0]))):
                self.bad(e, f"{'a subset test' if op == 'subseteq' else 'the size'} of a set whose elements "
                            "are not known one by one")
            return
        if op in _SIMPLE_OPS:
            self.all(args)
            return
        self.bad(e, f"'{op}' of a value that depends on the chosen value")


def _describe(e: ir.E) -> str:
    return {"Solve": "a choice", "CallDef": "a call", "VarRef": "a state variable"}.get(type(e).__name__,
                                                                                      type(e).__name__)


def _mergeable(t: T.Type) -> bool:
    if isinstance(t, (T.BoolT, T.IntT, T.SumT, T.LabelT, T.SetT)):
        return True
    if isinstance(t, T.RecordT):
        return all(_mergeable(f) for _, f in t.fields)
    if isinstance(t, T.OptT):
        return _mergeable(t.elem)
    if isinstance(t, T.MapT):
        return T.finite(t)
    return False


def _is_range(e: ir.E) -> bool:
    return isinstance(e, ir.TypeSet) or (isinstance(e, ir.Op) and e.op == "range")


def _listable(e: ir.E, dep) -> bool:
    """A set whose elements the encoder can list (with guards), whatever the chosen value."""
    if not dep(e):      # known before solving (its size is checked then)
        return not (isinstance(e, ir.TypeSet) and T.size(e.t.elem) > UNROLL_UP_TO)
    if isinstance(e, (ir.Collection, ir.Comp)):
        return True
    if isinstance(e, ir.Op) and e.op == "union":
        return all(_listable(a, dep) for a in e.args)
    if isinstance(e, ir.Op) and e.op in ("inter", "diff"):
        return _listable(e.args[0], dep)
    if isinstance(e, ir.Ite):
        return _listable(e.then, dep) and _listable(e.else_, dep)
    return False
