"""Plain values (semantics/types.py's `to_plain` form) as the reference interpreter uses them.

Input: types (semantics/types.py) and plain values: bool, int, `Tag`, tuples for records and
sequences, frozensets, dicts for maps, None / `Some` for options. Output: membership of a
value in a type (`fits`), the canonical order of a type's values (`order_key`, `in_order`),
the plain value of an IR literal (`from_rep`), and hashable copies (`normalize`: dicts
become `FrozenMap`s, so maps can be set elements and states can be frozen).
"""
from __future__ import annotations

from typing import Any, NoReturn

from checker.semantics import types as T


class TypeBroken(Exception):
    """A value outside its static type: an internal bug (front end or interpreter), never a
    property of the spec."""


class FrozenMap(dict):
    """A plain map value that can live inside sets: a dict that is never changed after
    construction and hashes by its items. Equal to a plain dict with the same items."""

    def __hash__(self) -> int:  # type: ignore[override]  # dict sets __hash__ to None
        return hash(frozenset(self.items()))

    def _immutable(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("FrozenMap is immutable")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _immutable


def normalize(v: Any) -> Any:
    """A plain value with every dict replaced by a FrozenMap (so it can be hashed)."""
    if isinstance(v, dict):
        return FrozenMap({normalize(k): normalize(x) for k, x in v.items()})
    if isinstance(v, frozenset):
        return frozenset(normalize(x) for x in v)
    if isinstance(v, tuple):
        return tuple(normalize(x) for x in v)
    if isinstance(v, T.Some):
        return T.Some(normalize(v.value))
    if isinstance(v, T.Tag) and v.has_payload:
        return T.Tag(v.tag, normalize(v.payload), True)
    return v


def from_rep(t: T.Type, rep: Any) -> Any:
    """The plain value of a run-time representation (the form IR literals are stored in)."""
    if isinstance(t, T.BoolT):
        return bool(rep)
    if isinstance(t, T.IntT):
        return rep
    if isinstance(t, T.OptT) and isinstance(t.elem, T.EmptyT):
        return None                      # `none` before its element type is known
    if T.finite(t):
        return normalize(T.to_plain(t, rep))
    if isinstance(t, T.SetT):
        return frozenset(from_rep(t.elem, x) for x in rep)
    if isinstance(t, T.SeqT):
        return tuple(from_rep(t.elem, x) for x in rep)
    if isinstance(t, T.OptT):            # None, or a 1-tuple (codegen's representation)
        if rep is not None and not isinstance(rep, tuple):
            raise TypeBroken(f"{rep!r} is not a representation of {t}")
        return None if rep is None else T.Some(from_rep(t.elem, rep[0]))
    if isinstance(t, T.MapT):            # a frozenset of (key, value) pairs
        return FrozenMap({from_rep(t.key, k): from_rep(t.value, v) for k, v in rep})
    raise NotImplementedError(f"a literal of type {t}")


def fits(t: T.Type, v: Any) -> bool:
    """Is the plain value v a value of type t?"""
    if isinstance(t, T.BoolT):
        return isinstance(v, bool)
    if isinstance(t, T.IntT):
        if not isinstance(v, int) or isinstance(v, bool):
            return False
        return (t.lo is None or v >= t.lo) and (t.hi is None or v <= t.hi)
    if isinstance(t, T.LabelT):
        return v in t.labels
    if isinstance(t, T.SumT):
        if not isinstance(v, T.Tag) or v.tag not in [a for a, _ in t.alts]:
            return False
        payload = t.payload(v.tag)
        if payload is None:
            return not v.has_payload
        return v.has_payload and fits(payload, v.payload)
    if isinstance(t, T.RecordT):
        return isinstance(v, tuple) and len(v) == len(t.fields) and \
            all(fits(ft, x) for (_, ft), x in zip(t.fields, v))
    if isinstance(t, T.SetT):
        return isinstance(v, frozenset) and all(fits(t.elem, x) for x in v) and \
            (t.max is None or len(v) <= t.max)
    if isinstance(t, T.MapT):
        if not isinstance(v, dict):
            return False
        if not all(fits(t.key, k) and fits(t.value, x) for k, x in v.items()):
            return False
        return not t.total or len(v) == T.size(t.key)
    if isinstance(t, T.SeqT):
        return isinstance(v, tuple) and (t.max is None or len(v) <= t.max) and \
            all(fits(t.elem, x) for x in v)
    if isinstance(t, T.OptT):
        return v is None or (isinstance(v, T.Some) and fits(t.elem, v.value))
    if isinstance(t, T.EmptyT):
        return v in (frozenset(), (), {})
    raise NotImplementedError(f"membership in {t}")


def fully_known(t: T.Type) -> bool:
    """False for types that still hold an unknown part (the elaborator's error or empty)."""
    if isinstance(t, T.EmptyT) or type(t).__name__ == "ErrorT":
        return False
    for attr in ("elem", "key", "value"):
        inner = getattr(t, attr, None)
        if isinstance(inner, T.Type) and not fully_known(inner):
            return False
    if isinstance(t, T.RecordT):
        return all(fully_known(f) for _, f in t.fields)
    if isinstance(t, T.SumT):
        return all(p is None or fully_known(p) for _, p in t.alts)
    return True


def order_key(t: T.Type, v: Any) -> Any:
    """Sort key putting values of type t in canonical order: ascending ordinal for a
    finite type (the order of T.all_plain), computed from the value's parts, in time
    linear in the value, never by listing the type's values (a record with an `ip`
    field has 2**32 of them, issue 20)."""
    if isinstance(t, T.BoolT):
        return int(v)
    if isinstance(t, T.IntT):
        return v
    if isinstance(t, T.OptT):
        return (0,) if v is None else (1, order_key(t.elem, v.value))
    if isinstance(t, T.RecordT):
        # the ordinal is mixed-radix, the first field most significant: lexicographic
        return tuple(order_key(ft, x) for (_, ft), x in zip(t.fields, v))
    if isinstance(t, T.SumT):
        i = t.tag_index(v.tag)
        p = t.alts[i][1]
        return (i,) if p is None else (i, order_key(p, v.payload))
    finite = T.finite(t)
    if isinstance(t, T.SeqT):
        elems = tuple(order_key(t.elem, x) for x in v)
        return (len(elems), elems) if finite else elems    # finite: shorter first
    if isinstance(t, T.SetT):
        keys = [order_key(t.elem, x) for x in v]
        if finite:      # the ordinal is a bit mask: the largest element decides first
            return tuple(sorted(keys, reverse=True))
        return tuple(sorted(keys))
    if isinstance(t, T.MapT) and finite:
        # the ordinal runs over every key in order, a missing key before any value: the
        # present keys in order, each negated, so that where two maps first differ, the
        # one holding the earlier key is the greater, as in the ordinal
        pairs = v.items() if hasattr(v, "items") else v
        entries = sorted((T.ordinal(t.key, T.from_plain(t.key, k)), order_key(t.value, x)) for k, x in pairs)
        return tuple((-k, x) for k, x in entries)
    if finite:
        return T.ordinal(t, T.from_plain(t, v))
    raise NotImplementedError(f"ordering of {t}")


def in_order(set_t: T.Type, values) -> list:
    """The elements of a set value, in canonical order."""
    elem = set_t.elem if isinstance(set_t, T.SetT) else None
    if elem is None or not fully_known(elem):
        return list(values)
    return sorted(values, key=lambda x: order_key(elem, x))
