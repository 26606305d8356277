"""Object lanes of a Kubernetes spec: its `api` and `cache` maps, one lane per object name.

Input: the builders' `Context` (checker/render/diagram.py). Output: the object lanes' boxes
(lifecycle: created, finalizers, deletionTimestamp, gone; where the informer cache is
behind the API) and the arrows of each step: what it wrote to the API or the cache, what it
read from either, a read of a cache that differed from the API marked stale.
"""
from __future__ import annotations

from typing import Any

from checker.render.diagram import (Arrow, Cell, Context, Line, clip, change_text, lanes_of,
                                    reads_of)
from checker.analysis.results import Read
from checker.render.text import changes
from checker.semantics.types import Tag
from checker.semantics.display import Record, show

_LIFECYCLE = ("deleting", "finalizers", "rv")


def _obj(state: dict, var: str, key) -> Any:
    return state[var].get(key)


def fields(obj) -> dict:
    """An object's fields, with the kind-specific data flattened: a record's fields, or those
    of the alternative of its kind (`type Data = DbData(backups: 0..2) | PvcData(bound: bool)`:
    a Db shows `backups`, a Pvc `bound`). Generation 0 (not tracked) is left out."""
    if not isinstance(obj, Record):
        return {"value": obj}
    out = {}
    for name, value in obj.items:
        data = value.payload if isinstance(value, Tag) and name == "data" else value
        if isinstance(data, Record) and name == "data":
            for sub, v in data.items:
                out[sub] = v
        elif not (name == "gen" and value == 0):
            out[name] = value
    return out


def object_cells(ctx: Context) -> list[Cell]:
    """A box wherever an object changes in the API or the cache (and in the first row)."""
    out = []
    for key, lane in lanes_of(ctx, "obj"):
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
            out.append(object_cell(row, lane, key, a, c, pa if row else a, row > 0 and pa is None))
    return out


def object_cell(row, lane, key, a, c, pa, created) -> Cell:
    """The box of object `key`: API copy `a`, cache copy `c`, API copy one row up `pa`."""
    lines: list[Line] = []
    if a is None:
        status, style = ("gone from the API" if c is not None else "gone"), "gone"
    else:
        f = fields(a)
        deleting = bool(f.get("deleting"))
        status = "created" if created else "deleting" if deleting else "exists"
        style = "created" if created else "deleting" if deleting else "exists"
        if "finalizers" in f:
            fins = f["finalizers"]
            lines.append(Line("finalizers: " + (", ".join(sorted(show(x) for x in fins)) or "none")))
        lines += _data_lines(pa, a)
    lines.insert(0, Line(status, "title"))
    if c != a:
        lines += [Line(clip(text), "warn") for text in _cache_lag(c, a)]
    tip = f"{show(key)}\nAPI: {show(a) if a is not None else '(absent)'}\ncache: " \
          f"{show(c) if c is not None else '(absent)'}"
    return Cell(row, lane, tuple(lines), style, tip)


def _data_lines(old, new) -> list[Line]:
    """The object's other fields: those the step changed one per line, the rest on one
    muted line (an owner only when there is one)."""
    fo, fn = fields(old) if old is not None else {}, fields(new)
    changed, same = [], []
    for name, value in fn.items():
        if name in _LIFECYCLE or (name == "owner" and value is None):
            continue
        if old is not None and fo.get(name) != value:
            changed += [Line(clip(change_text(p, t))) for p, t in changes(name, fo.get(name), value)]
        else:
            same.append(f"{name}={show(value)}")
    return changed + ([Line(clip(", ".join(same)), "muted")] if same else [])


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
    fc, fa = fields(c), fields(a)
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
    fo, fn = fields(old), fields(new)
    out = []
    if not fo.get("deleting") and fn.get("deleting"):
        out.append("deletionTimestamp set")
    fins_o, fins_n = fo.get("finalizers", frozenset()), fn.get("finalizers", frozenset())
    out += [f"+finalizer {show(x)}" for x in sorted(fins_n - fins_o, key=show)]
    out += [f"-finalizer {show(x)}" for x in sorted(fins_o - fins_n, key=show)]
    for name, value in fn.items():
        if name in _LIFECYCLE or fo.get(name) == value:
            continue
        out.append(f"{name}={show(value)}")
    if not out and fo.get("rv") != fn.get("rv"):
        out.append("resourceVersion")
    return out


def _write_label(old, new) -> str:
    if old is None and new is not None:
        fins = fields(new).get("finalizers")
        return "create" + (f" (finalizers: {', '.join(sorted(show(x) for x in fins))})" if fins else "")
    if new is None:
        if old is not None and fields(old).get("finalizers"):
            return "-finalizer " + ", ".join(sorted(show(x) for x in fields(old)["finalizers"])) + " → gone"
        return "delete → gone"
    parts = _obj_change_summary(old, new)
    return ", ".join(parts) if parts else "update"


def object_arrows(ctx: Context) -> list[Arrow]:
    """Per step: its writes to the API and the cache (same row), then its reads (from the
    row above: the state the step started in)."""
    out: list[Arrow] = []
    for row in range(1, len(ctx.states)):
        actor = ctx.actors[row]
        if actor is None:
            continue
        prev, cur = ctx.states[row - 1], ctx.states[row]
        written = set()
        for key, lane in lanes_of(ctx, "obj"):
            pa, a = _obj(prev, "api", key), _obj(cur, "api", key)
            pc, c = _obj(prev, "cache", key), _obj(cur, "cache", key)
            if pa != a:
                written.add(("api", key))
                out.append(Arrow((row, actor), (row, lane), "write", clip(_write_label(pa, a), 40)))
            if pc != c:
                written.add(("cache", key))
                label = "cache: " + ("gone" if c is None else "added" if pc is None else
                                     ", ".join(_obj_change_summary(pc, c)) or "updated")
                out.append(Arrow((row, actor), (row, lane), "cache-write", clip(label, 40)))
        out += _object_reads(ctx, row, actor, written)
    return out


def _object_reads(ctx: Context, row: int, actor: int, written: set) -> list[Arrow]:
    """One arrow per (object, kind of read); not the API read of what the step writes (the
    write arrow shows it), nor the informer's reads of the cache it is updating."""
    out = []
    writes_cache = any(var == "cache" for var, _ in written)
    seen = set()
    for r in sorted(reads_of(ctx, row), key=lambda r: (r.var, show(r.key))):
        if r.var not in ("api", "cache") or r.whole:
            continue
        lane = ctx.lane_of.get(("obj", r.key))
        if lane is None or (r.var, r.key) in written or (r.var == "cache" and writes_cache):
            continue
        absent = ctx.states[row - 1][r.var].get(r.key) is None
        if r.var == "api":
            kind, label = "read-api", "NotFound" if absent else ""
        elif _is_stale(ctx, row, r):
            kind, label = "stale-read", clip("stale: " + _stale_text(ctx, row, r.key), 48)
        else:
            kind, label = "read-cache", "NotFound" if absent else ""
        if (lane, kind) in seen:
            continue
        seen.add((lane, kind))
        out.append(Arrow((row - 1, lane), (row, actor), kind, label))
    return out


def stale_reads(ctx: Context, row: int) -> list[Read]:
    """The stale cache reads of a step; the informer, which writes the cache, reads it
    only to update it."""
    if not ctx.k8s or ctx.states[row]["cache"] != ctx.states[row - 1]["cache"]:
        return []
    return [r for r in reads_of(ctx, row) if _is_stale(ctx, row, r)]


def _is_stale(ctx: Context, row: int, r: Read) -> bool:
    """A read of cache[k] while the cache's copy differs from the API's."""
    if not ctx.k8s or r.var != "cache" or r.whole:
        return False
    before = ctx.states[row - 1]
    return before["cache"].get(r.key) != before["api"].get(r.key)


def _stale_text(ctx: Context, row: int, key) -> str:
    before = ctx.states[row - 1]
    return ", ".join(_cache_diff(before["cache"].get(key), before["api"].get(key)))
