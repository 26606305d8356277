"""Model-quality warnings: what a checked variant proves less of than it seems to.

Input: one variant (its acknowledgements), its compiled model (the IR, the premises of its
properties: ir/premises.py, its sequential-update hazards: ir/hazards.py),
its CheckResult (coverage, the premises seen, the liveness findings) and the spec-level
warnings that apply to it (KOV602). Output: `VariantWarnings`: the variant's warnings
(Diagnostics with a KOV6xx code and `subjects`), split into those the variant acknowledges
and the rest, and the acknowledgements that matched nothing.

What needs a complete search (never enabled, vacuous premises, fairness never enabled,
trivial liveness) is only said after one; what the constants decide (constant properties)
and what the text shows (hazards) is said always. docs/errors.md documents each code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from checker import codes
from checker.analysis.source import spec_of
from checker.diagnostics import Diagnostic, Severity, Span
from checker.engine.result import CheckResult, Status, Verdict
from checker.ir import nodes as ir
from checker.ir.hazards import hazards
from checker.ir.premises import Bind, Constant, Guard, Premise, PropertyVacuity
from checker.semantics.variants import Acknowledgement

_TEXT = 70      # longest expression quoted in a message


@dataclass(frozen=True)
class VariantWarnings:
    warnings: tuple[Diagnostic, ...]        # not acknowledged: --strict fails on these
    acknowledged: tuple[Diagnostic, ...]
    unused: tuple[Acknowledgement, ...]     # matched nothing (only known after a complete search)


def complete(res: CheckResult) -> bool:
    """Did the search see every reachable state? (only then may it say "never"; a search
    reduced by partial order saw a subset chosen to preserve the verdicts, not coverage or
    vacuity: ADR 0034)"""
    return (res.limit is None and res.failure is None and res.verdict is not Verdict.ERROR
            and res.stopped is None and res.partial_order is None)


def variant_warnings(model, res: CheckResult, before: Sequence[Diagnostic] = ()) -> list[Diagnostic]:
    """Every warning of one checked variant: `before` (found outside the search: its dead
    guards), then by kind."""
    out = list(before)
    out += never_enabled(model, res)
    out += vacuity(model, res)
    out += read_after_write(model)
    out += fair_never_enabled(model, res)
    out += liveness(model, res, {w.subjects[0] for w in out if w.code == codes.VACUOUS and w.subjects})
    return sorted(out, key=lambda w: w.code)        # stable: in source order within a code


def read_after_write(model) -> list[Diagnostic]:
    """KOV605, from the text alone (ir/hazards.py), once per compiled model."""
    spec = spec_of(model)
    if spec is None:    # a model written in Python has no text
        return []
    found = getattr(model, "_hazards", None)
    if found is None:
        found = hazards(spec)
        try:
            model._hazards = found
        except AttributeError:      # a model that keeps no attributes: compute each time
            pass
    return list(found)


def acknowledge(warnings: list[Diagnostic], acks: tuple[Acknowledgement, ...],
                res: CheckResult) -> VariantWarnings:
    """Split the warnings by the acknowledgements. One that matched nothing is unused only
    when the run could have found what it expects (after a complete search; a vacuity one
    only when the premises were observed)."""
    used: set[int] = set()
    open_: list[Diagnostic] = []
    acked: list[Diagnostic] = []
    for w in warnings:
        hit = [i for i, a in enumerate(acks) if _matches(a, w)]
        used.update(hit)
        (acked if hit else open_).append(w)
    unused = tuple(a for i, a in enumerate(acks) if i not in used and judged(a.code, res))
    return VariantWarnings(tuple(open_), tuple(acked), unused)


def judged(code: str, res: CheckResult) -> bool:
    """Could this run have reported a warning with `code` if there was one?"""
    if code in (codes.READ_AFTER_WRITE, codes.CONSTANT_PROPERTY):
        return True             # from the text and the constants alone
    if code == codes.VACUOUS and not res.premises_observed:
        return False
    return complete(res)


# An action never enabled on purpose: its guard cannot hold and its fairness constrains
# nothing either. One acknowledgement (`acknowledge never_enabled A`) says all three.
_IMPLIED = {codes.UNUSED_ACTION: {codes.UNUSED_ACTION, codes.DEAD_GUARD, codes.FAIR_NEVER_ENABLED}}


def _matches(a: Acknowledgement, w: Diagnostic) -> bool:
    return (w.code in _IMPLIED.get(a.code, {a.code})
            and (a.subjects == ("*",) or any(s in w.subjects for s in a.subjects)))


def unused_acknowledgements(per_variant: list[VariantWarnings], acks: list[tuple[Acknowledgement, ...]],
                            names: list[str]) -> list[list[Diagnostic]]:
    """KOV610 per variant: an acknowledgement unused (see `acknowledge`) in every variant it
    applies to; reported once, with the variant that declares it (a top-level one: with the
    first variant). One that applies to a variant the run did not check is not judged."""
    applies: dict[Acknowledgement, list[int]] = {}
    for k, a_list in enumerate(acks):
        for a in a_list:
            applies.setdefault(a, []).append(k)
    out: list[list[Diagnostic]] = [[] for _ in per_variant]
    ran = set(names)
    for a, ks in applies.items():
        if not ran.issuperset(a.reach):
            continue            # it may be used in a variant this run left out (`--variant`)
        if all(a in per_variant[k].unused for k in ks):
            at = names.index(a.owner) if a.owner in names else ks[0]
            out[at].append(_unused(a))
    return out


def _unused(a: Acknowledgement) -> Diagnostic:
    name = codes.WARNING_NAMES.get(a.code, a.code)
    what = "any warning" if a.subjects == ("*",) else ", ".join(a.subjects)
    where = "in any variant" if a.owner is None else f"in variant {a.owner}"
    return Diagnostic(codes.UNUSED_ACKNOWLEDGEMENT,
                      f"unused acknowledgement: no {name} ({a.code}) warning about {what} {where}",
                      a.span, Severity.WARNING, subjects=a.subjects,
                      hint="remove it, or check why the warning it expected no longer occurs")


# ---------------------------------------------------------------- KOV601: never enabled

def never_enabled(model, res: CheckResult) -> list[Diagnostic]:
    cov = res.stats.coverage
    if not complete(res) or len(cov) != len(model.actions):
        return []
    spec = spec_of(model)
    out = []
    for i, (a, c) in enumerate(zip(model.actions, cov)):
        if c.generated == 0:
            # a process step is also about its process: `acknowledge never_enabled P` covers its steps
            process = spec.actions[i].process if spec is not None else None
            out.append(Diagnostic(codes.UNUSED_ACTION, f"never enabled: {a.name}", a.origin, Severity.WARNING,
                                  subjects=(a.name,) + ((process,) if process else ()),
                                  hint="no reachable state enables it: check its guard (a `reachable` "
                                       "property stating what it needs turns this into a failing property)"))
    return out


# ---------------------------------------------------------------- KOV603, KOV604: vacuity

def vacuity(model, res: CheckResult) -> list[Diagnostic]:
    """Constant properties (always), and properties that hold only because a premise never
    fired (after a complete search, for properties that hold)."""
    va = getattr(model, "vacuity", None)
    if va is None:
        return []
    status = {p.name: p.status for p in res.properties}
    searched = complete(res) and res.premises_observed
    out = constant_warnings(model, set(status))
    for prop in va.properties:
        if prop.name in status and prop.constant is None and searched and status[prop.name] is Status.HOLDS:
            out += premise_warnings(prop, res)
    return out


def constant_warnings(model, checked: set[str] | None = None) -> list[Diagnostic]:
    """The properties the constants decide (KOV603 when that makes them hold, KOV604
    otherwise): known from the compiled model alone, before any search. `checked`: the
    names of the properties the search decides (None: all of the model's)."""
    va = getattr(model, "vacuity", None)
    if va is None:
        return []
    return [constant_warning(p, p.constant) for p in va.properties
            if p.constant is not None and (checked is None or p.name in checked)]


def constant_warning(prop: PropertyVacuity, c: Constant) -> Diagnostic:
    culprit = _text(c.culprit.origin)
    why = {"false": "is never true", "true": "is always true", "empty": "is always empty"}[c.why]
    holds = c.value if prop.kind != "reachable" else None
    notes = ("the constants alone decide it, before the search",) + _through(c.through)
    labels = _declared(prop, c.culprit.origin)
    if holds:
        return Diagnostic(codes.VACUOUS, f"vacuous: {prop.name} holds because '{culprit}' {why}",
                          c.culprit.origin, Severity.WARNING, labels, notes, subjects=(prop.name,),
                          hint="the property cannot fail in this variant: state what it should check "
                               "without the constant, or acknowledge it (`acknowledge vacuous "
                               f"{prop.name}`)")
    if prop.kind == "reachable":
        outcome = "is reached in every state" if c.value else "is never reached, whatever the state"
    elif prop.temporal:
        outcome = "fails for every behaviour"
    else:
        outcome = "is false in every state"
    return Diagnostic(codes.CONSTANT_PROPERTY, f"constant: {prop.name} {outcome}: '{culprit}' {why}",
                      c.culprit.origin, Severity.WARNING, labels, notes, subjects=(prop.name,),
                      hint="its outcome does not depend on the model: check the constants it reads, or "
                           f"acknowledge it (`acknowledge constant {prop.name}`)")


def premise_warnings(prop: PropertyVacuity, res: CheckResult) -> list[Diagnostic]:
    """One warning per premise never seen that no other unseen premise explains (the first
    never-true prefix of a conjunction; nothing nested under an unseen premise)."""
    unseen = [p for p in prop.premises if p.id not in res.premises_seen and p.id not in res.premises_failed]
    shown: list[Premise] = []
    for p in unseen:
        if any(_explains(q, p) for q in unseen if q is not p):
            continue
        shown.append(p)
    return [_premise_warning(prop, p) for p in shown]


def _explains(q: Premise, p: Premise) -> bool:
    """q never being true already explains p never being true."""
    if q.chain == p.chain:
        return q.position < p.position
    n = len(q.scope)
    if p.scope[:n] != q.scope:
        return False
    rest = p.scope[n:]
    if q.is_range:
        return True             # p lies inside q's binder (its last scope entry)
    guards = [e.cond for e in rest if isinstance(e, Guard) and e.positive]
    return all(any(c is g for g in guards) for c in q.conds)


def _premise_warning(prop: PropertyVacuity, p: Premise) -> Diagnostic:
    never, always = ("is true in no step", "is false in no step") if p.step else ("is never true", "is always true")
    if p.is_range:
        binder = next(e for e in reversed(p.scope) if isinstance(e, Bind))
        reason = f"'{_text(binder.domain.origin)}' is always empty"
    else:
        last = p.conds[-1]
        if isinstance(last, ir.Op) and _negated(last):  # an `if`'s else branch: its condition never fails
            reason = f"'{_text(last.args[0].origin)}' {always}"
        else:
            reason = f"'{_text(last.origin)}' {never}"
        if len(p.conds) > 1:
            reason += f" where '{_join(p.conds[:-1])}' holds"
    labels = _declared(prop, p.origin)
    return Diagnostic(codes.VACUOUS, f"vacuous: {prop.name} holds because {reason}", p.origin,
                      Severity.WARNING, labels, _through(p.through), subjects=(prop.name,),
                      hint="no reachable state tests what this condition guards: check it against the "
                           f"spec, or acknowledge it (`acknowledge vacuous {prop.name}`)")


def _declared(prop: PropertyVacuity, span) -> tuple:
    """A label at the property's declaration, unless the warning points at its line."""
    if not isinstance(prop.origin, Span):
        return ()
    if isinstance(span, Span) and span.source is prop.origin.source and span.line == prop.origin.line:
        return ()
    return ((prop.origin, "property declared here"),)


def _negated(e) -> bool:
    return isinstance(e, ir.Op) and e.op == "not" and e.origin is e.args[0].origin


def _join(conds) -> str:
    return _clip(" and ".join(_text(c.origin) for c in conds))


def _through(calls: tuple) -> tuple[str, ...]:
    return tuple(f"in the definition used at {c.location()}" for c in calls if isinstance(c, Span))


def _text(origin) -> str:
    if not isinstance(origin, Span):
        return "?"
    return _clip(" ".join(origin.text().split()))


def _clip(text: str) -> str:
    return text if len(text) <= _TEXT else text[:_TEXT - 3] + "..."


# ---------------------------------------------------------------- KOV606-KOV609: liveness

def fair_never_enabled(model, res: CheckResult) -> list[Diagnostic]:
    """A fairness declaration none of whose actions fired in a complete search."""
    cov = res.stats.coverage
    spec = spec_of(model)
    if spec is None or not complete(res) or len(cov) != len(model.actions):
        return []
    out = []
    for f in spec.fairness:
        if all(cov[i].generated == 0 for i in f.actions):
            names = tuple(dict.fromkeys(model.actions[i].name for i in f.actions))
            procs = tuple(dict.fromkeys(spec.actions[i].process for i in f.actions if spec.actions[i].process))
            out.append(Diagnostic(
                codes.FAIR_NEVER_ENABLED, f"fairness never enabled: `{f.text}` constrains nothing: "
                f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} never enabled", f.origin,
                Severity.WARNING, subjects=names + procs,
                hint="the temporal properties are checked as if it were not declared; check the actions' "
                     f"guards, or acknowledge it (`acknowledge never_enabled {names[0]}` says the action is "
                     "off on purpose, and covers this too)"))
    return out


_OBLIGATION = {
    "leads_to": "'{q}' already holds wherever '{p}' does",
    "eventually": "'{p}' holds in every initial state",
    "always_eventually": "'{p}' holds in every reachable state",
    "eventually_always": "'{p}' holds in every reachable state",
}


def liveness(model, res: CheckResult, vacuous: set[str]) -> list[Diagnostic]:
    """KOV607 and KOV608 for a suspect lasso; KOV609 for a temporal property whose obligation
    never opens (unless it is already vacuous: its premise never holds)."""
    spec = spec_of(model)
    temporal = {t.name: t for t in spec.temporals} if spec is not None else {}
    out = []
    for p in res.properties:
        t = temporal.get(p.name)
        if p.kind != "liveness" or t is None:
            continue
        if p.status is Status.VIOLATED and p.outside:
            out.append(_outside(model, p))
        if p.status is Status.VIOLATED and p.stutter:
            out.append(_stutter(p, t))
        if p.status is Status.HOLDS and p.trivial and p.name not in vacuous and complete(res):
            text = _OBLIGATION[t.kind].format(p=_text(t.p.origin), q=_text(t.q.origin) if t.q is not None else "")
            out.append(Diagnostic(
                codes.TRIVIAL_LIVENESS, f"trivial liveness: {p.name} holds without any behaviour needing "
                f"fairness: {text}", t.origin, Severity.WARNING, subjects=(p.name,),
                hint="no reachable state leaves it to what happens next: state it as an invariant, or "
                     f"check why the obligation never opens (`acknowledge trivial_liveness {p.name}`)"))
    return out


def _outside(model, p) -> Diagnostic:
    n = p.outside[0] + 1
    constraints = [q for q in model.spec.properties if q.kind == "constraint"]
    span = constraints[0].origin if constraints else p.origin
    names = ", ".join(q.name for q in constraints)
    return Diagnostic(
        codes.LOOP_OUTSIDE_CONSTRAINT,
        f"loop outside constraint: the counterexample of {p.name} loops through state {n}, which lies outside "
        f"the constraint {names}: the search did not explore its successors, so the loop may be an artefact",
        span, Severity.WARNING, labels=((p.origin, "property declared here"),) if isinstance(p.origin, Span) else (),
        notes=("a behaviour that leaves the constraint stutters there in the checked graph; in the model it "
               "would go on",), subjects=(p.name,),
        hint="widen the constraint until the loop stays inside it, or acknowledge it "
             f"(`acknowledge loop_outside_constraint {p.name}`)")


def _stutter(p, t) -> Diagnostic:
    n = p.trace.loop_start + 1 if p.trace is not None and p.trace.loop_start is not None else 0
    names = [a for a, _ in p.stutter]
    notes = []
    for a, holds in p.stutter:
        if holds is None:
            notes.append(f"`fair weak {a}` was not tried")
        elif holds:
            notes.append(f"declaring `fair weak {a}` makes {p.name} hold")
        else:
            notes.append(f"with `fair weak {a}`, {p.name} is still violated (by another behaviour)")
    changes = [a for a, holds in p.stutter if holds]
    verdict = (f"declaring {' or '.join(f'`fair weak {a}`' for a in changes)} changes the verdict" if changes
               else ("declaring it fair" if len(p.stutter) == 1 else "declaring any one of them fair")
               + " does not change the verdict")
    return Diagnostic(
        codes.UNFAIR_STUTTER,
        f"unfair stutter: the counterexample of {p.name} stutters in state {n} while {', '.join(names)} "
        f"{'is' if len(names) == 1 else 'are'} enabled without fairness; {verdict}", t.origin,
        Severity.WARNING, notes=tuple(notes), subjects=(p.name, *names),
        hint="if the system does take that step eventually, declare it fair; if not, the counterexample "
             f"is real: acknowledge it (`acknowledge unfair_stutter {p.name}`)")
