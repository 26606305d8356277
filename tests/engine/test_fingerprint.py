"""state.fingerprint: stable values, order independence, independence from PYTHONHASHSEED."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.engine.state import encode, fingerprint

ROOT = Path(__file__).resolve().parents[2]

# Computed once with this implementation; a change here breaks every stored fingerprint
# (reports, worker partitioning), so it must be deliberate.
KNOWN = [
    (0, 18062823682530124204),
    (1, 10580881956597297159),
    (-1, 1068115353978714765),
    (2**70, 5763686881855555492),
    (None, 6753767377493465268),
    ("kovn", 18328126504676098531),
    ((), 468168063056144371),
    ((1, 2, 3), 1379484937547191885),
    (frozenset(), 6798527652509824378),
    (frozenset({"a", "b", "c"}), 12749182365990125924),
    ((1, ("x", frozenset({(1, None), (2, "y")}))), 15518475908441896550),
]

NESTED = (7, ("x", frozenset({"alpha", "beta", (1, frozenset({"c", "d"}))}), None, True))


@pytest.mark.parametrize("value, expected", KNOWN)
def test_known_values(value, expected):
    assert fingerprint(value) == expected


def test_fingerprints_are_64_bit():
    assert all(0 <= fingerprint(v) < 2**64 for v, _ in KNOWN)


def test_equal_values_get_equal_fingerprints_even_bool_and_int():
    assert True == 1 and fingerprint(True) == fingerprint(1)
    assert fingerprint((False, 2)) == fingerprint((0, 2))


def test_kinds_do_not_collide():
    values = [1, "1", (1,), frozenset({1}), None, (), frozenset(), "", ((),), (None,),
              ("a", "b"), ("ab",), (1, (2,)), ((1, 2),)]
    assert len({encode(v) for v in values}) == len(values)
    assert len({fingerprint(v) for v in values}) == len(values)


def test_unsupported_values_are_rejected():
    for value in (1.5, [1], {"a": 1}, {1}):
        with pytest.raises(TypeError):
            fingerprint(value)


leaves = st.one_of(st.integers(), st.text(max_size=5), st.none(), st.booleans())
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4).map(tuple), st.frozensets(inner, max_size=4)), max_leaves=20)


@given(st.lists(values, max_size=8, unique_by=encode), st.randoms())
def test_frozenset_fingerprint_ignores_insertion_order(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert fingerprint(frozenset(items)) == fingerprint(frozenset(shuffled))


@given(values, values)
def test_equal_encodings_exactly_for_equal_values(a, b):
    assert (encode(a) == encode(b)) == (a == b)


@pytest.mark.parametrize("seed", ["0", "1"])
def test_same_value_under_any_hash_seed(seed):
    code = ("from checker.engine.state import fingerprint; "
            f"print(fingerprint({NESTED!r}))")
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert int(out) == fingerprint(NESTED)
