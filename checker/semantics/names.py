"""Top-level declarations of a spec and its imports, collected into one table.

Input: the parsed `ast.Spec`s of a spec file and the files it imports (in import order).
Output: `Declarations` (names -> declarations, enum members -> their types, actions,
processes, properties, variants, init blocks) and KOV1xx diagnostics for duplicates.
Resolution of uses happens in ir/elaborate/ (expressions.py, calls.py), which needs concrete types.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from checker import codes
from checker.diagnostics import Diagnostic
from checker.syntax import ast

BUILTINS = frozenset({
    "len", "min", "max", "abs", "some", "none", "is_some", "is_none", "get", "keys",
    "append", "head", "tail", "last", "self", "remove",
})


@dataclass
class Declarations:
    name: str
    consts: dict[str, ast.ConstDecl] = field(default_factory=dict)
    types: dict[str, ast.TypeDecl] = field(default_factory=dict)
    vars: dict[str, ast.VarDecl] = field(default_factory=dict)
    defs: dict[str, ast.DefDecl] = field(default_factory=dict)
    processes: dict[str, ast.ProcessDecl] = field(default_factory=dict)
    macros: dict[str, ast.MacroDecl] = field(default_factory=dict)
    actions: list[ast.ActionDecl] = field(default_factory=list)
    properties: list[ast.PropertyDecl] = field(default_factory=list)
    variants: list[ast.VariantDecl] = field(default_factory=list)
    inits: list[ast.InitDecl] = field(default_factory=list)
    deadlock: ast.DeadlockDecl | None = None
    members: dict[str, list[str]] = field(default_factory=dict)   # enum member -> type names
    order: list[ast.Decl] = field(default_factory=list)
    temporals: list[ast.TemporalDecl] = field(default_factory=list)
    fairness: list[ast.FairDecl] = field(default_factory=list)    # top level (every variant)
    assumptions: list[ast.AssumeDecl] = field(default_factory=list)
    acknowledged: list[ast.Acknowledge] = field(default_factory=list)   # top level (every variant)


def collect(specs: list[ast.Spec], name: str) -> tuple[Declarations, list[Diagnostic]]:
    decls = Declarations(name)
    diags: list[Diagnostic] = []
    seen: dict[str, ast.Decl] = {}
    for spec in specs:
        for d in spec.decls:
            _add(decls, d, seen, diags)
    _one_member_enums(decls, seen, diags)
    return decls, diags


_BUILT_IN_TYPES = frozenset({"ip", "cidr"})
# declarations whose names are not values: they may share a name with a sum type's member
_NOT_VALUES = (ast.ActionDecl, ast.PropertyDecl, ast.MacroDecl, ast.AssumeDecl)


def _one_member_enums(decls: Declarations, seen: dict, diags: list) -> None:
    """`type H = q` where q names nothing: most likely a one-member enum, which is written
    `type H = | q`. Said once, with that hint, and read as the enum, so that the uses of `q`
    do not each report an undefined name."""
    for name, d in list(decls.types.items()):
        rhs = d.rhs
        if not isinstance(rhs, ast.NamedType) or rhs.name in decls.types or rhs.name in _BUILT_IN_TYPES \
                or rhs.name in seen or rhs.name in decls.members:
            continue
        diags.append(Diagnostic(codes.NOT_A_TYPE, f"'{rhs.name}' is not a type", rhs.span,
                                hint=f"a type with one member is written `type {name} = | {rhs.name}` "
                                     f"(a leading `|`)"))
        decls.types[name] = dataclasses.replace(d, rhs=ast.SumType(((rhs.name, None),), alt_spans=(rhs.span,),
                                                                    span=rhs.span))
        decls.members.setdefault(rhs.name, []).append(name)


def _declared_name(d: ast.Decl) -> str | None:
    if isinstance(d, (ast.ConstDecl, ast.TypeDecl, ast.VarDecl, ast.DefDecl, ast.ProcessDecl,
                      ast.ActionDecl, ast.PropertyDecl, ast.MacroDecl, ast.TemporalDecl, ast.AssumeDecl)):
        return d.name
    return None


def _add(decls: Declarations, d: ast.Decl, seen: dict, diags: list) -> None:
    name = _declared_name(d)
    if name is not None:
        if name in seen:
            diags.append(_duplicate(name, d, seen[name]))
            return
        reserved = reserved_name(name, d.span)
        if reserved is not None:
            diags.append(reserved)
            return
        if name in decls.members and not isinstance(d, _NOT_VALUES):
            diags.append(Diagnostic(codes.DUPLICATE_NAME,
                                    f"'{name}' is already a member of type {decls.members[name][0]}", d.span,
                                    hint="a declaration would hide the enum member: choose another name"))
            return
        seen[name] = d
    decls.order.append(d)
    if isinstance(d, ast.ConstDecl):
        decls.consts[d.name] = d
    elif isinstance(d, ast.TypeDecl):
        decls.types[d.name] = d
        if isinstance(d.rhs, ast.SumType):
            for tag, _ in d.rhs.alts:
                other = seen.get(tag)
                if other is not None and not isinstance(other, _NOT_VALUES):
                    diags.append(Diagnostic(codes.DUPLICATE_NAME,
                                            f"member '{tag}' of type {d.name} has the name of another declaration",
                                            d.span, labels=((other.span, "declared here"),)))
            for tag, _ in d.rhs.alts:
                decls.members.setdefault(tag, []).append(d.name)
    elif isinstance(d, ast.VarDecl):
        decls.vars[d.name] = d
    elif isinstance(d, ast.DefDecl):
        decls.defs[d.name] = d
    elif isinstance(d, ast.ProcessDecl):
        decls.processes[d.name] = d
    elif isinstance(d, ast.MacroDecl):
        decls.macros[d.name] = d
    elif isinstance(d, ast.ActionDecl):
        decls.actions.append(d)
    elif isinstance(d, ast.PropertyDecl):
        decls.properties.append(d)
    elif isinstance(d, ast.VariantDecl):
        if any(v.name == d.name for v in decls.variants):
            diags.append(Diagnostic(codes.DUPLICATE_NAME, f"variant '{d.name}' is declared twice", d.span))
        else:
            decls.variants.append(d)
    elif isinstance(d, ast.InitDecl):
        decls.inits.append(d)
    elif isinstance(d, ast.DeadlockDecl):
        decls.deadlock = d
    elif isinstance(d, ast.TemporalDecl):
        decls.temporals.append(d)
    elif isinstance(d, ast.FairDecl):
        decls.fairness.append(d)
    elif isinstance(d, ast.AssumeDecl):
        decls.assumptions.append(d)
    elif isinstance(d, ast.Acknowledge):
        decls.acknowledged.append(d)


def reserved_name(name: str, span) -> Diagnostic | None:
    """KOV109 when `name` is a keyword or a built-in name (a declaration, a parameter or a
    bound name may not take one)."""
    from checker.syntax.parser import keywords
    if name in keywords():
        return Diagnostic(codes.RESERVED_NAME, f"'{name}' is a keyword and cannot be used as a name", span,
                          hint="choose another name")
    if name in BUILTINS:
        return Diagnostic(codes.RESERVED_NAME, f"'{name}' is a built-in name and cannot be used as a name",
                          span, hint="choose another name")
    return None


def _duplicate(name: str, d: ast.Decl, first: ast.Decl) -> Diagnostic:
    return Diagnostic(codes.DUPLICATE_NAME, f"'{name}' is declared twice", d.span,
                      labels=((first.span, "first declared here"),))
