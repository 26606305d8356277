"""A small system under test for model-based testing (docs/model-based-testing.md): the
water jugs of models/diehard.kovn, written as ordinary Python, as a team's real code would
be. Nothing here knows kovn; tests/docs/test_model_based.py drives it from ITF traces."""
from __future__ import annotations


class Jugs:
    def __init__(self, capacities: list[int]):
        self.capacities = list(capacities)
        self.levels = [0] * len(capacities)

    def fill(self, j: int) -> None:
        self.levels[j] = self.capacities[j]

    def empty(self, j: int) -> None:
        self.levels[j] = 0

    def pour(self, i: int, k: int) -> None:
        amount = min(self.levels[i], self.capacities[k] - self.levels[k])
        self.levels[i] -= amount
        self.levels[k] += amount
