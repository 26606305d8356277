"""Symmetry reduction: one canonical representative per orbit of states.

Input: what a model says about its symmetric sets (`Symmetry`, built for compiled specs by
checker/compile/symmetry.py): for each state, a signature per element of each set, and a
way to apply a permutation of the sets' elements to a state. Output: `Symmetry.canonical`,
which the search (engine/bfs.py) applies to every state before the seen-set lookup, and
`rebuild_symmetric_trace`, which turns a chain of representatives back into a real trace.

The canonical form (docs/performance.md, docs/adr/0030-performance.md):
- Each element e of a symmetric set gets a signature: an int made of everything the state
  says about e alone (the value of a map at key e, whether e is in a set, whether a
  variable holds e, ...). A permutation moves signatures with the elements, so sorting
  the elements by signature and renumbering them in that order gives the same state for
  every state of an orbit, as long as the signatures say everything the state says about
  the elements: `complete`. Then it costs one sort and one permutation, not n! of them.
- When they do not (the state relates two elements: a map from the set to itself, a set
  of pairs), the elements are still sorted by signature, and every order of the elements
  with equal signatures is tried; the least resulting state is the representative. The
  orders tried are the same for every state of an orbit, so this is exact too, at the cost
  of the product of the factorials of the tie sizes. Above `limit` permutations, only the
  first order is used: still sound (the representative is a permutation of the state, so
  in its orbit), but two states of one orbit may get different representatives; the
  number of such states is reported (`inexact`).
Either way the search stays sound: every state it stores is a permutation of a reachable
state, and every reachable state has a permutation among those stored.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Sequence

from checker.engine.model import Label, Model, ModelError, State
from checker.engine.result import Step, Trace

Perms = tuple[list[int], ...]       # per symmetric set: element ordinal -> new ordinal


class NoReduction(Exception):
    """Symmetry reduction does not pay for this model (the message says why): the search
    starts again without it (engine/bfs.py explore)."""


class Symmetry:
    """The canonical-representative function of one model's symmetric sets.

    names, sizes: the sets and their element counts. signature(state): per set, a list of
    one int per element. permute(state, perms): the state with the elements renumbered.
    complete: the signatures determine the state up to a permutation of equal-signature
    elements (see the module docstring). canonical: a faster function equal to `_sorted`,
    used when complete.
    """

    def __init__(self, names: Sequence[str], sizes: Sequence[int],
                 signature: Callable[[State], Sequence[Sequence[int]]],
                 permute: Callable[[State, Perms], State], complete: bool,
                 limit: int = 5040, canonical: Callable[[State], State] | None = None):
        self.names = tuple(names)
        self.sizes = tuple(sizes)
        self.signature = signature
        self.permute = permute
        self.complete = complete
        self.limit = limit
        self.inexact = 0            # states given a representative from one order only
        self.calls = 0              # representatives searched (_searched)
        self.tried = 0              # permutations applied by them
        # `canonical`: the model's own faster equivalent (compile/symmetry.py): of _sorted,
        # or, for incomplete signatures, of _sorted where no signatures tie and _searched
        # where some do
        self.canonical = canonical or (self._sorted if complete else self._searched)

    def _sorted(self, state: State) -> State:
        perms = []
        for sig in self.signature(state):
            order = sorted(range(len(sig)), key=sig.__getitem__)
            p = [0] * len(sig)
            for j, e in enumerate(order):
                p[e] = j
            perms.append(p)
        return self.permute(state, tuple(perms))

    def _searched(self, state: State) -> State:
        choices = []        # per set: the element orders to try (as perms)
        count = 1
        for sig in self.signature(state):
            order = sorted(range(len(sig)), key=sig.__getitem__)
            classes = [list(g) for _, g in itertools.groupby(order, key=sig.__getitem__)]
            count *= math.prod(math.factorial(len(c)) for c in classes)
            choices.append(classes)
        self.calls += 1
        if not self.calls & 63 or count > _PAYS:
            why = self.pays()
            if why is not None:
                raise NoReduction(why)
        if count == 1:          # no ties: one order; the state itself when it is in order
            self.tried += 1
            perms = tuple(_perm(list(itertools.chain(*cs))) for cs in choices)
            if all(p == sorted(p) for p in perms):
                return state
            return self.permute(state, perms)
        if count > self.limit:
            self.inexact += 1
            self.tried += 1
            return self.permute(state, tuple(_perm(list(itertools.chain(*cs))) for cs in choices))
        self.tried += count
        best: Any = None       # states of a model with symmetry are ordered (ints, compiled)
        for perms in itertools.product(*(_orders(cs) for cs in choices)):
            t = self.permute(state, perms)
            if best is None or t < best:
                best = t
        found: State = best
        return found


    def pays(self) -> str | None:
        """None while the reduction is worth its cost; else why not. Trying k orders of a
        state costs about what k states of the unreduced search would, and saves at most
        the other states of its orbit: once the searched representatives have cost more
        than _PAYS permutations each on average (judged after _WARMUP of them, or
        _WARMUP_TRIED permutations), or more than one in
        a hundred had to be inexact, the search does better without symmetry."""
        if self.complete or (self.calls < _WARMUP and self.tried < _WARMUP_TRIED):
            return None
        per_state = self.tried / self.calls
        if per_state > _PAYS:
            return (f"finding a representative took {per_state:,.0f} permutations per state, "
                    f"more than the states of an orbit it could save")
        if self.inexact * 100 > self.calls:
            return f"{self.inexact:,} of {self.calls:,} states had too many ties to find their representative"
        return None


_WARMUP = 2000      # representatives searched before pays() judges,
_WARMUP_TRIED = 200_000     # or permutations tried (about a second's work)
_PAYS = 24          # permutations per state a searched representative may cost on average


def _orders(classes: list[list[int]]) -> list[list[int]]:
    """Every order of the elements that keeps the classes in sequence, as perms."""
    out = []
    for parts in itertools.product(*(itertools.permutations(c) for c in classes)):
        out.append(_perm(list(itertools.chain(*parts))))
    return out


def _perm(order: list[int]) -> list[int]:
    """order[j] = the element that goes to position j  ->  p[element] = position."""
    p = [0] * len(order)
    for j, e in enumerate(order):
        p[e] = j
    return p


# ---------------------------------------------------------------- traces

_NOT_REPLAYED = ("cannot rebuild the trace under symmetry: {what}. Either the model's successors "
                 "are not deterministic, or its states are not symmetric under the declared "
                 "symmetry (a bug in the symmetry check).")


def rebuild_symmetric_trace(model: Model, chain: Sequence[State], canonical: Callable[[State], State],
                            label: Label | None = None, nxt: State = None) -> Trace:
    """A real trace of the model along a chain of representatives (initial one first).

    The search stored representatives, which need not be states of one behaviour. This
    replays the model from a real initial state, taking at each step the first successor
    whose representative is the next one of the chain: a successor of a permuted state is
    a permuted successor, so one always exists. The trace ends in a permutation of the
    chain's last state, which violates the same (symmetric) properties. With `label`
    (a finding on a transition of the last representative), the last step is the first
    transition of the same action whose successor has the representative of `nxt` and
    that the model's action properties flag (if it has any).
    """
    first = next((s for s in model.init_states() if canonical(s) == chain[0]), None)
    if first is None:
        raise RuntimeError(_NOT_REPLAYED.format(what="no initial state has the first representative"))
    steps = [Step(None, None, first)]
    cur = first
    for index in range(1, len(chain)):
        found = _step_to(model, cur, canonical, chain[index], None)
        if found is None:
            raise RuntimeError(_NOT_REPLAYED.format(what=f"no successor of step {index} has the "
                                                         "next representative"))
        lab, cur = found
        steps.append(Step(lab, model.format_label(lab), cur))
    if label is not None:
        found = _step_to(model, cur, canonical, canonical(nxt), label[0])
        if found is None:
            raise RuntimeError(_NOT_REPLAYED.format(what="the violating transition has no counterpart"))
        lab, t = found
        steps.append(Step(lab, model.format_label(lab), t))
    return Trace(tuple(steps))


def _step_to(model: Model, state: State, canonical: Callable[[State], State], target: State,
             action: int | None) -> tuple[Label, State] | None:
    check = model.check_transition if action is not None and model.has_action_properties else None
    for lab, t in model.successors(state):
        if action is not None and lab[0] != action:
            continue
        if canonical(t) != target:
            continue
        if check is not None:
            try:
                if not check(state, lab, t):
                    continue
            except ModelError:
                pass            # the failure itself is the finding
        return lab, t
    return None
