"""Partial-order reduction: which successors of a state the search may leave out (ADR 0034).

Input: a model's `Independence` (which action instances may touch the same state, and which
may change what a property reads: checker/compile/por.py computes it from the IR's read and
write sets, checker/ir/footprint.py) and, for each state the search expands, its transitions.
Output: the transitions whose targets the search stores (an ample set), or None: all of
them (the state is expanded fully); and the figures of the run (`PorFigures`).

The ample set is a strong stubborn set (Valmari), computed from static relations between
labels (action instances), each a bitset over the model's labels:
- dependent[x]: the labels that may write what x reads or writes, or read what x writes
  (x included). Labels outside it commute with x and neither enables nor disables x.
- enablers[x]: the labels that may write anything x reads: x's guards, its parameters'
  domains and its body all depend on what it reads, so a disabled x can only become
  enabled (and an enabled x disabled) through one of these.
From one enabled label (the seed), the set T closes under: an enabled x in T brings
dependent[x], a disabled one enablers[x]. The candidate is T's enabled labels; every
enabled label is tried as the seed and the candidate with the fewest labels wins (the
lowest seed on a tie: deterministic). Then the conditions of the ample-set method:
- C0: the candidate is not empty (it holds its seed), so a state has successors in the
  reduced search exactly when it has some in the full one.
- C1: no label outside T can, on any path from the state, enable, disable or fail to
  commute with a label of the candidate before one of the candidate's labels is taken
  (the stubborn-set closure guarantees it; C0 + C1 preserve every deadlock).
- C2: a candidate smaller than the enabled set holds no visible label (one that may write a
  place some invariant, action property, `reachable` property or premise reads).
- C3 (the search's part, `select`): if a target of the candidate is already stored, the
  state is expanded fully. In a breadth-first search a state that is not fully expanded
  then has edges only to states stored after it (higher ids), so every cycle of the
  reduced graph holds a fully expanded state: no transition is ignored forever.
Candidates are cached per enabled set (many states share one).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from checker.engine.model import Label, Model, State
from checker.engine.options import CheckOptions

_CACHE = 1 << 16        # enabled sets remembered with their ample set


class NoPartialOrder(Exception):
    """The reduction cannot be trusted for this model after all: the search runs again in
    full (engine/bfs.py). The message says why."""


@dataclass(frozen=True, slots=True)
class Independence:
    """A model's static independence relation (see the module docstring); `index` numbers
    every label the model can produce (a label it does not hold: that state is expanded
    fully)."""

    index: Mapping[Label, int]
    dependent: tuple[int, ...]
    enablers: tuple[int, ...]
    visible: int


@dataclass(frozen=True, slots=True)
class PorFigures:
    """What the reduction did: states expanded by a proper ample set (`reduced`), and fully
    (`full`: no smaller candidate, C2 or C3 refused one, or a label the relation does not
    know); `proviso`: of the full ones, those C3 (the cycle proviso) made full."""

    reduced: int
    full: int
    proviso: int


def reduction(model: Model, options: CheckOptions) -> Independence | str:
    """The relation to reduce `model` by, or why its search runs in full (ADR 0034)."""
    if model.temporal:
        return "temporal properties: they are checked on the full state graph"
    if model.symmetry is not None:
        return "symmetry reduction in use"
    if options.checkpoint is not None:
        return "checkpoints resume the full search"
    if options.complete:
        return "--strict judges never-enabled actions and vacuity, which need every state"
    relation = getattr(model, "independence", None)     # a model may implement the protocol bare
    return relation() if relation is not None else "the model declares no read and write sets"


class Reducer:
    """The ample sets of one search (not shared between searches: it counts)."""

    def __init__(self, ind: Independence):
        self.ind = ind
        self.cache: dict[int, int] = {}
        self.reduced = 0
        self.full = 0
        self.proviso = 0

    def figures(self) -> PorFigures:
        return PorFigures(self.reduced, self.full, self.proviso)

    def select(self, pairs: Sequence[tuple[Label, State]], seen: Any,
               canonical: Callable[[State], State] | None = None) -> list[bool] | None:
        """For each transition of a state (in order), whether the search follows it; None:
        all of them (the state is expanded fully)."""
        index = self.ind.index
        bits = []
        enabled = 0
        for label, _ in pairs:
            b = index.get(label)
            if b is None:
                self.full += 1
                return None
            bits.append(b)
            enabled |= 1 << b
        ample = self.cache.get(enabled)
        if ample is None:
            if len(self.cache) >= _CACHE:
                self.cache.clear()
            ample = self.cache[enabled] = self.ample(enabled)
        if ample == enabled:
            self.full += 1
            return None
        keep = [bool(ample >> b & 1) for b in bits]
        for k, (_, t) in zip(keep, pairs):
            if k and (t if canonical is None else canonical(t)) in seen:
                self.full += 1          # C3: the state may close a cycle of the reduced graph
                self.proviso += 1
                return None
        self.reduced += 1
        return keep

    def ample(self, enabled: int) -> int:
        """The smallest invisible stubborn candidate over the enabled labels (a bitset), or
        `enabled` itself."""
        dep, ena, visible = self.ind.dependent, self.ind.enablers, self.ind.visible
        best, best_n = enabled, enabled.bit_count()
        if best_n <= 1:
            return enabled
        for seed in _bits(enabled):
            t = 1 << seed
            todo = [seed]
            while todo and t & enabled != enabled:
                x = todo.pop()
                more = (dep[x] if enabled >> x & 1 else ena[x]) & ~t
                if more:
                    t |= more
                    todo.extend(_bits(more))
            a = t & enabled
            if a == enabled or a & visible:
                continue
            n = a.bit_count()
            if n < best_n:
                best, best_n = a, n
                if n == 1:
                    break
        return best


def _bits(m: int) -> list[int]:
    out = []
    while m:
        low = m & -m
        out.append(low.bit_length() - 1)
        m ^= low
    return out
