"""Symmetry for a compiled spec: signatures and permutations of packed states.

Input: the spec's IR (its variables' types, `SpecIR.symmetry`: the symmetric types to
reduce by) and its `Layout`. Output: an engine `Symmetry` (engine/symmetry.py) whose
`signature` and `permute` are Python functions generated for this state layout.

Where the values of a symmetric type S (n elements, ordinals 0..n-1) sit in a state,
found by walking each variable's type:
- indexed by an element: the slot of a map keyed by S (or by a small type whose values
  hold one S value each, such as `Prepared(RM)` or `IP({pod: PodId, index: NicId})`), the
  bit of a set of those: element e's fields are at the ordinals of its values in each
  *lane* (`_lanes`: the values that differ only in the element they hold). What the
  field holds is part of e's signature, if it holds no symmetric value itself; a
  permutation moves the fields.
- held at a fixed place: a variable, record field, map value under a fixed key, option
  or sequence element of type S (or a sum type with an S payload): whether it holds e is
  part of e's signature (when the place is in use: an option is some, a sequence long
  enough, a partial map has the key); a permutation renames the value.
Anything else that holds S values (a map from S to S, a set of pairs of S values, an
S-indexed place whose value holds S values) relates elements to each other: the
signatures are then incomplete, and the engine tries the orders of equal signatures.
Those places are permuted by generated code too where their types are small (`_fast`),
else by a slower generic path (decode, permute, encode).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.compile.codecache import compiled
from checker.compile.layout import Layout
from checker.engine.symmetry import Symmetry
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.ir.symmetry import permute_plain, symmetric_types


@dataclass
class _Plan:
    groups: dict[str, T.SymT]
    index: dict[str, int]                                     # group name -> position
    names: list[str] = field(default_factory=list)            # position -> group name
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
    plan = _Plan({n: groups[n] for n in names}, {n: i for i, n in enumerate(names)}, list(names))
    for n in names:
        plan.sig[n] = []
    for i, v in enumerate(spec.vars):
        if any(s.name in plan.groups for s in symmetric_types(v.t)):
            _variable(plan, i, v.t, layout)
    ns: dict = dict(plan.consts)
    ns["_generic"] = lambda t, code, P: generic_permute(t, code, P, plan.groups, names)
    ns["_specialise"] = lambda key: _specialised(plan, key, ns)
    exec(compiled(_source(plan), "<kovn symmetry>"), ns)
    sym = Symmetry(names, [T.size(plan.groups[n]) for n in names], ns["_signature"], ns["_permute"],
                   plan.complete, canonical=ns["_canonical"])
    ns["_tied"] = sym._searched          # incomplete signatures with ties: try their orders
    return sym


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


Lane = tuple[int, tuple[int, ...]]      # (group index, the ordinals of one value per element)


def _lanes(plan: _Plan, t: T.Type) -> tuple[Lane, ...] | None:
    """How a permutation moves the values of a small type t, by ordinal: each lane is the
    ordinals of the values that differ only in the one element they hold (`Pod(1)`,
    `Pod(2)`; `IP({pod: 1, index: 2})`, `IP({pod: 2, index: 2})`), in element order, so
    element e's value lane[e] becomes lane[P[e]]. Values that hold no element stay. None
    when some value holds two elements (a pair of pods relates them: no lanes), or t is too
    large to list."""
    g = _group(plan, t)
    if g is not None:
        return ((plan.index[g], tuple(range(T.size(t)))),)
    if _pure(plan, t):
        return ()
    key = (t, tuple(plan.index))
    if key in _LANES:
        return _LANES[key]
    out = None
    if T.finite(t) and T.size(t) <= T.MAX_ELEMENTS:
        out = _list_lanes(plan, t)
    _LANES[key] = out
    return out


_LANES: dict = {}


def _list_lanes(plan: _Plan, t: T.Type) -> tuple[Lane, ...] | None:
    lanes: dict = {}
    for o, v in enumerate(T.all_plain(t)):
        held = _held(plan, t, v)
        if not held:
            continue
        if len(held) > 1:
            return None
        g, x = held[0]
        lo = plan.groups[g].lo
        base = permute_plain(t, v, {g: {x: lo}})      # the value with element 0 in its place
        try:
            lane = lanes.setdefault((g, base), [None] * T.size(plan.groups[g]))
        except TypeError:                             # a map value: no lanes
            return None
        lane[x - lo] = o
    return tuple((plan.index[g], tuple(lane)) for (g, _), lane in lanes.items())


def _held(plan: _Plan, t: T.Type, v) -> list[tuple[str, int]]:
    """The elements of the plan's groups inside the plain value v of type t."""
    g = _group(plan, t)
    if g is not None:
        return [(g, v)]
    if _pure(plan, t):
        return []
    if isinstance(t, T.SumT):
        p = t.payload(v.tag)
        return _held(plan, p, v.payload) if v.has_payload else []
    if isinstance(t, T.RecordT):
        return [h for (_, ft), x in zip(t.fields, v) for h in _held(plan, ft, x)]
    if isinstance(t, (T.SetT, T.SeqT)):
        return [h for x in v for h in _held(plan, t.elem, x)]
    if isinstance(t, T.OptT):
        return [] if v is None else _held(plan, t.elem, v.value)
    if isinstance(t, T.MapT):
        return [h for k, x in v.items() for h in _held(plan, t.key, k) + _held(plan, t.value, x)]
    return []


def _fast(plan: _Plan, t: T.Type) -> bool:
    """Can _fast_permute handle this variable's type (elements, and values of small types
    that hold one element, as keys, set elements and sum values; records, options,
    sequences and maps of those)?"""
    if _group(plan, t) is not None:
        return True
    if isinstance(t, T.SumT):
        return _lanes(plan, t) is not None
    if isinstance(t, T.MapT) and T.finite(t):
        if _lanes(plan, t.key) is None:
            return False
        # values holding elements: every slot written out (as for fixed keys); with keys
        # that move too, only for small key types
        return _pure(plan, t.value) or (_fast(plan, t.value) and (_pure(plan, t.key)
                                                                  or T.size(t.key) <= _UNROLL))
    if isinstance(t, T.SetT) and T.is_bitset(t):
        return _lanes(plan, t.elem) is not None
    if isinstance(t, T.RecordT):
        return all(_pure(plan, f) or _fast(plan, f) for _, f in t.fields)
    if isinstance(t, (T.OptT, T.SeqT)) and T.finite(t):
        return _fast(plan, t.elem)
    return False


def _signature_parts(plan: _Plan, t: T.Type, off: int, guards: tuple) -> None:
    """Record the signature components of a place of type t at bit `off` reached by a
    fixed path (guards: (offset, width, minimum) fields that must hold for it to be in use)."""
    if _pure(plan, t):
        return
    if isinstance(t, T.SymT) or isinstance(t, T.SumT):
        lanes = _lanes(plan, t)
        if lanes is None:
            plan.complete = False
            return
        for k, lane in lanes:
            plan.sig[plan.names[k]].append(("value", off, T.width(t), lane, guards))
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
        _indexed(plan, t.elem, off, 1, 1)
        return
    if isinstance(t, T.MapT) and T.finite(t):
        sw, vw = T.slot_width(t), T.width(t.value)
        if not _pure(plan, t.key):
            if not _pure(plan, t.value):
                # relates elements (a map from S to S): what a slot holds names another
                # element, so it is no signature; the orders of all elements are tried
                plan.complete = False
                return
            _indexed(plan, t.key, off, sw, sw)
            return
        for k in range(T.size(t.key)):      # fixed keys, values holding elements
            present = () if t.total else ((off + k * sw + vw, 1, 1),)
            _signature_parts(plan, t.value, off + k * sw, guards + present)
        return
    plan.complete = False


def _indexed(plan: _Plan, key: T.Type, off: int, stride: int, width: int) -> None:
    """Fields indexed by the elements: the ordinal of the key type picks the field. (A
    place not in use holds zeros, the same for every element: guards change nothing.)"""
    lanes = _lanes(plan, key)
    if lanes is None:
        plan.complete = False
        return
    for k, lane in lanes:
        plan.sig[plan.names[k]].append(("indexed", tuple(off + o * stride for o in lane), width))


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
        return f"_sumperm({_moves_const(plan, t)}, {x}, P)"
    if isinstance(t, T.OptT):
        inner = _code_expr(plan, t.elem, "(_c >> 1)")
        return f"(lambda _c: (({inner}) << 1) | 1 if _c & 1 else 0)({x})"
    if isinstance(t, T.SeqT):
        lw, ew = T.len_width(t), T.width(t.elem)
        parts = [f"(_c & {(1 << lw) - 1})"]
        for i in range(t.max):       # the unused places hold zeros, which must stay zeros
            inner = _code_expr(plan, t.elem, f"((_c >> {lw + i * ew}) & {(1 << ew) - 1})")
            parts.append(f"(({inner}) << {lw + i * ew} if (_c & {(1 << lw) - 1}) > {i} else 0)")
        return f"(lambda _c: {' | '.join(parts)})({x})"
    if isinstance(t, T.RecordT):
        parts = []
        for name, ft in t.fields:
            fo, fw = t.offset(name), T.width(ft)
            parts.append(f"({_code_expr(plan, ft, f'((_c >> {fo}) & {(1 << fw) - 1})')} << {fo})")
        return f"(lambda _c: {' | '.join(parts) or '0'})({x})"
    if isinstance(t, T.SetT):
        lanes = _lanes(plan, t.elem)
        if sum(len(lane) for _, lane in lanes) <= _UNROLL:
            return f"(lambda _c: {_moved(plan, lanes, 1, 1)})({x})"
        return f"_setperm({_lanes_const(plan, lanes)}, {x}, P)"
    if isinstance(t, T.MapT):
        sw = T.slot_width(t)
        lanes = _lanes(plan, t.key)
        if not _pure(plan, t.value):
            return _map_with_values(plan, t, lanes, x)
        if sum(len(lane) for _, lane in lanes) <= _UNROLL:
            return f"(lambda _c: {_moved(plan, lanes, sw, (1 << sw) - 1)})({x})"
        return f"_mapperm({_lanes_const(plan, lanes)}, {x}, {sw}, {(1 << sw) - 1}, P)"
    raise AssertionError(t)


def _map_with_values(plan: _Plan, t: T.MapT, lanes, x: str) -> str:
    """A map whose values hold elements: every slot's value permuted, and moved to its
    key's new place when the key holds an element (written out: at most _UNROLL keys)."""
    sw, vw = T.slot_width(t), T.width(t.value)
    value = _code_expr(plan, t.value, f"((_c >> {{at}}) & {(1 << vw) - 1})")
    where = {}
    for k, lane in lanes:
        for e, o in enumerate(lane):
            where[o] = (k, lane, e)
    parts = []
    for o in range(T.size(t.key)):
        at = o * sw
        v = value.replace("{at}", str(at))
        slot = v if t.total else f"((({v}) | {1 << vw}) if (_c >> {at + vw}) & 1 else 0)"
        if o in where:
            k, lane, e = where[o]
            parts.append(f"({slot} << ({_const(plan, lane)}[P[{k}][{e}]] * {sw}))")
        else:
            parts.append(f"({slot} << {at})")
    return f"(lambda _c: {' | '.join(parts)})({x})"


def _const(plan: _Plan, value) -> str:
    """A constant of the generated module holding `value` (shared by equal values)."""
    for name, v in plan.consts.items():
        if name.startswith("_L") and v == value:
            return name
    name = f"_L{len(plan.consts)}"
    plan.consts[name] = value
    return name


def _moves_const(plan: _Plan, t: T.Type) -> str:
    """For a sum type's values: {ordinal: (group index, lane, element)} of those that move."""
    table = {o: (k, lane, e) for k, lane in _lanes(plan, t) for e, o in enumerate(lane)}
    name = f"_M{len(plan.consts)}"
    plan.consts[name] = table
    return name


def _lanes_const(plan: _Plan, lanes) -> str:
    """The lanes of a key type as a constant of the generated module (for the loops)."""
    name = f"_R{len(plan.consts)}"
    plan.consts[name] = lanes
    return name


_UNROLL = 64        # up to this many element fields, a permutation is written out field by field


def _moved(plan: _Plan, lanes, stride: int, mask: int) -> str:
    """`_c` (fields of `stride` bits indexed by ordinal) with each element's field moved to
    its new place in its lane: what _setperm (stride 1) and _mapperm do in a loop, written
    out."""
    moving = 0
    for _, lane in lanes:
        for o in lane:
            moving |= mask << (o * stride)
    terms = [f"(_c & {~moving})"]      # the fields of other keys stay
    for k, lane in lanes:
        name = _const(plan, lane)
        for e, o in enumerate(lane):
            field = f"((_c >> {o * stride}) & {mask})"
            terms.append(f"({field} << ({name}[P[{k}][{e}]] * {stride}))" if stride > 1
                         else f"({field} << {name}[P[{k}][{e}]])")
    return " | ".join(terms)


# ---------------------------------------------------------------- the generated module

_HELPERS = '''
def _sumperm(moves, c, P):
    hit = moves.get(c)
    if hit is None:
        return c
    k, lane, e = hit
    return lane[P[k][e]]

def _setperm(lanes, c, P):
    return _mapperm(lanes, c, 1, 1, P)

def _mapperm(lanes, c, sw, slot, P):
    out = c
    for k, lane in lanes:
        p = P[k]
        moved = clear = 0
        for e, o in enumerate(lane):
            moved |= ((c >> (o * sw)) & slot) << (lane[p[e]] * sw)
            clear |= slot << (o * sw)
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
    lines.append("def _permute_any(s, P):")
    lines.append("    t = s")
    lines.extend("    " + x for x in plan.lines)
    lines.append("    return t")
    lines.append("_SPECIAL = {}")
    lines.append("def _permute(s, P):")
    lines.append("    key = tuple(map(tuple, P))")
    lines.append("    f = _SPECIAL.get(key)")
    lines.append("    if f is None:")
    lines.append(f"        if len(_SPECIAL) >= {SPECIAL}:")
    lines.append("            return _permute_any(s, P)")
    lines.append("        f = _SPECIAL[key] = _specialise(key)")
    lines.append("    return f(s)")
    lines.extend(_canonical_source(plan))
    return _HELPERS + "\n".join(lines) + "\n"


SPECIAL = 64    # permutations given their own function (2 pods have 2, 3 pods 6, 4 pods 24)


def _specialised(plan: _Plan, key: tuple, ns: dict):
    """`_permute_any` for one permutation: `P` and the lanes written in as constants, so
    that Python folds every `lane[P[k][e]]` into the bit position it names (a permutation
    then costs about half as much). Compiled on its first use, kept by the module."""
    consts = {name: value for name, value in plan.consts.items() if name.startswith("_L")}
    body = [re.sub(r"\b_L\d+\b", lambda m: repr(tuple(consts[m.group()])), re.sub(r"\bP\b", repr(key), line))
            for line in plan.lines]
    source = "\n".join(["def _permute_one(s):", "    t = s", *("    " + x for x in body), "    return t"])
    local: dict = {}
    exec(compiled(source + "\n", "<kovn symmetry, one permutation>"), ns, local)
    return local["_permute_one"]


def _canonical_source(plan: _Plan) -> list[str]:
    """`_canonical(s)`: Symmetry._sorted, written out for this layout. Each element's
    signature and ordinal are packed into one int (ordinal in the low bits), so one sort of
    ints orders the elements by signature, ties by ordinal, exactly as the stable sort by
    signature does; an already sorted state is its own representative. With incomplete
    signatures that is exact only without ties (one order to try): a state with two equal
    signatures goes to `_tied` (Symmetry._searched, which tries the orders of the ties)."""
    lines = ["def _canonical(s):"]
    fields = _Fields()
    names = list(plan.groups)
    for k, g in enumerate(names):
        n = T.size(plan.groups[g])
        bits = max(1, (n - 1).bit_length())
        keys = ", ".join(f"(({_sig_expr(plan.sig[g], e, fields)}) << {bits}) | {e}" for e in range(n))
        lines.append(f"    k{k} = [{keys}]")
        lines.append(f"    o{k} = sorted(k{k})")
        if not plan.complete and n > 1:
            lines.append(f"    if {_ties(f'o{k}', n, bits)}:")
            lines.append("        return _tied(s)")
    lines.append("    if " + " and ".join(f"o{k} == k{k}" for k in range(len(names))) + ":")
    lines.append("        return s")
    for k, g in enumerate(names):
        n = T.size(plan.groups[g])
        mask = (1 << max(1, (n - 1).bit_length())) - 1
        lines.append(f"    p{k} = [0] * {n}")
        lines.extend(f"    p{k}[o{k}[{j}] & {mask}] = {j}" for j in range(n))
    lines.append(f"    return _permute(s, ({''.join(f'p{k}, ' for k in range(len(names)))}))")
    return lines[:1] + fields.lines() + lines[1:]


def _ties(order: str, n: int, bits: int) -> str:
    """Whether two neighbours of the sorted keys `order` have equal signatures: written out
    for a few elements (a generator costs more than the comparisons of two or three pods)."""
    if n > 8:
        return f"any(({order}[j] >> {bits}) == ({order}[j + 1] >> {bits}) for j in range({n - 1}))"
    return " or ".join(f"({order}[{j}] >> {bits}) == ({order}[{j + 1}] >> {bits})" for j in range(n - 1))


def _sig_expr(parts: list[tuple], e: int, field=None) -> str:
    """Element e's signature: its components packed into one int. `field(off, width)`: the
    expression for a field of the state (by default extracted where it is used)."""
    if field is None:
        field = _extract
    terms, shift = [], 0
    for part in parts:
        if part[0] == "indexed":
            _, offsets, width = part
            terms.append(f"({field(offsets[e], width)} << {shift})")
            shift += width
        else:
            _, off, width, lane, guards = part
            cond = " and ".join([f"{field(go, gw)} >= {gm}" for go, gw, gm in guards]
                                + [f"{field(off, width)} == {lane[e]}"])
            terms.append(f"((1 << {shift}) if {cond} else 0)")
            shift += 1
    return " | ".join(terms) or "0"


def _extract(off: int, width: int) -> str:
    return f"((s >> {off}) & {(1 << width) - 1})"


WINDOW = 60    # bits: a window is a small int (two of CPython's 30-bit digits)


class _Fields:
    """The state's fields a signature reads, each extracted once into a local (`f3`): a
    state is a wide int, and the same presence bit guards many components."""

    def __init__(self):
        self.names: dict[tuple[int, int], str] = {}

    def __call__(self, off: int, width: int) -> str:
        name = self.names.get((off, width))
        if name is None:
            name = self.names[(off, width)] = f"f{len(self.names)}"
        return name

    def lines(self) -> list[str]:
        """The fields, read through windows of at most WINDOW bits: a window is shifted out
        of the wide state once, and its fields out of a small int (shifting a state of
        thousands of bits costs about twice as much as shifting a machine-sized int)."""
        out, windows = [], []
        for (off, width), name in sorted(self.names.items()):
            if windows and off + width - windows[-1][0] <= WINDOW:
                windows[-1][1].append((off, width, name))
            else:
                windows.append((off, [(off, width, name)]))
        for k, (base, fields) in enumerate(windows):
            if len(fields) == 1:
                (off, width, name), = fields
                out.append(f"    {name} = {_extract(off, width)}")
                continue
            top = max(off + width for off, width, _ in fields)
            out.append(f"    w{k} = (s >> {base}) & {(1 << (top - base)) - 1}")
            out.extend(f"    {name} = (w{k} >> {off - base}) & {(1 << width) - 1}"
                       for off, width, name in fields)
        return out


def generic_permute(t: T.Type, code: int, P, groups: dict[str, T.SymT], order: list[str]) -> int:
    """The code of t's value permuted (decode, permute the plain value, encode)."""
    perms = {name: {groups[name].lo + e: groups[name].lo + P[k][e] for e in range(T.size(groups[name]))}
             for k, name in enumerate(order)}
    plain = T.to_plain(t, T.rep_of_code(t, code))
    return T.code_of(t, T.from_plain(t, permute_plain(t, plain, perms)))
