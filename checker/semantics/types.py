"""Concrete kovn types, their sizes and bit layouts, and conversion to and from plain values.

Input: built by the type checker once constants have values (a range `1..N` is `IntT(1, 3)`
when N = 3). Output: used by the type checker (finiteness, sizes), the code generator (bit
widths, offsets, ordinals) and the renderers (decode a packed value; semantics/display.py
turns the plain value into text).

Every value of a finite type has a *code*: a non-negative int below 2**width(t), canonical,
so that equal values have equal codes. A state is the concatenation of its variables' codes.
Records, maps and bounded sequences are bit-packed; sum types and sets use dense codes
(a sum value's code is its ordinal; a set's code is the bitmask of its elements' ordinals).
Plain values (`to_plain` / `from_plain`) are ordinary Python data: bool, int, `Tag`, tuples
of fields for records, frozensets, tuples for sequences, dicts for maps, None / `Some`.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Iterator

MAX_ELEMENTS = 4096  # largest domain used as set elements or map keys (bitmask / slot count)
# Most values a set value, a type used as a set, or an action's typed parameters may enumerate
# (checked when a spec is elaborated, and for ranges built while exploring): beyond this,
# compiling or exploring would run for hours or exhaust memory instead of answering.
ENUM_LIMIT = 1 << 20


class Type:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class BoolT(Type):
    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class IntT(Type):
    lo: int | None = None
    hi: int | None = None

    @property
    def bounded(self) -> bool:
        return self.lo is not None and self.hi is not None

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}" if self.bounded else "int"


@dataclass(frozen=True, slots=True)
class SymT(IntT):
    """A symmetric type (`type RM = symmetric 1..N`): ints lo..hi at run time, so every
    int operation of the code generator applies, but a type of its own to the checker:
    its values are interchangeable, and ir/symmetry.py refuses every use that
    could tell them apart (arithmetic, order, literals), which makes symmetry reduction
    sound (docs/performance.md)."""

    name: str = ""

    def __str__(self) -> str:
        return self.name or f"symmetric {self.lo}..{self.hi}"


@dataclass(frozen=True, slots=True)
class SumT(Type):
    """A tagged union; an enum is a sum whose alternatives carry nothing."""

    name: str
    alts: tuple[tuple[str, Type | None], ...]

    def __str__(self) -> str:
        return self.name

    def tag_index(self, tag: str) -> int:
        for i, (t, _) in enumerate(self.alts):
            if t == tag:
                return i
        raise KeyError(tag)

    def payload(self, tag: str) -> Type | None:
        return self.alts[self.tag_index(tag)][1]

    def bases(self) -> tuple[int, ...]:
        """Ordinal of the first value of each alternative."""
        out, acc = [], 0
        for _, p in self.alts:
            out.append(acc)
            acc += 1 if p is None else size(p)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class RecordT(Type):
    fields: tuple[tuple[str, Type], ...]
    name: str | None = None

    def __str__(self) -> str:
        if self.name:
            return self.name
        return "{" + ", ".join(f"{n}: {t}" for n, t in self.fields) + "}"

    def field_type(self, name: str) -> Type | None:
        for n, t in self.fields:
            if n == name:
                return t
        return None

    def offset(self, name: str) -> int:
        off = 0
        for n, t in self.fields:
            if n == name:
                return off
            off += width(t)
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class SetT(Type):
    elem: Type
    # At most `max` elements: only for element types too large for a bitmask (ip, wide ints,
    # records of them), whose sets are stored as a sorted, counted sequence (see is_bitset).
    max: int | None = None

    def __str__(self) -> str:
        return f"set[{self.elem}, {self.max}]" if self.max is not None else f"set[{self.elem}]"


@dataclass(frozen=True, slots=True)
class MapT(Type):
    key: Type
    value: Type
    total: bool = False

    def __str__(self) -> str:
        return f"{self.key} -> {self.value}" if self.total else f"map[{self.key}, {self.value}]"


@dataclass(frozen=True, slots=True)
class SeqT(Type):
    elem: Type
    max: int | None = None

    def __str__(self) -> str:
        return f"seq[{self.elem}, {self.max}]" if self.max is not None else f"seq[{self.elem}]"


@dataclass(frozen=True, slots=True)
class OptT(Type):
    elem: Type

    def __str__(self) -> str:
        return f"option[{self.elem}]"


@dataclass(frozen=True, slots=True)
class EmptyT(Type):
    """The type of `{}` and `[]` before the context fixes the element type."""

    def __str__(self) -> str:
        return "empty collection"


@dataclass(frozen=True, slots=True)
class LabelT(Type):
    """A process's program counter: its labels plus `done`."""

    process: str
    labels: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.process}.pc"


# ---------------------------------------------------------------- network types (docs/solver.md)

IP_MAX = 2 ** 32 - 1


@dataclass(frozen=True, slots=True)
class IpT(IntT):
    """An IPv4 address: the integers 0 .. 2**32-1 (a 32-bit field of the state) shown as a
    dotted quad. Arithmetic on addresses is integer arithmetic, range-checked when stored."""

    lo: int | None = 0
    hi: int | None = IP_MAX

    def __str__(self) -> str:
        return "ip"


@dataclass(frozen=True, slots=True)
class CidrT(RecordT):
    """A CIDR block: the record {network: ip, prefix: 0..32}, host bits of network zero."""

    fields: tuple[tuple[str, Type], ...] = (("network", IpT()), ("prefix", IntT(0, 32)))
    name: str | None = "cidr"

    def __str__(self) -> str:
        return "cidr"


class Addr(int):
    """The plain value of an ip: an int (so it computes and compares as one) that prints
    as a dotted quad."""

    __slots__ = ()

    def __str__(self) -> str:
        v = int(self)
        return ".".join(str((v >> s) & 255) for s in (24, 16, 8, 0))

    __repr__ = __str__


class Block(tuple):
    """The display value of a cidr: (network, prefix), printed as `10.16.0.0/16`."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{Addr(self[0])}/{self[1]}"

    __repr__ = __str__


def block_range(network: int, prefix: int) -> tuple[int, int]:
    """First and last address of a CIDR block."""
    return network, network + (1 << (32 - prefix)) - 1


# ---------------------------------------------------------------- plain values

@dataclass(frozen=True, slots=True)
class Tag:
    """A value of a sum type: `committed` or `Prepared(2)`."""

    tag: str
    payload: Any = None
    has_payload: bool = False


@dataclass(frozen=True, slots=True)
class Some:
    value: Any


# ---------------------------------------------------------------- sizes and widths

def finite(t: Type) -> bool:
    if isinstance(t, (BoolT, LabelT)):
        return True
    if isinstance(t, IntT):
        return t.bounded
    if isinstance(t, SumT):
        return all(p is None or finite(p) for _, p in t.alts)
    if isinstance(t, RecordT):
        return all(finite(f) for _, f in t.fields)
    if isinstance(t, SetT):
        return finite(t.elem) and (size(t.elem) <= MAX_ELEMENTS or t.max is not None)
    if isinstance(t, OptT):
        return finite(t.elem)
    if isinstance(t, MapT):
        return finite(t.key) and size(t.key) <= MAX_ELEMENTS and finite(t.value)
    if isinstance(t, SeqT):
        return t.max is not None and finite(t.elem)
    return False


def size(t: Type) -> int:
    """Number of values of a finite type."""
    if isinstance(t, BoolT):
        return 2
    if isinstance(t, IntT):
        return max(0, t.hi - t.lo + 1)
    if isinstance(t, LabelT):
        return len(t.labels)
    if isinstance(t, SumT):
        return sum(1 if p is None else size(p) for _, p in t.alts)
    if isinstance(t, RecordT):
        n = 1
        for _, f in t.fields:
            n *= size(f)
        return n
    if isinstance(t, SetT):
        if not is_bitset(t):
            return sum(math.comb(size(t.elem), k) for k in range(t.max + 1))
        return 2 ** size(t.elem)
    if isinstance(t, OptT):
        return size(t.elem) + 1
    if isinstance(t, MapT):
        per = size(t.value) + (0 if t.total else 1)
        return per ** size(t.key)
    if isinstance(t, SeqT):
        n = size(t.elem)
        return sum(n ** k for k in range(t.max + 1))
    raise TypeError(f"size of {t}")


def width(t: Type) -> int:
    """Bits of a code of t."""
    if isinstance(t, BoolT):
        return 1
    if isinstance(t, (IntT, LabelT, SumT)):
        return max(0, size(t) - 1).bit_length()
    if isinstance(t, RecordT):
        return sum(width(f) for _, f in t.fields)
    if isinstance(t, SetT):
        if not is_bitset(t):
            return t.max.bit_length() + t.max * width(t.elem)
        return size(t.elem)
    if isinstance(t, OptT):
        return 1 + width(t.elem)
    if isinstance(t, MapT):
        return size(t.key) * slot_width(t)
    if isinstance(t, SeqT):
        return len_width(t) + t.max * width(t.elem)
    raise TypeError(f"width of {t}")


def slot_width(t: MapT) -> int:
    return width(t.value) + (0 if t.total else 1)


def len_width(t: SeqT) -> int:
    return t.max.bit_length()


def is_code(t: Type) -> bool:
    """True when the run-time representation is the code itself (compound finite types).

    Bools and ints are represented by their natural Python value; sets of an infinite
    element type by frozensets, unbounded sequences by tuples; bounded sets of a large
    element type by frozensets too (their code is packed only when stored: see is_bitset)."""
    if isinstance(t, (BoolT, IntT)) or is_packed_set(t):
        return False
    return finite(t)


def is_bitset(t: Type) -> bool:
    """A set represented by the bitmask of its elements' ordinals (small element types).

    Every other set is a frozenset of its elements' representations at run time; among those,
    a set with a `max` whose element type is finite (`set[ip, 8]`) is also storable in a state
    (is_packed_set): its code is its elements' codes in ascending order after their count,
    the unused slots zero, so equal sets have equal codes."""
    return isinstance(t, SetT) and finite(t.elem) and size(t.elem) <= MAX_ELEMENTS


def is_packed_set(t: Type) -> bool:
    return isinstance(t, SetT) and t.max is not None and not is_bitset(t) and finite(t.elem)


def pack_set(t: SetT, rep: Any) -> int:
    """Code of a packed set given as a frozenset of representations (ValueError if too many)."""
    if len(rep) > t.max:
        raise ValueError(f"a set of {len(rep)} elements does not fit {t}")
    lw, ew = t.max.bit_length(), width(t.elem)
    code = len(rep)
    for i, c in enumerate(sorted(code_of(t.elem, e) for e in rep)):
        code |= c << (lw + i * ew)
    return code


def unpack_set(t: SetT, code: int) -> frozenset:
    lw, ew = t.max.bit_length(), width(t.elem)
    mask = (1 << ew) - 1
    return frozenset(rep_of_code(t.elem, (code >> (lw + i * ew)) & mask)
                     for i in range(code & ((1 << lw) - 1)))


# ---------------------------------------------------------------- ordinals

def ordinal(t: Type, rep: Any) -> int:
    """Dense index (0 .. size-1) of a value given in its run-time representation, computed
    from its parts (mixed radix, the first part most significant), in time linear in the
    value: never by listing the type's values."""
    if isinstance(t, BoolT):
        return int(rep)
    if isinstance(t, IntT):
        return rep - t.lo
    if isinstance(t, (SumT, LabelT, SetT)):
        return rep
    if isinstance(t, RecordT):
        o, off = 0, 0
        for _, ft in t.fields:
            w = width(ft)
            o = o * size(ft) + _ordinal_of_code(ft, (rep >> off) & ((1 << w) - 1))
            off += w
        return o
    if isinstance(t, OptT):
        return 0 if not rep & 1 else 1 + _ordinal_of_code(t.elem, rep >> 1)
    if isinstance(t, MapT):
        sw, vw, per = slot_width(t), width(t.value), size(t.value) + (0 if t.total else 1)
        smask, vmask = (1 << sw) - 1, (1 << vw) - 1
        o = 0
        for i in range(size(t.key)):
            slot = (rep >> (i * sw)) & smask
            if t.total:
                digit = _ordinal_of_code(t.value, slot)
            else:
                digit = 1 + _ordinal_of_code(t.value, slot & vmask) if slot >> vw else 0
            o = o * per + digit
        return o
    if isinstance(t, SeqT):
        lw, ew, n = len_width(t), width(t.elem), size(t.elem)
        length = rep & ((1 << lw) - 1)
        o = sum(n ** k for k in range(length))      # the shorter sequences come first
        d = 0
        for i in range(length):
            d = d * n + _ordinal_of_code(t.elem, (rep >> (lw + i * ew)) & ((1 << ew) - 1))
        return o + d
    raise TypeError(f"ordinal of {t}")


def _ordinal_of_code(t: Type, code: int) -> int:
    return ordinal(t, rep_of_code(t, code))


def from_ordinal(t: Type, o: int) -> Any:
    """Run-time representation of the value with ordinal o (the inverse of `ordinal`, as
    direct: linear in the value)."""
    if isinstance(t, BoolT):
        return bool(o)
    if isinstance(t, IntT):
        return o + t.lo
    if isinstance(t, (SumT, LabelT, SetT)):
        return o
    if isinstance(t, RecordT):
        code, offsets, off = 0, [], 0
        for _, ft in t.fields:
            offsets.append(off)
            off += width(ft)
        for (_, ft), at in zip(reversed(t.fields), reversed(offsets)):
            o, digit = divmod(o, size(ft))
            code |= _code_of_ordinal(ft, digit) << at
        return code
    if isinstance(t, OptT):
        return 0 if o == 0 else (_code_of_ordinal(t.elem, o - 1) << 1) | 1
    if isinstance(t, MapT):
        sw, vw, per = slot_width(t), width(t.value), size(t.value) + (0 if t.total else 1)
        code = 0
        for i in reversed(range(size(t.key))):
            o, digit = divmod(o, per)
            if t.total:
                slot = _code_of_ordinal(t.value, digit)
            else:
                slot = 0 if digit == 0 else _code_of_ordinal(t.value, digit - 1) | (1 << vw)
            code |= slot << (i * sw)
        return code
    if isinstance(t, SeqT):
        lw, ew, n = len_width(t), width(t.elem), size(t.elem)
        length = 0
        while o >= n ** length:
            o -= n ** length
            length += 1
        code = length
        for i in reversed(range(length)):
            o, digit = divmod(o, n)
            code |= _code_of_ordinal(t.elem, digit) << (lw + i * ew)
        return code
    raise TypeError(f"from_ordinal of {t}")


def _code_of_ordinal(t: Type, o: int) -> int:
    return code_of(t, from_ordinal(t, o))


def values(t: Type) -> list[Any]:
    """The run-time representation of every value of a finite type, in ordinal order: the
    list `[from_ordinal(t, o) for o in range(size(t))]`, built as the product of its parts'
    codes (a shift and an or per value, where `from_ordinal` walks the type once per value:
    enumerating a type of a million functions is a fraction of a second, not tens)."""
    if isinstance(t, RecordT):
        parts, at = [], 0
        for _, ft in t.fields:
            parts.append([c << at for c in _codes(ft)])
            at += width(ft)
        return _product(parts, [0])
    if isinstance(t, OptT):
        return [0, *((c << 1) | 1 for c in _codes(t.elem))]
    if isinstance(t, MapT):
        sw, vw = slot_width(t), width(t.value)
        slots = _codes(t.value) if t.total else [0, *(c | (1 << vw) for c in _codes(t.value))]
        return _product([[c << (i * sw) for c in slots] for i in range(size(t.key))], [0])
    if isinstance(t, SeqT):
        lw, ew, elems = len_width(t), width(t.elem), _codes(t.elem)
        out: list[int] = []
        for length in range(t.max + 1):
            out += _product([[c << (lw + i * ew) for c in elems] for i in range(length)], [length])
        return out
    return [from_ordinal(t, o) for o in range(size(t))]


def _codes(t: Type) -> list[int]:
    """The codes of every value of t in ordinal order (a composite's code is its rep)."""
    if isinstance(t, (RecordT, OptT, MapT, SeqT)):
        return values(t)
    return [_code_of_ordinal(t, o) for o in range(size(t))]


def _product(parts: list[list[int]], start: list[int]) -> list[int]:
    # the first part is the most significant digit of the ordinal, as in from_ordinal
    out = start
    for part in parts:
        out = [a | c for a in out for c in part]
    return out


def all_plain(t: Type) -> Iterator[Any]:
    """Every value of a finite type as plain data, in ordinal order."""
    if isinstance(t, RecordT):
        for combo in itertools.product(*(list(all_plain(f)) for _, f in t.fields)):
            yield tuple(combo)
    elif isinstance(t, OptT):
        yield None
        for v in all_plain(t.elem):
            yield Some(v)
    elif isinstance(t, SeqT):
        elems = list(all_plain(t.elem))
        for n in range(t.max + 1):
            yield from itertools.product(elems, repeat=n)
    elif isinstance(t, MapT):
        keys = list(all_plain(t.key))
        vals = list(all_plain(t.value))
        choices = vals if t.total else [_ABSENT] + vals
        for combo in itertools.product(choices, repeat=len(keys)):
            yield {k: v for k, v in zip(keys, combo) if v is not _ABSENT}
    else:
        for o in range(size(t)):
            yield to_plain(t, from_ordinal(t, o))


_ABSENT = object()


# ---------------------------------------------------------------- codes <-> plain values

def code_of(t: Type, rep: Any) -> int:
    """The code of a run-time value (its bits inside a packed parent)."""
    if isinstance(t, BoolT):
        return 1 if rep else 0
    if isinstance(t, IntT):
        return rep - t.lo
    if is_packed_set(t):
        return pack_set(t, rep)
    return rep


def rep_of_code(t: Type, code: int) -> Any:
    if isinstance(t, BoolT):
        return bool(code)
    if isinstance(t, IntT):
        return code + t.lo
    if is_packed_set(t):
        return unpack_set(t, code)
    return code


def to_plain(t: Type, rep: Any) -> Any:
    """Run-time representation -> plain Python value (for display, ITF, constants)."""
    if isinstance(t, BoolT):
        return bool(rep)
    if isinstance(t, IpT):
        return Addr(rep)
    if isinstance(t, IntT):
        return rep
    if isinstance(t, LabelT):
        return t.labels[rep]
    if isinstance(t, SumT):
        return _sum_plain(t, rep)
    if isinstance(t, SetT):
        if not is_bitset(t):   # a frozenset of the elements' run-time representations
            return frozenset(to_plain(t.elem, x) for x in rep)
        return frozenset(to_plain(t.elem, from_ordinal(t.elem, o)) for o in bits(rep))
    if isinstance(t, SeqT) and not finite(t):
        return tuple(to_plain(t.elem, x) for x in rep)
    if isinstance(t, OptT) and not finite(t):   # None, or a 1-tuple of the value's representation
        return None if rep is None else Some(to_plain(t.elem, rep[0]))
    if isinstance(t, MapT) and not finite(t):   # a frozenset of (key, value) representations
        return {to_plain(t.key, k): to_plain(t.value, v) for k, v in rep}
    return _unpack(t, rep)


def _sum_plain(t: SumT, o: int) -> Tag:
    for (tag, payload), base in zip(t.alts, t.bases()):
        n = 1 if payload is None else size(payload)
        if o < base + n:
            if payload is None:
                return Tag(tag)
            inner = from_ordinal(payload, o - base)
            return Tag(tag, to_plain(payload, inner), True)
    raise ValueError(f"ordinal {o} out of range for {t}")


def _unpack(t: Type, code: int) -> Any:
    if isinstance(t, RecordT):
        out, off = [], 0
        for _, ft in t.fields:
            w = width(ft)
            out.append(to_plain(ft, rep_of_code(ft, (code >> off) & ((1 << w) - 1))))
            off += w
        return tuple(out)
    if isinstance(t, OptT):
        if not code & 1:
            return None
        return Some(to_plain(t.elem, rep_of_code(t.elem, code >> 1)))
    if isinstance(t, MapT):
        sw, vw = slot_width(t), width(t.value)
        out = {}
        for o in range(size(t.key)):
            slot = (code >> (o * sw)) & ((1 << sw) - 1)
            if t.total or slot >> vw:
                v = slot & ((1 << vw) - 1)
                out[to_plain(t.key, from_ordinal(t.key, o))] = to_plain(t.value, rep_of_code(t.value, v))
        return out
    if isinstance(t, SeqT):
        lw, ew = len_width(t), width(t.elem)
        n = code & ((1 << lw) - 1)
        return tuple(to_plain(t.elem, rep_of_code(t.elem, (code >> (lw + i * ew)) & ((1 << ew) - 1)))
                     for i in range(n))
    raise TypeError(f"cannot unpack {t}")


def from_plain(t: Type, v: Any) -> Any:
    """Plain Python value -> run-time representation (ValueError when v is not of type t)."""
    if isinstance(t, BoolT):
        return bool(v)
    if isinstance(t, IntT):
        if (t.lo is not None and v < t.lo) or (t.hi is not None and v > t.hi):
            raise ValueError(f"{v} is not in {t}")
        return v
    if isinstance(t, LabelT):
        return t.labels.index(v)
    if isinstance(t, SumT):
        i = t.tag_index(v.tag)
        payload = t.alts[i][1]
        base = t.bases()[i]
        return base if payload is None else base + ordinal(payload, from_plain(payload, v.payload))
    if isinstance(t, SetT):
        if not is_bitset(t):
            if t.max is not None and len(v) > t.max:
                raise ValueError(f"a set of {len(v)} elements does not fit {t}")
            return frozenset(from_plain(t.elem, e) for e in v)
        m = 0
        for e in v:
            m |= 1 << ordinal(t.elem, from_plain(t.elem, e))
        return m
    if isinstance(t, SeqT) and not finite(t):
        return tuple(from_plain(t.elem, e) for e in v)
    if isinstance(t, OptT) and not finite(t):
        return None if v is None else (from_plain(t.elem, v.value),)
    if isinstance(t, MapT) and not finite(t):
        if t.total and finite(t.key) and len(v) != size(t.key):
            raise ValueError(f"a total function {t} needs a value for every key")
        return frozenset((from_plain(t.key, k), from_plain(t.value, x)) for k, x in v.items())
    return _pack(t, v)


def _pack(t: Type, v: Any) -> int:
    if isinstance(t, RecordT):
        code, off = 0, 0
        for (_, ft), fv in zip(t.fields, v):
            code |= code_of(ft, from_plain(ft, fv)) << off
            off += width(ft)
        return code
    if isinstance(t, OptT):
        return 0 if v is None else (code_of(t.elem, from_plain(t.elem, v.value)) << 1) | 1
    if isinstance(t, MapT):
        sw, vw = slot_width(t), width(t.value)
        code = 0
        keys = dict(v)
        if t.total and len(keys) != size(t.key):
            raise ValueError(f"a total function {t} needs a value for every key")
        for k, val in keys.items():
            o = ordinal(t.key, from_plain(t.key, k))
            slot = code_of(t.value, from_plain(t.value, val)) | (0 if t.total else 1 << vw)
            code |= slot << (o * sw)
        return code
    if isinstance(t, SeqT):
        if len(v) > t.max:
            raise ValueError(f"sequence of length {len(v)} exceeds {t}")
        lw, ew = len_width(t), width(t.elem)
        code = len(v)
        for i, e in enumerate(v):
            code |= code_of(t.elem, from_plain(t.elem, e)) << (lw + i * ew)
        return code
    raise TypeError(f"cannot pack {t}")


def bits(m: int) -> Iterator[int]:
    """Positions of the set bits of m, lowest first."""
    while m:
        low = m & -m
        yield low.bit_length() - 1
        m ^= low
