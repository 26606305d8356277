"""checker/report/rules.json (the SARIF rules' help, shipped with the package) is
docs/errors.md's, and covers every diagnostic code (scripts/error_rules.py makes it)."""
from __future__ import annotations

import importlib.util
import json

from kovn_ci_helpers import ROOT

from checker import codes
from checker.report.sarif import code_help, code_rule


def _script():
    spec = importlib.util.spec_from_file_location("error_rules", ROOT / "scripts" / "error_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_rules_are_the_docs_ones():
    script = _script()
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    shipped = (ROOT / "checker" / "report" / "rules.json").read_text(encoding="utf-8")
    assert shipped == script.render(doc), ("checker/report/rules.json differs from docs/errors.md: "
                                           "run `python scripts/error_rules.py`")


def test_every_code_has_a_title_a_description_and_a_fix():
    rules = code_help()
    assert set(rules) == set(codes.DOCS)
    for code, rule in rules.items():
        assert rule["title"] and rule["description"], code
        assert rule["fix"] or code.startswith("KOV6"), code     # warnings say what to do in their text


def test_a_rule_reads_as_sarif_wants_it():
    rule = code_rule("KOV501")
    assert rule["id"] == "KOV501" and rule["name"] == "RunTimeError"
    assert rule["shortDescription"]["text"] == "KOV501: run-time error"
    assert rule["fullDescription"]["text"] == codes.DOCS["KOV501"]
    assert "**Fix**: guard the expression" in rule["help"]["markdown"]
    assert "**" not in rule["help"]["text"]
    json.dumps(rule)


def test_the_parser_keeps_lists_and_paragraphs():
    script = _script()
    text = "### KOV999: a title\n\nFirst line\ncontinued.\n\n- one;\n- two.\n\n```kovn\nx\n```\n\n**Fix**: do\nthis.\n"
    assert script.rules(text) == {"KOV999": {"title": "a title",
                                             "description": "First line continued.\n\n- one;\n- two.",
                                             "fix": "do this."}}
