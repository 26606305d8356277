"""The compiled model against the reference interpreter, on random and on fixed small specs.

Each spec goes through the real pipeline (api.compile_spec on a file); its IR is also run by
checker/ir/interp.py. On every state the interpreter reaches, the two must agree on the
initial states, the multiset (and the order) of (action, parameters, next state) transitions, which
invariants fail and which reachable properties hold, the state constraint, the action
properties of every transition, and whether evaluation fails. The engine's BFS result
(verdict, property statuses, distinct / generated / depth / coverage) must match a naive
BFS over the interpreter. Random specs come from specgen.py (deterministic: derandomize);
the fixed specs below are regressions for the bugs this comparison found.
"""
from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.diagnostics import DiagnosticError, render_all
from checker.engine import CheckOptions, ModelError, Status, Verdict
from checker.engine import explore as engine_explore
from checker.ir.interp import Interpreter
from checker.ir.plain import normalize
from checker.ir.search import checked_properties, explore, orbit_key, thaw
from checker.semantics import types as T

from specgen import seeded_specs, specs  # tests/property is on sys.path (rootdir-less import)

SEEDED_EXAMPLES = 300      # uniform choices: wide spread, no useful shrinking
DRAWN_EXAMPLES = 100       # hypothesis draws: a failure shrinks to a small spec
DAMAGED_EXAMPLES = 150
_SETTINGS = dict(derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


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
        if bool(model.is_terminal(s)) != interp.is_terminal(thaw(f)):
            fail("is_terminal differs", f, model.is_terminal(s), interp.is_terminal(thaw(f)))
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
        if got != want:     # docs/language.md fixes the order too: traces depend on it
            fail("successors come in another order", f, got, want)
        if model.has_action_properties:
            for label, g in want:
                res = outcome(lambda: tuple(model.check_transition(s, packed_label(model, label), encode(model, g))))
                if res != interp_outcome(x.steps[f, label, g]):
                    fail(f"check_transition differs on {label} -> {thaw(g)}", f, res, x.steps[f, label, g])
    compare_engine(model, interp, x, fail)


def compare_engine(model, interp, x, fail) -> None:
    """The engine's BFS result against what the naive search saw."""
    result = engine_explore(model)
    failures = x.failures()
    props = checked_properties(model.spec)
    if result.verdict is Verdict.ERROR:
        if not failures:
            fail(f"the engine failed ({result.failure.message}) where the interpreter did not")
        trace = result.failure.trace
        if trace is None:
            if not isinstance(x.init, str):
                fail(f"the engine failed ({result.failure.message}) before any state; the interpreter did not")
        elif not model.spec.symmetry:
            where = {decode(model, step.state) for step in trace.steps[-2:]}
            if not where & _failing_states(x):
                fail(f"the engine failed ({result.failure.message}) in a state where the interpreter "
                     f"did not", decode(model, trace.steps[-1].state))
        return
    stopped = result.stopped
    # Once a property is decided the engine's generated expander stops evaluating it, so a
    # failure in a later evaluation of it goes unseen; every other failure must stop it.
    decided = {i for i, p in enumerate(props) for r in result.properties if r.name == p.name
               and r.status is (Status.HOLDS if p.kind == "reachable" else Status.VIOLATED)}
    must_stop = [m for where, m in failures if where not in ("check", "step")]
    must_stop += [m for i, ms in sorted(x.broken.items()) if i not in decided for m in ms]
    if must_stop and stopped is None:
        fail(f"the interpreter failed ({must_stop[0]}) but the engine finished: {result.verdict}")
    violated = set()
    witnessed = set()
    for value in x.checks.values():
        if not isinstance(value, str):
            violated |= {props[i].name for i in value if props[i].kind == "invariant"}
            witnessed |= {props[i].name for i in value if props[i].kind == "reachable"}
    for value in x.steps.values():
        if not isinstance(value, str):
            violated |= {props[i].name for i in value}
    deadlock = any(isinstance(v, list) and not v and not interp.is_terminal(thaw(f)) for f, v in x.succ.items())
    for p in result.properties:
        if p.kind == "liveness":
            continue    # temporal properties: tests/property/test_liveness_reference.py
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
    level = x.level
    if model.spec.symmetry:     # the engine keeps one state per orbit: the shallowest one
        orbits: dict = {}
        for f in sorted(level, key=lambda f: level[f]):
            orbits.setdefault(orbit_key(model.spec, f), f)
        level = {f: level[f] for f in orbits.values()}
    generated = Counter(label[0] for f in level if isinstance(x.succ.get(f), list) for label, _ in x.succ[f])
    want = (len(level), len(init) + sum(generated.values()), max(level.values(), default=0))
    got = (stats.distinct, stats.generated, stats.depth)
    if got != want:
        fail("engine statistics (distinct, generated, depth) differ", None, got, want)
    coverage = [c.generated for c in stats.coverage]
    if coverage != [generated[i] for i in range(len(model.spec.actions))]:
        fail("per-action coverage differs", None, coverage, dict(generated))


def _failing_states(x) -> set:
    """The states where the naive search met a failure (for a transition: both ends)."""
    out = {f for table in (x.checks, x.inside, x.succ) for f, v in table.items() if isinstance(v, str)}
    for (f, _label, g), v in x.steps.items():
        if isinstance(v, str):
            out |= {f, g}
    return out


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


@settings(max_examples=SEEDED_EXAMPLES, phases=[Phase.generate], **_SETTINGS)
@given(seeded_specs())
def test_random_specs_compile_and_agree_with_interpreter(workdir, generated):
    check_text(generated.text, workdir)


@settings(max_examples=DRAWN_EXAMPLES, **_SETTINGS)
@given(specs())
def test_drawn_specs_compile_and_agree_with_interpreter(workdir, generated):
    check_text(generated.text, workdir)


@settings(max_examples=SEEDED_EXAMPLES // 2, phases=[Phase.generate], **_SETTINGS)
@given(seeded_specs())
def test_random_specs_agree_with_every_fork_in_a_generator(workdir, generated):
    """The code generator's linear forms (issue 20), forced everywhere: the rest of a block
    after every forking `if` runs over a generator of the branches' states, and every
    choice, loop or nested `require` beyond the first moves into a generator of its
    own. The answers must
    not change."""
    from checker.compile import codegen
    saved = codegen._DUP_NODES, codegen._MAX_LOOPS, codegen._MAX_NESTED
    codegen._DUP_NODES, codegen._MAX_LOOPS, codegen._MAX_NESTED = -1, 1, 1
    try:
        check_text(generated.text, workdir)
    finally:
        codegen._DUP_NODES, codegen._MAX_LOOPS, codegen._MAX_NESTED = saved


@settings(max_examples=DAMAGED_EXAMPLES, phases=[Phase.generate], **_SETTINGS)
@given(seeded_specs())
def test_damaged_specs_fail_only_with_diagnostics(workdir, generated):
    """Damage a good spec (a name or number replaced by another of the spec's, a token cut
    or doubled): the front end answers with diagnostics and the compiled model with
    ModelError (inside explore); no other exception may escape."""
    text = damage(generated.text, random.Random(generated.text))
    try:
        models = compile_text(text, workdir)
    except DiagnosticError:
        return
    for model in models:
        engine_explore(model, CheckOptions(max_states=2000))


_KEYWORDS = set("""spec type var const def init action property invariant reachable constraint allow
    check deadlock variant process macro volatile require choose let for in if then else goto skip
    restart forall exists and or not true false match with set map seq option bool int expect holds
    violated properties none""".split())


def damage(text: str, rng: random.Random) -> str:
    """text with one to three of its names or numbers replaced by another of its names or
    numbers (type and name errors, mostly), or a token cut or doubled (syntax errors)."""
    tokens = re.findall(r"\s+|\w+|[^\w\s]", text)
    words = [i for i, t in enumerate(tokens) if re.fullmatch(r"\w+", t) and t not in _KEYWORDS]
    for _ in range(rng.randint(1, 3)):
        i = rng.choice(words)
        kind = rng.randrange(10)
        if kind < 8:
            tokens[i] = tokens[rng.choice(words)]
        elif kind == 8:
            tokens[i] = ""
        else:
            tokens[i] = tokens[i] + " " + tokens[rng.choice(words)]
    return "".join(tokens)


# ---------------------------------------------------------------- regressions (fixed specs)
# Each spec below once made the compiled model disagree with the interpreter (or fail to
# compile); the comment says what was wrong. compare_model() is the main assertion; some
# tests also pin the value the reference gives, so they say what the right answer is.

REGRESSIONS = {
    # A closed expression that fails (1 / 0) was evaluated while compiling: compile_spec
    # raised a bare ModelError, even for code no state reaches.
    "failing_constant_folded_at_compile_time": """
        spec r
        var x: 0..3 = 0
        var y: 0..3 = 0
        action Never {
          require x > 5
          y := 1 / 0
        }
        action Step(a in {1 / 0, 1}) {
          require x < 3
          x := x + 1
        }
        invariant Ok: x < 3 or (1 / 0) == 0
    """,
    # min/max of three or more operands ignored all but the first two.
    "min_max_of_three": """
        spec r
        var x: 0..3 = 3
        action A(a: 0..3) {
          require min(x, a, 2) >= 0
          x := min(x, 2, a)
          x := max(x, 0, 1)
        }
    """,
    # len of a set that folds to a literal bitmask generated `3.bit_count()`.
    "len_of_a_constant_set": """
        spec r
        type Color = red | green | blue
        var n: 0..3 = 0
        action A { n := len(1..2) }
        action B { n := len(Color) }
    """,
    # `a in s` and `m[a]` with `a` of a narrower int range than the set's elements / the
    # map's keys counted a's ordinal from its own lower bound: 1 in {1} was false.
    "narrower_int_ranges_in_membership_and_keys": """
        spec r
        var s: set[0..2] = {1}
        var m: 0..2 -> 0..3 = {k: k for k in 0..2}
        var seen: 0..3 = 0
        action Add(a: 1..2) {
          require a in s
          s := s | {a}
        }
        action Read(a: 1..2) {
          seen := m[a]
        }
    """,
    # A map whose value type is not finite (no context fixes it) made the code generator
    # crash (TypeError computing its bit width).
    "maps_of_an_infinite_type": """
        spec r
        var x: 0..2 = 0
        var t: 0..1 -> 0..3 = {k: 0 for k in 0..1}
        var p: map[0..1, 0..3] = {}
        action A(a: 0..1) {
          let m = {k: x + k for k in 0..1}
          require {k: 0 for k in 0..1} != t or m[a] >= 0
          t := m with {a: len(m)}
          p := {k: x + 1 for k in keys(m) if k != a}
          x := min(x + 1, 2)
        }
        action B(a: 0..1) {
          require a in keys(p)
          p := remove({k: p[k] + 0 for k in keys(p)}, a)
        }
    """,
    # Quantifiers and comprehensions over a set of unbounded ints iterated it in hash
    # order: which element decided `forall`, and so whether 4 / 0 was ever evaluated, and
    # which of two equal keys won, depended on the hash table ({8, 1} iterates 8 first).
    "canonical_order_over_unbounded_sets": """
        spec r
        var c: 0..1 = 1
        var w: 0..9 = 0
        action A {
          w := {(x % 2): x for x in {9, c, 3}}[1]
        }
        action B {
          require w == 9
          require forall x in {8, c}: x < 5 and 4 / (x - 1) >= 0
          w := 0
        }
    """,
    # `is_some` of an option of an unbounded type generated `(...,) is not None`: Python
    # warns (SyntaxWarning) when the option is a literal, as in a folded constant.
    "no_syntax_warnings": """
        spec r
        var x: 0..2 = 0
        var b: bool = false
        action A {
          b := is_none(some(1)) or (is_some(some(x + 1)) and x > 0)
          x := min(x + 1, 2)
        }
    """,
    # Two `_` arms: the generated code took the last one, the reference the first.
    "match_with_two_wildcards": """
        spec r
        type Color = red | green | blue
        var c: Color = red
        var n: 0..3 = 0
        action A(d: Color) {
          c := d
          n := match c { _ => 1, red => 2, _ => 3 }
        }
    """,
    # Front end: `<`, `>`, ... passed their bool result type down to the left operand as
    # its expected type, so `(match ...) > 0` was rejected (KOV201 bool and int).
    "comparison_with_a_match_on_the_left": """
        spec r
        type Color = red | green | blue
        var c: Color = red
        action A {
          require (match c {red => 1, _ => 0}) > 0
          c := green
        }
    """,
    # Front end: `none` of an option of an unbounded type was the packed code 0, not None,
    # so is_some(if false then some(x + 1) else none) was true.
    "none_of_an_unbounded_option": """
        spec r
        var x: 0..2 = 0
        action A {
          require not is_some(if x > 5 then some(x + 1) else none)
          x := min(x + 1, 2)
        }
        invariant NoValue: not is_some(if x > 5 then some(x + 1) else none)
    """,
    # semantics/types.py: converting an unbounded sequence, set or option to a bounded type
    # passed the elements' representations through unconverted (a crash on enums, wrong
    # values on records) and had no case for options.
    "unbounded_collections_converted_to_bounded": """
        spec r
        type Color = red | green | blue
        type Pt = {a: 0..2, b: bool}
        var q: seq[Color, 2] = []
        var o: option[0..2] = none
        var s: set[Pt] = {}
        var x: 0..2 = 0
        action A(c: Color) {
          require len(q) == 0
          q := [red] ++ [c]
        }
        action B {
          let v = some(x + 1)
          o := if x < 2 then v else none
          x := min(x + 1, 2)
        }
        action C(a: 0..1) {
          s := s | {Pt(a: a, b: true)}
          let t = [Pt(a: a, b: false)] ++ [Pt(a: 2, b: true)]
          require len(t) == 2
          s := s | {t[0]}
        }
    """,
    # A `choose ... where` whose constraint reads nothing was folded at compile time in a
    # namespace without the solver's helpers: NameError from compile_spec.
    "closed_choose_where": """
        spec r
        var x: 0..3 = 0
        action A {
          choose least c: 1..3 where 1 < 2
          choose d: 0..2 where true
          x := min(c + d, 3)
        }
    """,
    # The generated search loop (compile/expand.py) wrote the guard shared by an action's
    # instances even when its parameter domain was empty: `if ...:` with no body, an
    # IndentationError as soon as the engine ran.
    "empty_parameter_domain_with_a_guard": """
        spec r
        var x: 0..1 = 0
        action A(a in (3..2) & {1, 1}) {
          require x == 0
          x := 1 - x
        }
        action B {
          x := 1 - x
        }
        allow deadlock
    """,
}

# Not regressions: specs of features the random specs do not cover, which must agree too.
AGREEMENT = {
    # issue 15's data shapes: records carried by alternatives (code <-> ordinal tables), a
    # comprehension that selects alternatives (a mask of the bit set), a wildcard arm that
    # keeps the other alternatives, a range iterated in order, a sequence of records
    "messages": """
        type Acc = 1..2
        type Msg = Req(acc: Acc, bal: 0..1, val: option[0..1]) | Ack(Acc) | Nack | Done(b: 0..1)
        var msgs: set[Msg] = {Nack}
        var log: seq[{acc: Acc, ok: bool}, 2] = []
        var f: Acc -> 0..1 = {a: 0 for a in Acc}
        action Send(a: Acc, b: 0..1) {
          require not (exists Req(aa, bb, _) in msgs: aa == a and bb == b)
          msgs := msgs | {Req(a, b, if b == 0 then none else some(f[a]))}
        }
        action Answer(m in msgs) {
          let Req(a, b, v) = m
          require len(log) < 2
          msgs := msgs | {Ack(a), Done(b)}
          log := append(log, (acc: a, ok: v != none))
          f[a] := b
        }
        action Drop(m in {x for x in msgs if match x { Ack(_) => false, Nack => false, _ => true }}) {
          msgs := msgs - {m}
        }
        invariant Inv: forall i in 0..len(log) - 1: log[i].acc in Acc
        invariant Acks: forall Ack(a) in msgs: exists j in 0..len(log) - 1: log[j].acc == a
        reachable R: exists Done(b) in msgs: b == 1
        allow deadlock
    """,
    "choose_where_and_cidr": """
        spec r
        var s: set[0..3] = {}
        var c: cidr = cidr(ip(167772160), 30)
        var prev: 0..3 = 0
        action Take {
          choose least a: 0..3 where a not in s and a > prev - 1
          s := s | {a}
          prev := a
        }
        action Any {
          choose a: 0..3 where a in s
          s := s - {a}
        }
        action Net(p: 29..31) {
          require ip(167772161) in c
          c := cidr(broadcast(c), p)
        }
        invariant I: len(s) <= 4 and size(c) >= 2 and gateway(c) >= network(c)
    """,
    "packed_sets_of_a_large_type": """
        spec r
        var s: set[0..9999, 3] = {}
        var m: map[0..3, 0..2] = {}
        var n: 0..3 = 0
        action Add(a in {5, 9000, 42}) {
          require a not in s and len(s) < 3
          s := s | {a}
          m[len(s) - 1] := len(s) - 1
        }
        action Del {
          require s != {}
          s := s - {min(s)}
          n := min(n + 1, 3)
        }
        action Copy {
          require len(s) >= 2
          m := {k: 0 for k in 0..3 if k < len(s)}
        }
        invariant I: len(s) <= 3 and (forall k in keys(m): m[k] <= 2)
        reachable R: s == {5, 42, 9000}
    """,
    "processes_macros_restart": """
        spec r
        var counter: 0..2 = 0
        volatile var cache: 0..2 = counter
        macro bump(v: 0..1) {
          require counter < 2
          counter := min(counter + v, 2)
        }
        process W(w: 0..1) {
          var tmp: 0..2 = 0
          read:
            tmp := counter
            if tmp == 2 {
              goto done
            }
          write:
            counter := min(tmp + 1, 2)
            if self == 0 {
              goto read
            }
        }
        action Crash {
          require cache != counter
          restart
        }
        action Bump(v: 0..1) {
          bump(v)
        }
        invariant Inv: W.pc[0] != W.done or counter >= 1
        reachable R: W.tmp[1] == 2
        action property AP: counter' >= counter or W.pc'[0] == W.read
    """,
}


@pytest.mark.parametrize("name", sorted(AGREEMENT))
def test_feature_spec_agrees_with_interpreter(name, tmp_path):
    import textwrap
    check_text(textwrap.dedent(AGREEMENT[name]).lstrip(), tmp_path)


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regression_spec_agrees_with_interpreter(name, tmp_path):
    import textwrap
    import warnings
    text = textwrap.dedent(REGRESSIONS[name]).lstrip()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        check_text(text, tmp_path)


def reachable_values(text: str, directory, var: str) -> set:
    """The values of one variable over the reachable states, by the reference interpreter."""
    import textwrap
    (model,) = compile_text(textwrap.dedent(text).lstrip(), directory)
    x = explore(Interpreter(model.spec))
    return {dict(f)[var] for f in x.level}


def test_regressions_pin_the_reference_answers(tmp_path):
    assert reachable_values(REGRESSIONS["min_max_of_three"], tmp_path, "x") == {1, 2, 3}
    assert reachable_values(REGRESSIONS["len_of_a_constant_set"], tmp_path, "n") == {0, 2, 3}
    # Add(2) is never enabled: 2 is not in {1} (the bug read bit 1, the ordinal of 1 in 0..2)
    assert reachable_values(REGRESSIONS["narrower_int_ranges_in_membership_and_keys"], tmp_path, "s") == \
        {frozenset({1})}
    assert reachable_values(REGRESSIONS["narrower_int_ranges_in_membership_and_keys"], tmp_path, "seen") == {0, 1, 2}
    assert reachable_values(REGRESSIONS["match_with_two_wildcards"], tmp_path, "n") == {0, 1, 2}
    assert reachable_values(REGRESSIONS["canonical_order_over_unbounded_sets"], tmp_path, "w") == {0, 9}
    assert reachable_values(REGRESSIONS["unbounded_collections_converted_to_bounded"], tmp_path, "q") == \
        {(), (T.Tag("red"), T.Tag("red")), (T.Tag("red"), T.Tag("green")), (T.Tag("red"), T.Tag("blue"))}


def successor_states(text: str, directory, state: dict) -> list:
    """The reference interpreter's successors of one state, as (action name, params, next)."""
    import textwrap
    (model,) = compile_text(textwrap.dedent(text).lstrip(), directory)
    interp = Interpreter(model.spec)
    return [(model.spec.actions[i].name, params, t) for (i, params), t in interp.successors(state)]


def test_interpreter_semantics_by_example(tmp_path):
    """The oracle itself, on hand-computed answers (docs/language.md, Semantics)."""
    from checker.ir.interp import InterpError
    spec = """
        spec r
        var x: 0..3 = 0
        var y: 0..3 = 0
        var q: seq[0..3, 3] = []
        action Seq { x := x + 1  y := x }
        action Fork { choose v in {2, 1}  require v != 3  x := v }
        action Loop { q := []  for i in {3, 1, 2} { q := append(q, i) } }
        action Guarded { require false and 1 / 0 == 0  x := 3 }
        action Wild(c: 0..1) { y := match (if c == 0 then A else B) { _ => 1, A => 2 } }
        action Later { x := {0: 1, 0: 2}[0] }
        type AB = A | B
    """
    got = successor_states(spec, tmp_path, {"x": 0, "y": 0, "q": ()})
    assert got == [
        ("Seq", (), {"x": 1, "y": 1, "q": ()}),                 # y reads the x just assigned
        ("Fork", (), {"x": 1, "y": 0, "q": ()}),                # choose forks, in ascending order
        ("Fork", (), {"x": 2, "y": 0, "q": ()}),
        ("Loop", (), {"x": 0, "y": 0, "q": (1, 2, 3)}),         # for runs in ascending order
        ("Wild", (0,), {"x": 0, "y": 2, "q": ()}),              # `_` is for the tags no arm names
        ("Wild", (1,), {"x": 0, "y": 1, "q": ()}),
        ("Later", (), {"x": 2, "y": 0, "q": ()}),               # the later of two equal keys
    ]                                                           # Guarded: disabled, and no 1 / 0
    with pytest.raises(InterpError):                            # x := 3 + 1 leaves 0..3
        successor_states(spec, tmp_path, {"x": 3, "y": 0, "q": ()})


def test_a_failing_constant_fails_at_run_time_with_its_state(tmp_path):
    import textwrap
    text = textwrap.dedent("""
        spec r
        var x: 0..3 = 0
        action A {
          require x == 2
          x := 4 / (x - 2)
        }
        action B {
          x := min(x + 1, 3)
        }
    """).lstrip()
    (model,) = compile_text(text, tmp_path)
    result = engine_explore(model)
    assert result.verdict is Verdict.ERROR
    assert "division by zero" in result.failure.message
    assert decode(model, result.failure.trace.steps[-1].state) == (("x", 2),)


def test_reference_agrees_on_the_shipped_models(root, tmp_path):
    paths = [root / "models" / f"{name}.kovn" for name in ("twophase", "diehard", "peterson")]
    paths.append(root / "tests" / "golden" / "ir" / "nodes.kovn")     # every kind of IR node
    for path in paths:
        seen = set()
        for model in compile_text(path.read_text(), tmp_path):
            sp = model.spec      # variants that differ only in liveness are compared once
            key = (sp.consts, sp.vars, sp.init, sp.actions, sp.properties, sp.check_deadlock, sp.symmetry)
            if key not in seen:
                seen.add(key)
                compare_model(model, path.name)
