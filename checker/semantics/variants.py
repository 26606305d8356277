"""Variants: named settings of one spec and the outcome each is expected to have.

Input: `Declarations` and the constants given on the command line. Output: `Variant`s
(a spec with no `variant` declarations has one, named `default`) and KOV4xx diagnostics.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

from checker import codes
from checker.diagnostics import Diagnostic, Span
from checker.semantics.names import Declarations
from checker.syntax import ast


@dataclass(frozen=True)
class Acknowledgement:
    """`acknowledge KIND SUBJECT, ...`: the warnings with that code about those subjects are
    expected (subjects ("*",): every one of that code). `owner`: the variant that declares
    it, None at the top level (every variant). `reach`: every variant it applies to (the
    declaring one, those that extend it; all of them for a top-level one): a run that checks
    only some of them cannot tell that it is unused."""

    code: str
    subjects: tuple[str, ...]
    span: Span | None = None
    owner: str | None = None
    reach: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variant:
    name: str
    overrides: dict = field(hash=False)            # const name -> ast.Expr
    expect_violated: tuple[str, ...] = ()          # every other checked property must hold
    deadlock: bool | None = None                   # None: the spec's setting
    properties: tuple[str, ...] | None = None      # None: every property
    span: Span | None = None
    fairness: tuple[ast.FairDecl, ...] = ()        # its own, besides the spec's top-level ones
    symmetry: tuple[str, ...] = ()                 # symmetric types to reduce by (`symmetry T`)
    acknowledge: tuple[Acknowledgement, ...] = ()  # the spec's top-level ones, then its own
    # (property, where the variant names it in `expect violated` or `properties`): reports
    # point there for a property the spec does not declare itself (one from the library)
    mentions: tuple[tuple[str, Span], ...] = ()


def variants(decls: Declarations, cli_consts: dict[str, ast.Expr]) -> tuple[list[Variant], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    for name in cli_consts:
        if name not in decls.consts:
            diags.append(Diagnostic(codes.UNKNOWN_CONSTANT, f"--const {name}: the spec has no constant '{name}'",
                                    None, hint=_known(decls)))
    declared = decls.variants or [ast.VariantDecl("default", (), span=None)]
    by_name = {v.name: v for v in declared}
    top = tuple(_acknowledgement(a, None, decls, diags) for a in decls.acknowledged)
    declaring = {id(i): v.name for v in declared for i in v.items}
    out = [_variant(v, decls, cli_consts, diags, _inherited(v, by_name, diags, ()), top, declaring)
           for v in declared]
    return _with_reach(out), diags


def _with_reach(vs: list[Variant]) -> list[Variant]:
    """The variants, each acknowledgement told every variant it applies to (`reach`)."""
    reach: dict[Acknowledgement, list[str]] = {}
    for v in vs:
        for a in v.acknowledge:
            reach.setdefault(a, []).append(v.name)
    return [replace(v, acknowledge=tuple(replace(a, reach=tuple(reach[a])) for a in v.acknowledge)) for v in vs]


def _acknowledgement(a: ast.Acknowledge, owner: str | None, decls: Declarations,
                     diags: list) -> Acknowledgement:
    """The acknowledgement's code (from its name or its code); KOV408 for a kind or a subject
    that does not exist."""
    by_name = {name: code for code, name in codes.WARNING_NAMES.items()}
    code = by_name.get(a.kind, a.kind if a.kind in codes.WARNING_NAMES else None)
    if code is None:
        diags.append(Diagnostic(codes.BAD_ACKNOWLEDGEMENT, f"there is no warning named '{a.kind}'", a.span,
                                hint="warnings: " + ", ".join(f"{n} ({c})" for c, n in codes.WARNING_NAMES.items())))
        code = a.kind
    known = _subjects(decls)
    for s in a.subjects:
        if s != "*" and s not in known:
            diags.append(Diagnostic(codes.BAD_ACKNOWLEDGEMENT,
                                    f"acknowledge {a.kind}: '{s}' is not an action, process step or property",
                                    a.span, hint=_suggestion(s, known)))
    return Acknowledgement(code, a.subjects, a.span, owner)


def _subjects(decls: Declarations) -> set[str]:
    """What a warning can be about: actions, processes and their steps, properties."""
    names = {a.name for a in decls.actions} | {p.name for p in decls.properties}
    names |= {t.name for t in decls.temporals} | {"deadlock"}
    for proc in decls.processes.values():
        names.add(proc.name)
        names |= {f"{proc.name}.{s.name}" for s in proc.body if isinstance(s, ast.Label)}
    return names


def _suggestion(name: str, known: set[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean '{close[0]}'?" if close else None


def _inherited(v: ast.VariantDecl, by_name: dict, diags: list, seen: tuple) -> tuple:
    """The settings a variant takes from the one it extends (all but the expectation)."""
    if v.extends is None:
        return ()
    base = by_name.get(v.extends)
    if base is None:
        diags.append(Diagnostic(codes.UNKNOWN_VARIANT,
                                f"variant '{v.name}' extends '{v.extends}', which is not declared",
                                v.span, hint="variants: " + ", ".join(sorted(by_name))))
        return ()
    if base.name in seen or base.name == v.name:
        diags.append(Diagnostic(codes.RECURSIVE_DEFINITION, f"variant '{v.name}' extends itself", v.span))
        return ()
    items = _inherited(base, by_name, diags, seen + (v.name,)) + base.items
    return tuple(i for i in items if not isinstance(i, ast.VExpect))


def _variant(v: ast.VariantDecl, decls: Declarations, cli: dict, diags: list, inherited: tuple = (),
             top: tuple[Acknowledgement, ...] = (), declaring: dict | None = None) -> Variant:
    overrides: dict = {}
    expect: tuple[str, ...] | None = None
    deadlock = None
    props = None
    prop_names = {p.name for p in decls.properties if p.kind != "constraint"} | {"deadlock"}
    prop_names |= {t.name for t in decls.temporals}
    fairness = tuple(item for item in inherited + v.items if isinstance(item, ast.FairDecl))
    symmetry = _symmetry(v, decls, diags)
    own = set(map(id, v.items))
    for item in inherited + v.items:
        if isinstance(item, ast.VConst):
            if item.name not in decls.consts:
                diags.append(Diagnostic(codes.UNKNOWN_CONSTANT,
                                        f"variant '{v.name}' sets '{item.name}', which is not a constant",
                                        item.span, hint=_known(decls)))
            elif item.name in overrides and id(item) in own and overrides[item.name][1]:
                diags.append(Diagnostic(codes.DUPLICATE_VARIANT_ITEM,
                                        f"variant '{v.name}' sets '{item.name}' twice", item.span))
            overrides[item.name] = (item.value, id(item) in own)
        elif isinstance(item, ast.VExpect):
            if expect is not None:
                diags.append(Diagnostic(codes.DUPLICATE_VARIANT_ITEM,
                                        f"variant '{v.name}' has two expectations", item.span))
            _check_names(item.violated, prop_names, item.span, diags)
            expect = item.violated
        elif isinstance(item, ast.VDeadlock):
            deadlock = not item.allow
        elif isinstance(item, ast.VProperties):
            _check_names(item.names, prop_names, item.span, diags)
            props = item.names
    overrides = {name: value for name, (value, _) in overrides.items()}
    overrides.update(cli)
    # inherited ones keep the variant that declares them (an unused one is reported there);
    # each is checked once, with the variant that declares it
    declaring = declaring or {}
    acks = top + tuple(_acknowledgement(i, declaring.get(id(i), v.name), decls, diags if id(i) in own else [])
                       for i in inherited + v.items if isinstance(i, ast.Acknowledge))
    return Variant(v.name, overrides, expect or (), deadlock, props, v.span, fairness, symmetry, acks,
                   _mentions(inherited + v.items))


def _mentions(items) -> tuple[tuple[str, Span], ...]:
    """Each property an `expect violated` or `properties` item names, with the span of its
    name in that item (the whole item where the name cannot be found in its text)."""
    out = []
    for item in items:
        if isinstance(item, ast.VExpect):
            names = item.violated
        elif isinstance(item, ast.VProperties):
            names = item.names
        else:
            continue
        span = item.span
        if span is None:
            continue
        for n in names:
            m = re.search(rf"\b{re.escape(n)}\b", span.text())
            out.append((n, Span(span.source, span.start + m.start(), span.start + m.end()) if m else span))
    return tuple(out)


def _symmetry(v: ast.VariantDecl, decls: Declarations, diags: list) -> tuple[str, ...]:
    """The types named by the variant's `symmetry` items; each must be declared
    `symmetric` (its uses are then checked by ir/symmetry.py)."""
    names: list[str] = []
    for item in v.items:
        if not isinstance(item, ast.VSymmetry):
            continue
        for n in item.names:
            decl = decls.types.get(n)
            if decl is None or not isinstance(decl.rhs, ast.SymmetricType):
                what = "is not a type" if decl is None else "is not declared symmetric"
                diags.append(Diagnostic(codes.BAD_SYMMETRY, f"variant '{v.name}': '{n}' {what}", item.span,
                                        hint=f"declare it as `type {n} = symmetric lo..hi`"))
            elif n in names:
                diags.append(Diagnostic(codes.DUPLICATE_VARIANT_ITEM, f"variant '{v.name}' names '{n}' twice",
                                        item.span))
            else:
                names.append(n)
    return tuple(names)


def _check_names(names, known, span, diags) -> None:
    for n in names:
        if n not in known:
            diags.append(Diagnostic(codes.UNKNOWN_PROPERTY, f"there is no property named '{n}'", span,
                                    hint="properties: " + ", ".join(sorted(known))))


def _known(decls: Declarations) -> str:
    return "constants: " + (", ".join(decls.consts) or "none")
