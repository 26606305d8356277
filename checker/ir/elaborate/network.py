"""Elaboration: addresses and CIDR blocks (bit-vectors, docs/solver.md).

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker import codes
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.syntax import ast
from checker.ir.elaborate.builtins import _args, _typed_arg
from checker.ir.elaborate.common import ErrorT, ERR_T, INT, err


class NetworkPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def e_IpLit(self, e: ast.IpLit, expected, ctx):
        v = _parse_ip(e.text)
        if v is None:
            return self.error(codes.BAD_ADDRESS, f"'{e.text}' is not an IPv4 address", e.span,
                              hint="four numbers 0..255 separated by dots")
        return ir.Lit(T.IpT(), v, e.span)

    def e_CidrLit(self, e: ast.CidrLit, expected, ctx):
        addr, _, plen = e.text.partition("/")
        a = _parse_ip(addr)
        if a is None or int(plen) > 32:
            return self.error(codes.BAD_ADDRESS, f"'{e.text}' is not a CIDR block", e.span,
                              hint="an address and a prefix length 0..32: 10.16.0.0/16")
        p = int(plen)
        network = a & ~((1 << (32 - p)) - 1)
        if network != a:
            return self.error(codes.BAD_ADDRESS, f"'{e.text}' has host bits set", e.span,
                              hint=f"the block is {T.Addr(network)}/{p}")
        return ir.Lit(T.CidrT(), network | (p << 32), e.span)

    def bounded_set_type(self, te: ast.BoundedSetType) -> T.Type:
        """`set[T, N]`. The bound matters only for element types too large for a bitmask;
        a set of a small type is a bitmask, bounded by its type already."""
        elem = self.resolve_type(te.elem)
        n = self.const_int(te.max)
        if n is None or isinstance(elem, ErrorT):
            return ERR_T
        if n < 0:
            self.error(codes.BAD_RANGE, f"a set cannot hold at most {n} elements", te.max.span)
            return ERR_T
        if T.finite(elem) and T.size(elem) <= T.MAX_ELEMENTS:
            return T.SetT(elem)
        return T.SetT(elem, n)


# ---------------------------------------------------------------- addresses and CIDR blocks (docs/solver.md)

NET_TYPES: dict[str, T.Type] = {"ip": T.IpT(), "cidr": T.CidrT()}


def _parse_ip(text: str) -> int | None:
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 for p in parts):
        return None
    return sum(int(p) << (24 - 8 * i) for i, p in enumerate(parts))


def _conjuncts(e: ir.E) -> list[ir.E]:
    if isinstance(e, ir.Op) and e.op == "and":
        return _conjuncts(e.args[0]) + _conjuncts(e.args[1])
    return [e]


def _cidr_arg(el, e, ctx):
    return _typed_arg(el, e, ctx, T.CidrT, "a cidr")


def _b_cidr_field(field: str):
    def build(el, e, expected, ctx):
        c = _cidr_arg(el, e, ctx)
        return err(e.span) if c is None else ir.FieldGet(c.t.field_type(field), c, field, e.span)
    return build


def _b_cidr_op(op: str, t: T.Type):
    def build(el, e, expected, ctx):
        c = _cidr_arg(el, e, ctx)
        return err(e.span) if c is None else ir.Op(t, op, (c,), e.span)
    return build


def _b_make_cidr(el, e, expected, ctx):
    """cidr(a, p): the block of prefix length p that holds address a."""
    if not _args(el, e, 2):
        return err(e.span)
    a, p = (el.int_operand(x.value, ctx) for x in e.args)
    return ir.Op(T.CidrT(), "cidr", (a, p), e.span)


def _b_ip(el, e, expected, ctx):
    """ip(n): the address with number n (range-checked)."""
    if not _args(el, e, 1):
        return err(e.span)
    return el.coerce(el.int_operand(e.args[0].value, ctx), T.IpT(), e.span)


# After the spec's own names: a definition called `size` wins over the built-in.
NET_CALLS = {
    "network": _b_cidr_field("network"), "prefix": _b_cidr_field("prefix"),
    "broadcast": _b_cidr_op("broadcast", T.IpT()), "gateway": _b_cidr_op("gateway", T.IpT()),
    "size": _b_cidr_op("cidr_size", INT), "cidr": _b_make_cidr, "ip": _b_ip,
}
