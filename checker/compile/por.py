"""A compiled variant's independence relation, for partial-order reduction (ADR 0034).

Input: one variant's `ir.SpecIR` and a closed-expression evaluator (model.py). Output: the
engine's `Independence` (engine/por.py) over every label (action instance) the variant can
produce, or the reason there is none (a string the report shows).

Every label is enumerated: an action's parameters range over their domains when these are
constant, over their whole type otherwise (a label whose values lie outside its domain in a
state is simply disabled there; what the domain reads is among what the label reads, so
whatever changes it is one of its enablers). Each label's footprint (ir/footprint.py) gives
its reads and writes; every label also reads what the state constraint reads (a state
outside it has no successors). Places read by an invariant, an action property, a
`reachable` property (premises are parts of these) make a label writing them visible.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

from checker.engine.por import Independence
from checker.ir import nodes as ir
from checker.ir.footprint import Footprint, Place, action_footprint, expr_reads, overlap
from checker.ir.walk import closed
from checker.semantics import types as T

MAX_LABELS = 4096       # more action instances than this: no reduction (the relation is quadratic)
_MAX_DOMAIN = 512       # values tried for one parameter whose domain is not constant


def independence(spec: ir.SpecIR, evaluate: Callable[[ir.E], Any]) -> Independence | str:
    labels: list[tuple] = []
    for i, a in enumerate(spec.actions):
        combos = _instances(a, evaluate)
        if isinstance(combos, str):
            return combos
        labels += [(i, c) for c in combos]
        if len(labels) > MAX_LABELS:
            return f"more than {MAX_LABELS} action instances"
    constraint: frozenset[Place] = frozenset()
    visible: frozenset[Place] = frozenset()
    for p in spec.properties:
        reads = expr_reads(spec, p.expr, evaluate)
        if p.kind == "constraint":
            constraint |= reads
        else:
            visible |= reads
    prints = [action_footprint(spec, spec.actions[i], values, evaluate) for i, values in labels]
    prints = [Footprint(f.reads | constraint, f.writes) for f in prints]
    return relation(labels, prints, visible)


def relation(labels: list[tuple], prints: list[Footprint], visible: frozenset[Place]) -> Independence:
    """The bitsets of engine/por.py from each label's footprint."""
    readers, writers = _Places(), _Places()
    for k, f in enumerate(prints):
        for p in f.reads:
            readers.add(p, k)
        for p in f.writes:
            writers.add(p, k)
    enablers, dependent = [], []
    for k, f in enumerate(prints):
        e = 0
        for p in f.reads:
            e |= writers.touching(p)
        d = e | 1 << k
        for p in f.writes:
            d |= readers.touching(p) | writers.touching(p)
        enablers.append(e)
        dependent.append(d)
    vis = 0
    for p in visible:
        vis |= writers.touching(p)
    return Independence({label: k for k, label in enumerate(labels)}, tuple(dependent), tuple(enablers), vis)


class _Places:
    """Labels by the places they touch, to find those touching an overlapping place."""

    def __init__(self) -> None:
        self.by_var: dict[int, dict[Place, int]] = {}   # var -> place -> labels touching it
        self.everything = 0                             # labels touching every place

    def add(self, p: Place, k: int) -> None:
        if p[0] == -1:
            self.everything |= 1 << k
            return
        places = self.by_var.setdefault(p[0], {})
        places[p] = places.get(p, 0) | 1 << k

    def touching(self, p: Place) -> int:
        """The labels touching a place that overlaps p."""
        out = self.everything
        if p[0] == -1:
            for places in self.by_var.values():
                for m in places.values():
                    out |= m
            return out
        for q, m in self.by_var.get(p[0], {}).items():
            if overlap(p, q):
                out |= m
        return out


def _instances(a: ir.ActionIR, evaluate: Callable[[ir.E], Any]) -> list[tuple] | str:
    """Every tuple of parameter values of action `a` (as the generated code builds its
    labels), or why they cannot be listed."""
    domains = []
    for p in a.params:
        values = _domain(p, evaluate)
        if values is None:
            return f"the parameter {p.display} of {a.name} ranges over too many values"
        domains.append(values)
    return [tuple(c) for c in itertools.product(*domains)]


def _domain(p: ir.ParamIR, evaluate: Callable[[ir.E], Any]) -> list | None:
    dom = p.domain.t
    assert isinstance(dom, T.SetT), dom
    elem = dom.elem
    if closed(p.domain):
        if isinstance(p.domain, ir.TypeSet):
            return _all_values(elem)
        try:
            value = evaluate(p.domain)
        except Exception:           # noqa: BLE001 - fails at run time too: the search reports it
            return _all_values(elem)
        if isinstance(value, frozenset):
            return sorted(value)
        return [T.from_ordinal(elem, o) for o in T.bits(value)]
    return _all_values(elem)


def _all_values(t: T.Type) -> list | None:
    if not T.finite(t) or T.size(t) > _MAX_DOMAIN:
        return None
    return [T.from_ordinal(t, o) for o in range(T.size(t))]
