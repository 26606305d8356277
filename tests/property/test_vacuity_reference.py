"""Vacuity against a reference: the premises the search reports seen, on random small specs.

For every spec (specgen.py with premise-rich properties: implications, negated conjunctions,
`not a or b`, quantifiers, `if`, action properties, leads-to), every property that holds and
every premise of it (ir/premises.py), the reference decides from the definition of
vacuity, over every state and step the naive search through the reference interpreter
reaches (ir/search.py):

- a state or step premise: replace what it guards by the constant that makes the property
  hardest to satisfy (`mutant`); the premise holds somewhere iff that property fails in some
  reachable state (for an action property, on some step). This is Beer, Ben-David, Eisner
  and Rodeh's definition of vacuity, which the premise analysis does not use: it checks the
  analysis (which conditions are premises, under which bindings and guards) as well as the
  engine's record of them;
- a leads-to premise (`a and b leads to q`): its conjunction holds in some reachable state,
  for some instance.

The engine's report must agree: a premise it reports seen holds in some reachable state or
step, one it reports never seen holds in none. Properties the constants decide (`Constant`)
must have that value in every reachable state, and every property's folded expression the
value of the property itself.
"""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.diagnostics import DiagnosticError, render_all
from checker.engine import CheckOptions, Status, Verdict
from checker.engine import explore as engine_explore
from checker.ir.interp import Ctx, InterpError, Interpreter
from checker.ir.plain import in_order
from checker.ir.search import explore, thaw
from checker.ir.premises import mutant

from specgen import seeded_specs, specs  # tests/property is on sys.path

SEEDED_EXAMPLES = 150
DRAWN_EXAMPLES = 50
_SETTINGS = dict(derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])

STATS = {"premises": 0, "seen": 0, "never": 0, "constant": 0}


class _Unknown(Exception):
    """The reference cannot decide (an evaluation failed where it looked)."""


def compile_text(text: str, directory) -> list:
    path = directory / "random.kovn"
    path.write_text(text, encoding="utf-8")
    try:
        compiled, _ = api.compile_spec(str(path), lint=False)
    except DiagnosticError as exc:
        raise AssertionError("the generated spec does not compile:\n" + render_all(exc.diagnostics)
                             + "\n" + text) from None
    return [m for _, m in compiled]


def check_model(model, text: str) -> None:
    res = engine_explore(model, CheckOptions(complete=True))
    if res.verdict is Verdict.ERROR or res.limit is not None:
        return
    interp = Interpreter(model.spec)
    x = explore(interp)
    states = [thaw(f) for f in x.level]
    steps = [(thaw(f), thaw(g)) for f, succ in x.succ.items() if isinstance(succ, list) for _, g in succ]
    status = {p.name: p.status for p in res.properties}
    checked = {p.name: p for p in model.spec.properties if p.kind != "constraint"}
    for prop in model.vacuity.properties:
        if prop.temporal:
            t = model.spec.temporals[prop.index]
            _check_temporal(interp, states, prop, t, res, text)
            continue
        original = checked[prop.name]
        _check_folding(interp, states, steps, prop, original, text)
        if prop.constant is not None or status.get(prop.name) is not Status.HOLDS:
            continue
        for premise in prop.premises:
            if premise.id in res.premises_failed:
                continue
            try:
                fires = _mutant_fails(interp, states, steps, prop, premise)
            except _Unknown:
                continue
            _agree(premise, fires, res, text, prop.name)


def _agree(premise, fires: bool, res, text: str, name: str) -> None:
    seen = premise.id in res.premises_seen
    STATS["premises"] += 1
    STATS["seen" if seen else "never"] += 1
    assert seen == fires, (f"{name}: premise {premise.id} (prefix {premise.position}, "
                           f"{'range' if premise.is_range else 'conds'}): engine says "
                           f"{'seen' if seen else 'never seen'}, the reference says it "
                           f"{'holds' if fires else 'never holds'} somewhere\n{text}")


def _mutant_fails(interp, states, steps, prop, premise) -> bool:
    """Does the property, with what the premise guards made hardest, fail somewhere?"""
    m = mutant(prop, premise)
    where = steps if premise.step else [(s, None) for s in states]
    unknown = False
    for s, t in where:
        try:
            if not interp.truth(interp.eval(m, Ctx(s, {}, t))):
                return True
        except InterpError:
            unknown = True
    if unknown:
        raise _Unknown
    return False


def _check_folding(interp, states, steps, prop, original, text: str) -> None:
    """The folded expression (and a constant, when there is one) has the property's value."""
    where = steps if original.kind == "action" else [(s, None) for s in states]
    for s, t in where:
        try:
            want = interp.truth(interp.eval(original.expr, Ctx(s, {}, t)))
            got = interp.truth(interp.eval(prop.expr, Ctx(s, {}, t)))
        except InterpError:
            continue
        assert got == want, f"{prop.name}: folded {got}, property {want} in {s}\n{text}"
        if prop.constant is not None:
            STATS["constant"] += 1
            assert want == prop.constant.value, f"{prop.name}: said constant {prop.constant.value}\n{text}"


def _check_temporal(interp, states, prop, t, res, text: str) -> None:
    status = {p.name: p.status for p in res.properties}
    if prop.constant is not None or status.get(prop.name) is not Status.HOLDS:
        return
    try:
        bindings = [dict(zip([p.name for p in t.params], combo)) for combo in itertools.product(
            *(list(in_order(p.domain.t, interp.eval(p.domain, Ctx({}, {})))) for p in t.params))]
    except InterpError:
        return
    for premise in prop.premises:
        if premise.id in res.premises_failed:
            continue
        fires, unknown = False, False
        for s in states:
            for env in bindings:
                try:
                    if all(interp.truth(interp.eval(c, Ctx(s, env))) for c in premise.conds):
                        fires = True
                except InterpError:
                    unknown = True
        if unknown and not fires:
            continue
        _agree(premise, fires, res, text, prop.name)


@settings(max_examples=SEEDED_EXAMPLES, phases=[Phase.generate], **_SETTINGS)
@given(seeded_specs(premises=True))
def test_premises_seen_by_the_search_are_those_the_reference_finds(tmp_path_factory, generated):
    workdir = tmp_path_factory.mktemp("vacuity", numbered=True)
    for model in compile_text(generated.text, workdir):
        check_model(model, generated.text)


@settings(max_examples=DRAWN_EXAMPLES, **_SETTINGS)
@given(specs(premises=True))
def test_drawn_specs_premises_agree_with_the_reference(tmp_path_factory, generated):
    workdir = tmp_path_factory.mktemp("vacuity", numbered=True)
    for model in compile_text(generated.text, workdir):
        check_model(model, generated.text)


def test_the_random_specs_exercise_both_outcomes(tmp_path):
    """The generator's premise-rich specs meet premises of both kinds, seen and never seen
    (so the comparison above is not vacuous itself), and constant properties."""
    from specgen import spec_from_seed
    STATS.update(premises=0, seen=0, never=0, constant=0)
    for seed in range(60):
        text = spec_from_seed(seed, premises=True).text
        for model in compile_text(text, tmp_path):
            check_model(model, text)
    assert STATS["seen"] >= 20 and STATS["never"] >= 20 and STATS["constant"] >= 5, STATS
