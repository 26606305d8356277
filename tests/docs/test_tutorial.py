"""docs/tutorial.md is executed from its first block to its last, as a reader would.

The tutorial grows one file in a scratch directory: a ```kovn file=NAME block writes NAME,
a ```kovn append=NAME block adds to its end, and a ```diff file=NAME block changes it (lines
starting with `-` are replaced by those starting with `+`; lines starting with a space are
context, kept). Every ```console transcript then runs `check` in that directory and must
print what it shows (timings and memory blanked out, as in test_docs.py) and exit as shown.
kovn's library is copied into the scratch directory as checker/stdlib (KOVN_STDLIB), so that
its lines are named `checker/stdlib/k8s.kovn:206` there as in a checkout, on any machine.

`pytest --update-golden` rewrites the transcripts with what `check` prints now: review the
diff of docs/tutorial.md before committing it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.loader import STDLIB
from test_docs import DOCS, Block, blocks, normalise, run_check, transcript

TUTORIAL = DOCS / "tutorial.md"


def apply_diff(text: str, diff: str, where: str) -> str:
    """`text` with the diff's `-` lines (and its context) replaced by its `+` lines (and
    the same context): the one place the `-` and context lines appear together, in order."""
    old, new = [], []
    for line in diff.rstrip("\n").split("\n"):
        tag, body = line[:1], line[1:]
        assert tag in ("-", "+", " "), f"{where}: a diff line starts with '-', '+' or ' ': {line!r}"
        if tag in ("-", " "):
            old.append(body)
        if tag in ("+", " "):
            new.append(body)
    before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
    assert text.count(before) == 1, f"{where}: the lines to change are not (once) in the file:\n{before}"
    return text.replace(before, after)


def replay(tmp_path: Path, monkeypatch, update: bool = False) -> list[tuple[Block, str, int]]:
    """Every block in order; for each transcript (block, the output, the exit code)."""
    lib = tmp_path / "checker" / "stdlib"
    shutil.copytree(STDLIB, lib)
    monkeypatch.setenv("KOVN_STDLIB", "checker/stdlib")
    runs = []
    for b in blocks(TUTORIAL):
        target = next((w.split("=", 1) for w in b.words if "=" in w), None)
        if b.lang == "kovn" and target is not None:
            path = tmp_path / target[1]
            if target[0] == "file":
                path.write_text(b.body, encoding="utf-8")
            elif target[0] == "append":
                path.write_text(path.read_text(encoding="utf-8") + b.body, encoding="utf-8")
        elif b.lang == "diff" and target is not None:
            path = tmp_path / target[1]
            path.write_text(apply_diff(path.read_text(encoding="utf-8"), b.body, b.where()), encoding="utf-8")
        elif b.lang == "console":
            t = transcript(b)
            run = run_check(t.argv, tmp_path, monkeypatch)
            runs.append((b, run.output, run.code))
            if not update:
                shown = f"{b.where()}: $ check {' '.join(t.argv)}\n--- actual output:\n{run.output}"
                assert normalise(run.output) == normalise(t.expected), shown
                assert run.code == t.exit_code, shown
    return runs


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory, request):
    """The tutorial replayed once for the module: (its transcripts' runs, the scratch
    directory). With --update-golden the transcripts are rewritten instead of compared."""
    update = bool(request.config.getoption("--update-golden"))
    tmp = tmp_path_factory.mktemp("tutorial")
    with pytest.MonkeyPatch.context() as mp:
        runs = replay(tmp, mp, update=update)
    if update:
        text = TUTORIAL.read_text(encoding="utf-8").split("\n")
        for b, output, code in reversed(runs):
            first = text[b.line].strip()          # `$ check ...`
            end = b.line + len(b.body.rstrip("\n").split("\n"))
            body = [first] + [line.rstrip() for line in output.strip("\n").split("\n")] + [f"[exit {code}]"]
            text[b.line:end] = body
        TUTORIAL.write_text("\n".join(text), encoding="utf-8")
    return runs, tmp


def test_tutorial_runs_as_written(tutorial):
    runs, _ = tutorial
    assert len(runs) >= 5, "the tutorial shows at least five runs of check"


def test_the_tutorial_finds_the_bug_and_its_fix(tutorial):
    """What the tutorial is for: a counterexample on the way, and at the end every variant
    meeting its expectation (one of them expecting the bug)."""
    runs, tmp = tutorial
    outputs = [out for _, out, _ in runs]
    assert any("counterexample for NoLeftovers" in out for out in outputs)
    final, code = runs[-1][1], runs[-1][2]
    assert code == 0 and "met their expectations" in final and "did not" not in final
    assert "expect violated" in (tmp / "db.kovn").read_text()
