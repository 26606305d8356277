"""Symmetry for a compiled spec: signatures and permutations of packed states.

Input: the spec's IR (its variables' types, `SpecIR.symmetry`: the symmetric types to
reduce by) and its `Layout`. Output: an engine `Symmetry` (engine/symmetry.py) whose
`signature` and `permute` are Python functions generated for this state layout.

Where the values of a symmetric type S (n elements, ordinals 0..n-1) sit in a state,
found by walking each variable's type:
- indexed by an element: the slot of a map keyed by S (or by a sum type with an S
  payload, such as `Prepared(RM)`), the bit of a set of S: element e's field is at
  offset + e * stride. What the field holds is part of e's signature, if it holds no
  symmetric value itself; a permutation moves the fields.
- held at a fixed place: a variable, record field, map value under a fixed key, option
  or sequence element of type S (or a sum type with an S payload): whether it holds e is
  part of e's signature (when the place is in use: an option is some, a sequence long
  enough, a partial map has the key); a permutation renames the value.
Anything else that holds S values (a map from S to S, a set of records with an S field,
an S-indexed place inside another S-indexed place) relates elements to each other: the
signatures are then incomplete, and the engine tries the orders of equal signatures.
Those places are permuted by a slower generic path (decode, permute, encode).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.compile.layout import Layout
from checker.engine.symmetry import Symmetry
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.ir.symmetry import permute_plain, symmetric_types


@dataclass
class _Plan:
    groups: dict[str, T.SymT]
    index: dict[str, int]                                     # group name -> position
    sig: dict[str, list[tuple]] = field(default_factory=dict)  # group -> components
    lines: list[str] = field(default_factory=list)             # permute body
    complete: bool = True
    consts: dict = field(default_factory=dict)


def build_symmetry(spec: ir.SpecIR, layout: Layout) -> Symmetry:
    groups = {}
    for v in spec.vars:
        for s in symmetric_types(v.t):
            if s.name in spec.symmetry:
                groups[s.name] = s
    for a in spec.actions:               # a set no variable holds: nothing to permute
        for p in a.params:
            for s in symmetric_types(p.t):
                if s.name in spec.symmetry:
                    groups.setdefault(s.name, s)
    names = [n for n in spec.symmetry if n in groups]
    plan = _Plan({n: groups[n] for n in names}, {n: i for i, n in enumerate(names)})
    for n in names:
        plan.sig[n] = []
    for i, v in enumerate(spec.vars):
        if any(s.name in plan.groups for s in symmetric_types(v.t)):
            _variable(plan, i, v.t, layout)
    ns: dict = dict(plan.consts)
    ns["_generic"] = lambda t, code, P: generic_permute(t, code, P, plan.groups, names)
    exec(compile(_source(plan), "<kovn symmetry>", "exec"), ns)
    return Symmetry(names, [T.size(plan.groups[n]) for n in names], ns["_signature"], ns["_permute"],
                    plan.complete, canonical=ns.get("_canonical"))


# ---------------------------------------------------------------- the walk over a variable's type

def _variable(plan: _Plan, i: int, t: T.Type, layout: Layout) -> None:
    off, width = layout.offset(i), layout.width(i)
    if _fast(plan, t):
        _signature_parts(plan, t, off, ())
        plan.lines.extend(_fast_permute(plan, t, off, width))
        return
    # generic: decode the variable, permute its plain value, encode it again
    _signature_parts(plan, t, off, ())
    name = f"_T{i}"
    plan.consts[name] = t
    mask = (1 << width) - 1
    plan.lines.append(f"v = (s >> {off}) & {mask}")
    plan.lines.append(f"t = (t & ~({mask} << {off})) | (_generic({name}, v, P) << {off})")


def _group(plan: _Plan, t: T.Type) -> str | None:
    return t.name if isinstance(t, T.SymT) and t.name in plan.groups else None


def _pure(plan: _Plan, t: T.Type) -> bool:
    return not any(s.name in plan.groups for s in symmetric_types(t))


def _sum_ranges(plan: _Plan, t: T.SumT) -> list[tuple[str, int]] | None:
    """(group, base ordinal) of each alternative whose payload is a symmetric element;
    None when some payload holds one in any other way."""
    out = []
    for (_tag, p), base in zip(t.alts, t.bases()):
        if p is None or _pure(plan, p):
            continue
        g = _group(plan, p)
        if g is None:
            return None
        out.append((g, base))
    return out


def _fast(plan: _Plan, t: T.Type) -> bool:
    """Can _fast_permute handle this variable's type (a map keyed by an element or a
    sum over elements with pure values, a set of elements, an element)?"""
    if _group(plan, t) is not None:
        return True
    if isinstance(t, T.SumT):
        return _sum_ranges(plan, t) is not None
    if isinstance(t, T.MapT) and T.finite(t):
        key_ok = _group(plan, t.key) is not None or _pure(plan, t.key) or (
            isinstance(t.key, T.SumT) and _sum_ranges(plan, t.key) is not None)
        return key_ok and (_pure(plan, t.value) or (_pure(plan, t.key) and _fast(plan, t.value)))
    if isinstance(t, T.SetT) and T.is_bitset(t):
        e = t.elem
        return _group(plan, e) is not None or (isinstance(e, T.SumT) and _sum_ranges(plan, e) is not None)
    if isinstance(t, T.RecordT):
        return all(_pure(plan, f) or _fast(plan, f) for _, f in t.fields)
    if isinstance(t, T.OptT) and T.finite(t):
        return _fast(plan, t.elem)
    return False


def _signature_parts(plan: _Plan, t: T.Type, off: int, guards: tuple) -> None:
    """Record the signature components of a place of type t at bit `off` reached by a
    fixed path (guards: (offset, width, minimum) fields that must hold for it to be in use)."""
    if _pure(plan, t):
        return
    g = _group(plan, t)
    if g is not None:
        plan.sig[g].append(("value", off, T.width(t), 0, guards))
        return
    if isinstance(t, T.SumT):
        ranges = _sum_ranges(plan, t)
        if ranges is None:
            plan.complete = False
            return
        for g, base in ranges:
            plan.sig[g].append(("value", off, T.width(t), base, guards))
        return
    if isinstance(t, T.RecordT):
        for name, ft in t.fields:
            _signature_parts(plan, ft, off + t.offset(name), guards)
        return
    if isinstance(t, T.OptT) and T.finite(t):
        _signature_parts(plan, t.elem, off + 1, guards + ((off, 1, 1),))
        return
    if isinstance(t, T.SeqT) and T.finite(t):
        lw, ew = T.len_width(t), T.width(t.elem)
        for k in range(t.max):
            _signature_parts(plan, t.elem, off + lw + k * ew, guards + ((off, lw, k + 1),))
        return
    if isinstance(t, T.SetT) and T.is_bitset(t):
        _indexed(plan, t.elem, off, 1, 1, 0, guards)
        return
    if isinstance(t, T.MapT) and T.finite(t):
        sw, vw = T.slot_width(t), T.width(t.value)
        if not _pure(plan, t.key):
            if not _pure(plan, t.value):
                # relates elements (a map from S to S): what a slot holds names another
                # element, so it is no signature; the orders of all elements are tried
                plan.complete = False
                return
            _indexed(plan, t.key, off, sw, sw, vw, guards)
            return
        for k in range(T.size(t.key)):      # fixed keys, values holding elements
            present = () if t.total else ((off + k * sw + vw, 1, 1),)
            _signature_parts(plan, t.value, off + k * sw, guards + present)
        return
    plan.complete = False


def _indexed(plan: _Plan, key: T.Type, off: int, stride: int, width: int, vw: int, guards: tuple) -> None:
    """Fields indexed by the elements: the ordinal of the key type picks the field. (A
    place not in use holds zeros, the same for every element: guards change nothing.)"""
    g = _group(plan, key)
    if g is not None:
        plan.sig[g].append(("indexed", off, stride, width))
        return
    ranges = _sum_ranges(plan, key) if isinstance(key, T.SumT) else None
    if ranges is None:
        plan.complete = False
        return
    for g, base in ranges:
        plan.sig[g].append(("indexed", off + base * stride, stride, width))


# ---------------------------------------------------------------- permuting, fast cases

def _fast_permute(plan: _Plan, t: T.Type, off: int, width: int) -> list[str]:
    """Lines that rewrite the variable of type t at `off` in `t` (the state being built)
    from `s` (the original), with P[k] the permutation of group k."""
    mask = (1 << width) - 1
    code = _code_expr(plan, t, f"((s >> {off}) & {mask})")
    return [f"t = (t & ~({mask} << {off})) | ({code} << {off})"]


def _code_expr(plan: _Plan, t: T.Type, x: str) -> str:
    """An expression for the permuted code of a value of type t whose code is x."""
    if _pure(plan, t):
        return x
    g = _group(plan, t)
    if g is not None:
        return f"P[{plan.index[g]}][{x}]"
    if isinstance(t, T.SumT):
        return f"_sumperm({_ranges_const(plan, t)}, {x}, P)"
    if isinstance(t, T.OptT):
        inner = _code_expr(plan, t.elem, "(_c >> 1)")
        return f"(lambda _c: (({inner}) << 1) | 1 if _c & 1 else 0)({x})"
    if isinstance(t, T.RecordT):
        parts = []
        for name, ft in t.fields:
            fo, fw = t.offset(name), T.width(ft)
            parts.append(f"({_code_expr(plan, ft, f'((_c >> {fo}) & {(1 << fw) - 1})')} << {fo})")
        return f"(lambda _c: {' | '.join(parts) or '0'})({x})"
    if isinstance(t, T.SetT):
        ranges = _ranges(plan, t.elem)
        if sum(n for _, _, n in ranges) <= _UNROLL:
            return f"(lambda _c: {_moved(ranges, 1, 1)})({x})"
        return f"_setperm({_ranges_const(plan, t.elem)}, {x}, P)"
    if isinstance(t, T.MapT):
        sw, n = T.slot_width(t), T.size(t.key)
        if _pure(plan, t.key):
            vw = T.width(t.value)
            inner = _code_expr(plan, t.value, f"((_c >> {{k}}) & {(1 << vw) - 1})")
            parts = []
            for k in range(n):
                so = k * sw
                v = inner.replace("{k}", str(so))
                if t.total:
                    parts.append(f"({v} << {so})")
                else:
                    parts.append(f"(((({v}) | {1 << vw}) << {so}) if (_c >> {so + vw}) & 1 else 0)")
            return f"(lambda _c: {' | '.join(parts)})({x})"
        ranges = _ranges(plan, t.key)
        if sum(n for _, _, n in ranges) <= _UNROLL:
            return f"(lambda _c: {_moved(ranges, sw, (1 << sw) - 1)})({x})"
        return f"_mapperm({_ranges_const(plan, t.key)}, {x}, {sw}, {(1 << sw) - 1}, {n}, P)"
    raise AssertionError(t)


def _ranges(plan: _Plan, t: T.Type) -> tuple[tuple[int, int, int], ...]:
    """((group index, base, n), ...): the element ranges of a key type."""
    g = _group(plan, t)
    if g is not None:
        return ((plan.index[g], 0, T.size(t)),)
    return tuple((plan.index[g], base, T.size(plan.groups[g])) for g, base in _sum_ranges(plan, t))


def _ranges_const(plan: _Plan, t: T.Type) -> str:
    """The ranges of a key type as a constant of the generated module (for the loops)."""
    name = f"_R{len(plan.consts)}"
    plan.consts[name] = _ranges(plan, t)
    return name


_UNROLL = 64        # up to this many element fields, a permutation is written out field by field


def _moved(ranges, stride: int, mask: int) -> str:
    """`_c` (fields of `stride` bits indexed by ordinal) with each element's field moved to
    its new ordinal: what _setperm (stride 1) and _mapperm do in a loop, written out."""
    moving = 0
    for _, base, n in ranges:
        moving |= ((1 << (n * stride)) - 1) << (base * stride)
    terms = [f"(_c & {~moving})"]      # the fields of other keys stay
    for k, base, n in ranges:
        for e in range(n):
            field = f"((_c >> {(base + e) * stride}) & {mask})"
            terms.append(f"({field} << ({base * stride} + P[{k}][{e}] * {stride}))" if stride > 1
                         else f"({field} << ({base} + P[{k}][{e}]))")
    return " | ".join(terms)


# ---------------------------------------------------------------- the generated module

_HELPERS = '''
def _sumperm(ranges, c, P):
    for k, base, n in ranges:
        if base <= c < base + n:
            return base + P[k][c - base]
    return c

def _setperm(ranges, c, P):
    out = c
    for k, base, n in ranges:
        p = P[k]
        field = (c >> base) & ((1 << n) - 1)
        moved = 0
        e = 0
        while field:
            if field & 1:
                moved |= 1 << p[e]
            field >>= 1
            e += 1
        out = (out & ~(((1 << n) - 1) << base)) | (moved << base)
    return out

def _mapperm(ranges, c, sw, slot, nkeys, P):
    out = c
    for k, base, n in ranges:
        p = P[k]
        moved = 0
        for e in range(n):
            moved |= ((c >> ((base + e) * sw)) & slot) << ((base + p[e]) * sw)
        clear = ((1 << (n * sw)) - 1) << (base * sw)
        out = (out & ~clear) | moved
    return out
'''


def _source(plan: _Plan) -> str:
    names = list(plan.groups)
    lines = ["def _signature(s):", "    return ("]
    for g in names:
        n = T.size(plan.groups[g])
        lines.append("        [" + ", ".join(_sig_expr(plan.sig[g], e) for e in range(n)) + "],")
    lines.append("    )")
    lines.append("def _permute(s, P):")
    lines.append("    t = s")
    lines.extend("    " + x for x in plan.lines)
    lines.append("    return t")
    if plan.complete:
        lines.extend(_canonical_source(plan))
    return _HELPERS + "\n".join(lines) + "\n"


def _canonical_source(plan: _Plan) -> list[str]:
    """`_canonical(s)` for complete signatures: Symmetry._sorted, written out for this
    layout. Each element's signature and ordinal are packed into one int (ordinal in the low
    bits), so one sort of ints orders the elements by signature, ties by ordinal, exactly
    as the stable sort by signature does; an already sorted state is its own representative."""
    lines = ["def _canonical(s):"]
    names = list(plan.groups)
    for k, g in enumerate(names):
        n = T.size(plan.groups[g])
        bits = max(1, (n - 1).bit_length())
        keys = ", ".join(f"(({_sig_expr(plan.sig[g], e)}) << {bits}) | {e}" for e in range(n))
        lines.append(f"    k{k} = [{keys}]")
        lines.append(f"    o{k} = sorted(k{k})")
    lines.append("    if " + " and ".join(f"o{k} == k{k}" for k in range(len(names))) + ":")
    lines.append("        return s")
    for k, g in enumerate(names):
        n = T.size(plan.groups[g])
        mask = (1 << max(1, (n - 1).bit_length())) - 1
        lines.append(f"    p{k} = [0] * {n}")
        lines.extend(f"    p{k}[o{k}[{j}] & {mask}] = {j}" for j in range(n))
    lines.append(f"    return _permute(s, ({''.join(f'p{k}, ' for k in range(len(names)))}))")
    return lines


def _sig_expr(parts: list[tuple], e: int) -> str:
    """Element e's signature: its components packed into one int."""
    terms, shift = [], 0
    for part in parts:
        if part[0] == "indexed":
            _, off, stride, width = part
            terms.append(f"(((s >> {off + e * stride}) & {(1 << width) - 1}) << {shift})")
            shift += width
        else:
            _, off, width, base, guards = part
            cond = " and ".join([f"((s >> {go}) & {(1 << gw) - 1}) >= {gm}" for go, gw, gm in guards]
                                + [f"((s >> {off}) & {(1 << width) - 1}) == {base + e}"])
            terms.append(f"((1 << {shift}) if {cond} else 0)")
            shift += 1
    return " | ".join(terms) or "0"


def generic_permute(t: T.Type, code: int, P, groups: dict[str, T.SymT], order: list[str]) -> int:
    """The code of t's value permuted (decode, permute the plain value, encode)."""
    perms = {name: {groups[name].lo + e: groups[name].lo + P[k][e] for e in range(T.size(groups[name]))}
             for k, name in enumerate(order)}
    plain = T.to_plain(t, T.rep_of_code(t, code))
    return T.code_of(t, T.from_plain(t, permute_plain(t, plain, perms)))
