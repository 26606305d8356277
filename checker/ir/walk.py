"""Generic traversal of IR nodes: the one place that knows how to recurse.

Input: any IR node (expression or statement). Output: its children, every node below it
(walk), a rebuilt copy with a function applied bottom-up (transform) or with given nodes
replaced (replace), and whether an expression is closed (no state, no bound name).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

from checker.ir import nodes as ir


def children(node) -> Iterator:
    for name in _fields(type(node)):
        yield from _nodes_in(getattr(node, name))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    """The names of a node class's fields that may hold nodes (not its type or origin);
    kept per class, since dataclasses.fields is slow and the walks run by the hundred
    thousand while a spec compiles."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("t", "origin"))
    return names


def _nodes_in(value) -> Iterator:
    if isinstance(value, (ir.E, ir.S, ir.Binder, ir.MatchArm)):
        yield value
    elif isinstance(value, tuple):
        for v in value:
            yield from _nodes_in(v)


def walk(node) -> Iterator:
    """The node and every node below it, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(list(children(n))))


def transform(node, fn: Callable):
    """Rebuild node bottom-up, replacing each rebuilt node n by fn(n)."""
    node = _rebuilt(node, transform, fn)
    return fn(node) if isinstance(node, (ir.E, ir.S)) else node


def replace(node, table: dict[int, object]):
    """node with every node whose id is in `table` replaced by table[id] (the rest rebuilt
    only where something below changed): for one occurrence of a part, where another equal
    part elsewhere must stay."""
    if id(node) in table:
        return table[id(node)]
    return _rebuilt(node, replace, table)


_NODES = (ir.E, ir.S, ir.Binder, ir.MatchArm)


def _rebuilt(node, recurse: Callable, arg):
    """node with recurse(child, arg) for each child node (in fields and tuples), rebuilt
    only when one of them changed."""
    if not isinstance(node, _NODES):
        return node
    changes = {}
    for name in _fields(type(node)):
        value = getattr(node, name)
        new = _map(value, recurse, arg)
        if new is not value:
            changes[name] = new
    return dataclasses.replace(node, **changes) if changes else node


def _map(value, recurse: Callable, arg):
    if isinstance(value, _NODES):
        return recurse(value, arg)
    if isinstance(value, tuple):
        new = tuple(_map(v, recurse, arg) for v in value)
        return value if all(a is b for a, b in zip(new, value)) else new
    return value


def closed(e) -> bool:
    """No state read (x, x', old(x)), no bound name, no definition call: e can be evaluated
    once, now."""
    for n in walk(e):
        if isinstance(n, (ir.VarRef, ir.Local, ir.CallDef)):
            return False
        if isinstance(n, ir.Op) and n.op in ("prime", "old"):
            return False
    return True
