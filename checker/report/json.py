"""A Report as the JSON summary that `check --json` prints.

Input: `api.Report`. Output: a dict (json-serialisable) of the documented shape:
{"spec", "results": [{"variant", "verdict", "expectation_met", "distinct_states",
"states_generated", "depth", "seconds", "violations": [{"property", "kind", "trace_length"}],
...}]}; trace_length counts states, the initial state included.

"seconds" is the time the user waited for the variant: parsing the spec
("parse_seconds", one parse shared by its variants), compiling the variant
("compile_seconds") and its search ("search_seconds", the liveness check included).

Besides those, each result has "expected_violated" (the variant's expectation),
"states_per_second" (states generated per second of the search), "peak_rss_bytes", "limit"
(the limit that stopped the search, or null),
"properties" ([{"property", "kind", "status"}]), "coverage" ([{"action", "generated",
"distinct"}]), "mismatches" (why the expectation was not met), "error" ({"message",
"location"}, only for verdict "error") and "stopped" (only when the search ended early:
"all-decided" or "violation"); engine add-ons add their own keys (such as
"liveness_seconds"). "warnings" lists the variant's model-quality warnings that it does not
acknowledge (those `--strict` fails on), "acknowledged" those it does, each
{"code", "name", "message", "location", "subjects"} (location: file:line:col or null). A
violation may add "location" (the property's
file:line:col) and, for a lasso, "prefix_length" and "loop_length" (in steps: the steps
before the loop's first state, and the steps of the loop back to it) and, for a property
with `forall`, "instance" (the violated binding, e.g. "i = 1").
"""
from __future__ import annotations

from checker import codes
from checker.diagnostics import where
from checker.engine.result import Status
from checker.report.figures import search_figures


def report_dict(report) -> dict:
    return {
        "spec": report.spec,
        "results": [_result(r) for r in report.results],
    }


def _result(r) -> dict:
    res = r.result
    st = res.stats
    out = {
        "variant": r.variant.name,
        "verdict": res.verdict.value,
        "expectation_met": r.expectation_met,
        "expected_violated": list(r.variant.expect_violated),
        "distinct_states": st.distinct,
        "states_generated": st.generated,
        "depth": st.depth,
        "seconds": round(st.seconds, 4),
        "parse_seconds": round(st.parse_seconds, 4),
        "compile_seconds": round(st.compile_seconds, 4),
        "search_seconds": round(st.search_seconds, 4),
        "states_per_second": round(st.states_per_second, 1),
        "peak_rss_bytes": st.peak_rss_bytes,
        "limit": res.limit,
        "violations": [_violation(p) for p in res.properties if p.status is Status.VIOLATED],
        "properties": [{"property": p.name, "kind": p.kind, "status": p.status.value}
                       for p in res.properties],
        "coverage": [{"action": c.name, "generated": c.generated, "distinct": c.distinct}
                     for c in st.coverage],
        "mismatches": list(r.mismatches),
        "warnings": [warning_dict(w) for w in r.warnings],
        "acknowledged": [warning_dict(w) for w in r.acknowledged],
    }
    if res.failure is not None:
        out["error"] = {"message": res.failure.message, "location": _loc(res.failure.origin)}
    out.update(search_figures(r))
    return out


def stopped_dict(outcome) -> dict:
    """A run that ended before any search (checker/report/outcome.py): no results, the
    diagnostics that stopped it (`errors`, each {"code", "message", "location"}), and the
    run's summary and exit code, as the other CI outputs carry them."""
    return {"spec": outcome.spec, "results": [],
            "errors": [{"code": d.code, "severity": d.severity.value, "message": d.message,
                        "location": _loc(d.span)} for d in outcome.errors + outcome.warnings],
            "summary": outcome.summary, "exit_code": outcome.code}


def warning_dict(w) -> dict:
    return {"code": w.code, "name": codes.WARNING_NAMES.get(w.code), "message": w.message,
            "location": _loc(w.span), "subjects": list(w.subjects)}


def _violation(p) -> dict:
    v = {"property": p.name, "kind": p.kind,
         "trace_length": len(p.trace) if p.trace is not None else None}
    if p.trace is not None and p.trace.loop_start is not None:
        # In steps: trace_length = prefix_length + loop_length + 1 (engine.result.Trace:
        # the last state closes the loop); a loop that stutters in one state has length 1.
        v["prefix_length"] = p.trace.loop_start
        v["loop_length"] = len(p.trace) - 1 - p.trace.loop_start
    if p.instance:
        v["instance"] = p.instance
    if p.origin is not None:
        v["location"] = _loc(p.origin)
    return v


def _loc(origin) -> str | None:
    return where(origin, col=True) or None
