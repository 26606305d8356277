"""Text -> AST, and syntax errors -> Diagnostics.

Input: a `SourceFile`. Output: `ast.Spec` (parse) or `ast.Expr` (parse_expr, for values
given on the command line). Raises DiagnosticError for syntax errors; never a Lark exception.
"""
from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from checker import codes
from checker.diagnostics import Diagnostic, DiagnosticError, SourceFile, Span
from checker.syntax import ast
from checker.syntax.build_ast import build

_GRAMMAR = Path(__file__).with_name("kovn.lark")

_TERMINAL_WORDS = {"NAME": "a name", "INT": "an integer", "STRING": "a string"}


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    """The LALR parser. Building its tables takes about a second, most of a small check's
    start-up (docs/performance.md), so they are kept in the user's cache directory
    ($XDG_CACHE_HOME/kovn, else ~/.cache/kovn), keyed by the grammar and the versions,
    written atomically; any problem reading them means they are built again, and a
    directory that cannot be written means no cache."""
    text = _GRAMMAR.read_text()
    key = hashlib.sha256(f"{text}|{lark.__version__}|{sys.version_info[:2]}".encode()).hexdigest()[:20]
    cached = _cache_dir() / f"parser-{key}.lark"
    try:
        with cached.open("rb") as f:
            return lark.Lark.load(f)
    except Exception:  # noqa: BLE001 - missing, partial or stale: build it
        pass
    parser = lark.Lark(text, parser="lalr", propagate_positions=True,
                       start=["start", "expr"], maybe_placeholders=True)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            parser.save(f)
        os.replace(tmp, cached)
    except OSError:
        pass            # a read-only cache directory: no cache, same parser
    return parser


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kovn"


def parse(source: SourceFile) -> ast.Spec:
    return _parse(source, "start")


def parse_expr(source: SourceFile) -> ast.Expr:
    return _parse(source, "expr")


def _parse(source: SourceFile, start: str):
    try:
        tree = _parser().parse(source.text, start=start)
    except UnexpectedInput as exc:
        raise DiagnosticError([_diagnostic(source, exc)]) from None
    return build(tree, source)


def _describe(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for term in _parser().terminals:
        if term.name == name:
            pattern = term.pattern
            if isinstance(pattern, lark.lexer.PatternStr):
                return f"'{pattern.value}'"
            return name.lower()
    return name.lower()


_CLOSERS = ("'}'", "')'", "']'")


def _expected(names) -> str:
    # closing brackets first: a missing one is the usual cause, and the list is cut at 8
    words = sorted({_describe(n) for n in names if not n.startswith("$")},
                   key=lambda w: (w not in _CLOSERS, w))
    if len(words) > 8:
        words = words[:8] + ["..."]
    return ", ".join(words)


def _diagnostic(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    pos = getattr(exc, "pos_in_stream", None) or 0
    if isinstance(exc, UnexpectedCharacters):
        ch = source.text[pos] if pos < len(source.text) else "end of file"
        return Diagnostic(codes.UNEXPECTED_CHARACTER, f"unexpected character {ch!r}",
                          Span(source, pos, pos + 1))
    if isinstance(exc, UnexpectedEOF) or (
            isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        end = len(source.text.rstrip())
        return Diagnostic(codes.UNEXPECTED_EOF, "unexpected end of file",
                          Span(source, max(0, end - 1), end),
                          hint=f"expected {_expected(exc.expected)}")
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    start = tok.start_pos if tok.start_pos is not None else pos
    end = tok.end_pos if tok.end_pos is not None else start + 1
    return Diagnostic(codes.UNEXPECTED_TOKEN, f"unexpected {_show(tok)}",
                      Span(source, start, end), notes=(f"expected {_expected(exc.expected)}",),
                      hint=_hint(tok, exc.expected))


def _show(tok) -> str:
    if tok.type in _TERMINAL_WORDS:
        return f"{_TERMINAL_WORDS[tok.type][2:] if tok.type != 'INT' else 'integer'} '{tok}'"
    return f"'{tok}'"


def _hint(tok, expected) -> str | None:
    expected_words = {_describe(n) for n in expected}
    if str(tok) == "=" and "'=='" in expected_words:
        return "write '==' to compare and ':=' to assign"
    if str(tok) == "=" and "':='" in expected_words:
        return "assignments in actions are written 'x := value'"
    if str(tok) == ":=" and "'='" in expected_words:
        return "constants and variant settings are written 'NAME = value'"
    if str(tok) in ("&&", "||", "!"):
        return "boolean operators are written 'and', 'or', 'not'"
    return None
