"""Simulation: random walks through a model (`check --simulate`; docs/scale.md).

Input: a Model, CheckOptions (the deadline, deadlock checking), `Simulation` (how many
walks, how deep, the seed, how many processes, what to do with each walk). Output: a
CheckResult like the exhaustive search's, with `simulation` set: the properties violated
on some walk, with that walk (up to the violation) as the counterexample; the states
visited and the transitions taken per action (coverage). A simulation never says OK: what
no walk violated is UNKNOWN and the verdict INCOMPLETE, its limit saying what was checked.

A walk: an initial state drawn at random, checked (invariants, reachable properties); then
up to `depth` steps, each a successor drawn at random among all of the state's successors
(action instances and their nondeterministic choices alike), the step checked against the
action properties and the new state against the state properties. A walk ends early at a
state without successors (a deadlock unless the model says it is terminal, when deadlocks
are checked), at a state outside the state constraint, or at a run-time error.

Reproducible: walk i draws from its own generator, seeded by (seed, i), so a walk is the
same whichever process runs it and however many there are; the findings of all walks are
merged in (walk, step) order, so the first finding of each property, the counts and the
verdict do not depend on the number of processes.
"""
from __future__ import annotations

import multiprocessing
import random
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Callable, Sequence

from checker.engine import budget
from checker.engine.budget import LimitReached, guard, memory_limit, peak_rss_bytes
from checker.engine.findings import Failure, Finding, Findings, SearchEnd, assemble
from checker.engine.model import Label, Model, ModelError, State
from checker.engine.observe import PremiseTracker
from checker.engine.options import CheckOptions
from checker.engine.result import CheckResult, SimulationFigures, Step, Trace
from checker.engine.store import Counters

Walk = list[tuple[Label | None, State]]         # (the label that led to it, the state); the first label None
Recorder = Callable[[int, Trace], None]


@dataclass(frozen=True, slots=True)
class Simulation:
    """traces: walks to take; depth: steps per walk at most; seed: the walks' seed;
    workers: processes (forked) taking them; record: called with each walk (its index and
    its trace), in the process that took it (--itf writes it out)."""

    traces: int = 1000
    depth: int = 100
    seed: int = 0
    workers: int = 1
    record: Recorder | None = None


@dataclass(frozen=True, slots=True)
class _Event:
    """A finding or a run-time error on walk `walk`, at its step `step`: the walk up to there."""

    walk: int
    step: int
    keys: tuple[int, ...]           # property keys (the deadlock key included); () for an error
    prefix: tuple[tuple[Label | None, State], ...]
    label: Label | None = None      # an action property: the step by `label` to `nxt`
    nxt: State = None
    error: ModelError | None = None


@dataclass
class _Part:
    """What some walks found: events in order, counts, the states they visited."""

    events: list[_Event]
    generated: list[int]
    distinct: list[int]
    visited: set[State]
    steps: int
    longest: int
    walks: int
    limit: str | None = None


def simulate(model: Model, options: CheckOptions, sim: Simulation) -> CheckResult:
    """Take the walks (module docstring) and judge the properties on them."""
    start = perf_counter()
    deadline = start + options.timeout if options.timeout is not None else None
    limit = None
    with guard(deadline, options.max_memory, options.timeout) as limits:
        try:
            if sim.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
                parts = _in_processes(model, options, sim, deadline)
            else:
                parts = [_walks(model, options, sim, range(sim.traces), deadline)]
            limits.disarm()
        except (LimitReached, MemoryError) as e:
            limits.disarm()
            limit = memory_limit(e, options.max_memory)
            parts = []
    return _result(model, options, sim, parts, limit, perf_counter() - start)


def _in_processes(model: Model, options: CheckOptions, sim: Simulation,
                  deadline: float | None) -> list[_Part]:
    ctx = multiprocessing.get_context("fork")
    _TASK[:] = [(model, options, sim, deadline)]
    try:
        with budget.interruptible(), ctx.Pool(sim.workers, initializer=budget.in_forked_child) as pool:
            return pool.map(_share, range(sim.workers))
    finally:
        _TASK.clear()


_TASK: list[Any] = []


def _share(k: int) -> _Part:
    model, options, sim, deadline = _TASK[0]
    return _walks(model, options, sim, range(k, sim.traces, sim.workers), deadline)


def _walks(model: Model, options: CheckOptions, sim: Simulation, which: range,
           deadline: float | None) -> _Part:
    """Take the walks `which` (in order)."""
    initial = list(dict.fromkeys(model.init_states()))
    part = _Part([], [0] * len(model.actions), [0] * len(model.actions), set(), 0, 0, 0)
    if not initial:
        return part
    kinds = tuple(p.kind for p in model.properties)
    state_props = any(k != "action" for k in kinds)
    check_deadlock = options.check_deadlock if options.check_deadlock is not None else model.check_deadlock
    for i in which:
        if deadline is not None and perf_counter() >= deadline:
            part.limit = f"timeout {options.timeout:g}s"
            break
        rng = random.Random(f"{sim.seed}:{i}")
        walk: Walk = []
        s = initial[rng.randrange(len(initial))]
        label: Label | None = None
        try:
            for step in range(sim.depth + 1):
                walk.append((label, s))
                if s not in part.visited:
                    part.visited.add(s)
                    if label is not None:
                        part.distinct[label[0]] += 1
                bad = model.check_state(s) if state_props else ()
                if bad:
                    part.events.append(_Event(i, step, tuple(bad), tuple(walk)))
                if step == sim.depth or (model.has_constraint and not model.within_constraint(s)):
                    break
                succ = list(model.successors(s))
                if not succ:
                    if check_deadlock and not model.is_terminal(s):
                        part.events.append(_Event(i, step, (len(kinds),), tuple(walk)))
                    break
                label, t = succ[rng.randrange(len(succ))]
                part.generated[label[0]] += 1
                part.steps += 1
                if model.has_action_properties:
                    wrong = model.check_transition(s, label, t)
                    if wrong:
                        part.events.append(_Event(i, step, tuple(wrong), tuple(walk), label, t))
                s = t
        except ModelError as e:
            part.events.append(_Event(i, len(walk) - 1, (), tuple(walk), error=e))
        part.walks += 1
        part.longest = max(part.longest, len(walk))
        if sim.record is not None:
            sim.record(i, _trace(model, walk))
    return part


def _trace(model: Model, walk: Sequence[tuple[Label | None, State]]) -> Trace:
    return Trace(tuple(Step(label, model.format_label(label) if label is not None else None, s)
                       for label, s in walk))


class _WalkTraces:
    """The counterexamples: the walks' prefixes (Finding.state indexes `prefixes`)."""

    def __init__(self, model: Model, prefixes: list[tuple[tuple[Label | None, State], ...]]):
        self.model, self.prefixes = model, prefixes

    def of(self, finding: Finding) -> Trace:
        trace = _trace(self.model, self.prefixes[finding.state])
        if finding.label is None:
            return trace
        return Trace(trace.steps + (Step(finding.label, self.model.format_label(finding.label), finding.nxt),))


def _result(model: Model, options: CheckOptions, sim: Simulation, parts: list[_Part], limit: str | None,
            seconds: float) -> CheckResult:
    findings = Findings(model, options, PremiseTracker(None))
    counters = Counters(len(model.actions))
    visited: set[State] = set()
    prefixes: list[tuple[tuple[Label | None, State], ...]] = []
    failure = None
    walks = steps = longest = 0
    for part in parts:
        counters.add(_counters(part))
        visited |= part.visited
        walks, steps, longest = walks + part.walks, steps + part.steps, max(longest, part.longest)
        limit = limit or part.limit
    events = sorted((e for p in parts for e in p.events), key=lambda e: (e.walk, e.step, e.label is not None))
    for e in events:
        prefixes.append(e.prefix)
        at = Finding(len(prefixes) - 1, e.label, e.nxt)
        if e.error is not None:
            if failure is None:
                failure = Failure(e.error, at)
            continue
        for key in e.keys:
            violation = key >= len(findings.kinds) or findings.kinds[key] != "reachable"
            findings.note(key, at, violation)
    # what no walk violated is not known to hold: the walks are not the whole space
    what = limit or f"simulation ({walks:,} walks of up to {sim.depth:,} steps, seed {sim.seed})"
    end = SearchEnd(what, failure, len(visited), walks + steps, longest, seconds, peak_rss_bytes(), 0, counters)
    findings.stopped = None
    result = assemble(findings, _WalkTraces(model, prefixes), end, workers=max(sim.workers, 1))
    from dataclasses import replace
    return replace(result, premises_observed=False,
                   simulation=SimulationFigures(walks, sim.depth, sim.seed, steps, len(visited)))


def _counters(part: _Part) -> Counters:
    c = Counters(len(part.generated))
    c.generated[:] = part.generated
    c.distinct[:] = part.distinct
    return c
