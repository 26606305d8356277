"""Progress reports during a long exploration.

Input: the explorer fills a `Progress` snapshot about every `CheckOptions.progress_interval`
seconds. Output: handed to a `Reporter` (the CLI prints a line or a bar). The engine itself
never prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of a running search."""

    distinct: int       # distinct states stored so far
    generated: int      # states generated so far (TLC's count)
    depth: int          # the BFS level being expanded
    queue: int          # states stored but not yet expanded
    seconds: float      # wall time since the search started
    shards: tuple[int, ...] = ()    # a partitioned search: the states each worker stores

    @property
    def states_per_second(self) -> float:
        return self.generated / self.seconds if self.seconds > 0 else 0.0


class Reporter(Protocol):
    def on_progress(self, progress: Progress) -> None:
        """Called from the search loop; must return quickly."""
