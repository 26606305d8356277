"""Before the search: actions and steps that can never be enabled, constraints with no solution.

Input: the `ir.SpecIR` of one variant. Output: KOV602 warnings (checker/diagnostics.py):
- an action or process step whose guard no state allows: every path through its body meets
  a `require` (or a `choose` from an empty set of solutions) that cannot hold for any values
  of the declared types and constants; the warning points at the first such `require` on
  the first path;
- a `choose ... where` whose constraint has no solution in any state the types allow.

How: the body is executed symbolically, path by path (`if` forks; `for` forgets what its body
assigns), with every state variable a fresh value of its declared type (encode.py) and every
assignment updating the symbolic state. Sub-expressions the encoder cannot express become
fresh unconstrained values, which only adds behaviours: an unsatisfiable path is a proof,
never a guess, and a check Z3 cannot decide in time is treated as satisfiable. The analysis
is bounded (paths per action, time per spec); past a bound it says nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import z3

from checker import codes
from checker.diagnostics import Diagnostic, Severity
from checker.ir import nodes as ir
from checker.ir.walk import walk
from checker.semantics import types as T
from checker.solver.encode import Encoder, Opaque, Unsupported, tru
from checker.solver.values import Conc

MAX_PATHS = 256          # per action; beyond, the action is not judged
CHECK_MS = 1000          # per Z3 check; unknown counts as satisfiable
BUDGET_SECONDS = 10.0    # per variant


@dataclass
class _Path:
    conds: list = field(default_factory=list)      # (term, origin of the require or choose)
    state: dict = field(default_factory=dict)      # var index -> value
    env: dict = field(default_factory=dict)
    fixed: set = field(default_factory=set)
    version: int = 0


class _TooMany(Exception):
    pass


def dead_guards(spec: ir.SpecIR, budget: float = BUDGET_SECONDS,
                only: frozenset[int] | None = None) -> list[Diagnostic]:
    """`only`: the indices of the actions to analyse (default: all)."""
    deadline = perf_counter() + budget
    out: list[Diagnostic] = []
    shared = _Shared(spec)
    for i, a in enumerate(spec.actions):
        if only is not None and i not in only:
            continue
        if perf_counter() > deadline:
            break
        key = _key(spec, a, shared.reads)
        if key is not None and key in _CACHE:
            out.extend(_CACHE[key])
            continue
        try:
            found = _Analysis(spec, a, shared).run()
        except z3.Z3Exception:
            continue     # a combination of sorts the encoder mishandles: no verdict on this action
        if key is not None:
            if len(_CACHE) > 4096:
                _CACHE.clear()
            _CACHE[key] = found
        out.extend(found)
    return out


# Variants of one spec share most of their actions: an action is analysed once per process
# for the same IR, the same variable types and the same definitions it reaches.
_CACHE: dict = {}


def _key(spec: ir.SpecIR, action: ir.ActionIR, reads: "_Reads"):
    defs, todo = {}, [action]
    while todo:
        for n in walk(todo.pop()):
            if isinstance(n, ir.CallDef) and n.index < len(spec.defs) and n.index not in defs:
                defs[n.index] = spec.defs[n.index]
                todo.append(spec.defs[n.index].body)
    variables = tuple((i, spec.vars[i].name, spec.vars[i].t) for i in sorted(reads.of_node(action)))
    # IR nodes compare without their spans: the action's own span (its file's path and
    # text, its place) keeps two equal actions of different specs apart, since the
    # warnings point into the source
    key = (action, action.origin, variables, tuple(sorted(defs.items(), key=lambda d: d[0])))
    try:
        hash(key)
    except TypeError:
        return None
    return key


class _Shared:
    """What the analyses of one variant's actions share: the initial symbolic value of each
    state variable (with the constraints of its type) and the read-sets of statements."""

    def __init__(self, spec: ir.SpecIR):
        self.spec = spec
        self.reads = _Reads(spec)
        self.enc = Encoder(defs=spec.defs, state={}, abstract=True)
        self.initial: dict[int, tuple[Any, list]] = {}

    def var(self, index: int) -> tuple[Any, list]:
        if index not in self.initial:
            before = len(self.enc.side)
            v = self.spec.vars[index]
            value = self.enc.fresh(v.t, v.name)
            self.initial[index] = (value, self.enc.side[before:])
        return self.initial[index]


class _Reads:
    """Which state variables a statement (or a definition) reads, transitively: an assignment
    whose variable nothing later reads need not be encoded at all."""

    def __init__(self, spec: ir.SpecIR):
        self.spec = spec
        self.defs: dict[int, frozenset[int]] = {}
        self.stmts: dict[int, frozenset[int]] = {}
        self.names: dict[int, frozenset[str]] = {}

    def of_def(self, index: int) -> frozenset[int]:
        if index not in self.defs:
            self.defs[index] = frozenset()          # definitions are not recursive
            self.defs[index] = self.of_node(self.spec.defs[index].body)
        return self.defs[index]

    def of_node(self, node) -> frozenset[int]:
        out: set[int] = set()
        for n in walk(node):
            if isinstance(n, ir.VarRef):
                out.add(n.index)
            elif isinstance(n, ir.CallDef) and n.index < len(self.spec.defs):
                out |= self.of_def(n.index)
        return frozenset(out)

    def of_stmts(self, stmts) -> frozenset[int]:
        out: set[int] = set()
        for s in stmts:
            if id(s) not in self.stmts:
                self.stmts[id(s)] = self.of_node(s)
            out |= self.stmts[id(s)]
        return frozenset(out)

    def locals_of(self, stmts) -> frozenset[str]:
        """Names of the locals the statements read."""
        out: set[str] = set()
        for s in stmts:
            if id(s) not in self.names:
                self.names[id(s)] = frozenset(n.name for n in walk(s) if isinstance(n, ir.Local))
            out |= self.names[id(s)]
        return frozenset(out)


def _guards(s: ir.S) -> bool:
    """Can s disable its path (a `require` or a `choose` inside)?"""
    return any(isinstance(n, (ir.Require, ir.ChooseS)) for n in walk(s))


class _Analysis:
    def __init__(self, spec: ir.SpecIR, action: ir.ActionIR, shared: _Shared):
        self.spec = spec
        self.action = action
        self.shared = shared
        self.reads = shared.reads
        self.enc = Encoder(defs=spec.defs, state={}, abstract=True)
        self.read_vars: set[int] = set()
        self.paths: list[_Path] = []
        self.warnings: list[Diagnostic] = []
        self.dead_chooses: set = set()

    # ------------------------------------------------------------ the symbolic state
    def var(self, path: _Path, index: int) -> Any:
        if index not in path.state:
            path.state[index] = self.shared.var(index)[0]
            self.read_vars.add(index)
        return path.state[index]

    def side(self) -> list:
        """The constraints of the types of every fresh value this action's formulas use."""
        out = list(self.enc.side)
        for i in sorted(self.read_vars):
            out.extend(self.shared.var(i)[1])
        return out

    def load(self, path: _Path) -> None:
        """Point the encoder at a path (reading a variable creates its initial value)."""
        enc = self.enc
        enc.env, enc.fixed, enc.version = path.env, path.fixed, path.version
        enc.state = _StateView(self, path)

    def value(self, e: ir.E, t: T.Type) -> Any:
        try:
            return self.enc.enc(e)
        except Unsupported:
            v = self.enc.fresh(t, "x")
            return v

    def boolean(self, e: ir.E) -> Any:
        try:
            return tru(self.enc.enc(e))
        except Unsupported:
            return z3.Bool(self.enc.name("b"))

    # ------------------------------------------------------------ paths
    def run(self) -> list[Diagnostic]:
        path = _Path()
        self.load(path)
        try:
            for p in self.action.params:
                x = self.enc.fresh(p.t, p.display)
                path.env[p.name] = x
                path.fixed.add(p.name)
                self.load(path)
                self.domain(path, p.name, x, p.domain, p.domain.origin)
            self.block(list(self.action.body), 0, path)
        except _TooMany:
            return self.warnings
        self.judge()
        return self.warnings

    def fork(self, path: _Path) -> _Path:
        return _Path(list(path.conds), dict(path.state), dict(path.env), set(path.fixed), path.version)

    def block(self, stmts: list, i: int, path: _Path) -> None:
        while i < len(stmts):
            s = stmts[i]
            self.load(path)
            if isinstance(s, ir.Require):
                path.conds.append((self.boolean(s.cond), s.cond.origin or s.origin))
            elif isinstance(s, ir.Assign):
                t = self.spec.vars[s.var].t
                later = self.reads.of_stmts(stmts[i + 1:])
                path.state[s.var] = self.value(s.value, t) if s.var in later else Opaque(t)
                path.version += 1
            elif isinstance(s, ir.LetS):
                if s.name in self.reads.locals_of(stmts[i + 1:]):
                    path.env[s.name] = self.value(s.value, s.value.t)
                    path.fixed.add(s.name)
            elif isinstance(s, ir.ChooseS):
                elem = s.domain.t.elem if isinstance(s.domain.t, T.SetT) else None
                x = self.enc.fresh(elem, s.name) if elem is not None else Opaque(None)
                path.env[s.name] = x
                path.fixed.add(s.name)
                self.load(path)
                self.domain(path, s.name, x, s.domain, s.origin)
            elif isinstance(s, ir.ForS) or (isinstance(s, ir.IfS) and not _guards(s)):
                # a loop, or an `if` that cannot disable the path: not followed branch by
                # branch, what it assigns (and later statements read) becomes unknown
                later = self.reads.of_stmts(stmts[i + 1:])
                for n in walk(s):
                    if isinstance(n, ir.Assign):
                        t = self.spec.vars[n.var].t
                        path.state[n.var] = self.enc.fresh(t, "for") if n.var in later else Opaque(t)
                path.version += 1
            elif isinstance(s, ir.IfS):
                c = self.boolean(s.cond)
                rest = stmts[i + 1:]
                other = self.fork(path)
                path.conds.append((c, None))
                other.conds.append((z3.Not(c), None))
                self.block(list(s.then) + rest, 0, path)
                self.block(list(s.else_) + rest, 0, other)
                return
            i += 1
        if len(self.paths) >= MAX_PATHS:
            raise _TooMany()
        self.paths.append(path)

    def domain(self, path: _Path, name: str, x: Any, dom: ir.E, origin: Any) -> None:
        """x is drawn from dom: a condition on the path (and, for a `choose ... where`, a
        check that the constraint has a solution in some state)."""
        if isinstance(x, Opaque):
            return
        if isinstance(dom, ir.Solve):
            c = self.boolean(dom.cond)
            if origin not in self.dead_chooses and not self.sat([c]):
                self.dead_chooses.add(origin)
                self.warn(dom.cond.origin or origin,
                          "this constraint has no solution in any state the declared types allow: "
                          "the `choose` never picks a value")
            path.conds.append((c, dom.cond.origin or origin))
        elif not isinstance(dom, ir.TypeSet):
            try:
                s = self.enc.enc(dom)
                c = tru(self.enc.member(s, x, dom.t.elem, dom))
            except Unsupported:
                return
            if isinstance(c, Conc):
                c = z3.BoolVal(bool(c.rep))
            path.conds.append((c, origin))

    # ------------------------------------------------------------ verdicts
    def sat(self, conds: list) -> bool:
        s = z3.Solver()
        s.set("timeout", CHECK_MS)
        s.add(*self.side())
        s.add(*conds)
        return s.check() != z3.unsat

    def judge(self) -> None:
        if not self.paths or self.dead_chooses:
            return
        if any(not p.conds for p in self.paths):
            return
        s = z3.Solver()
        s.set("timeout", CHECK_MS)
        s.add(*self.side())
        for p in self.paths:
            s.push()
            s.add(*(c for c, _ in p.conds))
            alive = s.check() != z3.unsat
            s.pop()
            if alive:
                return
        where = self.blocking(self.paths[0])
        a = self.action
        what = f"step '{a.name}'" if a.process is not None else f"action '{a.name}'"
        self.warn(where or a.origin, f"{what} can never be enabled: no state the declared types and constants "
                                     f"allow satisfies its guard",
                  labels=((a.origin, f"{'step' if a.process else 'action'} declared here"),)
                  if where is not None and a.origin is not None else ())

    def blocking(self, path: _Path) -> Any:
        """The origin of the first condition after which the path is unsatisfiable."""
        s = z3.Solver()
        s.set("timeout", CHECK_MS)
        s.add(*self.side())
        for c, origin in path.conds:
            s.add(c)
            if s.check() == z3.unsat:
                return origin
        return None

    def warn(self, span: Any, message: str, labels=()) -> None:
        self.warnings.append(Diagnostic(codes.DEAD_GUARD, message, span, Severity.WARNING, labels=labels,
                                        hint="check the guard against the types' bounds and the constants; "
                                             "the search would report the action as never enabled",
                                        subjects=(self.action.name,) + ((self.action.process,)
                                                                        if self.action.process else ())))


class _StateView:
    """The encoder's view of a path's state: variables get their initial symbolic value on
    first read."""

    def __init__(self, analysis: _Analysis, path: _Path):
        self.analysis = analysis
        self.path = path

    def get(self, index: int, default=None) -> Any:
        return self.analysis.var(self.path, index)
