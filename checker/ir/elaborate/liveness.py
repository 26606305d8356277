"""Elaboration: temporal properties and fairness declarations (the spec's and the variant's).

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
import dataclasses
from checker import codes
from checker.ir import nodes as ir
from checker.syntax import ast
from checker.ir.elaborate.common import BOOL, Ctx, Scope, _fair_text, _has_error, _suggest


class LivenessPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

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
                           "`(*)` groups instances by their parameters, but these actions take different "
                           f"ones: {shown}", item.span,
                           hint="give each action its own fairness, or group actions with the same parameters")
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
