"""Where each state variable lives in the packed state int.

Input: the spec's variables (`ir.VarIR`, with finite types). Output: bit offset and width of
each variable; a state is sum(code(var_i) << offset_i). Variables are laid out in
declaration order, the first in the lowest bits.
"""
from __future__ import annotations

from checker.semantics import types as T


class Layout:
    def __init__(self, variables):
        self.offsets: list[int] = []
        self.widths: list[int] = []
        off = 0
        for v in variables:
            w = T.width(v.t)
            self.offsets.append(off)
            self.widths.append(w)
            off += w
        self.total_bits = off

    def offset(self, i: int) -> int:
        return self.offsets[i]

    def width(self, i: int) -> int:
        return self.widths[i]

    def field(self, state: int, i: int) -> int:
        """The code of variable i in a state."""
        return (state >> self.offsets[i]) & ((1 << self.widths[i]) - 1)
