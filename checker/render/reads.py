"""What a step of a trace read, and what a violated property looked at.

Input: a compiled spec model (`SpecModel`: `.spec` is the IR, `.layout` the state layout)
and a `Trace`. Output: for each step the `Read`s it made — (variable, key) places such as
`cache[Subnet]`, or a whole variable — and, for the violated property, the places its
failing instance read (`explain`).

Reads are not visible in the states, so each step is run again in the reference
interpreter (checker/ir/interp.py) with every read of the state recorded. `choose` forks
the run; the reads kept are those of the path that produced the trace's next state. A
read of a place the same step has already written is its own write, not a read of the
state, and is left out; so is the variable a whole-variable update rewrites (`api := api
with {...}` writes api[n], it does not read all of api).

Everything here is best effort decoration for the renderers: a model that is not a
compiled spec, or a step the interpreter cannot run (a construct it does not know yet),
gives no reads rather than an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.ir import nodes as ir
from checker.ir.interp import Ctx, Interpreter
from checker.ir.plain import in_order, normalize
from checker.semantics import types as T

_READS = "#reads"      # the env key carrying a path's reads (IR locals are identifiers)


@dataclass(frozen=True, slots=True)
class Read:
    """A place a step read: `var[key]` (key is a display value) or all of `var`."""

    var: str
    key: Any = None
    whole: bool = False
    primed: bool = False     # read in the next state (action properties: x')


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a property fails: the failing instance of its outer `forall` and its reads."""

    binding: str             # "n = 1", or "" when the property has no outer forall
    reads: frozenset


def plain_state(model, state) -> dict:
    """The interpreter's form of a compiled state: {variable: plain value}."""
    out = {}
    for i, v in enumerate(model.spec.vars):
        rep = T.rep_of_code(v.t, model.layout.field(state, i))
        out[v.name] = normalize(T.to_plain(v.t, rep))
    return out


def is_spec_model(model) -> bool:
    return hasattr(model, "spec") and hasattr(model, "layout") and isinstance(model.spec, ir.SpecIR)


def step_reads(model, trace) -> tuple[frozenset, ...]:
    """Per step of `trace`, the places it read (the first step, the initial state: none)."""
    if not is_spec_model(model):
        return tuple(frozenset() for _ in trace.steps)
    rec = _Recorder(model.spec)
    states = [plain_state(model, s.state) for s in trace.steps]
    out = [frozenset()]
    for i in range(1, len(trace.steps)):
        label = trace.steps[i].label
        if label is None:                     # a stuttering step reads nothing
            out.append(frozenset())
            continue
        try:
            out.append(rec.reads_of_step(label, states[i - 1], states[i]))
        except Exception:                     # noqa: BLE001 - decoration only (module docstring)
            out.append(frozenset())
    return tuple(out)


def explain(model, prop_name: str, state, nxt=None) -> Explanation | None:
    """The failing instance of invariant (or action property) `prop_name` in `state` (and
    `nxt`), with the places it read; None when it cannot be worked out."""
    if not is_spec_model(model):
        return None
    prop = next((p for p in model.spec.properties if p.name == prop_name), None)
    if prop is None or prop.kind not in ("invariant", "action"):
        return None
    rec = _Recorder(model.spec)
    before = plain_state(model, state)
    after = plain_state(model, nxt) if nxt is not None else None
    try:
        return rec.explain(prop.expr, before, after)
    except Exception:                         # noqa: BLE001 - decoration only
        return None


def explain_temporal(model, prop_name: str, instance: str | None, state) -> Explanation | None:
    """What temporal property `prop_name` (its instance named `instance`, as the engine names
    it: "n = Subnet") looks at in `state`: the reads of the predicate that never comes true
    (P, or Q for `P leads to Q`). None when it cannot be worked out."""
    if not is_spec_model(model):
        return None
    t = next((t for t in getattr(model.spec, "temporals", ()) if t.name == prop_name), None)
    if t is None:
        return None
    rec = _Recorder(model.spec)
    plain = plain_state(model, state)
    try:
        env = rec.instance_env(t.params, instance or "", plain)
        if env is None:
            return None
        expr = t.q if t.kind == "leads_to" and t.q is not None else t.p
        rec.before, rec.quiet, rec.log = None, set(), []
        rec.eval(expr, Ctx(plain, env))
        return Explanation(instance or "", frozenset(rec.log))
    except Exception:                         # noqa: BLE001 - decoration only
        return None


# ---------------------------------------------------------------- the recording interpreter

class _Recorder(Interpreter):
    """The reference interpreter with every read of the state noted in `self.log`."""

    def __init__(self, spec: ir.SpecIR):
        super().__init__(spec)
        self.log: list | None = None
        self.before: dict | None = None       # the state the step started from
        self.quiet: set[int] = set()          # ids of VarRef nodes that are write bases
        self.mute = 0                         # > 0 while re-evaluating an already noted read
        self.primed = 0                       # > 0 while evaluating inside x'

    # -------------------------------------------------------- entry points
    def reads_of_step(self, label, before: dict, after: dict) -> frozenset:
        index, params = label
        action = self.spec.actions[index]
        env = {p.name: normalize(T.to_plain(p.t, r)) for p, r in zip(action.params, params)}
        self.quiet = _write_bases(action.body)
        self.before, self.log = before, []
        for p in action.params:               # parameter domains are read to pick the values
            self.eval(p.domain, Ctx(before, env))
        first = frozenset(self.log)
        self.log = []
        for w, env2 in self.run(action.body, dict(before), env):
            if all(w[n] == after[n] for n in self.names):
                return first | env2.get(_READS, frozenset()) | frozenset(self.log)
        return frozenset()

    def explain(self, expr: ir.E, state: dict, nxt: dict | None) -> Explanation:
        self.before, self.quiet = None, set()
        ctx = Ctx(state, {}, nxt)
        if isinstance(expr, ir.Quant) and expr.kind == "forall":
            for c in self.bindings(expr.binders, ctx):
                self.log = []
                if not self.truth(self.eval(expr.body, c)):
                    return Explanation(self._binding_text(expr.binders, c), frozenset(self.log))
        self.log = []
        self.eval(expr, ctx)
        return Explanation("", frozenset(self.log))

    def instance_env(self, params, name: str, state: dict) -> dict | None:
        """The binding of a temporal property's parameters whose display name is `name`."""
        def combos(k: int, env: dict, shown: list):
            if k == len(params):
                yield env, ", ".join(shown)
                return
            p = params[k]
            for v in in_order(p.domain.t, self.eval(p.domain, Ctx(state, env))):
                yield from combos(k + 1, {**env, p.name: v}, shown + [f"{p.display} = {T.show(_display(p.t, v))}"])
        for env, text in combos(0, {}, []):
            if text == name:
                return env
        return None

    def _binding_text(self, binders, ctx: Ctx) -> str:
        parts = []
        for b in binders:
            t = b.domain.t.elem if isinstance(b.domain.t, T.SetT) else None
            value = ctx.env[b.name]
            shown = T.show(_display(t, value)) if t is not None else T.show(value)
            parts.append(f"{b.name.rsplit('_', 1)[0]} = {shown}")
        return ", ".join(parts)

    # -------------------------------------------------------- statements: reads per path
    def step(self, s: ir.S, w: dict, env: dict) -> list:
        if isinstance(s, ir.ForS):
            return self._for(s, w, env)
        outer, self.log = self.log, []
        try:
            paths = super().step(s, w, env)
        finally:
            mine, self.log = self.log, outer
        if not mine:
            return paths
        add = frozenset(mine)
        return [(w2, {**e2, _READS: e2.get(_READS, frozenset()) | add}) for w2, e2 in paths]

    def _for(self, s: ir.ForS, w: dict, env: dict) -> list:
        # The interpreter's `for` drops the body's environment, and with it the reads made
        # in the body; this is the same loop keeping them.
        outer, self.log = self.log, []
        try:
            domain = self.eval(s.domain, Ctx(w, env))
        finally:
            mine, self.log = frozenset(self.log), outer
        paths = [(w, env)]
        for v in in_order(s.domain.t, domain):
            paths = [(w2, {**e1, _READS: e2.get(_READS, frozenset())})
                     for w1, e1 in paths for w2, e2 in self.run(s.body, w1, {**e1, s.name: v})]
        return [(w2, {**e2, _READS: e2.get(_READS, frozenset()) | mine}) for w2, e2 in paths]

    # -------------------------------------------------------- expressions: the reads
    def _eval(self, e: ir.E, ctx: Ctx) -> Any:
        if self.log is None or self.mute:
            return super()._eval(e, ctx)
        if isinstance(e, ir.Index) and isinstance(e.base, ir.VarRef) and isinstance(e.base.t, T.MapT):
            self._note(e.base, self.eval(e.key, ctx), ctx)
            return self._muted(e, ctx)
        if isinstance(e, ir.Op) and e.op == "in" and _keys_of_var(e.args[1]) is not None:
            self._note(_keys_of_var(e.args[1]), self.eval(e.args[0], ctx), ctx)
            return self._muted(e, ctx)
        if isinstance(e, ir.VarRef) and id(e) not in self.quiet:
            self._note(e, None, ctx, whole=True)
        if isinstance(e, ir.Op) and e.op == "prime":
            self.primed += 1
            try:
                return super()._eval(e, ctx)
            finally:
                self.primed -= 1
        return super()._eval(e, ctx)

    def _muted(self, e: ir.E, ctx: Ctx) -> Any:
        self.mute += 1
        try:
            return super()._eval(e, ctx)
        finally:
            self.mute -= 1

    def _note(self, ref: ir.VarRef, key: Any, ctx: Ctx, whole: bool = False) -> None:
        var = self.spec.vars[ref.index]
        primed = bool(ref.primed or self.primed)
        if not primed and self.before is not None and self._own_write(var.name, key, ctx, whole):
            return
        shown = None if whole else _display(var.t.key, key)
        self.log.append(Read(var.name, shown, whole, primed))

    def _own_write(self, name: str, key: Any, ctx: Ctx, whole: bool) -> bool:
        now, then = ctx.state[name], self.before[name]
        if whole:
            return now != then
        missing = object()
        return now.get(key, missing) != then.get(key, missing)


def _keys_of_var(e: ir.E) -> ir.VarRef | None:
    """The map variable of `keys(m)` (what `k in m` is lowered to), else None."""
    if isinstance(e, ir.Op) and e.op == "keys" and isinstance(e.args[0], ir.VarRef):
        return e.args[0]
    return None


def _write_bases(body: tuple) -> set[int]:
    """ids of the VarRefs that are the base of a whole-variable rewrite `x := x with {..}`
    or `x := remove(x, k)`: evaluating them is part of a write, not a read."""
    from checker.ir.walk import walk
    out: set[int] = set()
    for s in body:
        for node in walk(s):
            if not isinstance(node, ir.Assign):
                continue
            v = node.value
            base = v.base if isinstance(v, ir.Update) else \
                v.args[0] if isinstance(v, ir.Op) and v.op == "remove" else None
            if isinstance(base, ir.VarRef) and base.index == node.var:
                out.add(id(base))
    return out


def _display(t: T.Type | None, plain: Any) -> Any:
    """A plain value as the renderers (and describe) show it."""
    if t is None:
        return plain
    try:
        return T.to_display(t, T.from_plain(t, plain))
    except Exception:                         # noqa: BLE001 - types the converters do not know
        return plain
