"""The compiled model against the reference interpreter, on random and on fixed small specs.

Each spec goes through the real pipeline (api.compile_spec on a file); its IR is also run by
checker/ir/interp.py. On every state the interpreter reaches, the two must agree on the
initial states, the multiset of (action, parameters, next state) transitions, which
invariants fail and which reachable properties hold, the state constraint, the action
properties of every transition, and whether evaluation fails. The engine's BFS result
(verdict, property statuses, distinct / generated / depth / coverage) must match a naive
BFS over the interpreter. Random specs come from specgen.py (deterministic: derandomize);
the fixed specs below are regressions for the bugs this comparison found.
"""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings

from checker import api
from checker.diagnostics import DiagnosticError, render_all
from checker.engine import ModelError, Status, Verdict
from checker.engine import explore as engine_explore
from checker.ir.interp import Interpreter, checked_properties, explore, normalize, thaw
from checker.semantics import types as T

from specgen import specs  # tests/property is on sys.path (pytest rootdir-less import)

RANDOM_EXAMPLES = 300


# ---------------------------------------------------------------- compiled <-> plain states

def decode(model, state: int) -> tuple:
    """A packed compiled state as the interpreter's frozen state."""
    out = []
    for i, v in enumerate(model.spec.vars):
        rep = T.rep_of_code(v.t, model.layout.field(state, i))
        out.append((v.name, normalize(T.to_plain(v.t, rep))))
    return tuple(out)


def encode(model, frozen: tuple) -> int:
    s = 0
    for i, (v, (name, value)) in enumerate(zip(model.spec.vars, frozen)):
        assert v.name == name
        s |= T.code_of(v.t, T.from_plain(v.t, value)) << model.layout.offset(i)
    return s


def plain_label(model, label) -> tuple:
    index, params = label
    action = model.spec.actions[index]
    return index, normalize(tuple(T.to_plain(p.t, r) for p, r in zip(action.params, params)))


def packed_label(model, label) -> tuple:
    index, params = label
    action = model.spec.actions[index]
    return index, tuple(T.from_plain(p.t, v) for p, v in zip(action.params, params))


def outcome(fn, *args):
    """fn(*args), or the string 'error' when the compiled model raises ModelError."""
    try:
        return fn(*args)
    except ModelError:
        return "error"


def interp_outcome(value):
    return "error" if isinstance(value, str) else value


# ---------------------------------------------------------------- the comparison

class Mismatch(AssertionError):
    pass


def compare_model(model, text: str = "") -> None:
    """Raise Mismatch describing the first disagreement between model and the interpreter."""
    interp = Interpreter(model.spec)
    x = explore(interp)

    def fail(what: str, state=None, compiled=None, reference=None):
        lines = [what]
        if state is not None:
            lines.append(f"  in state {thaw(state)}")
        if compiled is not None or reference is not None:
            lines += [f"  compiled:    {compiled}", f"  interpreter: {reference}"]
        lines += ["  spec:", *("    " + line for line in text.splitlines())]
        raise Mismatch("\n".join(lines))

    compiled_init = outcome(lambda: [decode(model, s) for s in model.init_states()])
    reference_init = interp_outcome(x.init)
    if compiled_init == "error" or reference_init == "error":
        if compiled_init != reference_init:
            fail("init fails in one only", None, compiled_init, x.init)
    elif Counter(compiled_init) != Counter(reference_init):
        fail("initial states differ", None, sorted(compiled_init), sorted(reference_init))

    for f in x.level:
        s = encode(model, f)
        assert decode(model, s) == f, "state encoding does not round-trip"
        got = outcome(lambda: tuple(model.check_state(s)))
        if got != interp_outcome(x.checks[f]):
            fail("check_state differs", f, got, x.checks[f])
        if model.has_constraint:
            got = outcome(model.within_constraint, s)
            if got != interp_outcome(x.inside[f]):
                fail("within_constraint differs", f, got, x.inside[f])
        if f not in x.succ:
            continue
        got = outcome(lambda: [(plain_label(model, lb), decode(model, t)) for lb, t in model.successors(s)])
        want = interp_outcome(x.succ[f])
        if got == "error" or want == "error":
            if got != want:
                fail("successors fail in one only", f, got, x.succ[f])
            continue
        if Counter(got) != Counter(want):
            fail("successors differ", f, sorted(Counter(got) - Counter(want), key=repr),
                 sorted(Counter(want) - Counter(got), key=repr))
        if model.has_action_properties:
            for label, g in want:
                res = outcome(lambda: tuple(model.check_transition(s, packed_label(model, label), encode(model, g))))
                if res != interp_outcome(x.steps[f, label, g]):
                    fail(f"check_transition differs on {label} -> {thaw(g)}", f, res, x.steps[f, label, g])
    compare_engine(model, x, fail)


def compare_engine(model, x, fail) -> None:
    """The engine's BFS result against what the naive search saw."""
    result = engine_explore(model)
    failures = x.failures()
    props = checked_properties(model.spec)
    if result.verdict is Verdict.ERROR:
        if not failures:
            fail(f"the engine failed ({result.failure.message}) where the interpreter did not")
        return
    stopped = result.extra.get("stopped")
    if failures and stopped is None:
        fail(f"the interpreter failed ({failures[0][1]}) but the engine finished: {result.verdict}")
    violated = set()
    witnessed = set()
    for key, value in x.checks.items():
        if not isinstance(value, str):
            violated |= {props[i].name for i in value if props[i].kind == "invariant"}
            witnessed |= {props[i].name for i in value if props[i].kind == "reachable"}
    for value in x.steps.values():
        if not isinstance(value, str):
            violated |= {props[i].name for i in value}
    deadlock = any(isinstance(v, list) and not v for v in x.succ.values())
    for p in result.properties:
        if p.kind == "deadlock":
            want = Status.VIOLATED if deadlock else Status.HOLDS
        elif p.kind == "reachable":
            want = Status.HOLDS if p.name in witnessed else Status.VIOLATED
        else:
            want = Status.VIOLATED if p.name in violated else Status.HOLDS
        if p.status is not want and not (failures and p.status is Status.UNKNOWN):
            fail(f"the engine says {p.name} ({p.kind}) {p.status.value}; the naive search: {want.value}")
    if stopped is not None:
        return
    stats = result.stats
    init = x.init if isinstance(x.init, list) else []
    generated = Counter(label[0] for v in x.succ.values() if isinstance(v, list) for label, _ in v)
    want = (len(x.level), len(init) + sum(generated.values()), x.depth)
    got = (stats.distinct, stats.generated, stats.depth)
    if got != want:
        fail("engine statistics (distinct, generated, depth) differ", None, got, want)
    coverage = [c.generated for c in stats.coverage]
    if coverage != [generated[i] for i in range(len(model.spec.actions))]:
        fail("per-action coverage differs", None, coverage, dict(generated))


def compile_text(text: str, directory) -> list:
    path = directory / "random.kovn"
    path.write_text(text, encoding="utf-8")
    compiled, _warnings = api.compile_spec(str(path))
    return [model for _variant, model in compiled]


def check_text(text: str, directory) -> None:
    try:
        models = compile_text(text, directory)
    except DiagnosticError as exc:
        raise AssertionError("the generated spec does not compile:\n" + render_all(exc.diagnostics)
                             + "\n" + text) from None
    for model in models:
        compare_model(model, text)


# ---------------------------------------------------------------- random specs

@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("random_specs")


@settings(max_examples=RANDOM_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(specs())
def test_random_specs_compile_and_agree_with_interpreter(workdir, generated):
    check_text(generated.text, workdir)


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(specs())
def test_damaged_specs_fail_only_with_diagnostics(workdir, generated):
    """Cut, duplicate or swap tokens of a good spec: the front end answers with diagnostics,
    the compiled model with ModelError; nothing else may escape."""
    rng = random.Random(generated.text)
    tokens = generated.text.split(" ")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(tokens))
        j = rng.randrange(len(tokens))
        kind = rng.randrange(3)
        if kind == 0:
            del tokens[i]
        elif kind == 1:
            tokens.insert(i, tokens[j])
        else:
            tokens[i], tokens[j] = tokens[j], tokens[i]
        if not tokens:
            return
    try:
        models = compile_text(" ".join(tokens), workdir)
    except DiagnosticError:
        return
    for model in models:
        engine_explore(model)     # ModelError becomes an ERROR verdict inside explore


# ---------------------------------------------------------------- regressions (fixed specs)

PRELUDE = "spec regression\n"


def test_reference_agrees_on_the_shipped_models(root, tmp_path):
    for name in ("twophase", "diehard", "peterson"):
        for model in compile_text((root / "models" / f"{name}.kovn").read_text(), tmp_path):
            compare_model(model, name)
