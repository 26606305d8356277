"""The surface syntax of kovn as frozen dataclasses.

Input: built by build_ast.py from Lark's parse tree. Output: read by semantics/.
Every node carries `span` (compare=False), so two nodes of the same structure compare equal
wherever they stand in the source; tuples, never lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.diagnostics import Span

def _sp():
    return field(compare=False, repr=False)


# ---------------------------------------------------------------- types

@dataclass(frozen=True, slots=True)
class TypeExpr:
    pass


@dataclass(frozen=True, slots=True)
class BoolType(TypeExpr):
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class IntType(TypeExpr):
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class NamedType(TypeExpr):
    name: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class RangeType(TypeExpr):
    lo: "Expr"
    hi: "Expr"
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class SymmetricType(TypeExpr):
    """`type T = symmetric lo..hi`: interchangeable values (docs/performance.md)."""

    lo: "Expr"
    hi: "Expr"
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class SetType(TypeExpr):
    elem: TypeExpr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class MapType(TypeExpr):
    """`map[K, V]` (partial) or `K -> V` (total)."""

    key: TypeExpr
    value: TypeExpr
    total: bool
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class SeqType(TypeExpr):
    elem: TypeExpr
    max: "Expr | None"
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class OptionType(TypeExpr):
    elem: TypeExpr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class RecordType(TypeExpr):
    fields: tuple[tuple[str, TypeExpr], ...]
    span: Span = _sp()
    # `{n: 0..3 = 0}`: the value a named record's constructor gives a field it is not given
    defaults: tuple[tuple[str, "Expr"], ...] = ()


@dataclass(frozen=True, slots=True)
class AltFields(TypeExpr):
    """What an alternative of several values carries: `Msg(Ballot, Value)` (positional,
    names None) or `Msg(b: Ballot, v: Value)`; a record value (docs/language.md)."""

    fields: tuple[tuple[str | None, TypeExpr], ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class SumType(TypeExpr):
    alts: tuple[tuple[str, TypeExpr | None], ...]    # one value: its type; several: AltFields
    alt_spans: tuple[Span, ...] = _sp()
    span: Span = _sp()


# ---------------------------------------------------------------- expressions

@dataclass(frozen=True, slots=True)
class Expr:
    pass


@dataclass(frozen=True, slots=True)
class IntLit(Expr):
    value: int
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class BoolLit(Expr):
    value: bool
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Name(Expr):
    name: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """op is one of + - ++ * / % == != < <= > >= in notin | & .. and or => <=>."""

    op: str
    left: Expr
    right: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: str  # "not" | "-"
    operand: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Binder:
    name: str           # with a pattern: the alternative's tag
    domain: Expr
    span: Span = _sp()
    pattern: tuple[str | None, ...] | None = None   # `Tag(a, _) in S`: the names bound (None: `_`)


@dataclass(frozen=True, slots=True)
class Quant(Expr):
    kind: str  # "forall" | "exists"
    binders: tuple[Binder, ...]
    body: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class LetExpr(Expr):
    name: str
    value: Expr
    body: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class IfExpr(Expr):
    cond: Expr
    then: Expr
    else_: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Arg:
    name: str | None
    value: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Call(Expr):
    func: Expr
    args: tuple[Arg, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Index(Expr):
    base: Expr
    key: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Field(Expr):
    base: Expr
    name: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Prime(Expr):
    operand: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Entry:
    key: Expr
    value: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class With(Expr):
    base: Expr
    entries: tuple[Entry, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class EmptyBraces(Expr):
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class SetLit(Expr):
    elems: tuple[Expr, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class MapLit(Expr):
    entries: tuple[Entry, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class SetComp(Expr):
    elem: Expr
    binders: tuple[Binder, ...]
    cond: Expr | None
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class MapComp(Expr):
    key: Expr
    value: Expr
    binders: tuple[Binder, ...]
    cond: Expr | None
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class SeqLit(Expr):
    elems: tuple[Expr, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class MatchArm:
    tag: str | None      # None: the wildcard `_`
    binds: tuple[str | None, ...]   # the names the pattern binds, by position (None: `_`)
    body: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class RecordLit(Expr):
    """`(a: 1, b: true)`: a record value of an anonymous record type."""

    fields: tuple[tuple[str, Expr], ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Match(Expr):
    subject: Expr
    arms: tuple[MatchArm, ...]
    span: Span = _sp()


# ---------------------------------------------------------------- statements

@dataclass(frozen=True, slots=True)
class Stmt:
    pass


@dataclass(frozen=True, slots=True)
class LValue:
    name: str
    selectors: tuple[Expr | str, ...]   # Expr: [index]; str: .field
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Require(Stmt):
    cond: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Assign(Stmt):
    target: LValue
    value: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class If(Stmt):
    cond: Expr
    then: tuple[Stmt, ...]
    else_: tuple[Stmt, ...] | None
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Choose(Stmt):
    name: str
    domain: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Let(Stmt):
    name: str
    value: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class LetPattern(Stmt):
    """`let Tag(a, b) = e`: the step goes on only when e is a Tag, with a and b bound to
    its values."""

    tag: str
    binds: tuple[str | None, ...]
    value: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class StmtArm:
    tag: str | None      # None: the wildcard `_`
    binds: tuple[str | None, ...]
    body: tuple["Stmt", ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class MatchStmt(Stmt):
    """`match e { Tag(a) => { ... }, _ => { ... } }`: the block of the arm e's tag selects."""

    subject: Expr
    arms: tuple[StmtArm, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class For(Stmt):
    name: str
    domain: Expr
    body: tuple[Stmt, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Goto(Stmt):
    label: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Skip(Stmt):
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Restart(Stmt):
    """Every volatile variable gets its initial value again (evaluated now), and every
    process starts over at its first label with its initial locals."""

    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Label(Stmt):
    name: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class CallStmt(Stmt):
    """A macro used as a statement: `apiDelete(ip)`."""

    name: str
    args: tuple["Arg", ...]
    span: Span = _sp()


# ---------------------------------------------------------------- declarations

@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: TypeExpr | None       # `x: T`
    domain: Expr | None         # `x in S`
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Decl:
    pass


@dataclass(frozen=True, slots=True)
class Import(Decl):
    path: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class ConstDecl(Decl):
    name: str
    type: TypeExpr
    default: Expr | None
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class TypeDecl(Decl):
    name: str
    rhs: TypeExpr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class VarDecl(Decl):
    name: str
    type: TypeExpr
    init: Expr | None
    span: Span = _sp()
    volatile: bool = False   # in-memory state of the controller: `restart` recomputes it


@dataclass(frozen=True, slots=True)
class DefDecl(Decl):
    name: str
    params: tuple[Param, ...] | None
    ret: TypeExpr | None
    body: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class InitDecl(Decl):
    body: tuple[Stmt, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class ActionDecl(Decl):
    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class MacroDecl(Decl):
    """A named, parameterised block of statements, inlined where it is called."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class ProcessDecl(Decl):
    name: str
    param: Param
    locals: tuple[VarDecl, ...]
    body: tuple[Stmt, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class PropertyDecl(Decl):
    kind: str   # "invariant" | "action" | "reachable" | "constraint"
    name: str
    expr: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class DeadlockDecl(Decl):
    allow: bool
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class VConst:
    name: str
    value: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class VExpect:
    violated: tuple[str, ...]   # empty: `expect holds`
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class VDeadlock:
    allow: bool
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class VProperties:
    names: tuple[str, ...]      # empty: `properties none`
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class VSymmetry:
    """`symmetry T, ...` in a variant: reduce by permutations of these symmetric types."""

    names: tuple[str, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class VariantDecl(Decl):
    name: str
    items: tuple[object, ...]
    span: Span = _sp()
    extends: str | None = None   # takes the base variant's settings (not its expectation)


@dataclass(frozen=True, slots=True)
class AssumeDecl(Decl):
    """`assume NAME: expr`: a condition on the constants, checked for every variant before
    the search (TLA+'s ASSUME)."""

    name: str
    expr: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Acknowledge(Decl):
    """`acknowledge KIND SUBJECT, ...` (top level: every variant; or a variant item): the
    warnings of that kind (a name such as `vacuous`, or a code such as KOV603) about those
    subjects are expected; `*` (subjects ("*",)) expects every warning of the kind."""

    kind: str
    subjects: tuple[str, ...]
    span: Span = _sp()


# ---------------------------------------------------------------- temporal properties, fairness

@dataclass(frozen=True, slots=True)
class TemporalDecl(Decl):
    """`temporal NAME: [forall x in S, ...:] FORMULA` (docs/liveness.md)."""

    name: str
    kind: str       # "always" | "eventually" | "always_eventually" | "eventually_always" | "leads_to"
    binders: tuple[Binder, ...]     # one instance of the property per binding
    p: Expr
    q: Expr | None                  # leads_to: P leads to Q
    span: Span = _sp()
    # `(F1) and (F2) and ...`: every conjunct (kind, p, q, its text), each its own obligation
    # (the property holds when all do); kind, p and q are the first's. Empty otherwise.
    conjuncts: tuple[tuple[str, Expr, "Expr | None", str], ...] = ()


@dataclass(frozen=True, slots=True)
class FairItem:
    """What one fairness constraint covers: actions, process steps `Proc.label` or whole
    processes `Proc` (their union); `each`: one constraint per parameter instance."""

    names: tuple[str, ...]
    each: bool
    span: Span = _sp()
    process: bool = False       # written `process P` (one constraint per process of P)
    # `A(*, 1)`, `A(0)`, `A(_, 1)`: per parameter, "*" (one constraint per value), "_" (any
    # value, together) or the value it is bound to; None when written `A` or `A(*)`
    args: tuple["str | Expr", ...] | None = None


@dataclass(frozen=True, slots=True)
class FairDecl(Decl):
    """`fair weak|strong ITEM, ...` (top level or inside a variant)."""

    strength: str   # "weak" | "strong"
    items: tuple[FairItem, ...]
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class Spec:
    name: str | None
    decls: tuple[Decl, ...]
    span: Span = _sp()


# ---------------------------------------------------------------- addresses, bounded sets, choose-where
# (docs/solver.md)

@dataclass(frozen=True, slots=True)
class IpLit(Expr):
    """`10.16.0.1`, as written (the elaborator checks the octets)."""

    text: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class CidrLit(Expr):
    """`10.16.0.0/16`, as written (the elaborator checks the prefix and the host bits)."""

    text: str
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class BoundedSetType(TypeExpr):
    """`set[T, N]`: a set of at most N elements of a type too large for a bitmask."""

    elem: TypeExpr
    max: Expr
    span: Span = _sp()


@dataclass(frozen=True, slots=True)
class ChooseWhere(Stmt):
    """`choose x: T where C` (one path per solution) or `choose least x: T where C`."""

    name: str
    type: TypeExpr
    cond: Expr
    least: bool
    span: Span = _sp()
