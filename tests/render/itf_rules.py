"""The rules of the ITF format (Apalache ADR-015, with the variant encoding Quint writes),
written down independently of checker/render/itf.py so the tests can hold its output to them.

`problems(doc)` returns every rule a parsed ITF document breaks (empty when it is valid).
"""
from __future__ import annotations

import re

_BIGINT = re.compile(r"^-?[0-9]+$")
_MAX_SAFE = 2 ** 53 - 1


def problems(doc) -> list[str]:
    out: list[str] = []
    if not isinstance(doc, dict):
        return ["the trace is not a JSON object"]
    allowed = {"#meta", "params", "vars", "states", "loop"}
    out += [f"unknown top-level field {k!r}" for k in doc if k not in allowed]
    if "#meta" in doc and not isinstance(doc["#meta"], dict):
        out.append("#meta must be an object")
    if "params" in doc and not _strings(doc["params"]):
        out.append("params must be an array of strings")
    if not _strings(doc.get("vars")):
        return out + ["vars must be an array of strings"]
    if len(set(doc["vars"])) != len(doc["vars"]):
        out.append("vars has duplicates")
    states = doc.get("states")
    if not isinstance(states, list):
        return out + ["states must be an array"]
    names = set(doc["vars"]) | set(doc.get("params", []))
    for i, st in enumerate(states):
        out += _state(st, i, names, set(doc["vars"]))
    if "loop" in doc:
        loop = doc["loop"]
        if not isinstance(loop, int) or isinstance(loop, bool) or not 0 <= loop < len(states):
            out.append(f"loop must be the index of a state, got {loop!r}")
    return out


def _strings(x) -> bool:
    return isinstance(x, list) and all(isinstance(s, str) for s in x)


def _state(st, i: int, names: set, required: set) -> list[str]:
    if not isinstance(st, dict):
        return [f"states[{i}] is not an object"]
    out = []
    if "#meta" in st and not isinstance(st["#meta"], dict):
        out.append(f"states[{i}].#meta must be an object")
    out += [f"states[{i}] lacks {v}" for v in sorted(required - set(st))]
    for k, v in st.items():
        if k == "#meta":
            continue
        if k not in names:
            out.append(f"states[{i}] has {k!r}, which is not in vars")
        out += expression(v, f"states[{i}].{k}")
    return out


def expression(x, where: str) -> list[str]:
    """The problems of one ITF expression."""
    if isinstance(x, bool) or isinstance(x, str):
        return []
    if isinstance(x, int):
        return [] if abs(x) <= _MAX_SAFE else [f"{where}: integer beyond 2^53 must be #bigint"]
    if isinstance(x, float) or x is None:
        return [f"{where}: {x!r} is not an ITF expression"]
    if isinstance(x, list):
        return [p for k, e in enumerate(x) for p in expression(e, f"{where}[{k}]")]
    if not isinstance(x, dict):
        return [f"{where}: {type(x).__name__} is not an ITF expression"]
    special = [k for k in x if k.startswith("#")]
    if special:
        return _special(x, special, where)
    if set(x) == {"tag", "value"} and isinstance(x["tag"], str):
        return expression(x["value"], f"{where}.{x['tag']}")
    return [p for k, e in x.items() for p in expression(e, f"{where}.{k}")]


def _special(x: dict, keys: list, where: str) -> list[str]:
    if len(x) != 1:
        return [f"{where}: {keys[0]} must be the only field of its object"]
    key, body = keys[0], x[keys[0]]
    if key == "#bigint":
        return [] if isinstance(body, str) and _BIGINT.match(body) else [f"{where}: bad #bigint {body!r}"]
    if key in ("#tup", "#set"):
        if not isinstance(body, list):
            return [f"{where}: {key} needs an array"]
        return [p for k, e in enumerate(body) for p in expression(e, f"{where}{key}[{k}]")]
    if key == "#map":
        if not isinstance(body, list) or not all(isinstance(p, list) and len(p) == 2 for p in body):
            return [f"{where}: #map needs an array of [key, value] pairs"]
        return [p for k, (a, b) in enumerate(body) for p in expression(a, f"{where}#map[{k}].key")
                + expression(b, f"{where}#map[{k}].value")]
    if key == "#unserializable":
        return [] if isinstance(body, str) else [f"{where}: #unserializable needs a string"]
    return [f"{where}: unknown field {key!r} (fields starting with # are reserved)"]
