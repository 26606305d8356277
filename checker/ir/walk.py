"""Generic traversal of IR nodes: the one place that knows how to recurse.

Input: any IR node (expression or statement). Output: its children, every node below it
(walk), or a rebuilt copy with a function applied bottom-up (transform).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

from checker.ir import nodes as ir


def children(node) -> Iterator:
    for f in dataclasses.fields(node):
        if f.name in ("t", "origin"):
            continue
        yield from _nodes_in(getattr(node, f.name))


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
    changes = {}
    for f in dataclasses.fields(node):
        if f.name in ("t", "origin"):
            continue
        value = getattr(node, f.name)
        new = _transform_value(value, fn)
        if new is not value:
            changes[f.name] = new
    if changes:
        node = dataclasses.replace(node, **changes)
    return fn(node) if isinstance(node, (ir.E, ir.S)) else node


def _transform_value(value, fn):
    if isinstance(value, (ir.E, ir.S, ir.Binder, ir.MatchArm)):
        return transform(value, fn)
    if isinstance(value, tuple):
        new = tuple(_transform_value(v, fn) for v in value)
        return value if all(a is b for a, b in zip(new, value)) else new
    return value
