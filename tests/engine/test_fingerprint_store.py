"""The fingerprint store (engine/store.py FingerprintStore, `--fingerprints`) against the
exact stores.

It keeps the states of older levels as 64-bit fingerprints only, so it is exact only while
no two states the search meets share one; with 64 bits and the small specs here they do
not, so every count, verdict, figure and trace must be the plain store's. Its traces are
rebuilt by replay from the fingerprints (every state of a trace but the last levels' is
gone). The specs' states are narrow; `Wide` reports them wider than 64 bits, which is what
makes a search take the fingerprint store. Both ways of expanding are run (the generated
expander, which goes through the store's `seen`, and the general loop). A fingerprint
function that collides on purpose shows what a collision does: states left out, never a
crash, and a trace that cannot be replayed said so.
"""
from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from checker import api
from checker.engine import CheckOptions, explore
from checker.engine import store as store_module
from checker.engine.bfs import Search
from checker.engine.store import FingerprintCollision, FingerprintStore, Mark, fingerprint

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "property"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_paths import GeneralOnly, summary  # noqa: E402
from specgen import compiled_models, seeded_specs  # noqa: E402

_SETTINGS = dict(derandomize=True, deadline=None, database=None, max_examples=40,
                 phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])

OPTIONS = [CheckOptions(), CheckOptions(max_states=7), CheckOptions(stop_on_violation=True),
           CheckOptions(max_depth=3)]


class Wide:
    """The model with its states said to be wider than 64 bits (its fast path kept)."""

    state_bits = 65

    def __init__(self, model):
        self._m = model

    def __getattr__(self, name):
        return getattr(self._m, name)


def without_figure(s: dict) -> dict:
    return {**s, "figures": [(k, v) for k, v in s["figures"] if k != "fingerprints"]}


def compared(model, options: CheckOptions) -> None:
    plain = summary(explore(model, dataclasses.replace(options, compact_from=None)))
    for m in (Wide(model), Wide(GeneralOnly(model))):
        got = summary(explore(m, dataclasses.replace(options, fingerprints=True)))
        assert without_figure(got) == plain
        if model.temporal and model.symmetry is None:
            assert ("fingerprints", "off (temporal properties: the liveness check needs the state graph)") \
                in got["figures"]
        else:
            figure = dict(got["figures"])["fingerprints"]
            assert figure.startswith(f"64-bit, {got['counts'][0]:,} states:"), figure


@settings(**_SETTINGS)
@given(seeded_specs())
def test_fingerprints_match_the_plain_store_on_random_specs(tmp_path_factory, generated):
    for model in compiled_models(tmp_path_factory.mktemp("fingerprints"), generated.text):
        for options in OPTIONS:
            compared(model, options)


@pytest.mark.parametrize("path,consts,variant", [
    ("models/twophase.kovn", ["N=3"], "symmetric"),
    ("models/alloc.kovn", [], None),
    ("models/k8s/kubefed_orphan.kovn", [], "v0_0_7"),
])
def test_fingerprints_match_the_plain_store_on_models(path, consts, variant):
    compiled, _ = api.compile_spec(path, api.parse_consts(consts), [variant] if variant else None)
    for _, model in compiled:
        for options in (CheckOptions(), CheckOptions(max_depth=4), CheckOptions(max_states=100)):
            compared(model, options)


def test_the_flagship_under_symmetry_gives_the_same_traces_from_fingerprints():
    """The states of spec/ipam.kovn are hundreds of bits wide: the store is taken without
    `Wide`, and its counterexamples, replayed from fingerprints through the symmetry's
    representatives, are the exact store's."""
    ((_, model),) = api.compile_spec("spec/ipam.kovn", {}, ["pr5698"], symmetry=("PodId",))[0]
    assert model.state_bits > 64
    exact = summary(explore(model, CheckOptions()))
    search = Search(model, CheckOptions(fingerprints=True), None, compact=True)
    got = summary(search.run())
    assert isinstance(search.store, FingerprintStore) and search.store.states.base > 0
    assert without_figure(got) == exact
    # both counterexamples (10 and 7 states) end at depths the search left long before it
    # ended (40): every one of their states was replayed from its fingerprint
    traces = [p[3] for p in got["properties"] if p[3] is not None]
    assert sorted(map(len, traces)) == [7, 10]


def test_the_window_keeps_two_levels_and_the_rest_as_fingerprints():
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), ["plain"])[0]
    search = Search(Wide(model), CheckOptions(fingerprints=True), None, compact=True)
    result = search.run()
    store = search.store
    assert isinstance(store, FingerprintStore)
    assert result.stats.distinct == len(store.states) == len(store.parents) == 288
    # the last level expanded (and the one it found, empty) whole and hot, the older ones
    # fingerprints only
    plain = Search(model, CheckOptions(compact_from=None), None)
    plain.run()
    last = plain.store.states.index(plain.store.chain(287)[-1])
    last_level = [i for i in range(288) if len(plain.store.chain(i)) == len(plain.store.chain(287))]
    assert store.states.base == store.retired == last_level[0] > 0 and last in last_level
    assert len(store.fps) == store.cold == store.retired
    assert store.hot == set(plain.store.states[store.retired:])
    with pytest.raises(IndexError):
        store.states[store.states.base - 1]
    # every state the search stored is in the seen set; a state never reached is not (with
    # 288 fingerprints of 64 bits, no collision)
    assert all(s in store.seen for s in plain.store.states)
    assert list(store.fps) == [fingerprint(s) for s in plain.store.states[:store.retired]]
    assert all(store.chain(i) == plain.store.chain(i) for i in range(288))
    assert (1 << 40) not in store.seen


def test_the_table_against_a_set():
    rng = random.Random(16)
    store = FingerprintStore(model=None)
    truth: set[int] = set()
    values = [0, 1, 2**64 - 1, 2**300 + 5] + [rng.getrandbits(rng.choice([3, 12, 64, 900])) for _ in range(5000)]
    lo = 0
    for level in range(12):
        for v in values[level * 420:(level + 1) * 420]:
            if v not in store.seen:
                assert v not in truth
                store.add(v, -1)
                truth.add(v)
            else:
                assert v in truth
        mark = Mark(len(store.states))
        extra = [rng.getrandbits(200) | 1 for _ in range(5)]
        for v in extra:
            if v not in store.seen:
                store.add(v, 0)
        store.undo(lo, mark)
        assert len(store.states) == mark.states
        previous, lo = lo, len(store.states)
        store.retire(lo)
        # the level before `lo` stays hot and whole; everything older is fingerprints
        assert store.retired == previous == store.states.base
        assert store.cold == len(store.fps) == previous
        assert store.cold <= 0.7 * len(store.table)
        for v in truth:
            assert v in store.seen
        for v in extra:
            assert (v in store.seen) == (v in truth)
    assert store.collision_bound() == len(truth) ** 2 / 2.0 ** 65


def test_a_collision_leaves_states_out_and_a_broken_replay_says_so(monkeypatch):
    """Fingerprints that collide on purpose (eight values): the search stores fewer states
    and ends normally; a trace is either a real path of the model from an initial state to
    the state asked for (the replay may take another path with the same fingerprints) or
    FingerprintCollision, which says what happened: never a sequence that is not a path."""
    ((_, model),) = api.compile_spec("models/twophase.kovn", api.parse_consts(["N=3"]), ["plain"])[0]
    monkeypatch.setattr(store_module, "fingerprint", lambda s: s % 8 + 1)
    search = Search(Wide(model), CheckOptions(fingerprints=True), None, compact=True)
    result = search.run()
    assert 0 < result.stats.distinct < 288
    store = search.store
    assert isinstance(store, FingerprintStore)
    # a chain through states stored as fingerprints replays to states with those
    # fingerprints; with eight of them, a replay may take a sibling: still a real path, or
    # one that cannot go on, said so
    broken = 0
    for sid in range(len(store.states)):
        try:
            chain = store.chain(sid)
        except FingerprintCollision as e:
            assert "two states shared" in str(e)
            broken += 1
            continue
        assert chain[0] in set(model.init_states())
        assert all(b in {t for _, t in model.successors(a)} for a, b in zip(chain, chain[1:]))
        if sid >= store.states.base:
            assert chain[-1] == store.states[sid]
    assert broken < len(store.states)
    # fingerprints that no state has any more (as if every one had collided): a replay
    # says so, naming the state it could not reach
    monkeypatch.setattr(store_module, "fingerprint", lambda s: 99)
    with pytest.raises(FingerprintCollision, match="the trace to state 0 cannot be replayed"):
        store.chain(store.states.base - 1)


WIDE_SPEC = """\
spec wide
var a: 0..3 = 0
var pad: map[0..9, 0..255] = {}
action Inc {
  require a < 3
  pad[a] := 200
  a := a + 1
}
invariant Small: a <= 2
allow deadlock
variant default { expect violated Small }
"""


def test_the_command_line_says_what_became_of_fingerprints(tmp_path):
    """`--fingerprints` on a spec of wide states: the trace is the exact store's and the
    report gives the bound; where no fingerprints are kept, the report says why."""
    import json

    from checker.cli import main

    path = tmp_path / "wide.kovn"
    path.write_text(WIDE_SPEC)

    def run(*argv):
        import contextlib
        import io
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main([str(path), "--no-progress", *argv])
        return code, out.getvalue()

    code, exact = run("-v")
    assert code == 0
    code, text = run("-v", "--fingerprints")
    assert code == 0
    assert "  fingerprints: 64-bit, 4 states: the probability that two shared one (and a state was left out) " \
           "is at most 4.3e-19\n" in text
    assert text.replace(text[text.index("  fingerprints:"):text.index("\n", text.index("  fingerprints:")) + 1],
                        "").split("\n")[2:] == exact.split("\n")[2:]      # the same report, counts and trace
    code, out = run("--fingerprints", "--json")
    assert json.loads(out)["results"][0]["fingerprints"].startswith("64-bit, 4 states")
    code, out = run("--fingerprints", "--json", "--workers", "2")
    assert json.loads(out)["results"][0]["fingerprints"] == "off (the partitioned search keeps its states whole)"
    code, out = run("--fingerprints", "--json", "--simulate", "--depth", "5")
    assert json.loads(out)["results"][0]["fingerprints"] == "off (random walks store no states)"
    code, out = run("--json")
    assert "fingerprints" not in json.loads(out)["results"][0]
