"""The state-space regression guard (`check --baseline FILE`).

Input: a baseline, which is the output of an earlier `check --json` saved to a file, and
this run's `api.Report`. Output: the `Change`s, one per variant of this run whose verdict
or distinct-state count differs from the baseline's, or that the baseline lacks; and their
rendering as text. Variants in the baseline but not in this run (not selected with
--variant) are not compared. The CLI exits 2 when there is a change and nothing worse
(docs/ci.md).

Distinct-state counts are deterministic (the same spec gives the same count on every run,
under any hash seed), so they are compared exactly: a change means the spec, the library or
the checker changed what is reachable.
"""
from __future__ import annotations

import json
from dataclasses import dataclass


class BaselineError(Exception):
    """The baseline file cannot be read or is not a `check --json` output."""


@dataclass(frozen=True, slots=True)
class Change:
    variant: str
    what: str                 # "verdict" | "distinct states" | "not in the baseline"
    old: str | int | None
    new: str | int | None

    def text(self) -> str:
        if self.what == "not in the baseline":
            return f"variant {self.variant}: not in the baseline (new: {self.new})"
        if isinstance(self.old, int) and isinstance(self.new, int):
            delta = self.new - self.old
            return (f"variant {self.variant}: distinct states {self.old:,} -> {self.new:,} "
                    f"({delta:+,})")
        return f"variant {self.variant}: {self.what} {self.old} -> {self.new}"


def load_baseline(path: str) -> dict[str, dict]:
    """variant name -> its result object in the saved JSON. Raises BaselineError."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"the baseline {path} is not JSON (line {exc.lineno}: {exc.msg}); "
                            "save one with `check SPEC --json > FILE`") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or not all(_is_result(r) for r in results):
        raise BaselineError(f"the baseline {path} is not the output of `check --json` "
                            "(it needs \"results\": [{\"variant\", \"verdict\", \"distinct_states\"}, ...])")
    return {r["variant"]: r for r in results}


def _is_result(r) -> bool:
    return (isinstance(r, dict) and isinstance(r.get("variant"), str) and isinstance(r.get("verdict"), str)
            and isinstance(r.get("distinct_states"), int))


def compare(baseline: dict[str, dict], report) -> list[Change]:
    """The changes of this run against the baseline, in the report's variant order."""
    changes: list[Change] = []
    for r in report.results:
        name = r.variant.name
        verdict, distinct = r.result.verdict.value, r.result.stats.distinct
        old = baseline.get(name)
        if old is None:
            changes.append(Change(name, "not in the baseline", None, f"{verdict}, {distinct:,} distinct states"))
            continue
        if old["verdict"] != verdict:
            changes.append(Change(name, "verdict", old["verdict"], verdict))
        if old["distinct_states"] != distinct:
            changes.append(Change(name, "distinct states", old["distinct_states"], distinct))
    return changes


def render_changes(changes: list[Change], path: str, compared: int) -> str:
    """What `check --baseline` prints (on stderr) after the report."""
    if not changes:
        return f"baseline {path}: no change ({compared} variant{'s' if compared != 1 else ''} compared)"
    lines = [f"baseline {path}: {len(changes)} change{'s' if len(changes) != 1 else ''}"]
    lines += [f"  {c.text()}" for c in changes]
    lines.append("  (if the change is intended, save a new baseline with --json)")
    return "\n".join(lines)
