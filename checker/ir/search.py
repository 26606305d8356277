"""A naive breadth-first search over the reference interpreter (interp.py).

Input: an `Interpreter`. Output: `Exploration`: every reachable state with its level, the
outcome of every property on every state and transition, every successor, and every
failure (recorded where the value would be; the search goes on past it, unlike the
engine's). Tests compare it with the compiled model and the engine (checker/engine/bfs.py);
`orbit_key` groups its states the way the engine's symmetry reduction does.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from checker.ir import nodes as ir
from checker.ir.interp import InterpError, Interpreter, State
from checker.ir.plain import FrozenMap, normalize, order_key
from checker.semantics import types as T


@dataclass(frozen=True)
class Exploration:
    """Everything a breadth-first search over the interpreter saw (it never stops early).

    States are frozen (see `freeze`). A failure is recorded as the InterpError's message
    where the value would be, and the search goes on past it."""

    level: dict            # state -> BFS level (1 = initial)
    init: list             # initial states in init order, duplicates included (or a message)
    checks: dict           # state -> indices of violated invariants / satisfied reachables
    inside: dict           # state -> within the constraint? (or a message)
    succ: dict             # state inside the constraint -> [(label, next)] (or a message)
    steps: dict            # (state, label, next) -> indices of violated action properties
    broken: dict           # property index -> messages of its failed evaluations

    @property
    def depth(self) -> int:
        return max(self.level.values(), default=0)

    def failures(self) -> list[tuple[str, Any]]:
        """(where, message) of every failure: 'init', 'check', 'constraint', 'successors', 'step'.
        (`broken` says which properties the 'check' and 'step' failures come from.)"""
        out = [("init", self.init)] if isinstance(self.init, str) else []
        for name, table in (("check", self.checks), ("constraint", self.inside), ("successors", self.succ),
                            ("step", self.steps)):
            out += [(name, v) for v in table.values() if isinstance(v, str)]
        return out


def freeze(state: State) -> tuple:
    """A hashable form of a state: (name, normalized value) pairs in variable order."""
    return tuple((k, normalize(v)) for k, v in state.items())


def thaw(state: tuple) -> State:
    return dict(state)


def checked_properties(spec: ir.SpecIR) -> list[ir.PropertyIR]:
    """The properties a model reports on, in its order (constraints are not among them)."""
    return [p for p in spec.properties if p.kind != "constraint"]


def explore(interp: Interpreter, max_states: int = 100_000) -> Exploration:
    """Breadth-first search of every reachable state. Each state is checked once and, when
    inside the constraint, expanded once; failures are recorded, not raised."""
    props = list(enumerate(checked_properties(interp.spec)))
    try:
        init: Any = [freeze(s) for s in interp.init_states()]
    except InterpError as exc:
        init = str(exc)
    level: dict = {}
    checks: dict = {}
    inside: dict = {}
    succ: dict = {}
    steps: dict = {}
    broken: dict = {}

    def evaluate(kinds, s, g=None):
        """The indices of the properties of these kinds that report (s, g), or the message
        of the first one (in property order) that fails; every one is evaluated."""
        found, failed = [], []
        for i, p in props:
            if p.kind not in kinds:
                continue
            try:
                value = interp.holds(p, s, g)
            except InterpError as exc:
                failed.append(str(exc))
                broken.setdefault(i, []).append(str(exc))
                continue
            if value == (p.kind == "reachable"):
                found.append(i)
        return failed[0] if failed else tuple(found)

    def check(f, s):
        checks[f] = evaluate(("invariant", "reachable"), s)

    def expand(f, s) -> list:
        try:
            inside[f] = interp.within_constraint(s)
        except InterpError as exc:
            inside[f] = str(exc)
        if inside[f] is not True:
            return []
        try:
            out = [(normalize(label), freeze(t)) for label, t in interp.successors(s)]
        except InterpError as exc:
            succ[f] = str(exc)
            return []
        succ[f] = out
        for label, g in out:
            steps[f, label, g] = evaluate(("action",), s, thaw(g))
        return [g for _, g in out]

    frontier = []
    for f in init if isinstance(init, list) else []:
        if f not in level:
            level[f] = 1
            frontier.append(f)
            check(f, thaw(f))
    depth = 1
    while frontier:
        nxt = []
        for f in frontier:
            for g in expand(f, thaw(f)):
                if g not in level:
                    if len(level) >= max_states:
                        raise RuntimeError(f"more than {max_states} states")
                    level[g] = depth + 1
                    nxt.append(g)
                    check(g, thaw(g))
        frontier = nxt
        depth += 1
    return Exploration(level, init, checks, inside, succ, steps, broken)


# ---------------------------------------------------------------- symmetry

def orbit_key(spec: ir.SpecIR, state: tuple) -> tuple:
    """The same key for every state of one orbit under the permutations of the spec's
    symmetric types (SpecIR.symmetry): the least, in canonical order, of the state's
    images. What the engine's symmetry reduction stores one state for."""
    sym = [t for t in _symmetric_types(spec) if t.name in spec.symmetry]
    perms = [{}]
    for t in sym:
        values = list(range(t.lo, t.hi + 1))
        perms = [{**p, t.name: dict(zip(values, image))}
                 for p in perms for image in itertools.permutations(values)]
    best = None
    for p in perms:
        image = tuple(order_key(v.t, _permute(v.t, value, p))
                      for v, (_name, value) in zip(spec.vars, state))
        best = image if best is None or image < best else best
    return best


def _symmetric_types(spec: ir.SpecIR) -> list:
    found: dict = {}

    def visit(t):
        if isinstance(t, T.SymT):
            found[t.name] = t
        for attr in ("elem", "key", "value"):
            inner = getattr(t, attr, None)
            if isinstance(inner, T.Type):
                visit(inner)
        for _, f in getattr(t, "fields", ()) or ():
            visit(f)
        for _, p in getattr(t, "alts", ()) or ():
            if p is not None:
                visit(p)

    for v in spec.vars:
        visit(v.t)
    return list(found.values())


def _permute(t: T.Type, v: Any, perm: dict) -> Any:
    """v with every value of a permuted symmetric type replaced by its image."""
    if isinstance(t, T.SymT):
        return perm[t.name][v] if t.name in perm else v
    if isinstance(t, T.SetT):
        return frozenset(_permute(t.elem, x, perm) for x in v)
    if isinstance(t, T.MapT):
        return FrozenMap({_permute(t.key, k, perm): _permute(t.value, x, perm) for k, x in v.items()})
    if isinstance(t, T.SeqT):
        return tuple(_permute(t.elem, x, perm) for x in v)
    if isinstance(t, T.RecordT):
        return tuple(_permute(ft, x, perm) for (_, ft), x in zip(t.fields, v))
    if isinstance(t, T.OptT):
        return None if v is None else T.Some(_permute(t.elem, v.value, perm))
    if isinstance(t, T.SumT) and v.has_payload:
        return T.Tag(v.tag, _permute(t.payload(v.tag), v.payload, perm), True)
    return v
