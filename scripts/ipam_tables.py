"""The generated tables of docs/ipam.md, from the checker's own results on spec/ipam.kovn.

    python scripts/ipam_tables.py           rewrite the generated sections of docs/ipam.md
    python scripts/ipam_tables.py --check   exit 1 (and show the difference) when they differ

Input: spec/ipam.kovn, checked by kovn: every variant, and `fixed` once without each of its
ingredients. Output: two Markdown tables, written between the markers
`<!-- BEGIN generated: NAME -->` and `<!-- END generated: NAME -->` of docs/ipam.md:
- `variants`: each variant (its comment in the spec), its distinct states and each
  property's outcome with the length of its shortest counterexample or witness;
- `ablation`: `fixed` with one of its ingredients (a flag it sets on top of master) turned
  off, the first property that then fails in the order of the search and its shortest
  counterexample.
tests/docs/test_ipam_tables.py fails when the document and the checker disagree.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "ipam.kovn"
DOC = ROOT / "docs" / "ipam.md"
ABLATED = "fixed"                   # the variant whose ingredients are taken away one by one
BASE = "master"                     # the variant it extends: its flags are not ingredients


@dataclass(frozen=True)
class Ablation:
    flag: str                       # the constant turned off
    comment: str                    # what it does (its comment in the spec)
    result: object                  # the CheckResult of `fixed` without it


# ---------------------------------------------------------------- spec text

def comments(spec_text: str) -> dict[str, str]:
    """The comment of each variant and constant: on its line, or the lines just above it."""
    out: dict[str, str] = {}
    lines = spec_text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"\s*(?:variant|const)\s+(\w+)", line)
        if not m:
            continue
        text = _trailing(line)
        j = i + 1
        while text and j < len(lines) and re.match(r"\s{20,}//", lines[j]):   # runs on below
            text += " " + lines[j].split("//", 1)[1].strip()
            j += 1
        if not text:
            above = []
            k = i - 1
            while k >= 0 and lines[k].strip().startswith("//"):
                above.insert(0, lines[k].strip()[2:].strip())
                k -= 1
            text = " ".join(above)
        out[m.group(1)] = text.strip()
    return out


def _trailing(line: str) -> str:
    return line.split("//", 1)[1].strip() if "//" in line else ""


# ---------------------------------------------------------------- tables

def _outcome(p) -> str:
    n = len(p.trace) if p.trace is not None else None
    if p.kind == "reachable":
        return f"reached ({n})" if p.status.value == "holds" else "never reached"
    if p.status.value == "violated":
        return f"**violated** ({n})"
    return p.status.value


def variant_table(results, spec_text: str, properties: list[str]) -> str:
    """One row per variant: its comment, its distinct states, every property's outcome."""
    notes = comments(spec_text)
    head = ["variant", "what it runs", "distinct states", *properties]
    rows = [head, ["---"] * len(head)]
    for vr in results:
        got = {p.name: p for p in vr.result.properties}
        cells = [f"`{vr.variant.name}`", notes.get(vr.variant.name, ""),
                 f"{vr.result.stats.distinct:,}"]
        cells += [_outcome(got[name]) if name in got else "–" for name in properties]
        if not vr.expectation_met:
            cells[0] += " (expectation NOT met)"
        rows.append(cells)
    return _markdown(rows)


def ablation_table(ablations: list[Ablation]) -> str:
    rows = [["`fixed` without", "what it does", "first property to fail", "shortest counterexample"],
            ["---"] * 4]
    for a in ablations:
        bad = [p for p in a.result.properties if p.status.value == "violated"]
        if bad:
            p = bad[0]
            rows.append([f"`{a.flag}`", a.comment, p.name, f"{len(p.trace)} states"])
        else:
            rows.append([f"`{a.flag}`", a.comment, "none: every property still holds", "–"])
    return _markdown(rows)


def _markdown(rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows)


def property_names(spec_text: str) -> list[str]:
    """The spec's properties, in the order they are declared."""
    return re.findall(r"^(?:invariant|action property|reachable|temporal)\s+(\w+)", spec_text, re.M)


# ---------------------------------------------------------------- running the checker

def ingredients(compiled) -> list[str]:
    """The flags that `fixed` turns on besides those of the variant it extends (master):
    what it adds to upstream."""
    from checker.syntax import ast
    by_name = {variant.name: variant for variant, _ in compiled}
    if ABLATED not in by_name:
        raise SystemExit(f"spec/ipam.kovn has no variant {ABLATED}")
    base = by_name.get(BASE)
    inherited = base.overrides if base is not None else {}
    return [name for name, e in by_name[ABLATED].overrides.items()
            if isinstance(e, ast.BoolLit) and e.value and name not in inherited]


def ablation_runs(flags: list[str], jobs: int) -> list:
    """`fixed` without each flag, stopping at the first violation (a shortest one)."""
    from checker import api
    from checker.engine import CheckOptions, explore
    from checker.variants import explore_variants
    models = []
    for flag in flags:
        consts = api.parse_consts([f"{flag}=false"])
        (_, model), = api.compile_spec(str(SPEC), consts, [ABLATED], lint=False)[0]
        models.append(model)
    return explore_variants(models, CheckOptions(stop_on_violation=True), jobs, explore)


def sections(results, ablations: list[Ablation]) -> dict[str, str]:
    text = SPEC.read_text()
    return {"variants": variant_table(results, text, property_names(text)),
            "ablation": ablation_table(ablations)}


def collect(jobs: int):
    """Every variant's result and every ablation, as the checker finds them."""
    from checker import api
    report = api.check(str(SPEC), jobs=jobs)
    compiled, _ = api.compile_spec(str(SPEC), None, [ABLATED, BASE], lint=False)
    flags = ingredients(compiled)
    notes = comments(SPEC.read_text())
    runs = ablation_runs(flags, jobs)
    return report.results, [Ablation(f, notes.get(f, ""), r) for f, r in zip(flags, runs)]


# ---------------------------------------------------------------- the document

def rewrite(doc: str, generated: dict[str, str]) -> str:
    for name, body in generated.items():
        begin, end = f"<!-- BEGIN generated: {name} -->", f"<!-- END generated: {name} -->"
        if begin not in doc or end not in doc:
            raise SystemExit(f"docs/ipam.md lacks the markers of the generated section '{name}'")
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        doc = f"{head}{begin}\n{body}\n{end}{tail}"
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/ipam.md differs")
    parser.add_argument("--jobs", type=int, default=None, help="variants checked at once")
    args = parser.parse_args(argv)
    from checker.variants import cpus
    results, ablations = collect(args.jobs or cpus())
    doc = DOC.read_text()
    new = rewrite(doc, sections(results, ablations))
    if args.check:
        if new != doc:
            sys.stdout.writelines(difflib.unified_diff(doc.splitlines(True), new.splitlines(True),
                                                       "docs/ipam.md", "generated"))
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
