"""Plain values as a person reads them: the text of a value in kovn's own syntax, and the
display form of a run-time value (records with their field names).

Input: plain values (semantics/types.py: to_plain's ints, bools, frozensets, dicts, tuples,
Tag, Some, Addr, Block) and run-time values with their types. Output: text (`show`) and
display values (`to_display`, with `Record`s), for traces, reports, ITF and JSON.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.semantics.types import (Addr, Block, CidrT, MapT, OptT, RecordT, SeqT, SetT, Some, SumT, Tag,
                                     Type, to_plain)


def show(v: Any) -> str:
    """A plain value in kovn's own syntax."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (Addr, Block)):
        return str(v)
    if isinstance(v, Tag):
        if isinstance(v.payload, Record) and not v.payload.type_name:    # several values: Msg(1, v1)
            return f"{v.tag}({_fields(v.payload)})"
        return f"{v.tag}({show(v.payload)})" if v.has_payload else v.tag
    if isinstance(v, Some):
        return f"some({show(v.value)})"
    if v is None:
        return "none"
    if isinstance(v, frozenset):
        return "{" + ", ".join(sorted((show(e) for e in v), key=_natural)) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{show(k)}: {show(x)}" for k, x in v.items()) + "}"
    if isinstance(v, tuple):
        return "[" + ", ".join(show(e) for e in v) + "]"
    if isinstance(v, Record):
        return v.type_name + "(" + _fields(v) + ")"
    return str(v)


def _fields(r: "Record") -> str:
    """A record's fields as in its constructor; positional ones (`#0`, `#1`: the values of
    an alternative like `Msg(Ballot, Value)`) without their names."""
    return ", ".join(show(x) if n.startswith("#") else f"{n}: {show(x)}" for n, x in r.items)


def _natural(s: str):
    addr, _, plen = s.partition("/")                          # addresses and blocks in numeric order
    if addr.count(".") == 3 and addr.replace(".", "").isdigit() and (not plen or plen.isdigit()):
        return (0, sum(int(p) << (24 - 8 * i) for i, p in enumerate(addr.split("."))), int(plen or 0))
    return (0, int(s)) if s.lstrip("-").isdigit() else (1, s)


@dataclass(frozen=True, slots=True)
class Record:
    """A record as displayed: its type's name and (field, value) pairs."""

    type_name: str
    items: tuple[tuple[str, Any], ...]


def to_display(t: Type, rep: Any) -> Any:
    """Like to_plain, but records keep their field names (for traces and JSON)."""
    return _display_plain(t, to_plain(t, rep))


def _display_plain(t: Type, v: Any) -> Any:
    if isinstance(t, CidrT):
        return Block((Addr(v[0]), v[1]))
    if isinstance(t, RecordT):
        return Record(t.name or "", tuple((n, _display_plain(ft, x)) for (n, ft), x in zip(t.fields, v)))
    if isinstance(t, SetT):
        return frozenset(_display_plain(t.elem, e) for e in v)
    if isinstance(t, MapT):
        return {_display_plain(t.key, k): _display_plain(t.value, x) for k, x in v.items()}
    if isinstance(t, SeqT):
        return tuple(_display_plain(t.elem, e) for e in v)
    if isinstance(t, OptT):
        return None if v is None else Some(_display_plain(t.elem, v.value))
    if isinstance(t, SumT) and v.has_payload:
        payload = t.payload(v.tag)
        if payload is not None:
            return Tag(v.tag, _display_plain(payload, v.payload), True)
    return v
