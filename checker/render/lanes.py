"""A counterexample as a lane diagram: what to draw, decided once for every output format.

Input: a model (describe / format_label; a compiled spec also gives processes, source
lines and reads), a `Trace`, the violated `PropertyResult` and the names of the spec and
variant. Output: `Diagram`, plain frozen data that checker/render/dot.py turns into DOT
(and the HTML report reuses for its step list). Nothing here knows DOT or colours.

Layout (time flows down, one row per state of the trace):
- one lane per controller worker (process instance) and per other action that takes a
  step (the informer's Deliver, a user's delete, ...): the step's box sits in its lane;
- for a Kubernetes spec (state variables `api` and `cache`, maps from object names to
  objects) one lane per object: its lifecycle (created, finalizers, deletionTimestamp,
  gone) and where the informer cache lags the API; arrows for what each step wrote to the
  API or the cache and for what it read, a read from a stale cache marked;
- for any other spec one lane per state variable that a step changes or reads.
The offending object (or variable) is marked in the last row, and a liveness
counterexample's loop goes back from its last state to the state where it starts.

A run-time error's trace (a FailedEvaluation in place of the property) ends in the state
where evaluation failed: the caption gives the message, the failing expression and where
it is; the last row says so by its number, marks what the failing expression read, and,
when an action failed, has a red box in that action's lane for the step that never was.
"""
from __future__ import annotations

from pathlib import Path

from checker.render.diagram import (MAX_CHANGES, MAX_DECISIONS, Arrow, Cell, Context, Diagram, Lane, Line,
                                    change_text, clip, instance_key, lanes_of, reads_of)
from checker.engine.result import Step
from checker.render.objects import object_arrows, object_cell, object_cells, stale_reads
from checker.analysis.results import TraceAnalysis
from checker.analysis.source import spec_of
from checker.diagnostics import Location, where
from checker.render.text import blocked_text, changes, decision_short, decision_text, shown_decisions
from checker.semantics.display import show


# ---------------------------------------------------------------- entry point

def build(model, trace, prop, spec_name: str, variant: str, found: TraceAnalysis) -> Diagram:
    """The diagram of `prop`'s counterexample `trace`, with what checker/analysis found in
    it (`found`: the reads of each step, why the property fails, each step's decisions,
    the cause)."""
    reads, explanation = found.reads, found.explanation
    states = [dict(model.describe(s.state)) for s in trace.steps]
    k8s = _is_k8s(states[0])
    processes = _processes(model)
    lanes, lane_of, actors, idle = _lanes(model, trace, states, reads, k8s, processes, explanation)
    ctx = Context(model, trace, states, reads, k8s, processes, actors, lane_of, found.notes, found.cause)
    cells = _actor_cells(ctx)
    cells += object_cells(ctx) if k8s else _variable_cells(ctx)
    arrows = object_arrows(ctx) if k8s else _variable_arrows(ctx)
    arrows += _race_arrow(ctx)
    segments = _segments(ctx)
    verdict = _verdict(prop)
    cells = _mark_offending(ctx, cells, prop, explanation, verdict)
    cells += _waiting_cells(ctx, found.loop, cells)
    error = prop.kind == "error"
    if error:
        cells = _failed_step(ctx, cells, prop, explanation)
    title = _title(spec_name, variant, prop, trace, explanation) + _formula_caption(found.formula) + \
        _cause_caption(ctx) + _loop_caption(found.loop) + _idle_caption(idle)
    legend = _legend(arrows, segments, cells, trace.loop_start, error)
    rows = tuple("" if s.action is None and i == 0 else (s.action or "") for i, s in enumerate(trace.steps))
    notes = _failed_reads(explanation) if error else ()
    return Diagram(title, tuple(lanes), rows, tuple(sorted(cells, key=lambda c: (c.row, c.lane))),
                   tuple(segments), tuple(arrows), trace.loop_start, verdict, legend, error, notes)


def _is_k8s(state: dict) -> bool:
    return isinstance(state.get("api"), dict) and isinstance(state.get("cache"), dict)


def _processes(model) -> dict:
    """Process name -> the name of its program-counter variable (compiled specs only)."""
    spec = spec_of(model)
    out: dict = {}
    for a in spec.actions if spec is not None else ():
        if a.process:
            out.setdefault(a.process, f"{a.process}.pc")
    return out


# ---------------------------------------------------------------- lanes

def _actor(model, step) -> tuple | None:
    """The lane key of the actor of a step: ("proc", name, instance) or ("act", name)."""
    if step.label is None:
        return None
    return _actor_of(model, step.label)


def _actor_of(model, label) -> tuple:
    index, params = label
    spec = spec_of(model)
    if spec is not None:
        action = spec.actions[index]
        if action.process and action.params:
            instance = model.format_label((index, params[:1])).split("(", 1)[-1].rstrip(")")
            return ("proc", action.process, instance)
        return ("act", action.name)
    return ("act", model.actions[index].name)


def _lanes(model, trace, states, reads, k8s, processes, explanation):
    actors_keys = [_actor(model, s) for s in trace.steps]
    failed = explanation.label if explanation is not None else None     # a run-time error's failing step
    everyone = actors_keys + ([_actor_of(model, failed)] if failed is not None else [])
    procs = [k for k in dict.fromkeys(a for a in everyone if a and a[0] == "proc")]
    acts = [k for k in dict.fromkeys(a for a in everyone if a and a[0] == "act")]
    order = {name: i for i, name in enumerate(processes)}
    procs.sort(key=lambda k: (order.get(k[1], 0), k[2]))
    acts.sort(key=lambda k: _action_index(model, k[1]))
    if not k8s:     # other specs: every actor on the left, the variables on the right
        procs, acts = procs + acts, []
    lanes: list[Lane] = []
    lane_of: dict = {}
    for k in procs:
        lane_of[k] = len(lanes)
        if k[0] == "act":
            lanes.append(Lane(k[1], "action", _action_hint(model, k[1])))
            continue
        single = _single_instance(states[0], k[1])
        lanes.append(Lane(k[1] if single else f"{k[1]}({k[2]})", "process", "worker"))
    idle: list = []
    if k8s:     # an object no step changes or reads gets no lane (named in the caption)
        keys = _object_keys(states)
        middle = [k for k in keys if _object_touched(k, states, reads, explanation)]
        idle = [k for k in keys if k not in middle]
    else:
        middle = _variable_names(states, reads, processes, explanation)
    for key in middle:
        lane_of[("obj" if k8s else "var", key)] = len(lanes)
        if k8s:
            lanes.append(Lane(show(key), "object", "API object"))
        else:
            lanes.append(Lane(key, "variable", "variable"))
    for k in acts:
        lane_of[k] = len(lanes)
        lanes.append(Lane(k[1], "action", _action_hint(model, k[1])))
    actors = [lane_of[a] if a is not None else None for a in actors_keys]
    return lanes, lane_of, actors, idle


def _object_touched(key, states, reads, explanation) -> bool:
    """Does the trace change the object (in the API or a cache), or does a step or the
    property read it?"""
    for var in ("api", "cache"):
        if len({repr(s[var].get(key)) for s in states}) > 1:
            return True
    shown = show(key)
    every = [r for rs in reads for r in rs] + (list(explanation.reads) if explanation is not None else [])
    return any(r.var in ("api", "cache") and (r.whole or r.key == key or str(r.key) == shown) for r in every)


def _idle_caption(idle: list) -> tuple[str, ...]:
    if not idle:
        return ()
    return (f"not drawn (no step changes or reads them): {', '.join(show(k) for k in idle)}",)


def _action_index(model, name: str) -> int:
    for i, a in enumerate(model.actions):
        if a.name == name:
            return i
    return len(model.actions)


def _single_instance(state: dict, process: str) -> bool:
    pc = state.get(f"{process}.pc")
    return not isinstance(pc, dict) or len(pc) <= 1


def _action_hint(model, name: str) -> str:
    """A word under an action lane's title: where the action comes from."""
    origin = None
    for a in model.actions:
        if a.name == name:
            origin = a.origin
    loc = Location.of(origin)
    path = loc.path.replace("\\", "/") if loc is not None else ""
    return f"{Path(path).stem} library" if "/stdlib/" in path else "action"


def _object_keys(states) -> list:
    keys: dict = {}
    for s in states:
        for var in ("api", "cache"):
            for k in s[var]:
                keys.setdefault(k, None)
    return list(keys)


def _variable_names(states, reads, processes, explanation) -> list[str]:
    """Variables that get a lane: shared (not a process's own) and changed or read."""
    owned = tuple(f"{p}." for p in processes)
    used = {r.var for rs in reads for r in rs}
    if explanation is not None:
        used |= {r.var for r in explanation.reads}
    out = []
    for name in states[0]:
        if name.startswith(owned):
            continue
        if name in used or any(s[name] != states[0][name] for s in states):
            out.append(name)
    return out


# ---------------------------------------------------------------- actor (step) cells

def _actor_cells(ctx: Context) -> list[Cell]:
    out = []
    race: tuple[int, ...] = (ctx.cause.race.first, ctx.cause.race.second) \
        if ctx.cause is not None and ctx.cause.race else ()
    for row in range(1, len(ctx.states)):
        lane = ctx.actors[row]
        if lane is None:
            continue
        step = ctx.trace.steps[row]
        lines = [Line(f"{row + 1}. {_step_name(ctx, step)}", "title")]
        where = _where(ctx.model, step)
        if where:
            lines.append(Line(where, "muted"))
        diffs = _step_changes(ctx, row)
        stale = stale_reads(ctx, row)
        shown = [Line(clip(d)) for d in diffs[:MAX_CHANGES]]
        if len(diffs) > MAX_CHANGES:
            shown.append(Line(f"… {len(diffs) - MAX_CHANGES} more changes", "muted"))
        note = ctx.notes[row] if row < len(ctx.notes) else None
        if ctx.states[row] == ctx.states[row - 1]:
            shown.append(Line("(no change)", "muted"))
        elif note is not None and note.unchanged:
            shown.append(Line("changed nothing: only moved on", "warn"))
        lines += shown
        decisions = shown_decisions(note) if note is not None else []
        decided = [decision_text(d) for d in decisions]
        lines += [Line(decision_short(d), "decision") for d in decisions[:MAX_DECISIONS]]
        if len(decided) > MAX_DECISIONS:
            lines.append(Line(f"… {len(decided) - MAX_DECISIONS} more decisions", "muted"))
        if stale:
            lines.append(Line("⚠ read a stale cache", "bad"))
        if row in race:
            lines.append(Line("⇄ the race" + (" (first)" if row == race[0] else " (second)"), "race"))
        tooltip = "\n".join([f"{row + 1}. {step.action}", where] + diffs + decided)
        style = "step-alert" if stale else "step"
        if row in race:
            style = "step-race"
        elif ctx.cause is not None and row <= ctx.cause.upto and row not in ctx.cause.slice:
            style = "step-aside"
        out.append(Cell(row, lane, tuple(lines), style, tooltip))
    return out


def _race_arrow(ctx: Context) -> list[Arrow]:
    """The race as one crossing: from the first step of the pair to the second."""
    race = ctx.cause.race if ctx.cause is not None else None
    if race is None:
        return []
    a, b = ctx.actors[race.first], ctx.actors[race.second]
    if a is None or b is None:
        return []
    return [Arrow((race.first, a), (race.second, b), "race", f"race: {race.first + 1} before {race.second + 1}")]


def _formula_caption(formula) -> tuple[str, ...]:
    """The formula, where it fails (every failing element) and the deciding parts."""
    if formula is None:
        return ()
    head = f"the formula: {formula.text}"
    if formula.failing:
        head += f" · fails for {'; '.join(formula.failing)}"
    return (head,) + tuple(f"because {c}" for c in formula.culprits)


def _loop_caption(loop) -> tuple[str, ...]:
    """Why the loop lasts, in one caption line: the fair actions enabled in it and not
    taken, and how many processes wait (their boxes in the last row say where and why)."""
    if loop is None:
        return ()
    parts = []
    skipped = [g for g in loop.fair if not g.taken]
    if skipped:
        parts.append("enabled in the loop but never taken (not enabled throughout: weak fairness does not "
                     "force them): " + ", ".join(f"{g.who} ({g.enabled}/{g.states} states)" for g in skipped))
    elif not loop.fair:
        parts.append("no fair action is enabled in the loop")
    if loop.waiting:
        parts.append(f"{len(loop.waiting)} process{'es' if len(loop.waiting) > 1 else ''} wait")
    if loop.has_queues:
        parts.append("queues: " + (", ".join(loop.queues) if loop.queues else "all empty"))
    return ("the loop: " + " · ".join(parts),) if parts else ()


def _waiting_cells(ctx: Context, loop, cells: list[Cell]) -> list[Cell]:
    """In the last row, a box in each waiting process's lane: where it waits and why."""
    if loop is None:
        return []
    last = len(ctx.states) - 1
    taken = {(c.row, c.lane) for c in cells}
    out = []
    for w in loop.waiting:
        name, _, inst = w.who.partition("(")
        lane = ctx.lane_of.get(("proc", name, inst.rstrip(")")))
        if lane is None or (last, lane) in taken:
            continue
        lines = [Line(f"waits at {w.at}", "warn")]
        if w.blocked is not None:
            lines.append(Line(clip(blocked_text(w.blocked)), "muted"))
            lines += [Line(clip(x), "muted") for x in w.blocked.seen[:2]]
        tip = f"{w.who} waits at {w.at}" + (f": {blocked_text(w.blocked)}\n" + "\n".join(w.blocked.seen)
                                             if w.blocked is not None else "")
        out.append(Cell(last, lane, tuple(lines), "waiting", tip))
    return out


def _cause_caption(ctx: Context) -> tuple[str, ...]:
    """The cause in the caption: the race, or the slice and minimal sub-trace."""
    cause = ctx.cause
    if cause is None:
        return ()
    n = cause.upto
    head = f"how it reaches {cause.target}: " if cause.target else ""
    parts = [f"{head}causal slice: {len(cause.slice)} of {n} steps (the others greyed)"]
    if cause.minimal is not None:
        parts.append("minimal sub-trace: steps " + ", ".join(str(i + 1) for i in cause.minimal))
    out: tuple[str, ...] = (" · ".join(parts),)
    if cause.race is not None:
        out += (cause.race.text,)
    return out


def _step_name(ctx: Context, step) -> str:
    spec = spec_of(ctx.model)
    if spec is not None and step.label is not None:
        action = spec.actions[step.label[0]]
        if action.process and action.label:
            rest = step.label[1][1:]
            if rest:
                full = ctx.model.format_label(step.label)
                return f"{action.label}({full.split('(', 1)[1].split(', ', 1)[-1]}"
            return action.label
    return step.action or ""


def _where(model, step) -> str:
    if step.label is None:
        return ""
    return where(model.actions[step.label[0]].origin, file_only=True)


def _step_changes(ctx: Context, row: int) -> list[str]:
    """The changes a step made that no lane shows: memory, queues, the actor's locals."""
    prev, cur = ctx.states[row - 1], ctx.states[row]
    actor = _actor(ctx.model, ctx.trace.steps[row])
    proc = actor if actor is not None and actor[0] == "proc" else None
    own = f"{proc[1]}." if proc is not None else None
    out = []
    for var in cur:
        if ("var", var) in ctx.lane_of or (ctx.k8s and var in ("api", "cache", "events")):
            continue
        if proc is not None and var == f"{proc[1]}.pc":
            continue
        old, new = prev.get(var), cur[var]
        if proc is not None and own and var.startswith(own) and isinstance(old, dict) and isinstance(new, dict):
            inst = instance_key(new, proc[2])
            if inst is not None:
                out += [change_text(p, t) for p, t in changes(var[len(own):], old.get(inst), new.get(inst))]
                continue
        out += [change_text(p, t) for p, t in changes(var, old, new)]
    return out


# ---------------------------------------------------------------- variable lanes (any spec)

def _variable_cells(ctx: Context) -> list[Cell]:
    out = []
    for name, lane in lanes_of(ctx, "var"):
        first = ctx.states[0][name]
        out.append(Cell(0, lane, (Line(clip(f"{name} = {show(first)}")),), "value",
                        f"{name} = {show(first)}"))
        for row in range(1, len(ctx.states)):
            old, new = ctx.states[row - 1][name], ctx.states[row][name]
            if old == new:
                continue
            diffs = [change_text(p, t) for p, t in changes(name, old, new)]
            lines = [Line(clip(d)) for d in diffs[:MAX_CHANGES]]
            out.append(Cell(row, lane, tuple(lines), "changed", f"{name} = {show(new)}\n" + "\n".join(diffs)))
    return out


def _variable_arrows(ctx: Context) -> list[Arrow]:
    out = []
    for row in range(1, len(ctx.states)):
        actor = ctx.actors[row]
        if actor is None:
            continue
        for name, lane in lanes_of(ctx, "var"):
            if ctx.states[row - 1][name] != ctx.states[row][name]:
                out.append(Arrow((row, actor), (row, lane), "write"))
        keys: dict = {}
        for r in reads_of(ctx, row):
            if ("var", r.var) in ctx.lane_of:
                keys.setdefault(r.var, set()).add("" if r.whole else show(r.key))
        for name in sorted(keys):
            shown = sorted(k for k in keys[name] if k)
            label = clip(", ".join(f"{name}[{k}]" for k in shown), 30) if shown and "" not in keys[name] else ""
            out.append(Arrow((row - 1, ctx.lane_of[("var", name)]), (row, actor), "read", label))
    return out


# ---------------------------------------------------------------- lane segments

def _segments(ctx: Context) -> list[tuple[int, int, str]]:
    out = []
    idle = {}
    for name, pc in ctx.processes.items():
        idle[name] = ctx.states[0].get(pc)
    for key, lane in ctx.lane_of.items():
        for row in range(1, len(ctx.states)):
            style = _segment_style(ctx, key, ctx.states[row - 1], idle)
            if style:
                out.append((lane, row, style))
    return sorted(out)


def _segment_style(ctx: Context, key, state: dict, idle: dict) -> str:
    if key[0] == "obj":
        a, c = state["api"].get(key[1]), state["cache"].get(key[1])
        if a is None and c is None:
            return ""
        return "object" if a == c else "lagging"
    if key[0] == "var":
        return "variable"
    if key[0] == "proc":
        pcs, start = state.get(ctx.processes.get(key[1], "")), idle.get(key[1])
        if isinstance(pcs, dict) and isinstance(start, dict):
            inst = instance_key(pcs, key[2])
            if inst is not None and pcs[inst] != start.get(inst):
                return "busy"
    return ""


# ---------------------------------------------------------------- the verdict

def _verdict(prop) -> str:
    if prop.kind == "deadlock":
        return "✗ deadlock: no action is enabled"
    if prop.kind == "error":
        return "✗ evaluation failed here"
    name = prop.name + (f" [{prop.instance}]" if prop.instance else "")
    return f"✗ {name} violated"


def _mark_offending(ctx: Context, cells: list[Cell], prop, explanation, verdict: str) -> list[Cell]:
    """The last row's cells of what the failing property instance looked at, highlighted."""
    last = len(ctx.states) - 1
    lanes = _offending_lanes(ctx, explanation, last, prop.kind == "action")
    if not lanes:
        return cells
    by_pos = {(c.row, c.lane): c for c in cells}
    absent = _absent_objects(ctx, explanation, last)
    context = (Line(clip("absent: " + ", ".join(absent)), "plain"),) if absent else ()
    for lane in lanes:
        cell = by_pos.get((last, lane))
        if cell is None:
            cell = _current_cell(ctx, lane, last)
        lines = cell.lines + context + (Line(verdict, "bad"),)
        by_pos[(last, lane)] = Cell(last, lane, lines, "offending", cell.tooltip + f"\n{verdict}")
    return list(by_pos.values())


def _failed_step(ctx: Context, cells: list[Cell], failed, explanation) -> list[Cell]:
    """A run-time error in an action: a red box in the last row of the action's lane for
    the step that failed to evaluate (it reached no state). When the same actor took the
    last step, its box says what failed next instead."""
    label = explanation.label if explanation is not None else None
    if label is None:
        return cells
    lane = ctx.lane_of.get(_actor_of(ctx.model, label))
    if lane is None:
        return cells
    last = len(ctx.states) - 1
    step = Step(label, ctx.model.format_label(label), ctx.trace.steps[-1].state)
    name, where = _step_name(ctx, step), _where(ctx.model, step)
    why = [Line(clip(failed.message), "bad")]
    if failed.expression():
        why.append(Line(clip(f"in {failed.expression(40)}"), "muted"))
    tip = "\n".join([f"{step.action}: evaluation failed", failed.message, failed.location()])
    by_pos = {(c.row, c.lane): c for c in cells}
    cell = by_pos.get((last, lane))
    if cell is None:
        lines = (Line(f"✗ {name}", "title"),) + ((Line(where, "muted"),) if where else ()) + \
            (Line("evaluation failed:", "plain"),) + tuple(why)
        by_pos[(last, lane)] = Cell(last, lane, lines, "step-failed", tip)
    else:
        lines = cell.lines + (Line(clip(f"then ✗ {name} failed:"), "bad"),) + tuple(why)
        by_pos[(last, lane)] = Cell(last, lane, lines, "step-failed", cell.tooltip + "\n" + tip)
    return list(by_pos.values())


def _failed_reads(explanation) -> tuple[str, ...]:
    """What the expression that failed to evaluate read, as one line (`read m[B]`): the
    place a failed map read looked up, whether or not it has a lane."""
    if explanation is None or not explanation.reads:
        return ()
    places = sorted({r.var + ("'" if r.primed else "") + ("" if r.whole else f"[{show(r.key)}]")
                     for r in explanation.reads})
    return (clip("read " + ", ".join(places), 32),)


def _offending_lanes(ctx: Context, explanation, last: int, transition: bool) -> list[int]:
    """Objects the failing instance read that exist at the end (for an action property,
    before or after the violating step); for other specs the variables it read."""
    if explanation is None:
        return []
    rows = (last - 1, last) if transition and last > 0 else (last,)
    out = []
    for r in explanation.reads:
        if ctx.k8s and r.var in ("api", "cache") and not r.whole:
            lane = ctx.lane_of.get(("obj", r.key))
            if lane is not None and any(ctx.states[i]["api"].get(r.key) is not None for i in rows):
                out.append(lane)
        elif not ctx.k8s:
            lane = ctx.lane_of.get(("var", r.var))
            if lane is not None:
                out.append(lane)
    return sorted(set(out))


def _absent_objects(ctx: Context, explanation, last: int) -> list[str]:
    """The objects the failing instance looked for in the last state and did not find (the
    pod and subnet an orphaned IP belonged to): part of why the property fails."""
    if not ctx.k8s or explanation is None:
        return []
    keys = {r.key for r in explanation.reads if r.var in ("api", "cache") and not r.whole and not r.primed}
    gone = [k for k in keys if ctx.states[last]["api"].get(k) is None and ctx.states[last]["cache"].get(k) is None]
    return sorted(show(k) for k in gone)


def _current_cell(ctx: Context, lane: int, row: int) -> Cell:
    """A box repeating a lane's state at `row` (for lanes whose last box is further up)."""
    for full, i in ctx.lane_of.items():
        if i != lane:
            continue
        kind, key = full[0], full[1]
        state = ctx.states[row]
        if kind == "obj":
            a, c = state["api"].get(key), state["cache"].get(key)
            return object_cell(row, lane, key, a, c, None, False)
        if kind == "var":
            return Cell(row, lane, (Line(clip(f"{key} = {show(state[key])}")),), "value",
                        f"{key} = {show(state[key])}")
    return Cell(row, lane, (), "value")


def _title(spec_name: str, variant: str, prop, trace, explanation) -> tuple[str, ...]:
    if prop.kind == "error":
        return _error_title(spec_name, variant, prop, trace, explanation)
    kind = {"invariant": "invariant", "action": "action property", "liveness": "temporal property",
            "deadlock": "deadlock", "reachable": "reachability"}.get(prop.kind, prop.kind)
    at = where(prop.origin, file_only=True)
    head = f"{spec_name} · variant {variant}: " + (
        "deadlock" if prop.kind == "deadlock" else f"{prop.name} violated ({kind}{', ' + at if at else ''})")
    n = len(trace.steps)
    parts = []
    if prop.instance:
        parts.append(f"instance {prop.instance}")
    elif explanation is not None and explanation.binding:
        parts.append(f"fails for {explanation.binding}")
    parts.append(f"{n} states")
    if trace.loop_start is not None:
        stutter = trace.steps[-1].label is None
        parts.append(f"stays in state {trace.loop_start + 1} forever" if stutter and trace.loop_start == n - 2
                     else f"state {n} is state {trace.loop_start + 1} again: the loop repeats forever")
    return (head, " · ".join(parts))


def _error_title(spec_name: str, variant: str, failed, trace, explanation) -> tuple[str, ...]:
    """A run-time error's caption: the message and where (as a violation's names the
    property and where it is), then the failing expression, what was being evaluated
    and the state it failed in."""
    where = failed.location()
    head = f"{spec_name} · variant {variant}: {failed.message}" + (
        f" (run-time error, {where})" if where else " (run-time error)")
    n = len(trace.steps)
    parts = []
    if failed.expression():
        parts.append(f"evaluating {failed.expression()}")
    if explanation is not None and explanation.context:
        parts.append(explanation.context + (f" for {explanation.binding}" if explanation.binding else ""))
    else:
        parts.append(f"in state {n}")
    parts.append(f"{n} states" if n != 1 else "1 state")
    return (head, " · ".join(parts))


def _legend(arrows, segments, cells, loop_start, error: bool = False) -> tuple[str, ...]:
    kinds = {a.kind for a in arrows} | {s for _, _, s in segments} | {c.style for c in cells}
    order = ("write", "cache-write", "read-api", "read-cache", "stale-read", "read", "race",
             "object", "lagging", "busy", "offending", "step-failed", "step-aside")
    out = tuple(k for k in order if k in kinds)
    if error:       # the marked boxes are what the failing expression read
        out = tuple("offending-error" if k == "offending" else k for k in out)
    return out + (("loop",) if loop_start is not None else ())
