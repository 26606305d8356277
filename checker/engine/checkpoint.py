"""Checkpoints: a search's state at a level boundary, on disk, and back (`--checkpoint`,
`--resume`; docs/scale.md, ADR 0060).

Input: the schedulers' state at a level boundary (engine/bfs.py: its `StateStore`, its
`Counters`, its `Findings` and premises; engine/parallel.py and engine/ray.py: each
worker's owned states with their parents and its frontier, and the coordinator's trace
book). Output: an `Image`, written to one file per variant in a directory, atomically;
read back by `load`, which says why a file cannot be used (`CheckpointError`).

What a checkpoint holds, and why at a level boundary only: between two levels a
breadth-first search is fully described by its stored states (the seen set is exactly
them: kovn keeps states whole, ADR 0001), the parent of each, the frontier (the last
level), the counts so far and the first finding of each property. A state in the middle of
a level would need the half-expanded level too; instead a search that stops mid-level
writes the image of the boundary before it (the one-process search rolls back to it; the
partitioned searches finish the level, then their workers leave its states out), so the
image on disk is always one an uninterrupted search passes through, and a resumed search
reaches the same final counts.

Atomic: the image is written to a temporary file in the same directory, flushed to disk
and renamed over the previous one (a rename is atomic on POSIX), so a crash, a kill -9 or
a full disk while writing leaves the previous checkpoint intact.

Identity: every image carries the `identity` of the run that wrote it (the spec's text,
the constants, the variant, kovn's version, the options that change the answer: computed
by the caller, checker/api.py); `load` refuses an image whose identity differs and names
the parts that differ.
"""
from __future__ import annotations

import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.engine.findings import Finding, Findings
from checker.engine.model import State
from checker.engine.observe import PremiseTracker
from checker.engine.options import Checkpointing
from checker.engine.store import Counters

FORMAT = 1                  # the layout of an Image; an image of another format is refused
SUFFIX = ".kovnckpt"


class CheckpointError(Exception):
    """A checkpoint that cannot be used (missing, unreadable, or from another run)."""


@dataclass(slots=True)
class Image:
    """A search at a level boundary (module docstring).

    kind: "serial" (engine/bfs.py: `states` in id order, `parents` ids, the frontier the
        ids `lo`..len(states)-1, `edges` the edge table of states 0..lo-1 for liveness) or
        "partitioned" (engine/parallel.py, engine/ray.py: `owned` maps every stored state to
        its parent state, `frontier` lists the last level in one process's order;
        `states`/`parents` are the
        coordinator's trace book, its first `initial` entries the initial states);
    depth: the levels holding a state so far; init_generated, generated, distinct: the
        counts; found: the first finding of each property key; undecided: the keys left;
    premises_seen, premises_failed, premises_decided: the premise observations;
    symmetry_off: why the search does not reduce by the model's symmetry (None: it does);
    seconds: the search time so far."""

    identity: tuple[tuple[str, str], ...]
    kind: str
    states: list[State]
    parents: list[int]
    lo: int
    initial: int
    depth: int
    init_generated: int
    generated: list[int]
    distinct: list[int]
    found: dict[int, Finding]
    undecided: int
    premises_seen: bytes
    premises_failed: bytes
    premises_decided: frozenset[int]
    symmetry_off: str | None
    seconds: float
    edges: tuple[Any, ...] | None = None
    owned: dict[State, State | None] = field(default_factory=dict)
    frontier: list[State] = field(default_factory=list)
    workers: int = 1
    format: int = FORMAT

    @property
    def frontier_size(self) -> int:
        return len(self.states) - self.lo if self.kind == "serial" else len(self.frontier)

    @property
    def stored(self) -> int:
        return len(self.states) if self.kind == "serial" else len(self.owned)

    def restore_progress(self, counters: Counters, findings: Findings, premises: PremiseTracker) -> None:
        """Put the counts, the findings and the premises seen back where a search keeps them
        (the serial search and the coordinator of the partitioned one alike)."""
        counters.generated[:] = self.generated
        counters.distinct[:] = self.distinct
        findings.found = dict(self.found)
        findings.undecided = self.undecided
        premises.restore(self.premises_seen, self.premises_failed, self.premises_decided)


def path_of(directory: str, name: str) -> Path:
    """The file of variant `name` (characters a file name cannot hold replaced)."""
    return Path(directory) / (re.sub(r"[^A-Za-z0-9_.-]", "_", name) + SUFFIX)


def write(config: Checkpointing, image: Image) -> Path:
    """Write `image` atomically (module docstring); return the file."""
    target = path_of(config.directory, config.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            pickle.dump(image, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    try:        # the rename itself on disk (a directory cannot be opened everywhere)
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    return target


def load(directory: str, name: str, identity: tuple[tuple[str, str], ...]) -> Image | None:
    """The image of variant `name` in `directory`, checked against `identity`; None when the
    directory holds none for it (the variant was not reached before the run stopped).
    CheckpointError for a directory that is not there, an unreadable file, or an image
    from another run (the message names what differs)."""
    if not Path(directory).is_dir():
        raise CheckpointError(f"{directory} is not a directory of checkpoints")
    path = path_of(directory, name)
    if not path.exists():
        return None
    try:
        with open(path, "rb") as f:
            image = pickle.load(f)
    except Exception as exc:     # noqa: BLE001 - a truncated or foreign file, whatever it raises
        raise CheckpointError(f"{path} is not a kovn checkpoint ({type(exc).__name__})") from None
    if not isinstance(image, Image) or getattr(image, "format", None) != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint of this kovn's format")
    differ = mismatch(image.identity, identity)
    if differ:
        raise CheckpointError(f"{path} was written by another run (not the same {' nor '.join(differ)}); "
                              "resume only the run that wrote it, or start afresh without --resume")
    return image


def mismatch(was: tuple[tuple[str, str], ...], now: tuple[tuple[str, str], ...]) -> list[str]:
    """The parts of two identities that differ, by name."""
    a, b = dict(was), dict(now)
    return [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]


def as_partitioned(image: Image) -> Image:
    """A one-process search's image as a partitioned search's (engine/parallel.py,
    engine/ray.py resume it): every state with its parent state, the frontier, and a trace
    book holding the initial states and the parent chains of the findings."""
    if image.kind == "partitioned":
        return image
    states, parents = image.states, image.parents
    owned = {st: (states[p] if p >= 0 else None) for st, p in zip(states, parents)}
    book, book_parents = list(states[:image.initial]), [-1] * image.initial
    found = {}
    for key, f in image.found.items():
        chain = []
        sid = f.state
        while sid >= image.initial:
            chain.append(states[sid])
            sid = parents[sid]
        parent = sid
        for st in reversed(chain):
            book.append(st)
            book_parents.append(parent)
            parent = len(book) - 1
        found[key] = Finding(parent, f.label, f.nxt)
    return Image(image.identity, "partitioned", book, book_parents, 0, image.initial, image.depth,
                 image.init_generated, image.generated, image.distinct, found, image.undecided,
                 image.premises_seen, image.premises_failed, image.premises_decided, image.symmetry_off,
                 image.seconds, owned=owned, frontier=list(states[image.lo:]), workers=1)
