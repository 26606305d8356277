"""What every pass of the elaborator shares: the error type, scopes and contexts, and small
helpers over types and IR.

Input: none (definitions only). Output: ErrorT, Scope, Ctx, the helpers.
"""
from __future__ import annotations
import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Callable
from checker.diagnostics import Span
from checker.ir import nodes as ir
from checker.semantics import types as T
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



def enumerable(t: T.Type) -> bool:
    from checker.ir.solve_plan import enumerable as small
    return small(t)
