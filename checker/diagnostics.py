"""Diagnostics: the one type every user-facing problem becomes.

Input: spans (character offsets into a `SourceFile`) and messages from any stage.
Output: `Diagnostic` values, and their rendering as text

    spec/x.kovn:3:7: error[KOV101]: name 'foo' is not defined
      3 | var x: foo
        |        ^^^
      = hint: ...

Offsets are kept internally; lines and columns are computed only when printing.
"""
from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass, field
from pathlib import PurePath


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A named text; the unit that spans point into."""

    path: str
    text: str
    _line_starts: tuple[int, ...] = field(default=(), compare=False, repr=False)
    # set by the loader: the name of a file of the shipped library (`import "k8s"`: "k8s"),
    # and the import that first brought the file in, so that reports can point at the
    # user's line rather than into the library (checker/report/places.py)
    library: str | None = field(default=None, compare=False)
    imported_at: "Span | None" = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                starts.append(i + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]


@dataclass(frozen=True, slots=True)
class Span:
    """A range of characters [start, end) in a source file."""

    source: SourceFile = field(repr=False)
    start: int
    end: int
    # where a macro's code was inlined: (the call as written, its span), innermost first;
    # not part of the location (two spans of the same text compare equal)
    via: tuple[tuple[str, "Span"], ...] = field(default=(), compare=False, repr=False)

    @property
    def path(self) -> str:
        """The file's name as shown (control characters escaped: see `printable`)."""
        return printable(self.source.path)

    @property
    def line(self) -> int:
        return self.source.line_col(self.start)[0]

    @property
    def col(self) -> int:
        return self.source.line_col(self.start)[1]

    def location(self) -> str:
        """`path:line:col` (Location.text)."""
        return where(self, col=True)

    def text(self) -> str:
        return self.source.text[self.start:self.end]

    def to(self, other: "Span") -> "Span":
        """The span from the start of this one to the end of `other`."""
        return Span(self.source, self.start, max(self.end, other.end))

    def called_from(self, call: str, site: "Span") -> "Span":
        """This span, inside a macro inlined by `call` (as written) at `site`."""
        return Span(self.source, self.start, self.end, self.via + ((call, site),))


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is written in a spec, as the reports and pictures name it.

    Every origin the front end makes is a Span; the engine keeps origins opaque, and a model
    written in Python may use anything (or None): those have no location (`of` gives None).
    One type, one formatter (`text`), for every place that shows where a step, a property or
    an error is written; the CI reports name files relative to the repository instead
    (checker/report/places.py)."""

    path: str       # the file, as the diagnostics show it
    line: int
    col: int

    @staticmethod
    def of(origin: object) -> "Location | None":
        if not isinstance(origin, Span):
            return None
        line, col = origin.source.line_col(origin.start)
        return Location(origin.path, line, col)

    def text(self, col: bool = False, file_only: bool = False) -> str:
        """`path:line`; with `col`, `path:line:col`; with `file_only`, the file's name
        without its folders."""
        path = PurePath(self.path).name if file_only else self.path
        return f"{path}:{self.line}:{self.col}" if col else f"{path}:{self.line}"


def where(origin: object, col: bool = False, file_only: bool = False) -> str:
    """The location of `origin` as text (Location.text), or "" when it has none."""
    loc = Location.of(origin)
    return loc.text(col, file_only) if loc is not None else ""


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    severity: Severity = Severity.ERROR
    labels: tuple[tuple[Span, str], ...] = ()
    notes: tuple[str, ...] = ()
    hint: str | None = None
    # warnings: the names a variant acknowledges it by (`acknowledge vacuous Inv`): the
    # property, action or process step it is about
    subjects: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class DiagnosticError(Exception):
    """Carries the diagnostics of a stage to the pipeline boundary (api.py).

    Stages collect every problem they find and raise this once, at the end, so that a user
    sees all errors of a stage together; only api.py catches it.
    """

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("; ".join(d.message for d in self.diagnostics))


MAX_SHOWN = 25


def render(diag: Diagnostic) -> str:
    """One diagnostic as text: location, code, message, source line, carets, notes."""
    head = f"{diag.severity.value}[{diag.code}]: {diag.message}"
    if diag.span is None:
        lines = [f"kovn: {head}"]
    else:
        lines = [f"{diag.span.location()}: {head}"]
        lines += _excerpt(diag.span, "")
    for span, label in diag.labels:
        lines.append(f"  note: {label} at {span.location()}")
        lines += _excerpt(span, label)
    for note in call_notes(diag.span):
        lines.append(f"  = note: {note}")
    for note in diag.notes:
        lines.append(f"  = note: {note}")
    if diag.hint:
        lines.append(f"  = hint: {diag.hint}")
    return "\n".join(lines)


def call_notes(span: "Span | None") -> list[str]:
    """`in delete(c), called from db.kovn:106:5`: the macro calls that brought a library
    line into the user's spec, innermost first."""
    if span is None:
        return []
    return [f"in {printable(call)}, called from {site.location()}" for call, site in span.via]


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F]}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
for _c in range(0x80, 0xA0):    # C1 controls (a terminal may act on them too)
    _CONTROL[_c] = f"\\x{_c:02x}"


def printable(text: str) -> str:
    """`text` (a file name, say) safe to print in a line of output: control characters
    escaped, so a crafted name cannot end a line early (and start a `::error` line of its
    own) or send escape sequences to the terminal."""
    return text.translate(_CONTROL)


_WIDE = 120     # a longer source line is shown around the caret only


def _excerpt(span: Span, label: str) -> list[str]:
    line, col = span.source.line_col(span.start)
    text = printable(span.source.line_text(line).replace("\t", " "))
    end_line, end_col = span.source.line_col(max(span.start, span.end - 1))
    width = (end_col - col + 1) if end_line == line and span.end > span.start else 1
    width = max(1, min(width, len(text) - col + 1 if len(text) >= col else 1))
    if len(text) > _WIDE:
        start = max(0, min(col - 1 - _WIDE // 3, len(text) - _WIDE))
        shown = text[start:start + _WIDE]
        text = ("..." if start else "") + shown + ("..." if start + _WIDE < len(text) else "")
        col = col - start + (3 if start else 0)
        width = max(1, min(width, _WIDE - (col - 1 - (3 if start else 0))))
    gutter = " " * len(str(line))
    return [
        f"  {line} | {text}",
        f"  {gutter} | {' ' * (col - 1)}{'^' * width}{' ' + label if label else ''}",
    ]


def render_all(diags: list[Diagnostic] | tuple[Diagnostic, ...]) -> str:
    """Every diagnostic (errors first, in source order), capped, with a summary line."""
    ordered = sorted(diags, key=_sort_key)
    shown = ordered[:MAX_SHOWN]
    parts = [render(d) for d in shown]
    if len(ordered) > MAX_SHOWN:
        parts.append(f"... and {len(ordered) - MAX_SHOWN} more")
    errors = sum(1 for d in diags if d.is_error)
    warnings = sum(1 for d in diags if d.severity is Severity.WARNING)
    summary = []
    if errors:
        summary.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        summary.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if summary:
        parts.append(", ".join(summary))
    return "\n".join(parts)


def _sort_key(d: Diagnostic) -> tuple:
    sev = 0 if d.is_error else 1
    if d.span is None:
        return (sev, "", 0, d.code)
    return (sev, d.span.path, d.span.start, d.code)


def dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats (the same problem found while checking several variants)."""
    seen: set[tuple] = set()
    out = []
    for d in diags:
        key = (d.code, d.message, d.span.path if d.span else None, d.span.start if d.span else None)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
