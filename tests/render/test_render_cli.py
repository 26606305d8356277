"""`check --render DIR`: which files are written, what the messages say, and the flags."""
from __future__ import annotations

import json

import pytest

from checker.render import graphviz
from render_helpers import SPECS

needs_dot = pytest.mark.skipif(not graphviz.available(), reason="the graphviz `dot` program is not installed")

PNG = b"\x89PNG\r\n\x1a\n"


def _names(path):
    return sorted(p.name for p in path.iterdir())


@needs_dot
def test_ipam_v1_12_writes_every_format_for_no_orphan_ip(kovn, root, tmp_path):
    out = tmp_path / "out"
    # NoOrphanIP's counterexample is 10 states long: a search to depth 12 finds the same one
    # (breadth first) in a second instead of the whole variant's twenty
    run = kovn.cli([root / "spec" / "ipam.kovn", "--variant", "v1_12", "--max-depth", "12",
                    "--render", out, "--no-progress"])
    assert run.code == 12, run.err           # a safety violation
    for ext in (".dot", ".svg", ".png", ".html", ".itf.json"):
        f = out / f"v1_12-NoOrphanIP{ext}"
        assert f.exists() and f.stat().st_size > 1000, f
        assert str(f) in run.err
    assert (out / "v1_12-NoOrphanIP.png").read_bytes()[:8] == PNG
    svg = (out / "v1_12-NoOrphanIP.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "NoOrphanIP violated" in svg
    html = (out / "v1_12-NoOrphanIP.html").read_text(encoding="utf-8")
    assert "<svg" in html and "No picture" not in html
    assert json.loads((out / "v1_12-NoOrphanIP.itf.json").read_text(encoding="utf-8"))["states"]


@needs_dot
def test_render_format_chooses_the_files(kovn, tmp_path):
    out = tmp_path / "o"
    run = kovn.cli([SPECS / "stale.kovn", "--render", out, "--render-format", "dot,itf", "--no-progress"])
    assert run.code == 0, run.err
    assert _names(out) == ["buggy-NoFinalizerWhileDeleting.dot", "buggy-NoFinalizerWhileDeleting.itf.json"]


def test_without_dot_the_rest_is_written_and_the_message_says_how_to_install(kovn, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))        # no `dot` anywhere on PATH
    assert not graphviz.available()
    out = tmp_path / "o"
    run = kovn.cli([SPECS / "stale.kovn", "--render", out, "--no-progress"])
    assert run.code == 0, run.err
    assert _names(out) == ["buggy-NoFinalizerWhileDeleting.dot", "buggy-NoFinalizerWhileDeleting.html",
                           "buggy-NoFinalizerWhileDeleting.itf.json"]
    assert "apt-get install graphviz" in run.err
    assert run.err.count("apt-get install graphviz") == 1       # said once, not per file
    html = (out / "buggy-NoFinalizerWhileDeleting.html").read_text(encoding="utf-8")
    assert "<svg" not in html and 'id="no-picture"' in html and "apt-get install graphviz" in html
    assert 'id="step-list"' in html


@needs_dot
def test_state_graph_is_drawn_for_a_small_spec(kovn, tmp_path):
    out = tmp_path / "o"
    run = kovn.cli([SPECS / "counter.kovn", "--render", out, "--state-graph", "--no-progress"])
    assert run.code == 0, run.err
    names = _names(out)
    assert {"racy-NoLostUpdate.states.dot", "racy-NoLostUpdate.states.svg",
            "racy-NoLostUpdate.states.png"} <= set(names)
    dot_text = (out / "racy-NoLostUpdate.states.dot").read_text(encoding="utf-8")
    assert "13 reachable states" in dot_text
    assert dot_text.count('penwidth=2.4') == 4                   # the 4 steps of the counterexample


def test_state_graph_is_refused_above_the_limit(kovn, tmp_path):
    out = tmp_path / "o"
    run = kovn.cli([SPECS / "counter.kovn", "--render", out, "--render-format", "dot", "--state-graph",
                    "--max-graph-states", "5", "--no-progress"])
    assert run.code == 0, run.err
    assert "more than 5 reachable states" in run.err and "--max-graph-states" in run.err
    assert _names(out) == ["racy-NoLostUpdate.dot"]


@pytest.mark.parametrize("argv,message", [
    (["--state-graph"], "--state-graph needs --render DIR"),
    (["--render-format", "svg"], "--render-format needs --render DIR"),
    (["--render", "x", "--render-format", "svg,gif"], "unknown format gif"),
    (["--render", "x", "--max-graph-states", "0"], "at least 1"),
])
def test_bad_render_flags_are_usage_errors(kovn, argv, message):
    run = kovn.cli([SPECS / "stale.kovn", *argv])
    assert run.code == 151
    assert message in run.err


def test_nothing_to_render_is_said(kovn, tmp_path, root):
    out = tmp_path / "o"
    run = kovn.cli([root / "models" / "diehard.kovn", "--variant", "space", "--render", out, "--no-progress"])
    assert run.code == 0, run.err
    assert "no counterexample" in run.err


def test_json_output_stays_pure_json(kovn, tmp_path):
    out = tmp_path / "o"
    run = kovn.cli([SPECS / "stale.kovn", "--render", out, "--render-format", "dot", "--json", "--no-progress"])
    json.loads(run.out)                                          # messages went to stderr
    assert "rendered 1 files" in run.err


def test_unwritable_directory_is_reported(kovn, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = kovn.cli([SPECS / "stale.kovn", "--render", blocker / "sub", "--render-format", "dot", "--no-progress"])
    assert run.code == 151
    assert "cannot write" in run.err
