"""The README's transcripts of `check spec/ipam.kovn` point at the right lines.

The README shows (abridged) output of the flagship: property lines (`NAME  kind  ...
spec/ipam.kovn:LINE`) and trace steps (`Process.label(...)  spec/ipam.kovn:LINE`, `Action(...)
FILE:LINE`). Whenever the spec changes, those lines must still name what the README says
they name, or the README shows a transcript that kovn no longer prints.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _line(path: str, n: int) -> str:
    return (ROOT / path).read_text(encoding="utf-8").split("\n")[n - 1]


def test_property_lines_name_their_property():
    found = re.findall(r"^\s{4}(\w+)\s+(?:invariant|action|reachable|liveness)\s.*?(spec/ipam\.kovn):(\d+)$",
                       README, re.M)
    assert found
    for name, path, n in found:
        assert re.match(rf"(invariant|action property|reachable|temporal) {name}\b", _line(path, int(n))), \
            (name, n, _line(path, int(n)))


def test_trace_steps_name_their_step():
    found = re.findall(r"^\s+\d+\s+([\w.]+)\([^)]*\)\s+((?:spec|checker)/[\w/]+\.kovn):(\d+)$", README, re.M)
    assert found
    for step, path, n in found:
        line = _line(path, int(n)).strip()
        if "." in step:          # a process step: its label
            assert line == step.split(".")[1] + ":", (step, n, line)
        else:                    # an action
            assert line.startswith(f"action {step}"), (step, n, line)
