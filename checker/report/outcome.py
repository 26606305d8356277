"""How a `check` run ended, as every CI output reports it.

Input: the run's `api.Report` when a search ran; otherwise the diagnostics that stopped it
before one (a spec with errors, a command line naming an unknown variant) or why it stopped
(a limit before the search, an interrupt, a bug in kovn); its exit code; the rendered
artefacts. Output: an `Outcome`, which github.py, junit.py and sarif.py read, so the three
always say the same thing: the same failures at the same places, the same exit code and the
same one-line summary. Every run has one, so the files are written whatever happens.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import codes
from checker.diagnostics import Diagnostic, Severity, Span
from checker.report import exitcodes
from checker.report.places import report_path


@dataclass(frozen=True)
class Outcome:
    spec: str                                   # the checked spec, repository-relative
    code: int                                   # the exit code
    summary: str                                # one line: what the run found
    report: Any = None                          # api.Report; None: nothing was searched
    errors: tuple[Diagnostic, ...] = ()         # what stopped the run before any search
    warnings: tuple[Diagnostic, ...] = ()       # the front end's, when errors stopped the run
    strict: bool = False                        # --strict: unacknowledged warnings fail
    artefacts: dict[str, str] = field(default_factory=dict)   # render.file_stem -> the file to open

    @property
    def usage(self) -> bool:
        """The run stopped at a bad command line (not at the spec)."""
        return self.code == exitcodes.USAGE_ERROR

    @property
    def searched(self) -> bool:
        return self.report is not None


def of_report(report, code: int | None = None, strict: bool = False,
              artefacts: dict[str, str] | None = None) -> Outcome:
    """`code` defaults to what `check FILE` exits with for the report."""
    if code is None:
        code = exitcodes.for_expectations(report)
    return Outcome(report_path(report.spec), code, report_summary(report, code), report,
                   strict=strict, artefacts=dict(artefacts or {}))


def of_errors(spec: str, diagnostics, code: int) -> Outcome:
    """A run that the diagnostics stopped before any search (`code`: SPEC_ERROR, or
    USAGE_ERROR for a command-line mistake such as an unknown --variant)."""
    errors = tuple(d for d in diagnostics if d.is_error)
    warnings = tuple(d for d in diagnostics if d.severity is Severity.WARNING)
    n = len(errors)
    what = "bad command line" if code == exitcodes.USAGE_ERROR else "the spec has errors"
    first = errors[0].message if errors else ""
    summary = f"{what}: {n} error{'s' if n != 1 else ''}" + (f" ({first}{', ...' if n > 1 else ''})" if first else "")
    return Outcome(_spec(spec), code, summary, errors=errors, warnings=warnings)


def of_stop(spec: str, why: str, code: int) -> Outcome:
    """A run that ended without a report: a limit reached before the search, an interrupt
    before any variant was searched, a bug in kovn."""
    return Outcome(_spec(spec), code, why)


def _spec(spec: str) -> str:
    return report_path(spec) if spec and os.path.basename(spec) else spec


def report_summary(report, code: int) -> str:
    """The terminal report's last line, and what changed it (a limit, --strict, the baseline)."""
    n = len(report.results)
    met = sum(1 for r in report.results if r.expectation_met)
    line = (f"{met} of {n} variant{'s' if n != 1 else ''} met their expectations" if met == n
            else f"{n - met} of {n} variant{'s' if n != 1 else ''} did not meet their expectations")
    why = exitcodes.MEANING.get(code)
    return f"{line}; exit {code}" + (f": {why}" if why and code != exitcodes.OK else "")


def artefact_index(files) -> dict[str, str]:
    """The rendered files by stem, the one a reviewer opens first (HTML, else SVG, PNG, DOT)."""
    rank = {".html": 0, ".svg": 1, ".png": 2, ".dot": 3}
    best: dict[str, Path] = {}
    for f in map(Path, files):
        stem = f.name[:-len(".itf.json")] if f.name.endswith(".itf.json") else f.stem
        if f.suffix not in rank:
            continue
        if stem not in best or rank[f.suffix] < rank[best[stem].suffix]:
            best[stem] = f
    return {stem: _shown_file(f) for stem, f in best.items()}


def _shown_file(f: Path) -> str:
    """A rendered file as reports name it: as given when relative, else relative to the
    working directory when below it, else by name (no absolute paths in any report)."""
    if not f.is_absolute():
        return f.as_posix()
    try:
        return f.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return f.name


def runtime_errors(report) -> list[tuple[Any, Diagnostic]]:
    """(the variant's result, a KOV501 diagnostic) for every variant whose exploration failed
    to evaluate an expression (verdict ERROR), pointing at that expression; the trace to
    the failing state stays in the report."""
    out = []
    for r in report.results:
        failure = r.result.failure
        if failure is None:
            continue
        span = failure.origin if isinstance(failure.origin, Span) else None
        n = len(failure.trace) if failure.trace is not None else 0
        where = f"in state {n} of the trace" if n else "while computing the initial states"
        out.append((r, Diagnostic(codes.RUNTIME_ERROR, f"{failure.message} (variant '{r.variant.name}', {where})",
                                  span, hint="the report shows the trace to the state where it failed")))
    return out


def shared_warnings(report) -> list[tuple[Diagnostic, list[str]]]:
    """Each unacknowledged warning once, with the names of the variants that have it."""
    seen: dict = {}
    for r in report.results:
        for w in r.warnings:
            key = (w.code, w.message, w.span.path if w.span else None, w.span.start if w.span else None)
            seen.setdefault(key, (w, []))[1].append(r.variant.name)
    return list(seen.values())
