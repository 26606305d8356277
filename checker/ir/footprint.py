"""Footprints: the parts of the state an action instance, a property or the constraint may
read or write, found in the IR (no search). Partial-order reduction (engine/por.py, ADR
0034) decides from them which steps are independent.

Input: one variant's `ir.SpecIR`; an action and the values of its parameters (one action
instance: the engine's label), or a property's expression; `evaluate`, which runs a closed
expression (checker/compile/model.py's evaluate_closed: the IR cannot run code itself).
Output: `Footprint` (frozen sets of places read and written), or the places an expression
reads.

A place is `(variable index, key)`: the key is the plain value (ir/plain.py) of a map key,
of a set element or a record field's name, when the text names one the parameters
determine (`queue[h]`, `Pod(p) in locks`, `api with {n: ...}` with `n` a parameter, `r.f`);
otherwise `WHOLE`: any part of the variable. Two places overlap when they are of the same
variable and either is WHOLE or their keys are equal. Everything here over-approximates: a
read or write it cannot pin down is WHOLE, so two instances found not to overlap really
touch different parts of the state, whatever the state.

What counts as a write: an assignment `x := e` writes x WHOLE, except the forms that
change one part and keep the rest: `x with {k: v}` (and `x[k] := v`, desugared to it),
`x | {e}`, `x - {e}` on a set, `remove(x, k)` on a map, each with keys the parameters
determine. Everything an action evaluates is read: its guards, its parameters' domains,
the values it assigns, the conditions of its branches, the definitions it calls (their
bodies, with the arguments put in).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from checker.ir import nodes as ir
from checker.ir.plain import from_rep
from checker.ir.walk import children, closed, transform, walk

WHOLE: Any = object()           # the key of a place that stands for the whole variable
EVERYTHING = (-1, WHOLE)        # a place overlapping every place (a walk that gave up)
Place = tuple[int, Any]
Evaluate = Callable[[ir.E], Any]

_MAX_INLINE = 24                # nested definition calls followed before giving up


@dataclass(frozen=True, slots=True)
class Footprint:
    """What one action instance may read and write (see the module docstring)."""

    reads: frozenset[Place]
    writes: frozenset[Place]


def overlap(a: Place, b: Place) -> bool:
    if a[0] == -1 or b[0] == -1:
        return True
    return a[0] == b[0] and (a[1] is WHOLE or b[1] is WHOLE or a[1] == b[1])


def action_footprint(spec: ir.SpecIR, action: ir.ActionIR, values: tuple, evaluate: Evaluate) -> Footprint:
    """The footprint of `action` with its parameters bound to `values` (run-time
    representations, as in the engine's labels)."""
    sub = {p.name: ir.Lit(p.t, v) for p, v in zip(action.params, values)}
    walker = _Walker(spec, evaluate)
    for p in action.params:
        walker.expr(p.domain, {})
    walker.block(action.body, sub)
    return Footprint(frozenset(walker.reads), frozenset(walker.writes))


def expr_reads(spec: ir.SpecIR, e: ir.E, evaluate: Evaluate) -> frozenset[Place]:
    """The places a property's (or the constraint's) expression reads (x and x' alike)."""
    walker = _Walker(spec, evaluate)
    walker.expr(e, {})
    return frozenset(walker.reads)


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
                value = self.closed_value(s.value, sub)
                if value is not None:
                    sub[s.name] = value     # a `let` the parameters determine is a key like them
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
        parts = self.parts_written(s.var, s.value, sub)
        if parts is None:
            self.writes.add((s.var, WHOLE))
            self.expr(s.value, sub)
            return
        for key, values in parts:
            self.writes.add((s.var, key))
            for v in values:
                self.expr(v, sub)

    def parts_written(self, var: int, value: ir.E, sub: dict) -> list | None:
        """[(key, expressions evaluated)] when `value` changes only those parts of variable
        `var` (its own value with some entries replaced, elements added or removed, keys
        removed); None otherwise."""
        if isinstance(value, ir.VarRef) and value.index == var and not value.primed:
            return []
        if isinstance(value, ir.Update):
            inner = self.parts_written(var, value.base, sub)
            if inner is None:
                return None
            out = list(inner)
            for k, v in value.entries:
                if isinstance(k, str):
                    out.append((k, (v,)))
                    continue
                key = self.key(k, sub)
                if key is WHOLE:
                    return None
                out.append((key, (k, v)))
            return out
        if isinstance(value, ir.Op) and value.op in ("union", "diff") and isinstance(value.args[1], ir.Collection):
            inner = self.parts_written(var, value.args[0], sub)
            if inner is None:
                return None
            out = list(inner)
            for item in value.args[1].items:
                key = self.key(item, sub) if isinstance(item, ir.E) else WHOLE
                if key is WHOLE:
                    return None
                out.append((key, (item,)))
            return out
        if isinstance(value, ir.Op) and value.op == "remove" and len(value.args) == 2:
            inner = self.parts_written(var, value.args[0], sub)
            key = self.key(value.args[1], sub)
            if inner is None or key is WHOLE:
                return None
            return inner + [(key, (value.args[1],))]
        if isinstance(value, ir.Coerce) and value.t == value.e.t:
            return self.parts_written(var, value.e, sub)
        return None

    # ---- expressions

    def expr(self, e: ir.E, sub: dict) -> None:
        if isinstance(e, ir.VarRef):
            self.reads.add((e.index, WHOLE))
            return
        if isinstance(e, (ir.Index, ir.FieldGet)) and isinstance(e.base, ir.VarRef):
            if isinstance(e, ir.FieldGet):
                self.reads.add((e.base.index, e.name))
                return
            self.reads.add((e.base.index, self.key(e.key, sub)))
            self.expr(e.key, sub)
            return
        if isinstance(e, ir.Op) and e.op == "in" and len(e.args) == 2:
            x, s = e.args
            if isinstance(s, ir.Op) and s.op == "keys" and len(s.args) == 1:
                s = s.args[0]           # `k in m`: whether the map has key k
            if isinstance(s, ir.VarRef):
                self.reads.add((s.index, self.key(x, sub)))
                self.expr(x, sub)
                return
        if isinstance(e, ir.CallDef):
            self.call(e, sub)
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

    def call(self, e: ir.CallDef, sub: dict) -> None:
        for a in e.args:
            self.expr(a, sub)
        if self.depth >= _MAX_INLINE:       # recursion: give up on precision
            self.reads.add(EVERYTHING)
            return
        d = self.spec.defs[e.index]
        inner = {}
        for (name, _), a in zip(d.params, e.args):
            value = self.closed_value(a, sub)
            if value is not None:
                inner[name] = value
        self.depth += 1
        self.expr(d.body, inner)
        self.depth -= 1

    # ---- keys

    def closed_value(self, e: ir.E, sub: dict) -> ir.Lit | None:
        """`e` as a literal, when the substitutions make it closed; None otherwise."""
        e = self.inlined(e, sub, 0)
        if e is None or not closed(e):
            return None
        if isinstance(e, ir.Lit):
            return e
        try:
            return ir.Lit(e.t, self.evaluate(e))
        except Exception:           # noqa: BLE001 - a key that fails to evaluate is unknown
            return None

    def key(self, e: ir.E, sub: dict) -> Any:
        """The plain value of key `e` under `sub`, or WHOLE."""
        lit = self.closed_value(e, sub)
        if lit is None:
            return WHOLE
        try:
            return from_rep(lit.t, lit.value)
        except Exception:           # noqa: BLE001 - a value the plain form does not cover
            return WHOLE

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
