"""Built-in calls (len, min, max, some, get, keys, append, ...): each checks its arguments and
builds IR. Input: an ast.Call and the elaborator. Output: an ir.E (an error value after a diagnostic).
"""
from __future__ import annotations
from checker import codes
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.syntax import ast
from checker.ir.elaborate.common import ErrorT, BOOL, INT, _elem_any, err
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.ir.elaborate import Elaborator

# ---------------------------------------------------------------- built-in calls

def _args(el: Elaborator, e: ast.Call, n: int | tuple[int, ...]) -> bool:
    counts = (n,) if isinstance(n, int) else n
    if len(e.args) not in counts or any(a.name is not None for a in e.args):
        el.error(codes.BAD_CALL, f"{e.func.name}() takes {' or '.join(map(str, counts))} argument(s)", e.span)
        return False
    return True


def _b_len(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, (T.SetT, T.SeqT, T.MapT)):
        return ir.Op(INT, "len", (x,), e.span)
    if isinstance(x.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"len() needs a set, sequence or map, found {x.t}", e.args[0].span)


def _b_minmax(el, e, expected, ctx):
    name = e.func.name
    if len(e.args) >= 2:
        xs = tuple(el.int_operand(a.value, ctx) for a in e.args)
        return ir.Op(INT, name + "2", xs, e.span)
    if not _args(el, e, (1, 2)):
        return err(e.span)
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, (T.SetT, T.SeqT)) and isinstance(_elem_any(x.t), T.IntT):
        return ir.Op(_elem_any(x.t), name, (x,), e.span)
    if isinstance(x.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"{name}() needs integers or a set or sequence of integers, found {x.t}",
                    e.args[0].span)


def _b_abs(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    return ir.Op(INT, "abs", (el.int_operand(e.args[0].value, ctx),), e.span)


def _b_some(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    want = expected.elem if isinstance(expected, T.OptT) else None
    x = el.expr(e.args[0].value, want, ctx)
    t = want or x.t
    return ir.Op(T.OptT(t), "some", (el.coerce(x, t, e.args[0].span),), e.span)


def _typed_arg(el, e, ctx, kind: type, what: str):
    """The single argument of a builtin that needs a value of type `kind` (else KOV2xx,
    unless the argument already had an error), or None."""
    if not _args(el, e, 1):
        return None
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, kind):
        return x
    if not isinstance(x.t, ErrorT):
        el.error(codes.BAD_OPERAND, f"{e.func.name}() needs {what}, found {x.t}", e.args[0].span)
    return None


def _opt_arg(el, e, ctx):
    return _typed_arg(el, e, ctx, T.OptT, "an option")


def _b_is_some(el, e, expected, ctx):
    x = _opt_arg(el, e, ctx)
    return err(e.span) if x is None else ir.Op(BOOL, "is_some", (x,), e.span)


def _b_is_none(el, e, expected, ctx):
    x = _opt_arg(el, e, ctx)
    return err(e.span) if x is None else ir.Op(BOOL, "not", (ir.Op(BOOL, "is_some", (x,)),), e.span)


def _b_get(el, e, expected, ctx):
    x = _opt_arg(el, e, ctx)
    return err(e.span) if x is None else ir.Op(x.t.elem, "get", (x,), e.span)


def _b_keys(el, e, expected, ctx):
    if not _args(el, e, 1):
        return err(e.span)
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, T.MapT):
        return ir.Op(T.SetT(x.t.key), "keys", (x,), e.span)
    if isinstance(x.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"keys() needs a map, found {x.t}", e.args[0].span)


def _seq_arg(el, e, ctx, n):
    if not _args(el, e, n):
        return None
    x = el.infer(e.args[0].value, ctx)
    if isinstance(x.t, T.SeqT):
        return x
    if not isinstance(x.t, ErrorT):
        el.error(codes.BAD_OPERAND, f"{e.func.name}() needs a sequence, found {x.t}", e.args[0].span)
    return None


def _b_append(el, e, expected, ctx):
    s = _seq_arg(el, e, ctx, 2)
    if s is None:
        return err(e.span)
    x = el.check(e.args[1].value, s.t.elem, ctx)
    return ir.Op(s.t, "append", (s, x), e.span)


def _b_seq1(op):
    def build(el, e, expected, ctx):
        s = _seq_arg(el, e, ctx, 1)
        if s is None:
            return err(e.span)
        return ir.Op(s.t if op == "tail" else s.t.elem, op, (s,), e.span)
    return build


def _b_remove(el, e, expected, ctx):
    if not _args(el, e, 2):
        return err(e.span)
    m = el.infer(e.args[0].value, ctx)
    if isinstance(m.t, T.MapT) and not m.t.total:
        return ir.Op(m.t, "remove", (m, el.check(e.args[1].value, m.t.key, ctx)), e.span)
    if isinstance(m.t, ErrorT):
        return err(e.span)
    return el.error(codes.BAD_OPERAND, f"remove() needs a partial map (map[K, V]), found {m.t}", e.args[0].span,
                    hint="a total function K -> V has a value at every key")


BUILTIN_CALLS = {
    "len": _b_len, "min": _b_minmax, "max": _b_minmax, "abs": _b_abs, "some": _b_some,
    "is_some": _b_is_some, "is_none": _b_is_none, "get": _b_get, "keys": _b_keys,
    "append": _b_append, "remove": _b_remove, "head": _b_seq1("head"), "tail": _b_seq1("tail"), "last": _b_seq1("last"),
}
