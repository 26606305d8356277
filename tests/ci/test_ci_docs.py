"""docs/ci.md says what the plugin and the CI options really do.

- Its ```console transcripts are rerun: the pytest run on the ```kovn example (written to
  spec/counter.kovn in a temporary directory) and the baseline session on
  models/diehard.kovn (models/ copied there). Times, speeds and memory figures may differ.
  (The collected ids it lists are checked by test_pytest_plugin.py, which collects them.)
- Every plugin option and ini key, and every CI option of `check`, is documented there;
  the exit code it adds is exitcodes.BASELINE_CHANGED.
"""
from __future__ import annotations

import re
import shlex
import shutil

import pytest

from kovn_ci_helpers import BROKEN_SPEC, ROOT, run_cli, run_pytest

from checker.cli import build_parser
from checker.report import exitcodes

DOC = ROOT / "docs" / "ci.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)


def transcript(command_prefix: str) -> tuple[list[str], str]:
    """(the commands, the expected output) of the console block whose first command starts so."""
    for block in blocks("console"):
        lines = block.rstrip("\n").split("\n")
        if lines[0].startswith("$ " + command_prefix):
            commands = [line[2:] for line in lines if line.startswith("$ ")]
            output = "\n".join(line for line in lines if not line.startswith("$ "))
            return commands, output
    raise AssertionError(f"docs/ci.md has no transcript of `{command_prefix}`")


def normalise(text: str) -> str:
    text = re.sub(r"\d[\d,]*\.\d+ s \(parse [\d.]+, compile [\d.]+, search [\d,.]+ s: [\d,]+ states/s\), "
                  r"peak memory [\d,]+ MiB", "T s (R states/s), peak memory M MiB", text)
    return re.sub(r" in \d+\.\d+s", " in Ts", text).rstrip("\n")


def test_the_pytest_failure_transcript(tmp_path):
    (kovn,) = blocks("kovn")
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "counter.kovn").write_text(kovn, encoding="utf-8")
    (command,), output = transcript("pytest spec/counter.kovn")
    run = run_pytest(shlex.split(command)[1:], tmp_path)
    assert run.code == 1
    assert normalise(run.out) == normalise(output)


def test_the_baseline_transcript(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "models", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    (save, compare), output = transcript("check models/diehard.kovn --json")
    argv = shlex.split(save)
    assert argv[-2] == ">"
    saved = run_cli(argv[1:-2])
    assert saved.code == 0
    (tmp_path / argv[-1]).write_text(saved.out, encoding="utf-8")
    run = run_cli(shlex.split(compare)[1:])
    expected, code = output.rsplit("\n[exit ", 1)
    assert run.code == int(code.rstrip("]")) == exitcodes.BASELINE_CHANGED
    assert normalise(run.out + run.err) == normalise(expected)


@pytest.mark.parametrize("name", ["--kovn-const", "--kovn-max-states", "--kovn-max-depth", "--kovn-timeout",
                                  "--kovn-strict", "--kovn-render", "kovn_paths", "kovn_slow"])
def test_every_plugin_option_is_documented(name):
    assert f"`{name}" in DOC.read_text(encoding="utf-8")


def test_the_plugin_has_no_undocumented_option():
    from checker import pytest_plugin
    source = (ROOT / "checker" / "pytest_plugin.py").read_text(encoding="utf-8")
    options = set(re.findall(r'addoption\("(--kovn-[a-z-]+)"', source)) | set(re.findall(r'addini\("(\w+)"', source))
    assert options and pytest_plugin.__doc__
    text = DOC.read_text(encoding="utf-8")
    assert {o for o in options if f"`{o}" not in text} == set()


def test_every_ci_option_of_check_is_documented_and_exists():
    flags = {s for a in build_parser()._actions for s in a.option_strings}
    text = DOC.read_text(encoding="utf-8")
    for flag in ("--format", "--junit", "--sarif", "--baseline"):
        assert flag in flags and f"`{flag}" in text
    assert re.search(rf"^\| {exitcodes.BASELINE_CHANGED} \| every expectation was met", text, re.M)




def test_the_spec_error_transcript(tmp_path, monkeypatch):
    # the spec of the transcript, in a repository (the annotation's path is relative to it)
    (tmp_path / ".git").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "specs" / "broken.kovn").write_text(BROKEN_SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (command,), output = transcript("check specs/broken.kovn")
    run = run_cli(shlex.split(command)[1:])
    expected, code = output.rsplit("\n[exit ", 1)
    assert run.code == int(code.rstrip("]")) == exitcodes.SPEC_ERROR
    assert normalise(run.out + run.err) == normalise(expected)
    assert (tmp_path / "out" / "broken.xml").exists() and (tmp_path / "out" / "broken.sarif").exists()
