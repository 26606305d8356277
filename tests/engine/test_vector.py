"""The vectorised expander (compile/vector.py) against the generated one and against Python.

It runs the actions' generated code over arrays of states and must give exactly what the
generated expander gives: the same states in the same order with the same parents, the
same counts per action, verdicts, traces and run-time errors. Checked here:

- on random specs and on the shipped models, a search vectorised from its first state
  (vector_from=0), also in chunks of a few states (BATCH patched), against the same
  search without it, under several options (limits, stop at the first violation,
  --max-depth, deadlocks); and that the random specs do get vectorised (a test that
  never ran the arrays would prove nothing);
- the interpreter's expressions against Python's own evaluation, on random expressions
  over random ints (Python's floor division, shifts, bools, short-circuits, errors);
- its table lookups and inserts against a Python set.
"""
from __future__ import annotations

import ast
import dataclasses
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from checker import api
from checker.compile import vector
from checker.engine import CheckOptions, explore
from checker.engine.bfs import Search
from checker.engine.store import CompactStore

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_paths import summary  # noqa: E402
from specgen import compiled_models, spec_from_seed  # noqa: E402

_SETTINGS = dict(derandomize=True, deadline=None, database=None, phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])

OPTIONS = [CheckOptions(), CheckOptions(max_states=7), CheckOptions(stop_on_violation=True),
           CheckOptions(max_depth=3), CheckOptions(complete=True), CheckOptions(check_deadlock=True)]


def searched(model, options: CheckOptions) -> tuple[dict, list, list]:
    search = Search(model, options, None, compact=True)
    result = search.run()
    return summary(result), list(search.store.states), list(search.store.parents)


def vectorised_chunks(model) -> int:
    """Chunks the model's vectorised expanders ran on arrays (to their end, or to an event
    they handed to the generated expander)."""
    fast = model.fast_path
    if fast is None or (fast.program is not None and fast.program.unsupported):
        return 0
    return sum(x.chunks for x in fast.expanders.values() if isinstance(x, vector.VectorExpander))


def compared(model, options: CheckOptions) -> None:
    plain = searched(model, dataclasses.replace(options, vector_from=None))
    assert searched(model, dataclasses.replace(options, vector_from=0)) == plain


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(vector, "BATCH", 3)


def compiled_from_seed(tmp_path: Path, seed: int) -> list:
    return compiled_models(tmp_path, spec_from_seed(seed).text, f"spec{seed}.kovn")


@pytest.mark.parametrize("group", range(6))
def test_vectorised_search_matches_the_generated_one_on_random_specs(tmp_path, group):
    """Ten random specs a group, every option; and a third of them at least do run on arrays (a
    comparison that never ran the arrays would prove nothing)."""
    ran = []
    for seed in range(15_000 + 10 * group, 15_010 + 10 * group):
        for model in compiled_from_seed(tmp_path, seed):
            for options in OPTIONS:
                compared(model, options)
            ran.append(vectorised_chunks(model) > 0)
    assert 3 * sum(ran) >= len(ran), f"{sum(ran)} of {len(ran)} models ran on arrays"


@pytest.mark.parametrize("group", range(3))
def test_chunks_of_a_few_states_on_random_specs(tmp_path, group, small_chunks):
    for seed in range(16_000 + 10 * group, 16_010 + 10 * group):
        for model in compiled_from_seed(tmp_path, seed):
            for options in (CheckOptions(), CheckOptions(max_states=9), CheckOptions(stop_on_violation=True)):
                compared(model, options)


@pytest.mark.parametrize("path,consts,variant", [
    ("models/twophase.kovn", ["N=4"], "plain"),
    ("models/twophase.kovn", ["N=4"], "default"),
    ("models/peterson.kovn", ["N=3"], "default"),
    ("models/diehard.kovn", [], None),
    ("models/alloc.kovn", [], None),
    ("models/workers.kovn", [], None),
    ("models/tla/ewd840.kovn", ["N=3"], None),
    ("models/tla/tokenring.kovn", ["N=3", "M=3"], None),
    ("models/tla/fifo.kovn", [], None),
    ("models/tla/readerswriters.kovn", ["NumActors=2"], None),
])
def test_vectorised_search_matches_the_generated_one_on_models(path, consts, variant, monkeypatch):
    compiled, _ = api.compile_spec(path, api.parse_consts(consts), [variant] if variant else None)
    for _, model in compiled:
        for options in (CheckOptions(), CheckOptions(max_depth=6), CheckOptions(max_states=500)):
            compared(model, options)
        monkeypatch.setattr(vector, "BATCH", 7)
        compared(model, CheckOptions())
        monkeypatch.undo()


def test_a_quantifier_too_large_to_write_out():
    """At N = 9 the invariant's quantifier over pairs of RMs is a generator, any(... for
    ...), which the arrays evaluate element by element (the first 40,000 states)."""
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=9"]), ["plain"])[0]
    assert "any(" in model.source
    compared(model, CheckOptions(max_states=40_000))
    assert vectorised_chunks(model) > 0


def test_twophase_runs_on_arrays_with_tlc_counts():
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=5"]), ["plain"])[0]
    result = explore(model, CheckOptions(vector_from=0))
    # shared/conformance.md's counts
    assert (result.stats.distinct, result.stats.generated, result.stats.depth) == (8_832, 58_146, 17)
    assert vectorised_chunks(model) > 0


# ---- expressions: the interpreter against Python ---------------------------------------------
_NAMES = ("x", "y", "b")


def _expr(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(_NAMES), st.integers(-9, 70).map(str), st.sampled_from(["True", "False"]))
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    binary = st.tuples(sub, st.sampled_from(["+", "-", "*", "//", "%", "&", "|", "^", "<<", ">>"]), sub)
    compare = st.tuples(sub, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), sub)
    return st.one_of(
        leaf,
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        compare.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, st.sampled_from(["and", "or"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, sub, sub).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(["-", "~", "not "]), sub).map(lambda t: f"({t[0]}{t[1]})"),
        sub.map(lambda t: f"({t}).bit_count()"),
    )


def _on_arrays(code: str, rows: list) -> object:
    """`code` evaluated by the interpreter for rows of (x, y, b)."""
    run = vector._Run(vector.Program("", {}), len(rows), [])
    env = {"x": np.array([r[0] for r in rows], dtype=np.int64),
           "y": np.array([r[1] for r in rows], dtype=np.int64),
           "b": np.array([r[2] for r in rows], dtype=np.bool_)}
    return run.ev(ast.parse(code, mode="eval").body, env, None, len(rows))


def _python(code: str, env: dict):
    try:
        value = eval(code, dict(env))    # noqa: S307 - the reference: Python itself
    except (ArithmeticError, ValueError):
        return "error"
    if isinstance(value, int) and abs(value) >= 1 << 62:
        return "big"
    return int(value)


@settings(max_examples=400, **_SETTINGS)
@given(_expr(3), st.lists(st.tuples(st.integers(-40, 300), st.integers(-5, 70), st.booleans()),
                          min_size=1, max_size=12))
def test_expressions_evaluate_as_python_does(code, rows):
    expected = [_python(code, {"x": x, "y": y, "b": b}) for x, y, b in rows]
    try:
        got = _on_arrays(code, rows)
    except vector.Event:
        # the chunk goes back to the generated code: fine wherever Python fails or a
        # value leaves 62 bits; never where every row evaluates quietly to small ints
        assert any(e in ("error", "big") for e in expected) or _wide(code, rows)
        return
    except vector.Unsupported:
        pytest.fail(f"{code} is plain int arithmetic")
    values = [int(v) for v in np.broadcast_to(np.asarray(got), (len(rows),))]
    for value, want in zip(values, expected):
        assert want not in ("error", "big"), f"{code}: Python fails, the arrays gave {value}"
        assert value == want, code


def _wide(code: str, rows) -> bool:
    """Does some sub-expression leave 62 bits (so the interpreter may give up on the chunk)
    for some row, although the whole expression does not?"""
    tree = ast.parse(code, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            sub = ast.unparse(node)
            for x, y, b in rows:
                if _python(sub, {"x": x, "y": y, "b": b}) in ("big", "error"):
                    return True
                if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.LShift, ast.RShift)):
                    return True     # shift counts beyond 63 are checked before, not after
    return False


@pytest.mark.parametrize("code", [
    "any(x > k for k in range(3))", "all(x > k for k in range(-2, 3))",
    "any((x // (y - k)) > 1 for k in range(0, 9) if k != 4)",      # Python stops before y - k == 0
    "all(x % (k + 1) != y for k in (0, 1, 2) for j in range(k))",
    "any(b and x > j * k for k in range(3) for j in range(2))",
])
def test_quantifiers_evaluate_as_python_does(code):
    rows = [(x, y, b) for x in (-7, 0, 3, 11, 40) for y in (0, 1, 5, 8) for b in (False, True)]
    expected = [_python(code, {"x": x, "y": y, "b": b}) for x, y, b in rows]
    try:
        got = _on_arrays(code, rows)
    except vector.Event:
        assert "error" in expected
        return
    assert "error" not in expected
    assert [int(v) for v in got] == expected


# ---- the table ------------------------------------------------------------------------------------
def test_the_table_against_a_set():
    """_claim puts in the table what it lacks, says which keys were new (every occurrence),
    and an emptied `filled` undoes it; _rebuild keeps what the table holds."""
    rng = random.Random(61)
    store = CompactStore(compact_from=0)
    truth: set[int] = set()
    for _ in range(30):
        batch = [rng.getrandbits(rng.choice([4, 16, 63])) | 1 for _ in range(rng.randrange(1, 900))]
        batch += rng.sample(batch, len(batch) // 3) + rng.sample(sorted(truth), min(len(truth), 40))
        keys = np.array(batch, dtype=np.uint64)
        vector._rebuild(store, keys.size)
        before = bytes(store.table)
        filled: list = []
        at, fresh = vector._claim(store, keys, filled)
        assert fresh.tolist() == [k not in truth for k in batch]
        table = np.frombuffer(store.table, dtype=np.uint64)
        assert (table[at] == keys).all()
        if rng.random() < 0.3:          # undone
            for slots in filled:
                table[slots] = 0
            assert bytes(store.table) == before
            continue
        new = sorted(set(batch) - truth)
        store.states.extend(new)
        store.retired = len(store.states)
        store.cold += len(new)
        truth |= set(new)
        vector._rebuild(store, 0)
        assert store.cold == len(truth) <= 0.7 * len(store.table)
        assert all(store.in_cold(k) for k in truth)


@pytest.mark.parametrize("call", [1, 2, 3, 5, 8])
def test_a_limit_inside_the_arrays_is_reported_not_a_crash(call, monkeypatch):
    """A limit (a timeout, Ctrl-C) raised while the arrays hold NumPy views of the store's
    states (the table rebuilt from them): the chunk is undone and the search reports the
    limit, INCOMPLETE. The views in the unwound frames once made the undo's resize fail."""
    from checker.engine.budget import LimitReached
    from checker.engine.result import Verdict
    original, calls = vector._claim, []

    def claim(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise LimitReached("timeout 1s")
        return original(*args, **kwargs)

    monkeypatch.setattr(vector, "_claim", claim)
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=5"]), ["plain"])[0]
    result = explore(model, CheckOptions(vector_from=0))
    assert len(calls) == call
    assert result.limit == "timeout 1s" and result.verdict is Verdict.INCOMPLETE
