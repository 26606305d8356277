"""Traces in the Informal Trace Format (ITF, Apalache ADR-015), which Apalache and Quint write
and the ITF trace viewer reads: writing one, and reading one back into a checked `Trace`.

Input (write): a model (`describe`, `format_label`, actions with origins), a `Trace` and a
few names for `#meta`. Output: JSON text, deterministic (sets sorted, no time stamps).
Input (read): ITF JSON text and a compiled spec model (its variable types say how to read
each value). Output: a `Trace` rebuilt by replaying the states through the model: the
first must be an initial state and each next one a successor of the one before, so a file
that does not describe a behaviour of this variant is refused with `ItfError`.

Values, as Apalache and Quint write them (docs/adr/0010-rendered-traces.md says why kovn
writes its own encoder rather than using the itf-py package):
  bool -> true/false; int, ip -> {"#bigint": "n"}; a process label -> "string";
  a record -> {"field": ...}; a cidr -> {"network": ..., "prefix": ...};
  a set -> {"#set": [...]} (elements in kovn's display order); a map -> {"#map": [[k, v], ...]};
  a sequence -> [...]; a sum value -> {"tag": "T", "value": payload}, {"#tup": []} standing
  for no payload (Quint's unit); option -> the variants Some(x) / None, as Quint writes them.
A run-time error's trace (the search failed to evaluate an expression in its last state)
is an ordinary finite trace whose `#meta` has `kind: "error"` and `error` (the message, the
location `file:line:col` and the expression's text); it reads back like any other.
A lasso (liveness counterexample) is written ADR-015's way: `loop` is the index of the
state the loop starts at, and the last state is followed by that state again (kovn's own
traces repeat that state at the end; the copy is left out of the file and put back on
reading).
"""
from __future__ import annotations

import json
from typing import Any

from checker.analysis.source import spec_of
from checker.diagnostics import where
from checker.engine.result import Step, Trace
from checker.semantics import types as T
from checker.semantics import display as D

FORMAT_URL = "https://apalache-mc.org/docs/adr/015adr-trace.html"
_UNIT: dict[str, list[Any]] = {"#tup": []}


class ItfError(Exception):
    """An ITF document that is malformed or is not a behaviour of the model."""


# ---------------------------------------------------------------- writing

def write_itf(model, trace: Trace, *, source: str = "", variant: str = "", prop: str = "",
              kind: str = "", error: dict | None = None) -> str:
    """The ITF JSON text of `trace` (one trace per file); `error`, for a run-time error's
    trace, goes to `#meta` as is (message, location, expression)."""
    steps = list(trace.steps)
    if trace.loop_start is not None and len(steps) > 1:
        steps = steps[:-1]                    # the repeated loop state (module docstring)
    names = list(model.describe(steps[0].state))
    meta: dict[str, Any] = {"format": "ITF", "format-description": FORMAT_URL,
                            "source": source, "description": "Created by kovn"}
    if variant:
        meta["variant"] = variant
    if prop:
        meta["property"] = prop
        meta["kind"] = kind
    if error:
        meta["kind"] = "error"
        meta["error"] = dict(error)
    types = _var_types(model)
    if types:
        meta["varTypes"] = types
    doc: dict[str, Any] = {"#meta": meta, "vars": names, "states": []}
    for i, step in enumerate(steps):
        state = model.describe(step.state)
        entry: dict[str, Any] = {"#meta": _step_meta(model, step, i)}
        for name in names:
            entry[name] = encode(state[name])
        doc["states"].append(entry)
    if trace.loop_start is not None:
        doc["loop"] = trace.loop_start
        last = trace.steps[-1]
        doc["#meta"]["loopAction"] = last.action or "(stutters)"
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _var_types(model) -> dict:
    spec = spec_of(model)
    return {v.name: str(v.t) for v in spec.vars} if spec is not None else {}


def _step_meta(model, step: Step, index: int) -> dict:
    meta: dict[str, Any] = {"index": index, "action": step.action or "init"}
    if step.label is not None:
        at = where(model.actions[step.label[0]].origin, file_only=True)
        if at:
            meta["line"] = at
    return meta


def encode(v: Any) -> Any:
    """A display value (model.describe) as an ITF expression."""
    if isinstance(v, bool):
        return v
    if isinstance(v, T.Block):
        return {"network": encode(T.Addr(v[0])), "prefix": encode(v[1])}
    if isinstance(v, int):
        return {"#bigint": str(int(v))}
    if isinstance(v, str):
        return v
    if isinstance(v, T.Tag):
        return {"tag": v.tag, "value": encode(v.payload) if v.has_payload else dict(_UNIT)}
    if isinstance(v, T.Some):
        return {"tag": "Some", "value": encode(v.value)}
    if v is None:
        return {"tag": "None", "value": dict(_UNIT)}
    if isinstance(v, D.Record):
        return {name: encode(x) for name, x in v.items}
    if isinstance(v, frozenset):
        return {"#set": [encode(x) for x in sorted(v, key=_order)]}
    if isinstance(v, dict):
        return {"#map": [[encode(k), encode(x)] for k, x in v.items()]}
    if isinstance(v, tuple):
        return [encode(x) for x in v]
    return {"#unserializable": str(v)}


def _order(v: Any):
    """Display order of set elements: numbers by value, everything else by its text."""
    if isinstance(v, int) and not isinstance(v, bool):
        return (0, int(v), "")
    return (1, 0, D.show(v))


# ---------------------------------------------------------------- reading

def read_itf(model, text: str) -> Trace:
    """The trace an ITF document describes, replayed through `model` (a compiled spec).

    Raises ItfError when the text is not ITF, a value does not fit its variable's type, or
    the states are not a behaviour of the model."""
    doc = _load(text)
    types = {v.name: v.t for v in model.spec.vars}
    names = doc["vars"]
    if sorted(names) != sorted(types):
        missing, extra = sorted(set(types) - set(names)), sorted(set(names) - set(types))
        raise ItfError("the trace's variables are not the spec's"
                       + (f"; missing {', '.join(missing)}" if missing else "")
                       + (f"; unknown {', '.join(extra)}" if extra else ""))
    wanted = []
    for i, st in enumerate(doc["states"]):
        wanted.append({n: decode(types[n], st[n], f"states[{i}].{n}") for n in types})
    loop = doc.get("loop")
    return _replay(model, wanted, loop)


def _load(text: str) -> dict:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ItfError(f"not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("vars"), list) \
            or not isinstance(doc.get("states"), list):
        raise ItfError("an ITF trace is an object with `vars` and `states` arrays")
    if not doc["states"]:
        raise ItfError("the trace has no states")
    for i, st in enumerate(doc["states"]):
        if not isinstance(st, dict):
            raise ItfError(f"states[{i}] is not an object")
        missing = [n for n in doc["vars"] if n not in st]
        if missing:
            raise ItfError(f"states[{i}] has no value for {', '.join(missing)}")
    loop = doc.get("loop")
    if loop is not None and (not isinstance(loop, int) or isinstance(loop, bool)
                             or not 0 <= loop < len(doc["states"])):
        raise ItfError(f"`loop` must be the index of a state, got {loop!r}")
    return doc


def _replay(model, wanted: list[dict], loop: int | None) -> Trace:
    first = next((s for s in model.init_states() if model.describe(s) == wanted[0]), None)
    if first is None:
        raise ItfError("states[0] is not an initial state of this variant")
    steps = [Step(None, None, first)]
    for i in range(1, len(wanted)):
        steps.append(_successor(model, steps[-1].state, wanted[i], i))
    if loop is None:
        return Trace(tuple(steps))
    back = next(((lab, s) for lab, s in model.successors(steps[-1].state) if s == steps[loop].state), None)
    if back is not None:
        steps.append(Step(back[0], model.format_label(back[0]), back[1]))
    elif steps[-1].state == steps[loop].state:
        steps.append(Step(None, "(stutters)", steps[-1].state))
    else:
        raise ItfError(f"the last state does not lead back to states[{loop}], where the loop starts")
    return Trace(tuple(steps), loop)


def _successor(model, state, want: dict, index: int) -> Step:
    for label, nxt in model.successors(state):
        if model.describe(nxt) == want:
            return Step(label, model.format_label(label), nxt)
    raise ItfError(f"states[{index}] is not a successor of states[{index - 1}] in this variant")


def decode(t: T.Type, x: Any, where: str) -> Any:
    """An ITF expression as the display value of type t (what model.describe gives)."""
    try:
        return _decode(t, x, where)
    except ItfError:
        raise
    except (KeyError, TypeError, ValueError, IndexError):
        raise ItfError(f"{where}: {json.dumps(x)[:80]} is not a value of {t}") from None


def _decode(t: T.Type, x: Any, where: str) -> Any:
    bad = ItfError(f"{where}: {json.dumps(x)[:80]} is not a value of {t}")
    if isinstance(t, T.BoolT):
        if not isinstance(x, bool):
            raise bad
        return x
    if isinstance(t, T.IntT):
        n = _int(x, bad)
        if (t.lo is not None and n < t.lo) or (t.hi is not None and n > t.hi):
            raise bad
        return T.Addr(n) if isinstance(t, T.IpT) else n
    if isinstance(t, T.LabelT):
        if x not in t.labels:
            raise bad
        return x
    if isinstance(t, T.CidrT):
        return T.Block((T.Addr(_int(x["network"], bad)), _int(x["prefix"], bad)))
    if isinstance(t, T.RecordT):
        if not isinstance(x, dict) or set(x) != {n for n, _ in t.fields}:
            raise bad
        return D.Record(t.name or "", tuple((n, _decode(ft, x[n], f"{where}.{n}")) for n, ft in t.fields))
    if isinstance(t, T.SetT):
        return frozenset(_decode(t.elem, e, f"{where}[]") for e in _wrapped(x, "#set", bad))
    if isinstance(t, T.MapT):
        out = {}
        for pair in _wrapped(x, "#map", bad):
            if not isinstance(pair, list) or len(pair) != 2:
                raise bad
            out[_decode(t.key, pair[0], f"{where}[key]")] = _decode(t.value, pair[1], f"{where}[value]")
        return out
    if isinstance(t, T.SeqT):
        if not isinstance(x, list) or (t.max is not None and len(x) > t.max):
            raise bad
        return tuple(_decode(t.elem, e, f"{where}[]") for e in x)
    if isinstance(t, T.OptT):
        return _decode_option(t, x, where, bad)
    if isinstance(t, T.SumT):
        return _decode_sum(t, x, where, bad)
    raise bad


def _int(x: Any, bad: ItfError) -> int:
    if isinstance(x, int) and not isinstance(x, bool):
        return x                              # ADR-015 allows plain JSON integers too
    if isinstance(x, dict) and set(x) == {"#bigint"} and isinstance(x["#bigint"], str):
        return int(x["#bigint"])
    raise bad


def _wrapped(x: Any, key: str, bad: ItfError) -> list:
    if not isinstance(x, dict) or set(x) != {key} or not isinstance(x[key], list):
        raise bad
    return x[key]


def _variant(x: Any, bad: ItfError) -> tuple[str, Any]:
    if not isinstance(x, dict) or set(x) != {"tag", "value"} or not isinstance(x["tag"], str):
        raise bad
    return x["tag"], x["value"]


def _is_unit(v: Any) -> bool:
    return v == _UNIT or v == {}              # older Quint writes {} for no payload


def _decode_option(t: T.OptT, x: Any, where: str, bad: ItfError) -> Any:
    tag, value = _variant(x, bad)
    if tag == "None" and _is_unit(value):
        return None
    if tag == "Some":
        return T.Some(_decode(t.elem, value, f"{where}.Some"))
    raise bad


def _decode_sum(t: T.SumT, x: Any, where: str, bad: ItfError) -> Any:
    tag, value = _variant(x, bad)
    try:
        payload = t.payload(tag)
    except KeyError:
        raise bad from None
    if payload is None:
        if not _is_unit(value):
            raise bad
        return T.Tag(tag)
    return T.Tag(tag, _decode(payload, value, f"{where}.{tag}"), True)
