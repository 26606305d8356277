"""Ordinals computed from a value's parts (semantics/types.py `ordinal`, `from_ordinal`)
against the definition: the order in which `all_plain` lists a finite type's values
(itertools.product over the parts). Both directions, on fixed and on random small types,
the listing of every value at once (`values`, built from the parts' codes) the same as one
`from_ordinal` per ordinal, and the enumeration of a function type linear in its size
(issue 15: `0..4 -> 0..4` took 20 s, `0..5 -> 0..5` did not finish)."""
from __future__ import annotations

import random
import subprocess
import sys

import pytest

from checker.semantics import types as T

B, INT = T.BoolT(), T.IntT(0, 2)
E = T.SumT("E", (("a", None), ("b", T.IntT(1, 2)), ("c", None)))
FIXED = [
    T.RecordT((("x", INT), ("y", B))),
    T.OptT(INT),
    E,
    T.SeqT(B, 2),
    T.SeqT(T.RecordT((("p", B), ("q", INT))), 2),
    T.SetT(T.RecordT((("p", B), ("q", B)))),
    T.MapT(B, INT, True),
    T.MapT(INT, B, False),
    T.MapT(INT, T.OptT(B), False),
    T.RecordT((("m", T.MapT(B, B, False)), ("o", T.OptT(E)))),
    T.SumT("P", (("none", None), ("m", T.RecordT((("a", B), ("f", T.MapT(B, INT, True))))))),
    T.OptT(T.SeqT(INT, 1)),
]


def random_type(rng: random.Random, depth: int = 0) -> T.Type:
    leaves = [B, T.IntT(0, rng.randint(0, 2)), T.IntT(-1, 1), T.SumT("S", (("a", None), ("b", None)))]
    if depth >= 2:
        return rng.choice(leaves)
    kind = rng.randrange(7)
    inner = lambda: random_type(rng, depth + 1)  # noqa: E731
    if kind == 0:
        return T.RecordT(tuple((f"f{i}", inner()) for i in range(rng.randint(1, 2))))
    if kind == 1:
        return T.OptT(inner())
    if kind == 2:
        return T.SeqT(rng.choice(leaves), rng.randint(0, 2))
    if kind == 3:
        return T.MapT(rng.choice([B, T.IntT(0, 1)]), inner(), rng.random() < 0.5)
    if kind == 4:
        return T.SumT("U", (("x", None), ("y", inner())))
    if kind == 5:
        return T.SetT(rng.choice(leaves))
    return rng.choice(leaves)


def check_against_definition(t: T.Type) -> None:
    values = list(T.all_plain(t))
    assert len(values) == T.size(t)
    for o, plain in enumerate(values):
        rep = T.from_ordinal(t, o)
        assert T.to_plain(t, rep) == plain, (t, o)
        assert T.ordinal(t, rep) == o, (t, o)
        assert T.from_plain(t, plain) == rep, (t, o)
    assert T.values(t) == [T.from_ordinal(t, o) for o in range(T.size(t))], t


@pytest.mark.parametrize("t", FIXED, ids=str)
def test_ordinals_follow_the_listing_of_every_value(t):
    check_against_definition(t)


def test_ordinals_of_random_small_types_follow_the_listing():
    rng = random.Random(15)
    checked = 0
    while checked < 150:
        t = random_type(rng)
        if T.size(t) <= 3000:
            check_against_definition(t)
            checked += 1


def test_enumerating_a_function_type_is_linear():
    """`0..5 -> 0..5` (46,656 functions) in a child process with 60 s: the quadratic
    enumeration did not finish in 5 minutes (each value rebuilt the whole listing)."""
    code = """
from checker.semantics import types as T
t = T.MapT(T.IntT(0, 5), T.IntT(0, 5), True)
reps = [T.from_ordinal(t, o) for o in range(T.size(t))]
assert len(set(reps)) == 46656 and all(T.ordinal(t, r) == o for o, r in enumerate(reps))
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "ok", run.stderr


def test_listing_a_large_type_at_once_is_a_product_of_its_parts():
    """`values` of the token ring's `0..6 -> 0..6` (823,543 functions) is `from_ordinal` of
    every ordinal (checked on a sample: all of them take tens of seconds that way)."""
    t = T.MapT(T.IntT(0, 6), T.IntT(0, 6), True)
    listed = T.values(t)
    assert len(listed) == T.size(t) == 7 ** 7 and len(set(listed)) == 7 ** 7
    rng = random.Random(7)
    for o in [0, 1, 6, 7, 7 ** 7 - 1, *rng.sample(range(7 ** 7), 300)]:
        assert listed[o] == T.from_ordinal(t, o) and T.ordinal(t, listed[o]) == o
