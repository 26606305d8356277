"""Type checking and lowering of one variant: `Declarations` + constant values -> `SpecIR`.

Input: the declaration table (semantics/names.py), the variant's constant overrides (AST
expressions) and a constant evaluator (compiles a closed IR expression and runs it). Output:
`ir.SpecIR` and every diagnostic found (KOV1xx-KOV4xx). Types are concrete (`1..N` is `1..3`
when N = 3), so checking and lowering are one walk (docs/adr/0003-concrete-types.md): each
expression is checked against an expected type where the context gives one (bidirectional),
which is how `committed` finds its enum and `{}` its element type.

One module per pass; each is a mixin of `Elaborator` and has its fixtures in
tests/golden/errors/ (named after the pass) and its tests in tests/ir/elaborate/:

    constants     constants resolved on first use and evaluated; assumptions checked
    type_exprs    type expressions to types (typing of declarations)
    declarations  state variables, process locals, action parameters; shadowing
    init          the init block and its definite-assignment analysis
    processes     processes lowered to actions over a program counter; goto
    actions       actions and invariant/action properties
    liveness      temporal properties and fairness
    statements    statements; macro calls inlined; restart
    expressions   expressions (bidirectional typing)
    patterns      sum-type patterns: tags, coverage, bound names
    calls         calls: definitions, constructors, record values, built-ins dispatched
    builtins      the built-in functions (len, min, some, append, ...)
    network       addresses and CIDR blocks, bounded sets
    feasibility   choose-where and large parameters handed to the solver, checked solvable
    common        what the passes share: scopes, contexts, the error type, helpers
"""
from __future__ import annotations

import itertools

from checker import codes
from checker.diagnostics import Diagnostic, Span
from checker.ir import nodes as ir
from checker.ir.elaborate.actions import ActionsPass
from checker.ir.elaborate.calls import CallsPass
from checker.ir.elaborate.common import ConstEval, EvalFailure, _in_library, _InitSite, enumerable, err
from checker.ir.elaborate.constants import ConstantsPass
from checker.ir.elaborate.declarations import DeclarationsPass
from checker.ir.elaborate.expressions import ExpressionsPass
from checker.ir.elaborate.feasibility import FeasibilityPass
from checker.ir.elaborate.init import InitPass
from checker.ir.elaborate.liveness import LivenessPass
from checker.ir.elaborate.network import NetworkPass
from checker.ir.elaborate.patterns import PatternsPass
from checker.ir.elaborate.processes import ProcessesPass
from checker.ir.elaborate.statements import StatementsPass
from checker.ir.elaborate.type_exprs import TypingPass
from checker.semantics import types as T
from checker.semantics.names import Declarations
from checker.syntax import ast

__all__ = ["Elaborator", "EvalFailure", "enumerable"]


class Elaborator(ConstantsPass, TypingPass, DeclarationsPass, InitPass, ProcessesPass, ActionsPass,
                 LivenessPass, StatementsPass, ExpressionsPass, PatternsPass, CallsPass, NetworkPass,
                 FeasibilityPass):
    """One variant's elaboration: the passes' methods over one shared state (the tables below),
    since a pass calls the others (an expression elaborates a call, which inlines a definition,
    which elaborates expressions) in one walk over the declarations."""

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
