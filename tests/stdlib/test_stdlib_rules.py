"""The Kubernetes library's rules (checker/stdlib/k8s.kovn), each checked by its own small
spec in this folder, and each test spec shown to catch a deliberately broken rule."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker import api
from checker.loader import STDLIB

HERE = Path(__file__).parent
SPECS = sorted(p.name for p in HERE.glob("*.kovn") if p.name != "prelude.kovn")


def run(spec: str):
    report = api.check(str(HERE / spec))
    return report.results


@pytest.mark.parametrize("spec", SPECS)
def test_rule_spec_meets_its_expectation(spec):
    results = run(spec)
    assert results, spec
    for r in results:
        assert r.expectation_met, (spec, r.variant.name, r.mismatches)
        if not r.variant.expect_violated:
            assert r.result.verdict.value == "ok"


# (test spec, library file, the rule as written, the rule broken, the property that must catch it)
BREAKAGES = [
    ("api_verbs.kovn", "k8s.kovn",
     "macro delete(n: Name) {\n  if api[n].finalizers == {} {",
     "macro delete(n: Name) {\n  if true {", "FinalizersHoldObjects"),
    ("api_verbs.kovn", "k8s.kovn",
     "  if not api[n].deleting and not (fin in api[n].finalizers) {",
     "  if not (fin in api[n].finalizers) {", "NoFinalizerAddedWhileDeleting"),
    ("api_verbs.kovn", "k8s.kovn",
     "  if api[n].deleting and api[n].finalizers == {} {\n    api := remove(api, n)",
     "  if false {\n    api := remove(api, n)", "NoZombies"),
    ("informer.kovn", "k8s.kovn",
     "    cache := cache with {e.name: get(e.obj)}",
     "    skip", "CaughtUpCacheIsTheAPI"),
    ("queues.kovn", "k8s.kovn",
     "  queue[h] := queue[h] | {n}\n}\n\n// The key",
     "  queue[h] := {n}\n}\n\n// The key", "SetSemantics"),
    ("conflicts.kovn", "k8s.kovn",
     "def conflict(n: Name, o: Obj): bool = o.rv != api[n].rv",
     "def conflict(n: Name, o: Obj): bool = false", "NoLostUpdate"),
    ("restart.kovn", "k8s.kovn",
     "volatile var cache: map[Name, Obj] = api",
     "var cache: map[Name, Obj] = api", "RestartForgetsAndRelists"),
    ("noop_writes.kovn", "k8s.kovn",
     "  if api[n].data != d {\n    api[n] := api[n] with {data: d, rv: nextRV(n), gen: nextGen(n)}",
     "  if true {\n    api[n] := api[n] with {data: d, rv: nextRV(n), gen: nextGen(n)}", "SamePatchChangesNothing"),
    ("graceful.kovn", "k8s.kovn",
     "macro deleteGracefully(n: Name) {\n  markDeleting(n)\n}",
     "macro deleteGracefully(n: Name) {\n  api := remove(api, n)\n  emit(n)\n}",
     "GracefulDeletionKeeps"),
    ("graceful.kovn", "k8s.kovn",
     "macro finishDelete(n: Name) {\n  if api[n].finalizers == {} {",
     "macro finishDelete(n: Name) {\n  if true {", "FinalizerHoldsAgainstFinalDelete"),
    ("mutex.kovn", "k8s.kovn",
     "  require not (n in locks)\n", "", "MutualExclusion"),
    ("mutex.kovn", "k8s.kovn",
     "volatile var locks: set[Name] = {}", "var locks: set[Name] = {}", "RestartReleases"),
    ("relist.kovn", "k8s.kovn",
     "    onEvent(n, none, some(api[n]))", "    skip", "RestartRelists"),
    ("relist.kovn", "k8s_restart.kovn",
     "  restartsLeft := restartsLeft - 1\n", "", "Bounded"),
    ("gc.kovn", "k8s_gc.kovn",
     "  require n in api and is_some(api[n].owner) and not (get(api[n].owner) in api)",
     "  require n in api and is_some(api[n].owner)", "CollectsOnlyOrphans"),
    # DELETE with a propagation policy, and the collector's orphaning and foreground deletion
    ("propagation.kovn", "k8s_gc.kovn",
     "  let gc = if p == Orphan then {orphan} else",
     "  let gc = if false then {orphan} else", "OrphanKeepsDependents"),
    ("propagation.kovn", "k8s_gc.kovn",
     "  require o in api and api[o].deleting and orphan in api[o].finalizers\n  require dependents(o) == {}\n",
     "  require o in api and api[o].deleting and orphan in api[o].finalizers\n", "OrphanKeepsDependents"),
    ("propagation.kovn", "k8s_gc.kovn",
     "  require o in api and api[o].deleting and foregroundDeletion in api[o].finalizers\n  require dependents(o) == {}\n",
     "  require o in api and api[o].deleting and foregroundDeletion in api[o].finalizers\n", "ForegroundWaitsForDependents"),
    ("propagation.kovn", "k8s_gc.kovn",
     "  require o in api and api[o].deleting and foregroundDeletion in api[o].finalizers\n  delete(n)",
     "  require o in api and api[o].deleting and foregroundDeletion in api[o].finalizers\n  skip",
     "ForegroundDeletes"),
    # generation and the status subresource
    ("generation.kovn", "k8s.kovn",
     "    api[n] := api[n] with {data: d, rv: nextRV(n), gen: nextGen(n)}",
     "    api[n] := api[n] with {data: d, rv: nextRV(n)}", "SpecChangeBumpsGeneration"),
    ("generation.kovn", "k8s.kovn",
     "macro patchStatus(n: Name, d: Data) {\n  if api[n].data != d {\n    api[n] := api[n] with {data: d, rv: nextRV(n)}",
     "macro patchStatus(n: Name, d: Data) {\n  if api[n].data != d {\n    api[n] := api[n] with {data: d, rv: nextRV(n), gen: nextGen(n)}",
     "StatusKeepsGeneration"),
    ("generation.kovn", "k8s.kovn",
     "    api[n] := api[n] with {deleting: true, rv: nextRV(n), gen: nextGen(n)}",
     "    api[n] := api[n] with {deleting: true, rv: nextRV(n)}", "DeletionBumpsGeneration"),
    ("generation.kovn", "k8s.kovn",
     "    api[n] := api[n] with {data: o.data, rv: nextRV(n)}",
     "    api[n] := o with {rv: nextRV(n)}", "StatusWriteKeepsMetadata"),
]


@pytest.mark.parametrize("spec, library, rule, broken, prop", BREAKAGES,
                         ids=[f"{b[0]}:{b[4]}" for b in BREAKAGES])
def test_broken_rule_is_caught(spec, library, rule, broken, prop, tmp_path, monkeypatch):
    lib = tmp_path / "stdlib"
    shutil.copytree(STDLIB, lib)
    text = (lib / library).read_text()
    assert text.count(rule) == 1, "the rule to break is not (uniquely) in the library any more"
    (lib / library).write_text(text.replace(rule, broken))
    monkeypatch.setenv("KOVN_STDLIB", str(lib))
    results = run(spec)
    violated = {p.name for r in results for p in r.result.violations}
    assert prop in violated
    assert not all(r.expectation_met for r in results)
