"""A Report as a SARIF 2.1.0 log (`check --sarif FILE`), for code-scanning UIs.

Input: `api.Report`. Output: a dict (json-serialisable) valid against the OASIS SARIF 2.1.0
schema (tests/ci validate it). One run, tool `kovn`; one rule per property name; one result
per variant x property that is not what the variant declares (checker.report.cases), with
the same locations as `--format github`:
- locations: the property's declaration;
- relatedLocations: the action of the counterexample's last step (the step that broke it);
- codeFlows: the whole counterexample, one threadFlowLocation per step (its action's line
  and what changed), so a viewer can walk the trace.
Properties violated as declared are not results (they are the known bugs the spec keeps
catching). Paths are relative to the working directory (uriBaseId %SRCROOT%) when the spec
lies below it. Output is deterministic: no timestamps, no absolute paths of the checkout.

Plain dicts, not sarif-om: docs/adr/ci-report-formats.md says why.
"""
from __future__ import annotations

from pathlib import PurePosixPath

from checker.engine.result import Verdict
from checker.report.cases import Case, Place, report_cases, trace_steps

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_VERSION = "0.1.0"


def sarif_log(report) -> dict:
    cases = report_cases(report)
    rules = _rules(cases)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = [_result(c, index) for c in cases if not c.passed]
    failed_to_run = any(r.result.verdict is Verdict.ERROR for r in report.results)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kovn", "version": TOOL_VERSION, "rules": rules}},
            "invocations": [{"executionSuccessful": not failed_to_run}],
            "columnKind": "unicodeCodePoints",   # spans count characters, not UTF-16 units
            "results": results,
        }],
    }


def _rule_id(case: Case) -> str:
    return case.prop if case.prop is not None else "exploration"


def _rules(cases: tuple[Case, ...]) -> list[dict]:
    rules: dict[str, dict] = {}
    for c in cases:
        rid = _rule_id(c)
        if rid in rules:
            continue
        text = (f"kovn {c.kind} {c.prop}" if c.prop is not None
                else "kovn: a variant that checks no property must explore completely")
        rule = {"id": rid, "name": rid, "shortDescription": {"text": text},
                "defaultConfiguration": {"level": "error"}, "properties": {"kind": c.kind}}
        if c.where is not None and c.prop is not None:
            rule["fullDescription"] = {"text": f"{text}, declared at {c.where.text()}"}
        rules[rid] = rule
    return list(rules.values())


def _result(case: Case, index: dict[str, int]) -> dict:
    rid = _rule_id(case)
    out: dict = {
        "ruleId": rid,
        "ruleIndex": index[rid],
        "level": "error",
        "kind": "fail",
        "message": {"text": f"{case.message} (spec {case.spec}, variant {case.variant})"},
        "partialFingerprints": {"kovnCase/v1": f"{case.spec}::{case.name}"},
        "properties": {"variant": case.variant, "expected": case.expected.value,
                       "status": case.status.value if case.status is not None else "not checked"},
    }
    if case.where is not None:
        out["locations"] = [_location(case.where)]
    if case.step is not None:
        out["relatedLocations"] = [_location(case.step, 1, f"{case.step_action}: the step that breaks {case.prop}")]
    flow = _code_flow(case)
    if flow is not None:
        out["codeFlows"] = [flow]
    return out


def _code_flow(case: Case) -> dict | None:
    p = case.prop_result
    if p is None or p.trace is None or p.kind == "reachable" or case.result is None:
        return None
    steps = []
    for n, (where, text) in enumerate(trace_steps(case.result.model, p.trace)):
        loc: dict = {"message": {"text": text}}
        if where is not None:
            loc = _location(where, message=text)
        steps.append({"location": loc, "executionOrder": n + 1})
    return {"message": {"text": f"counterexample for {case.prop} ({len(p.trace)} states)"},
            "threadFlows": [{"locations": steps}]}


def _location(where: Place, ident: int | None = None, message: str | None = None) -> dict:
    loc: dict = {"physicalLocation": {
        "artifactLocation": _artifact(where.path),
        "region": {"startLine": where.line, "startColumn": where.col,
                   "endLine": where.end_line, "endColumn": where.end_col},
    }}
    if ident is not None:
        loc["id"] = ident
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def _artifact(path: str) -> dict:
    p = PurePosixPath(path)
    if p.is_absolute():
        return {"uri": p.as_uri()}
    return {"uri": path, "uriBaseId": "%SRCROOT%"}
