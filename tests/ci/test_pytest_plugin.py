"""The pytest plugin (checker/pytest_plugin.py): one item per variant x property.

Each test runs pytest in a separate process, as a user would: the plugin is found through
the `pytest11` entry point of the installed package.
"""
from __future__ import annotations

import fnmatch
import json
import re
import textwrap
import tomllib
from importlib.metadata import entry_points

import pytest

from kovn_ci_helpers import ROOT, run_pytest

from checker import api
from checker.engine import CheckOptions

COUNTER = """
    spec counter
    const N: int = 3
    var x: 0..5
    init { x := 0 }
    action Inc {
      require x < N
      x := x + 1
    }
    invariant Small: x <= 2
    invariant Bounded: x <= 5
    reachable Top: x == N
    allow deadlock

    variant three {
      expect violated Small
    }
    variant two {
      N = 2
    }
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def outcomes(output: str) -> dict[str, str]:
    """node id -> PASSED / FAILED, from the -rA summary."""
    return {m.group(2): m.group(1) for m in re.finditer(r"^(PASSED|FAILED|ERROR) (\S+)", output, re.M)}


def expected_ids(path: str, variants=None) -> set[str]:
    """`FILE::VARIANT::PROPERTY` for every property the engine decided (api.check), and the
    properties a variant expects violated without checking them; `FILE::VARIANT` for a
    variant that checks none."""
    ids = set()
    for r in api.check(path, None, variants, CheckOptions()).results:
        names = [p.name for p in r.result.properties]
        names += [n for n in r.variant.expect_violated if n not in names]
        ids |= {f"{path}::{r.variant.name}::{n}" for n in names} or {f"{path}::{r.variant.name}"}
    return ids


def test_the_plugin_is_registered_through_its_entry_point():
    eps = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert eps.get("kovn") == "checker.pytest_plugin", \
        "kovn is not installed (pip install -e .): pytest cannot find the plugin"


@pytest.mark.slow   # the flagship through the plugin
def test_spec_and_models_have_one_item_per_variant_x_property():
    # Names only (a spec is compiled, not explored, to collect it); the suite's own run of
    # spec/ and models/ (testpaths in pyproject.toml) runs these items, and an item fails if
    # its variant's exploration decided a property that has no item.
    run = run_pytest(["spec", "models", "--collect-only", "-q"], ROOT)
    assert run.code == 0, run.out
    got = set(re.findall(r"^(\S+::\S+)$", run.out, re.M))
    want = set()
    for path in sorted([*ROOT.glob("spec/*.kovn"), *ROOT.glob("models/**/*.kovn")]):
        rel = path.relative_to(ROOT).as_posix()
        for variant, model in api.compile_spec(str(path), lint=False)[0]:    # names only: no dead-guard lint
            ir = model.spec
            names = [p.name for p in ir.properties if p.kind != "constraint"]
            names += ["deadlock"] * bool(ir.check_deadlock) + [t.name for t in ir.temporals]
            names += [n for n in variant.expect_violated if n not in names]
            want |= {f"{rel}::{variant.name}::{n}" for n in names} or {f"{rel}::{variant.name}"}
    assert got == want
    assert {"spec/ipam.kovn::v1_12::NoOrphanIP", "spec/ipam.kovn::fixed::NoOrphanIP",
            "models/diehard.kovn::space", "models/diehard.kovn::puzzle::NotSolved"} <= got
    # The project's kovn_slow patterns name existing items (the marking itself is tested
    # on a small spec below).
    slow = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    for pattern in slow["kovn_slow"]:
        # an item, its variant or its file, as the plugin matches them (_is_slow)
        prefixes = {"::".join(i.split("::")[:k]) for i in got for k in (1, 2, 3)}
        assert any(fnmatch.fnmatchcase(i, pattern) for i in prefixes), pattern
    # The ids docs/ci.md shows are real.
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    listed = re.search(r"\$ pytest spec/ models/ --collect-only -q\n(.*?)```", doc, re.S).group(1)
    shown = {line for line in listed.split("\n") if "::" in line}
    assert shown and shown <= got


def test_models_run_every_variant_x_property_as_its_own_passing_item(monkeypatch):
    run = run_pytest(["models", "-rA"], ROOT)
    assert run.code == 0, run.out
    got = outcomes(run.out)
    monkeypatch.chdir(ROOT)
    want = set().union(*(expected_ids(p.relative_to(ROOT).as_posix()) for p in sorted(ROOT.glob("models/**/*.kovn"))))
    assert set(got) == want
    assert set(got.values()) == {"PASSED"}


@pytest.mark.xdist_group("broken_ipam")     # with tests/ci/test_ci_outputs.py: one worker, one build
@pytest.mark.slow   # the flagship through the plugin
def test_a_fix_removed_from_fixed_fails_the_broken_property_and_shows_the_trace(broken_ipam, broken_outputs):
    run = run_pytest([broken_ipam.name, "-k", "fixed", "-rA"], broken_ipam.parent)
    assert run.code == 1, run.out
    got = outcomes(run.out)
    assert got["ipam.kovn::fixed::NoOrphanIP"] == "FAILED"
    assert got["ipam.kovn::fixed::NoSubnetFinalizedInUse"] == "PASSED"
    assert "NoOrphanIP: expected to hold, but it is violated" in run.out
    # The items that fail are exactly the properties that `check` finds not as declared.
    summary, _, github = broken_outputs
    (fixed,) = [r for r in summary["results"] if r["variant"] == "fixed"]
    mismatched = {m.split(":")[0] for m in fixed["mismatches"]}
    assert {i.rsplit("::", 1)[1] for i, o in got.items() if o == "FAILED"} == mismatched
    assert set(got) == {f"ipam.kovn::fixed::{p['property']}" for p in fixed["properties"]}
    # The counterexample exactly as `check` prints it in its terminal report.
    # (the github format prints the terminal report, then its annotations)
    trace = _block(github.out, "  counterexample for NoOrphanIP (")
    assert len(trace) > 3
    # (its files named as the CI outputs name them: the spec relative to its folder, which is
    # in no repository, and the library's by name, while `check`'s terminal report, run from
    # the project, shows real paths: checker/report/places.py)
    expected = "\n".join(trace).replace(str(broken_ipam), broken_ipam.name).replace("checker/stdlib/", "<kovn>/")
    assert expected in run.out
    assert "rendered trace:" in run.out


def test_a_variant_is_explored_once_for_all_its_properties(tmp_path):
    write(tmp_path, "counter.kovn", COUNTER)
    # the variants of a spec are explored side by side in forked processes: each exploration
    # is counted in a file
    write(tmp_path, "conftest.py", """
        import pathlib
        import checker.pytest_plugin as plugin
        log = pathlib.Path(__file__).with_name("explored.log")
        _explore = plugin.explore
        def counting(model, options):
            with log.open("a") as f:
                f.write(model.name + "\\n")
            return _explore(model, options)
        plugin.explore = counting
        def pytest_sessionfinish(session):
            calls = log.read_text().split() if log.exists() else []
            print("EXPLORED", sorted(calls))
    """)
    run = run_pytest(["-rA", "-s"], tmp_path)
    assert run.code == 0, run.out
    assert "EXPLORED ['counter:three', 'counter:two']" in run.out
    assert outcomes(run.out) == {
        "counter.kovn::three::Small": "PASSED", "counter.kovn::three::Bounded": "PASSED",
        "counter.kovn::three::Top": "PASSED",
        "counter.kovn::two::Small": "PASSED", "counter.kovn::two::Bounded": "PASSED",
        "counter.kovn::two::Top": "PASSED",
    }


def test_a_decided_property_without_an_item_fails_the_variant(tmp_path):
    # Simulates a plugin whose names drift from the engine's: the items that exist fail
    # instead of the missing one going unreported.
    write(tmp_path, "counter.kovn", COUNTER)
    write(tmp_path, "conftest.py", """
        import checker.pytest_plugin as plugin
        _names = plugin.property_names
        plugin.property_names = lambda variant, model, options: [
            n for n in _names(variant, model, options) if n != "Top"]
    """)
    run = run_pytest(["-rA", "-k", "two"], tmp_path)
    assert run.code == 1, run.out
    assert outcomes(run.out) == {"counter.kovn::two::Small": "FAILED", "counter.kovn::two::Bounded": "FAILED"}
    assert "the exploration of variant two decided Top, which no test item was collected for" in run.out


def test_constants_limits_and_k_selection(tmp_path):
    write(tmp_path, "counter.kovn", COUNTER)
    ok = run_pytest(["-rA", "-k", "two"], tmp_path)
    assert ok.code == 0, ok.out
    assert set(outcomes(ok.out)) == {"counter.kovn::two::Small", "counter.kovn::two::Bounded", "counter.kovn::two::Top"}
    # N=5 in every variant: `two` now reaches x = 3, so Small breaks there.
    big = run_pytest(["-rA", "-k", "two", "--kovn-const", "N=5"], tmp_path)
    assert big.code == 1, big.out
    assert outcomes(big.out)["counter.kovn::two::Small"] == "FAILED"
    assert "Small: expected to hold, but it is violated (4 states)" in big.out
    assert "  counterexample for Small (4 states):" in big.out
    # Stopped after 2 states: Top (x == 3) is undecided, so its item cannot pass.
    cut = run_pytest(["-rA", "-k", "three and Top", "--kovn-max-states", "2"], tmp_path)
    assert cut.code == 1, cut.out
    assert "Top: expected to hold, but it is undecided: the search stopped at max-states 2" in cut.out
    bad = run_pytest(["--kovn-const", "N"], tmp_path)
    assert bad.code == 4 and "--kovn-const" in bad.out and "Traceback" not in bad.out


def test_a_spec_with_errors_is_a_collection_error_with_its_diagnostics(tmp_path):
    write(tmp_path, "bad.kovn", """
        spec bad
        var x: 0..2
        init { x := 0 }
        invariant Small: y <= 1
    """)
    run = run_pytest([], tmp_path)
    assert run.code == 2, run.out
    assert "ERROR collecting bad.kovn" in run.out
    assert re.search(r"bad\.kovn:4:\d+: error\[KOV\d+\]", run.out), run.out
    assert "Traceback" not in run.out


def test_kovn_paths_limits_collection_and_kovn_slow_marks_items(tmp_path):
    write(tmp_path, "specs/counter.kovn", COUNTER)
    write(tmp_path, "fixtures/broken.kovn", "spec broken\nvar x: nope\n")
    write(tmp_path, "pytest.ini", """
        [pytest]
        kovn_paths = specs
        kovn_slow = specs/counter.kovn::two
    """)
    run = run_pytest(["--collect-only", "-q"], tmp_path)
    assert run.code == 0, run.out
    assert "fixtures/broken.kovn" not in run.out and "specs/counter.kovn::three::Small" in run.out
    named = run_pytest(["fixtures/broken.kovn", "--collect-only", "-q"], tmp_path)
    assert named.code == 2 and "ERROR collecting fixtures/broken.kovn" in named.out
    fast = run_pytest(["-rA", "-m", "not slow"], tmp_path)
    assert set(outcomes(fast.out)) == {"specs/counter.kovn::three::Small", "specs/counter.kovn::three::Bounded",
                                       "specs/counter.kovn::three::Top"}


def test_render_directory_renders_the_counterexample_of_a_failing_item(tmp_path):
    write(tmp_path, "counter.kovn", COUNTER)
    run = run_pytest(["-k", "two and Small", "--kovn-const", "N=5", "--kovn-render", "out"], tmp_path)
    assert run.code == 1, run.out
    shown = re.findall(r"^  rendered trace: (\S+)$", run.out, re.M)
    assert "out/counter/two-Small.html" in shown and "out/counter/two-Small.dot" in shown
    assert all((tmp_path / p).is_file() and (tmp_path / p).stat().st_size > 0 for p in shown)
    # The ITF trace (the format Apalache and Quint read) holds the counterexample's 4 states.
    itf = json.loads((tmp_path / "out/counter/two-Small.itf.json").read_text(encoding="utf-8"))
    assert [state["x"] for state in itf["states"]] == [{"#bigint": str(n)} for n in range(4)]
    # Passing items render nothing.
    assert sorted(p.name.split(".")[0] for p in (tmp_path / "out" / "counter").iterdir()) == \
        ["two-Small"] * len(list((tmp_path / "out" / "counter").iterdir()))


def test_render_directory_renders_the_trace_to_a_run_time_error(tmp_path):
    write(tmp_path, "div.kovn", """
        spec div
        var x: 0..3
        init { x := 0 }
        action Inc {
          require x < 3
          x := x + 1
        }
        invariant Finite: 10 / (2 - x) < 100
        allow deadlock
    """)
    run = run_pytest(["--kovn-render", "out"], tmp_path)
    assert run.code == 1, run.out
    shown = re.findall(r"^  rendered trace: (\S+)$", run.out, re.M)
    assert "out/div/default-error.html" in shown and "out/div/default-error.itf.json" in shown
    itf = json.loads((tmp_path / "out/div/default-error.itf.json").read_text(encoding="utf-8"))
    assert [state["x"] for state in itf["states"]] == [{"#bigint": str(n)} for n in range(3)]
    assert "division by zero" in json.dumps(itf["#meta"])


def _block(text: str, head: str) -> list[str]:
    """The line starting with `head` and the trace lines under it (indented 4 or more)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return lines[start:end]



def test_a_library_property_is_located_at_the_users_line(tmp_path, monkeypatch):
    # an item's file and line (its reportinfo, which pytest's JUnit file and failure header
    # show): for a property of the library, the spec's own line that brings it in
    import shutil
    from checker.pytest_plugin import property_line
    lib = ROOT / "tests" / "stdlib"
    shutil.copy(lib / "prelude.kovn", tmp_path / "prelude.kovn")
    text = (lib / "properties.kovn").read_text()
    (tmp_path / "props.kovn").write_text(text)
    monkeypatch.chdir(tmp_path)
    compiled, _ = api.compile_spec("props.kovn", lint=False)
    lines = text.split("\n")
    imported = next(n for n, line in enumerate(lines) if line == 'import "k8s_properties"')
    mention = next(n for n, line in enumerate(lines) if line.startswith("  expect violated AllocationsReleased"))
    own = next(n for n, line in enumerate(lines) if line.startswith("reachable AllGone"))
    got = {(v.name, p): property_line(m, v, p, tmp_path / "props.kovn")
           for v, m in compiled for p in ("AllocationsReleased", "AllGone")}
    assert got == {("sound", "AllocationsReleased"): imported, ("leaky", "AllocationsReleased"): mention,
                   ("stuck", "AllocationsReleased"): imported,
                   ("sound", "AllGone"): own, ("leaky", "AllGone"): own, ("stuck", "AllGone"): own}
