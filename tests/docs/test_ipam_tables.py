"""docs/ipam.md's generated tables say what the checker finds on spec/ipam.kovn.

scripts/ipam_tables.py writes them (the variant x property table and the ablation table);
this test builds them again from the checker's results and fails when the document differs.
The variants' results are the pytest plugin's own (checker.pytest_plugin.explored): the
spec's items, collected in the same session, reuse them instead of searching again.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tables():
    spec = importlib.util.spec_from_file_location("ipam_tables", ROOT / "scripts" / "ipam_tables.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# in the worker that runs spec/ipam.kovn's items (pytest-xdist --dist loadgroup): their
# results are this test's (checker.pytest_plugin._mark)
@pytest.mark.xdist_group("spec/ipam.kovn")
def test_generated_tables_match_the_checker(request):
    from checker import api
    from checker.pytest_plugin import explored
    from checker.report.cases import ci_path
    from checker.variants import cpus

    tables = _tables()
    spec = ci_path(str(tables.SPEC))
    compiled, _ = api.compile_spec(spec, lint=False)
    results = [explored(request.config, spec, variant, model, compiled) for variant, model in compiled]
    assert all(r.expectation_met for r in results), [r.variant.name for r in results if not r.expectation_met]
    flags = tables.ingredients(compiled)
    assert flags, "fixed turns on no flag: nothing to take away"
    notes = tables.comments(tables.SPEC.read_text())
    ablations = [tables.Ablation(f, notes.get(f, ""), r)
                 for f, r in zip(flags, tables.ablation_runs(flags, cpus()))]
    doc = tables.DOC.read_text()
    expected = tables.rewrite(doc, tables.sections(results, ablations))
    assert doc == expected, ("docs/ipam.md's generated tables differ from the checker's results: "
                             "run `python scripts/ipam_tables.py` and review the change")


def test_the_tables_are_built_from_the_results_not_typed():
    tables = _tables()
    text = "variant a {   // the first\n}\n// above b\nvariant b {\n}\nconst X: bool = false // x does\n" \
           "                     // and more\n"
    assert tables.comments(text) == {"a": "the first", "b": "above b", "X": "x does and more"}
    doc = "intro\n<!-- BEGIN generated: t -->\nold\n<!-- END generated: t -->\nend\n"
    assert tables.rewrite(doc, {"t": "| new |"}) == \
        "intro\n<!-- BEGIN generated: t -->\n| new |\n<!-- END generated: t -->\nend\n"
