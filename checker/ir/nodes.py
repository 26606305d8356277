"""The IR: a typed, resolved, desugared form of one variant of a spec.

Input: built by ir/elaborate/. Output: compiled by checker/compile/codegen.py,
printed by ir/printer.py. Every node carries its concrete type `t` and `origin` (the source
span, compare=False). Names are resolved: state variables are indices into `SpecIR.vars`,
bound variables have names unique within their action, constants are folded into `Lit`s.
Nested assignments (`x[k].f := v`) are desugared into whole-variable updates; process
steps and `goto` into ordinary actions that read and write the process's `pc`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from checker.semantics.types import Type


def _o():
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class E:
    """An expression. Every kind has its concrete type `t` and its `origin` as fields of its
    own (declared here for the type checker only: dataclass fields keep their order)."""

    if TYPE_CHECKING:
        @property
        def t(self) -> Type: ...

        @property
        def origin(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class Lit(E):
    t: Type
    value: Any           # run-time representation
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class VarRef(E):
    t: Type
    index: int
    primed: bool = False
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Local(E):
    t: Type
    name: str
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Op(E):
    """A primitive operation; `op` names it (see codegen._OPS) and args are typed."""

    t: Type
    op: str
    args: tuple[E, ...]
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Binder:
    name: str
    domain: E            # a set-typed expression


@dataclass(frozen=True, slots=True)
class Quant(E):
    t: Type
    kind: str            # "forall" | "exists"
    binders: tuple[Binder, ...]
    body: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Comp(E):
    """{elem for binders if cond} (key None) or {key: elem for binders if cond}."""

    t: Type
    binders: tuple[Binder, ...]
    cond: E | None
    key: E | None
    elem: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Ite(E):
    t: Type
    cond: E
    then: E
    else_: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class LetE(E):
    t: Type
    name: str
    value: E
    body: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class CallDef(E):
    t: Type
    index: int
    args: tuple[E, ...]
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Index(E):
    t: Type
    base: E
    key: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class FieldGet(E):
    t: Type
    base: E
    name: str
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Update(E):
    """Functional update of a map (keys are E) or record (keys are field names)."""

    t: Type
    base: E
    entries: tuple[tuple[E | str, E], ...]
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Collection(E):
    """A set, map or sequence literal, or a record value; `items` are E or (E, E)."""

    t: Type
    items: tuple[Any, ...]
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Construct(E):
    t: Type
    tag: str
    payload: E | None
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class TypeSet(E):
    """The set of every value of t.elem."""

    t: Type
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Coerce(E):
    """e converted to type t (range checks, set re-encoding)."""

    t: Type
    e: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class MatchArm:
    tag: str | None
    bind: str | None
    body: E


@dataclass(frozen=True, slots=True)
class MatchE(E):
    t: Type
    subject: E
    arms: tuple[MatchArm, ...]
    origin: Any = _o()


# ---------------------------------------------------------------- statements

@dataclass(frozen=True, slots=True)
class S:
    pass


@dataclass(frozen=True, slots=True)
class Require(S):
    cond: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class Assign(S):
    var: int
    value: E
    origin: Any = _o()
    goto: bool = False   # a process's `goto`: the step ends here (see ir/elaborate/common._end_at_goto)


@dataclass(frozen=True, slots=True)
class IfS(S):
    cond: E
    then: tuple[S, ...]
    else_: tuple[S, ...]
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class ChooseS(S):
    name: str
    domain: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class LetS(S):
    name: str
    value: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class ForS(S):
    name: str
    domain: E
    body: tuple[S, ...]
    origin: Any = _o()


# ---------------------------------------------------------------- declarations

@dataclass(frozen=True, slots=True)
class VarIR:
    name: str
    t: Type
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class DefIR:
    name: str
    params: tuple[tuple[str, Type], ...]
    body: E
    t: Type
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class ParamIR:
    name: str          # unique local name
    display: str       # as written
    t: Type
    domain: E


@dataclass(frozen=True, slots=True)
class ActionIR:
    name: str
    params: tuple[ParamIR, ...]
    body: tuple[S, ...]
    process: str | None = None     # set for process steps
    label: str | None = None
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class PropertyIR:
    name: str
    kind: str          # "invariant" | "action" | "reachable" | "constraint"
    expr: E
    origin: Any = _o()


@dataclass(frozen=True, slots=True)
class ConstIR:
    name: str
    t: Type
    value: Any         # run-time representation


@dataclass(frozen=True, slots=True)
class SpecIR:
    name: str
    variant: str
    consts: tuple[ConstIR, ...]
    vars: tuple[VarIR, ...]
    defs: tuple[DefIR, ...]
    init: tuple[S, ...]
    actions: tuple[ActionIR, ...]
    properties: tuple[PropertyIR, ...]
    check_deadlock: bool
    terminal_pcs: tuple[tuple[int, int], ...] = ()   # (pc var index, done ordinal) per process
    temporals: tuple["TemporalIR", ...] = ()
    fairness: tuple["FairnessIR", ...] = ()
    symmetry: tuple[str, ...] = ()     # symmetric types the search reduces by (engine/symmetry.py)


# ---------------------------------------------------------------- temporal properties, fairness

@dataclass(frozen=True, slots=True)
class TemporalIR:
    """A temporal property (docs/liveness.md): `p` (and `q` for leads_to) are state
    predicates over the `params`, whose domains are constant: one instance per binding."""

    name: str
    kind: str          # "always" | "eventually" | "always_eventually" | "eventually_always" | "leads_to"
    params: tuple[ParamIR, ...]
    p: E
    q: E | None
    origin: Any = _o()
    # `(F1) and (F2)`: every conjunct (kind, p, q, text), one obligation each (kind, p, q
    # are the first's); empty for a single formula
    conjuncts: tuple[tuple[str, E, "E | None", str], ...] = ()


@dataclass(frozen=True, slots=True)
class FairnessIR:
    """Weak or strong fairness of the union of `actions` (indices into SpecIR.actions): one
    constraint in all, or with `each` one per tuple of parameter values."""

    strength: str      # "weak" | "strong"
    actions: tuple[int, ...]
    each: bool
    text: str          # as written, for messages
    origin: Any = _o()
    # `A(*, 1)`: per parameter, "*" (one constraint per value), "_" (any value) or a closed
    # expression (only the instances with that value); None: `each` decides for all
    bound: tuple[Any, ...] | None = None


# ---------------------------------------------------------------- constraint solving (docs/solver.md)

@dataclass(frozen=True, slots=True)
class Solve(E):
    """{name in t.elem | cond}: the values of the element type that satisfy cond in the
    current state, ascending (least: only the smallest, or none). `choose x: T where C`
    is ChooseS over it; so is a parameter of a large type constrained by its action's
    leading `require`s. The compiler enumerates small types in Python and hands large
    ones to checker/solver, whose answers are cached by the values cond reads."""

    t: Type              # SetT(element type)
    name: str            # the bound local (unique, as all IR locals)
    cond: E
    least: bool = False
    origin: Any = _o()
