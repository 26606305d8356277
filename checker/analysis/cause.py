"""The cause of a safety counterexample: the steps it depends on, a minimal sub-trace that
still violates, and the race whose order decides it.

Input: the model (any engine Model that is also a `SpecSource`), the trace, the violated
property (an invariant or an action property), each step's reads (steps.py) and the
violated instance's reads (reads.py `explain`). Output: a `Cause` (results.py).

- The causal slice: from what the violated instance read, backwards, the last step before
  that wrote each needed place joins the slice and adds what it read (reads-from: guards
  included, so a process's earlier steps come in through its program counter). Write sets
  are the places that differ between a step's states (places.py).
- The minimal sub-trace: a sub-sequence of the steps (the slice first when it violates on
  its own, else the whole trace) replayed in the model from the same initial state, each
  step by its action instance (every successor with that label: a step may choose), with
  steps dropped one at a time while the replay still ends in a violation: no step of the
  result can be left out (1-minimal; not necessarily the smallest of all).
- The race: a step of the minimal sub-trace (or a block of up to MAX_BLOCK consecutive
  ones) moved across a step of another actor that it depends on, or that depends on it
  (one wrote what the other read or wrote), such that the new order replays with no
  violation: the pair whose order flipped decides the outcome. Orders in which every step
  still replays first; then orders in which later steps are no longer enabled (the
  flipped pair changed what happens next), which the race's text names.

Everything is found by replaying the model, so it is what the model does, not a guess
from the reads; a replay that must keep more than MAX_BRANCHES states is cut there.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

from checker.analysis.places import covers, overlap, writes_of
from checker.analysis.results import Cause, Race, Read
from checker.analysis.source import SpecSource
from checker.engine.result import Trace

MAX_BRANCHES = 64       # states one replay may follow at once (steps that choose)
MAX_REPLAYS = 4000      # replays one minimisation may make
MAX_BLOCK = 3           # steps moved together in search of the race

Path = tuple[Any, ...]   # states, the initial one first


def find_cause(model: Any, trace: Trace, prop: Any, reads: Sequence[frozenset[Read]],
               target: frozenset[Read]) -> Cause | None:
    """The cause of `prop`'s violation on `trace` (module docstring); None for what has no
    safety violation to replay (deadlocks, run-time errors; lassos: trigger_cause)."""
    if prop.kind not in ("invariant", "action") or len(trace.steps) < 2:
        return None
    index = next((i for i, p in enumerate(model.properties) if p.name == prop.name), None)
    if index is None:
        return None
    return _cause(model, trace, f"violates {prop.name}; in the other order it holds", reads, target,
                  _violation(model, prop.kind, index), prop.kind == "action")


def trigger_cause(model: Any, trace: Trace, prop: Any, reads: Sequence[frozenset[Read]],
                  target_of: Callable[[int], frozenset[Read]]) -> Cause | None:
    """For a lasso of `P leads to Q`: the cause of reaching its trigger, the first state
    where P holds and Q holds neither there nor ever after (what the trace needs to get
    into the situation it never leaves). `target_of(i)`: what P read in state i."""
    t = next((t for t in model.temporal if t.name == prop.name), None)
    if t is None or t.q is None or trace.loop_start is None:
        return None
    k = t.instances.index(prop.instance or "") if (prop.instance or "") in t.instances else None
    if k is None or t.kind_at(k) != "leads_to":
        return None
    states = [s.state for s in trace.steps]
    trigger = next((i for i in range(len(states))
                    if t.p(states[i], k) and not any(t.q(s, k) for s in states[i:])), None)
    if not trigger:                               # none, or the initial state itself
        return None
    prefix = Trace(trace.steps[:trigger + 1])
    outcome = (f"leads into the premise of {prop.name} (state {trigger + 1}); in the other order "
               "the replayed steps never make it true")
    cause = _cause(model, prefix, outcome, reads[:trigger + 1], target_of(trigger),
                   lambda path, labels: t.p(path[-1], k), False)
    return dataclasses.replace(cause, target=f"the state where its premise first holds for good (state {trigger + 1})",
                               upto=trigger)


def _cause(model: Any, trace: Trace, outcome: str, reads: Sequence[frozenset[Read]], target: frozenset[Read],
           violates: Callable, transition: bool) -> Cause:
    source: SpecSource = model
    plain = [source.plain_state(s.state) for s in trace.steps]
    writes: list[frozenset[Read]] = [frozenset()]
    writes += [writes_of(source.spec, plain[i - 1], plain[i]) for i in range(1, len(plain))]
    last = len(trace.steps) - 1
    cut = slice_of(reads, writes, target, last, transition)
    edges = dependencies(cut, reads, writes)
    labels = [s.label for s in trace.steps]
    replays = Replays(model, trace.steps[0].state, labels, violates)
    minimal = replays.minimise(cut)
    race, racy = None, False
    if minimal is not None:
        racy = bool(_conflicts(model, trace, minimal, reads, writes))
        race = _race(model, trace, replays, minimal, reads, writes, outcome) if racy else None
    note = "" if minimal is not None else "no sub-trace of its steps violates when replayed"
    if replays.count >= MAX_REPLAYS:
        note = f"stopped after {MAX_REPLAYS} replays: the sub-trace may not be minimal"
    return Cause(cut, edges, minimal, race, note, upto=last, racy=racy)


# ---------------------------------------------------------------- the slice

def slice_of(reads: Sequence[frozenset[Read]], writes: Sequence[frozenset[Read]],
             target: frozenset[Read], last: int, transition: bool) -> tuple[int, ...]:
    """The steps the places `target` (read in the last state) depend on, by reads-from.
    An action property's last step is its own violation: always in."""
    needed = {Read(r.var, r.key, r.whole) for r in target}
    out = set()
    for i in range(last, 0, -1):
        if transition and i == last:
            hit = True
        else:
            hit = any(overlap(p, q) for p in needed for q in writes[i])
        if hit:
            out.add(i)
            needed = {p for p in needed if not covers(writes[i], p)}
            needed |= {Read(r.var, r.key, r.whole) for r in reads[i] if not r.primed}
    return tuple(sorted(out))


def dependencies(steps: Sequence[int], reads: Sequence[frozenset[Read]],
                 writes: Sequence[frozenset[Read]]) -> tuple[tuple[int, int, str], ...]:
    """(i, j, kind) for steps i < j of `steps`: j read what i wrote (reads-from), j
    overwrote what i read (write-after-read), or what i wrote (write-after-write)."""
    out = []
    for a, i in enumerate(steps):
        for j in steps[a + 1:]:
            if _meets(writes[i], reads[j]):
                out.append((i, j, "reads-from"))
            elif _meets(reads[i], writes[j]):
                out.append((i, j, "write-after-read"))
            elif _meets(writes[i], writes[j]):
                out.append((i, j, "write-after-write"))
    return tuple(out)


def _meets(ps: frozenset[Read], qs: frozenset[Read]) -> bool:
    return any(overlap(p, q) for p in ps for q in qs if not p.primed and not q.primed)


# ---------------------------------------------------------------- replay

def _violation(model: Any, kind: str, index: int) -> Callable[[Path, Sequence[Any]], bool]:
    """Does a replayed path (its states, and the labels that took it there) end in a
    violation of property `index`?"""
    if kind == "invariant":
        return lambda path, labels: index in model.check_state(path[-1])
    return lambda path, labels: len(path) > 1 and \
        index in model.check_transition(path[-2], labels[-1], path[-1])


class Replays:
    """Sub-sequences of a trace's steps replayed in the model from its initial state."""

    def __init__(self, model: Any, init: Any, labels: Sequence[Any], violates: Callable):
        self.model, self.init, self.labels, self.violates = model, init, labels, violates
        self.count = 0

    def paths(self, steps: Sequence[int]) -> list[Path]:
        """Every path the steps' action instances take from the initial state (at most
        MAX_BRANCHES at once); [] when one of them is not enabled on any."""
        self.count += 1
        frontier: dict[Any, Path] = {self.init: (self.init,)}
        for i in steps:
            nxt: dict[Any, Path] = {}
            for state, path in frontier.items():
                for label, s2 in self.model.successors(state):
                    if label == self.labels[i] and s2 not in nxt and len(nxt) < MAX_BRANCHES:
                        nxt[s2] = path + (s2,)
            if not nxt:
                return []
            frontier = nxt
        return list(frontier.values())

    def violating(self, steps: Sequence[int]) -> bool:
        labels = [self.labels[i] for i in steps]
        return any(self.violates(p, labels) for p in self.paths(steps))

    def holding(self, steps: Sequence[int]) -> bool:
        """The steps replay to the end, and no path they take violates on the way."""
        labels = [self.labels[i] for i in steps]
        found = self.paths(steps)
        return bool(found) and not any(self.violates(p[:k + 1], labels[:k])
                                       for p in found for k in range(1, len(p)))

    def holding_without(self, steps: Sequence[int], kept: Sequence[int]) -> tuple[int, ...] | None:
        """Replay `steps`, passing over those no longer enabled (never one of `kept`), and
        check every state (transition) on the way: the steps passed over when none of
        them violates, else None."""
        self.count += 1
        frontier: dict[Any, tuple[Path, tuple]] = {self.init: ((self.init,), ())}
        skipped = []
        for i in steps:
            nxt: dict[Any, tuple[Path, tuple]] = {}
            for state, (path, labels) in frontier.items():
                for label, s2 in self.model.successors(state):
                    if label == self.labels[i] and s2 not in nxt and len(nxt) < MAX_BRANCHES:
                        nxt[s2] = (path + (s2,), labels + (label,))
            if not nxt:
                if i in kept:
                    return None
                skipped.append(i)
                continue
            if any(self.violates(p, ls) for p, ls in nxt.values()):
                return None
            frontier = nxt
        return tuple(skipped)

    def minimise(self, cut: Sequence[int]) -> tuple[int, ...] | None:
        """A 1-minimal violating sub-sequence (module docstring), or None."""
        whole = tuple(range(1, len(self.labels)))
        current = tuple(cut) if cut and self.violating(cut) else whole
        if current is whole and not self.violating(whole):
            return None
        changed = True
        while changed and self.count < MAX_REPLAYS:
            changed = False
            for i in reversed(current):
                if self.count >= MAX_REPLAYS:
                    break
                candidate = tuple(x for x in current if x != i)
                if candidate and self.violating(candidate):
                    current, changed = candidate, True
        return current


# ---------------------------------------------------------------- the race

def _race(model: Any, trace: Trace, replays: Replays, steps: tuple[int, ...],
          reads: Sequence[frozenset[Read]], writes: Sequence[frozenset[Read]], outcome: str) -> Race | None:
    """The smallest block of consecutive steps (of `steps`, at most MAX_BLOCK) that, moved
    to another place in the sequence across a step of another actor it depends on or that
    depends on it, replays without the violation; the shortest move first. Moves whose
    every step still replays come first; then moves after which later steps are passed
    over because they are no longer enabled (the other order changed what they do: the
    race's text names them), the flipped pair itself always taken."""
    conflicts = _conflicts(model, trace, steps, reads, writes)
    if not conflicts:
        return None
    actors = {i: _actor(model, trace.steps[i].label) for i in steps}
    moves = _moves(steps, conflicts, actors)
    for _, _, pair, block, order in moves:
        if replays.holding(order):
            return Race(pair[0], pair[1], _race_text(trace, pair[0], pair[1], outcome, ()), block, order)
    for _, _, pair, block, order in moves:
        skipped = replays.holding_without(order, pair)
        if skipped is not None:
            kept = tuple(x for x in order if x not in skipped)
            return Race(pair[0], pair[1], _race_text(trace, pair[0], pair[1], outcome, skipped), block, kept)
    return None


def _conflicts(model: Any, trace: Trace, steps: tuple[int, ...], reads: Sequence[frozenset[Read]],
               writes: Sequence[frozenset[Read]]) -> set[tuple[int, int]]:
    """The dependent pairs of `steps` taken by different actors: what a race can be."""
    return {(i, j) for i, j, _ in dependencies(steps, reads, writes)
            if _actor(model, trace.steps[i].label) != _actor(model, trace.steps[j].label)}


def _moves(steps: tuple[int, ...], conflicts: set, actors: dict) -> list:
    """(distance, -last moved, flipped pair, block, new order) of every move of a block of
    up to MAX_BLOCK consecutive steps that flips a dependent pair and keeps each actor's
    own steps in their order (a process cannot run its steps out of order): single steps
    first, then the shortest moves, the latest steps first."""
    out = []
    n = len(steps)
    for size in range(1, MAX_BLOCK + 1):
        moves = []
        for a in range(n - size + 1):
            block, rest = steps[a:a + size], steps[:a] + steps[a + size:]
            for at in range(len(rest) + 1):
                if at == a:
                    continue
                crossed = rest[at:a] if at < a else rest[a:at]
                if {actors[x] for x in block} & {actors[x] for x in crossed}:
                    continue
                pair = _crossing(block, crossed, conflicts)
                if pair is not None:
                    moves.append((len(crossed), -max(block), pair, block, rest[:at] + block + rest[at:]))
        out += sorted(moves, key=lambda m: m[:2])
    return out


def _crossing(block: Sequence[int], crossed: Sequence[int], conflicts: set) -> tuple[int, int] | None:
    """The dependent pair (earlier, later) a move of `block` across `crossed` flips: the one
    nearest the block; None when it flips none (the move cannot matter)."""
    pairs = [(min(b, c), max(b, c)) for b in block for c in crossed if (min(b, c), max(b, c)) in conflicts]
    return min(pairs, key=lambda p: p[1] - p[0]) if pairs else None


def _actor(model: Any, label: Any) -> tuple:
    """Who takes a step: a process instance, or an action instance (labels: (index,
    parameters))."""
    action = model.spec.actions[label[0]]
    return (action.process or action.name, label[1])


def _race_text(trace: Trace, i: int, j: int, outcome: str, skipped: Sequence[int]) -> str:
    """`outcome`: what the trace's order gives and the other does not ("violates P; in
    the other order it holds")."""
    a, b = trace.steps[i].action, trace.steps[j].action
    text = f"the race: {a} (step {i + 1}) before {b} (step {j + 1}) {outcome}"
    if skipped:
        text += (" (replayed: " + ", ".join(f"step {x + 1}" for x in skipped)
                 + (" is" if len(skipped) == 1 else " are") + " then no longer enabled)")
    return text
