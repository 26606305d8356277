"""The values the encoder computes with: concrete run-time values and symbolic Z3 terms.

Input/output: used by encode.py only. A value is one of
- `Conc(t, rep)`: a concrete value in its run-time representation (semantics/types.py);
- a Z3 `BoolRef` (bool) or `ArithRef` (an integer, an address, or the ordinal of an enum,
  a sum or a label), always of sort Int: arithmetic is exact, as in the interpreter;
- `Rec(t, fields)`: a record (and a CIDR block) field by field;
- `Opt(t, present, value)`: an option;
- `FinSet(t, items)`: a set given by guarded elements ((guard, element), ...): element e is
  in the set when its guard holds (concrete sets, small symbolic sets, set literals and
  comprehensions over them);
- `RangeSet(t, lo, hi)`: the integers lo..hi (a range, a type's values);
- `PredSet(t, member)`: a set known only by its membership test (unions with ranges,
  symbolic sets of large elements);
- `MapSym(t, slots)`: a map with few keys, slot by slot: key ordinal -> (present, value).

Also the helpers encode.py and operators.py share: `Unsupported` (a form the encoder cannot
express), `Opaque` (a state variable it does not model), the boolean connectives over
concrete and symbolic values (`_and`, `_or`, `_not`, `_implies`), `tru` / `num` (a value as
a Z3 term).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import z3

from checker.semantics import types as T

BOOL = T.BoolT()
INT = T.IntT()


@dataclass(frozen=True)
class Conc:
    t: T.Type
    rep: Any


@dataclass(frozen=True)
class Rec:
    t: T.RecordT
    fields: tuple


@dataclass(frozen=True)
class Opt:
    t: T.OptT
    present: Any
    value: Any


@dataclass(frozen=True)
class FinSet:
    t: T.SetT
    items: tuple      # ((guard, element), ...)


@dataclass(frozen=True)
class RangeSet:
    t: T.SetT
    lo: Any
    hi: Any


@dataclass(frozen=True)
class PredSet:
    t: T.SetT
    member: Callable[[Any], Any]


@dataclass(frozen=True)
class MapSym:
    t: T.MapT
    slots: tuple      # ((present, value), ...) by key ordinal


def is_z3(v: Any) -> bool:
    return isinstance(v, z3.ExprRef)


def numeric(t: T.Type) -> bool:
    """Types encoded as one Int: integers (ip included), enums, sums, labels."""
    return isinstance(t, (T.IntT, T.SumT, T.LabelT))


def number_of(t: T.Type, rep: Any) -> int:
    """The Int a concrete scalar is encoded as (the value of an int, the ordinal otherwise)."""
    return rep if isinstance(t, T.IntT) else T.ordinal(t, rep)


def lift(v: Any, t: T.Type) -> Any:
    """A concrete value as a term (or structure of terms); symbolic values unchanged."""
    if not isinstance(v, Conc):
        return v
    rep = v.rep
    if isinstance(t, T.BoolT):
        return z3.BoolVal(bool(rep))
    if numeric(t):
        return z3.IntVal(number_of(t, rep))
    if isinstance(t, T.RecordT):
        return Rec(t, tuple(Conc(ft, field_rep(t, rep, n)) for n, ft in t.fields))
    if isinstance(t, T.OptT) and T.finite(t):
        if not rep & 1:
            return Opt(t, z3.BoolVal(False), Conc(t.elem, T.rep_of_code(t.elem, 0)))
        return Opt(t, z3.BoolVal(True), Conc(t.elem, T.rep_of_code(t.elem, rep >> 1)))
    if isinstance(t, T.OptT):
        if rep is None:
            return Opt(t, z3.BoolVal(False), None)
        return Opt(t, z3.BoolVal(True), Conc(t.elem, rep[0]))
    if isinstance(t, T.SetT):
        return FinSet(t, tuple((True, Conc(t.elem, e)) for e in set_elements(t, rep)))
    return v


def field_rep(t: T.RecordT, code: int, name: str) -> Any:
    ft = t.field_type(name)
    return T.rep_of_code(ft, (code >> t.offset(name)) & ((1 << T.width(ft)) - 1))


def set_elements(t: T.SetT, rep: Any) -> list:
    """The elements of a concrete set, ascending."""
    if T.is_bitset(t):
        return [T.from_ordinal(t.elem, o) for o in T.bits(rep)]
    return sorted(rep)


def conc_value(v: Any) -> Any:
    """The Python value of a concrete bool/number, or None when v is symbolic."""
    if isinstance(v, Conc):
        return v.rep
    if isinstance(v, bool):
        return v
    if is_z3(v):
        if z3.is_true(v):
            return True
        if z3.is_false(v):
            return False
        if z3.is_int_value(v):
            return v.as_long()
    return None


# ---------------------------------------------------------------- helpers of the encoder's parts

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
