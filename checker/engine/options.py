"""Options for one exploration: limits and what to stop on.

Input: built by the caller (the CLI merges its flags into one `CheckOptions`).
Output: read by `checker.engine.bfs.explore`.
"""
from __future__ import annotations

from dataclasses import dataclass


VECTOR_FROM = 1 << 14      # states stored before a search expands chunks with arrays (ADR 0061)


@dataclass(frozen=True, slots=True)
class Checkpointing:
    """Where and how often to write checkpoints.

    directory: where the images go (one file per variant: `name`);
    every: seconds between two checkpoints (0: at every level boundary); a final one is
        written when the search ends, however it ends (a limit, Ctrl-C, SIGTERM);
    name: the variant's file name (without suffix);
    identity: (part, digest) pairs that an image must match to be resumed."""

    directory: str
    every: float
    name: str
    identity: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How far and how long to search.

    Attributes:
        max_states: stop before storing more than this many distinct states.
        max_depth: store and check states up to this BFS level (initial states are level 1)
            but do not expand states at that level.
        timeout: wall-clock budget in seconds, for every phase of the search (the initial
            states, each state's successors, the liveness check: engine/budget.py).
        max_memory: the most memory (bytes) the process, with its search workers, may use;
            None: no cap but the address-space limit, if any (engine/budget.py).
        check_deadlock: report states without successors; None defers to the model's
            own `check_deadlock`.
        stop_on_violation: end the search at the first violated property instead of
            searching on so every property gets its own verdict.
        progress_interval: seconds between two progress reports (when a reporter is given).
        premises: observe the premises of the properties (vacuity, engine/observe.py);
            False skips it (the result then has none seen, and says nothing of vacuity).
        checkpoint: write checkpoints (engine/checkpoint.py) there, that often; None: none.
        complete: search on when every property is decided, to the end (what is never
            enabled, never true, is then known: `check --strict`).
        compact_from: keep the states of older levels in a compact table (engine/store.py
            CompactStore: about 30 bytes a state instead of 100) once this many states are
            stored; None: never. Exact either way: the same counts, states and traces.
        vector_from: expand a level in chunks of states at once, with arrays (compile/
            vector.py, ADR 0061), once this many states are stored, where the spec's code
            allows it; None: never. Exact either way: the same counts, states and traces.
        por: partial-order reduction (engine/por.py, ADR 0034) where it is sound; the
            result says whether it ran and why not.
        fingerprints: keep the states of older levels as 64-bit fingerprints (engine/
            store.py FingerprintStore, TLC's way) when they are wider than 64 bits; not
            exact: the result gives the probability of a collision, or why none were kept.
    """

    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    check_deadlock: bool | None = None
    stop_on_violation: bool = False
    progress_interval: float = 3.0
    premises: bool = True
    complete: bool = False
    compact_from: int | None = 1 << 21
    vector_from: int | None = VECTOR_FROM
    checkpoint: Checkpointing | None = None
    por: bool = False
    fingerprints: bool = False

    def __post_init__(self) -> None:
        # Reject nonsense early: a max_depth of 0 or a negative timeout would otherwise give
        # an "incomplete" run that says nothing about why.
        if self.max_states is not None and self.max_states < 0:
            raise ValueError(f"max_states must be >= 0, got {self.max_states}")
        if self.max_depth is not None and self.max_depth < 1:
            raise ValueError(f"max_depth must be >= 1, got {self.max_depth}")
        if self.timeout is not None and not self.timeout > 0:     # NaN too
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")
        if self.max_memory is not None and self.max_memory <= 0:
            raise ValueError(f"max_memory must be > 0 bytes, got {self.max_memory}")
        if self.compact_from is not None and self.compact_from < 0:
            raise ValueError(f"compact_from must be >= 0, got {self.compact_from}")
        if self.vector_from is not None and self.vector_from < 0:
            raise ValueError(f"vector_from must be >= 0, got {self.vector_from}")
        if self.progress_interval <= 0:
            raise ValueError(f"progress_interval must be > 0, got {self.progress_interval}")
