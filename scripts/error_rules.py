#!/usr/bin/env python3
"""docs/errors.md -> checker/report/rules.json: the help of each diagnostic code, shipped
with the package for the SARIF log's rules (`check --sarif`).

Input: docs/errors.md, whose entries are `### KOVnnn: title`, a description, examples and a
`**Fix**:` paragraph. Output: {code: {"title", "description", "fix"}} as JSON, each text in
Markdown as the doc writes it. The package cannot read docs/ once installed, hence the copy;
tests/ci/test_error_rules.py fails when the copy and the doc differ. Run it after editing
docs/errors.md:

    python scripts/error_rules.py
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "errors.md"
OUT = ROOT / "checker" / "report" / "rules.json"

_ENTRY = re.compile(r"^### (KOV\d{3}): (.+)$", re.M)


def rules(text: str) -> dict[str, dict[str, str]]:
    out = {}
    starts = list(_ENTRY.finditer(text))
    for m, nxt in zip(starts, starts[1:] + [None]):
        end = nxt.start() if nxt is not None else len(text)
        section = text[m.end():end]
        section = section[:_next_heading(section)]
        out[m.group(1)] = {"title": m.group(2).strip(), "description": _description(section),
                           "fix": _fix(section)}
    return out


def _next_heading(section: str) -> int:
    m = re.search(r"^##? ", section, re.M)
    return m.start() if m else len(section)


def _description(section: str) -> str:
    """The paragraphs before the first example (a code fence)."""
    head = section.split("```", 1)[0]
    return _paragraphs(head)


def _fix(section: str) -> str:
    m = re.search(r"^\*\*Fix\*\*:?\s*(.*?)(?:\n\s*\n|\Z)", section, re.M | re.S)
    return " ".join(m.group(1).split()) if m else ""


def _paragraphs(text: str) -> str:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    # lines of one paragraph joined; list items kept on their own lines
    return "\n\n".join("\n".join(" ".join(item.split()) for item in re.split(r"\n(?=- )", p)) for p in paras)


def render(text: str) -> str:
    return json.dumps(rules(text), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    OUT.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
