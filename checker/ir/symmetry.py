"""Symmetric types: the check that makes symmetry reduction sound.

Input: the IR of one variant (`ir.SpecIR`). Output: KOV212 diagnostics, one per use of a
symmetric type's values that could tell two of them apart; none for a spec that declares
no symmetric type.

A symmetric type (`type RM = symmetric 1..N`, `T.SymT`) is a range of ints at run time,
so the code generator treats it as one, but its values must be interchangeable: every
reachable state, permuted by any permutation of RM, must be reachable too, and every
property must give the same answer on both. That holds when RM values are only
- compared with == and != (to values of RM), tested for membership, used as map keys,
  set or sequence elements, record fields, option or sum-type payloads, parameters,
  bound by quantifiers, comprehensions and `choose`;
and never
- mixed with ints (`r == 1`, `m[1]`, `x := 2` for x: RM, `1..N` as a set of RM): the
  shapes of the two sides of every comparison, assignment, argument, key, element and
  branch must agree (`_shape`: every SymT kept by name, other ints all alike);
- given to an operation that orders or computes (+, <, min, max, abs, ranges);
- the result of an order-dependent construct: `for` over RM values whose iterations do
  not commute (a later iteration may see or overwrite the effects of an earlier one: see
  `_OrderFree`), a map comprehension whose key does not determine the RM binders (two
  binder values giving one key: the later wins), `choose least`;
- a constant that picks particular values (a literal set `{1, 2}` of RM; the empty set
  and the whole of RM are fine: checked by permuting the constant).

Only the transitions and the properties are checked (actions, with what a restart
recomputes; invariants, action and reachable properties, constraints, temporal
properties; the definitions they call), not the computation of the initial states: the
reduced search explores the orbits of the states reachable from the initial states,
whatever those are, as long as every transition maps a permuted state to the permuted
successor and every property gives the same answer on a permuted state. So an initial
state may single out values (`pods 1..RUNNING are running at the start`), and the trace
of a counterexample still starts from a real initial state (engine/symmetry.py).
"""
from __future__ import annotations

import itertools
from typing import Any, Iterator

from checker import codes
from checker.diagnostics import Diagnostic
from checker.ir import nodes as ir
from checker.ir.walk import walk
from checker.semantics import types as T

# operations whose arguments may be (or hold) symmetric values
_STRUCTURAL = {
    "eq", "ne", "in", "not", "and", "or", "implies", "iff", "union", "inter", "diff",
    "subseteq", "len", "keys", "some", "is_some", "get", "head", "last", "tail",
    "append", "remove", "concat", "prime", "old", "powerset",
}
_SAME_SHAPE = {"eq", "ne", "union", "inter", "diff", "subseteq", "concat"}

WILD = "*"
_SHOWN = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "add": "+", "sub": "-",
          "mul": "*", "div": "/", "mod": "%", "neg": "-", "union": "|", "inter": "&", "diff": "-",
          "subseteq": "<=", "concat": "++", "range": "..", "min2": "min", "max2": "max"}


def symmetric_types(t: T.Type) -> Iterator[T.SymT]:
    """Every symmetric type inside t (with repeats)."""
    if isinstance(t, T.SymT):
        yield t
    elif isinstance(t, T.SumT):
        for _, p in t.alts:
            if p is not None:
                yield from symmetric_types(p)
    elif isinstance(t, T.RecordT):
        for _, f in t.fields:
            yield from symmetric_types(f)
    elif isinstance(t, (T.SetT, T.SeqT, T.OptT)):
        yield from symmetric_types(t.elem)
    elif isinstance(t, T.MapT):
        yield from symmetric_types(t.key)
        yield from symmetric_types(t.value)


def has_symmetric(t: T.Type) -> bool:
    return next(symmetric_types(t), None) is not None


def _shape(t: T.Type) -> Any:
    """t with every int range but the symmetric ones made alike; WILD for unknown."""
    if isinstance(t, T.SymT):
        return ("sym", t.name)
    if isinstance(t, T.IntT):
        return "int"
    if isinstance(t, T.SumT):
        return ("sum", t.name)       # payload types are fixed by the declaration
    if isinstance(t, T.RecordT):
        return ("rec", tuple((n, _shape(f)) for n, f in t.fields))
    if isinstance(t, T.SetT):
        return ("set", _shape(t.elem))
    if isinstance(t, T.SeqT):
        return ("seq", _shape(t.elem))
    if isinstance(t, T.OptT):
        return ("opt", _shape(t.elem))
    if isinstance(t, T.MapT):
        return ("map", _shape(t.key), _shape(t.value))
    if isinstance(t, (T.BoolT, T.LabelT)):
        return str(t)
    return WILD                      # EmptyT, errors


def _agree(a: Any, b: Any) -> bool:
    if a == WILD or b == WILD:
        return True
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and a[0] == b[0]:
        return all(_agree(x, y) for x, y in zip(a[1:], b[1:]))
    return a == b


def check_symmetry(spec: ir.SpecIR) -> list[Diagnostic]:
    """KOV212 for every use that breaks the symmetry of a symmetric type."""
    if not any(has_symmetric(v.t) for v in spec.vars) and not _mentions_symmetric(spec):
        return []
    return _Checker(spec).run()


def _mentions_symmetric(spec: ir.SpecIR) -> bool:
    for a in spec.actions:
        if any(has_symmetric(p.t) for p in a.params):
            return True
    return any(has_symmetric(t) for d in spec.defs for _, t in d.params)


class _Checker:
    def __init__(self, spec: ir.SpecIR):
        self.spec = spec
        self.diags: list[Diagnostic] = []

    def run(self) -> list[Diagnostic]:
        spec = self.spec
        # spec.init is left out: the initial states need not be symmetric (module docstring)
        for a in spec.actions:
            for p in a.params:
                self.expr(p.domain)
            for s in a.body:
                self.stmt(s)
        for i in sorted(_called_defs(spec)):
            self.expr(spec.defs[i].body)
        for p in spec.properties:
            self.expr(p.expr)
        for t in spec.temporals:
            for p in t.params:
                self.expr(p.domain)
            self.expr(t.p)
            if t.q is not None:
                self.expr(t.q)
        return self.diags

    def bad(self, origin, message: str, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(codes.SYMMETRY_BROKEN, message, origin, hint=hint))

    def agree(self, want: T.Type, got: ir.E, what: str) -> None:
        if (has_symmetric(want) or has_symmetric(got.t)) and not _agree(_shape(want), _shape(got.t)):
            self.bad(got.origin, f"{what}: expected {want}, found {got.t}; the values of a symmetric type "
                                 f"do not mix with ints",
                     hint="a symmetric type's values can only come from the type itself "
                          "(quantifiers, parameters, choose) or from state")

    # ---- statements
    def stmt(self, s: ir.S) -> None:
        if isinstance(s, ir.Require):
            self.expr(s.cond)
        elif isinstance(s, ir.Assign):
            self.expr(s.value)
            self.agree(self.spec.vars[s.var].t, s.value, f"assignment to '{self.spec.vars[s.var].name}'")
        elif isinstance(s, ir.IfS):
            self.expr(s.cond)
            for x in s.then + s.else_:
                self.stmt(x)
        elif isinstance(s, (ir.ChooseS, ir.LetS)):
            self.expr(s.domain if isinstance(s, ir.ChooseS) else s.value)
        elif isinstance(s, ir.ForS):
            self.expr(s.domain)
            if has_symmetric(s.domain.t) and not _OrderFree(self.spec).loop(s):
                self.bad(s.origin, f"a `for` loop over values of {s.domain.t.elem} runs in the order "
                                   "of those values, which a symmetric type does not have, and its "
                                   "iterations do not commute",
                         hint="update every element at once with a map or set comprehension, or make "
                              "each iteration only add to sets (`v := v | S`) or write one constant, "
                              "and read nothing the loop writes")
            for x in s.body:
                self.stmt(x)

    # ---- expressions
    def expr(self, e: ir.E) -> None:
        for n in _nodes(e):
            method = getattr(self, "n_" + type(n).__name__, None)
            if method is not None:
                method(n)

    def n_Coerce(self, e: ir.Coerce) -> None:
        self.agree(e.t, e.e, "conversion")

    def n_Lit(self, e: ir.Lit) -> None:
        if has_symmetric(e.t) and not _invariant(e.t, e.value):
            self.bad(e.origin, f"this constant of type {e.t} singles out particular values of a "
                               "symmetric type",
                     hint="only constants that every permutation leaves alone (such as {} or the "
                          "whole type) may hold symmetric values")

    def n_Op(self, e: ir.Op) -> None:
        args = e.args
        if e.op not in _STRUCTURAL:
            for a in args:
                if has_symmetric(a.t):
                    self.bad(a.origin or e.origin, f"'{_SHOWN.get(e.op, e.op)}' is applied to a value of type {a.t}; "
                                                   "values of a symmetric type have no order and no arithmetic",
                             hint="compare them with == and != only")
                    return
            return
        if e.op in _SAME_SHAPE:
            for a in args[1:]:
                self.agree(args[0].t, a, f"'{_SHOWN.get(e.op, e.op)}'")
        elif e.op == "in" and isinstance(args[1].t, T.SetT):
            self.agree(args[1].t.elem, args[0], "membership")
        elif e.op == "append":
            self.agree(args[0].t.elem, args[1], "append")
        elif e.op == "remove" and isinstance(args[0].t, T.MapT):
            self.agree(args[0].t.key, args[1], "remove")

    def n_Ite(self, e: ir.Ite) -> None:
        self.agree(e.t, e.then, "if-then-else")
        self.agree(e.t, e.else_, "if-then-else")

    def n_Index(self, e: ir.Index) -> None:
        bt = e.base.t
        if isinstance(bt, T.MapT):
            self.agree(bt.key, e.key, "map key")
        elif has_symmetric(e.key.t):
            self.bad(e.key.origin or e.origin, "a value of a symmetric type used as a sequence index")

    def n_Update(self, e: ir.Update) -> None:
        t = e.t
        for key, value in e.entries:
            if isinstance(t, T.MapT):
                self.agree(t.key, key, "map key")
                self.agree(t.value, value, "map value")
            elif isinstance(t, T.RecordT):
                self.agree(t.field_type(key), value, f"field '{key}'")
            elif isinstance(t, T.SeqT):
                if has_symmetric(key.t):
                    self.bad(key.origin or e.origin, "a value of a symmetric type used as a sequence index")
                self.agree(t.elem, value, "sequence element")

    def n_Collection(self, e: ir.Collection) -> None:
        t = e.t
        if isinstance(t, (T.SetT, T.SeqT)):
            for x in e.items:
                self.agree(t.elem, x, "element")
        elif isinstance(t, T.RecordT):
            for (name, ft), x in zip(t.fields, e.items):
                self.agree(ft, x, f"field '{name}'")
        elif isinstance(t, T.MapT):
            for k, v in e.items:
                self.agree(t.key, k, "map key")
                self.agree(t.value, v, "map value")

    def n_Construct(self, e: ir.Construct) -> None:
        if e.payload is not None:
            self.agree(e.t.payload(e.tag), e.payload, f"'{e.tag}'")

    def n_CallDef(self, e: ir.CallDef) -> None:
        d = self.spec.defs[e.index]
        for (name, t), a in zip(d.params, e.args):
            self.agree(t, a, f"argument '{name}' of '{d.name}'")

    def n_MatchE(self, e: ir.MatchE) -> None:
        for arm in e.arms:
            self.agree(e.t, arm.body, "match arm")

    def n_Comp(self, e: ir.Comp) -> None:
        t = e.t
        if isinstance(t, T.SetT):
            self.agree(t.elem, e.elem, "element")
            return
        if not isinstance(t, T.MapT):
            return
        self.agree(t.key, e.key, "map key")
        self.agree(t.value, e.elem, "map value")
        symmetric = [b for b in e.binders if has_symmetric(b.domain.t)]
        if not symmetric:
            return
        # Two binder values giving one key: the later one wins, an order the symmetric
        # type does not have. A key that determines every symmetric binder (the binder
        # itself, or a record or payload built of the binders: {n: .. for n in keys(m)},
        # {Nic(pod: p, index: i): .. for p in S, i in I}) rules that out: binder values
        # that give one key then differ only in values that have an order.
        determined = _determined(e.key)
        if not all(b.name in determined for b in symmetric):
            self.bad(e.origin, "in this map comprehension two values of a symmetric type may give the same "
                               "key, and then the order of those values decides the result",
                     hint="make the key the symmetric binder itself, or a record or payload built "
                          "of the binders: {r: ... for r in T}")

    def n_Solve(self, e: ir.Solve) -> None:
        if e.least and has_symmetric(e.t):
            self.bad(e.origin, f"`choose least` over {e.t.elem} picks by an order that a symmetric type "
                               "does not have", hint="choose any value: `choose x in S`")


def _nodes(e: ir.E) -> Iterator:
    return walk(e)


def _determined(key: ir.E) -> set[str]:
    """The locals whose values a key expression determines (it is injective in them): a
    local itself, the payload of an alternative, the fields of a record, `some(x)`."""
    if isinstance(key, ir.Local):
        return {key.name}
    if isinstance(key, ir.Construct) and key.payload is not None:
        return _determined(key.payload)
    if isinstance(key, ir.Collection) and isinstance(key.t, T.RecordT):
        return set().union(*(_determined(x) for x in key.items))
    if isinstance(key, ir.Op) and key.op == "some":
        return _determined(key.args[0])
    return set()


def _called_defs(spec: ir.SpecIR) -> set[int]:
    """The definitions the transitions and properties call, directly or through others."""
    roots: list = []
    for a in spec.actions:
        roots.extend(p.domain for p in a.params)
        roots.extend(a.body)
    roots.extend(p.expr for p in spec.properties)
    for t in spec.temporals:
        roots.extend(p.domain for p in t.params)
        roots.extend(x for x in (t.p, t.q) if x is not None)
    seen: set[int] = set()
    todo = [n.index for r in roots for n in walk(r) if isinstance(n, ir.CallDef)]
    while todo:
        i = todo.pop()
        if i not in seen:
            seen.add(i)
            todo.extend(n.index for n in walk(spec.defs[i].body) if isinstance(n, ir.CallDef))
    return seen


_UNKNOWN = object()


class _OrderFree:
    """Does a `for` loop give the same state whatever the order of its iterations?

    Sufficient: after dropping the branches that the loop's own `let`s decide (`let old =
    none ... if is_some(old)`: the library's relist calls the spec's event handler with no
    old object), every variable the body writes is written in one way only, all of them
    order-free (adding to a set, `v := v | S` or `v := v with {k: v[k] | S}`; removing from
    one, likewise with `-`; or writing one and the same constant, `v := v with {k: c}`), and
    nothing in the body reads a variable the body writes, except in those updates
    themselves, nor chooses. Then each iteration's effect depends on the state before the
    loop alone, and the effects commute."""

    def __init__(self, spec: ir.SpecIR):
        self.spec = spec
        self.def_reads: dict[int, frozenset[int]] = {}
        self.kinds: dict[int, Any] = {}     # variable written -> how ("union", "diff", ("const", c))
        self.reads: set[int] = set()        # variables read, those updates aside

    def loop(self, s: ir.ForS) -> bool:
        self.kinds, self.reads = {}, set()
        if not self.block(s.body, {}):
            return False
        return not (self.reads & set(self.kinds))

    # ---- statements (the live ones); False: something that may not commute
    def block(self, stmts, known: dict[str, Any]) -> bool:
        known = dict(known)
        for st in stmts:
            if isinstance(st, ir.LetS):
                self.read(st.value)
                known[st.name] = _fold(st.value, known)
            elif isinstance(st, ir.Require):
                self.read(st.cond)
            elif isinstance(st, ir.IfS):
                c = _fold(st.cond, known)
                if c is _UNKNOWN:
                    self.read(st.cond)
                if c is not False and not self.block(st.then, known):
                    return False
                if c is not True and not self.block(st.else_, known):
                    return False
            elif isinstance(st, ir.ForS):
                self.read(st.domain)
                if not self.block(st.body, known):
                    return False
            elif isinstance(st, ir.Assign):
                if not self.write(st):
                    return False
            else:                       # ChooseS: one choice per iteration, not checked here
                return False
        return True

    def write(self, st: ir.Assign) -> bool:
        v, e = st.var, st.value
        kind: Any = None
        if isinstance(e, ir.Op) and e.op in ("union", "diff") and _is_var(e.args[0], v):
            kind = e.op
            self.read(e.args[1])
        elif isinstance(e, ir.Lit):
            kind = ("const", e.value)
        elif isinstance(e, ir.Update) and _is_var(e.base, v) and len(e.entries) == 1:
            key, value = e.entries[0]
            if isinstance(key, ir.E):
                self.read(key)
            if (isinstance(value, ir.Op) and value.op in ("union", "diff")
                    and isinstance(value.args[0], ir.Index) and _is_var(value.args[0].base, v)
                    and value.args[0].key == key):
                kind = value.op
                self.read(value.args[1])
            elif isinstance(value, ir.Lit):
                kind = ("const", value.value)
        if kind is None or self.kinds.setdefault(v, kind) != kind:
            return False
        return True

    def read(self, e: ir.E) -> None:
        for n in walk(e):
            if isinstance(n, ir.VarRef):
                self.reads.add(n.index)
            elif isinstance(n, ir.CallDef):
                self.reads |= self.reads_of(n.index)

    def reads_of(self, index: int) -> frozenset[int]:
        got = self.def_reads.get(index)
        if got is None:
            self.def_reads[index] = frozenset()      # recursion guard (definitions do not recurse)
            out: set[int] = set()
            for n in walk(self.spec.defs[index].body):
                if isinstance(n, ir.VarRef):
                    out.add(n.index)
                elif isinstance(n, ir.CallDef):
                    out |= self.reads_of(n.index)
            got = self.def_reads[index] = frozenset(out)
        return got


def _is_var(e: ir.E, index: int) -> bool:
    return isinstance(e, ir.VarRef) and e.index == index and not e.primed


def _fold(e: ir.E, known: dict[str, Any]) -> Any:
    """A boolean condition's value when the loop's constant `let`s decide it (True, False);
    "none" / "some" for an option known to be absent or present; otherwise _UNKNOWN."""
    if isinstance(e, ir.Local):
        return known.get(e.name, _UNKNOWN)
    if isinstance(e, ir.Lit):
        if isinstance(e.t, T.BoolT):
            return bool(e.value)
        if isinstance(e.t, T.OptT):
            return "none" if e.value in (0, None) else "some"
        return _UNKNOWN
    if not isinstance(e, ir.Op):
        return _UNKNOWN
    if e.op == "some":
        return "some"
    args = [_fold(a, known) for a in e.args]
    if e.op in ("is_some", "is_none") and args[0] in ("none", "some"):
        return (args[0] == "some") == (e.op == "is_some")
    if e.op == "not" and isinstance(args[0], bool):
        return not args[0]
    if e.op == "and":
        return False if False in args else (True if all(a is True for a in args) else _UNKNOWN)
    if e.op == "or":
        return True if True in args else (False if all(a is False for a in args) else _UNKNOWN)
    return _UNKNOWN


# ---------------------------------------------------------------- constants

def _invariant(t: T.Type, rep: Any) -> bool:
    """Does every permutation of t's symmetric types leave the value `rep` alone? (Checked on
    adjacent transpositions, which generate every permutation.)"""
    try:
        plain = T.to_plain(t, rep)
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:       # noqa: BLE001 - a value we cannot decode: refuse it
        return False
    groups = {s.name: s for s in symmetric_types(t)}
    for s in groups.values():
        for a in range(s.lo, s.hi):
            swap = {a: a + 1, a + 1: a}
            if permute_plain(t, plain, {s.name: swap}) != plain:
                return False
    return True


def permute_plain(t: T.Type, v: Any, perms: dict[str, dict[int, int]]) -> Any:
    """The plain value v of type t with each symmetric value x of type S replaced by
    perms[S.name].get(x, x)."""
    if isinstance(t, T.SymT):
        return perms.get(t.name, {}).get(v, v)
    if not has_symmetric(t):
        return v
    if isinstance(t, T.SumT):
        p = t.payload(v.tag)
        return T.Tag(v.tag, permute_plain(p, v.payload, perms), True) if v.has_payload else v
    if isinstance(t, T.RecordT):
        return tuple(permute_plain(ft, x, perms) for (_, ft), x in zip(t.fields, v))
    if isinstance(t, T.SetT):
        return frozenset(permute_plain(t.elem, x, perms) for x in v)
    if isinstance(t, T.SeqT):
        return tuple(permute_plain(t.elem, x, perms) for x in v)
    if isinstance(t, T.OptT):
        return None if v is None else T.Some(permute_plain(t.elem, v.value, perms))
    if isinstance(t, T.MapT):
        return {permute_plain(t.key, k, perms): permute_plain(t.value, x, perms) for k, x in v.items()}
    return v


def all_permutations(lo: int, hi: int) -> Iterator[dict[int, int]]:
    values = list(range(lo, hi + 1))
    for p in itertools.permutations(values):
        yield dict(zip(values, p))
