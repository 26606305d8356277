"""A compiled variant: `ir.SpecIR` -> an engine `Model` backed by generated Python code.

Input: the IR of one variant. Output: `SpecModel`, which implements engine.model.Model
(init_states, successors, check_state, ...) by executing the module codegen.py writes,
plus `describe` / `format_label` for traces. Also evaluates closed expressions at compile
time (constants, type bounds, static parameter tables) with the same code generator.
"""
from __future__ import annotations

import functools
import itertools
import sys
from contextlib import contextmanager
from typing import Any

from checker.compile.codecache import compiled
from checker.compile.codegen import CodeGen, Env
from checker.compile.runtime import Failure, make_helpers
from checker.compile.search import GeneratedSearch, Observers
from checker.compile.symmetry import build_symmetry
from checker.engine.model import (ActionInfo, FairnessInfo, Label, ModelError, PremiseInfo, State,
                                  PropertyInfo, TemporalInfo)
from checker.engine.por import Independence
from checker.engine.symmetry import Symmetry
from checker.ir import nodes as ir
from checker.ir.elaborate import EvalFailure
from checker.ir.plain import normalize
from checker.semantics import types as T
from checker.semantics import display as D
from checker.ir.premises import analyse
from checker.solver.options import SolverOptions
from checker.solver.runtime import SolverRuntime
from checker.solver.runtime import helpers as solver_helpers

_EMPTY_SPEC = ir.SpecIR("", "", (), (), (), (), (), (), False)


@contextmanager
def wide_ints():
    """Python's limit on int <-> decimal text (4,300 digits) lifted while code is generated
    and compiled: the generated code writes masks as wide as the state (a state of 14
    kbit, `var f: 0..4095 -> 0..15`, passes the limit). It guards against quadratic
    conversions of untrusted text; the spec's own literals are held to it by the parser
    (KOV001), and the run's limits (engine/budget.py) bound the rest."""
    get = getattr(sys, "get_int_max_str_digits", None)
    if get is None:
        yield
        return
    saved = get()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(saved)


def evaluate_closed(e: ir.E, parent: CodeGen | None = None) -> Any:
    """Run a closed expression (no state, no bound names) and return its representation."""
    with wide_ints():
        return _evaluate_closed(e, parent)


def _evaluate_closed(e: ir.E, parent: CodeGen | None) -> Any:
    # the parent's layout: computing one walks every variable's type, and constants are
    # folded by the thousand while a spec's search loop is generated
    gen = CodeGen(parent.spec if parent is not None else _EMPTY_SPEC, fold=False,
                  layout=parent.layout if parent is not None else None)
    if parent is not None:
        gen.constants, gen.const_ids = dict(parent.constants), dict(parent.const_ids)
    source = gen.ex(e, Env("s"))
    ns = make_helpers(Failure(gen.origins))
    ns.update(_solver_helpers())     # a closed `choose ... where` is folded too
    ns.update(gen.constants)
    if parent is not None:
        for i in range(len(parent.spec.defs)):
            ns[f"d{i}"] = None  # closed expressions never call definitions
    return eval(_compiled_constant(source), ns, {"s": 0})


@functools.lru_cache(maxsize=4096)
def _compiled_constant(source: str):
    # the same constant expressions are folded again for every variant of a spec; a code
    # object depends on the source only (the constants' values are in the namespace)
    return compile(source, "<kovn constant>", "eval")


def _solver_helpers() -> dict:
    return solver_helpers(SolverRuntime(SolverOptions()))


class SpecModel:
    """One variant of a spec, compiled. States are ints (the packed variable codes)."""

    def __init__(self, spec: ir.SpecIR, solver=None):
        # the seconds before a search of it: (parsing the spec, compiling this variant),
        # set by checker/api.py's compile_spec, which measures them
        self.front_seconds = (0.0, 0.0)
        with wide_ints():
            self._compile(spec, solver)

    def _compile(self, spec: ir.SpecIR, solver) -> None:
        self.spec = spec
        self.name = f"{spec.name}:{spec.variant}"
        gen = CodeGen(spec)
        try:
            generated = gen.module()
        except RecursionError:
            raise TooComplex(spec, None, "too deeply nested to generate its code") from None
        self.source = generated.source
        self.layout = gen.layout
        self.state_bits = self.layout.total_bits     # states are the packed ints
        # `choose ... where` on large types: checker/solver answers, caches and counts
        self.solver = SolverRuntime(solver or SolverOptions())
        self.solver.queries = len(gen.queries)
        ns: dict = make_helpers(Failure(generated.origins))
        ns.update(solver_helpers(self.solver))
        ns.update(generated.constants)
        try:
            code = compiled(generated.source, f"<kovn {self.name}>")
        except (SyntaxError, RecursionError, MemoryError) as exc:
            # Python's own limits (nesting, blocks, its parser's stack): KOV004, at the
            # action (or definition) whose code it is
            line = getattr(exc, "lineno", None)
            raise TooComplex(spec, _culprit(generated.source, line),
                             f"too large for Python to compile ({getattr(exc, 'msg', None) or exc})") from None
        exec(code, ns)
        self._ns = ns
        # the generated search loops (compile/search.py): the engine's fast path
        self.fast_path = GeneratedSearch(self.name, gen, ns, wide_ints, generated.source)
        self.successors = ns["successors"]
        self.check_state = ns["check_state"]
        self.check_transition = ns["check_transition"]
        self.within_constraint = ns["within_constraint"]
        self.is_terminal = ns["is_terminal"]
        self._init = ns["init_states"]
        self.actions = tuple(ActionInfo(a.name, a.origin) for a in spec.actions)
        self.properties = tuple(PropertyInfo(p.name, p.kind, p.origin)
                                for p in spec.properties if p.kind != "constraint")
        self.check_deadlock = spec.check_deadlock
        self.has_action_properties = any(p.kind == "action" for p in self.properties)
        self.has_constraint = any(p.kind == "constraint" for p in spec.properties)
        self.temporal = temporal_infos(spec, gen, ns)
        self.symmetry: Symmetry | None = None
        if spec.symmetry:       # `symmetry T` in the variant: the search stores representatives
            self.symmetry = build_symmetry(spec, self.layout)
            ns["_canon"] = self.symmetry.canonical
        self.fairness = tuple(fairness_info(f) for f in spec.fairness)
        self._var_index = {v.name: i for i, v in enumerate(spec.vars)}
        # vacuity (ir/premises.py): the premises the search observes
        self.vacuity = analyse(spec, lambda e: evaluate_closed(e, gen))
        props = self.vacuity.properties
        self.premises = tuple(PremiseInfo(None if props[p.owner].temporal else props[p.owner].index, p.step)
                              for p in self.vacuity.premises)
        ns["_ModelError"] = ModelError

    def observers(self) -> Observers:
        """The premise observers of one search (engine/observe.py)."""
        return Observers(self.fast_path, self.vacuity.premises)

    def init_states(self):
        return self._init()

    def independence(self) -> Independence | str:
        """Which action instances are independent (compile/por.py), computed on the first
        call (only a search with partial-order reduction asks); or why there is no relation."""
        found = getattr(self, "_independence", None)
        if found is None:
            from checker.compile.por import independence
            found = self._independence = independence(self.spec, evaluate_closed)
        return found

    def format_label(self, label: Label) -> str:
        index, params = label
        action = self.spec.actions[index]
        if not action.params:
            return action.name
        shown = ", ".join(D.show(D.to_display(p.t, v)) for p, v in zip(action.params, params))
        return f"{action.name}({shown})"

    def action_origin(self, label: Label):
        return self.spec.actions[label[0]].origin

    def describe(self, state: State) -> dict[str, Any]:
        out = {}
        for i, v in enumerate(self.spec.vars):
            code = self.layout.field(state, i)
            out[v.name] = D.to_display(v.t, T.rep_of_code(v.t, code))
        return out

    def describe_var(self, state, name: str) -> Any:
        i = self._var_index[name]
        v = self.spec.vars[i]
        return D.to_display(v.t, T.rep_of_code(v.t, self.layout.field(state, i)))

    # ---- for trace analysis (checker/analysis/source.py SpecSource)

    def plain_state(self, state: State) -> dict[str, Any]:
        """The reference interpreter's form of a state: {variable: plain value}."""
        out = {}
        for i, v in enumerate(self.spec.vars):
            rep = T.rep_of_code(v.t, self.layout.field(state, i))
            out[v.name] = normalize(T.to_plain(v.t, rep))
        return out

    @property
    def max_solutions(self) -> int:
        """The bound the search puts on the solutions of one `choose ... where`."""
        return self.solver.options.max_solutions


class TooComplex(Exception):
    """The spec's generated code is beyond Python's limits; `origin` is the span of the
    declaration whose code it is (None when unknown)."""

    def __init__(self, spec: ir.SpecIR, function: str | None, what: str):
        super().__init__(what)
        origin = None
        if function and function[0] in "ad" and function[1:].isdigit():
            table = spec.actions if function[0] == "a" else spec.defs
            k = int(function[1:])
            origin = table[k].origin if k < len(table) else None
        self.origin = origin if origin is not None else _first_origin(spec)


def _culprit(source: str, line: int | None) -> str | None:
    """The name of the generated function holding `line` (a<i>: action i, d<i>:
    definition i)."""
    if not line:
        return None
    for text in reversed(source.splitlines()[:line]):
        if text.startswith("def "):
            return text[4:].split("(")[0]
    return None


def _first_origin(spec: ir.SpecIR):
    for a in spec.actions:
        if a.origin is not None:
            return a.origin
    return None


def temporal_infos(spec: ir.SpecIR, gen: CodeGen, ns: dict) -> tuple[TemporalInfo, ...]:
    """The engine's view of the temporal properties: their generated predicates (tp<i>,
    tq<i>), called with instance k's `forall` values, and each instance's display name."""
    out = []
    for i, t in enumerate(spec.temporals):
        table = gen.temporal_instances(t)
        names = tuple(", ".join(f"{p.display} = {D.show(D.to_display(p.t, v))}"
                                for p, v in zip(t.params, values)) for values in table)
        if t.conjuncts:
            out.append(_conjunction(t, i, table, names, ns))
            continue
        p = _instance_call(ns[f"tp{i}"], table)
        q = _instance_call(ns[f"tq{i}"], table) if t.q is not None else None
        # the IR keeps the kind as text, one of TemporalKind
        out.append(TemporalInfo(t.name, t.kind, p, q, names, t.origin))  # type: ignore[arg-type]
    return tuple(out)


def _conjunction(t: ir.TemporalIR, i: int, table: list, names: tuple, ns: dict) -> TemporalInfo:
    """`(F1) and (F2)`: one instance per conjunct and binding (conjunct by conjunct), each
    with its own kind; instance names say which conjunct (and binding) it is."""
    calls_p, calls_q, kinds, shown = [], [], [], []
    for j, (kind, _, q, text) in enumerate(t.conjuncts):
        p_j = _Instances(ns[f"tp{i}_{j}"], table)
        q_j = _Instances(ns[f"tq{i}_{j}"], table) if q is not None else None
        for k, name in enumerate(names):
            calls_p.append((p_j, k))
            calls_q.append((q_j, k) if q_j is not None else None)
            kinds.append(kind)
            shown.append(f"{name}: {text}" if name else text)
    p = _Dispatch(tuple(calls_p))
    q = _Dispatch(tuple(calls_q)) if any(c is not None for c in calls_q) else None
    return TemporalInfo(t.name, kinds[0], p, q, tuple(shown), t.origin, tuple(kinds))  # type: ignore[arg-type]


class _Dispatch:
    """P (or Q) of a conjunction: instance k is instance k' of conjunct j's predicate."""

    def __init__(self, calls):
        self.calls = calls

    def __call__(self, state, k):
        fn, kk = self.calls[k]
        return fn(state, kk)

    def truth(self, states, k) -> bytearray:
        fn, kk = self.calls[k]
        return fn.truth(states, kk)


class _Instances:
    """P (or Q) of a temporal property: `(state, k)` evaluates it for instance k;
    `truth(states, k)` for every state at once (the liveness check's truth tables), the loop
    run by `map` rather than one Python call and one wrapper call per state."""

    def __init__(self, fn, table):
        self.fn, self.table = fn, table

    def __call__(self, state, k):
        return self.fn(state, *self.table[k])

    def truth(self, states, k) -> bytearray:
        args = [itertools.repeat(a) for a in self.table[k]]
        return bytearray(map(bool, map(self.fn, states, *args)))


def _instance_call(fn, table):
    return _Instances(fn, table)


def fairness_info(f: ir.FairnessIR) -> FairnessInfo:
    """`fair weak A`: one constraint (key 0) over A's transitions; `A(*)`: one per
    parameter tuple (the label's parameters are the key); `A(*, 1)`: only the instances
    whose second parameter is 1, one constraint per value of the first (`_`: any value,
    together)."""
    members = frozenset(f.actions)
    if f.bound is not None:
        return FairnessInfo(f.strength, _bound_group(members, f.bound), f.text, f.origin)  # type: ignore[arg-type]
    if f.each:
        group = lambda label: label[1] if label[0] in members else None  # noqa: E731
    else:
        group = lambda label: 0 if label[0] in members else None  # noqa: E731
    # the IR keeps the strength as text, one of FairnessStrength
    return FairnessInfo(f.strength, group, f.text, f.origin)  # type: ignore[arg-type]


def _bound_group(members: frozenset[int], bound: tuple):
    fixed = tuple((i, b[1]) for i, b in enumerate(bound) if isinstance(b, tuple))
    each = tuple(i for i, b in enumerate(bound) if b == "*")

    def group(label):
        if label[0] not in members:
            return None
        params = label[1]
        if any(params[i] != v for i, v in fixed):
            return None
        return tuple(params[i] for i in each)
    return group


def check_closed_value(e: ir.E) -> Any:
    """Evaluate a constant expression for the elaborator; failures become EvalFailure."""
    try:
        return evaluate_closed(e)
    except ModelError as exc:
        failure = EvalFailure(exc.message)
        failure.origin = exc.origin
        raise failure from None
