"""The recording interpreter: the reference interpreter with every read of the state noted.

Input: the IR of a variant (and plain states, checker/ir/plain.py). Output: the places
(`Read`s) an evaluation read, for checker/analysis/reads.py and failure.py.

Reads are not visible in the states, so each step is run again in the reference
interpreter (checker/ir/interp.py, whose `eval_node` it extends) with every read of the
state recorded. `choose` forks the run; the reads kept are those of the path that produced
the trace's next state. A `choose x: T where C` reads what its constraint reads: on a small
T the interpreter tries every candidate; on a large T (addresses) the constraint's inputs
(checker/ir/solve_plan.py: the sub-expressions that do not depend on x, which is all of the
state C reads) are evaluated and the solutions asked of Z3, as the search did. A read of a
place the same step has already written is its own write, not a read of the state, and is
left out; so is the variable a whole-variable update rewrites (`api := api with {...}`
writes api[n], it does not read all of api).
"""
from __future__ import annotations

from typing import Any

from checker.analysis.results import Decision, Explanation, Read
from checker.ir import nodes as ir
from checker.ir.interp import Ctx, InterpError, Interpreter
from checker.ir.plain import from_rep, in_order, normalize
from checker.ir.walk import walk
from checker.semantics import types as T
from checker.semantics import display as D
from checker.solver.options import SolverOptions
from checker.ir.solve_plan import enumerable, plan
from checker.solver.runtime import too_many

_READS = "#reads"      # the env key carrying a path's reads (IR locals are identifiers)
_DECIDED = "#decided"  # the env key carrying a path's decisions (results.Decision), in order


class Recorder(Interpreter):
    """The reference interpreter with every read of the state noted in `self.log`."""

    def __init__(self, spec: ir.SpecIR, max_solutions: int = 1024):
        super().__init__(spec)
        self.log: list | None = None
        self.before: dict | None = None       # the state the step started from
        self.quiet: set[int] = set()          # ids of VarRef nodes that are write bases
        self.mute = 0                         # > 0 while re-evaluating an already noted read
        self.primed = 0                       # > 0 while evaluating inside x'
        self.max_solutions = max_solutions    # the bound of `choose x: T where C` (as the search's)
        self.target = None                    # run-time errors: the span of the failing expression
        self.target_reads: frozenset | None = None   # what its last evaluation read
        self.solved: dict = {}                # (constraint, input values) -> solutions (large T)
        self.watch: list | None = None        # `blocked`: the requires found false

    # -------------------------------------------------------- entry points
    def reads_of_step(self, label, before: dict, after: dict) -> frozenset:
        return self.trail_of_step(label, before, after)[0]

    def trail_of_step(self, label, before: dict, after: dict) -> tuple[frozenset, tuple[Decision, ...]]:
        """What the step `label` from `before` to `after` read, and the decisions it took on
        the path that produced `after` (the branches, and the choices among several)."""
        index, params = label
        action = self.spec.actions[index]
        env = {p.name: normalize(T.to_plain(p.t, r)) for p, r in zip(action.params, params)}
        self.quiet = _write_bases(action.body)
        self.before, self.log = before, []
        for p in action.params:               # parameter domains are read to pick the values
            self.eval(p.domain, Ctx(before, env))
        first = frozenset(self.log)
        self.log = []
        for w, env2 in self.run(action.body, dict(before), env, before):
            if all(w[n] == after[n] for n in self.names):
                return first | env2.get(_READS, frozenset()) | frozenset(self.log), env2.get(_DECIDED, ())
        return frozenset(), ()

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
                yield from combos(k + 1, {**env, p.name: v}, shown + [f"{p.display} = {D.show(_display(p.t, v))}"])
        for env, text in combos(0, {}, []):
            if text == name:
                return env
        return None

    def failure(self, owner: tuple[str, Any], origin, states: list[dict], n: int, model) -> Explanation | None:
        """The evaluation that fails at `origin` in the last of `states` (the state before it
        is the other one, for action properties); n is the trace's length. What the owner of
        the span suggests is tried first, then (for a definition or an unknown span) every
        property and action, as the search evaluates them."""
        kind, what = owner
        self.target = origin
        props = [p for p in self.spec.properties if p.kind in ("invariant", "reachable", "constraint")]
        props += [p for p in self.spec.properties if p.kind == "action"]
        if kind == "property":
            tries = [("property", what)]
        elif kind == "temporal":
            tries = [("temporal", what)]
        elif kind == "action":
            tries = [("action", what)]
        elif kind in ("def", ""):
            tries = [("property", p) for p in props] + [("action", i) for i in range(len(self.spec.actions))]
        else:
            return None                       # the initial states: no trace leads there
        for k, x in tries:
            found = self._fails_property(x, states, n) if k == "property" else \
                self._fails_temporal(x, states[-1], n) if k == "temporal" else \
                self._fails_action(x, states[-1], n, model)
            if found is not None:
                return found
        if kind == "property":
            return Explanation("", frozenset(), property_context(what, n))
        if kind == "temporal":
            return Explanation("", frozenset(), f"in temporal property {what.name}, checking state {n}")
        if kind == "action":
            return Explanation("", frozenset(), f"in action {self.spec.actions[what].name}, "
                                                f"computing a next state of state {n}")
        return None

    def _fails_property(self, prop: ir.PropertyIR, states: list[dict], n: int) -> Explanation | None:
        if prop.kind == "action" and len(states) < 2:
            return None
        ctx = Ctx(states[-2], {}, states[-1]) if prop.kind == "action" else Ctx(states[-1], {})
        self.before, self.quiet, self.target_reads = None, set(), None
        binding = ""
        try:
            self.log = []
            expr = prop.expr
            if isinstance(expr, ir.Quant) and expr.kind == "forall":
                for c in self.bindings(expr.binders, ctx):
                    binding = self._binding_text(expr.binders, c)
                    self.truth(self.eval(expr.body, c))
            else:
                self.truth(self.eval(expr, ctx))
        except InterpError:
            if self.target_reads is None:
                return None                   # failed elsewhere: not the search's error
            return Explanation(binding, self.target_reads, property_context(prop, n))
        return None

    def _fails_temporal(self, t, state: dict, n: int) -> Explanation | None:
        """A temporal property's predicates, instance by instance (liveness checking
        evaluates them on every state: the trace ends in the state where one failed)."""
        self.before, self.quiet = None, set()

        def combos(k: int, env: dict, shown: list):
            if k == len(t.params):
                yield env, ", ".join(shown)
                return
            p = t.params[k]
            for v in in_order(p.domain.t, self.eval(p.domain, Ctx(state, env))):
                yield from combos(k + 1, {**env, p.name: v},
                                  shown + [f"{p.display} = {D.show(_display(p.t, v))}"])
        for env, shown in combos(0, {}, []):
            for expr in (t.p, t.q):
                if expr is None:
                    continue
                self.target_reads, self.log = None, []
                try:
                    self.eval(expr, Ctx(state, env))
                except InterpError:
                    if self.target_reads is None:
                        continue              # failed elsewhere: not the search's error
                    return Explanation(shown, self.target_reads,
                                       f"in temporal property {t.name}, checking state {n}")
        return None

    def _fails_action(self, index: int, state: dict, n: int, model) -> Explanation | None:
        action = self.spec.actions[index]
        self.quiet = _write_bases(action.body)
        self.before, self.target_reads, self.log = state, None, []
        context = f"in action {action.name}, computing a next state of state {n}"
        try:
            combos = list(self.param_values(action, state))
        except InterpError:                   # a parameter's domain failed
            return None if self.target_reads is None else Explanation("", self.target_reads, context)
        for params in combos:
            env = {p.name: v for p, v in zip(action.params, params)}
            self.target_reads, self.log = None, []
            try:
                self.run(action.body, dict(state), env, state)
            except InterpError:
                if self.target_reads is None:
                    continue
                label = _label(action, index, params)
                if label is not None:
                    context = f"in {model.format_label(label)}, computing a next state of state {n}"
                return Explanation("", self.target_reads, context, label)
        return None

    def _binding_text(self, binders, ctx: Ctx) -> str:
        parts = []
        for b in binders:
            t = b.domain.t.elem if isinstance(b.domain.t, T.SetT) else None
            value = ctx.env[b.name]
            shown = D.show(_display(t, value)) if t is not None else D.show(value)
            parts.append(f"{b.name.rsplit('_', 1)[0]} = {shown}")
        return ", ".join(parts)

    # -------------------------------------------------------- statements: reads per path
    def step(self, s: ir.S, w: dict, env: dict, start: dict | None = None) -> list:
        if isinstance(s, ir.ForS):
            return self._for(s, w, env, start)
        if isinstance(s, ir.Require) and self.watch is not None:
            held = self._condition(s.cond, s.origin, w, env, start)
            if held is not None and not held.value:
                self.watch.append(held)
        if isinstance(s, ir.ChooseS) and self.watch is not None:
            self._empty_choice(s, w, env, start)
        decision = self._branch(s, w, env, start) if isinstance(s, ir.IfS) and self.log is not None else None
        if decision is not None:              # before the branch's own decisions
            env = {**env, _DECIDED: env.get(_DECIDED, ()) + (decision,)}
        outer, self.log = self.log, []
        try:
            paths = super().step(s, w, env, start)
        finally:
            mine, self.log = self.log, outer
        if isinstance(s, ir.ChooseS) and len(paths) > 1:
            paths = [(w2, {**e2, _DECIDED: e2.get(_DECIDED, ()) + (self._choice(s, e2),)}) for w2, e2 in paths]
        if not mine:
            return paths
        add = frozenset(mine)
        return [(w2, {**e2, _READS: e2.get(_READS, frozenset()) | add}) for w2, e2 in paths]

    def _branch(self, s: ir.IfS, w: dict, env: dict, start: dict | None) -> Decision | None:
        """The decision of `if s.cond`: its value and what it read (with the values read),
        evaluated on its own first (a condition has no effect). None for a condition on
        constants only (a variant's switch: not a decision of this run)."""
        return self._condition(s.cond, s.origin, w, env, start)

    def _condition(self, cond: ir.E, origin: Any, w: dict, env: dict, start: dict | None) -> Decision | None:
        if not any(isinstance(n, (ir.VarRef, ir.Local, ir.CallDef)) for n in walk(cond)):
            return None
        outer, self.log = self.log, []
        try:
            value = self.truth(self.eval(cond, Ctx(w, env, None, start)))
        finally:
            mine, self.log = self.log, outer
        seen = tuple(sorted({self._seen(r, w) for r in mine}))
        return Decision(_one_line(cond), value, seen, cond.origin or origin, library=_in_library(cond.origin))

    def _empty_choice(self, s: ir.ChooseS, w: dict, env: dict, start: dict | None) -> None:
        """`blocked`: a `choose x in S` with S empty holds the step like a false require."""
        outer, self.log = self.log, []
        try:
            empty = not self.eval(s.domain, Ctx(w, env, None, start))
        finally:
            mine, self.log = self.log, outer
        if empty and self.watch is not None:
            seen = tuple(sorted({self._seen(r, w) for r in mine}))
            self.watch.append(Decision(f"{_one_line(s.domain)} is empty", True, seen,
                                       s.domain.origin or s.origin, True, _in_library(s.origin)))

    def blocked(self, index: int, params: tuple, state: dict) -> Decision | None:
        """Why action `index` with the plain parameter values `params` takes no step from
        `state`: the first `require` found false (its condition, with the values it read);
        None when the action is enabled, or is disabled otherwise (an empty choice)."""
        action = self.spec.actions[index]
        env = {p.name: v for p, v in zip(action.params, params)}
        self.quiet = _write_bases(action.body)
        self.before, self.log, self.watch = state, [], []
        try:
            paths = self.run(action.body, dict(state), env, state)
        finally:
            found, self.watch = self.watch, None
        return found[0] if found and not paths else None

    def _choice(self, s: ir.ChooseS, env: dict) -> Decision:
        t = s.domain.t.elem if isinstance(s.domain.t, T.SetT) else None
        return Decision(s.name.rsplit("_", 1)[0], D.show(_display(t, env[s.name])), (), s.origin, True,
                        _in_library(s.origin))

    def _seen(self, r: Read, w: dict) -> str:
        """`cache[Subnet] = absent`: a place read and its value in the working state `w`."""
        var = next(v for v in self.spec.vars if v.name == r.var)
        value = w[r.var]
        if r.whole:
            return f"{r.var} = {D.show(_display(var.t, value))}"
        place = f"{r.var}[{D.show(r.key)}]"
        assert isinstance(var.t, T.MapT)    # a keyed read is a map's
        for k, v in value.items():
            if _display(var.t.key, k) == r.key:
                return f"{place} = {D.show(_display(var.t.value, v))}"
        return f"{place} = absent"

    def _for(self, s: ir.ForS, w: dict, env: dict, start: dict | None = None) -> list:
        # The interpreter's `for` drops the body's environment, and with it the reads made
        # in the body; this is the same loop keeping them.
        outer, self.log = self.log, []
        try:
            domain = self.eval(s.domain, Ctx(w, env, None, start))
        finally:
            mine, self.log = frozenset(self.log), outer
        paths = [(w, env)]
        for v in in_order(s.domain.t, domain):
            paths = [(w2, {**e1, _READS: e2.get(_READS, frozenset()), _DECIDED: e2.get(_DECIDED, ())})
                     for w1, e1 in paths for w2, e2 in self.run(s.body, w1, {**e1, s.name: v}, start)]
        return [(w2, {**e2, _READS: e2.get(_READS, frozenset()) | mine}) for w2, e2 in paths]

    # -------------------------------------------------------- expressions: the reads
    def eval_node(self, e: ir.E, ctx: Ctx) -> Any:
        if self.target is not None and self.log is not None and same_span(e.origin, self.target):
            log, start = self.log, len(self.log)
            try:
                return self._reads_of(e, ctx)
            finally:                          # kept whether it failed or not
                self.target_reads = frozenset(log[start:])
        return self._reads_of(e, ctx)

    def _reads_of(self, e: ir.E, ctx: Ctx) -> Any:
        if self.log is None or self.mute:
            return super().eval_node(e, ctx)
        if isinstance(e, ir.Index) and isinstance(e.base, ir.VarRef) and isinstance(e.base.t, T.MapT):
            self._note(e.base, self.eval(e.key, ctx), ctx)
            return self._muted(e, ctx)
        if isinstance(e, ir.Op) and e.op == "in":
            keys = _keys_of_var(e.args[1])
            if keys is not None:
                self._note(keys, self.eval(e.args[0], ctx), ctx)
                return self._muted(e, ctx)
        if isinstance(e, ir.VarRef) and id(e) not in self.quiet:
            self._note(e, None, ctx, whole=True)
        if isinstance(e, ir.Op) and e.op == "prime":
            self.primed += 1
            try:
                return super().eval_node(e, ctx)
            finally:
                self.primed -= 1
        return super().eval_node(e, ctx)

    def solve(self, e: ir.Solve, ctx: Ctx) -> frozenset:
        """`choose x: T where C`'s solutions, with what C reads noted: on a small T by trying
        every candidate (the interpreter's way), on a large one by evaluating C's inputs and
        asking the solver (the search's way: the interpreter cannot enumerate addresses)."""
        assert isinstance(e.t, T.SetT)      # the set of solutions
        found = super().solve(e, ctx) if enumerable(e.t.elem) else self._solve_large(e, ctx)
        if not e.least and len(found) > self.max_solutions:
            raise InterpError(too_many(self.max_solutions))
        return found

    def _solve_large(self, e: ir.Solve, ctx: Ctx) -> frozenset:
        from checker.solver import enumerate as en     # imports z3: only for large domains
        q = plan(e, self.spec.defs, -1)
        values = tuple(self.eval(x, ctx) for x in q.inputs)      # all of the state C reads
        key: tuple[int, tuple[Any, ...]] | None = (id(e), values)
        try:
            found = self.solved.get(key)
        except TypeError:                     # an input that cannot be hashed: not cached
            key, found = None, None
        if found is None:
            reps = tuple(T.from_plain(t, _bare(v)) for t, v in zip(q.input_types, values))
            try:
                answer = en.solve(q, reps, SolverOptions(max_solutions=self.max_solutions))
            except en.TooMany:
                raise InterpError(too_many(self.max_solutions)) from None
            found = frozenset(normalize(from_rep(q.elem, r)) for r in answer)
            if key is not None:
                self.solved[key] = found
        return found

    def _muted(self, e: ir.E, ctx: Ctx) -> Any:
        self.mute += 1
        try:
            return super().eval_node(e, ctx)
        finally:
            self.mute -= 1

    def _note(self, ref: ir.VarRef, key: Any, ctx: Ctx, whole: bool = False) -> None:
        var = self.spec.vars[ref.index]
        primed = bool(ref.primed or self.primed)
        if not primed and self.before is not None and self._own_write(var.name, key, ctx, whole):
            return
        shown = None
        if not whole:
            assert isinstance(var.t, T.MapT)    # a keyed read is a map's (m[k], k in m)
            shown = _display(var.t.key, key)
        assert self.log is not None     # noting reads (eval_node checked)
        self.log.append(Read(var.name, shown, whole, primed))

    def _own_write(self, name: str, key: Any, ctx: Ctx, whole: bool) -> bool:
        assert self.before is not None      # within a step (_note checked)
        now, then = ctx.state[name], self.before[name]
        if whole:
            return now != then
        missing = object()
        return now.get(key, missing) != then.get(key, missing)


def _in_library(origin: Any) -> bool:
    """Is `origin` written in the shipped library (a macro's code inlined into the spec)?"""
    return getattr(getattr(origin, "source", None), "library", None) is not None


def _one_line(e: ir.E) -> str:
    """An expression's source text on one line ("" when its origin is not a span)."""
    try:
        return " ".join(e.origin.text().split())
    except AttributeError:
        return ""


def same_span(a, b) -> bool:
    """Do two origins name the same place (the same span, or equal ones)?"""
    if a is None or b is None:
        return False
    if a is b:
        return True
    try:
        return a.start == b.start and a.end == b.end and a.path == b.path
    except AttributeError:
        return False


def property_context(prop: ir.PropertyIR, n: int) -> str:
    if prop.kind == "action":
        return f"in action property {prop.name}, checking the step to state {n}"
    kind = {"invariant": "invariant", "reachable": "reachability property"}.get(prop.kind, "state constraint")
    return f"in {kind} {prop.name}, checking state {n}"


def _bare(v: Any) -> Any:
    """A plain value with its addresses as plain ints (`Addr` prints as a dotted quad, which
    is not how the solver's encoder reads a number)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, frozenset):
        return frozenset(_bare(x) for x in v)
    if isinstance(v, tuple):
        return tuple(_bare(x) for x in v)
    if isinstance(v, dict):
        return type(v)({_bare(k): _bare(x) for k, x in v.items()})
    if isinstance(v, T.Some):
        return T.Some(_bare(v.value))
    if isinstance(v, T.Tag) and v.has_payload:
        return T.Tag(v.tag, _bare(v.payload), True)
    return v


def _label(action: ir.ActionIR, index: int, params: tuple):
    """The model's label of an action instance whose parameters are plain values."""
    try:
        return index, tuple(T.from_plain(p.t, _bare(v)) for p, v in zip(action.params, params))
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - a type the converters do not know
        return None


def _keys_of_var(e: ir.E) -> ir.VarRef | None:
    """The map variable of `keys(m)` (what `k in m` is lowered to), else None."""
    if isinstance(e, ir.Op) and e.op == "keys" and isinstance(e.args[0], ir.VarRef):
        return e.args[0]
    return None


def _write_bases(body: tuple) -> set[int]:
    """ids of the VarRefs that are the base of a whole-variable rewrite `x := x with {..}`
    or `x := remove(x, k)`: evaluating them is part of a write, not a read."""
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
        return D.to_display(t, T.from_plain(t, plain))
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:                         # noqa: BLE001 - types the converters do not know
        return plain
