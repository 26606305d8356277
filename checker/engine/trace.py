"""Rebuild counterexample traces by replaying the model.

Input: a chain of states from an initial state to the target (the parent chain a search
stored: engine/store.py).
Output: a `Trace` whose steps carry the action instance that led to each state.

The explorer stores only parents, not actions, to keep memory per state small. The
action of each step is found again by replaying: among the successors of a state, the first
one equal to the next state of the chain. This needs a deterministic model, as Stateright's
`path.rs` does; a mismatch raises a RuntimeError that names the usual cause.
"""
from __future__ import annotations

from typing import Sequence

from checker.engine.model import Label, Model, State
from checker.engine.result import Step, Trace

_NONDETERMINISTIC = (
    "cannot rebuild the trace: {what}. The model's successor function is not deterministic: "
    "called twice on the same state it must return the same (label, next state) pairs in the "
    "same order. The usual cause is iterating a set or dict whose order depends on "
    "PYTHONHASHSEED, or successors that read mutable state outside the state value."
)


def rebuild_trace(model: Model, chain: Sequence[State]) -> Trace:
    """Replay `chain` (initial state first) through `model` into a `Trace`.

    The first step has label None. For each consecutive pair (a, b) the step's label is the
    first label of `model.successors(a)` whose next state equals b.
    Raises RuntimeError if chain[0] is not an initial state or some b is not a successor of
    its a: the model does not produce the same successors on replay.
    """
    if not chain:
        raise ValueError("cannot rebuild a trace from an empty chain of states")
    first = chain[0]
    if not any(s == first for s in model.init_states()):
        raise RuntimeError(_NONDETERMINISTIC.format(
            what="the first state of the chain is not among the initial states on replay"))
    steps = [Step(None, None, first)]
    for index in range(1, len(chain)):
        label = _label_between(model, chain[index - 1], chain[index], index)
        steps.append(Step(label, model.format_label(label), chain[index]))
    return Trace(tuple(steps))


def extend_trace(model: Model, trace: Trace, label: Label, state: State) -> Trace:
    """`trace` followed by one more step, taken by the known action instance `label`.

    Used for transition-level findings (action properties), where the label matters: replay
    alone would pick the first action reaching `state`, perhaps not the violating one.
    """
    return Trace(trace.steps + (Step(label, model.format_label(label), state),))


def _label_between(model: Model, a: State, b: State, index: int) -> Label:
    for label, nxt in model.successors(a):
        if nxt == b:
            return label
    raise RuntimeError(_NONDETERMINISTIC.format(
        what=f"step {index + 1} of the trace is no longer a successor of step {index} on replay"))
