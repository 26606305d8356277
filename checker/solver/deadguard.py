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


def dead_guards(spec: ir.SpecIR, budget: float = BUDGET_SECONDS) -> list[Diagnostic]:
    deadline = perf_counter() + budget
    out: list[Diagnostic] = []
    for a in spec.actions:
        if perf_counter() > deadline:
            break
        out.extend(_Analysis(spec, a).run())
    return out


class _Analysis:
    def __init__(self, spec: ir.SpecIR, action: ir.ActionIR):
        self.spec = spec
        self.action = action
        self.enc = Encoder(defs=spec.defs, state={}, abstract=True)
        self.initial: dict[int, Any] = {}
        self.paths: list[_Path] = []
        self.warnings: list[Diagnostic] = []
        self.dead_chooses: set = set()

    # ------------------------------------------------------------ the symbolic state
    def var(self, path: _Path, index: int) -> Any:
        if index not in path.state:
            if index not in self.initial:
                v = self.spec.vars[index]
                self.initial[index] = self.enc.fresh(v.t, v.name)
            path.state[index] = self.initial[index]
        return path.state[index]

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
                v = self.value(s.value, self.spec.vars[s.var].t)
                path.state[s.var] = v
                path.version += 1
            elif isinstance(s, ir.LetS):
                path.env[s.name] = self.value(s.value, s.value.t)
                path.fixed.add(s.name)
            elif isinstance(s, ir.ChooseS):
                elem = s.domain.t.elem if isinstance(s.domain.t, T.SetT) else None
                x = self.enc.fresh(elem, s.name) if elem is not None else Opaque(None)
                path.env[s.name] = x
                path.fixed.add(s.name)
                self.load(path)
                self.domain(path, s.name, x, s.domain, s.origin)
            elif isinstance(s, ir.ForS):
                for n in walk(s):
                    if isinstance(n, ir.Assign):
                        path.state[n.var] = self.enc.fresh(self.spec.vars[n.var].t, "for")
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
        s.add(*self.enc.side)
        s.add(*conds)
        return s.check() != z3.unsat

    def judge(self) -> None:
        if not self.paths or self.dead_chooses:
            return
        if any(self.sat([c for c, _ in p.conds]) for p in self.paths):
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
        s.add(*self.enc.side)
        for c, origin in path.conds:
            s.add(c)
            if s.check() == z3.unsat:
                return origin
        return None

    def warn(self, span: Any, message: str, labels=()) -> None:
        self.warnings.append(Diagnostic(codes.DEAD_GUARD, message, span, Severity.WARNING, labels=labels,
                                        hint="check the guard against the types' bounds and the constants; "
                                             "the search would report the action as never enabled"))


class _StateView:
    """The encoder's view of a path's state: variables get their initial symbolic value on
    first read."""

    def __init__(self, analysis: _Analysis, path: _Path):
        self.analysis = analysis
        self.path = path

    def get(self, index: int, default=None) -> Any:
        return self.analysis.var(self.path, index)
