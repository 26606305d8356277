"""Footprints: the parts of the state an action instance, a property or the constraint may
read or write, found in the IR (no search). Partial-order reduction (engine/por.py, ADR
0034) decides from them which steps are independent.

Input: one variant's `ir.SpecIR`; an action and the values of its parameters (one action
instance: the engine's label), or a property's expression; `evaluate`, which runs a closed
expression (checker/compile/model.py's evaluate_closed: the IR cannot run code itself).
Output: `Footprint` (frozen sets of places read and written), or the places an expression
reads.

A place is a path `(variable index, key, key, ...)`: each key the plain value (ir/plain.py)
of a map key, of a set element or a record field's name, as far as the text determines
them (`queue[h]`, `Pod(p) in queue[h]`, `api with {n: ...}` with `n` a parameter, `r.f`);
`(variable index,)` alone is the whole variable. Two places overlap when one path is a
prefix of the other. Everything here over-approximates: a read or write it cannot pin down
is of the enclosing part, so two instances found not to overlap really touch different
parts of the state, whatever the state.

What counts as a write: an assignment `x := e` writes x whole, except the forms that
change one part and keep the rest: `x with {k: v}` (and `x[k] := v`, desugared to it),
`x | {e}`, `x - {e}` on a set, `remove(x, k)` on a map, at any depth (`q[h] := q[h] | {n}`
writes the element n of q[h]), with keys the text determines. Everything an action
evaluates is read: its guards, its parameters' domains, the values it assigns, the
conditions of its branches, the definitions it calls (their bodies, with the arguments put
in).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from checker.ir import nodes as ir
from checker.ir.plain import from_rep
from checker.ir.walk import children, replace, transform, walk
from checker.semantics import types as T

WHOLE: Any = object()           # a key the text does not determine
EVERYTHING: tuple = (-1,)       # a place overlapping every place (a walk that gave up)
Place = tuple
Evaluate = Callable[[ir.E], Any]

_MAX_INLINE = 24                # nested definition calls followed before giving up
_MAX_KEYS = 64                  # values a key may take, tried one by one
_MAX_HOLE = 16                  # values of an open part of a key, tried one by one


@dataclass(frozen=True, slots=True)
class Footprint:
    """What one action instance may read and write (see the module docstring)."""

    reads: frozenset[Place]
    writes: frozenset[Place]


def overlap(a: Place, b: Place) -> bool:
    """One of the places holds the other (one path is a prefix of the other)."""
    if a[0] == -1 or b[0] == -1:
        return True
    return all(x == y for x, y in zip(a, b))


def action_footprint(spec: ir.SpecIR, action: ir.ActionIR, values: tuple, evaluate: Evaluate) -> Footprint:
    """The footprint of `action` with its parameters bound to `values` (run-time
    representations, as in the engine's labels)."""
    sub = {p.name: ir.Lit(p.t, v) for p, v in zip(action.params, values)}
    walker = _Walker(spec, evaluate)
    for p in action.params:
        walker.expr(p.domain, {})
    walker.block(action.body, sub)
    return Footprint(_varying(spec, walker.reads), _varying(spec, walker.writes))


def expr_reads(spec: ir.SpecIR, e: ir.E, evaluate: Evaluate) -> frozenset[Place]:
    """The places a property's (or the constraint's) expression reads (x and x' alike)."""
    walker = _Walker(spec, evaluate)
    walker.expr(e, {})
    return _varying(spec, walker.reads)


def _varying(spec: ir.SpecIR, places: set[Place]) -> frozenset[Place]:
    """`places` without those of variables whose type has one value (`faultsLeft: 0..0`):
    such a variable never changes, so reading or writing it relates no two steps."""
    return frozenset(p for p in places if p[0] < 0 or not _constant(spec.vars[p[0]].t))


def _constant(t: T.Type) -> bool:
    return T.finite(t) and T.size(t) == 1


class _Walker:
    """Collects places. `sub` maps a local name to the literal (or, for a definition's
    parameter, the argument expression) it stands for; a name bound inside the walked text
    is dropped from it while its binding holds."""

    def __init__(self, spec: ir.SpecIR, evaluate: Evaluate):
        self.spec = spec
        self.evaluate = evaluate
        self.reads: set[Place] = set()
        self.writes: set[Place] = set()
        self.depth = 0

    # ---- statements

    def block(self, stmts: Iterable[ir.S], sub: dict) -> None:
        sub = dict(sub)
        for s in stmts:
            if isinstance(s, ir.Require):
                self.expr(s.cond, sub)
            elif isinstance(s, ir.Assign):
                self.assign(s, sub)
            elif isinstance(s, ir.IfS):
                self.expr(s.cond, sub)
                self.block(s.then, sub)
                self.block(s.else_, sub)
            elif isinstance(s, ir.ChooseS):
                self.expr(s.domain, sub)
                sub.pop(s.name, None)
            elif isinstance(s, ir.LetS):
                self.expr(s.value, sub)
                value = self.bound_value(s.value, sub)
                if value is not None:
                    # a `let` stands for its value in the keys after it: one the parameters
                    # determine is a key like them; an open one is tried value by value (its
                    # open parts range over their types, whatever the state then: `key`)
                    sub[s.name] = value
                else:
                    sub.pop(s.name, None)
            elif isinstance(s, ir.ForS):
                self.expr(s.domain, sub)
                inner = dict(sub)
                inner.pop(s.name, None)
                self.block(s.body, inner)
            else:                           # a statement kind this walk does not know
                self.reads.add(EVERYTHING)
                self.writes.add(EVERYTHING)

    def assign(self, s: ir.Assign, sub: dict) -> None:
        whole = (s.var,)
        parts = self.parts_written(whole, s.value, sub)
        if parts is None:
            parts = [([whole], (s.value,))]
        for places, values in parts:
            self.writes.update(places)
            for v in values:
                self.expr(v, sub)

    def parts_written(self, path: Place, value: ir.E, sub: dict) -> list | None:
        """[(places written, expressions evaluated)] when `value` is the current value of
        place `path` with some parts changed (entries replaced, elements added or removed,
        keys removed, or one of two such values); None otherwise (`path` is written whole)."""
        if self.paths(value, sub) == [path]:
            return []
        if isinstance(value, ir.Update):
            out = self.parts_written(path, value.base, sub)
            if out is None:
                return None
            for k, v in value.entries:
                keys = (k,) if isinstance(k, str) else self.key(k, sub)
                if keys is WHOLE:
                    return None
                evaluated = (v,) if isinstance(k, str) else (k, v)
                inner = self.parts_written(path + keys, v, sub) if len(keys) == 1 else None
                if inner is None:
                    out.append(([path + (x,) for x in keys], evaluated))
                else:
                    out += inner + [([], evaluated[:-1])]
            return out
        if isinstance(value, ir.Op) and value.op in ("union", "diff") and isinstance(value.args[1], ir.Collection):
            out = self.parts_written(path, value.args[0], sub)
            if out is None:
                return None
            for item in value.args[1].items:
                keys = self.key(item, sub) if isinstance(item, ir.E) else WHOLE
                if keys is WHOLE:
                    return None
                out.append(([path + (x,) for x in keys], (item,)))
            return out
        if isinstance(value, ir.Op) and value.op == "remove" and len(value.args) == 2:
            out = self.parts_written(path, value.args[0], sub)
            keys = self.key(value.args[1], sub)
            if out is None or keys is WHOLE:
                return None
            return out + [([path + (x,) for x in keys], (value.args[1],))]
        if isinstance(value, ir.Ite):
            then, else_ = self.parts_written(path, value.then, sub), self.parts_written(path, value.else_, sub)
            if then is None or else_ is None:
                return None
            return then + else_ + [([], (value.cond,))]
        if isinstance(value, ir.Coerce) and value.t == value.e.t:
            return self.parts_written(path, value.e, sub)
        return None

    def paths(self, e: ir.E, sub: dict) -> list[Place] | None:
        """The places `e` reads when it is a variable or a part of one (`x`, `x[k]`, `x.f`,
        `keys(x)`, nested), as far as the keys are known; None for any other expression."""
        if isinstance(e, ir.VarRef):
            return [(e.index,)]
        if isinstance(e, ir.Op) and e.op == "keys" and len(e.args) == 1:
            return self.paths(e.args[0], sub)
        if isinstance(e, (ir.Index, ir.FieldGet)):
            base = self.paths(e.base, sub)
            if base is None:
                return None
            keys = (e.name,) if isinstance(e, ir.FieldGet) else self.key(e.key, sub)
            if keys is WHOLE:
                return base
            return [b + (k,) for b in base for k in keys]
        return None

    # ---- expressions

    def expr(self, e: ir.E, sub: dict) -> None:
        places = self.paths(e, sub)
        if places is not None:
            self.reads.update(places)
            self.keys_read(e, sub)
            return
        if isinstance(e, ir.Op) and e.op == "in" and len(e.args) == 2:
            x, s = e.args
            # `x in s`: whether the set s (or the map m, `x in keys(m)`) holds x: the part of
            # s keyed by x, as its writes `s | {x}`, `s - {x}`, `m with {x: v}` key it (a
            # sequence's parts are its positions: `x in q` reads all of q)
            keyed = isinstance(s.t, T.SetT) or (isinstance(s, ir.Op) and s.op == "keys")
            places = self.paths(s, sub) if keyed else None
            if places is not None:
                keys = self.key(x, sub)
                self.reads.update(places if keys is WHOLE else [p + (k,) for p in places for k in keys])
                self.expr(x, sub)
                self.keys_read(s, sub)
                return
        if isinstance(e, ir.CallDef):
            self.call(e, sub)
            return
        if isinstance(e, (ir.Quant, ir.Comp)) and self.unrolled(e, sub):
            return
        bound = _binds(e)
        inner = {k: v for k, v in sub.items() if k not in bound} if bound else sub
        for c in children(e):
            if isinstance(c, ir.E):
                self.expr(c, inner)
            elif isinstance(c, ir.Binder):
                self.expr(c.domain, inner)
            elif isinstance(c, ir.MatchArm):
                arm = {k: v for k, v in inner.items() if k != c.bind}
                self.expr(c.body, arm)

    def keys_read(self, e: ir.E, sub: dict) -> None:
        """What the keys of a place expression (`paths`) read."""
        while not isinstance(e, ir.VarRef):
            if isinstance(e, ir.Index):
                self.expr(e.key, sub)
                e = e.base
            elif isinstance(e, ir.FieldGet):
                e = e.base
            elif isinstance(e, ir.Op):      # keys(x)
                e = e.args[0]
            else:
                return

    def unrolled(self, e: ir.Quant | ir.Comp, sub: dict) -> bool:
        """Walk a quantifier or comprehension over constant domains once per binding, the
        bound names standing for their values (so `forall n in NIC: api[IP(n)] ...` reads
        the IP objects, not the whole map); False when a domain is not constant or the
        bindings too many."""
        domains = []
        count = 1
        for b in e.binders:
            lit = self.closed_value(b.domain, {k: v for k, v in sub.items() if k not in _binds(e)})
            if lit is None:
                return False
            try:
                values = set_values(b.domain.t, lit.value)
            except Exception:       # noqa: BLE001 - a domain the walk cannot list
                return False
            domains.append([ir.Lit(_elem(b.domain.t), v) for v in values])
            count *= len(values)
            if count > _MAX_KEYS:
                return False
        for b in e.binders:
            self.expr(b.domain, sub)
        parts = [e.body] if isinstance(e, ir.Quant) else [x for x in (e.cond, e.key, e.elem) if x is not None]
        for combo in itertools.product(*domains):
            inner = dict(sub)
            inner.update({b.name: v for b, v in zip(e.binders, combo)})
            for x in parts:
                self.expr(x, inner)
        return True

    def call(self, e: ir.CallDef, sub: dict) -> None:
        for a in e.args:
            self.expr(a, sub)
        if self.depth >= _MAX_INLINE:       # recursion: give up on precision
            self.reads.add(EVERYTHING)
            return
        d = self.spec.defs[e.index]
        inner = {}
        for (name, _), a in zip(d.params, e.args):
            value = self.bound_value(a, sub)
            if value is not None:
                inner[name] = value
        self.depth += 1
        self.expr(d.body, inner)
        self.depth -= 1

    # ---- keys

    def bound_value(self, e: ir.E, sub: dict) -> ir.E | None:
        """What a `let` name or a definition's parameter stands for in the keys after it:
        its literal when the substitutions make it closed, else its expression (without
        bindings of its own), whose open parts a key tries value by value (`key`); those
        range over their whole types, so that the state has changed since does not
        matter. None: nothing to put in."""
        value = self.closed_value(e, sub)
        if value is None and not any(_binds(n) for n in walk(e)):
            return self.inlined(e, sub, 0)
        return value

    def closed_value(self, e: ir.E, sub: dict) -> ir.Lit | None:
        """`e` as a literal, when the substitutions make it closed; None otherwise."""
        done = self.inlined(e, sub, 0)
        if done is None or _open(done, frozenset()):
            return None
        if isinstance(done, ir.Lit):
            return done
        try:
            return ir.Lit(done.t, self.evaluate(done))
        except Exception:           # noqa: BLE001 - a key that fails to evaluate is unknown
            return None

    def key(self, e: ir.E, sub: dict) -> Any:
        """The plain values key `e` may take under `sub` (a tuple), or WHOLE. A part of `e`
        the substitutions leave open (a read of the state, a local) is tried with every
        value of its type when that type is small, inside the constructors around it: the
        key `IP(NIC(pod: p, index: nic))` with `p` known and `nic: 1..2` is one of two."""
        done = self.inlined(e, sub, 0)
        if done is None:
            return WHOLE
        holes: list[ir.E] = []
        if not _holes(done, holes, frozenset()):
            return WHOLE
        choices = [T.values(h.t) for h in holes]
        count = 1
        for c in choices:
            count *= len(c)
        if count > _MAX_KEYS:
            return WHOLE
        out = set()
        for combo in itertools.product(*choices):
            filled = replace(done, {id(h): ir.Lit(h.t, v) for h, v in zip(holes, combo)}) if holes else done
            try:
                value = filled.value if isinstance(filled, ir.Lit) else self.evaluate(filled)
                out.add(from_rep(done.t, value))
            except Exception:       # noqa: BLE001 - cannot tell whether that value is a key
                return WHOLE
        return tuple(out)

    def inlined(self, e: ir.E, sub: dict, depth: int) -> ir.E | None:
        """`e` with the substituted names replaced and the definitions it calls inlined;
        None when a binding inside it would capture a substituted name, or the calls nest
        too deep."""
        if depth > _MAX_INLINE:
            return None
        for n in walk(e):
            if _binds(n) & sub.keys():
                return None
        failed = False

        def step(n):
            nonlocal failed
            if isinstance(n, ir.Local) and n.name in sub:
                return sub[n.name]
            if isinstance(n, ir.CallDef) and not failed:
                d = self.spec.defs[n.index]
                body = self.inlined(d.body, {name: a for (name, _), a in zip(d.params, n.args)}, depth + 1)
                if body is None:
                    failed = True
                    return n
                return body
            return n
        out = transform(e, step)
        return None if failed else out


def _binds(e: Any) -> set[str]:
    """The local names `e` binds for its children."""
    if isinstance(e, (ir.Quant, ir.Comp)):
        return {b.name for b in e.binders}
    if isinstance(e, ir.LetE):
        return {e.name}
    if isinstance(e, ir.Solve):
        return {e.name}
    if isinstance(e, ir.MatchE):
        return {a.bind for a in e.arms if a.bind}
    return set()


# nodes that build a value from their parts: an open part inside one is tried value by value
_CONSTRUCTORS = (ir.Construct, ir.Collection, ir.Coerce)


def _holes(e: ir.E, out: list[ir.E], bound: frozenset[str]) -> bool:
    """Collect the open parts of key `e` (see _Walker.key) in `out`: the largest parts that
    read the state or a name from outside `e`, mention no name `e` binds itself (`bound`
    here), and have a small type, inside the constructors and binding forms around them;
    False when there is an open part that is not such a one."""
    if not _open(e, bound):
        return True
    if isinstance(e, _CONSTRUCTORS) or isinstance(e, ir.MatchE) or _scopes(e):
        inner: list[ir.E] = []
        if all(_holes_in(c, inner, bound | _scopes(e)) for c in children(e)):
            out.extend(inner)
            return True
    if _mentions(e, bound) or not T.finite(e.t) or T.size(e.t) > _MAX_HOLE:
        return False
    out.append(e)
    return True


def _holes_in(c: Any, out: list[ir.E], bound: frozenset[str]) -> bool:
    if isinstance(c, ir.E):
        return _holes(c, out, bound)
    if isinstance(c, ir.Binder):
        return _holes(c.domain, out, bound)
    if isinstance(c, ir.MatchArm):
        return _holes(c.body, out, bound | ({c.bind} if c.bind else set()))
    return False


def _open(e: Any, bound: frozenset[str]) -> bool:
    """Does `e` read the state, call a definition, or use a name it does not bind itself
    (nor is in `bound`)?"""
    if isinstance(e, (ir.VarRef, ir.CallDef)):
        return True
    if isinstance(e, ir.Op) and e.op in ("prime", "old"):
        return True
    if isinstance(e, ir.Local):
        return e.name not in bound
    if isinstance(e, ir.MatchArm):
        return _open(e.body, bound | ({e.bind} if e.bind else set()))
    if isinstance(e, ir.Binder):
        return _open(e.domain, bound)
    inner = bound | _scopes(e)
    return any(_open(c, inner) for c in children(e))


def _scopes(e: Any) -> frozenset[str]:
    """The names `e` binds for all its children (a `match` binds per arm: see _open)."""
    return frozenset() if isinstance(e, ir.MatchE) else frozenset(_binds(e))


def _mentions(e: ir.E, names: frozenset[str]) -> bool:
    return bool(names) and any(isinstance(n, ir.Local) and n.name in names for n in walk(e))


def set_values(t: T.Type, value: Any) -> list:
    """The elements of a set value of type t (a bitset of ordinals or a frozenset), in order."""
    if isinstance(value, frozenset):
        return sorted(value)
    return [T.from_ordinal(_elem(t), o) for o in T.bits(value)]


def _elem(t: T.Type) -> T.Type:
    assert isinstance(t, T.SetT), t
    return t.elem
