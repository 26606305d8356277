"""Type checking and lowering of one variant: `Declarations` + constant values -> `SpecIR`.

Input: the declaration table (names.py), the variant's constant overrides (AST expressions)
and a constant evaluator (compiles a closed IR expression and runs it). Output: `ir.SpecIR`
and every diagnostic found (KOV1xx-KOV4xx). Types are concrete (`1..N` is `1..3` when
N = 3), so checking and lowering are one pass (docs/adr/0003-concrete-types.md): each
expression is checked against an expected type where the context gives one
(bidirectional), which is how `committed` finds its enum and `{}` its element type.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass
from typing import Any, Callable

from checker import codes
from checker.diagnostics import Diagnostic, Span
from checker.ir import nodes as ir
from checker.ir.walk import transform
from checker.semantics import types as T
from checker.semantics.names import Declarations, reserved_name
from checker.syntax import ast


class ErrorT(T.Type):
    """The type of an expression that already produced a diagnostic; fits anywhere."""

    __slots__ = ()

    def __eq__(self, other):
        return isinstance(other, ErrorT)

    def __hash__(self):
        return 0

    def __str__(self):
        return "<error>"


ERR_T = ErrorT()
ENUM_LIMIT = T.ENUM_LIMIT
BOOL = T.BoolT()
INT = T.IntT()


def err(origin=None) -> ir.E:
    return ir.Lit(ERR_T, None, origin)


@dataclass(frozen=True)
class Binding:
    kind: str          # "local" | "plocal" | "alias"
    node: Any          # ir.Local, (var index, self Local) for process locals, or the
                       # expression a pattern's name stands for (over an immutable local)


class Scope:
    def __init__(self, parent: "Scope | None" = None):
        self.parent = parent
        self.names: dict[str, Binding] = {}

    def lookup(self, name: str) -> Binding | None:
        s = self
        while s is not None:
            if name in s.names:
                return s.names[name]
            s = s.parent
        return None

    def child(self) -> "Scope":
        return Scope(self)


@dataclass(frozen=True)
class Ctx:
    scope: Scope
    state: bool = True       # may read state variables
    prime: bool = False      # may use x'
    process: str | None = None
    step: bool = False       # in an action's (or process step's) statements: may use old(e)


ConstEval = Callable[[ir.E], Any]


class Elaborator:
    def __init__(self, decls: Declarations, overrides: dict[str, ast.Expr], variant: str,
                 const_eval: ConstEval, check_deadlock: bool,
                 fairness: tuple[ast.FairDecl, ...] = ()):
        self.d = decls
        self.variant_fairness = fairness    # the variant's own, besides the spec's
        self.overrides = overrides
        self.variant = variant
        self.const_eval = const_eval
        self.check_deadlock = check_deadlock
        self.diags: list[Diagnostic] = []
        self.const_values: dict[str, ir.ConstIR | None] = {}
        self.type_values: dict[str, T.Type | None] = {}
        self.in_progress: set[str] = set()
        self.vars: list[ir.VarIR] = []
        self.var_index: dict[str, int] = {}
        self.defs: list[ir.DefIR] = []
        self.def_index: dict[str, int] = {}
        self.process_vars: dict[str, dict[str, int]] = {}   # process -> local -> var index
        self.labels: dict[str, T.LabelT] = {}
        # (sum type, tag) -> the record an alternative of several values carries (alt_payload)
        self.alt_records: dict[tuple[str, str], T.RecordT] = {}
        self.calls: list[tuple[str, Span]] = []    # the macro calls being inlined, outermost first
        self.counter = itertools.count()
        # while init is elaborated: id(statement) -> (statement, where it comes from), for
        # the statements that are not written in an init block (see check_init_reads)
        self.init_sites: dict[int, tuple[ir.S, _InitSite]] | None = None

    # ------------------------------------------------------------ diagnostics
    def error(self, code: str, message: str, span: Span | None, **kw) -> ir.E:
        if code in (codes.UNDEFINED_NAME, codes.NOT_A_TYPE) and span is not None and _in_library(span):
            # a library file uses names its importer declares: say so, not only where
            kw["notes"] = tuple(kw.get("notes", ())) + (
                f"{span.source.path.rsplit('/', 1)[-1]} expects the spec that imports it to declare this "
                "name; the file's first lines list what it needs",)
        for call in reversed(self.calls):      # inside a macro: the calls that brought it here
            if span is not None:
                span = span.called_from(*call)
        self.diags.append(Diagnostic(code, message, span, **kw))
        return err(span)

    # ------------------------------------------------------------ entry
    def run(self) -> ir.SpecIR:
        # State variables first: a definition elaborated while a constant or type bound is
        # evaluated must find them (and is then refused there: KOV303). Constants and types
        # are resolved on first use, whatever the order.
        for name, decl in self.d.vars.items():
            self.declare_var(name, decl.type, decl.span)
        for name in self.d.consts:
            self.const(name, self.d.consts[name].span)
        for name in self.d.types:
            self.named_type(name, self.d.types[name].span)
        for proc in self.d.processes.values():
            self.declare_process(proc)
        self.check_assumptions()
        init = self.elab_init()
        # actions and process steps in declaration order: the search tries them in this
        # order, so it decides which of several equally short counterexamples is reported
        actions = []
        for decl in self.d.order:
            if isinstance(decl, ast.ActionDecl):
                actions.append(self.elab_action(decl))
            elif isinstance(decl, ast.ProcessDecl):
                actions.extend(self.elab_process(decl))
        props = [self.elab_property(p) for p in self.d.properties]
        terminal = tuple((self.process_vars[p]["pc"], len(self.labels[p].labels) - 1)
                         for p in self.d.processes)
        consts = tuple(self.const_values[n] for n in self.d.consts if self.const_values.get(n) is not None)
        spec = ir.SpecIR(self.d.name, self.variant, consts, tuple(self.vars), tuple(self.defs),
                         init, tuple(actions), tuple(props), self.check_deadlock, terminal)
        return self.add_liveness(spec)

    # ------------------------------------------------------------ constants
    def const(self, name: str, use: Span | None) -> ir.ConstIR | None:
        if name in self.const_values:
            return self.const_values[name]
        decl = self.d.consts[name]
        if name in self.in_progress:
            self.error(codes.RECURSIVE_DEFINITION, f"constant '{name}' depends on itself", use)
            return None
        self.in_progress.add(name)
        try:
            t = self.resolve_type(decl.type)
            expr = self.overrides.get(name, decl.default)
            if expr is None:
                self.error(codes.MISSING_CONSTANT, f"constant '{name}' has no value", decl.span,
                           hint=f"give it a default (`const {name}: ... = value`), set it in the "
                                f"variant, or pass --const {name}=VALUE")
                result = None
            else:
                e = self.check(expr, t, Ctx(Scope(), state=False))
                result = None
                if not _has_error(e):
                    before = len(self.diags)
                    value = self.evaluate(e, expr.span)
                    if len(self.diags) == before:      # a failed evaluation has reported itself
                        result = ir.ConstIR(name, t, value)
        finally:
            self.in_progress.discard(name)
        self.const_values[name] = result
        return result

    def check_assumptions(self) -> None:
        """`assume NAME: expr`: each must hold with this variant's constants (KOV407), before
        any state exists; a failure names the constants it read and their values."""
        for a in self.d.assumptions:
            before = len(self.diags)
            e = self.check(a.expr, BOOL, Ctx(Scope(), state=False))
            if _has_error(e) or len(self.diags) > before:
                continue
            value = self.evaluate(e, a.expr.span)
            if value is not False or len(self.diags) > before:
                continue
            shown = []
            for n in _const_names(a.expr, self.d.consts):
                c = self.const_values.get(n)
                if c is not None:
                    shown.append(f"{n} = {T.show(T.to_display(c.t, c.value))}")
            given = "" if not shown else " with " + ", ".join(shown)
            where = [n for n in _const_names(a.expr, self.d.consts) if n in self.overrides]
            hint = (f"the variant or --const sets {', '.join(where)}: keep it within the assumption"
                    if where else "the constants' defaults break it: change them or the assumption")
            self.error(codes.ASSUMPTION_FAILED, f"assumption '{a.name}' does not hold in variant "
                       f"'{self.variant}'{given}", a.expr.span,
                       labels=((a.span, "assumption declared here"),) if a.span.line != a.expr.span.line else (),
                       hint=hint)

    def evaluate(self, e: ir.E, span: Span | None) -> Any:
        try:
            return self.const_eval(_inline_defs(e, self.defs))
        except _EvalFailure as exc:
            self.error(codes.RUNTIME_ERROR, str(exc), getattr(exc, "origin", None) or span)
            return None

    def const_int(self, expr: ast.Expr) -> int | None:
        e = self.check(expr, INT, Ctx(Scope(), state=False))
        if _has_error(e):
            return None
        v = self.evaluate(e, expr.span)
        return v if isinstance(v, int) else None

    # ------------------------------------------------------------ types
    def named_type(self, name: str, use: Span | None) -> T.Type:
        if name in self.type_values:
            return self.type_values[name] or ERR_T
        decl = self.d.types[name]
        if name in self.in_progress:
            self.error(codes.RECURSIVE_DEFINITION, f"type '{name}' refers to itself", use)
            return ERR_T
        self.in_progress.add(name)
        try:
            rhs = decl.rhs
            if isinstance(rhs, ast.SumType):
                alts = tuple((tag, self.alt_payload(name, tag, p)) for tag, p in rhs.alts)
                tags = [a for a, _ in alts]
                for tag in tags:
                    if tags.count(tag) > 1:
                        self.error(codes.DUPLICATE_NAME, f"'{tag}' appears twice in type '{name}'", decl.span)
                        break
                t: T.Type = T.SumT(name, alts)
            else:
                t = self.resolve_type(rhs)
                if isinstance(t, T.RecordT) and not isinstance(t, T.CidrT):   # `type Block = cidr` stays a cidr
                    t = T.RecordT(t.fields, name)
                elif isinstance(t, T.SymT):
                    t = T.SymT(t.lo, t.hi, name)
        finally:
            self.in_progress.discard(name)
        self.type_values[name] = t
        return t

    def alt_payload(self, sum_name: str, tag: str, p: ast.TypeExpr | None) -> T.Type | None:
        """What an alternative carries: nothing, one value, or several (`Msg(Ballot, Value)`,
        `Msg(b: Ballot, v: Value)`): an anonymous record, positional fields named `#0`, `#1`
        (shown as `Msg(1, 2)`), registered in `alt_records` for construction and patterns."""
        if p is None:
            return None
        if not isinstance(p, ast.AltFields):
            return self.resolve_type(p)
        named = [n is not None for n, _ in p.fields]
        if any(named) and not all(named):
            self.error(codes.NOT_A_TYPE, f"the values of '{tag}' are either all named or all positional", p.span,
                       hint=f"{tag}(a: T, b: U) or {tag}(T, U)")
            return ERR_T
        names = [n if n is not None else f"#{i}" for i, (n, _) in enumerate(p.fields)]
        if len(set(names)) != len(names):
            self.error(codes.DUPLICATE_NAME, f"'{tag}' names a value twice", p.span)
            return ERR_T
        rt = T.RecordT(tuple((n, self.resolve_type(f)) for n, (_, f) in zip(names, p.fields)))
        self.alt_records[(sum_name, tag)] = rt
        return rt

    def resolve_type(self, te: ast.TypeExpr) -> T.Type:
        if isinstance(te, ast.BoolType):
            return BOOL
        if isinstance(te, ast.IntType):
            return INT
        if isinstance(te, ast.NamedType):
            if te.name in self.d.types:
                return self.named_type(te.name, te.span)
            if te.name in NET_TYPES:          # built in, unless the spec declares its own
                return NET_TYPES[te.name]
            self.error(codes.NOT_A_TYPE, f"'{te.name}' is not a type", te.span,
                       hint=_undefined_hint(te.name, self.d.types))
            return ERR_T
        if isinstance(te, ast.SymmetricType):      # named in named_type
            t = self.resolve_type(ast.RangeType(te.lo, te.hi, te.span))
            return T.SymT(t.lo, t.hi) if isinstance(t, T.IntT) else t
        if isinstance(te, ast.RangeType):
            lo, hi = self.const_int(te.lo), self.const_int(te.hi)
            if lo is None or hi is None:
                return ERR_T
            if hi < lo:
                self.error(codes.BAD_RANGE, f"the range {lo}..{hi} is empty", te.span)
                return ERR_T
            return T.IntT(lo, hi)
        if isinstance(te, ast.SetType):
            return T.SetT(self.resolve_type(te.elem))
        if isinstance(te, ast.BoundedSetType):
            return self.bounded_set_type(te)
        if isinstance(te, ast.MapType):
            return T.MapT(self.resolve_type(te.key), self.resolve_type(te.value), te.total)
        if isinstance(te, ast.SeqType):
            n = None if te.max is None else self.const_int(te.max)
            if n is not None and n < 0:
                self.error(codes.BAD_RANGE, f"a sequence holds at most {n} elements: the bound must be at least 0",
                           te.max.span)
                return ERR_T
            return T.SeqT(self.resolve_type(te.elem), n)
        if isinstance(te, ast.OptionType):
            return T.OptT(self.resolve_type(te.elem))
        if isinstance(te, ast.RecordType):
            return T.RecordT(tuple((n, self.resolve_type(f)) for n, f in te.fields))
        if isinstance(te, ast.SumType):
            self.error(codes.NOT_A_TYPE, "a sum type must be declared with its own name", te.span,
                       hint="type Name = a | b | c")
            return ERR_T
        raise AssertionError(te)

    def require_finite(self, t: T.Type, span: Span, what: str) -> bool:
        if isinstance(t, ErrorT) or _contains_error(t):
            return False
        if not T.finite(t):
            self.error(codes.UNBOUNDED_STATE, f"{what} has type {t}, which is not finite", span,
                       hint="state needs bounded types: a range lo..hi instead of int, "
                            "seq[T, max] instead of seq[T]")
            return False
        return True

    # ------------------------------------------------------------ variables and processes
    def declare_var(self, name: str, te: ast.TypeExpr | T.Type, span: Span) -> int:
        t = te if isinstance(te, T.Type) else self.resolve_type(te)
        self.require_finite(t, span, f"state variable '{name}'")
        self.var_index[name] = len(self.vars)
        self.vars.append(ir.VarIR(name, t, span))
        return self.var_index[name]

    def declare_process(self, proc: ast.ProcessDecl) -> None:
        labels = [s.name for s in proc.body if isinstance(s, ast.Label)]
        if not proc.body or not isinstance(proc.body[0], ast.Label):
            self.error(codes.PROCESS_WITHOUT_LABEL, f"process '{proc.name}' must start with a label",
                       proc.span, hint="write `start:` before the first statement")
        seen: dict[str, ast.Label] = {}
        for lab in (s for s in proc.body if isinstance(s, ast.Label)):
            if lab.name == "done":
                self.error(codes.DUPLICATE_NAME, f"process '{proc.name}' has a label 'done', the name of its "
                           "implicit end", lab.span, hint="choose another label name")
            elif lab.name in seen:
                self.error(codes.DUPLICATE_NAME, f"label '{lab.name}' appears twice in process '{proc.name}'",
                           lab.span, labels=((seen[lab.name].span, "first here"),))
            seen.setdefault(lab.name, lab)
        label_t = T.LabelT(proc.name, tuple(labels) + ("done",))
        self.labels[proc.name] = label_t
        key_t = self.param_type(proc.param)
        pvars = {"pc": self.declare_var(f"{proc.name}.pc", T.MapT(key_t, label_t, True), proc.span)}
        for local in proc.locals:
            self.check_shadowing(local.name, local.span)
            t = self.resolve_type(local.type)
            pvars[local.name] = self.declare_var(f"{proc.name}.{local.name}", T.MapT(key_t, t, True),
                                                 local.span)
        self.process_vars[proc.name] = pvars

    def param_type(self, p: ast.Param) -> T.Type:
        if p.type is not None:
            return self.resolve_type(p.type)
        dom = self.infer(p.domain, Ctx(Scope(), state=False))
        return dom.t.elem if isinstance(dom.t, T.SetT) else ERR_T

    # ------------------------------------------------------------ init
    def elab_init(self) -> tuple[ir.S, ...]:
        ctx = Ctx(Scope())
        out: list[ir.S] = []
        self.init_sites = {}
        try:
            for name, decl in self.d.vars.items():
                if decl.init is not None:
                    i = self.var_index[name]
                    out.append(ir.Assign(i, self.check(decl.init, self.vars[i].t, ctx), decl.span))
                    self.mark_init_site(out[-1:], _InitSite("decl", name, decl.span))
            for proc in self.d.processes.values():
                for s in self.process_init(proc, ctx):
                    out.append(s)
                    self.mark_init_site([s], _InitSite("local", self.vars[s.var].name, s.origin))
            for block in self.d.inits:
                out.extend(self.stmts(block.body, ctx))
            self.check_double_init(out, {})
            assigned = self.check_init_reads(out)
        finally:
            self.init_sites = None
        for i, v in enumerate(self.vars):
            if i not in assigned and "." not in v.name:   # process locals: see process_init
                where = self.d.inits[0].span if self.d.inits else v.origin
                self.error(codes.MISSING_INIT, f"state variable '{v.name}' is not given an initial value",
                           v.origin, labels=((where, "in this init"),) if self.d.inits else (),
                           hint=f"assign it in `init {{ ... }}` or write `var {v.name}: ... = value`")
        return tuple(out)

    def check_double_init(self, stmts, first: dict[int, Any]) -> dict[int, Any]:
        """KOV306: an init assignment that overwrites, without reading it, a value assigned
        earlier on the same path (the first value is lost, so one of the two is a mistake).
        `first` maps var index -> span of its first assignment; returns it for what follows."""
        for s in stmts:
            if isinstance(s, ir.Assign):
                reads_itself = any(ref.index == s.var for ref, _ in _state_reads(s.value, self.defs))
                if s.var in first and not reads_itself:
                    self.error(codes.DOUBLE_ASSIGN,
                               f"'{self.vars[s.var].name}' is assigned twice in init; the first value is lost",
                               s.origin, labels=((first[s.var], "first assigned here"),) if first[s.var] else ())
                first.setdefault(s.var, s.origin)
            elif isinstance(s, ir.IfS):
                then = self.check_double_init(s.then, dict(first))
                first = {**self.check_double_init(s.else_, dict(first)), **then}
            elif isinstance(s, ir.ForS):
                first = {**self.check_double_init(s.body, dict(first)), **first}
        return first

    def mark_init_site(self, stmts, site: "_InitSite") -> None:
        """Remember where init statements come from (a declaration, a process local, a macro
        call, a `restart`); a later mark wins, so a macro's statements end up marked with the
        outermost call, the one written in the init block."""
        if self.init_sites is not None:
            for s in stmts:
                self.init_sites[id(s)] = (s, site)

    def site_of(self, s: ir.S) -> "_InitSite | None":
        entry = (self.init_sites or {}).get(id(s))
        return entry[1] if entry is not None and entry[0] is s else None

    def check_init_reads(self, stmts) -> set[int]:
        """KOV309: a state variable read by the init program (declaration initial values,
        process locals, init blocks, and the macros, definitions and restarts they use) where
        some path reaches the read without assigning the variable. Definite assignment, in
        order: an `if` assigns what both branches assign, a `for` nothing (its body may run
        zero times; its first run sees only what came before). A partial assignment
        (`f[k] := v`) reads the rest of f. A variable is reported once per statement, at its
        first such read there. (Unreported, the compiled checker would read the first value of
        the variable's type there, and the reference interpreter would fail.) Returns the
        variables assigned on every path of the init program (KOV305 reports the others)."""
        from checker.ir.walk import walk
        first: dict[int, Any] = {}
        for s in stmts:
            for n in walk(s):
                if isinstance(n, ir.Assign):
                    first.setdefault(n.var, n.origin)
        return self._init_reads(stmts, set(), {}, None, first, set())[0]

    def _init_reads(self, stmts, definite: set[int], maybe: dict[int, Any], site, first: dict[int, Any],
                    reported: set) -> tuple[set[int], dict[int, Any]]:
        """Walk stmts with the variables assigned on every path so far (definite) and on some
        path (maybe: var -> first such assignment); return both after stmts."""
        definite, maybe = set(definite), dict(maybe)
        for s in stmts:
            here = site or self.site_of(s)

            # one report per variable and statement of the init program (a macro call or a
            # restart counts as one)
            unit = here.span if here is not None and here.kind in ("macro", "restart") else id(s)

            def reads(e: ir.E) -> None:
                for ref, call in _state_reads(e, self.defs):
                    if ref.index not in definite and (ref.index, unit) not in reported:
                        reported.add((ref.index, unit))
                        self.read_before_init(ref, call, s, here, maybe, first)

            if isinstance(s, ir.Assign):
                reads(s.value)
                definite.add(s.var)
                maybe.setdefault(s.var, s.origin)
            elif isinstance(s, ir.Require):
                reads(s.cond)
            elif isinstance(s, ir.LetS):
                reads(s.value)
            elif isinstance(s, ir.ChooseS):
                reads(s.domain)
            elif isinstance(s, ir.IfS):
                reads(s.cond)
                d1, m1 = self._init_reads(s.then, definite, maybe, here, first, reported)
                d2, m2 = self._init_reads(s.else_, definite, maybe, here, first, reported)
                definite = d1 & d2
                maybe = {**m2, **m1, **maybe}
            elif isinstance(s, ir.ForS):
                reads(s.domain)
                _, m1 = self._init_reads(s.body, definite, maybe, here, first, reported)
                maybe = {**m1, **maybe}
        return definite, maybe

    def read_before_init(self, ref: ir.VarRef, call: "ir.CallDef | None", stmt: ir.S, site: "_InitSite | None",
                         maybe: dict[int, Any], first: dict[int, Any]) -> None:
        i = ref.index
        name = self.vars[i].name
        what = "process variable" if "." in name else "state variable"
        decl = self.d.vars.get(name)
        declared = f"`var {name}: {_type_text(decl)} = value`"
        partial = (call is None and isinstance(stmt, ir.Assign) and stmt.var == i
                   and isinstance(stmt.value, ir.Update) and stmt.value.base is ref
                   and ref.origin is not None and stmt.origin is not None and ref.origin.start == stmt.origin.start)
        # the place in the init program that reads, and where the read is written if elsewhere
        primary, where = ref.origin, ""
        if call is not None:
            primary, where = call.origin, f", in definition '{self.defs[call.index].name}'"
        if site is not None and site.kind in ("macro", "restart") and not _within(primary, site.span):
            primary = site.span
            if not where:
                where = f", in macro '{site.name}'" if site.kind == "macro" else \
                    (f", in the initial value of '{self.vars[stmt.var].name}'" if isinstance(stmt, ir.Assign) else "")
        labels = []
        if primary is not ref.origin and ref.origin is not None:
            labels.append((ref.origin, f"'{name}' is read here{where}"))
        if i in maybe and maybe[i] is not None:
            labels.append((maybe[i], "assigned here, but not on every path to the read"))
        elif first.get(i) is not None and first[i] is not stmt.origin:
            labels.append((first[i], "assigned only later, here"))
        if partial:
            self.error(codes.READ_BEFORE_INIT, f"{what} '{name}' is assigned in part before it has a value",
                       primary, labels=tuple(labels),
                       hint=f"an assignment to part of '{name}' keeps the rest, which has no value yet: assign "
                            f"the whole value first (`{name} := ...`), or write {declared}")
            return
        if site is not None and site.kind == "decl":
            reader = self.d.vars[site.name]
            if decl is not None and decl.init is not None and decl.span.path != reader.span.path:
                hint = (f"initial values in declarations are evaluated in declaration order, and an imported "
                        f"file's declarations come before the importer's: '{site.name}' cannot read '{name}'")
            elif decl is not None and decl.init is not None:
                hint = (f"initial values in declarations are evaluated in declaration order: declare "
                        f"'{name}' before '{site.name}'")
            elif decl is None:
                hint = ("process locals get their initial values after those of declared variables: "
                        f"assign '{site.name}' in `init` instead")
            elif reader.volatile:
                hint = (f"a volatile variable's initial value is evaluated before the `init` blocks (and again "
                        f"at each `restart`): write {declared} before '{site.name}'")
            else:
                hint = (f"initial values in declarations are evaluated before the `init` blocks: assign "
                        f"'{site.name}' in `init` after '{name}', or write {declared} before '{site.name}'")
        elif site is not None and site.kind == "local":
            if decl is None:
                (reader_proc, reader), (proc, local) = site.name.split(".", 1), name.split(".", 1)
                hint = (f"process locals get their initial values in declaration order: declare '{local}' "
                        f"before '{reader}'" if proc == reader_proc else
                        f"process locals get their initial values process by process, in declaration order: "
                        f"declare process '{proc}' before '{reader_proc}'")
            else:
                hint = (f"process locals get their initial values before the `init` blocks: write {declared}")
        else:
            hint = f"assign '{name}' before reading it, or give it an initial value: {declared}"
        self.error(codes.READ_BEFORE_INIT, f"{what} '{name}' is read before it has a value", primary,
                   labels=tuple(labels), hint=hint)

    def process_init(self, proc: ast.ProcessDecl, ctx: Ctx) -> list[ir.S]:
        pvars = self.process_vars[proc.name]
        pc = pvars["pc"]
        pc_t = self.vars[pc].t
        out = [ir.Assign(pc, self.pc_init(proc, pc_t, ctx), proc.span)]
        for local in proc.locals:
            i = pvars[local.name]
            if local.init is None:
                self.error(codes.MISSING_INIT, f"process local '{local.name}' needs an initial value",
                           local.span, hint=f"var {local.name}: ... = value")
                continue
            value = self.check(local.init, self.vars[i].t.value, ctx)
            out.append(ir.Assign(i, self.full_map(self.vars[i].t, value), local.span))
        return out

    def pc_init(self, proc: ast.ProcessDecl, pc_t: T.MapT, ctx: Ctx) -> ir.E:
        """Every process starts at its first label. With `p in SET`, the pc map still has a
        slot for every value of the element type: the ids outside SET name no process and
        start at `done`, so that termination (every pc at done) is reached."""
        if proc.param.domain is None:
            return self.full_map(pc_t, ir.Lit(pc_t.value, 0))
        dom = self.set_expr(proc.param.domain, Ctx(ctx.scope, state=False))
        k = self.fresh("k")
        key = ir.Local(pc_t.key, k)
        done = ir.Lit(pc_t.value, len(pc_t.value.labels) - 1)
        value = ir.Ite(pc_t.value, ir.Op(BOOL, "in", (key, dom)), ir.Lit(pc_t.value, 0), done)
        return ir.Comp(pc_t, (ir.Binder(k, ir.TypeSet(T.SetT(pc_t.key))),), None, key, value)

    def full_map(self, t: T.MapT, value: ir.E) -> ir.E:
        k = self.fresh("k")
        return ir.Comp(t, (ir.Binder(k, ir.TypeSet(T.SetT(t.key))),), None, ir.Local(t.key, k), value)

    # ------------------------------------------------------------ actions
    def fresh(self, name: str) -> str:
        return f"{name}_{next(self.counter)}"

    def bind_params(self, params: tuple[ast.Param, ...], ctx: Ctx) -> tuple[ir.ParamIR, ...]:
        out = []
        for p in params:
            if p.type is not None:
                t = self.resolve_type(p.type)
                dom: ir.E = ir.TypeSet(T.SetT(t), p.span)
                if not isinstance(t, ErrorT) and not T.finite(t):
                    self.error(codes.DOMAIN_TOO_LARGE, f"parameter '{p.name}' ranges over {t}, which is not finite",
                               p.span, hint=f"write `{p.name} in SET` or give the type a bound")
            else:
                dom = self.infer(p.domain, ctx)
                if not isinstance(dom.t, (T.SetT, ErrorT)):
                    dom = self.error(codes.TYPE_MISMATCH, f"parameter '{p.name}' must range over a set, not {dom.t}",
                                     p.domain.span)
                t = dom.t.elem if isinstance(dom.t, T.SetT) else ERR_T
            local = self.bind(ctx.scope, p.name, t, p.span)
            out.append(ir.ParamIR(local.name, p.name, t, dom))
        self.check_instances(params, out)
        return tuple(out)

    def check_instances(self, params: tuple[ast.Param, ...], out: list[ir.ParamIR]) -> None:
        """KOV209: typed parameters whose value combinations are too many to enumerate (the
        instances are tabled when the spec is compiled)."""
        n = 1
        for p in out:
            if isinstance(p.domain, ir.TypeSet) and T.finite(p.t) and enumerable(p.t):
                n *= T.size(p.t)      # larger ones are picked by the solver (solve_large_params)
        if n > ENUM_LIMIT:
            self.error(codes.DOMAIN_TOO_LARGE, f"the parameters have {n:,} combinations of values, more than "
                       f"the {ENUM_LIMIT:,} an action may have", params[0].span.to(params[-1].span),
                       hint="use smaller types, or `x in SET` over a set the state bounds")

    def bind(self, scope: Scope, name: str, t: T.Type, span: Span | None, shadow_ok: bool = False) -> ir.Local:
        if not shadow_ok:
            self.check_shadowing(name, span)
        local = ir.Local(t, self.fresh(name), span)
        scope.names[name] = Binding("local", local)
        return local

    def check_shadowing(self, name: str, span: Span | None) -> None:
        """KOV107: a bound name (parameter, binder, let, choose, process local) may not hide a
        declaration usable in expressions: which one a use means would depend on scope rules a
        reader has to remember (TLA+ forbids it too)."""
        kinds = (("constant", self.d.consts), ("state variable", self.d.vars), ("type", self.d.types),
                 ("definition", self.d.defs), ("enum member", self.d.members))
        if span is not None and _in_library(span):
            # the shipped library cannot know the names a spec declares: its bound names
            # are local to it (macros are hygienic), so hiding a spec's name is harmless
            return
        reserved = reserved_name(name, span)
        if reserved is not None:
            self.diags.append(reserved)
            return
        for what, table in kinds:
            if name in table:
                self.error(codes.SHADOWED_NAME, f"'{name}' hides the {what} of the same name", span,
                           hint="rename the bound name")
                return

    def elab_action(self, a: ast.ActionDecl) -> ir.ActionIR:
        ctx = Ctx(Scope(), step=True)
        params = self.bind_params(a.params, ctx)
        body = self.stmts(a.body, ctx)
        params = self.solve_large_params(params, body)
        return ir.ActionIR(a.name, params, body, origin=a.span)

    def elab_process(self, proc: ast.ProcessDecl) -> list[ir.ActionIR]:
        steps: list[tuple[ast.Label, list[ast.Stmt]]] = []
        for s in proc.body:
            if isinstance(s, ast.Label):
                steps.append((s, []))
            elif steps:
                steps[-1][1].append(s)
        label_t = self.labels[proc.name]
        out = []
        for i, (label, body) in enumerate(steps):
            ctx = Ctx(Scope(), process=proc.name, step=True)
            params = self.bind_params((proc.param,), ctx)
            me = ir.Local(params[0].t, params[0].name)
            ctx.scope.names["self"] = Binding("local", me)
            for name, vi in self.process_vars[proc.name].items():
                if name != "pc":
                    ctx.scope.names[name] = Binding("plocal", (vi, me))
            pc = self.process_vars[proc.name]["pc"]
            pc_t = self.vars[pc].t
            here = ir.Lit(label_t, i)
            guard = ir.Require(ir.Op(BOOL, "eq", (ir.Index(label_t, ir.VarRef(pc_t, pc), me), here)), label.span)
            nxt = ir.Lit(label_t, i + 1)   # fall through (the last label falls to `done`)
            set_pc = ir.Assign(pc, ir.Update(pc_t, ir.VarRef(pc_t, pc), ((me, nxt),)), label.span)
            stmts = _end_at_goto(list(self.stmts(tuple(body), ctx)))
            out.append(ir.ActionIR(f"{proc.name}.{label.name}", params, (guard, set_pc) + stmts,
                                   proc.name, label.name, label.span))
        return out

    # ------------------------------------------------------------ properties
    def elab_property(self, p: ast.PropertyDecl) -> ir.PropertyIR:
        ctx = Ctx(Scope(), prime=p.kind == "action")
        return ir.PropertyIR(p.name, p.kind, self.check(p.expr, BOOL, ctx), p.span)

    # ------------------------------------------------------------ temporal properties, fairness
    def add_liveness(self, spec: ir.SpecIR) -> ir.SpecIR:
        """`spec` with its temporal properties and the variant's fairness (the spec's
        top-level declarations, then the variant's own)."""
        temporals = tuple(self.elab_temporal(t) for t in self.d.temporals)
        decls = tuple(self.d.fairness) + tuple(self.variant_fairness)
        fairness = tuple(f for d in decls for f in self.elab_fairness(d, spec.actions))
        # definitions first used by a temporal property were elaborated just now
        return dataclasses.replace(spec, temporals=temporals, fairness=fairness, defs=tuple(self.defs))

    def elab_temporal(self, d: ast.TemporalDecl) -> ir.TemporalIR:
        # `forall i in S:` binds like an action parameter: S is constant (KOV303 otherwise),
        # so the instances are known before the search.
        scope = Scope()
        binders = tuple(ast.Param(b.name, None, b.domain, span=b.span) for b in d.binders)
        params = self.bind_params(binders, Ctx(scope, state=False))
        ctx = Ctx(scope)
        parts = tuple((kind, self.check(p, BOOL, ctx), self.check(q, BOOL, ctx) if q is not None else None, text)
                      for kind, p, q, text in (d.conjuncts or ((d.kind, d.p, d.q, ""),)))
        kind, p, q, _ = parts[0]
        return ir.TemporalIR(d.name, kind, params, p, q, d.span, parts if d.conjuncts else ())

    def elab_fairness(self, d: ast.FairDecl, actions: tuple[ir.ActionIR, ...]) -> list[ir.FairnessIR]:
        out = []
        for item in d.items:
            chosen: list[int] = []
            for name in item.names:
                found = [i for i, a in enumerate(actions)
                         if a.name == name or (a.process == name and "." not in name)]
                if not found:
                    known = [a.name for a in actions] + list(self.d.processes)
                    self.error(codes.UNKNOWN_FAIR_TARGET,
                               f"fairness names '{name}', which is not an action, a process or a process step",
                               item.span, hint=_suggest(name, known))
                chosen.extend(i for i in found if i not in chosen)
            if item.each and len({tuple(p.t for p in actions[i].params) for i in chosen}) > 1:
                shown = ", ".join(f"{actions[i].name}({', '.join(str(p.t) for p in actions[i].params)})"
                                  for i in chosen)
                self.error(codes.FAIR_PARAMS_DIFFER,
                           f"`(*)` groups instances by their parameters, but these actions take different ones: {shown}",
                           item.span, hint="give each action its own fairness, or group actions with the same parameters")
                continue
            bound = None
            if item.args is not None and chosen:
                bound = self.fair_bound(item, [actions[i] for i in chosen])
                if bound is None:
                    continue
            if chosen:
                text = f"fair {d.strength} " + _fair_text(item)
                out.append(ir.FairnessIR(d.strength, tuple(chosen), item.each, text, item.span, bound))
        return out

    def fair_bound(self, item: ast.FairItem, chosen: list[ir.ActionIR]) -> tuple | None:
        """`A(*, 1)`: per parameter "*", "_" or the run-time value it is bound to (a
        constant expression of the parameter's type); None after an error."""
        counts = {len(a.params) for a in chosen}
        if counts != {len(item.args)}:
            shown = ", ".join(f"{a.name} takes {len(a.params)}" for a in chosen)
            self.error(codes.BAD_CALL, f"the fairness gives {len(item.args)} parameter(s): {shown}", item.span,
                       hint="one entry per parameter: `*` (each value), `_` (any value) or a value")
            return None
        if len({tuple(p.t for p in a.params) for a in chosen}) > 1:
            self.error(codes.FAIR_PARAMS_DIFFER, "a fairness with parameters groups actions whose parameters "
                       "have different types", item.span)
            return None
        out: list = []
        for arg, p in zip(item.args, chosen[0].params):
            if isinstance(arg, str):
                out.append(arg)
                continue
            value = self.check(arg, p.t, Ctx(Scope(), state=False))
            if _has_error(value):
                return None
            out.append(("value", self.evaluate(value, arg.span)))
        return tuple(out)

    # ------------------------------------------------------------ statements
    def stmts(self, body: tuple[ast.Stmt, ...], ctx: Ctx) -> tuple[ir.S, ...]:
        out: list[ir.S] = []
        scope = ctx.scope.child()
        ctx = dataclasses.replace(ctx, scope=scope)
        for i, s in enumerate(body):
            if isinstance(s, ast.Goto) and i != len(body) - 1:
                self.error(codes.BAD_STATEMENT_PLACE, "nothing may follow `goto` in its block", body[i + 1].span)
            out.extend(self.stmt(s, ctx))
        return tuple(out)

    def stmt(self, s: ast.Stmt, ctx: Ctx) -> list[ir.S]:
        if isinstance(s, ast.Require):
            return [ir.Require(self.check(s.cond, BOOL, ctx), s.span)]
        if isinstance(s, ast.Assign):
            return [self.assign(s, ctx)]
        if isinstance(s, ast.If):
            cond = self.check(s.cond, BOOL, ctx)
            then = self.stmts(s.then, ctx)
            else_ = self.stmts(s.else_, ctx) if s.else_ else ()
            return [ir.IfS(cond, then, else_, s.span)]
        if isinstance(s, ast.Choose):
            dom = self.set_expr(s.domain, ctx)
            local = self.bind(ctx.scope, s.name, _elem(dom.t), s.span)
            return [ir.ChooseS(local.name, dom, s.span)]
        if isinstance(s, ast.ChooseWhere):
            return self.choose_where(s, ctx)
        if isinstance(s, ast.Let):
            value = self.infer(s.value, ctx)
            local = self.bind(ctx.scope, s.name, value.t, s.span)
            return [ir.LetS(local.name, value, s.span)]
        if isinstance(s, ast.LetPattern):
            return self.let_pattern(s, ctx)
        if isinstance(s, ast.MatchStmt):
            return self.match_stmt(s, ctx)
        if isinstance(s, ast.For):
            dom = self.set_expr(s.domain, ctx)
            inner = dataclasses.replace(ctx, scope=ctx.scope.child())
            local = self.bind(inner.scope, s.name, _elem(dom.t), s.span)
            return [ir.ForS(local.name, dom, self.stmts(s.body, inner), s.span)]
        if isinstance(s, ast.Goto):
            return [self.goto(s, ctx)]
        if isinstance(s, ast.Skip):
            return []
        if isinstance(s, ast.Label):
            self.error(codes.BAD_STATEMENT_PLACE, "labels are only allowed at the top level of a process body",
                       s.span)
            return []
        if isinstance(s, ast.CallStmt):
            return self.call_macro(s, ctx)
        if isinstance(s, ast.Restart):
            return self.restart(s, ctx)
        raise AssertionError(s)

    def let_pattern(self, s: ast.LetPattern, ctx: Ctx) -> list[ir.S]:
        """`let Tag(a, b) = e`: e once, into a hidden local; the step goes on only when it
        is a Tag (a `require`), with a and b naming its values for the rest of the block."""
        value = self.infer(s.value, ctx)
        if not self.sum_subject(value, s.value.span) or not self.known_tag(value.t, s.tag, s.span):
            self.bind_unknown(ctx.scope, s.binds, s.span)
            return []
        subject = self.bind(ctx.scope, self.fresh("subject"), value.t, s.span, shadow_ok=True)
        out: list[ir.S] = [ir.LetS(subject.name, value, s.span),
                           ir.Require(self.has_tag(value.t, s.tag, subject, s.span), s.span)]
        if value.t.payload(s.tag) is not None and s.binds:
            payload = self.bind(ctx.scope, self.fresh("payload"), value.t.payload(s.tag), s.span, shadow_ok=True)
            out.append(ir.LetS(payload.name, self.payload_of(value.t, s.tag, subject, s.span), s.span))
            self.bind_pattern(ctx.scope, value.t, s.tag, s.binds, payload, s.span)
        else:
            self.bind_pattern(ctx.scope, value.t, s.tag, s.binds, subject, s.span)
        return out

    def match_stmt(self, s: ast.MatchStmt, ctx: Ctx) -> list[ir.S]:
        """`match e { Tag(a) => { ... }, _ => { ... } }`: e once, into a hidden local; then
        the block of the first arm naming its tag (else `_`'s), as a chain of `if`s."""
        value = self.infer(s.subject, ctx)
        if not self.sum_subject(value, s.subject.span):
            return []
        t: T.SumT = value.t
        subject = self.bind(ctx.scope, self.fresh("subject"), t, s.span, shadow_ok=True)
        chain: tuple[ir.S, ...] = ()
        wild = next((a for a in s.arms if a.tag is None), None)
        if wild is not None:
            chain = self.stmts(wild.body, ctx)
        tags = [a.tag for a in s.arms]
        for arm in reversed([a for a in s.arms if a.tag is not None]):
            if not self.known_tag(t, arm.tag, arm.span):
                continue
            inner = dataclasses.replace(ctx, scope=ctx.scope.child())
            head: list[ir.S] = []
            if t.payload(arm.tag) is not None and arm.binds:
                payload = self.bind(inner.scope, self.fresh("payload"), t.payload(arm.tag), arm.span, shadow_ok=True)
                head.append(ir.LetS(payload.name, self.payload_of(t, arm.tag, subject, arm.span), arm.span))
                if not self.bind_pattern(inner.scope, t, arm.tag, arm.binds, payload, arm.span):
                    continue
            elif not self.bind_pattern(inner.scope, t, arm.tag, arm.binds, subject, arm.span):
                continue
            body = tuple(head) + self.stmts(arm.body, inner)
            chain = (ir.IfS(self.has_tag(t, arm.tag, subject, arm.span), body, chain, arm.span),)
        self.check_coverage(t, tags, s.span)
        return [ir.LetS(subject.name, value, s.span), *chain]

    def restart(self, s: ast.Restart, ctx: Ctx) -> list[ir.S]:
        """`restart`: volatile variables are recomputed from their initial expressions (in
        the current state: e.g. an in-memory index rebuilt from the API), processes start over."""
        fresh = Ctx(Scope(), ctx.state, False, None)
        out: list[ir.S] = []
        for name, decl in self.d.vars.items():
            if decl.volatile:
                if decl.init is None:
                    self.error(codes.MISSING_INIT, f"volatile variable '{name}' needs an initial value "
                               "(`restart` recomputes it)", decl.span)
                    continue
                i = self.var_index[name]
                out.append(ir.Assign(i, self.check(decl.init, self.vars[i].t, fresh), s.span))
        for proc in self.d.processes.values():
            out.extend(self.process_init(proc, fresh))
        self.mark_init_site(out, _InitSite("restart", None, s.span))
        return out

    def call_macro(self, s: ast.CallStmt, ctx: Ctx) -> list[ir.S]:
        """Inline a macro: its arguments are evaluated first (bound like `let`), then its
        body runs with only its parameters and global names in scope (hygienic)."""
        m = self.d.macros.get(s.name)
        if m is None:
            return [self.error_stmt(codes.UNDEFINED_NAME, f"there is no macro named '{s.name}'", s.span,
                                    hint=_undefined_hint(s.name, self.d.macros))]
        if s.name in self.in_progress:
            return [self.error_stmt(codes.RECURSIVE_DEFINITION, f"macro '{s.name}' calls itself", s.span)]
        if len(s.args) != len(m.params) or any(a.name is not None for a in s.args):
            return [self.error_stmt(codes.BAD_CALL, f"macro '{s.name}' takes {len(m.params)} argument(s), "
                                    f"given {len(s.args)}", s.span)]
        out: list[ir.S] = []
        inner = Ctx(Scope(), ctx.state, ctx.prime, None, ctx.step)
        for p, a in zip(m.params, s.args):
            t = self.resolve_type(p.type) if p.type is not None else self.param_type(p)
            value = self.check(a.value, t, ctx)
            local = self.bind(inner.scope, p.name, t, p.span)
            out.append(ir.LetS(local.name, value, a.span))
        self.in_progress.add(s.name)
        call = (s.span.text() if s.span is not None else s.name, s.span)
        self.calls.append(call)
        try:
            body = self.stmts(m.body, inner)
        finally:
            self.in_progress.discard(s.name)
            self.calls.pop()
        if s.span is not None:       # errors found while exploring name the call, not only the macro's line
            body = tuple(transform(b, lambda n: _called_from(n, call)) for b in body)
        out.extend(body)
        self.mark_init_site(out, _InitSite("macro", s.name, s.span))
        return out

    def error_stmt(self, code: str, message: str, span, **kw) -> ir.S:
        return ir.LetS("_", self.error(code, message, span, **kw))

    def goto(self, s: ast.Goto, ctx: Ctx) -> ir.S:
        if ctx.process is None:
            self.error(codes.BAD_STATEMENT_PLACE, "`goto` is only allowed in a process", s.span)
            return ir.LetS("_", err())
        label_t = self.labels[ctx.process]
        if s.label not in label_t.labels:
            self.error(codes.UNDEFINED_LABEL, f"process '{ctx.process}' has no label '{s.label}'", s.span,
                       hint=_suggest(s.label, label_t.labels))
            return ir.LetS("_", err())
        pc = self.process_vars[ctx.process]["pc"]
        pc_t = self.vars[pc].t
        me = ctx.scope.lookup("self").node
        target = ir.Lit(label_t, label_t.labels.index(s.label))
        return ir.Assign(pc, ir.Update(pc_t, ir.VarRef(pc_t, pc), ((me, target),)), s.span, goto=True)

    def assign(self, s: ast.Assign, ctx: Ctx) -> ir.S:
        target = s.target
        b = ctx.scope.lookup(target.name)
        selectors = list(target.selectors)
        if b is not None and b.kind == "plocal":
            vi, me = b.node
            selectors.insert(0, _LocalKey(me))
        elif b is not None:
            self.error(codes.ASSIGN_NOT_VARIABLE, f"'{target.name}' is a bound name, not a state variable",
                       target.span)
            return ir.LetS("_", err())
        elif target.name in self.var_index and "." not in target.name:
            vi = self.var_index[target.name]
        elif target.name in self.process_vars and selectors and isinstance(selectors[0], str) \
                and selectors[0] in self.process_vars[target.name]:
            # `Proc.local := ...` / `Proc.pc := ...` from outside the process (e.g. a restart)
            vi = self.process_vars[target.name][selectors.pop(0)]
        else:
            what = "a constant" if target.name in self.d.consts else "not a state variable"
            code = codes.ASSIGN_NOT_VARIABLE if target.name in self.d.consts or target.name in self.d.defs \
                else codes.UNDEFINED_NAME
            self.error(code, f"cannot assign to '{target.name}': it is {what}", target.span,
                       hint=_undefined_hint(target.name, self.var_index))
            return ir.LetS("_", err())
        var = self.vars[vi]
        base = ir.VarRef(var.t, vi, origin=target.span)
        value = self.assign_path(base, selectors, s.value, ctx, target.span)
        return ir.Assign(vi, value, s.span)

    def assign_path(self, base: ir.E, selectors: list, value: ast.Expr, ctx: Ctx, span: Span) -> ir.E:
        """base with the part named by selectors replaced by value (a whole new value)."""
        if not selectors:
            return self.check(value, base.t, ctx)
        sel, rest = selectors[0], selectors[1:]
        if isinstance(sel, str):
            if not isinstance(base.t, T.RecordT):
                return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no fields", span)
            ft = base.t.field_type(sel)
            if ft is None:
                return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no field '{sel}'", span,
                                  hint=_suggest(sel, [n for n, _ in base.t.fields]))
            inner = self.assign_path(ir.FieldGet(ft, base, sel, span), rest, value, ctx, span)
            return ir.Update(base.t, base, ((sel, inner),), span)
        key = sel.local if isinstance(sel, _LocalKey) else None
        if isinstance(base.t, T.MapT):
            key = key or self.check(sel, base.t.key, ctx)
            inner = self.assign_path(ir.Index(base.t.value, base, key, span), rest, value, ctx, span)
            return ir.Update(base.t, base, ((key, inner),), span)
        if isinstance(base.t, T.SeqT):
            key = key or self.check(sel, INT, ctx)
            inner = self.assign_path(ir.Index(base.t.elem, base, key, span), rest, value, ctx, span)
            return ir.Update(base.t, base, ((key, inner),), span)
        if isinstance(base.t, ErrorT):
            return err(span)
        return self.error(codes.BAD_OPERAND, f"cannot index a value of type {base.t}", span)

    # ------------------------------------------------------------ expressions: entry points
    def infer(self, e: ast.Expr, ctx: Ctx) -> ir.E:
        return self.expr(e, None, ctx)

    def check(self, e: ast.Expr, t: T.Type, ctx: Ctx) -> ir.E:
        got = self.expr(e, t, ctx)
        return self.coerce(got, t, e.span)

    def set_expr(self, e: ast.Expr, ctx: Ctx) -> ir.E:
        got = self.infer(e, ctx)
        if isinstance(got.t, (T.SetT, ErrorT)):
            return got
        if isinstance(got.t, T.EmptyT):
            return self.error(codes.CANNOT_INFER, "the element type of this empty set is not known", e.span,
                              hint="nothing can be drawn from an empty set; name a typed set instead")
        return self.error(codes.TYPE_MISMATCH, f"expected a set, found {got.t}", e.span)

    def coerce(self, e: ir.E, t: T.Type, span: Span | None) -> ir.E:
        if isinstance(e.t, ErrorT) or isinstance(t, ErrorT) or e.t == t:
            return e
        if not _assignable(e.t, t):
            return self.error(codes.TYPE_MISMATCH, f"expected {t}, found {e.t}", span)
        if isinstance(e.t, T.EmptyT):
            return _empty_value(t, span)
        return ir.Coerce(t, e, span)

    # ------------------------------------------------------------ expressions
    def expr(self, e: ast.Expr, expected: T.Type | None, ctx: Ctx) -> ir.E:
        method = getattr(self, "e_" + type(e).__name__)
        return method(e, expected, ctx)

    def e_IntLit(self, e, expected, ctx):
        return ir.Lit(INT, e.value, e.span)

    def e_BoolLit(self, e, expected, ctx):
        return ir.Lit(BOOL, e.value, e.span)

    def e_Name(self, e: ast.Name, expected, ctx):
        b = ctx.scope.lookup(e.name)
        if b is not None:
            if b.kind == "local":
                return ir.Local(b.node.t, b.node.name, e.span)
            if b.kind == "alias":       # a name a pattern binds: a part of an immutable local
                return transform(b.node, dataclasses.replace)
            vi, me = b.node
            var = self.vars[vi]
            return ir.Index(var.t.value, ir.VarRef(var.t, vi, origin=e.span), me, e.span)
        return self.global_name(e.name, e.span, expected, ctx)

    def global_name(self, name: str, span: Span, expected, ctx: Ctx) -> ir.E:
        if name in self.d.consts:
            c = self.const(name, span)
            return err(span) if c is None else ir.Lit(c.t, c.value, span)
        if name in self.d.vars and name not in self.var_index:
            # only while a state variable's own type is being resolved
            return self.error(codes.STATE_IN_CONSTANT, f"state variable '{name}' cannot be read here", span,
                              hint="a type bound is evaluated before any state exists")
        if name in self.var_index and "." not in name:
            if not ctx.state:
                return self.error(codes.STATE_IN_CONSTANT, f"state variable '{name}' cannot be read here", span,
                                  hint="constants, type bounds and variant settings are evaluated before any state exists")
            return ir.VarRef(self.vars[self.var_index[name]].t, self.var_index[name], origin=span)
        if name in self.d.types:
            t = self.named_type(name, span)
            if isinstance(t, ErrorT):
                return err(span)
            if not T.finite(t):
                return self.error(codes.DOMAIN_TOO_LARGE, f"type {name} is not finite and cannot be used as a set",
                                  span)
            if T.size(t) > ENUM_LIMIT:
                return self.error(codes.DOMAIN_TOO_LARGE, f"type {name} has {T.size(t):,} values, too many to "
                                  f"enumerate (at most {ENUM_LIMIT:,})", span)
            return ir.TypeSet(T.SetT(t), span)
        if name in self.d.members:
            return self.member(name, span, expected, None)
        if name in self.d.defs:
            return self.call_def(name, (), span, ctx)
        if name == "none":
            inner = expected.elem if isinstance(expected, T.OptT) else T.EmptyT()
            t = T.OptT(inner)
            return ir.Lit(t, 0 if T.finite(t) else None, span)   # the representation of none
        hint = _undefined_hint(name, list(self.d.consts) + list(self.var_index) + list(self.d.types)
                        + list(self.d.members) + list(self.d.defs) + _scope_names(ctx.scope))
        return self.error(codes.UNDEFINED_NAME, f"name '{name}' is not defined", span, hint=hint)

    def member_type(self, tag: str, span: Span, expected, type_name: str | None = None) -> T.SumT | ir.E:
        """The sum type a member belongs to (the context decides between several), or an
        error expression."""
        owners = [type_name] if type_name else self.d.members[tag]
        if type_name is None and len(owners) > 1:
            if isinstance(expected, T.SumT) and expected.name in owners:
                owners = [expected.name]
            else:
                return self.error(codes.AMBIGUOUS_MEMBER, f"'{tag}' is a member of {', '.join(owners)}", span,
                                  hint=f"write {owners[0]}.{tag}")
        t = self.named_type(owners[0], span)
        return t if isinstance(t, T.SumT) else err(span)

    def member_call(self, tag: str, e: ast.Call, expected, ctx: Ctx) -> ir.E:
        """`Tag(v)`, or `Tag(a, b)` / `Tag(x: a, y: b)` for an alternative of several values."""
        t = self.member_type(tag, e.span, expected)
        if not isinstance(t, T.SumT):
            return t
        rt = self.alt_records.get((t.name, tag))
        if rt is None:
            if len(e.args) != 1 or e.args[0].name is not None:
                return self.error(codes.BAD_CALL, f"'{tag}' takes one value", e.span)
            return self.member(tag, e.span, expected, e.args[0].value, ctx, t.name)
        values = self.field_args(f"'{tag}'", f"{tag}(...)", rt, e.args, e.span, ctx, positional=True)
        if values is None:
            return err(e.span)
        return ir.Construct(t, tag, self.record(rt, values, e.span), e.span)

    def field_args(self, what: str, call: str, rt: T.RecordT, args: tuple[ast.Arg, ...], span: Span, ctx: Ctx,
                   positional: bool, prefilled: dict[str, ir.E] | None = None) -> tuple[ir.E, ...] | None:
        """The values of a record's fields in declaration order, from arguments given by
        name (any order) or, where `positional`, all by position; None after an error.
        `what` names the record in messages, `call` the call."""
        fields = [n for n, _ in rt.fields]
        shown = [n for n in fields if not n.startswith("#")]
        if positional and all(a.name is None for a in args):
            if len(args) != len(fields):
                self.error(codes.BAD_CALL, f"{call} takes {len(fields)} values, given {len(args)}", span)
                return None
            return tuple(self.check(a.value, ft, ctx) for a, (_, ft) in zip(args, rt.fields))
        given: dict[str, ir.E] = dict(prefilled or {})
        for a in args:
            if a.name is None:
                self.error(codes.BAD_CALL, f"the values of {what} are given all by name or all by position",
                           a.span)
                return None
            if rt.field_type(a.name) is None or a.name.startswith("#"):
                self.error(codes.NO_SUCH_FIELD, f"{what} has no field '{a.name}'", a.span,
                           hint=_suggest(a.name, shown))
                return None
            if a.name in given and a.name not in (prefilled or {}):
                self.error(codes.BAD_CALL, f"{what} is given '{a.name}' twice", a.span)
                return None
            given[a.name] = self.check(a.value, rt.field_type(a.name), ctx)
        missing = [n for n in fields if n not in given]
        if missing:
            self.error(codes.BAD_CALL, f"{call} is missing {', '.join(missing)}", span)
            return None
        return tuple(given[n] for n in fields)

    def member(self, tag: str, span: Span, expected, payload: ast.Expr | None, ctx: Ctx | None = None,
               type_name: str | None = None) -> ir.E:
        t = self.member_type(tag, span, expected, type_name)
        if not isinstance(t, T.SumT):
            return t
        ptype = t.payload(tag)
        if ptype is None:
            if payload is not None:
                return self.error(codes.BAD_CALL, f"'{tag}' carries no value", span)
            return ir.Construct(t, tag, None, span)
        if payload is None:
            return self.error(codes.BAD_CALL, f"'{tag}' needs a value of type {ptype}", span,
                              hint=f"{tag}(...)")
        return ir.Construct(t, tag, self.check(payload, ptype, ctx), span)

    def e_Unary(self, e: ast.Unary, expected, ctx):
        if e.op == "not":
            return ir.Op(BOOL, "not", (self.check(e.operand, BOOL, ctx),), e.span)
        return ir.Op(INT, "neg", (self.int_operand(e.operand, ctx),), e.span)

    def int_operand(self, e: ast.Expr, ctx: Ctx) -> ir.E:
        got = self.infer(e, ctx)
        if isinstance(got.t, (T.IntT, ErrorT)):
            return got
        return self.error(codes.BAD_OPERAND, f"expected an integer, found {got.t}", e.span)

    def e_Binary(self, e: ast.Binary, expected, ctx):
        op = e.op
        if op in ("and", "or", "=>", "<=>"):
            name = {"and": "and", "or": "or", "=>": "implies", "<=>": "iff"}[op]
            return ir.Op(BOOL, name, (self.check(e.left, BOOL, ctx), self.check(e.right, BOOL, ctx)), e.span)
        if op in ("==", "!="):
            a, b = self.pair(e.left, e.right, ctx, e.span)
            return ir.Op(BOOL, "eq" if op == "==" else "ne", (a, b), e.span)
        if op in ("in", "notin"):
            s = self.infer(e.right, ctx)
            if isinstance(s.t, T.CidrT):
                node = ir.Op(BOOL, "in_cidr", (self.int_operand(e.left, ctx), s), e.span)
                return node if op == "in" else ir.Op(BOOL, "not", (node,), e.span)
            if isinstance(s.t, T.MapT):
                s = ir.Op(T.SetT(s.t.key), "keys", (s,), e.right.span)
            if not isinstance(s.t, (T.SetT, ErrorT)):
                return self.error(codes.BAD_OPERAND, f"'in' needs a set on its right, found {s.t}", e.right.span)
            elem_t = s.t.elem if isinstance(s.t, T.SetT) else None
            x = self.expr(e.left, elem_t, ctx)
            x = self.member_operand(x, elem_t, e.left.span)
            node = ir.Op(BOOL, "in", (x, s), e.span)
            return node if op == "in" else ir.Op(BOOL, "not", (node,), e.span)
        if op == "..":
            return self.range_set(e, ctx)
        if op in ("<", "<=", ">", ">="):
            expected = None     # the result is a bool; it says nothing of the operands' type
        a = self.expr(e.left, expected, ctx)
        if op in ("+", "-", "*", "/", "%", "<", "<=", ">", ">=") and isinstance(a.t, (T.IntT, ErrorT)):
            b = self.int_operand(e.right, ctx)
            name = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod",
                    "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[op]
            return ir.Op(BOOL if name in ("lt", "le", "gt", "ge") else INT, name, (a, b), e.span)
        if op in ("|", "&", "-", "<=", "<", ">=", ">") and isinstance(a.t, (T.SetT, T.EmptyT)):
            return self.set_op(op, a, e, expected, ctx)
        if op == "++" and isinstance(a.t, (T.SeqT, T.EmptyT)):
            b = self.expr(e.right, a.t if isinstance(a.t, T.SeqT) else expected, ctx)
            t = self.join(a.t, b.t, e.span)
            if isinstance(t, T.SeqT) and t.max is not None:
                t = T.SeqT(t.elem, None)
            return ir.Op(t, "concat", (self.coerce(a, t, e.left.span), self.coerce(b, t, e.right.span)), e.span)
        return self.error(codes.BAD_OPERAND, f"'{op}' is not defined for {a.t}", e.span)

    def member_operand(self, x: ir.E, elem_t, span) -> ir.E:
        """The left of `in`: ints may be of a wider range (then membership is false)."""
        if elem_t is None or isinstance(x.t, ErrorT) or x.t == elem_t:
            return x
        if isinstance(x.t, T.IntT) and isinstance(elem_t, T.IntT):
            return x
        return self.coerce(x, elem_t, span)

    def set_op(self, op: str, a: ir.E, e: ast.Binary, expected, ctx: Ctx) -> ir.E:
        b = self.expr(e.right, a.t if isinstance(a.t, T.SetT) else expected, ctx)
        t = self.join(a.t, b.t, e.span)
        if isinstance(t, ErrorT):
            return err(e.span)
        if isinstance(t, T.EmptyT):
            if expected is None:
                return self.error(codes.CANNOT_INFER, "the element type of this set is not known", e.span)
            t = expected
        a, b = self.coerce(a, t, e.left.span), self.coerce(b, t, e.right.span)
        if op in ("|", "&", "-"):
            return ir.Op(t, {"|": "union", "&": "inter", "-": "diff"}[op], (a, b), e.span)
        if op == "<=":
            return ir.Op(BOOL, "subseteq", (a, b), e.span)
        if op == ">=":
            return ir.Op(BOOL, "subseteq", (b, a), e.span)
        if op == "<":
            return ir.Op(BOOL, "and", (ir.Op(BOOL, "subseteq", (a, b)), ir.Op(BOOL, "ne", (a, b))), e.span)
        return ir.Op(BOOL, "and", (ir.Op(BOOL, "subseteq", (b, a)), ir.Op(BOOL, "ne", (a, b))), e.span)

    def range_set(self, e: ast.Binary, ctx: Ctx) -> ir.E:
        lo, hi = self.int_operand(e.left, ctx), self.int_operand(e.right, ctx)
        if _has_error(lo) or _has_error(hi):
            return err(e.span)
        if _is_closed(lo) and _is_closed(hi):
            a, b = self.evaluate(lo, e.left.span), self.evaluate(hi, e.right.span)
            if isinstance(a, int) and isinstance(b, int):
                if b < a:
                    return ir.Lit(T.SetT(INT), frozenset(), e.span)
                t = T.SetT(T.IntT(a, b))
                if T.finite(t):
                    return ir.TypeSet(t, e.span)
                if b - a + 1 > ENUM_LIMIT:
                    return self.error(codes.DOMAIN_TOO_LARGE, f"the set {a}..{b} has {b - a + 1:,} elements, "
                                      f"more than the {ENUM_LIMIT:,} a set value may have", e.span,
                                      hint="compare with lo <= x and x <= hi instead")
                return ir.Op(T.SetT(INT), "range", (lo, hi), e.span)
        return ir.Op(T.SetT(INT), "range", (lo, hi), e.span)

    def pair(self, left: ast.Expr, right: ast.Expr, ctx: Ctx, span: Span) -> tuple[ir.E, ir.E]:
        """Two operands that must have one type (==, !=): the one that fixes it goes first."""
        if self.needs_context(left) and not self.needs_context(right):
            b = self.infer(right, ctx)
            a = self.expr(left, b.t, ctx)
        else:
            a = self.infer(left, ctx)
            b = self.expr(right, a.t, ctx)
        t = self.join(a.t, b.t, span)
        if isinstance(t, T.EmptyT):
            return self.error(codes.CANNOT_INFER, "the type of these empty collections is not known", span), err()
        if isinstance(a.t, T.IntT) and isinstance(b.t, T.IntT):
            return a, b
        return self.coerce(a, t, left.span), self.coerce(b, t, right.span)

    def needs_context(self, e: ast.Expr) -> bool:
        if isinstance(e, (ast.EmptyBraces,)):
            return True
        if isinstance(e, ast.SeqLit) and not e.elems:
            return True
        if isinstance(e, ast.Name):
            return e.name == "none" or (len(self.d.members.get(e.name, ())) > 1
                                         and e.name not in self.d.consts and e.name not in self.var_index)
        return False

    def join(self, a: T.Type, b: T.Type, span: Span | None) -> T.Type:
        t = _join(a, b)
        if t is None:
            self.error(codes.TYPE_MISMATCH, f"{a} and {b} do not have a common type", span)
            return ERR_T
        return t

    def e_Quant(self, e: ast.Quant, expected, ctx):
        inner, binders = self.binders(e.binders, ctx)
        body = self.check(e.body, BOOL, inner)
        return ir.Quant(BOOL, e.kind, binders, body, e.span)

    def binders(self, binders: tuple[ast.Binder, ...], ctx: Ctx) -> tuple[Ctx, tuple[ir.Binder, ...]]:
        inner = dataclasses.replace(ctx, scope=ctx.scope.child())
        out = []
        for b in binders:
            dom = self.set_expr(b.domain, inner)
            if b.pattern is not None:
                out.append(self.pattern_binder(b, dom, inner))
                continue
            local = self.bind(inner.scope, b.name, _elem(dom.t), b.span)
            out.append(ir.Binder(local.name, dom))
        return inner, tuple(out)

    def pattern_binder(self, b: ast.Binder, dom: ir.E, ctx: Ctx) -> ir.Binder:
        """`Tag(x, y) in S`: ranges over the elements of S that are a Tag (a filtered set,
        so a later binder's range may use x and y), binding x and y to their values."""
        elem = _elem(dom.t)
        h = self.bind(ctx.scope, self.fresh("elem"), elem, b.span, shadow_ok=True)
        if not isinstance(elem, T.SumT):
            if not isinstance(elem, ErrorT):
                self.error(codes.BAD_OPERAND, f"a pattern needs a set of a sum type, found {dom.t}", b.domain.span)
            self.bind_unknown(ctx.scope, b.pattern, b.span)
            return ir.Binder(h.name, dom)
        if not self.known_tag(elem, b.name, b.span):
            self.bind_unknown(ctx.scope, b.pattern, b.span)
            return ir.Binder(h.name, dom)
        x = ir.Local(elem, self.fresh("x"), b.span)
        filtered = ir.Comp(dom.t, (ir.Binder(x.name, dom),), self.has_tag(elem, b.name, x, b.span), None, x, b.span)
        part = h if elem.payload(b.name) is None else self.payload_of(elem, b.name, h, b.span)
        self.bind_pattern(ctx.scope, elem, b.name, b.pattern, part, b.span)
        return ir.Binder(h.name, filtered)

    def e_LetExpr(self, e: ast.LetExpr, expected, ctx):
        value = self.infer(e.value, ctx)
        inner = dataclasses.replace(ctx, scope=ctx.scope.child())
        local = self.bind(inner.scope, e.name, value.t, e.span)
        body = self.expr(e.body, expected, inner)
        return ir.LetE(body.t, local.name, value, body, e.span)

    def e_IfExpr(self, e: ast.IfExpr, expected, ctx):
        cond = self.check(e.cond, BOOL, ctx)
        a = self.expr(e.then, expected, ctx)
        b = self.expr(e.else_, expected if expected is not None else a.t, ctx)
        t = self.join(a.t, b.t, e.span)
        if isinstance(a.t, T.IntT) and isinstance(b.t, T.IntT):
            t = _join(a.t, b.t)
            return ir.Ite(t, cond, a, b, e.span)
        return ir.Ite(t, cond, self.coerce(a, t, e.then.span), self.coerce(b, t, e.else_.span), e.span)

    def e_Index(self, e: ast.Index, expected, ctx):
        base = self.infer(e.base, ctx)
        if isinstance(base.t, T.MapT):
            key = self.expr(e.key, base.t.key, ctx)
            key = self.member_operand(key, base.t.key, e.key.span)
            return ir.Index(base.t.value, base, key, e.span)
        if isinstance(base.t, T.SeqT):
            return ir.Index(base.t.elem, base, self.int_operand(e.key, ctx), e.span)
        if isinstance(base.t, ErrorT):
            return err(e.span)
        return self.error(codes.BAD_OPERAND, f"cannot index a value of type {base.t}", e.span)

    def e_Field(self, e: ast.Field, expected, ctx):
        if isinstance(e.base, ast.Name) and ctx.scope.lookup(e.base.name) is None:
            qualified = self.qualified(e.base.name, e.name, e.span, expected, ctx)
            if qualified is not None:
                return qualified
        base = self.infer(e.base, ctx)
        if isinstance(base.t, T.RecordT):
            ft = base.t.field_type(e.name)
            if ft is None:
                return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no field '{e.name}'", e.span,
                                  hint=_suggest(e.name, [n for n, _ in base.t.fields]))
            return ir.FieldGet(ft, base, e.name, e.span)
        if isinstance(base.t, ErrorT):
            return err(e.span)
        return self.error(codes.NO_SUCH_FIELD, f"a value of type {base.t} has no field '{e.name}'", e.span)

    def qualified(self, left: str, right: str, span: Span, expected, ctx: Ctx) -> ir.E | None:
        """`Type.member` and `Process.pc` / `Process.local`."""
        if left in self.d.types and left not in self.d.consts and left not in self.var_index:
            t = self.named_type(left, span)
            if isinstance(t, T.SumT):
                if right not in [a for a, _ in t.alts]:
                    return self.error(codes.NO_SUCH_FIELD, f"type {left} has no member '{right}'", span)
                return self.member(right, span, expected, None, ctx, type_name=left)
        if left in self.process_vars:
            pv = self.process_vars[left]
            labels = self.labels[left].labels
            if right not in pv and right in labels:   # a label as a value: `Worker.start`
                return ir.Lit(self.labels[left], labels.index(right), span)
            if right not in pv:
                return self.error(codes.NO_SUCH_FIELD, f"process {left} has no local '{right}'", span,
                                  hint=_suggest(right, pv))
            if not ctx.state:
                return self.error(codes.STATE_IN_CONSTANT, f"'{left}.{right}' is state and cannot be read here", span)
            return ir.VarRef(self.vars[pv[right]].t, pv[right], origin=span)
        return None

    def e_Prime(self, e: ast.Prime, expected, ctx):
        if not ctx.prime:
            return self.error(codes.PRIME_OUTSIDE_ACTION_PROPERTY, "x' (the next value) is only allowed in action properties",
                              e.span)
        if isinstance(e.operand, ast.Prime):
            return self.error(codes.PRIME_OUTSIDE_ACTION_PROPERTY,
                              "x'' (the next value of a next value): an action property sees two states only",
                              e.span)
        # the operand is read in the next state: a prime inside it would be a third state
        inner = self.infer(e.operand, Ctx(ctx.scope, ctx.state, False, ctx.process))
        return _prime(inner)

    def e_With(self, e: ast.With, expected, ctx):
        base = self.expr(e.base, expected, ctx)
        entries = []
        if isinstance(base.t, T.RecordT):
            for ent in e.entries:
                if not isinstance(ent.key, ast.Name) or base.t.field_type(ent.key.name) is None:
                    return self.error(codes.NO_SUCH_FIELD, f"{base.t} has no field '{ent.key.span.text()}'", ent.key.span)
                entries.append((ent.key.name, self.check(ent.value, base.t.field_type(ent.key.name), ctx)))
            return ir.Update(base.t, base, tuple(entries), e.span)
        if isinstance(base.t, T.MapT):
            for ent in e.entries:
                entries.append((self.check(ent.key, base.t.key, ctx), self.check(ent.value, base.t.value, ctx)))
            return ir.Update(base.t, base, tuple(entries), e.span)
        if isinstance(base.t, T.SeqT):
            for ent in e.entries:
                entries.append((self.int_operand(ent.key, ctx), self.check(ent.value, base.t.elem, ctx)))
            return ir.Update(base.t, base, tuple(entries), e.span)
        if isinstance(base.t, ErrorT):
            return err(e.span)
        return self.error(codes.BAD_OPERAND, f"`with` needs a record, map or sequence, found {base.t}", e.span)

    def e_EmptyBraces(self, e, expected, ctx):
        if isinstance(expected, (T.SetT, T.MapT)):
            return _empty_value(expected, e.span)
        return ir.Lit(T.EmptyT(), None, e.span)

    def e_SetLit(self, e: ast.SetLit, expected, ctx):
        want = expected.elem if isinstance(expected, T.SetT) else None
        elems = [self.expr(x, want, ctx) for x in e.elems]
        t = want
        if t is None:
            t = elems[0].t
            for x, src in zip(elems[1:], e.elems[1:]):
                t = self.join(t, x.t, src.span)
        return ir.Collection(T.SetT(t), tuple(self.coerce(x, t, src.span) for x, src in zip(elems, e.elems)),
                             e.span)

    def e_MapLit(self, e: ast.MapLit, expected, ctx):
        if isinstance(expected, T.MapT):
            kt, vt = expected.key, expected.value
        else:
            k0, v0 = self.infer(e.entries[0].key, ctx), self.infer(e.entries[0].value, ctx)
            kt, vt = k0.t, v0.t
        items = tuple((self.check(x.key, kt, ctx), self.check(x.value, vt, ctx)) for x in e.entries)
        t = expected if isinstance(expected, T.MapT) else T.MapT(kt, vt)
        return ir.Collection(t, items, e.span)

    def e_SeqLit(self, e: ast.SeqLit, expected, ctx):
        if not e.elems:
            if isinstance(expected, T.SeqT):
                return _empty_value(expected, e.span)
            return ir.Lit(T.EmptyT(), None, e.span)
        want = expected.elem if isinstance(expected, T.SeqT) else None
        elems = [self.expr(x, want, ctx) for x in e.elems]
        t = want
        if t is None:
            t = elems[0].t
            for x, src in zip(elems[1:], e.elems[1:]):
                t = self.join(t, x.t, src.span)
        st = expected if isinstance(expected, T.SeqT) else T.SeqT(t, None)
        return ir.Collection(st, tuple(self.coerce(x, t, s.span) for x, s in zip(elems, e.elems)), e.span)

    def e_SetComp(self, e: ast.SetComp, expected, ctx):
        inner, binders = self.binders(e.binders, ctx)
        cond = None if e.cond is None else self.check(e.cond, BOOL, inner)
        want = expected.elem if isinstance(expected, T.SetT) else None
        elem = self.expr(e.elem, want, inner)
        t = want or elem.t
        return ir.Comp(T.SetT(t), binders, cond, None, self.coerce(elem, t, e.elem.span), e.span)

    def e_MapComp(self, e: ast.MapComp, expected, ctx):
        inner, binders = self.binders(e.binders, ctx)
        cond = None if e.cond is None else self.check(e.cond, BOOL, inner)
        kt = expected.key if isinstance(expected, T.MapT) else None
        vt = expected.value if isinstance(expected, T.MapT) else None
        key = self.expr(e.key, kt, inner)
        value = self.expr(e.value, vt, inner)
        kt, vt = kt or key.t, vt or value.t
        total = isinstance(expected, T.MapT) and expected.total
        t = T.MapT(kt, vt, total)
        return ir.Comp(t, binders, cond, self.coerce(key, kt, e.key.span), self.coerce(value, vt, e.value.span),
                       e.span)

    def e_Match(self, e: ast.Match, expected, ctx):
        subject = self.infer(e.subject, ctx)
        if not self.sum_subject(subject, e.subject.span):
            return err(e.span)
        arms, t = [], expected
        for arm in e.arms:
            inner = dataclasses.replace(ctx, scope=ctx.scope.child())
            bind = None
            if arm.tag is not None:
                if not self.known_tag(subject.t, arm.tag, arm.span):
                    continue
                ptype = subject.t.payload(arm.tag)
                single = (subject.t.name, arm.tag) not in self.alt_records
                if arm.binds and ptype is not None and single and arm.binds[0] is not None and len(arm.binds) == 1:
                    bind = self.bind(inner.scope, arm.binds[0], ptype, arm.span).name
                elif arm.binds and ptype is not None:
                    payload = self.bind(inner.scope, self.fresh("payload"), ptype, arm.span, shadow_ok=True)
                    bind = payload.name
                    if not self.bind_pattern(inner.scope, subject.t, arm.tag, arm.binds, payload, arm.span):
                        continue
                elif arm.binds:
                    self.error(codes.BAD_CALL, f"'{arm.tag}' carries no value to bind", arm.span)
                    continue
            body = self.expr(arm.body, t, inner)
            t = body.t if t is None else self.join(t, body.t, arm.span)
            arms.append((arm, ir.MatchArm(arm.tag, bind, body)))
        self.check_coverage(subject.t, [a.tag for a, _ in arms], e.span)
        out = tuple(ir.MatchArm(m.tag, m.bind, self.coerce(m.body, t, a.body.span)) for a, m in arms)
        return ir.MatchE(t or ERR_T, subject, out, e.span)

    # ------------------------------------------------------------ patterns
    def sum_subject(self, subject: ir.E, span: Span | None) -> bool:
        if isinstance(subject.t, T.SumT):
            return True
        if not isinstance(subject.t, ErrorT):
            self.error(codes.BAD_OPERAND, f"a pattern needs a value of a sum type, found {subject.t}", span)
        return False

    def known_tag(self, t: T.SumT, tag: str, span: Span | None) -> bool:
        if tag in [a for a, _ in t.alts]:
            return True
        self.error(codes.NO_SUCH_FIELD, f"{t} has no member '{tag}'", span,
                   hint=_suggest(tag, [a for a, _ in t.alts]))
        return False

    def check_coverage(self, t: T.SumT, tags: list[str | None], span: Span | None) -> None:
        if None not in tags and not all(tag in tags for tag, _ in t.alts):
            missing = [tag for tag, _ in t.alts if tag not in tags]
            self.error(codes.BAD_OPERAND, f"`match` does not cover {', '.join(missing)}", span,
                       hint="add the missing arms or `_ => ...`")

    def bind_pattern(self, scope: Scope, t: T.SumT, tag: str, binds: tuple[str | None, ...],
                     payload: ir.E, span: Span | None) -> bool:
        """Bind the names of the pattern `tag(binds...)` in `scope` to the parts of `payload`
        (an immutable local holding the alternative's value): the value itself, or each
        value of an alternative of several. False (with a diagnostic) on a mismatch."""
        ptype = t.payload(tag)
        if ptype is None:
            if binds:
                self.error(codes.BAD_CALL, f"'{tag}' carries no value to bind", span)
                self.bind_unknown(scope, binds, span)
                return False
            return True
        rt = self.alt_records.get((t.name, tag))
        parts = [payload] if rt is None else [ir.FieldGet(ft, payload, n, span) for n, ft in rt.fields]
        if binds and len(binds) != len(parts):
            self.error(codes.BAD_CALL, f"'{tag}' carries {len(parts)} value{'s' if len(parts) != 1 else ''}, "
                       f"the pattern names {len(binds)}", span,
                       hint=f"{tag}({', '.join(['_'] * len(parts))}): `_` for a value not needed")
            self.bind_unknown(scope, binds, span)
            return False
        for name, part in zip(binds, parts):
            if name is not None:
                self.check_shadowing(name, span)
                scope.names[name] = Binding("alias", part)
        return True

    def bind_unknown(self, scope: Scope, binds: tuple[str | None, ...], span: Span | None) -> None:
        """A pattern that could not be matched up still binds its names (to an error value),
        so that their uses do not each report an undefined name."""
        for name in binds:
            if name is not None:
                scope.names[name] = Binding("alias", err(span))

    def payload_of(self, t: T.SumT, tag: str, subject: ir.E, span: Span | None) -> ir.E:
        """The value the alternative `tag` carries, read from `subject` (which has that tag
        wherever this is evaluated)."""
        ptype = t.payload(tag)
        h = self.fresh("payload")
        return ir.MatchE(ptype, subject, (ir.MatchArm(tag, h, ir.Local(ptype, h, span)),), span)

    def has_tag(self, t: T.SumT, tag: str, subject: ir.E, span: Span | None) -> ir.E:
        return ir.MatchE(BOOL, subject, (ir.MatchArm(tag, None, ir.Lit(BOOL, True, span)),
                                         ir.MatchArm(None, None, ir.Lit(BOOL, False, span))), span)

    # ------------------------------------------------------------ calls
    def e_Call(self, e: ast.Call, expected, ctx):
        if not isinstance(e.func, ast.Name) or ctx.scope.lookup(e.func.name) is not None:
            hides = isinstance(e.func, ast.Name) and e.func.name == "old"
            return self.error(codes.BAD_CALL, "only definitions, built-ins, constructors and record types can be called",
                              e.func.span, hint="a bound name 'old' hides the built-in old(...): rename it"
                              if hides else None)
        name = e.func.name
        if name in BUILTIN_CALLS:
            return BUILTIN_CALLS[name](self, e, expected, ctx)
        if name in self.d.members:
            return self.member_call(name, e, expected, ctx)
        if name in self.d.types:
            return self.record_value(name, e, ctx)
        if name in self.d.defs:
            return self.call_def(name, e.args, e.span, ctx)
        if name in self.d.consts or name in self.d.vars:
            what = "a constant" if name in self.d.consts else "a state variable"
            return self.error(codes.BAD_CALL, f"'{name}' is {what} and cannot be called", e.func.span,
                              hint="index a map or sequence with [key]")
        if name in NET_CALLS:
            return NET_CALLS[name](self, e, expected, ctx)
        if name == "powerset":
            return self.powerset(e, ctx)
        if name == "old":
            return self.old(e, expected, ctx)
        return self.error(codes.UNDEFINED_NAME, f"'{name}' is not defined", e.func.span,
                          hint=_undefined_hint(name, list(self.d.defs) + list(BUILTIN_CALLS)))

    def powerset(self, e: ast.Call, ctx: Ctx) -> ir.E:
        """`powerset(S)`: every subset of S (TLA+'s SUBSET S), a set of sets: 2**len(S) of
        them, computed when evaluated."""
        if len(e.args) != 1 or e.args[0].name is not None:
            return self.error(codes.BAD_CALL, "powerset takes one set: powerset(S)", e.span)
        s = self.set_expr(e.args[0].value, ctx)
        if isinstance(s.t, ErrorT):
            return s
        return ir.Op(T.SetT(T.SetT(s.t.elem)), "powerset", (s,), e.span)

    def old(self, e: ast.Call, expected, ctx: Ctx) -> ir.E:
        """`old(e)`: e in the state the step started from, before its own assignments
        (docs/language.md, ADR 0040). Only in the statements of an action, a process step or
        a macro they call."""
        if len(e.args) != 1 or e.args[0].name is not None:
            return self.error(codes.BAD_CALL, "old takes one expression: old(x)", e.span)
        if not ctx.step:
            return self.error(codes.OLD_OUTSIDE_STEP, "old(...) is only allowed in the statements of an action "
                              "or a process step (the value at the start of the step)", e.span,
                              hint="in an action property, `x` is the value before the step and `x'` after")
        x = self.expr(e.args[0].value, expected, ctx)
        return ir.Op(x.t, "old", (x,), e.span)

    def record_value(self, name: str, e: ast.Call, ctx: Ctx) -> ir.E:
        t = self.named_type(name, e.span)
        if not isinstance(t, T.RecordT):
            return self.error(codes.BAD_CALL, f"type {name} is not a record type", e.span)
        for a in e.args:
            if a.name is None:
                return self.error(codes.BAD_CALL, f"fields of {name} are given by name: {name}(field: value, ...)",
                                  a.span)
        decl = self.d.types[name].rhs
        given = {a.name for a in e.args}
        # a field's default: a constant expression, evaluated where the type is declared
        defaults = {n: self.check(d, t.field_type(n), Ctx(Scope(), state=False))
                    for n, d in (decl.defaults if isinstance(decl, ast.RecordType) else ()) if n not in given}
        values = self.field_args(name, f"{name}(...)", t, e.args, e.span, ctx, positional=False, prefilled=defaults)
        return err(e.span) if values is None else self.record(t, values, e.span)

    def record(self, t: T.RecordT, values: tuple[ir.E, ...], span: Span) -> ir.E:
        """A record value; its fields must have finite types (records are stored packed)."""
        for n, ft in t.fields:
            if not isinstance(ft, ErrorT) and not _contains_error(ft) and not T.finite(ft):
                shown = f"the value at position {n[1:]}" if n.startswith("#") else f"field '{n}'"
                return self.error(codes.UNBOUNDED_STATE, f"{shown} of this record has type {ft}, which is not finite",
                                  span, hint="records hold finite values: give the field a range (lo..hi) in "
                                             "its type, or use the value where its record type is expected")
        return ir.Collection(t, values, span)

    def e_RecordLit(self, e: ast.RecordLit, expected, ctx):
        """`(a: 1, b: true)`: a value of the anonymous record type {a: ..., b: ...}; where the
        context expects a record with these fields, their types are the expected ones."""
        names = [n for n, _ in e.fields]
        for i, n in enumerate(names):
            if n in names[:i]:
                return self.error(codes.BAD_CALL, f"the record gives '{n}' twice", e.span)
        if isinstance(expected, T.RecordT) and sorted(names) == sorted(n for n, _ in expected.fields):
            values = {n: self.check(v, expected.field_type(n), ctx) for n, v in e.fields}
            return self.record(expected, tuple(values[n] for n, _ in expected.fields), e.span)
        values = {n: _literal_range(self.infer(v, ctx)) for n, v in e.fields}
        t = T.RecordT(tuple((n, values[n].t) for n in names))
        return self.record(t, tuple(values[n] for n in names), e.span)

    def call_def(self, name: str, args: tuple[ast.Arg, ...], span: Span, ctx: Ctx) -> ir.E:
        d = self.def_ir(name, span)
        if d is None:
            return err(span)
        if len(args) != len(d.params):
            return self.error(codes.BAD_CALL, f"'{name}' takes {len(d.params)} argument(s), given {len(args)}", span)
        values = tuple(self.check(a.value, pt, ctx) for a, (_, pt) in zip(args, d.params))
        if not ctx.state and _def_reads_state(d, self.defs):
            return self.error(codes.STATE_IN_CONSTANT, f"'{name}' reads state and cannot be used here", span)
        return ir.CallDef(d.t, self.def_index[name], values, span)

    def def_ir(self, name: str, span: Span) -> ir.DefIR | None:
        if name in self.def_index:
            return self.defs[self.def_index[name]]
        decl = self.d.defs[name]
        if name in self.in_progress:
            self.error(codes.RECURSIVE_DEFINITION, f"definition '{name}' refers to itself", span,
                       hint="definitions may not be recursive; use a quantifier or comprehension")
            return None
        self.in_progress.add(name)
        try:
            ctx = Ctx(Scope(), prime=False)
            params = []
            for p in decl.params or ():
                if p.type is None:
                    self.error(codes.TYPE_MISMATCH, f"parameter '{p.name}' of a definition needs a type", p.span,
                               hint=f"{p.name}: Type")
                    return None
                t = self.resolve_type(p.type)
                # a definition's parameters may reuse global names: its body's scope is its own
                params.append((self.bind(ctx.scope, p.name, t, p.span, shadow_ok=True).name, t))
            ret = None if decl.ret is None else self.resolve_type(decl.ret)
            body = self.check(decl.body, ret, ctx) if ret is not None else self.infer(decl.body, ctx)
        finally:
            self.in_progress.discard(name)
        d = ir.DefIR(name, tuple(params), body, ret or body.t, decl.span)
        self.def_index[name] = len(self.defs)
        self.defs.append(d)
        return d

    # ------------------------------------------------------------ addresses and choose-where (docs/solver.md)
    def e_IpLit(self, e: ast.IpLit, expected, ctx):
        v = _parse_ip(e.text)
        if v is None:
            return self.error(codes.BAD_ADDRESS, f"'{e.text}' is not an IPv4 address", e.span,
                              hint="four numbers 0..255 separated by dots")
        return ir.Lit(T.IpT(), v, e.span)

    def e_CidrLit(self, e: ast.CidrLit, expected, ctx):
        addr, _, plen = e.text.partition("/")
        a = _parse_ip(addr)
        if a is None or int(plen) > 32:
            return self.error(codes.BAD_ADDRESS, f"'{e.text}' is not a CIDR block", e.span,
                              hint="an address and a prefix length 0..32: 10.16.0.0/16")
        p = int(plen)
        network = a & ~((1 << (32 - p)) - 1)
        if network != a:
            return self.error(codes.BAD_ADDRESS, f"'{e.text}' has host bits set", e.span,
                              hint=f"the block is {T.Addr(network)}/{p}")
        return ir.Lit(T.CidrT(), network | (p << 32), e.span)

    def bounded_set_type(self, te: ast.BoundedSetType) -> T.Type:
        """`set[T, N]`. The bound matters only for element types too large for a bitmask;
        a set of a small type is a bitmask, bounded by its type already."""
        elem = self.resolve_type(te.elem)
        n = self.const_int(te.max)
        if n is None or isinstance(elem, ErrorT):
            return ERR_T
        if n < 0:
            self.error(codes.BAD_RANGE, f"a set cannot hold at most {n} elements", te.max.span)
            return ERR_T
        if T.finite(elem) and T.size(elem) <= T.MAX_ELEMENTS:
            return T.SetT(elem)
        return T.SetT(elem, n)

    def choose_where(self, s: ast.ChooseWhere, ctx: Ctx) -> list[ir.S]:
        """`choose [least] x: T where C`: ChooseS over the solutions of C (ir.Solve)."""
        t = self.resolve_type(s.type)
        if not isinstance(t, ErrorT) and not _contains_error(t) and not T.finite(t):
            self.error(codes.DOMAIN_TOO_LARGE, f"'{s.name}' ranges over {t}, which is not finite", s.type.span,
                       hint="give the type a bound: a range lo..hi, ip, cidr, a record of them")
            t = ERR_T
        local = self.bind(ctx.scope, s.name, t, s.span)
        cond = self.check(s.cond, BOOL, ctx)
        node = ir.Solve(T.SetT(t), local.name, cond, s.least, s.span)
        if not isinstance(t, ErrorT) and not _has_error(cond):
            self.check_solvable(node, s.type.span)
        return [ir.ChooseS(local.name, node, s.span)]

    def check_solvable(self, node: ir.Solve, type_span: Span | None) -> None:
        """KOV308: a constraint over too many values to enumerate must be one the solver
        encodes; every unsupported form is reported where it is written."""
        from checker.ir.solve_plan import enumerable, plan, solvable_type
        from checker.ir.solve_support import unsupported
        elem = node.t.elem
        if enumerable(elem):
            return
        if not solvable_type(elem):
            self.error(codes.UNSUPPORTED_CONSTRAINT, f"{elem} has {T.size(elem):,} values, too many to enumerate, "
                       f"and the solver chooses only integers, addresses and CIDR blocks", type_span,
                       hint="choose the parts separately, or use a smaller type")
            return
        for where, why in unsupported(plan(node, self.defs, 0)):
            self.error(codes.UNSUPPORTED_CONSTRAINT, f"the solver cannot encode this: {why}",
                       where or node.origin,
                       hint=f"{elem} has {T.size(elem):,} values, too many to enumerate; rewrite this part "
                            "with comparisons, arithmetic, membership and quantifiers over known sets")

    def solve_large_params(self, params: tuple[ir.ParamIR, ...], body: tuple[ir.S, ...]) -> tuple[ir.ParamIR, ...]:
        """A typed parameter with too many values to enumerate (`a: ip`) is picked by the
        solver from the action's leading `require`s that mention it: its domain becomes
        ir.Solve over their conjunction (the requires stay in the body)."""
        from checker.ir.solve_plan import enumerable, free_locals
        guards = []
        for s in body:
            if not isinstance(s, ir.Require):
                break
            guards.extend(_conjuncts(s.cond))
        out = []
        for i, p in enumerate(params):
            if not (isinstance(p.domain, ir.TypeSet) and T.finite(p.t) and not enumerable(p.t)):
                out.append(p)
                continue
            known = {q.name for q in params[:i + 1]}
            mine = [g for g in guards if p.name in free_locals(g) and free_locals(g) <= known]
            if not mine:
                self.error(codes.DOMAIN_TOO_LARGE, f"parameter '{p.display}' ranges over {p.t} "
                           f"({T.size(p.t):,} values), too many to enumerate", p.domain.origin,
                           hint=f"constrain it with `require` at the start of the action (the solver then "
                                f"picks its values), or write `choose {p.display}: {p.t} where ...`")
                out.append(p)
                continue
            cond = mine[0]
            for g in mine[1:]:
                cond = ir.Op(BOOL, "and", (cond, g), g.origin)
            node = ir.Solve(p.domain.t, p.name, cond, False, p.domain.origin)
            self.check_solvable(node, p.domain.origin)
            out.append(ir.ParamIR(p.name, p.display, p.t, node))
        return tuple(out)


# ---------------------------------------------------------------- built-in calls

def _args(el: Elaborator, e: ast.Call, n: int | tuple[int, ...]) -> bool:
    counts = (n,) if isinstance(n, int) else n
    if len(e.args) not in counts or any(a.name is not None for a in e.args):
        el.error(codes.BAD_CALL, f"{e.func.name}() takes {' or '.join(map(str, counts))} argument(s)", e.span)
        return False
    return True


def _b_len(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, (T.SetT, T.SeqT, T.MapT)):
        return ir.Op(INT, "len", (x,), e.span)
    if isinstance(x.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"len() needs a set, sequence or map, found {x.t}", e.args[0].span)


def _b_minmax(el, e, expected, ctx):
    name = e.func.name
    if len(e.args) >= 2:
        xs = tuple(el.int_operand(a.value, ctx) for a in e.args)
        return ir.Op(INT, name + "2", xs, e.span)
    if not _args(el, e, (1, 2)):
        return err(e.span)
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, (T.SetT, T.SeqT)) and isinstance(_elem_any(x.t), T.IntT):
        return ir.Op(_elem_any(x.t), name, (x,), e.span)
    if isinstance(x.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"{name}() needs integers or a set or sequence of integers, found {x.t}",
                    e.args[0].span)


def _b_abs(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    return ir.Op(INT, "abs", (el.int_operand(e.args[0].value, ctx),), e.span)


def _b_some(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    want = expected.elem if isinstance(expected, T.OptT) else None
    x = el.expr(e.args[0].value, want, ctx)
    t = want or x.t
    return ir.Op(T.OptT(t), "some", (el.coerce(x, t, e.args[0].span),), e.span)


def _typed_arg(el, e, ctx, kind: type, what: str):
    """The single argument of a builtin that needs a value of type `kind` (else KOV2xx,
    unless the argument already had an error), or None."""
    if not _args(el, e, 1):
        return None
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, kind):
        return x
    if not isinstance(x.t, ErrorT):
        el.error(codes.BAD_OPERAND, f"{e.func.name}() needs {what}, found {x.t}", e.args[0].span)
    return None


def _opt_arg(el, e, ctx):
    return _typed_arg(el, e, ctx, T.OptT, "an option")


def _b_is_some(el, e, expected, ctx):
    x = _opt_arg(el, e, ctx)
    return err(e.span) if x is None else ir.Op(BOOL, "is_some", (x,), e.span)


def _b_is_none(el, e, expected, ctx):
    x = _opt_arg(el, e, ctx)
    return err(e.span) if x is None else ir.Op(BOOL, "not", (ir.Op(BOOL, "is_some", (x,)),), e.span)


def _b_get(el, e, expected, ctx):
    x = _opt_arg(el, e, ctx)
    return err(e.span) if x is None else ir.Op(x.t.elem, "get", (x,), e.span)


def _b_keys(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, T.MapT):
        return ir.Op(T.SetT(x.t.key), "keys", (x,), e.span)
    if isinstance(x.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"keys() needs a map, found {x.t}", e.args[0].span)


def _seq_arg(el, e, ctx, n):
    if not _args(el, e, n):
        return None
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, T.SeqT):
        return x
    if not isinstance(x.t, ErrorT):
        el.error(codes.BAD_OPERAND, f"{e.func.name}() needs a sequence, found {x.t}", e.args[0].span)
    return None


def _b_append(el, e, expected, ctx):
    s = _seq_arg(el, e, ctx, 2)
    if s is None:
        return err(e.span)
    x = el.check(e.args[1].value, s.t.elem, ctx)
    return ir.Op(s.t, "append", (s, x), e.span)


def _b_seq1(op):
    def build(el, e, expected, ctx):
        s = _seq_arg(el, e, ctx, 1)
        if s is None:
            return err(e.span)
        return ir.Op(s.t if op == "tail" else s.t.elem, op, (s,), e.span)
    return build


def _b_remove(el, e, expected, ctx):
    if not _args(el, e, 2):
        return err(e.span)
    m = el.infer(e.args[0].value, ctx)
    if isinstance(m.t, T.MapT) and not m.t.total:
        return ir.Op(m.t, "remove", (m, el.check(e.args[1].value, m.t.key, ctx)), e.span)
    if isinstance(m.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"remove() needs a partial map (map[K, V]), found {m.t}", e.args[0].span,
                    hint="a total function K -> V has a value at every key")


BUILTIN_CALLS = {
    "len": _b_len, "min": _b_minmax, "max": _b_minmax, "abs": _b_abs, "some": _b_some,
    "is_some": _b_is_some, "is_none": _b_is_none, "get": _b_get, "keys": _b_keys,
    "append": _b_append, "remove": _b_remove, "head": _b_seq1("head"), "tail": _b_seq1("tail"), "last": _b_seq1("last"),
}


# ---------------------------------------------------------------- helpers

class _EvalFailure(Exception):
    """Raised by a ConstEval when a constant expression fails to evaluate."""


EvalFailure = _EvalFailure


@dataclass(frozen=True)
class _LocalKey:
    local: ir.Local


def _elem(t: T.Type) -> T.Type:
    return t.elem if isinstance(t, T.SetT) else ERR_T


def _elem_any(t: T.Type) -> T.Type:
    return t.elem if isinstance(t, (T.SetT, T.SeqT)) else ERR_T


def _join(a: T.Type, b: T.Type) -> T.Type | None:
    if a == b:
        return a
    if isinstance(a, ErrorT) or isinstance(b, ErrorT):
        return ERR_T
    if isinstance(a, T.EmptyT):
        return b
    if isinstance(b, T.EmptyT):
        return a
    if isinstance(a, T.IntT) and isinstance(b, T.IntT):
        if a.bounded and b.bounded:
            return T.IntT(min(a.lo, b.lo), max(a.hi, b.hi))
        return INT
    if type(a) is not type(b):
        return None
    if isinstance(a, T.SetT):
        e = _join(a.elem, b.elem)
        return None if e is None else T.SetT(e)
    if isinstance(a, T.OptT):
        e = _join(a.elem, b.elem)
        return None if e is None else T.OptT(e)
    if isinstance(a, T.SeqT):
        e = _join(a.elem, b.elem)
        if e is None:
            return None
        m = None if a.max is None or b.max is None else max(a.max, b.max)
        return T.SeqT(e, m)
    if isinstance(a, T.MapT):
        if a.key != b.key:
            return None
        v = _join(a.value, b.value)
        return None if v is None else T.MapT(a.key, v, a.total and b.total)
    if isinstance(a, T.RecordT):
        if [n for n, _ in a.fields] != [n for n, _ in b.fields]:
            return None
        fs = [(n, _join(x, y)) for (n, x), (_, y) in zip(a.fields, b.fields)]
        if any(f is None for _, f in fs):
            return None
        return T.RecordT(tuple(fs), a.name or b.name)
    return None


def _called_from(node, call: tuple[str, Span]):
    """An IR node of an inlined macro, its origin marked with the call (Span.via)."""
    origin = getattr(node, "origin", None)
    if isinstance(origin, Span):
        return dataclasses.replace(node, origin=origin.called_from(*call))
    return node


def _literal_range(e: ir.E) -> ir.E:
    """An integer literal as the one-value range it is (`(n: 1)` is a finite record)."""
    if isinstance(e, ir.Lit) and isinstance(e.t, T.IntT) and not e.t.bounded and isinstance(e.value, int):
        return ir.Lit(T.IntT(e.value, e.value), e.value, e.origin)
    return e


def _assignable(src: T.Type, dst: T.Type) -> bool:
    if src == dst or isinstance(src, ErrorT) or isinstance(dst, ErrorT):
        return True
    if isinstance(src, T.EmptyT):
        return isinstance(dst, (T.SetT, T.MapT, T.SeqT))
    if isinstance(src, T.IntT) and isinstance(dst, T.IntT):
        return True
    if type(src) is not type(dst):
        return False
    if isinstance(src, (T.SetT, T.OptT)):
        return isinstance(src.elem, T.EmptyT) or _assignable(src.elem, dst.elem)
    if isinstance(src, T.SeqT):
        return _assignable(src.elem, dst.elem)
    if isinstance(src, T.MapT):
        return _assignable(src.key, dst.key) and _assignable(src.value, dst.value) and \
            (src.total or not dst.total or True)
    if isinstance(src, T.RecordT):
        return [n for n, _ in src.fields] == [n for n, _ in dst.fields] and \
            all(_assignable(x, y) for (_, x), (_, y) in zip(src.fields, dst.fields))
    return False


def _empty_value(t: T.Type, span) -> ir.E:
    if isinstance(t, T.SetT):
        return ir.Lit(t, 0 if T.is_bitset(t) else frozenset(), span)
    if isinstance(t, T.SeqT):
        return ir.Lit(t, 0 if T.finite(t) else (), span)
    if isinstance(t, T.MapT):
        return ir.Collection(t, (), span)
    return ir.Lit(t, None, span)


def _has_error(e: ir.E) -> bool:
    from checker.ir.walk import walk
    return any(isinstance(getattr(n, "t", None), ErrorT) for n in walk(e))


def _contains_error(t: T.Type) -> bool:
    if isinstance(t, ErrorT):
        return True
    for attr in ("elem", "key", "value"):
        inner = getattr(t, attr, None)
        if isinstance(inner, T.Type) and _contains_error(inner):
            return True
    if isinstance(t, T.RecordT):
        return any(_contains_error(f) for _, f in t.fields)
    if isinstance(t, T.SumT):
        return any(p is not None and _contains_error(p) for _, p in t.alts)
    return False


def _const_names(e: ast.Expr, consts: dict) -> list[str]:
    """The constants an expression names, each once, in the order written."""
    out: list[str] = []

    def visit(node) -> None:
        if isinstance(node, ast.Name) and node.name in consts and node.name not in out:
            out.append(node.name)
        if dataclasses.is_dataclass(node):
            for f in dataclasses.fields(node):
                if f.name != "span":
                    visit(getattr(node, f.name))
        elif isinstance(node, tuple):
            for x in node:
                visit(x)
    visit(e)
    return out


def _is_closed(e: ir.E) -> bool:
    """No state, no bound variables: can be evaluated at compile time."""
    from checker.ir.walk import walk
    return not any(isinstance(n, (ir.VarRef, ir.Local, ir.CallDef)) for n in walk(e))


def _def_reads_state(d: ir.DefIR, defs: list[ir.DefIR]) -> bool:
    from checker.ir.walk import walk
    for n in walk(d.body):
        if isinstance(n, ir.VarRef):
            return True
        if isinstance(n, ir.CallDef) and n.index < len(defs) and _def_reads_state(defs[n.index], defs):
            return True
    return False


def _inline_defs(e: ir.E, defs: list[ir.DefIR]) -> ir.E:
    """e with every call of a definition replaced by its body under `let`s of its parameters,
    so that a constant expression calling definitions can be evaluated on its own (definitions
    are never recursive, so this ends)."""
    from checker.ir.walk import transform

    def inline(n):
        if not isinstance(n, ir.CallDef):
            return n
        d = defs[n.index]
        body = _inline_defs(d.body, defs)
        for (name, _), arg in reversed(list(zip(d.params, n.args))):
            body = ir.LetE(body.t, name, arg, body, n.origin)
        return body

    return transform(e, inline)


def _prime(e: ir.E) -> ir.E:
    """x' : the expression read in the next state (codegen evaluates it against it)."""
    return ir.Op(e.t, "prime", (e,), e.origin)


def _in_library(span: Span) -> bool:
    from checker.loader import stdlib_dir
    return _library_file(span.path, str(stdlib_dir()))


@functools.lru_cache(maxsize=256)
def _library_file(path: str, library: str) -> bool:
    # resolving paths is slow, and asked for every name bound while a spec elaborates
    from pathlib import Path
    return Path(path).resolve().parent == Path(library).resolve()


def _ends_in_goto(stmts) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, ir.Assign):
        return last.goto
    if isinstance(last, ir.IfS):
        return _ends_in_goto(last.then) and _ends_in_goto(last.else_)
    return False


def _has_goto(s) -> bool:
    from checker.ir.walk import walk
    return any(isinstance(n, ir.Assign) and n.goto for n in walk(s))


def _end_at_goto(stmts: list) -> tuple:
    """`goto` ends the step: what follows an `if` on the paths that jumped must not run.

    [if c { A; goto L }, B] becomes [if c { A; goto L } else { B }]: the statements after an
    `if` move into each branch that does not always end in a goto."""
    for i, s in enumerate(stmts):
        if isinstance(s, ir.IfS) and _has_goto(s):
            rest = stmts[i + 1:]
            then = _end_at_goto(list(s.then) + ([] if _ends_in_goto(s.then) else rest))
            else_ = _end_at_goto(list(s.else_) + ([] if _ends_in_goto(s.else_) else rest))
            return tuple(stmts[:i]) + (ir.IfS(s.cond, then, else_, s.origin),)
    return tuple(stmts)


@dataclass(frozen=True)
class _InitSite:
    """Where init statements come from, when not from an init block itself."""

    kind: str            # "decl" | "local" | "macro" | "restart"
    name: str | None     # the variable declared, or the macro called
    span: Span | None


def _state_reads(e: ir.E, defs: list[ir.DefIR], call: "ir.CallDef | None" = None, seen=frozenset()):
    """Every state variable read by e, as (VarRef, the outermost definition call it is read
    through, or None), in the order written; definitions are followed into their bodies."""
    from checker.ir.walk import walk
    for n in walk(e):
        if isinstance(n, ir.VarRef) and not n.primed:
            yield n, call
        elif isinstance(n, ir.CallDef) and n.index < len(defs) and n.index not in seen:
            yield from _state_reads(defs[n.index].body, defs, call or n, seen | {n.index})


def _within(inner: Span | None, outer: Span | None) -> bool:
    return (inner is not None and outer is not None and inner.source is outer.source
            and outer.start <= inner.start and inner.end <= outer.end)


def _type_text(decl: ast.VarDecl | None) -> str:
    """A variable's type as written, for hints (`...` when long or unknown)."""
    span = getattr(getattr(decl, "type", None), "span", None)
    text = span.text() if span is not None else ""
    return text if text and len(text) <= 30 and "\n" not in text else "..."


def _scope_names(scope: Scope) -> list[str]:
    out = []
    while scope is not None:
        out.extend(scope.names)
        scope = scope.parent
    return out


def _fair_text(item: ast.FairItem) -> str:
    if item.process:
        return f"process {item.names[0]}"
    names = item.names[0] if len(item.names) == 1 else "(" + ", ".join(item.names) + ")"
    if item.args is not None:
        return names + "(" + ", ".join(a if isinstance(a, str) else a.span.text() for a in item.args) + ")"
    return names + ("(*)" if item.each else "")


def _undefined_hint(name: str, candidates) -> str | None:
    """For a name that is not declared: the shipped library file that declares it (the spec
    lacks its `import`), else a close name."""
    from checker.loader import library_module
    module = library_module(name)
    if module is not None:
        return f"'{name}' is declared by the library: add `import \"{module}\"`"
    return _suggest(name, candidates)


def _suggest(name: str, candidates) -> str | None:
    import difflib
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return f"did you mean '{close[0]}'?" if close else None


# ---------------------------------------------------------------- addresses and CIDR blocks (docs/solver.md)

NET_TYPES: dict[str, T.Type] = {"ip": T.IpT(), "cidr": T.CidrT()}


def _parse_ip(text: str) -> int | None:
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 for p in parts):
        return None
    return sum(int(p) << (24 - 8 * i) for i, p in enumerate(parts))


def _conjuncts(e: ir.E) -> list[ir.E]:
    if isinstance(e, ir.Op) and e.op == "and":
        return _conjuncts(e.args[0]) + _conjuncts(e.args[1])
    return [e]


def _cidr_arg(el, e, ctx):
    return _typed_arg(el, e, ctx, T.CidrT, "a cidr")


def _b_cidr_field(field: str):
    def build(el, e, expected, ctx):
        c = _cidr_arg(el, e, ctx)
        return err(e.span) if c is None else ir.FieldGet(c.t.field_type(field), c, field, e.span)
    return build


def _b_cidr_op(op: str, t: T.Type):
    def build(el, e, expected, ctx):
        c = _cidr_arg(el, e, ctx)
        return err(e.span) if c is None else ir.Op(t, op, (c,), e.span)
    return build


def _b_make_cidr(el, e, expected, ctx):
    """cidr(a, p): the block of prefix length p that holds address a."""
    if not _args(el, e, 2):
        return err(e.span)
    a, p = (el.int_operand(x.value, ctx) for x in e.args)
    return ir.Op(T.CidrT(), "cidr", (a, p), e.span)


def _b_ip(el, e, expected, ctx):
    """ip(n): the address with number n (range-checked)."""
    if not _args(el, e, 1):
        return err(e.span)
    return el.coerce(el.int_operand(e.args[0].value, ctx), T.IpT(), e.span)


# After the spec's own names: a definition called `size` wins over the built-in.
NET_CALLS = {
    "network": _b_cidr_field("network"), "prefix": _b_cidr_field("prefix"),
    "broadcast": _b_cidr_op("broadcast", T.IpT()), "gateway": _b_cidr_op("gateway", T.IpT()),
    "size": _b_cidr_op("cidr_size", INT), "cidr": _b_make_cidr, "ip": _b_ip,
}


def enumerable(t: T.Type) -> bool:
    from checker.ir.solve_plan import enumerable as small
    return small(t)
