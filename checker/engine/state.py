"""Stable 64-bit fingerprints of states.

Input: a state built from ints, bools, None, strings and (nested) tuples and frozensets.
Output: `fingerprint(state) -> int` in [0, 2**64), the same on every run, machine and
PYTHONHASHSEED, so it can name states in reports and later decide which worker process
owns a state.

The explorer itself never uses fingerprints to decide whether a state was seen (it stores the
states, so there are no collisions); fingerprints are for naming and partitioning only.
"""
from __future__ import annotations

import hashlib
from typing import Any

# One tag byte per kind keeps encodings of different kinds apart: the string "1" and the int 1
# must not collide, nor the tuple (1,) and the frozenset {1}.
_INT, _NONE, _STR, _TUPLE, _SET = b"i", b"n", b"s", b"t", b"f"


def fingerprint(state: Any) -> int:
    """The stable 64-bit fingerprint of `state` (blake2b over `encode(state)`).

    Equal states get equal fingerprints, including where Python's equality is loose:
    True == 1, so bools are encoded as the ints 0 and 1.
    """
    digest = hashlib.blake2b(encode(state), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def encode(value: Any) -> bytes:
    """A canonical byte encoding of `value`: equal values give equal bytes.

    Every encoding is self-delimiting (tag, then a length or count, then the payload), so the
    concatenation of encodings inside a tuple cannot be read two ways.
    Raises TypeError for values outside the supported kinds (floats, lists, dicts, ...).
    """
    out = bytearray()
    _encode_into(value, out)
    return bytes(out)


def _encode_into(value: Any, out: bytearray) -> None:
    # int before the other kinds: compiled specs use one int per state, the common case.
    # bool is a subclass of int, so True/False land here as 1/0, matching True == 1.
    if isinstance(value, int):
        size = (value.bit_length() + 8) // 8   # room for the sign bit
        out += _INT
        out += size.to_bytes(4, "big")
        out += value.to_bytes(size, "big", signed=True)
    elif value is None:
        out += _NONE
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        out += _STR
        out += len(data).to_bytes(4, "big")
        out += data
    elif isinstance(value, tuple):
        out += _TUPLE
        out += len(value).to_bytes(4, "big")
        for item in value:
            _encode_into(item, out)
    elif isinstance(value, frozenset):
        # Iteration order of a frozenset depends on PYTHONHASHSEED; sorting the element
        # encodings makes the result depend on the members only.
        out += _SET
        out += len(value).to_bytes(4, "big")
        for item in sorted(encode(item) for item in value):
            out += item
    else:
        raise TypeError(
            f"cannot fingerprint a {type(value).__name__}: states must be built from ints, "
            "bools, None, strings, tuples and frozensets"
        )
