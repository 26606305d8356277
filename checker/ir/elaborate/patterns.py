"""Elaboration: sum-type patterns: tags known, coverage, names bound to payloads.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker import codes
from checker.diagnostics import Span
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.ir.elaborate.common import ErrorT, BOOL, Binding, Scope, _suggest, err


class PatternsPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

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
