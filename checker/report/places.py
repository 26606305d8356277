"""Spec locations as a forge shows them: repository-relative paths, the user's lines.

Input: spans (checker.diagnostics.Span) and, for properties, the variant that checks them.
Output: `Place` values for the CI outputs (GitHub annotations, JUnit, SARIF):

- A file of the user's is named relative to its source root (`%SRCROOT%` in SARIF): the
  repository that holds it (the nearest folder above it with a `.git`), else the working
  directory when the file lies below it, else the file's own folder. Never an absolute
  path: a report is read on another machine, and the forge resolves paths against the
  checkout.
- A file of the shipped library (checker/stdlib) is named by its file name under the base
  `KOVN_STDLIB` (shown as `<kovn>/k8s.kovn`): it is not in the user's repository, and its
  absolute path is wherever kovn happens to be installed.
- `user_span`: a property or an expression declared in the library is reported at the
  user's line that brought it in: where the variant names the property (`expect violated`,
  `properties`), else the `import` in the user's files that led to the library file. The
  library location then goes with it as related information.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from checker.diagnostics import Span

SRCROOT = "%SRCROOT%"
STDLIB = "KOVN_STDLIB"


@dataclass(frozen=True, slots=True)
class Place:
    """A spec location: `path` relative to `base` (forward slashes), 1-based line and column
    of the start and of the end."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    base: str = SRCROOT

    @property
    def shown(self) -> str:
        """The path as text shows it: a library file as `<kovn>/NAME.kovn`."""
        return self.path if self.base == SRCROOT else f"<kovn>/{self.path}"

    @property
    def in_library(self) -> bool:
        return self.base == STDLIB

    def text(self) -> str:
        return f"{self.shown}:{self.line}"


def place(origin) -> Place | None:
    """A span as a `Place`; None for any other origin (Location.of)."""
    if not isinstance(origin, Span):
        return None
    line, col = origin.source.line_col(origin.start)
    end_line, end_col = origin.source.line_col(origin.end)
    if (end_line, end_col) <= (line, col):
        end_line, end_col = line, col + 1
    if origin.source.library is not None:
        return Place(Path(origin.source.path).name, line, col, end_line, end_col, STDLIB)
    return Place(report_path(origin.path), line, col, end_line, end_col)


def shown_origin(origin) -> str:
    """`path:line` of a span as reports show it (`<kovn>/k8s.kovn:168` in the library)."""
    p = place(origin)
    return p.text() if p is not None else ""


def report_path(path: str) -> str:
    """`path` relative to its source root (module docstring), with forward slashes."""
    p = Path(os.path.abspath(path))
    root = _source_root(str(p.parent))
    return Path(os.path.relpath(p, root)).as_posix()


@functools.lru_cache(maxsize=256)
def _source_root(folder: str) -> str:
    here = Path(folder)
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return str(d)
    cwd = Path.cwd()
    if here == cwd or cwd in here.parents:
        return str(cwd)
    return folder


def in_library(span) -> bool:
    return isinstance(span, Span) and span.source.library is not None


def user_span(span, variant=None, name: str | None = None):
    """`span` if it lies in the user's files; for one in the library, where `variant` names
    the property `name`, else the import in the user's files that brought the library file
    in (None if there is none: the checked file is itself a library file)."""
    if not in_library(span):
        return span
    if variant is not None and name is not None:
        for mentioned, at in getattr(variant, "mentions", ()):
            if mentioned == name and not in_library(at):
                return at
    source, seen = span.source, set()
    while source.library is not None and source.imported_at is not None and id(source) not in seen:
        seen.add(id(source))
        at = source.imported_at
        if not in_library(at):
            return at
        source = at.source
    return None
