"""The protocol between a compiled model and trace analysis (and the renderers).

Input: any engine Model. Output: `spec_source(model)`: the model as a `SpecSource` when it
was compiled from a spec (checker/compile/model.py SpecModel provides it), else None: a
model written in Python has no spec to analyse, and its traces are drawn without reads.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from checker.engine.model import State
from checker.ir import nodes as ir


@runtime_checkable
class SpecSource(Protocol):
    """What trace analysis needs of a compiled model: the IR of its variant, its states as
    the reference interpreter's plain values, and the bound its search put on the solutions
    of `choose ... where` (the analysis re-runs steps, and must fail where the search did)."""

    spec: ir.SpecIR

    def plain_state(self, state: State) -> dict[str, Any]:
        """{variable name: plain value} (checker/ir/plain.py) of a state of the model."""

    @property
    def max_solutions(self) -> int: ...


def spec_source(model: object) -> SpecSource | None:
    """`model` when it is compiled from a spec, else None."""
    return model if isinstance(model, SpecSource) else None


def spec_of(model: object) -> ir.SpecIR | None:
    """The IR of a model compiled from a spec, else None (a model written in Python)."""
    source = spec_source(model)
    return source.spec if source is not None else None
