"""The fast path: the contract between the search and a model's generated hot loop.

Input: a model's optional `fast_path` capability (checker/compile/expand.py writes one for
every compiled spec). Output: the types both sides agree on: what the search asks for
(`ExpansionPlan`, one `Mode` each), the stores the generated code writes to
(engine/store.py), and what it returns (`DONE`, or the index of a state where an event
happened).

The protocol, for every mode:
- `fast_path.expander(plan)` (`router(plan)` for ROUTE) returns a function (or None: the
  model has none for this plan,
  and the general loop, engine/expansion.py, does the work) that expands the states
  `lo..hi-1` of its store in order, exactly as the general loop over `model.successors()`
  would: the same successors, counted for the same actions, stored in the same order.
- It handles the common case only. On anything rare (a state property fails or is
  witnessed, an action property fails, a deadlock, the state cap, a ModelError from the
  model's code) it returns the index of the state being expanded; the search undoes the
  whole chunk (the store's `mark`/`undo`) and runs it again through the general loop, which
  reports the event exactly. It adds its counts to the `Counters` only when it returns
  DONE, so an undone chunk leaves no count behind.
- Decided properties are not flagged (the plan lists the undecided ones) but are still
  evaluated, for their run-time errors alone: a property that cannot be evaluated is an
  event whether or not it was decided.

The modes (one generated function each; `Mode` names them):
- STORE: new successors are appended to a `StateStore` (state, parent id); `cap` is the
  state limit (-1: none).
- GRAPH: as STORE, and every transition that is not a self-loop is recorded in the store's
  `EdgeTable` as it is generated (models with temporal properties).
- CUT, CUT_GRAPH: the level at --max-depth: expanded as any other (counts, action
  properties, edges to states already seen, deadlocks), but a successor not seen before is
  not stored: its state counts as cut (`Counters.cuts`).
- ROUTE: a worker of a partitioned search (engine/parallel.py): a new successor `owner`
  assigns to this worker is stored in the `RoutedStore` (with its parent *state* and its
  action), one another worker owns goes to that worker's outbox. Distinct states are
  counted when their owner accepts them, not here.

`state_scanner(props)` is the second part of the fast path: a function `(states, start)`
returning the index of the first of states[start:] that a state property among `props`
flags (-1: none), for a worker checking the states it received.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from checker.engine.model import State

if TYPE_CHECKING:
    from checker.engine.store import Counters, RoutedStore, StateStore

DONE = -1       # an expander went through its chunk (any other value: the index of an event)


class Mode(enum.Enum):
    STORE = "store"
    GRAPH = "graph"
    CUT = "cut"
    CUT_GRAPH = "cut_graph"
    ROUTE = "route"

    @property
    def graph(self) -> bool:
        return self in (Mode.GRAPH, Mode.CUT_GRAPH)

    @property
    def cut(self) -> bool:
        return self in (Mode.CUT, Mode.CUT_GRAPH)


@dataclass(frozen=True, slots=True)
class ExpansionPlan:
    """What one generated expander does.

    state_props: indices (into the model's properties) of the invariants and reachable
    properties still undecided; transition: the action properties still undecided (a
    violation of one is an event; the others are evaluated for errors only); deadlock:
    a state without successors (and not terminal) is an event; canonical: replace each
    successor by its orbit's representative (the model's symmetry); observe_state,
    observe_transition: call the premise observers the model has installed (engine/
    observe.py) on each new state, each transition; compact: the store is a CompactStore
    (engine/store.py; STORE and CUT modes): a state is new when it is in neither its hot
    set nor (cold: the table holds states) its table; vector: the expander may expand a
    chunk at once with arrays (compile/vector.py) where the plan and the spec allow it.
    """

    mode: Mode = Mode.STORE
    state_props: tuple[int, ...] = ()
    transition: tuple[int, ...] = ()
    deadlock: bool = False
    canonical: bool = False
    observe_state: bool = False
    observe_transition: bool = False
    compact: bool = False
    cold: bool = False
    vector: bool = False

    def name(self) -> str:
        """An identifier naming the plan (the generated function's name)."""
        props = "_".join(map(str, self.state_props)) or "n"
        trans = "_".join(map(str, self.transition)) or "n"
        flags = "".join(str(int(f)) for f in (self.deadlock, self.canonical,
                                              self.observe_state, self.observe_transition,
                                              self.compact, self.cold, self.vector))
        return f"xp_{self.mode.value}_{props}_t{trans}_{flags}"


class Expander(Protocol):
    """STORE, GRAPH, CUT and CUT_GRAPH: expand store.states[lo:hi]; DONE or an event's index."""

    def __call__(self, store: StateStore, lo: int, hi: int, counters: Counters,
                 cap: int) -> int: ...


class RoutingExpander(Protocol):
    """ROUTE: expand store.states[lo:hi] of a worker; DONE or an event's index."""

    def __call__(self, store: RoutedStore, lo: int, hi: int, counters: Counters) -> int: ...


Scanner = Callable[[Sequence[State], int], int]


class FastPath(Protocol):
    """A model's generated hot loop (the module docstring is the contract)."""

    def expander(self, plan: ExpansionPlan) -> Expander | None:
        """The function for `plan` (any mode but ROUTE; compiled once per plan), or None."""

    def router(self, plan: ExpansionPlan) -> RoutingExpander | None:
        """The function for `plan` (mode ROUTE; compiled once per plan), or None."""

    def state_scanner(self, state_props: tuple[int, ...]) -> Scanner | None:
        """The scan for the first state a property among `state_props` flags, or None."""


# The partition of states among workers (engine/parallel.py), the same in every process and
# run: hash() of an int is its value modulo 2**61 - 1, independent of PYTHONHASHSEED, and the
# multiplication spreads packed states whose low bits vary little. Generated ROUTE
# expanders inline the same formula (OWNER_MIX, OWNER_SHIFT).
OWNER_MIX = 0x9E3779B97F4A7C15
OWNER_SHIFT = 29


def owner(state: State, workers: int) -> int:
    """The worker that stores `state`."""
    return ((hash(state) * OWNER_MIX) >> OWNER_SHIFT) % workers
