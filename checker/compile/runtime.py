"""Helpers that generated successor code calls for the less common operations.

Input/output: run-time representations (see semantics/types.py). Each helper that can fail
takes `oid`, an index into the compiled model's table of source spans, and raises
`ModelError` with that span; nothing here knows the spec.
"""
from __future__ import annotations

import itertools

from checker.engine.model import ModelError
from checker.semantics import types as T

ORIGINS: list = []   # replaced per compiled module: oid -> span


class Failure:
    """Binds a module's origin table so helpers can turn an oid into a span."""

    def __init__(self, origins: list):
        self.origins = origins

    def __call__(self, oid: int, message: str):
        raise ModelError(message, self.origins[oid] if 0 <= oid < len(self.origins) else None)


MEMO = 65536   # remembered ordinals per direction and model (composite values only)


def make_helpers(fail: Failure) -> dict:
    """The helper functions, closed over one model's failure reporter."""

    # The positions of a bit set's elements: a model meets the same set values over and
    # over (the messages sent so far), so they are remembered (at most MEMO of them).
    bits_memo: dict = {}

    def _bits(m):
        try:
            return bits_memo[m]
        except KeyError:
            pass
        out = []
        x = m
        while x:
            low = x & -x
            out.append(low.bit_length() - 1)
            x ^= low
        if len(bits_memo) >= MEMO:
            bits_memo.clear()
        out = bits_memo[m] = tuple(out)
        return out

    def _bits_off(m, lo):
        out = []
        while m:
            low = m & -m
            out.append(low.bit_length() - 1 + lo)
            m ^= low
        return out

    def _bitset(ordinals):
        m = 0
        for o in ordinals:
            m |= 1 << o
        return m

    def _range(lo, hi, oid):
        # a range whose bounds are only known while exploring (`r.first .. r.last`)
        if hi - lo + 1 > T.ENUM_LIMIT:
            fail(oid, f"the set {lo}..{hi} has {hi - lo + 1:,} elements, more than the "
                      f"{T.ENUM_LIMIT:,} a set value may have")
        return frozenset(range(lo, hi + 1))

    def _range_iter(lo, hi, oid):
        # the same range iterated in order (quantifiers, loops): the same limit
        if hi - lo + 1 > T.ENUM_LIMIT:
            _range(lo, hi, oid)
        return range(lo, hi + 1)

    def _rng(v, lo, hi, oid):
        if lo <= v <= hi:
            return v
        fail(oid, f"value {v} is outside {lo}..{hi}")

    def _key(v, lo, hi, oid):
        if lo <= v <= hi:
            return v - lo
        fail(oid, f"key {v} is outside the map's keys {lo}..{hi}")

    def _in_rng(s, v, lo, hi):
        return lo <= v <= hi and (s >> (v - lo)) & 1

    def _div(a, b, oid):
        if b == 0:
            fail(oid, "division by zero")
        return a // b

    def _mod(a, b, oid):
        if b == 0:
            fail(oid, "modulo by zero")
        return a % b

    def _mget(m, o, sw, vw, oid):
        slot = m >> (o * sw)
        if (slot >> vw) & 1:
            return slot & ((1 << vw) - 1)
        fail(oid, "the map has no value at this key")

    def _splice(m, off, mask, code):
        return (m & ~(mask << off)) | (code << off)

    def _mkeys(m, n, sw, vw):
        keys = 0
        for o in range(n):
            if (m >> (o * sw + vw)) & 1:
                keys |= 1 << o
        return keys

    def _mlen(m, n, sw, vw):
        return _mkeys(m, n, sw, vw).bit_count()

    def _mapbuild(pairs, sw, pbit, total_n, oid):
        m = 0
        seen = 0
        for o, code in pairs:
            m = (m & ~(((1 << sw) - 1) << (o * sw))) | ((code | pbit) << (o * sw))
            seen |= 1 << o
        if total_n is not None and seen != (1 << total_n) - 1:
            fail(oid, "a function must give a value for every key of its key type")
        return m

    def _minset(s, lo, oid):
        if not s:
            fail(oid, "min of an empty set")
        return (s & -s).bit_length() - 1 + lo

    def _maxset(s, lo, oid):
        if not s:
            fail(oid, "max of an empty set")
        return s.bit_length() - 1 + lo

    def _minany(xs, oid):
        xs = list(xs)
        if not xs:
            fail(oid, "min of an empty collection")
        return min(xs)

    def _maxany(xs, oid):
        xs = list(xs)
        if not xs:
            fail(oid, "max of an empty collection")
        return max(xs)

    def _oget(o, lo, oid):
        if o & 1:
            return (o >> 1) + lo
        fail(oid, "get() of none")

    def _tget(o, oid):
        if o is None:
            fail(oid, "get() of none")
        return o[0]

    # packed sequences: length in the low lw bits, element i at lw + i*ew
    def _slen(s, lw):
        return s & ((1 << lw) - 1)

    def _sget(s, i, lw, ew, oid):
        n = s & ((1 << lw) - 1)
        if not 0 <= i < n:
            fail(oid, f"index {i} is outside the sequence (length {n})")
        return (s >> (lw + i * ew)) & ((1 << ew) - 1)

    def _sset(s, i, code, lw, ew, oid):
        n = s & ((1 << lw) - 1)
        if not 0 <= i < n:
            fail(oid, f"index {i} is outside the sequence (length {n})")
        off = lw + i * ew
        return (s & ~(((1 << ew) - 1) << off)) | (code << off)

    def _sappend(s, code, lw, ew, mx, oid):
        n = s & ((1 << lw) - 1)
        if n >= mx:
            fail(oid, f"append to a full sequence (at most {mx} elements)")
        return ((s & ~((1 << lw) - 1)) | (n + 1)) | (code << (lw + n * ew))

    def _shead(s, lw, ew, oid):
        if not s & ((1 << lw) - 1):
            fail(oid, "head of an empty sequence")
        return (s >> lw) & ((1 << ew) - 1)

    def _slast(s, lw, ew, oid):
        n = s & ((1 << lw) - 1)
        if not n:
            fail(oid, "last of an empty sequence")
        return (s >> (lw + (n - 1) * ew)) & ((1 << ew) - 1)

    def _stail(s, lw, ew, oid):
        n = s & ((1 << lw) - 1)
        if not n:
            fail(oid, "tail of an empty sequence")
        return ((s >> (lw + ew)) << lw) | (n - 1)

    def _spack(codes, lw, ew, mx, oid):
        codes = list(codes)
        if len(codes) > mx:
            fail(oid, f"a sequence of {len(codes)} elements does not fit (at most {mx})")
        s = len(codes)
        for i, c in enumerate(codes):
            s |= c << (lw + i * ew)
        return s

    def _tidx(s, i, oid):
        if not 0 <= i < len(s):
            fail(oid, f"index {i} is outside the sequence (length {len(s)})")
        return s[i]

    def _tset(s, i, v, oid):
        if not 0 <= i < len(s):
            fail(oid, f"index {i} is outside the sequence (length {len(s)})")
        return s[:i] + (v,) + s[i + 1:]

    def _tnonempty(s, oid, what):
        if not s:
            fail(oid, f"{what} of an empty sequence")
        return s

    def _powerset(v, inner, outer):
        """powerset(S): every subset of S (of type inner), as a value of type outer."""
        elems = sorted(T.to_plain(inner, v), key=repr)
        subsets = {frozenset(c) for r in range(len(elems) + 1) for c in itertools.combinations(elems, r)}
        return T.from_plain(outer, subsets)

    def _conv(v, src, dst, oid):
        try:
            return T.from_plain(dst, T.to_plain(src, v))
        except (ValueError, KeyError) as exc:
            fail(oid, f"value does not fit {dst}: {exc}")

    # maps of an infinite type: frozensets of (key, value) pairs
    def _nfmap(pairs, total_n, oid):
        d = {}
        for k, v in pairs:      # a later pair overrides an earlier one
            d[k] = v
        if total_n is not None and len(d) != total_n:
            fail(oid, "a function must give a value for every key of its key type")
        return frozenset(d.items())

    def _nfget(m, k, oid):
        for key, v in m:
            if key == k:
                return v
        fail(oid, "the map has no value at this key")

    def _nfset(m, k, v):
        return frozenset([(key, x) for key, x in m if key != k] + [(k, v)])

    def _nfremove(m, k):
        return frozenset((key, x) for key, x in m if key != k)

    def _nfkeys(m, key_t):
        if key_t is None:
            return frozenset(k for k, _ in m)
        return _bitset(T.ordinal(key_t, k) for k, _ in m)

    # Ordinals of composite values (records as map keys, maps and sequences as values) go
    # through the generic code in semantics/types.py; a model meets few distinct such values
    # over and over, so both directions are remembered per model (keyed by the type's identity:
    # the types live as long as the model).
    # (At most MEMO entries each: a type with more distinct values than that starts afresh.)
    ord_memo: dict = {}
    from_memo: dict = {}

    def _ord(t, v):
        key = (id(t), v)
        try:
            return ord_memo[key]
        except KeyError:
            if len(ord_memo) >= MEMO:
                ord_memo.clear()
            o = ord_memo[key] = T.ordinal(t, v)
            return o
        except TypeError:          # an unhashable representation: not remembered
            return T.ordinal(t, v)

    def _from_ord(t, o):
        key = (id(t), o)
        try:
            return from_memo[key]
        except KeyError:
            if len(from_memo) >= MEMO:
                from_memo.clear()
            v = from_memo[key] = T.from_ordinal(t, o)
            return v

    def _elems(t, m):
        return [_from_ord(t, o) for o in _bits(m)]

    # bounded sets of a large element type (`set[ip, 8]`): frozensets while computing,
    # their elements' codes in ascending order once stored (types.is_bitset)
    def _pset_code(s, t, oid):
        if len(s) > t.max:
            fail(oid, f"a set of {len(s)} elements does not fit {t}")
        return T.pack_set(t, s)

    def _pset_rep(code, t):
        return T.unpack_set(t, code)

    def _pset_fit(s, t, oid):
        if len(s) > t.max:
            fail(oid, f"a set of {len(s)} elements does not fit {t}")
        return s

    # addresses and CIDR blocks (a cidr is network | prefix << 32: CidrT's record layout)
    def _in_cidr(x, c):
        n = c & 0xFFFFFFFF
        return n <= x < n + (1 << (32 - (c >> 32)))

    def _broadcast(c):
        return (c & 0xFFFFFFFF) + (1 << (32 - (c >> 32))) - 1

    def _gateway(c):
        # the first address after the network (Kube-OVN's default gateway); /31 and /32
        # blocks have no room for one: the network address itself
        return (c & 0xFFFFFFFF) + (1 if c >> 32 <= 30 else 0)

    def _cidr(a, p, oid):
        if not 0 <= p <= 32:
            fail(oid, f"prefix length {p} is outside 0..32")
        if not 0 <= a <= 0xFFFFFFFF:
            fail(oid, f"{a} is not an IPv4 address")
        return (a & ~((1 << (32 - p)) - 1) & 0xFFFFFFFF) | (p << 32)

    return {k: v for k, v in locals().items() if k.startswith("_") and callable(v)}
