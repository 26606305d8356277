"""A slow, obviously correct reference interpreter of the IR, over plain values.

Input: an `ir.SpecIR` (one variant). Output: its initial states, the successors of a state,
and the outcome of each property, where a state is a dict {variable name: plain value} and
plain values are those of semantics/types.py (bool, int, `Tag`, tuples for records and
sequences, frozensets, dicts for maps, None / `Some` for options).

It exists to be the oracle the compiled model (checker/compile) is tested against
(tests/property/test_compile_vs_interp.py), so it walks the IR directly, shares nothing
with the code generator and is not meant to be fast. Plain values: plain.py; a naive
breadth-first search over it: search.py. The semantics it fixes:

- Statements run in order on a working copy of the state; an expression reads the working
  copy, so it sees the assignments made before it. `require` false ends the path (no
  successor), `choose` forks one path per element, `if` runs one branch, `for` runs its
  body once per element, in order. Every path that reaches the end is one successor.
- Sets are iterated in canonical order: ascending ordinal of the element type (for ints,
  ascending value). That order decides `for` loops, which duplicate key of a map built by
  a comprehension or literal wins (the later one), and which error a quantifier meets first.
- `and`, `or` and `=>` evaluate their right operand only when needed; `forall`/`exists`
  stop at the first element that decides them.
- `match` takes the arm that names the value's tag; `_` stands for every tag no arm names
  (docs/language.md), wherever it is written.
- `Coerce` (range checks, conversions) fails when the value is not a value of the target
  type; so does an assignment, a bounded sequence overflowing, a map read at a missing key,
  a sequence index out of bounds, division by zero, get() of none, min() of nothing...
  Each of these raises `InterpError` (the compiled model raises ModelError).
- A value that does not belong to the static type of the node that produced it raises
  `TypeBroken`: that is a bug in the front end or here, never a property of the spec.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Iterator

from checker.ir import nodes as ir
from checker.ir.plain import FrozenMap, TypeBroken, fits, from_rep, fully_known, in_order, normalize
from checker.semantics import types as T

__all__ = ["InterpError", "Interpreter", "TypeBroken"]


class InterpError(Exception):
    """The spec failed to evaluate something in a state (the compiled model's ModelError)."""


State = dict
Label = tuple[int, tuple]


# ---------------------------------------------------------------- evaluation context

@dataclass(frozen=True)
class Ctx:
    state: State                # the state unprimed names read (the working copy in actions)
    env: dict                   # bound names -> plain values
    nxt: State | None = None    # the next state, read by x' (action properties only)
    start: State | None = None  # the state the step started from, read by old(e) (actions only)

    def bind(self, name: str, value: Any) -> "Ctx":
        return Ctx(self.state, {**self.env, name: value}, self.nxt, self.start)


# ---------------------------------------------------------------- the interpreter

class Interpreter:
    """Evaluates one SpecIR. States are dicts {variable name: plain value}."""

    def __init__(self, spec: ir.SpecIR):
        self.spec = spec
        self.names = [v.name for v in spec.vars]

    # ------------------------------------------------------------ the transition system
    def init_states(self) -> list[State]:
        """Every initial state, one per path through the init statements (duplicates kept)."""
        start = {name: _Unset for name in self.names}
        out = []
        for w, _env in self.run(self.spec.init, start, {}):
            missing = [n for n in self.names if w[n] is _Unset]
            if missing:
                raise TypeBroken(f"init leaves {', '.join(missing)} without a value")
            out.append(w)
        return out

    def successors(self, state: State) -> list[tuple[Label, State]]:
        """Every (label, next state) of every enabled action instance; a label is
        (action index, parameter values in declaration order)."""
        out = []
        for i, action in enumerate(self.spec.actions):
            for params in self.param_values(action, state):
                env = {p.name: v for p, v in zip(action.params, params)}
                for w, _env in self.run(action.body, dict(state), env, state):
                    out.append(((i, params), w))
        return out

    def param_values(self, action: ir.ActionIR, state: State) -> Iterator[tuple]:
        """Every combination of parameter values; a domain may name earlier parameters."""
        def combos(k: int, env: dict, chosen: tuple):
            if k == len(action.params):
                yield chosen
                return
            p = action.params[k]
            domain = self.eval(p.domain, Ctx(state, env))
            for v in in_order(p.domain.t, domain):
                yield from combos(k + 1, {**env, p.name: v}, chosen + (v,))
        return combos(0, {}, ())

    # ------------------------------------------------------------ properties
    def properties(self, kind: str) -> list[ir.PropertyIR]:
        return [p for p in self.spec.properties if p.kind == kind]

    def holds(self, prop: ir.PropertyIR, state: State, nxt: State | None = None) -> bool:
        """The value of a property's expression (an action property also reads nxt)."""
        if (prop.kind == "action") != (nxt is not None):
            raise ValueError(f"{prop.kind} property {prop.name} evaluated with next state {nxt!r}")
        return self.truth(self.eval(prop.expr, Ctx(state, {}, nxt)))

    def within_constraint(self, state: State) -> bool:
        return all(self.holds(p, state) for p in self.properties("constraint"))

    def is_terminal(self, state: State) -> bool:
        """Every process has reached `done` (no process: never)."""
        if not self.spec.terminal_pcs:
            return False
        for var, done in self.spec.terminal_pcs:
            v = self.spec.vars[var]
            label = v.t.value.labels[done]
            if any(pc != label for pc in state[v.name].values()):
                return False
        return True

    @staticmethod
    def truth(v: Any) -> bool:
        if not isinstance(v, bool):
            raise TypeBroken(f"a condition evaluated to {v!r}, not a bool")
        return v

    # ------------------------------------------------------------ statements
    def run(self, stmts: tuple[ir.S, ...], w: State, env: dict,
            start: State | None = None) -> list[tuple[State, dict]]:
        """Run statements on working copy w; one (state, env) per path that gets through.
        `start`: the state the step started from (what old(e) reads; None in init)."""
        paths = [(w, env)]
        for s in stmts:
            paths = [after for w, env in paths for after in self.step(s, w, env, start)]
        return paths

    def step(self, s: ir.S, w: State, env: dict, start: State | None = None) -> list[tuple[State, dict]]:
        ctx = Ctx(w, env, None, start)
        if isinstance(s, ir.Require):
            return [(w, env)] if self.truth(self.eval(s.cond, ctx)) else []
        if isinstance(s, ir.Assign):
            var = self.spec.vars[s.var]
            value = self.eval(s.value, ctx)
            if not fits(var.t, value):
                raise InterpError(f"{var.name} := {value!r}: not a value of {var.t}")
            return [({**w, var.name: value}, env)]
        if isinstance(s, ir.LetS):
            return [(w, {**env, s.name: self.eval(s.value, ctx)})]
        if isinstance(s, ir.ChooseS):
            domain = self.eval(s.domain, ctx)
            return [(w, {**env, s.name: v}) for v in in_order(s.domain.t, domain)]
        if isinstance(s, ir.IfS):
            branch = s.then if self.truth(self.eval(s.cond, ctx)) else s.else_
            return self.run(branch, w, env, start)
        if isinstance(s, ir.ForS):
            domain = self.eval(s.domain, ctx)
            states = [w]
            for v in in_order(s.domain.t, domain):   # the body's own names end with it
                states = [w2 for w1 in states for w2, _ in self.run(s.body, w1, {**env, s.name: v}, start)]
            return [(w2, env) for w2 in states]
        raise NotImplementedError(f"statement {type(s).__name__}")

    # ------------------------------------------------------------ expressions
    def eval(self, e: ir.E, ctx: Ctx) -> Any:
        """The plain value of e; checks that it belongs to e's static type."""
        v = self.eval_node(e, ctx)
        t = e.t
        if fully_known(t) and not fits(t, v):
            raise TypeBroken(f"{type(e).__name__} of type {t} evaluated to {v!r}")
        return v

    def eval_node(self, e: ir.E, ctx: Ctx) -> Any:
        """The plain value of e itself, its type unchecked (eval checks it). The one place a
        subclass watches every evaluation (checker/analysis/recorder.py notes the reads)."""
        if isinstance(e, ir.Lit):
            return from_rep(e.t, e.value)
        if isinstance(e, ir.VarRef):
            state = ctx.nxt if e.primed else ctx.state
            v = state[self.spec.vars[e.index].name]
            if v is _Unset:
                raise TypeBroken(f"{self.spec.vars[e.index].name} is read before it is given a value")
            return v
        if isinstance(e, ir.Local):
            return ctx.env[e.name]
        if isinstance(e, ir.Op):
            return self.op(e, ctx)
        if isinstance(e, ir.Quant):
            return self.quant(e, ctx)
        if isinstance(e, ir.Comp):
            return self.comp(e, ctx)
        if isinstance(e, ir.Ite):
            return self.eval(e.then if self.truth(self.eval(e.cond, ctx)) else e.else_, ctx)
        if isinstance(e, ir.LetE):
            return self.eval(e.body, ctx.bind(e.name, self.eval(e.value, ctx)))
        if isinstance(e, ir.CallDef):
            d = self.spec.defs[e.index]
            args = [self.eval(a, ctx) for a in e.args]
            return self.eval(d.body, Ctx(ctx.state, {n: a for (n, _), a in zip(d.params, args)}))
        if isinstance(e, ir.Index):
            return self.index(e, ctx)
        if isinstance(e, ir.FieldGet):
            base = self.eval(e.base, ctx)
            return base[_field_pos(e.base.t, e.name)]
        if isinstance(e, ir.Update):
            return self.update(e, ctx)
        if isinstance(e, ir.Collection):
            return self.collection(e, ctx)
        if isinstance(e, ir.Construct):
            if e.payload is None:
                return T.Tag(e.tag)
            return T.Tag(e.tag, self.eval(e.payload, ctx), True)
        if isinstance(e, ir.TypeSet):
            return frozenset(normalize(x) for x in T.all_plain(e.t.elem))
        if isinstance(e, ir.Coerce):
            v = self.eval(e.e, ctx)
            if not fits(e.t, v):
                raise InterpError(f"{v!r} is not a value of {e.t}")
            return v
        if isinstance(e, ir.MatchE):
            return self.match(e, ctx)
        if isinstance(e, ir.Solve):
            return self.solve(e, ctx)
        raise NotImplementedError(f"expression {type(e).__name__}")

    def solve(self, e, ctx: Ctx) -> frozenset:
        """{x in T | cond}: every value of T (in canonical order) for which cond holds, or
        only the least one. By brute force, so only for small types."""
        elem = e.t.elem
        if not T.finite(elem) or T.size(elem) > SOLVE_LIMIT:
            raise NotImplementedError(f"solving over {elem} by enumeration")
        found = []
        for v in T.all_plain(elem):
            if self.truth(self.eval(e.cond, ctx.bind(e.name, normalize(v)))):
                found.append(normalize(v))
                if e.least:
                    break
        return frozenset(found)

    def quant(self, e: ir.Quant, ctx: Ctx) -> bool:
        want = e.kind == "exists"          # the value that decides the quantifier
        for c in self.bindings(e.binders, ctx):
            if self.truth(self.eval(e.body, c)) == want:
                return want
        return not want

    def bindings(self, binders: tuple[ir.Binder, ...], ctx: Ctx) -> Iterator[Ctx]:
        """Every binding of the binders in canonical order; later domains see earlier names."""
        if not binders:
            yield ctx
            return
        b, rest = binders[0], binders[1:]
        for v in in_order(b.domain.t, self.eval(b.domain, ctx)):
            yield from self.bindings(rest, ctx.bind(b.name, v))

    def comp(self, e: ir.Comp, ctx: Ctx) -> Any:
        elems, pairs = [], []
        for c in self.bindings(e.binders, ctx):
            if e.cond is not None and not self.truth(self.eval(e.cond, c)):
                continue
            if e.key is None:
                elems.append(self.eval(e.elem, c))
            else:
                pairs.append((self.eval(e.key, c), self.eval(e.elem, c)))
        if e.key is None:
            return frozenset(elems)
        return self.build_map(e.t, pairs)

    def build_map(self, t: T.MapT, pairs: list) -> FrozenMap:
        out: dict = {}
        for k, v in pairs:                 # a later pair overrides an earlier one
            if not fits(t.key, k):
                raise InterpError(f"key {k!r} is not a value of {t.key}")
            out[k] = v
        if t.total and len(out) != T.size(t.key):
            raise InterpError(f"a function {t} needs a value at every key")
        return FrozenMap(out)

    def index(self, e: ir.Index, ctx: Ctx) -> Any:
        base = self.eval(e.base, ctx)
        key = self.eval(e.key, ctx)
        if isinstance(e.base.t, T.MapT):
            if key not in base:
                raise InterpError(f"the map has no value at {key!r}")
            return base[key]
        if not 0 <= key < len(base):
            raise InterpError(f"index {key} is outside the sequence (length {len(base)})")
        return base[key]

    def update(self, e: ir.Update, ctx: Ctx) -> Any:
        t = e.t
        x = self.eval(e.base, ctx)
        for key, value in e.entries:       # entries apply in order
            if isinstance(t, T.RecordT):
                fields = list(x)
                fields[_field_pos(t, key)] = self.eval(value, ctx)
                x = tuple(fields)
            elif isinstance(t, T.MapT):
                k, v = self.eval(key, ctx), self.eval(value, ctx)
                if not fits(t.key, k):
                    raise InterpError(f"key {k!r} is not a value of {t.key}")
                x = FrozenMap({**x, k: v})
            elif isinstance(t, T.SeqT):
                i, v = self.eval(key, ctx), self.eval(value, ctx)
                if not 0 <= i < len(x):
                    raise InterpError(f"index {i} is outside the sequence (length {len(x)})")
                x = x[:i] + (v,) + x[i + 1:]
            else:
                raise NotImplementedError(f"update of {t}")
        return x

    def collection(self, e: ir.Collection, ctx: Ctx) -> Any:
        t = e.t
        if isinstance(t, T.SetT):
            return frozenset(self.eval(x, ctx) for x in e.items)
        if isinstance(t, T.RecordT):
            return tuple(self.eval(x, ctx) for x in e.items)
        if isinstance(t, T.MapT):
            return self.build_map(t, [(self.eval(k, ctx), self.eval(v, ctx)) for k, v in e.items])
        if isinstance(t, T.SeqT):
            items = tuple(self.eval(x, ctx) for x in e.items)
            if t.max is not None and len(items) > t.max:
                raise InterpError(f"a sequence of {len(items)} elements does not fit {t}")
            return items
        raise NotImplementedError(f"collection of {t}")

    def match(self, e: ir.MatchE, ctx: Ctx) -> Any:
        v = self.eval(e.subject, ctx)
        for arm in e.arms:                 # the (first) arm that names the tag...
            if arm.tag == v.tag:
                inner = ctx.bind(arm.bind, v.payload) if arm.bind is not None else ctx
                return self.eval(arm.body, inner)
        for arm in e.arms:                 # ...else `_`, which stands for all the others
            if arm.tag is None:
                return self.eval(arm.body, ctx)
        raise TypeBroken(f"no arm of a match takes {v!r}")

    # ------------------------------------------------------------ operators
    def op(self, e: ir.Op, ctx: Ctx) -> Any:
        op, args = e.op, e.args
        if op == "and":
            return self.truth(self.eval(args[0], ctx)) and self.truth(self.eval(args[1], ctx))
        if op == "or":
            return self.truth(self.eval(args[0], ctx)) or self.truth(self.eval(args[1], ctx))
        if op == "implies":
            return (not self.truth(self.eval(args[0], ctx))) or self.truth(self.eval(args[1], ctx))
        if op == "prime":
            if ctx.nxt is None:
                raise TypeBroken("x' evaluated without a next state")
            return self.eval(args[0], Ctx(ctx.nxt, ctx.env, None))
        if op == "old":
            if ctx.start is None:
                raise TypeBroken("old(e) evaluated outside a step")
            return self.eval(args[0], Ctx(ctx.start, ctx.env, None, ctx.start))
        vals = [self.eval(a, ctx) for a in args]
        return self.apply(op, e, vals)

    def apply(self, op: str, e: ir.Op, vals: list) -> Any:
        """Operators whose operands are all evaluated first (left to right)."""
        if op in _PURE:
            return _PURE[op](*vals)
        if op == "div":
            a, b = vals
            if b == 0:
                raise InterpError("division by zero")
            return a // b                 # rounds towards minus infinity, like TLA+'s \div
        if op == "mod":
            a, b = vals
            if b == 0:
                raise InterpError("modulo by zero")
            return a % b
        if op in ("min", "max"):
            (xs,) = vals
            if not xs:
                raise InterpError(f"{op} of an empty collection")
            return min(xs) if op == "min" else max(xs)
        if op == "get":
            (o,) = vals
            if o is None:
                raise InterpError("get() of none")
            return o.value
        if op in ("head", "last", "tail"):
            (s,) = vals
            if not s:
                raise InterpError(f"{op} of an empty sequence")
            return s[0] if op == "head" else s[-1] if op == "last" else s[1:]
        if op == "append":
            s, x = vals
            t = e.args[0].t
            if t.max is not None and len(s) >= t.max:
                raise InterpError(f"append to a full sequence (at most {t.max} elements)")
            return s + (x,)
        if op == "remove":
            m, k = vals
            if not fits(e.t.key, k):
                raise InterpError(f"key {k!r} is not a value of {e.t.key}")
            return FrozenMap({kk: v for kk, v in m.items() if kk != k})
        if op == "in_cidr":              # x in c
            x, (network, prefix) = vals
            return network <= x < network + 2 ** (32 - prefix)
        if op in _CIDR:
            network, prefix = vals[0]
            return _CIDR[op](network, prefix)
        if op == "cidr":
            a, p = vals
            if not 0 <= p <= 32:
                raise InterpError(f"prefix length {p} is outside 0..32")
            if not 0 <= a < 2 ** 32:
                raise InterpError(f"{a} is not an IPv4 address")
            block = 2 ** (32 - p)
            return (a - a % block, p)
        raise NotImplementedError(f"operator {op}")


_PURE = {
    "not": lambda a: not a,
    "iff": lambda a, b: a == b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "neg": lambda a: -a,
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "abs": abs,
    "min2": min,
    "max2": max,
    "in": lambda x, s: x in s,
    "union": lambda a, b: a | b,
    "inter": lambda a, b: a & b,
    "diff": lambda a, b: a - b,
    "subseteq": lambda a, b: a <= b,
    "range": lambda a, b: frozenset(range(a, b + 1)),
    "len": len,
    "some": T.Some,
    "is_some": lambda o: o is not None,
    "keys": lambda m: frozenset(m),
    "powerset": lambda s: frozenset(frozenset(c) for r in range(len(s) + 1) for c in itertools.combinations(s, r)),
    "concat": lambda a, b: a + b,
}


# A cidr is the record (network, prefix): the addresses network .. network + 2**(32-prefix) - 1.
_CIDR = {
    "broadcast": lambda network, prefix: network + 2 ** (32 - prefix) - 1,
    "gateway": lambda network, prefix: network + 1 if prefix <= 30 else network,
    "cidr_size": lambda network, prefix: 2 ** (32 - prefix),
}
SOLVE_LIMIT = 100_000        # the largest type `choose ... where` is solved over by enumeration


class _UnsetType:
    """The value of a variable that init has not assigned yet."""

    def __repr__(self) -> str:
        return "<unset>"


_Unset = _UnsetType()


def _field_pos(t: T.RecordT, name: str) -> int:
    return [n for n, _ in t.fields].index(name)
