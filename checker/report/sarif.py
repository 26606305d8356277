"""A run's outcome as a SARIF 2.1.0 log (`check --sarif FILE`), for code-scanning UIs.

Input: `outcome.Outcome` (or an `api.Report`). Output: a dict (json-serialisable) valid
against the OASIS SARIF 2.1.0 schema (tests/ci validate it). One run, tool `kovn`, whose
invocation carries the exit code, its meaning and the run's summary. Results:

- every diagnostic of a run that stopped before the search (a spec that does not compile,
  a failed assumption, an unknown --variant), every run-time error of the model (KOV501)
  and every model-quality warning a variant does not acknowledge (KOV6xx): one result
  each, whose rule id is the code; the rule's name, description and help (what the code
  means and the usual fix) come from docs/errors.md (shipped as rules.json:
  scripts/error_rules.py). Warnings are level "warning" ("error" with --strict);
- every variant x property that is not what the variant declares
  (checker.report.cases): one result whose rule is the property, located at the user's
  line for it (a property of the library at the line that brought it in, the library's
  declaration as a related location), with the step that matters as a related location
  (the last step, or a lasso's loop entry) and the whole counterexample as a code flow
  (one location per state).

Properties violated as declared are not results (they are the known bugs the spec keeps
catching). Paths: the user's files relative to the repository (uriBaseId %SRCROOT%), the
library's by name under KOVN_STDLIB (checker/report/places.py); no absolute path, no
timestamp, so the log is the same on every machine.

Plain dicts, not sarif-om: docs/adr/0007-ci-report-formats.md says why.
"""
from __future__ import annotations

import json
from typing import Any
from functools import lru_cache
from importlib.resources import files

from checker import codes
from checker.diagnostics import Diagnostic, Span
from checker.engine.result import Verdict
from checker.report import exitcodes
from checker.report.cases import Case, report_cases, trace_steps
from checker.report.outcome import Outcome, of_report, runtime_errors, shared_warnings
from checker.report.places import SRCROOT, Place, place, user_span

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_VERSION = "0.1.0"


def sarif_log(run) -> dict:
    outcome = run if isinstance(run, Outcome) else of_report(run)
    rules = _Rules()
    results = [_diagnostic_result(d, rules, outcome.spec) for d in outcome.errors + outcome.warnings]
    report = outcome.report
    if report is not None:
        results += [_case_result(c, rules) for c in report_cases(report) if not c.passed]
        results += [_diagnostic_result(d, rules, outcome.spec, variant)
                    for variant, d in _runtime_errors(report)]
        level = "error" if outcome.strict else "warning"
        results += [_diagnostic_result(w, rules, outcome.spec, variants, level)
                    for w, variants in shared_warnings(report)]
    failed_to_run = bool(outcome.errors) or report is None or any(
        r.result.verdict is Verdict.ERROR for r in report.results)
    invocation = {"executionSuccessful": not failed_to_run, "exitCode": outcome.code,
                  "exitCodeDescription": exitcodes.MEANING.get(outcome.code, "unknown"),
                  "properties": {"summary": outcome.summary}}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kovn", "version": TOOL_VERSION, "rules": rules.all}},
            "invocations": [invocation],
            # one category per spec: code scanning keeps the logs of several specs apart
            "automationDetails": {"id": f"kovn/{outcome.spec}/"},
            "columnKind": "unicodeCodePoints",   # spans count characters, not UTF-16 units
            "results": results,
        }],
    }


class _Rules:
    """The rules met so far, each once, in order; `index(id)` adds one when new."""

    def __init__(self):
        self.all: list[dict] = []
        self._index: dict[str, int] = {}

    def index(self, rule_id: str, make) -> int:
        if rule_id not in self._index:
            self._index[rule_id] = len(self.all)
            self.all.append(make())
        return self._index[rule_id]


@lru_cache(maxsize=1)
def code_help() -> dict[str, dict[str, str]]:
    """docs/errors.md's entry of each code (title, description, fix), as shipped."""
    return json.loads(files("checker.report").joinpath("rules.json").read_text(encoding="utf-8"))


def code_rule(code: str) -> dict:
    """The SARIF rule of a diagnostic code, with docs/errors.md's help."""
    doc = code_help().get(code, {})
    title = doc.get("title") or code
    short = codes.DOCS.get(code, title)
    text = doc.get("description") or short
    fix = doc.get("fix")
    help_md = text + (f"\n\n**Fix**: {fix}" if fix else "") + f"\n\n(kovn docs/errors.md, {code})"
    rule = {"id": code, "name": _pascal(title),
            "shortDescription": {"text": f"{code}: {title}"},
            "fullDescription": {"text": short},
            "help": {"text": help_md.replace("**", "").replace("`", ""), "markdown": help_md},
            "defaultConfiguration": {"level": "warning" if code.startswith("KOV6") else "error"},
            "properties": {"tags": ["kovn", _phase(code)]}}
    return rule


def _pascal(title: str) -> str:
    """SARIF's rule names are identifiers: `undefined name` -> `UndefinedName`."""
    return "".join(w[:1].upper() + w[1:] for w in "".join(c if c.isalnum() else " " for c in title).split())


def _phase(code: str) -> str:
    return {"0": "syntax", "1": "names", "2": "types", "3": "statements", "4": "variants",
            "5": "evaluation", "6": "model-quality", "9": "files"}.get(code[3], "other")


def _diagnostic_result(d: Diagnostic, rules: _Rules, spec: str, variants=None, level: str | None = None) -> dict:
    idx = rules.index(d.code, lambda: code_rule(d.code))
    level = level or ("error" if d.is_error else "warning" if d.severity.value == "warning" else "note")
    text = d.message + (f" ({d.hint})" if d.hint else "")
    if variants:
        names = [variants] if isinstance(variants, str) else variants
        text += f" (variant{'s' if len(names) > 1 else ''} {', '.join(names)})"
    out: dict = {"ruleId": d.code, "ruleIndex": idx, "level": level, "message": {"text": text}}
    at = user_span(d.span) if d.span is not None else None
    where = place(at) if at is not None else None
    # code scanning needs a location: a diagnostic about no line (a file not found, a bad
    # --variant) is shown on the spec itself
    out["locations"] = [_location(where) if where is not None else _file_location(spec)]
    related: list[dict[str, Any]] = []
    library = place(d.span) if d.span is not None and at is not d.span else None
    if library is not None:
        related.append(_location(library, len(related) + 1, "in the library"))
    for span, label in d.labels:
        labelled = place(span) if isinstance(span, Span) else None
        if labelled is not None:
            related.append(_location(labelled, len(related) + 1, label))
    if related:
        out["relatedLocations"] = related
    out["partialFingerprints"] = {"kovnDiagnostic/v1": f"{spec}::{d.code}::{d.message}"}
    return out


def _runtime_errors(report) -> list[tuple[str, Diagnostic]]:
    return [(r.variant.name, d) for r, d in runtime_errors(report)]


def _case_rule(case: Case) -> dict:
    rid = _rule_id(case)
    text = (f"kovn {case.kind} {case.prop}" if case.prop is not None
            else "kovn: a variant that checks no property must explore completely")
    rule = {"id": rid, "name": rid, "shortDescription": {"text": text},
            "defaultConfiguration": {"level": "error"}, "properties": {"kind": case.kind}}
    declared = case.declared or case.where
    if declared is not None and case.prop is not None:
        rule["fullDescription"] = {"text": f"{text}, declared at {declared.text()}"}
    return rule


def _rule_id(case: Case) -> str:
    return case.prop if case.prop is not None else "exploration"


def _case_result(case: Case, rules: _Rules) -> dict:
    rid = _rule_id(case)
    out: dict = {
        "ruleId": rid,
        "ruleIndex": rules.index(rid, lambda: _case_rule(case)),
        "level": "error",
        "kind": "fail",
        "message": {"text": f"{case.message} (spec {case.spec}, variant {case.variant})"},
        "partialFingerprints": {"kovnCase/v1": f"{case.spec}::{case.name}"},
        "properties": {"variant": case.variant, "expected": case.expected.value,
                       "status": case.status.value if case.status is not None else "not checked"},
    }
    if case.where is not None:
        out["locations"] = [_location(case.where)]
    related = []
    if case.step is not None:
        what = (f"{case.step_action}: enters the loop that repeats forever" if case.loop is not None
                else f"{case.step_action}: the step that breaks {case.prop}")
        related.append(_location(case.step, 1, what))
    if case.declared is not None:
        related.append(_location(case.declared, len(related) + 1, f"{case.prop} is declared here, in the library"))
    if related:
        out["relatedLocations"] = related
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
        "artifactLocation": {"uri": where.path, "uriBaseId": where.base},
        "region": {"startLine": where.line, "startColumn": where.col,
                   "endLine": where.end_line, "endColumn": where.end_col},
    }}
    if ident is not None:
        loc["id"] = ident
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def _file_location(spec: str) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": spec, "uriBaseId": SRCROOT},
                                 "region": {"startLine": 1}}}
