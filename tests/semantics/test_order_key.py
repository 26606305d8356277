"""Canonical order of plain values (ir/plain.py order_key) against the definition: the
order in which semantics/types.py all_plain lists a finite type's values (ascending
ordinal). order_key computes it from the value's parts, never by listing the type, so
ordering values of a type with an `ip` field stays cheap (issue 20)."""
from __future__ import annotations

import random
import subprocess
import sys

import pytest

from checker.ir.plain import normalize, order_key
from checker.semantics import types as T

B, INT = T.BoolT(), T.IntT(0, 2)
E = T.SumT("E", (("a", None), ("b", T.IntT(1, 2)), ("c", None)))
SMALL = [
    T.RecordT((("x", INT), ("y", B))),
    T.OptT(INT),
    E,
    T.SeqT(B, 2),
    T.SetT(INT),
    T.SetT(T.RecordT((("p", B), ("q", B)))),
    T.MapT(B, INT, True),
    T.MapT(INT, B, False),
    T.RecordT((("m", T.MapT(B, B, False)), ("o", T.OptT(E)))),
]


@pytest.mark.parametrize("t", SMALL, ids=str)
def test_order_key_sorts_every_value_of_a_small_type_into_ordinal_order(t):
    values = [normalize(v) for v in T.all_plain(t)]
    shuffled = list(values)
    random.Random(20).shuffle(shuffled)
    assert sorted(shuffled, key=lambda v: order_key(t, v)) == values


def test_ordering_values_of_a_huge_type_allocates_nothing_like_the_type():
    """Two 0..99999 fields and an ip: 10**10 and 2**32 values; sorting a few must not list
    them (in a process capped at 2 GB, as the issue's hostile runs were)."""
    code = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from checker.ir.plain import order_key, in_order
from checker.semantics import types as T
r = T.RecordT((("a", T.IntT(0, 99999)), ("b", T.IntT(0, 99999))))
alloc = T.RecordT((("nic", T.IntT(1, 3)), ("addr", T.IpT())))
assert in_order(T.SetT(r), [(5, 1), (1, 7), (1, 2)]) == [(1, 2), (1, 7), (5, 1)]
assert in_order(T.SetT(alloc), [(2, T.Addr(1)), (1, T.Addr(9))]) == [(1, T.Addr(9)), (2, T.Addr(1))]
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "ok", run.stderr
