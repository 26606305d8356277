"""How a constraint is computed: an `ir.Solve` -> a `Query` the generated code runs per state.

Input: an `ir.Solve` node (`{x in T | C}`, from `choose x: T where C` or from a parameter of
a large type constrained by its action's leading `require`s) and the spec's definitions.
Output: a `Query`: the constraint with every sub-expression that does not depend on the
chosen value replaced by an input placeholder `Local("_in<i>")`, and those sub-expressions
(the *inputs*: the state the constraint reads, e.g. the `used` set and the subnet's block).
The generated code evaluates the inputs in the current state and asks checker/solver for the
solutions; the inputs are the cache key, so two states that differ only in what the
constraint does not read share one answer. Also decides enumeration (small element types,
in plain Python) versus the solver; solve_support.py lists the forms the encoder cannot handle
(KOV308). No z3 here: the elaborator and the code generator import this module.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterator

from checker.ir import nodes as ir
from checker.ir.walk import transform, walk
from checker.semantics import types as T

# Element types with at most this many values are enumerated in Python, larger ones go to
# Z3. Measured by `python bench/solver_bench.py breakeven` (docs/solver.md, "Break-even"):
# testing one candidate in Python costs about 0.2 us, an uncached Z3 query 15-45 ms, so the
# two meet near 80,000 candidates for the every-solution form and 150,000 for the least
# form; 2**16 is the largest power of two at which enumeration still won for both.
ENUMERATE_UP_TO = 1 << 16

# Quantifiers inside a constraint are unrolled over concrete domains of at most this size.
UNROLL_UP_TO = 4096

INPUT = "_in"   # prefix of the placeholder locals


@dataclass(frozen=True)
class Query:
    """One constraint, ready to be solved for given input values.

    `qid` numbers the queries of one compiled model (the cache key's first part); `cond`
    reads only `name` (the chosen value), locals bound inside it and `_in<i>` placeholders,
    one per entry of `inputs`.
    """

    qid: int
    name: str
    elem: T.Type
    cond: ir.E
    inputs: tuple[ir.E, ...]
    input_types: tuple[T.Type, ...]
    least: bool
    origin: Any = dataclasses.field(default=None, compare=False)


def enumerable(t: T.Type) -> bool:
    """Small enough to enumerate in Python (the break-even above)."""
    return T.finite(t) and T.size(t) <= ENUMERATE_UP_TO


def solvable_type(t: T.Type) -> bool:
    """Element types the encoder can choose: integers (ip included) and CIDR blocks."""
    return (isinstance(t, T.IntT) and t.bounded) or isinstance(t, T.CidrT)


def plan(node: ir.Solve, defs: tuple[ir.DefIR, ...] | list, qid: int, careful: bool = False) -> Query:
    """careful: keep in the constraint what may fail to evaluate (`head(q)`, `m[k]`), so that
    it is evaluated only for the candidates that reach it (enumeration in Python does this;
    the solver needs every input before it starts)."""
    cond = inline_calls(node.cond, defs, {node.name})
    acond, inputs = abstract(cond, {node.name}, defs if careful else None)
    return Query(qid, node.name, node.t.elem, acond, inputs, tuple(e.t for e in inputs),
                 node.least, node.origin)


# ---------------------------------------------------------------- bound names

def _binders_of(e: ir.E) -> tuple[str, ...]:
    if isinstance(e, (ir.Quant, ir.Comp)):
        return tuple(b.name for b in e.binders)
    if isinstance(e, ir.LetE):
        return (e.name,)
    if isinstance(e, ir.Solve):
        return (e.name,)
    return ()


def free_locals(e: ir.E) -> frozenset[str]:
    """Names of the locals e reads that it does not bind itself."""
    if isinstance(e, ir.Local):
        return frozenset((e.name,))
    out: set[str] = set()
    if isinstance(e, (ir.Quant, ir.Comp)):
        bound: set[str] = set()
        for b in e.binders:            # a binder's domain sees the binders before it
            out |= free_locals(b.domain) - bound
            bound.add(b.name)
        for part in (e.body,) if isinstance(e, ir.Quant) else (e.cond, e.key, e.elem):
            if part is not None:
                out |= free_locals(part) - bound
        return frozenset(out)
    if isinstance(e, ir.LetE):
        return free_locals(e.value) | (free_locals(e.body) - {e.name})
    if isinstance(e, ir.Solve):
        return free_locals(e.cond) - {e.name}
    if isinstance(e, ir.MatchE):
        out |= free_locals(e.subject)
        for arm in e.arms:
            out |= free_locals(arm.body) - ({arm.bind} if arm.bind else set())
        return frozenset(out)
    for child in _children(e):
        out |= free_locals(child)
    return frozenset(out)


def _children(e) -> Iterator[ir.E]:
    for f in dataclasses.fields(e):
        if f.name in ("t", "origin"):
            continue
        yield from _exprs_in(getattr(e, f.name))


def _exprs_in(v) -> Iterator[ir.E]:
    if isinstance(v, ir.E):
        yield v
    elif isinstance(v, (ir.Binder,)):
        yield v.domain
    elif isinstance(v, ir.MatchArm):
        yield v.body
    elif isinstance(v, tuple):
        for x in v:
            yield from _exprs_in(x)


def mentions(e: ir.E, names: set[str] | frozenset[str]) -> bool:
    return bool(free_locals(e) & names)


# ---------------------------------------------------------------- definitions

def inline_calls(e: ir.E, defs, bound: set[str]) -> ir.E:
    """e with every call whose arguments read a bound name replaced by the definition's body
    under `let`s of its parameters (definitions are never recursive, so this ends). Calls that
    read no bound name stay: they are inputs, computed by the generated code."""

    # Names bound inside the constraint (quantifier variables, lets) are not known before
    # solving either: a call reading one is inlined too.
    inner = set(bound) | bound_inside(e)

    def inline(n):
        if not isinstance(n, ir.CallDef) or not any(mentions(a, inner) for a in n.args):
            return n
        d = defs[n.index]
        body = d.body
        for (name, _), arg in reversed(list(zip(d.params, n.args))):
            body = ir.LetE(body.t, name, arg, body, n.origin)
        return inline_calls(body, defs, inner | {name for name, _ in d.params})

    return transform(e, inline)


def bound_inside(e: ir.E) -> set[str]:
    out: set[str] = set()
    for n in walk(e):
        if isinstance(n, ir.E):
            out.update(_binders_of(n))
        elif isinstance(n, ir.MatchArm) and n.bind:
            out.add(n.bind)
    return out


# ---------------------------------------------------------------- inputs

class _Abstractor:
    def __init__(self, bound: set[str], defs=None):
        self.defs = defs            # careful mode: the definitions, to see if a call may fail
        self.inputs: list[ir.E] = []
        self.index: dict[ir.E, int] = {}

    def input(self, e: ir.E) -> ir.E:
        i = self.index.get(e)
        if i is None:
            i = self.index[e] = len(self.inputs)
            self.inputs.append(e)
        return ir.Local(e.t, f"{INPUT}{i}", e.origin)

    def visit(self, e: ir.E, bound: frozenset[str]) -> ir.E:
        if isinstance(e, (ir.Lit, ir.TypeSet)):
            return e
        if not mentions(e, bound) and not _lazy_set(e) and (self.defs is None or not may_fail(e, self.defs)):
            return self.input(e)
        if isinstance(e, (ir.Quant, ir.Comp)):
            inner = set(bound)
            binders = []
            for b in e.binders:
                binders.append(ir.Binder(b.name, self.visit(b.domain, frozenset(inner))))
                inner.add(b.name)
            fb = frozenset(inner)
            if isinstance(e, ir.Quant):
                return dataclasses.replace(e, binders=tuple(binders), body=self.visit(e.body, fb))
            return dataclasses.replace(
                e, binders=tuple(binders),
                cond=None if e.cond is None else self.visit(e.cond, fb),
                key=None if e.key is None else self.visit(e.key, fb), elem=self.visit(e.elem, fb))
        if isinstance(e, ir.LetE):
            return dataclasses.replace(e, value=self.visit(e.value, bound),
                                       body=self.visit(e.body, bound | {e.name}))
        if isinstance(e, ir.Solve):
            return dataclasses.replace(e, cond=self.visit(e.cond, bound | {e.name}))
        if isinstance(e, ir.MatchE):
            arms = tuple(ir.MatchArm(a.tag, a.bind, self.visit(a.body, bound | ({a.bind} if a.bind else set())))
                         for a in e.arms)
            return dataclasses.replace(e, subject=self.visit(e.subject, bound), arms=arms)
        return self.rebuild(e, bound)

    def rebuild(self, e: ir.E, bound: frozenset[str]) -> ir.E:
        changes = {}
        for f in dataclasses.fields(e):
            if f.name in ("t", "origin"):
                continue
            v = getattr(e, f.name)
            nv = self.value(v, bound)
            if nv is not v:
                changes[f.name] = nv
        return dataclasses.replace(e, **changes) if changes else e

    def value(self, v, bound):
        if isinstance(v, ir.E):
            return self.visit(v, bound)
        if isinstance(v, tuple):
            new = tuple(self.value(x, bound) for x in v)
            return v if all(a is b for a, b in zip(new, v)) else new
        return v


def _lazy_set(e: ir.E) -> bool:
    """A set that must not be built as a value: a range or a type's values, possibly huge
    (`10.0.0.0 .. 10.255.255.255`), or a set operation over one. The encoder reasons about
    its bounds instead; only the bounds become inputs."""
    if isinstance(e, ir.Op) and e.op == "range":
        return True
    if isinstance(e, ir.TypeSet):
        return not T.is_bitset(e.t)
    if isinstance(e, ir.Op) and e.op in ("union", "inter", "diff"):
        return any(_lazy_set(a) for a in e.args)
    return False


_MAY_FAIL_OPS = frozenset({"div", "mod", "head", "tail", "last", "get", "min", "max", "append", "remove",
                           "cidr", "concat"})


def may_fail(e: ir.E, defs, seen: frozenset = frozenset()) -> bool:
    """Can evaluating e raise a run-time error (KOV501) in some state?"""
    for n in walk(e):
        if isinstance(n, (ir.Index, ir.Coerce, ir.Solve, ir.Collection, ir.Comp, ir.Update)):
            if isinstance(n, ir.Coerce) and isinstance(n.e.t, T.IntT) and isinstance(n.t, T.IntT) \
                    and _within(n.e.t, n.t):
                continue
            if isinstance(n, (ir.Collection, ir.Comp)) and not isinstance(n.t, T.MapT) \
                    and not (isinstance(n.t, T.SeqT) and n.t.max is not None):
                continue
            if isinstance(n, ir.Update) and isinstance(n.t, T.RecordT):
                continue
            return True
        if isinstance(n, ir.Op) and n.op in _MAY_FAIL_OPS:
            return True
        if isinstance(n, ir.CallDef) and n.index not in seen and n.index < len(defs):
            if may_fail(defs[n.index].body, defs, seen | {n.index}):
                return True
    return False


def abstract(cond: ir.E, bound: set[str], defs=None) -> tuple[ir.E, tuple[ir.E, ...]]:
    """(cond with its inputs replaced by placeholders, the inputs in placeholder order).
    With `defs` (careful mode) sub-expressions that may fail stay in cond."""
    a = _Abstractor(bound, defs)
    out = a.visit(cond, frozenset(bound))
    return out, tuple(a.inputs)


def _within(a: T.IntT, b: T.IntT) -> bool:
    if not b.bounded:
        return True
    return a.bounded and b.lo <= a.lo and a.hi <= b.hi
