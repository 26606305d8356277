"""Files -> parsed specs: reads a spec and, depth first, the files it imports.

Input: a path. Output: the `ast.Spec` of every file (imports before importers, each once)
and the `SourceFile`s, or DiagnosticError (KOV0xx syntax, KOV9xx files). `import "k8s"`
names a file of the shipped library (checker/stdlib/k8s.kovn); `import "./x.kovn"` a file
relative to the importer.
"""
from __future__ import annotations

import os
from pathlib import Path

from checker import codes
from checker.diagnostics import Diagnostic, DiagnosticError, SourceFile, Span
from checker.syntax import ast
from checker.syntax.parser import parse

STDLIB = Path(__file__).with_name("stdlib")


def stdlib_dir() -> Path:
    """The shipped library, or KOVN_STDLIB (used by tests to check a deliberately broken one)."""
    override = os.environ.get("KOVN_STDLIB")
    return Path(override) if override else STDLIB


def read_source(path: str, library: str | None = None, imported_at: Span | None = None) -> SourceFile:
    """The file's text; `library` and `imported_at` as SourceFile keeps them."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")   # -sig: a leading BOM is not a character of the spec
    except FileNotFoundError:
        raise DiagnosticError([Diagnostic(codes.FILE_NOT_FOUND, f"no such file: {path}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DiagnosticError([Diagnostic(codes.FILE_NOT_FOUND, f"cannot read {path}: {exc}")]) from None
    return SourceFile(path, text, library=library, imported_at=imported_at)


def load(path: str) -> list[ast.Spec]:
    specs: list[ast.Spec] = []
    _load(read_source(path), specs, set(), [])
    return specs


def _shown(path: Path) -> str:
    """The path diagnostics and traces show: relative when under the working directory."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _resolve(imp: ast.Import, importer: SourceFile) -> Path:
    if imp.path.endswith(".kovn") or "/" in imp.path:
        return (Path(importer.path).parent / imp.path)
    return stdlib_dir() / f"{imp.path}.kovn"


def _load(source: SourceFile, out: list[ast.Spec], done: set[str], stack: list[str]) -> None:
    try:
        key = str(Path(source.path).resolve())
    except (RuntimeError, OSError):     # a symbolic link loop: the path itself is the key
        key = os.path.abspath(source.path)
    stack.append(key)
    spec = parse(source)
    errors: list[Diagnostic] = []
    for d in spec.decls:
        if not isinstance(d, ast.Import):
            continue
        target = _resolve(d, source)
        if target.suffix != ".kovn":
            # only spec files: a diagnostic about any other file would show its first line
            errors.append(Diagnostic(codes.FILE_NOT_FOUND, f"cannot import '{d.path}': not a .kovn file", d.span,
                                     hint="an imported file's name ends in .kovn"))
            continue
        try:
            tkey = str(target.resolve(strict=False))
        except (RuntimeError, OSError) as exc:      # a symbolic link loop, say
            errors.append(Diagnostic(codes.FILE_NOT_FOUND, f"cannot read imported file '{d.path}': "
                                     f"{getattr(exc, 'strerror', None) or exc}", d.span))
            continue
        if not tkey.endswith(".kovn"):      # a link to some other file
            errors.append(Diagnostic(codes.FILE_NOT_FOUND, f"cannot import '{d.path}': it leads to {tkey}, "
                                     "not a .kovn file", d.span, hint="an imported file's name ends in .kovn"))
            continue
        if tkey in stack:
            errors.append(Diagnostic(codes.IMPORT_CYCLE, f"import cycle through {d.path}", d.span))
            continue
        if tkey in done:
            continue
        if not _is_file(target):
            errors.append(Diagnostic(codes.FILE_NOT_FOUND, f"cannot find imported file '{d.path}'", d.span,
                                     hint=f"looked for {target}"))
            continue
        try:
            library = target.stem if Path(tkey).parent == stdlib_dir().resolve() else None
            _load(read_source(_shown(target), library, d.span), out, done, stack)
        except DiagnosticError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise DiagnosticError(errors)
    stack.pop()
    done.add(key)
    out.append(spec)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:             # a symbolic link loop (ELOOP), a name too long
        return False


def span_of(spec: ast.Spec) -> Span:
    return spec.span


def library_module(name: str) -> str | None:
    """The shipped library file that declares `name` (a type, member, variable, definition,
    macro, action, constant or property), for the hint of an undefined name: `import "k8s"`
    is the usual thing a new spec forgets."""
    return _library_index().get(name)


_INDEX: dict[str, dict[str, str]] = {}


def _library_index() -> dict[str, str]:
    root = stdlib_dir()
    key = str(root)
    if key not in _INDEX:
        index: dict[str, str] = {}
        for path in sorted(root.glob("*.kovn")):
            try:
                spec = parse(read_source(str(path)))
            except DiagnosticError:
                continue
            for d in spec.decls:
                name = getattr(d, "name", None)     # the declarations that have one
                names = [name] if isinstance(name, str) else []
                if isinstance(d, ast.TypeDecl) and isinstance(d.rhs, ast.SumType):
                    names += [tag for tag, _ in d.rhs.alts]
                for n in names:
                    index.setdefault(n, path.stem)
        _INDEX[key] = index
    return _INDEX[key]
