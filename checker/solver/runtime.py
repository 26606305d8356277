"""What the generated successor code calls to pick values: the solver with its cache and
statistics, and the bound check of constraints enumerated in Python.

Input: queries planned by the code generator (plan.Query, one constant per `choose ...
where` on a large type) with the input values the generated code read in the current state.
Output: the solutions (ascending run-time representations); `ModelError` (KOV501 with the
constraint's span) for too many solutions, an undecided query or an unsupported value. One
`SolverRuntime` per compiled model; `stats()` is what the report shows.

The cache key is (query number, input values): exactly what the constraint reads, so states
that differ elsewhere share one answer. z3 is imported on the first query that misses the
cache, so models without large-domain constraints never load it.
"""
from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Any

from checker.engine.model import ModelError
from checker.solver.options import SolverOptions
from checker.ir.solve_plan import Query

# Past this many cached answers the cache is emptied and refilled: a bound on memory for
# long searches whose constraints read ever new values (answers are small tuples).
CACHE_LIMIT = 1_000_000


class SolverRuntime:
    def __init__(self, options: SolverOptions = SolverOptions()):
        self.options = options
        self.cache: dict = {}
        self.calls = 0          # queries answered by Z3 (cache misses)
        self.hits = 0           # queries answered from the cache
        self.seconds = 0.0      # time spent answering misses (encoding and Z3)
        self.queries = 0        # distinct constraints of the model handed to the solver

    def solve(self, q: Query, inputs: tuple, test=None) -> tuple:
        """The solutions of q for these inputs; `test(value, *inputs)` is q's constraint
        compiled to Python (optional: it speeds up constraints with many solutions)."""
        key: tuple[int, tuple[Any, ...]] | None = (q.qid, inputs)
        try:
            found = self.cache.get(key)
        except TypeError:       # an input without a hashable representation: never cached
            key, found = None, None
        if found is not None:
            self.hits += 1
            return found
        start = perf_counter()
        try:
            answer = self._ask(q, inputs, test)
        finally:
            self.seconds += perf_counter() - start
            self.calls += 1
        if key is not None:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            self.cache[key] = answer
        return answer

    def _ask(self, q: Query, inputs: tuple, test) -> tuple:
        from checker.solver import enumerate as en
        from checker.solver.encode import Unsupported
        import z3
        try:
            return en.solve(q, inputs, self.options, test)
        except en.TooMany as exc:
            raise ModelError(too_many(exc.bound), q.origin) from None
        except en.Undecided as exc:
            raise ModelError(f"the solver could not decide this constraint ({exc})", q.origin) from None
        except Unsupported as exc:
            where = getattr(exc.node, "origin", None) or q.origin
            raise ModelError(f"the solver cannot handle this constraint: {exc.why}", where) from None
        except z3.Z3Exception as exc:
            raise ModelError(f"the solver failed on this constraint: {exc}", q.origin) from None

    def stats(self, counted: bool = True) -> SolverStats:
        """The figures the report shows (only for models that use the solver). `counted`
        False: the search ran in worker processes, each with its own solver and cache."""
        asked = self.calls + self.hits
        return SolverStats(self.calls, self.hits, round(self.hits / asked, 4) if asked else 0.0,
                           round(self.seconds, 4), counted)


@dataclass(frozen=True, slots=True)
class SolverStats:
    """A search's use of the solver: queries answered by Z3 (cache misses), from the cache,
    the share from the cache, the time spent on misses. `counted` False: not counted (the
    search ran in worker processes, whose solvers are theirs)."""

    calls: int
    cache_hits: int
    cache_hit_rate: float
    seconds: float
    counted: bool = True

    def figures(self) -> list[tuple[str, Any]]:
        """(name, value) pairs, as the report and --json show them."""
        if not self.counted:
            return [("solver_calls", "not counted with --workers")]
        return [("solver_calls", self.calls), ("solver_cache_hits", self.cache_hits),
                ("solver_cache_hit_rate", self.cache_hit_rate), ("solver_seconds", self.seconds)]


def too_many(bound: int) -> str:
    return (f"this constraint has more than {bound} solutions; one successor each is too many "
            f"(raise the bound with --max-solutions, or use `choose least`)")


def helpers(runtime: SolverRuntime) -> dict:
    """The functions the generated code calls (names start with `_`, like runtime.py's)."""
    bound = runtime.options.max_solutions

    def _solve(q, inputs, test=None):
        return runtime.solve(q, inputs, test)

    # Constraints on small types are enumerated in Python (the generated code builds the
    # set); the same bound applies, `origin` being the constraint's span.
    def _all_bits(m, origin):
        if m.bit_count() > bound:
            raise ModelError(too_many(bound), origin)
        return m

    def _all_set(s, origin):
        if len(s) > bound:
            raise ModelError(too_many(bound), origin)
        return s

    def _least_bits(ordinals):
        for o in ordinals:
            return 1 << o
        return 0

    def _least_set(values):
        for v in values:
            return frozenset((v,))
        return frozenset()

    def _bits_of(values, lo):
        m = 0
        for v in values:
            m |= 1 << (v - lo)
        return m

    return {k: v for k, v in locals().items() if k.startswith("_") and callable(v)}
