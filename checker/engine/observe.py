"""Premise tracking during a search: which premises (vacuity) some state or step made true.

Input: a Model with `premises` (PremiseInfo) and `observers()`. Output: the premises seen
true, and those whose evaluation failed, when the search ends (CheckResult.premises_seen,
premises_failed); a model without premises costs nothing.

The contract of the object `model.observers()` returns (a fresh one per search):
- `seen`, `failed`: byte sequences indexed by premise, set to 1 by the observers when a
  premise holds, or when evaluating it failed;
- `install(pending)`: make `state(w)` and `transition(s, t)` observe exactly the premises in
  `pending` (each None when no pending premise is of its kind). A model that generates its
  own search loop (level_expander) calls the installed functions from it.

The search calls `sync()` between chunks: premises seen since are dropped from the pending
set and the observers are replaced by smaller ones, so a premise costs nothing once it has
been seen, and a search with nothing left to observe calls no observer at all. The premises
of a safety property stop being observed once the property is violated: a violated
property is not vacuous.
"""
from __future__ import annotations

from typing import Callable, Iterable, MutableSequence, Protocol

from checker.engine.model import Model, State


StateObserver = Callable[[State], None]
StepObserver = Callable[[State, State], None]


class Observers(Protocol):
    """The premise observers of one search (the contract is in the module docstring)."""

    @property
    def seen(self) -> MutableSequence[int]: ...

    @property
    def failed(self) -> MutableSequence[int]: ...

    @property
    def state(self) -> StateObserver | None: ...

    @property
    def transition(self) -> StepObserver | None: ...

    def install(self, pending: frozenset[int]) -> None: ...


class PremiseTracker:
    def __init__(self, model: Model | None):
        """`model` None: nothing is observed (CheckOptions.premises off)."""
        self.infos = tuple(model.premises) if model is not None else ()
        self.observers: Observers | None = model.observers() if model is not None and self.infos else None
        self.decided: set[int] = set()
        self.pending: frozenset[int] = frozenset()
        self.state: StateObserver | None = None
        self.transition: StepObserver | None = None
        # which kinds of premise the model has at all: a generated search loop calls the
        # observers of those kinds while they are installed (not None)
        self.kinds = (any(not p.step for p in self.infos), any(p.step for p in self.infos))
        if self.observers is not None:
            self._install(frozenset(range(len(self.infos))))
        else:
            self.kinds = (False, False)

    def _install(self, pending: frozenset[int]) -> None:
        assert self.observers is not None
        self.pending = pending
        self.observers.install(pending)
        self.state = self.observers.state
        self.transition = self.observers.transition

    def sync(self) -> None:
        """Drop the premises seen (or of decided properties) from the pending set."""
        if not self.pending or self.observers is None:
            return
        seen = self.observers.seen
        pending = frozenset(i for i in self.pending
                            if not seen[i] and self.infos[i].property not in self.decided)
        if pending != self.pending:
            self._install(pending)

    def decide(self, prop: int) -> None:
        """Property `prop` is violated: its premises no longer matter."""
        if self.observers is not None and prop not in self.decided:
            self.decided.add(prop)
            self.sync()

    def merge(self, seen: Iterable[int], failed: Iterable[int]) -> None:
        """Observations made elsewhere (a worker process of engine/parallel.py)."""
        if self.observers is None:
            return
        for i in seen:
            self.observers.seen[i] = 1
        for i in failed:
            self.observers.failed[i] = 1
        self.sync()

    def snapshot(self) -> tuple[bytes, bytes]:
        """The observations so far (seen, failed), for a checkpoint (engine/checkpoint.py)."""
        if self.observers is None:
            return b"", b""
        return bytes(self.observers.seen), bytes(self.observers.failed)

    def restore(self, seen: bytes, failed: bytes, decided: frozenset[int]) -> None:
        """Go on from a checkpoint's observations."""
        if self.observers is None:
            return
        for i, v in enumerate(seen):
            self.observers.seen[i] = v
        for i, v in enumerate(failed):
            self.observers.failed[i] = v
        self.decided = set(decided)
        self._install(frozenset(i for i in range(len(self.infos))
                                if not self.observers.seen[i] and self.infos[i].property not in self.decided))

    def result(self) -> tuple[frozenset[int], frozenset[int]]:
        """(premises seen true, premises never seen whose evaluation failed)."""
        if self.observers is None:
            return frozenset(), frozenset()
        seen = frozenset(i for i, v in enumerate(self.observers.seen) if v)
        failed = frozenset(i for i, v in enumerate(self.observers.failed) if v) - seen
        return seen, failed
