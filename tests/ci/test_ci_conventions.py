"""The files teams expect next to a CI tool (docs/ci.md): `action.yml` (a composite GitHub
Action), `.pre-commit-hooks.yaml` and the GitLab CI template `gitlab/kovn.gitlab-ci.yml`.
Each is validated against its published JSON schema, bundled in tests/ci/schemas (no
network), and the validators are shown to reject a broken copy; the commands they run are
kovn's own (the pre-commit entry point, the `check` options)."""
from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from checker import precommit
from checker.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).with_name("schemas")

FILES = {
    "action.yml": "github-action.json",
    ".pre-commit-hooks.yaml": "pre-commit-hooks.json",
    "gitlab/kovn.gitlab-ci.yml": "gitlab-ci.json",
}


def load(name: str):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def errors(doc, schema_name: str) -> list[str]:
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    return [f"{list(e.absolute_path)}: {e.message}" for e in Draft7Validator(schema).iter_errors(doc)]


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_validates_against_its_schema(name):
    assert errors(load(name), FILES[name]) == []


def test_the_schemas_reject_broken_files():
    action = copy.deepcopy(load("action.yml"))
    del action["runs"]["using"]
    assert errors(action, FILES["action.yml"])
    hooks = copy.deepcopy(load(".pre-commit-hooks.yaml"))
    del hooks[0]["entry"]
    assert errors(hooks, FILES[".pre-commit-hooks.yaml"])
    gitlab = copy.deepcopy(load("gitlab/kovn.gitlab-ci.yml"))
    gitlab["kovn"]["artifacts"]["when"] = "sometimes"
    assert errors(gitlab, FILES["gitlab/kovn.gitlab-ci.yml"])


def test_the_pre_commit_entry_is_a_console_script_of_kovn():
    (hook,) = load(".pre-commit-hooks.yaml")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[hook["entry"]] == "checker.precommit:run"
    assert hook["files"] == r"\.kovn$"


def test_the_options_the_templates_pass_to_check_exist():
    known = {o for a in build_parser()._actions for o in a.option_strings}
    action = (ROOT / "action.yml").read_text()
    gitlab = (ROOT / "gitlab/kovn.gitlab-ci.yml").read_text()
    for text in (action, gitlab):
        used = {w for line in text.splitlines() if "check \"$spec\"" in line or line.strip().startswith("--")
                for w in line.replace("\\", " ").split() if w.startswith("--")}
        assert used and used <= known, used - known
    for opt in load(".pre-commit-hooks.yaml")[0]["args"]:
        assert opt in known


GOOD = "var x: 0..2 = 0\naction Inc { require x < 2\n x := x + 1 }\nallow deadlock\n"
BAD = "var x: 0..2 = 0\naction Inc { x := y }\n"


def test_the_hook_checks_each_file_and_exits_with_the_worst_code(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("good.kovn").write_text(GOOD)
    Path("bad.kovn").write_text(BAD)
    assert precommit.main(["--no-progress", "good.kovn"]) == 0
    assert precommit.main(["--no-progress", "good.kovn", "bad.kovn"]) == 150
    out = capsys.readouterr()
    assert "good variant default: OK" in out.out and "bad.kovn:2:19: error[KOV101]" in out.err


def test_the_action_fails_its_job_only_after_uploading():
    steps = load("action.yml")["runs"]["steps"]
    names = [s.get("name", s.get("uses")) for s in steps]
    upload = names.index("Upload the reports and rendered traces")
    fail = names.index("Fail when a spec did not meet its expectations")
    assert upload < fail and steps[upload]["if"].startswith("always()")
    check = next(s for s in steps if s.get("id") == "check")
    # the step itself never fails (its exit code is an output), so the upload always runs
    assert "|| code=$?" in check["run"] and "--format github" in check["run"]
    # inputs reach the scripts through the environment, never spliced into the script
    for s in steps:
        assert "${{ inputs." not in s.get("run", "")
