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
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.render.reads import Explanation, Read
from checker.render.text import changes
from checker.semantics.types import Record, show

MAX_LINE = 46          # characters of one label line (the tooltip keeps the whole text)
MAX_CHANGES = 6        # change lines in one step box


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    tone: str = "plain"      # "title" | "plain" | "muted" | "warn" | "bad"


@dataclass(frozen=True, slots=True)
class Lane:
    title: str
    kind: str                # "process" | "action" | "object" | "variable"
    subtitle: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """A box in lane `lane` at row `row` (0 = the initial state); style names its look:
    step, step-alert, created, exists, deleting, gone, value, changed, offending."""

    row: int
    lane: int
    lines: tuple[Line, ...]
    style: str
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class Arrow:
    """kind: write (to the API or a variable), cache-write (the informer), read-api,
    read-cache, stale-read, read (a variable)."""

    src: tuple[int, int]     # (row, lane)
    dst: tuple[int, int]
    kind: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Diagram:
    title: tuple[str, ...]
    lanes: tuple[Lane, ...]
    rows: tuple[str, ...]                       # per row: the step's action ("" for the first)
    cells: tuple[Cell, ...]
    segments: tuple[tuple[int, int, str], ...]  # (lane, row, style): from row-1 down to row;
                                                # style object | lagging | busy | variable
    arrows: tuple[Arrow, ...]
    loop_start: int | None = None
    verdict: str = ""                           # the violated property, for the last row
    legend: tuple[str, ...] = field(default=())  # arrow kinds and segment styles present


@dataclass(frozen=True)
class _Ctx:
    """What the builders share: the states as displayed, the lanes found, the reads."""

    model: Any
    trace: Any
    states: list
    reads: tuple
    k8s: bool
    processes: dict          # process name -> its pc variable
    actors: list             # per row: lane index of the step's actor (None for row 0)
    lane_of: dict            # ("obj", key) | ("var", name) | actor key -> lane index


# ---------------------------------------------------------------- entry point

def build(model, trace, prop, spec_name: str, variant: str, reads: tuple,
          explanation: Explanation | None) -> Diagram:
    """The diagram of `prop`'s counterexample `trace` (reads: per step, from reads.py)."""
    states = [dict(model.describe(s.state)) for s in trace.steps]
    k8s = _is_k8s(states[0])
    processes = _processes(model)
    lanes, lane_of, actors = _lanes(model, trace, states, reads, k8s, processes, explanation)
    ctx = _Ctx(model, trace, states, reads, k8s, processes, actors, lane_of)
    cells = _actor_cells(ctx)
    cells += _object_cells(ctx) if k8s else _variable_cells(ctx)
    arrows = _object_arrows(ctx) if k8s else _variable_arrows(ctx)
    segments = _segments(ctx)
    verdict = _verdict(prop)
    cells = _mark_offending(ctx, cells, prop, explanation, verdict)
    title = _title(spec_name, variant, prop, trace, explanation)
    legend = _legend(arrows, segments, cells, trace.loop_start)
    rows = tuple("" if s.action is None and i == 0 else (s.action or "") for i, s in enumerate(trace.steps))
    return Diagram(title, tuple(lanes), rows, tuple(sorted(cells, key=lambda c: (c.row, c.lane))),
                   tuple(segments), tuple(arrows), trace.loop_start, verdict, legend)


def _is_k8s(state: dict) -> bool:
    return isinstance(state.get("api"), dict) and isinstance(state.get("cache"), dict)


def _processes(model) -> dict:
    """Process name -> the name of its program-counter variable (compiled specs only)."""
    spec = getattr(model, "spec", None)
    out: dict = {}
    for a in getattr(spec, "actions", ()):
        if getattr(a, "process", None):
            out.setdefault(a.process, f"{a.process}.pc")
    return out


# ---------------------------------------------------------------- lanes

def _actor(model, step) -> tuple | None:
    """The lane key of the actor of a step: ("proc", name, instance) or ("act", name)."""
    if step.label is None:
        return None
    index, params = step.label
    spec = getattr(model, "spec", None)
    if spec is not None:
        action = spec.actions[index]
        if action.process and action.params:
            instance = model.format_label((index, params[:1])).split("(", 1)[-1].rstrip(")")
            return ("proc", action.process, instance)
        return ("act", action.name)
    return ("act", model.actions[index].name)


def _lanes(model, trace, states, reads, k8s, processes, explanation):
    actors_keys = [_actor(model, s) for s in trace.steps]
    procs = [k for k in dict.fromkeys(a for a in actors_keys if a and a[0] == "proc")]
    acts = [k for k in dict.fromkeys(a for a in actors_keys if a and a[0] == "act")]
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
    middle = _object_keys(states) if k8s else _variable_names(states, reads, processes, explanation)
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
    return lanes, lane_of, actors


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
    path = getattr(origin, "path", "") or ""
    return "library" if "/stdlib/" in path.replace("\\", "/") else "action"


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


def _lanes_of(ctx: _Ctx, kind: str):
    """(key, lane index) of the object ("obj") or variable ("var") lanes."""
    return [(k[1], lane) for k, lane in ctx.lane_of.items() if len(k) == 2 and k[0] == kind]


# ---------------------------------------------------------------- actor (step) cells

def _actor_cells(ctx: _Ctx) -> list[Cell]:
    out = []
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
        stale = _stale_reads(ctx, row)
        shown = [Line(_clip(d)) for d in diffs[:MAX_CHANGES]]
        if len(diffs) > MAX_CHANGES:
            shown.append(Line(f"… {len(diffs) - MAX_CHANGES} more changes", "muted"))
        if ctx.states[row] == ctx.states[row - 1]:
            shown.append(Line("(no change)", "muted"))
        lines += shown
        if stale:
            lines.append(Line("⚠ read a stale cache", "bad"))
        tooltip = "\n".join([f"{row + 1}. {step.action}", where] + diffs)
        out.append(Cell(row, lane, tuple(lines), "step-alert" if stale else "step", tooltip))
    return out


def _step_name(ctx: _Ctx, step) -> str:
    spec = getattr(ctx.model, "spec", None)
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
    origin = model.actions[step.label[0]].origin
    if origin is None or not hasattr(origin, "line"):
        return ""
    return f"{Path(str(origin.path)).name}:{origin.line}"


def _step_changes(ctx: _Ctx, row: int) -> list[str]:
    """The changes a step made that no lane shows: memory, queues, the actor's locals."""
    prev, cur = ctx.states[row - 1], ctx.states[row]
    actor = _actor(ctx.model, ctx.trace.steps[row])
    own = f"{actor[1]}." if actor and actor[0] == "proc" else None
    out = []
    for var in cur:
        if ("var", var) in ctx.lane_of or (ctx.k8s and var in ("api", "cache", "events")):
            continue
        if own and var == f"{actor[1]}.pc":
            continue
        old, new = prev.get(var), cur[var]
        if own and var.startswith(own) and isinstance(old, dict) and isinstance(new, dict):
            inst = _instance_key(new, actor[2])
            if inst is not None:
                out += [_change_text(p, t) for p, t in changes(var[len(own):], old.get(inst), new.get(inst))]
                continue
        out += [_change_text(p, t) for p, t in changes(var, old, new)]
    return out


def _instance_key(value: dict, shown: str):
    for k in value:
        if show(k) == shown:
            return k
    return None


def _change_text(path: str, text: str) -> str:
    if "  = " in text and not text.startswith("("):      # set changes: "+{x}  = {x, y}"
        text = text.split("  = ", 1)[0]
        return f"{path} {text}"
    return f"{path}: {text.replace(' -> ', ' → ')}"


def _clip(text: str, width: int = MAX_LINE) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


# ---------------------------------------------------------------- object lanes (k8s)

def _obj(state: dict, var: str, key) -> Any:
    return state[var].get(key)


def _fields(obj) -> dict:
    """An object's fields, with a nested record (the kind-specific data) flattened."""
    if not isinstance(obj, Record):
        return {"value": obj}
    out = {}
    for name, value in obj.items:
        if isinstance(value, Record) and name == "data":
            for sub, v in value.items:
                out[sub] = v
        else:
            out[name] = value
    return out


def _object_cells(ctx: _Ctx) -> list[Cell]:
    out = []
    for key, lane in _lanes_of(ctx, "obj"):
        seen = False
        for row, state in enumerate(ctx.states):
            a, c = _obj(state, "api", key), _obj(state, "cache", key)
            prev = ctx.states[row - 1] if row else None
            pa = _obj(prev, "api", key) if prev else None
            pc = _obj(prev, "cache", key) if prev else None
            present = a is not None or c is not None
            if row and (a, c) == (pa, pc):
                continue
            if not present and not seen:
                continue
            seen = True
            out.append(_object_cell(row, lane, key, a, c, pa if row else a, row > 0 and pa is None))
    return out


def _object_cell(row, lane, key, a, c, pa, created) -> Cell:
    lines: list[Line] = []
    if a is None:
        status, style = ("gone from the API" if c is not None else "gone"), "gone"
    else:
        f = _fields(a)
        deleting = bool(f.get("deleting"))
        status = "created" if created else "deleting" if deleting else "exists"
        style = "created" if created else "deleting" if deleting else "exists"
        if "finalizers" in f:
            fins = f["finalizers"]
            lines.append(Line("finalizers: " + (", ".join(sorted(show(x) for x in fins)) or "none")))
        lines += _data_lines(pa, a)
    lines.insert(0, Line(status, "title"))
    if c != a:
        lines += [Line(_clip(text), "warn") for text in _cache_lag(c, a)]
    tip = f"{show(key)}\nAPI: {show(a) if a is not None else '(absent)'}\ncache: " \
          f"{show(c) if c is not None else '(absent)'}"
    return Cell(row, lane, tuple(lines), style, tip)


_LIFECYCLE = ("deleting", "finalizers", "rv")


def _data_lines(old, new) -> list[Line]:
    """The object's other fields: those the step changed one per line, the rest on one
    muted line (an owner only when there is one)."""
    fo, fn = _fields(old) if old is not None else {}, _fields(new)
    changed, same = [], []
    for name, value in fn.items():
        if name in _LIFECYCLE or (name == "owner" and value is None):
            continue
        if old is not None and fo.get(name) != value:
            changed += [Line(_clip(_change_text(p, t))) for p, t in changes(name, fo.get(name), value)]
        else:
            same.append(f"{name}={show(value)}")
    return changed + ([Line(_clip(", ".join(same)), "muted")] if same else [])


def _cache_lag(c, a) -> list[str]:
    """How the cache's copy differs from the API's, seen from the cache (label lines)."""
    if c is None:
        return ["cache: not seen yet"]
    if a is None:
        return ["cache: still has it"]
    items = _cache_diff(c, a)
    return [f"cache behind: {items[0]}"] if len(items) == 1 else ["cache behind:"] + items


def _cache_diff(c, a) -> list[str]:
    """What the cache's copy `c` of an object shows that the API's `a` no longer does."""
    if c is None:
        return ["not in cache, exists in API"]
    if a is None:
        return ["in cache, gone from API"]
    fc, fa = _fields(c), _fields(a)
    out = []
    if fa.get("deleting") and not fc.get("deleting"):
        out.append("no deletionTimestamp")
    elif fc.get("deleting") and not fa.get("deleting"):
        out.append("deletionTimestamp")
    fins_c, fins_a = fc.get("finalizers", frozenset()), fa.get("finalizers", frozenset())
    out += [f"no finalizer {show(x)}" for x in sorted(fins_a - fins_c, key=show)]
    out += [f"finalizer {show(x)}" for x in sorted(fins_c - fins_a, key=show)]
    for name, value in fc.items():
        if name not in _LIFECYCLE and fa.get(name) != value:
            out.append(f"{name}={show(value)} (API: {show(fa.get(name))})")
    return out or ["older resourceVersion"]


def _obj_change_summary(old, new) -> list[str]:
    """What turned object `old` into `new`: deletionTimestamp, finalizers, fields."""
    fo, fn = _fields(old), _fields(new)
    out = []
    if not fo.get("deleting") and fn.get("deleting"):
        out.append("deletionTimestamp set")
    fins_o, fins_n = fo.get("finalizers", frozenset()), fn.get("finalizers", frozenset())
    out += [f"+finalizer {show(x)}" for x in sorted(fins_n - fins_o, key=show)]
    out += [f"-finalizer {show(x)}" for x in sorted(fins_o - fins_n, key=show)]
    for name, value in fn.items():
        if name in ("deleting", "finalizers", "rv") or fo.get(name) == value:
            continue
        out.append(f"{name}={show(value)}")
    if not out and fo.get("rv") != fn.get("rv"):
        out.append("resourceVersion")
    return out


def _write_label(old, new) -> str:
    if old is None and new is not None:
        fins = _fields(new).get("finalizers")
        return "create" + (f" (finalizers: {', '.join(sorted(show(x) for x in fins))})" if fins else "")
    if new is None:
        if old is not None and _fields(old).get("finalizers"):
            return "-finalizer " + ", ".join(sorted(show(x) for x in _fields(old)["finalizers"])) + " → gone"
        return "delete → gone"
    parts = _obj_change_summary(old, new)
    return ", ".join(parts) if parts else "update"


def _object_arrows(ctx: _Ctx) -> list[Arrow]:
    out: list[Arrow] = []
    for row in range(1, len(ctx.states)):
        actor = ctx.actors[row]
        if actor is None:
            continue
        prev, cur = ctx.states[row - 1], ctx.states[row]
        written = set()
        for key, lane in _lanes_of(ctx, "obj"):
            pa, a = _obj(prev, "api", key), _obj(cur, "api", key)
            pc, c = _obj(prev, "cache", key), _obj(cur, "cache", key)
            if pa != a:
                written.add(("api", key))
                out.append(Arrow((row, actor), (row, lane), "write", _clip(_write_label(pa, a), 40)))
            if pc != c:
                written.add(("cache", key))
                label = "cache: " + ("gone" if c is None else "added" if pc is None else
                                     ", ".join(_obj_change_summary(pc, c)) or "updated")
                out.append(Arrow((row, actor), (row, lane), "cache-write", _clip(label, 40)))
        out += _object_reads(ctx, row, actor, written)
    return out


def _object_reads(ctx: _Ctx, row: int, actor: int, written: set) -> list[Arrow]:
    out = []
    writes_cache = any(var == "cache" for var, _ in written)
    seen = set()
    for r in sorted(_reads_of(ctx, row), key=lambda r: (r.var, show(r.key))):
        if r.var not in ("api", "cache") or r.whole:
            continue
        lane = ctx.lane_of.get(("obj", r.key))
        if lane is None or (r.var, r.key) in written or (r.var == "cache" and writes_cache):
            continue
        absent = ctx.states[row - 1][r.var].get(r.key) is None
        if r.var == "api":
            kind, label = "read-api", "NotFound" if absent else ""
        elif _is_stale(ctx, row, r):
            kind, label = "stale-read", _clip("stale: " + _stale_text(ctx, row, r.key), 48)
        else:
            kind, label = "read-cache", "NotFound" if absent else ""
        if (lane, kind) in seen:
            continue
        seen.add((lane, kind))
        out.append(Arrow((row - 1, lane), (row, actor), kind, label))
    return out


def _reads_of(ctx: _Ctx, row: int) -> list[Read]:
    return [r for r in ctx.reads[row] if not r.primed] if row < len(ctx.reads) else []


def _stale_reads(ctx: _Ctx, row: int) -> list[Read]:
    """The stale cache reads of a step; the informer, which writes the cache, reads it
    only to update it."""
    if not ctx.k8s or ctx.states[row]["cache"] != ctx.states[row - 1]["cache"]:
        return []
    return [r for r in _reads_of(ctx, row) if _is_stale(ctx, row, r)]


def _is_stale(ctx: _Ctx, row: int, r: Read) -> bool:
    """A read of cache[k] while the cache's copy differs from the API's."""
    if not ctx.k8s or r.var != "cache" or r.whole:
        return False
    before = ctx.states[row - 1]
    return before["cache"].get(r.key) != before["api"].get(r.key)


def _stale_text(ctx: _Ctx, row: int, key) -> str:
    before = ctx.states[row - 1]
    return ", ".join(_cache_diff(before["cache"].get(key), before["api"].get(key)))


# ---------------------------------------------------------------- variable lanes (any spec)

def _variable_cells(ctx: _Ctx) -> list[Cell]:
    out = []
    for name, lane in _lanes_of(ctx, "var"):
        first = ctx.states[0][name]
        out.append(Cell(0, lane, (Line(_clip(f"{name} = {show(first)}")),), "value",
                        f"{name} = {show(first)}"))
        for row in range(1, len(ctx.states)):
            old, new = ctx.states[row - 1][name], ctx.states[row][name]
            if old == new:
                continue
            diffs = [_change_text(p, t) for p, t in changes(name, old, new)]
            lines = [Line(_clip(d)) for d in diffs[:MAX_CHANGES]]
            out.append(Cell(row, lane, tuple(lines), "changed", f"{name} = {show(new)}\n" + "\n".join(diffs)))
    return out


def _variable_arrows(ctx: _Ctx) -> list[Arrow]:
    out = []
    for row in range(1, len(ctx.states)):
        actor = ctx.actors[row]
        if actor is None:
            continue
        for name, lane in _lanes_of(ctx, "var"):
            if ctx.states[row - 1][name] != ctx.states[row][name]:
                out.append(Arrow((row, actor), (row, lane), "write"))
        keys: dict = {}
        for r in _reads_of(ctx, row):
            if ("var", r.var) in ctx.lane_of:
                keys.setdefault(r.var, set()).add("" if r.whole else show(r.key))
        for name in sorted(keys):
            shown = sorted(k for k in keys[name] if k)
            label = _clip(", ".join(f"{name}[{k}]" for k in shown), 30) if shown and "" not in keys[name] else ""
            out.append(Arrow((row - 1, ctx.lane_of[("var", name)]), (row, actor), "read", label))
    return out


# ---------------------------------------------------------------- lane segments

def _segments(ctx: _Ctx) -> list[tuple[int, int, str]]:
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


def _segment_style(ctx: _Ctx, key, state: dict, idle: dict) -> str:
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
            inst = _instance_key(pcs, key[2])
            if inst is not None and pcs[inst] != start.get(inst):
                return "busy"
    return ""


# ---------------------------------------------------------------- the verdict

def _verdict(prop) -> str:
    if prop.kind == "deadlock":
        return "✗ deadlock: no action is enabled"
    name = prop.name + (f" [{prop.instance}]" if getattr(prop, "instance", None) else "")
    return f"✗ {name} violated"


def _mark_offending(ctx: _Ctx, cells: list[Cell], prop, explanation, verdict: str) -> list[Cell]:
    """The last row's cells of what the failing property instance looked at, highlighted."""
    last = len(ctx.states) - 1
    lanes = _offending_lanes(ctx, explanation, last, prop.kind == "action")
    if not lanes:
        return cells
    by_pos = {(c.row, c.lane): c for c in cells}
    for lane in lanes:
        cell = by_pos.get((last, lane))
        if cell is None:
            cell = _current_cell(ctx, lane, last)
        lines = cell.lines + (Line(verdict, "bad"),)
        by_pos[(last, lane)] = Cell(last, lane, lines, "offending", cell.tooltip + f"\n{verdict}")
    return list(by_pos.values())


def _offending_lanes(ctx: _Ctx, explanation, last: int, transition: bool) -> list[int]:
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


def _current_cell(ctx: _Ctx, lane: int, row: int) -> Cell:
    """A box repeating a lane's state at `row` (for lanes whose last box is further up)."""
    for full, i in ctx.lane_of.items():
        if i != lane:
            continue
        kind, key = full[0], full[1]
        state = ctx.states[row]
        if kind == "obj":
            a, c = state["api"].get(key), state["cache"].get(key)
            return _object_cell(row, lane, key, a, c, None, False)
        if kind == "var":
            return Cell(row, lane, (Line(_clip(f"{key} = {show(state[key])}")),), "value",
                        f"{key} = {show(state[key])}")
    return Cell(row, lane, (), "value")


def _title(spec_name: str, variant: str, prop, trace, explanation) -> tuple[str, ...]:
    kind = {"invariant": "invariant", "action": "action property", "liveness": "temporal property",
            "deadlock": "deadlock", "reachable": "reachability"}.get(prop.kind, prop.kind)
    where = ""
    if getattr(prop, "origin", None) is not None and hasattr(prop.origin, "line"):
        where = f", {Path(str(prop.origin.path)).name}:{prop.origin.line}"
    head = f"{spec_name} · variant {variant}: " + (
        "deadlock" if prop.kind == "deadlock" else f"{prop.name} violated ({kind}{where})")
    n = len(trace.steps)
    parts = []
    if getattr(prop, "instance", None):
        parts.append(f"instance {prop.instance}")
    elif explanation is not None and explanation.binding:
        parts.append(f"fails for {explanation.binding}")
    parts.append(f"{n} states")
    if trace.loop_start is not None:
        stutter = trace.steps[-1].label is None
        parts.append(f"stays in state {trace.loop_start + 1} forever" if stutter and trace.loop_start == n - 2
                     else f"state {n} is state {trace.loop_start + 1} again: the loop repeats forever")
    return (head, " · ".join(parts))


def _legend(arrows, segments, cells, loop_start) -> tuple[str, ...]:
    kinds = {a.kind for a in arrows} | {s for _, _, s in segments} | {c.style for c in cells}
    order = ("write", "cache-write", "read-api", "read-cache", "stale-read", "read",
             "object", "lagging", "busy", "offending")
    out = tuple(k for k in order if k in kinds)
    return out + (("loop",) if loop_start is not None else ())
