"""Helpers for the rendering tests: check a spec and pick one of its counterexamples."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker import api
from checker.engine import CheckOptions

SPECS = Path(__file__).resolve().parent / "specs"


@dataclass(frozen=True)
class Violation:
    model: object
    result: object
    prop: object
    spec_name: str
    variant: str


def violation(path, prop: str, variant: str | None = None, **options) -> Violation:
    """The counterexample to `prop` found by checking `path` (one variant)."""
    report = api.check(str(path), None, [variant] if variant else None, CheckOptions(**options))
    r = report.results[0]
    found = [p for p in r.result.properties if p.name == prop and p.trace is not None]
    assert found, f"{path}: no counterexample to {prop}; statuses: " \
                  f"{[(p.name, p.status.value) for p in r.result.properties]}"
    return Violation(r.model, r.result, found[0], r.model.spec.name, r.variant.name)


def failure(path, variant: str | None = None, **options) -> Violation:
    """The run-time error found by checking `path` (one variant), as the renderers get it:
    `prop` is a FailedEvaluation whose trace ends in the state where evaluation failed."""
    from checker.engine import Verdict
    from checker.render import failed_evaluation

    report = api.check(str(path), None, [variant] if variant else None, CheckOptions(**options))
    r = report.results[0]
    assert r.result.verdict is Verdict.ERROR, f"{path}: verdict {r.result.verdict}, not ERROR"
    failed = failed_evaluation(r.result)
    assert failed is not None, f"{path}: the run-time error has no trace"
    return Violation(r.model, r.result, failed, r.model.spec.name, r.variant.name)
