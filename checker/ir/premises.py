"""Vacuity: the premises a property's verdict rests on, and properties fixed before the search.

Input: one variant's `ir.SpecIR` and a function that evaluates closed IR expressions (the
compiler's, so that constants fold exactly as the generated code computes them). Output:
`Vacuity`: per checked property (and temporal property) its expression with its constant
parts folded, whether that leaves a constant (`Constant`: true or false whatever the state,
and the closed part that decided it), and its premises (`Premise`): conditions under which
the rest of the property is evaluated at all. The search records which premises are ever
true (checker/compile/observe.py writes the code, engine/bfs.py keeps the record); one that
never is makes the property hold without testing what it guards (KOV603, checker/quality.py).

Which conditions are premises (docs/adr/0041-vacuity.md says why these and not others).
A property P must be true; each part of it is read with a polarity (positive: it must be
true; negative: it must be false):

- `A => B` (positive): A guards B. A written `a1 and a2 and ...` gives one premise per prefix
  (`a1`, `a1 and a2`, ...), so that a report names the first conjunct that never holds.
- `not (c1 and ... and cn)` (that is, a conjunction read negatively, n >= 2): each prefix
  c1 .. ci (i < n) guards the conjuncts after it. `not c` alone has none: `c` never
  holding is what it asserts.
- `not a or B` (a disjunct that is a negation, positively): `a => B`.
- `forall x in S: B` (positively; `exists` negatively): S being non-empty guards B.
- `if C then X else Y`: C guards X and `not C` guards Y (a branch that is a constant
  guards nothing).
- Premises nest: those inside B are evaluated where B is (under the bindings of enclosing
  quantifiers and `let`s, and where the enclosing premises hold).
- Calls of definitions in these positions are expanded (their parameters bound by `let`).
- `A leads to B` (temporal): A guards B. `always P`: as an invariant.

Each premise also records what it guards and with which polarity: replacing those parts by
the constant that makes the property hardest to satisfy (false where positive, true where
negative) gives a property that fails exactly in the states where the premise holds, as
long as the property itself holds everywhere. That is the textbook definition of vacuity
(Beer et al., Kupferman and Vardi); the property tests check the premises against it
(tests/property/test_vacuity_reference.py).

Folding: a closed boolean part (no state, no bound name, no definition call) is evaluated
now; `and`, `or`, `not`, `=>`, `if`, `let` and quantifiers over constant or empty domains
then simplify around it, remembering which closed part decided (the `culprit`).
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any, Callable

from checker.ir import nodes as ir
from checker.ir.walk import closed as _closed
from checker.ir.walk import replace, transform, walk
from checker.semantics import types as T

BOOL = T.BoolT()

Evaluate = Callable[[ir.E], Any]


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class Bind:
    """`for name in domain`: the premise is looked for under every binding."""

    name: str
    domain: ir.E


@dataclass(frozen=True)
class LetB:
    name: str
    value: ir.E


@dataclass(frozen=True)
class Guard:
    """The premise matters only where cond holds (where it fails, with `positive` False)."""

    cond: ir.E
    positive: bool = True


Entry = Bind | LetB | Guard


@dataclass(frozen=True)
class Premise:
    """A condition some part of a property is evaluated under.

    `conds` (all must hold) is one prefix of a conjunction; a range premise (a quantifier's
    domain being non-empty) has no conds and the quantifier's binder last in `scope`.
    `guarded`: the parts it guards, each with the value that makes the property hardest to
    satisfy (the reference test's mutant)."""

    id: int
    owner: int                     # index into Vacuity.properties
    step: bool                     # evaluated on a transition (an action property)
    scope: tuple[Entry, ...]
    conds: tuple[ir.E, ...]
    chain: int                     # premises of one conjunction share a chain (observe.py)
    position: int                  # 1-based length of the prefix (0: a range premise)
    guarded: tuple[tuple[ir.E, bool], ...]
    origin: Any                    # the span of the last conjunct (or of the domain)
    through: tuple[Any, ...] = ()  # the definition calls it was expanded from, innermost first

    @property
    def is_range(self) -> bool:
        return not self.conds


@dataclass(frozen=True)
class Constant:
    """A property whose value no state changes: `value`, decided by `culprit` (a closed
    part, or a domain) being `why` ("true", "false" or "empty")."""

    value: bool
    culprit: ir.E
    why: str
    through: tuple[Any, ...] = ()  # the definition calls the culprit was expanded from


@dataclass(frozen=True)
class PropertyVacuity:
    name: str
    kind: str                      # invariant | action | reachable | temporal kinds
    index: int                     # into the model's checked properties, or its temporal properties
    temporal: bool
    expr: ir.E | None              # the folded expression (None for a temporal property)
    constant: Constant | None
    premises: tuple[Premise, ...]
    origin: Any


@dataclass(frozen=True)
class Vacuity:
    properties: tuple[PropertyVacuity, ...]
    premises: tuple[Premise, ...]   # every premise, by id


def analyse(spec: ir.SpecIR, evaluate: Evaluate) -> Vacuity:
    """The folded form, constancy and premises of every checked property of `spec`."""
    out: list[PropertyVacuity] = []
    premises: list[Premise] = []
    chains = itertools.count()
    checked = [p for p in spec.properties if p.kind != "constraint"]
    for i, p in enumerate(checked):
        a = _Analysis(spec, evaluate, len(out), p.kind == "action", len(premises), chains)
        expr, const = a.fold(p.expr)
        if const is None and p.kind != "reachable":
            a.visit(expr, True, ())
        out.append(PropertyVacuity(p.name, p.kind, i, False, expr, const, tuple(a.premises), p.origin))
        premises.extend(a.premises)
    for i, t in enumerate(spec.temporals):
        a = _Analysis(spec, evaluate, len(out), False, len(premises), chains)
        const = a.temporal(t)
        out.append(PropertyVacuity(t.name, t.kind, i, True, None, const, tuple(a.premises), t.origin))
        premises.extend(a.premises)
    return Vacuity(tuple(out), tuple(premises))


# ---------------------------------------------------------------- the analysis of one property

class _Analysis:
    def __init__(self, spec: ir.SpecIR, evaluate: Evaluate, owner: int, step: bool, first: int, chains):
        self.spec = spec
        self.evaluate = evaluate
        self.owner = owner
        self.step = step
        self.first = first
        self.chains = chains
        self.premises: list[Premise] = []
        self.culprits = _ByNode()   # folded Lit -> (what decided it, "true" | "false" | "empty")
        self.renames = itertools.count()
        self.via = _ByNode()        # node of an expanded body -> its call

    # ---- folding
    def fold(self, e: ir.E) -> tuple[ir.E, Constant | None]:
        """e with its constant parts folded (through its boolean structure), and the
        Constant when nothing else is left."""
        out = self.simplify(e)
        if isinstance(out, ir.Lit) and isinstance(out.value, bool):
            culprit, why = self.culprits.get(out, (out, "true" if out.value else "false"))
            return out, Constant(out.value, culprit, why, self.through(culprit))
        return out, None

    def through(self, node: ir.E) -> tuple[Any, ...]:
        """The origins of the definition calls `node` was expanded from, innermost first."""
        out = []
        while (call := self.via.get(node)) is not None:
            node = call
            out.append(node.origin)
        return tuple(out)

    def lit(self, value: bool, culprit: ir.E, why: str, origin) -> ir.Lit:
        node = ir.Lit(BOOL, value, origin)
        self.culprits.put(node, (culprit, why))
        return node

    def same(self, value: bool, decided: ir.Lit, origin) -> ir.Lit:
        """A literal decided by what decided `decided`."""
        culprit, why = self.culprits.get(decided, (decided, "true" if decided.value else "false"))
        return self.lit(value, culprit, why, origin)

    def simplify(self, e: ir.E) -> ir.E:
        if isinstance(e, ir.Lit):
            if isinstance(e.value, bool) and self.culprits.get(e) is None:
                self.culprits.put(e, (e, "true" if e.value else "false"))
            return e
        if not isinstance(e.t, T.BoolT):
            return e
        if _closed(e):
            try:
                value = self.evaluate(e)
            except Exception:   # noqa: BLE001 - it fails: left to the search, which reports it
                return e
            if isinstance(value, bool):
                return self.lit(value, e, "true" if value else "false", e.origin)
            return e
        if isinstance(e, ir.CallDef):
            return self.simplify(self.expand(e))
        if isinstance(e, ir.Op) and e.op in ("not", "and", "or", "implies", "iff"):
            return self.simplify_op(e)
        if isinstance(e, ir.Ite):
            return self.simplify_ite(e)
        if isinstance(e, ir.LetE):
            body = self.simplify(e.body)
            if _is_bool_lit(body):
                return body
            return e if body is e.body else ir.LetE(e.t, e.name, e.value, body, e.origin)
        if isinstance(e, ir.Quant):
            return self.simplify_quant(e)
        return e

    def simplify_op(self, e: ir.Op) -> ir.E:
        if e.op == "not":
            x = self.simplify(e.args[0])
            if _is_bool_lit(x):
                return self.same(not x.value, x, e.origin)
            return e if x is e.args[0] else ir.Op(e.t, "not", (x,), e.origin)
        a, b = (self.simplify(x) for x in e.args)
        if e.op == "and":
            for x, y in ((a, b), (b, a)):
                if _is_bool_lit(x):
                    return self.same(False, x, e.origin) if not x.value else y
        elif e.op == "or":
            for x, y in ((a, b), (b, a)):
                if _is_bool_lit(x):
                    return self.same(True, x, e.origin) if x.value else y
        elif e.op == "implies":
            if _is_bool_lit(a):
                return b if a.value else self.same(True, a, e.origin)
            if _is_bool_lit(b):
                return self.same(True, b, e.origin) if b.value else ir.Op(e.t, "not", (a,), e.origin)
        elif _is_bool_lit(a) and _is_bool_lit(b):     # iff
            return self.same(a.value == b.value, b, e.origin)
        if a is e.args[0] and b is e.args[1]:
            return e
        return ir.Op(e.t, e.op, (a, b), e.origin)

    def simplify_ite(self, e: ir.Ite) -> ir.E:
        c = self.simplify(e.cond)
        if _is_bool_lit(c):
            return self.simplify(e.then if c.value else e.else_)
        x, y = self.simplify(e.then), self.simplify(e.else_)
        if _is_bool_lit(x) and _is_bool_lit(y) and x.value == y.value:
            return self.same(x.value, x, e.origin)
        if c is e.cond and x is e.then and y is e.else_:
            return e
        return ir.Ite(e.t, c, x, y, e.origin)

    def simplify_quant(self, e: ir.Quant) -> ir.E:
        forall = e.kind == "forall"
        for b in e.binders:
            if _closed(b.domain):
                try:
                    empty = not _nonempty(self.evaluate(b.domain))
                except Exception:   # noqa: BLE001 - fails: left to the search
                    empty = False
                if empty:
                    return self.lit(forall, b.domain, "empty", e.origin)
        body = self.simplify(e.body)
        if _is_bool_lit(body) and (body.value == forall or all(_closed(b.domain) for b in e.binders)):
            # forall: true whatever the domain; exists: false whatever the domain; otherwise
            # the body's value, over domains known not to be empty
            return self.same(body.value, body, e.origin)
        return e if body is e.body else ir.Quant(e.t, e.kind, e.binders, body, e.origin)

    def expand(self, call: ir.CallDef) -> ir.E:
        """A definition's body in place of its call: a parameter whose argument is a name or
        a literal replaced by it, the others (renamed, so that two expansions never share a
        name) bound by `let`s to their arguments."""
        d = self.spec.defs[call.index]
        k = next(self.renames)
        table: dict[str, ir.E] = {}
        lets = []
        for (name, t), arg in zip(d.params, call.args):
            if isinstance(arg, (ir.Local, ir.Lit)):
                table[name] = arg
            else:
                fresh = f"{name}__v{self.owner}_{k}"
                table[name] = ir.Local(t, fresh, arg.origin)
                lets.append((fresh, arg))
        body = _substitute(d.body, table)
        for n in walk(body):
            if self.via.get(n) is None:
                self.via.put(n, call)
        for name, arg in reversed(lets):
            body = ir.LetE(body.t, name, arg, body, call.origin)
        return body

    # ---- premises
    def visit(self, e: ir.E, pos: bool, scope: tuple[Entry, ...]) -> None:
        """Record the premises in e, read with polarity `pos`, under `scope`."""
        if isinstance(e, ir.CallDef) and isinstance(e.t, T.BoolT):
            e = self.simplify(self.expand(e))
        if isinstance(e, ir.LetE):
            self.visit(e.body, pos, scope + (LetB(e.name, e.value),))
        elif isinstance(e, ir.Ite):
            self.ite(e, pos, scope)
        elif isinstance(e, ir.Quant) and (e.kind == "forall") == pos:
            self.quant(e, pos, scope)
        elif isinstance(e, ir.Op) and e.op == "not":
            self.visit(e.args[0], not pos, scope)
        elif isinstance(e, ir.Op) and e.op == "implies":
            if pos:
                self.implication(_conjuncts(e.args[0]), [e.args[1]], scope)
            else:       # not (A => B): A and not B
                self.visit(e.args[0], True, scope)
                self.visit(e.args[1], False, scope + (Guard(e.args[0]),))
        elif isinstance(e, ir.Op) and e.op == "and":
            parts = _conjuncts(e)
            if pos:
                for i, c in enumerate(parts):
                    self.visit(c, True, scope + tuple(Guard(x) for x in parts[:i]))
            else:
                self.chain(parts, len(parts) - 1, [(c, True) for c in parts], scope)
        elif isinstance(e, ir.Op) and e.op == "or":
            parts = _disjuncts(e)
            if pos:
                self.disjunction(parts, scope)
            else:       # not (A or B): not A, and not B where A fails
                for i, d in enumerate(parts):
                    self.visit(d, False, scope + tuple(Guard(x, False) for x in parts[:i]))

    def implication(self, antecedent: list[ir.E], consequents: list[ir.E], scope) -> None:
        """`a1 and ... and ak => B1 or ... or Bm`: each prefix of the a's guards the rest of
        them and the B's; premises inside B (m == 1) are nested under the antecedent."""
        guarded = [(a, True) for a in antecedent] + [(b, False) for b in consequents]
        self.chain(antecedent, len(antecedent), guarded, scope)
        if len(consequents) == 1:
            self.visit(consequents[0], True, scope + tuple(Guard(a) for a in antecedent))

    def disjunction(self, parts: list[ir.E], scope) -> None:
        negated = [d for d in parts if isinstance(d, ir.Op) and d.op == "not"]
        rest = [d for d in parts if not (isinstance(d, ir.Op) and d.op == "not")]
        antecedent = [c for d in negated for c in _conjuncts(d.args[0])]
        if negated and rest:
            self.implication(antecedent, rest, scope)
        elif negated:       # not a or not b: not (a and b)
            self.chain(antecedent, len(antecedent) - 1, [(c, True) for c in antecedent], scope)

    def chain(self, conds: list[ir.E], upto: int, guarded: list[tuple[ir.E, bool]], scope) -> None:
        """Premises c1, c1 and c2, ..., c1 and ... and c_upto; each guards what follows it."""
        if upto < 1:
            return
        chain = next(self.chains)
        for i in range(1, upto + 1):
            self.add(scope, tuple(conds[:i]), chain, i, tuple(guarded[i:]), conds[i - 1].origin)

    def ite(self, e: ir.Ite, pos: bool, scope) -> None:
        for branch, positive in ((e.then, True), (e.else_, False)):
            if _is_bool_lit(branch):
                continue
            # `not C` for the else branch shares C's origin: reports say "C is always true"
            cond = e.cond if positive else ir.Op(BOOL, "not", (e.cond,), e.cond.origin)
            self.add(scope, (cond,), next(self.chains), 1, ((branch, not pos),), e.cond.origin)
            self.visit(branch, pos, scope + (Guard(e.cond, positive),))

    def quant(self, e: ir.Quant, pos: bool, scope) -> None:
        inner = scope
        for b in e.binders:
            inner = inner + (Bind(b.name, b.domain),)
            if not _closed(b.domain):
                self.add(inner, (), next(self.chains), 0, ((e.body, not pos),), b.domain.origin)
        self.visit(e.body, pos, inner)

    def add(self, scope, conds, chain, position, guarded, origin) -> None:
        last = conds[-1] if conds else None
        self.premises.append(Premise(self.first + len(self.premises), self.owner, self.step, scope,
                                     conds, chain, position, guarded, origin,
                                     self.through(last) if last is not None else ()))

    # ---- temporal properties
    def temporal(self, t: ir.TemporalIR) -> Constant | None:
        scope = tuple(Bind(p.name, p.domain) for p in t.params)
        for p in t.params:
            try:
                if not _nonempty(self.evaluate(p.domain)):
                    return Constant(True, p.domain, "empty", ())
            except Exception:   # noqa: BLE001 - the compiler reports it
                return None
        p, pc = self.fold(t.p)
        if t.kind == "always":
            if pc is not None:
                return pc
            self.visit(p, True, scope)
            return None
        if t.kind != "leads_to":        # eventually, always eventually, eventually always
            return pc if pc is not None else None
        q, qc = self.fold(t.q)
        if pc is not None and not pc.value:
            return Constant(True, pc.culprit, pc.why, pc.through)
        if qc is not None and qc.value:
            return Constant(True, qc.culprit, qc.why, qc.through)
        parts = _conjuncts(p)
        self.chain(parts, len(parts), [], scope)
        return None


# ---------------------------------------------------------------- helpers

class _ByNode:
    """A table keyed by IR nodes as objects (two equal nodes at two places are two keys):
    keyed by id, each entry keeping its node, so that an id reused by a later object after
    the first was dropped never finds the first one's value."""

    def __init__(self):
        self.table: dict[int, tuple[object, object]] = {}

    def put(self, node, value) -> None:
        self.table[id(node)] = (node, value)

    def get(self, node, default=None):
        hit = self.table.get(id(node))
        return hit[1] if hit is not None and hit[0] is node else default


def _is_bool_lit(e: ir.E) -> bool:
    return isinstance(e, ir.Lit) and isinstance(e.value, bool)


def _nonempty(value) -> bool:
    """A set's run-time representation (a frozenset, or a bitmask int) is not empty."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    return len(value) > 0


def _conjuncts(e: ir.E) -> list[ir.E]:
    if isinstance(e, ir.Op) and e.op == "and":
        return _conjuncts(e.args[0]) + _conjuncts(e.args[1])
    return [e]


def _disjuncts(e: ir.E) -> list[ir.E]:
    if isinstance(e, ir.Op) and e.op == "or":
        return _disjuncts(e.args[0]) + _disjuncts(e.args[1])
    return [e]


def _substitute(e: ir.E, table: dict[str, ir.E]) -> ir.E:
    """A new copy of e (every node a new object: premises and their reports tell the parts
    of two expansions of one definition apart by identity) with the named locals replaced (a
    definition's body: its own binders have names of their own, so nothing is captured)."""

    def swap(n):
        if isinstance(n, ir.Local) and n.name in table:
            return table[n.name]
        return dataclasses.replace(n)
    return transform(e, swap)


def mutant(prop: PropertyVacuity, premise: Premise) -> ir.E:
    """prop's folded expression with what `premise` guards replaced by the constants that
    make it hardest to satisfy: false exactly where the premise holds (when prop holds)."""
    table = {id(node): ir.Lit(BOOL, value, node.origin) for node, value in premise.guarded}
    assert prop.expr is not None
    return replace(prop.expr, table)
