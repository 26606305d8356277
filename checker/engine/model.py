"""The Model protocol: what the explorer needs of a transition system, and nothing more.

The engine never imports the front end. A compiled `.kovn` spec (checker.compile) is one
Model; a Python class written by hand (models/peterson_model.py) is another.

States are hashable, immutable values whose equality is exact (compiled specs use one
Python int per state: the canonical packed encoding). Successors must be produced in a
deterministic order: the search order, the counts at a stop and the counterexamples all
follow from it.

A Model has required members (`Model` below) and optional capabilities, each declared here
with its meaning and its default (`ModelBase`, which a hand-written model subclasses and
overrides where it offers more):
- `temporal`, `fairness`: temporal properties and the fairness they are checked under
  (engine/liveness.py); a model without them is checked for safety only;
- `premises`, `observers()`: premises of the properties to observe (vacuity,
  engine/observe.py);
- `symmetry`: the canonical-representative function of symmetric sets (engine/symmetry.py);
- `is_terminal(state)`: a state without successors in which the model has finished (not a
  deadlock);
- `fast_path`: generated code for the search's hot loop (engine/fastpath.py describes the
  contract; checker/compile/expand.py writes it for compiled specs);
- `state_bits`: the states are non-negative ints below 2**state_bits (None: any hashable
  values); the search keeps states of at most 64 bits compactly (engine/store.py);
- `independence()`: which action instances commute, and which may change what a property
  reads, for partial-order reduction (engine/por.py); or why the model offers none.
The engine reads every capability from the model directly; none is looked up by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterable, Literal, Mapping, Protocol, Sequence

if TYPE_CHECKING:
    from checker.engine.fastpath import FastPath
    from checker.engine.por import Independence
    from checker.engine.observe import Observers
    from checker.engine.symmetry import Symmetry

State = Hashable
# An action instance: (index into Model.actions, parameter values). Parameter values are
# whatever the model uses (ints for compiled specs); format_label turns them into text.
Label = tuple[int, tuple[Any, ...]]

PropertyKind = Literal["invariant", "action", "reachable"]


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One action (all its parameter instances). `origin` is opaque to the engine (a span)."""

    name: str
    origin: Any = None


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    """A safety property the engine checks while it explores.

    invariant: must hold in every reachable state (checked on each new distinct state);
    action: must hold on every transition (checked on every generated transition);
    reachable: some reachable state must satisfy it (a witness must be found).
    """

    name: str
    kind: PropertyKind
    origin: Any = None


TemporalKind = Literal["always", "eventually", "always_eventually", "eventually_always",
                       "leads_to"]
FairnessStrength = Literal["weak", "strong"]


@dataclass(frozen=True, slots=True)
class TemporalInfo:
    """A temporal property, checked after the search over the whole state graph
    (checker.engine.liveness); the semantics of each kind is in docs/liveness.md.

    always P | eventually P | always eventually P | eventually always P | P leads to Q,
    once per instance (`forall i in S: ...` gives one instance per binding; a property
    without parameters has one instance, named ""). `p(state, k)` evaluates P for instance k,
    `q(state, k)` evaluates Q (leads_to only). A violation names the instance.
    """

    name: str
    kind: TemporalKind
    p: Callable[[State, int], bool]
    q: Callable[[State, int], bool] | None = None
    instances: tuple[str, ...] = ("",)
    origin: Any = None
    # a conjunction of formulas of different kinds: the kind of each instance (None: `kind`)
    kinds: tuple[TemporalKind, ...] | None = None

    def kind_at(self, k: int) -> TemporalKind:
        return self.kind if self.kinds is None else self.kinds[k]


@dataclass(frozen=True, slots=True)
class FairnessInfo:
    """One fairness declaration: weak or strong fairness of the transitions it groups.

    `group(label)` maps an action instance to the key of the fairness constraint it belongs
    to, or None when it belongs to none. Every distinct key is one constraint (TLA+'s
    WF_vars(A_key) or SF_vars(A_key), where A_key is the set of transitions whose label maps
    to key): one constant key for a whole action (or several actions: their union), the
    parameters for each action instance (`\\A i: WF_vars(A(i))`), the process's own id for
    each process instance. A self-loop is a stuttering step: it neither enables nor takes a
    constraint (TLA+'s <<A>>_vars).
    """

    strength: FairnessStrength
    group: Callable[[Label], Hashable | None]
    description: str = ""
    origin: Any = None


@dataclass(frozen=True, slots=True)
class PremiseInfo:
    """A condition some part of a property is evaluated under (a premise: checker/semantics/
    premises.py). The search records whether any stored state (`step` False) or generated
    transition (`step` True) makes it true; one that never does makes its property hold
    vacuously. `property`: the index into `properties` of the safety property it belongs to
    (its premises are no longer observed once it is violated), None for a temporal one."""

    property: int | None
    step: bool = False


class ModelError(Exception):
    """The model cannot evaluate something in a state (a spec error found at run time,
    such as reading a map at a key it does not hold). `origin` is opaque (a span)."""

    def __init__(self, message: str, origin: Any = None):
        super().__init__(message)
        self.message = message
        self.origin = origin


class Model(Protocol):
    """A transition system the engine can explore (the module docstring lists the optional
    capabilities; `ModelBase` gives each its default)."""

    # what a model is (read only: plain attributes satisfy them)
    @property
    def name(self) -> str: ...

    @property
    def actions(self) -> Sequence[ActionInfo]: ...

    @property
    def properties(self) -> Sequence[PropertyInfo]: ...

    @property
    def check_deadlock(self) -> bool: ...

    @property
    def has_action_properties(self) -> bool: ...

    @property
    def has_constraint(self) -> bool: ...

    # optional capabilities (defaults on ModelBase)
    @property
    def temporal(self) -> Sequence[TemporalInfo]: ...

    @property
    def fairness(self) -> Sequence[FairnessInfo]: ...

    @property
    def premises(self) -> Sequence[PremiseInfo]: ...

    @property
    def symmetry(self) -> Symmetry | None: ...

    @property
    def fast_path(self) -> FastPath | None: ...

    @property
    def state_bits(self) -> int | None: ...

    def init_states(self) -> Iterable[State]:
        """The initial states, in a deterministic order (duplicates allowed)."""

    def successors(self, state: State) -> Iterable[tuple[Label, State]]:
        """Every enabled action instance's successor, in a deterministic order.

        Duplicates and self-loops included: each (label, next) pair counts as one generated
        state, as TLC counts them. Called again on explored states when a trace is rebuilt by
        replay (checker.engine.trace), so it must give the same pairs in the same order on
        every call."""

    def check_state(self, state: State) -> Sequence[int]:
        """Indices (into `properties`) of the invariants this state violates and of the
        reachable properties it witnesses; empty in the common case. Called once per
        distinct state, when it is first stored (initial states included); not called at all
        when the model has no invariant or reachable property."""

    def check_transition(self, state: State, label: Label, nxt: State) -> Sequence[int]:
        """Indices of the action properties this transition violates (only called when
        `has_action_properties`). Called for every generated transition, including those
        that lead to a state already seen."""

    def within_constraint(self, state: State) -> bool:
        """False when the state lies outside the state constraint: it is counted and
        checked, but its successors are not explored (only called when `has_constraint`)."""

    def format_label(self, label: Label) -> str:
        """`RMPrepare(2)`: the action instance as a user reads it."""

    def describe(self, state: State) -> Mapping[str, Any]:
        """Variable name -> display value (plain Python data), in declaration order."""

    def describe_var(self, state: State, name: str) -> Any:
        """One variable's display value: `describe(state)[name]`, without describing the
        others (engine/prefer.py reads a budget variable on every transition)."""

    def is_terminal(self, state: State) -> bool:
        """A state without successors in which the model has finished (every process of a
        compiled spec at `done`): a normal end, not a deadlock. Asked only of states
        without successors, when deadlocks are checked."""

    def observers(self) -> Observers:
        """A fresh set of premise observers for one search (only called when `premises`
        is not empty; engine/observe.py describes the contract)."""

    def independence(self) -> Independence | str:
        """The static independence relation of the model's labels (engine/por.py), or why
        it has none (a reason the report shows). Asked only by a search with partial-order
        reduction."""


class ModelBase:
    """The defaults of a Model's optional members: a hand-written model subclasses this and
    sets or overrides what it offers (models/peterson_model.py)."""

    check_deadlock: bool = False
    has_action_properties: bool = False
    has_constraint: bool = False
    temporal: Sequence[TemporalInfo] = ()
    fairness: Sequence[FairnessInfo] = ()
    premises: Sequence[PremiseInfo] = ()
    symmetry: Symmetry | None = None
    fast_path: FastPath | None = None
    state_bits: int | None = None

    def check_state(self, state: State) -> Sequence[int]:
        return ()

    def check_transition(self, state: State, label: Label, nxt: State) -> Sequence[int]:
        return ()

    def within_constraint(self, state: State) -> bool:
        return True

    def describe_var(self, state: State, name: str) -> Any:
        model: Any = self           # a Model: describe is required of every one
        return model.describe(state)[name]

    def is_terminal(self, state: State) -> bool:
        return False

    def independence(self) -> Independence | str:
        return "the model declares no read and write sets"

    def observers(self) -> Observers:
        raise NotImplementedError(f"{type(self).__name__} declares premises but no observers()")
