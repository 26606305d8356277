"""Text -> AST, and syntax errors -> Diagnostics.

Input: a `SourceFile`. Output: `ast.Spec` (parse) or `ast.Expr` (parse_expr, for values
given on the command line). Raises DiagnosticError for syntax errors; never a Lark exception.

Both the parser's tables and the ASTs of files parsed before are kept in the user's cache
(checker/cache.py): a file seen before is read back without loading Lark at all, which is
most of a small check's start-up (docs/performance.md).
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import os
import pickle
import sys
from pathlib import Path

from checker import cache, codes
from checker.diagnostics import Diagnostic, DiagnosticError, SourceFile, Span
from checker.syntax import ast

_GRAMMAR = Path(__file__).with_name("kovn.lark")

_TERMINAL_WORDS = {"NAME": "a name", "INT": "an integer", "STRING": "a string"}


@functools.lru_cache(maxsize=1)
def _parser():
    """The LALR parser. Building its tables takes about a second, so they are cached
    (checker/cache.py), keyed by the grammar and the versions; an unreadable entry is
    built again."""
    import lark
    text = _GRAMMAR.read_text()
    key = hashlib.sha256(f"{text}|{lark.__version__}|{sys.version_info[:2]}".encode()).hexdigest()[:20]
    saved = cache.read("parser", key)
    if saved is not None:
        try:
            loaded = lark.Lark.load(io.BytesIO(saved))
            if isinstance(loaded, lark.Lark):
                return loaded
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - partial or stale: build it
            pass
    parser = lark.Lark(text, parser="lalr", propagate_positions=True,
                       start=["start", "expr"], maybe_placeholders=True)
    out = io.BytesIO()
    parser.save(out)
    cache.write("parser", key, out.getvalue())
    return parser


@functools.lru_cache(maxsize=1)
def keywords() -> frozenset[str]:
    """The words the grammar reserves (`in`, `match`, `none`, ...): read from the grammar,
    so the list never drifts from it."""
    import re
    return frozenset(re.findall(r'"([A-Za-z_][A-Za-z_0-9]*)"', _GRAMMAR.read_text())) - {"_"}


def parse(source: SourceFile) -> ast.Spec:
    return _parse(source, "start")


def parse_expr(source: SourceFile) -> ast.Expr:
    return _parse(source, "expr")


def _parse(source: SourceFile, start: str):
    key = _parsed_key(source, start)
    hit = _read_parsed(key, source, ast.Spec if start == "start" else ast.Expr)
    if hit is not None:
        return hit
    from lark.exceptions import UnexpectedInput

    from checker.syntax.build_ast import build
    try:
        tree = _parser().parse(source.text, start=start)
    except UnexpectedInput as exc:
        raise DiagnosticError([_diagnostic(source, exc)]) from None
    tree = _within_limits(tree, source)
    result = build(tree, source)
    _write_parsed(key, source, result)
    return result


# ---------------------------------------------------------------- what the later stages can take

MAX_NESTING = 100       # levels of a parse tree (real specs: under 20)
MAX_DIGITS = 4300       # of an integer literal (Python's own limit on decimal text)
_CHAINS = ("or_expr", "and_expr")       # associative, evaluated left to right either way


def _within_limits(tree, source: SourceFile):
    """The parse tree, with long `or` / `and` chains rebalanced, if it is within the
    limits of the later stages; otherwise DiagnosticError: KOV004 for nesting deeper than
    MAX_NESTING (the front end and the generated code recurse, Python's own compiler too),
    KOV005 for a literal longer than MAX_DIGITS. Iterative: any depth is looked at safely."""
    from lark import Token, Tree
    tree = _balance_chains(tree)
    errors: list[Diagnostic] = []
    deepest = None
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING and deepest is None:
            deepest = node
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
            elif isinstance(child, Token) and child.type == "INT" and len(child) > MAX_DIGITS:
                start, end = child.start_pos, child.end_pos
                assert start is not None and end is not None    # the lexer places every token
                errors.append(Diagnostic(codes.LITERAL_TOO_LONG,
                                         f"an integer literal of {len(child):,} digits (at most {MAX_DIGITS:,})",
                                         Span(source, start, end)))
    if deepest is not None:
        meta = deepest.meta
        start = 0 if getattr(meta, "empty", True) else meta.start_pos
        end = start + 1 if getattr(meta, "empty", True) else meta.end_pos
        errors.append(Diagnostic(codes.NESTED_TOO_DEEP,
                                 f"nested more than {MAX_NESTING} levels deep",
                                 Span(source, start, min(end, start + 80)),
                                 hint="name the inner parts with `def` or `let`, or split the expression"))
    if errors:
        raise DiagnosticError(errors[:10])
    return tree


def _balance_chains(tree):
    """`a or b or c or ...` parses as a left-leaning chain, as deep as it is long; a chain
    of more than a few terms becomes a balanced tree of the same terms in the same order
    (and/or are associative, and evaluated left to right either way), log2(n) deep."""
    from lark import Tree
    stack = [tree]
    while stack:
        node = stack.pop()
        for i, child in enumerate(node.children):
            if isinstance(child, Tree) and child.data in _CHAINS:
                terms = _chain_terms(child)
                if len(terms) > 4:
                    child = node.children[i] = _balanced(child.data, terms)
            if isinstance(child, Tree):
                stack.append(child)
    return tree


def _chain_terms(node) -> list:
    from lark import Tree
    terms = []
    while isinstance(node, Tree) and node.data in _CHAINS and len(node.children) == 2:
        terms.append(node.children[1])
        op, node = node.data, node.children[0]
        if not (isinstance(node, Tree) and node.data == op):
            break
    terms.append(node)
    terms.reverse()
    return terms


def _balanced(op: str, terms: list):
    from lark import Tree
    from lark.tree import Meta
    if len(terms) == 1:
        return terms[0]
    mid = len(terms) // 2
    left, right = _balanced(op, terms[:mid]), _balanced(op, terms[mid:])
    meta = Meta()
    first, last = left.meta, right.meta
    if not getattr(first, "empty", True) and not getattr(last, "empty", True):
        meta.empty = False
        meta.start_pos, meta.end_pos = first.start_pos, last.end_pos
        meta.line, meta.column = first.line, first.column
        meta.end_line, meta.end_column = last.end_line, last.end_column
    return Tree(op, [left, right], meta)


# ---------------------------------------------------------------- parsed files, cached

@functools.lru_cache(maxsize=1)
def _parsing_code() -> bytes:
    """What a parse result depends on besides the text: the grammar, the code that builds
    and defines the AST (a changed node class must not meet an old pickle), Lark's installed
    files and the Python version."""
    h = hashlib.sha256(repr(sys.version_info).encode())
    here = Path(__file__).parent
    for f in (_GRAMMAR, here / "ast.py", here / "build_ast.py", Path(__file__), here.parent / "diagnostics.py"):
        h.update(f.read_bytes())
    spec = importlib.util.find_spec("lark")
    origin = spec.origin if spec is not None and spec.origin else ""
    st = os.stat(origin) if origin else None
    h.update(f"{origin}|{st.st_mtime_ns if st else 0}|{st.st_size if st else 0}".encode())
    return h.digest()


def _parsed_key(source: SourceFile, start: str) -> str:
    h = hashlib.sha256(_parsing_code())
    h.update(f"{start}|{source.path}|".encode())
    h.update(source.text.encode())
    return h.hexdigest()[:32]


class _Pickler(pickle.Pickler):
    """The source file is not stored: spans point to the caller's SourceFile again."""

    def __init__(self, f, source: SourceFile):
        super().__init__(f, protocol=pickle.HIGHEST_PROTOCOL)
        self.source = source

    def persistent_id(self, obj):
        return "source" if obj is self.source else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, source: SourceFile):
        super().__init__(f)
        self.source = source

    def persistent_load(self, pid):
        if pid != "source":
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self.source


def _read_parsed(key: str, source: SourceFile, want: type):
    """The cached parse of `source` (signed by this user's kovn: checker/cache.py), if it
    reads back as a `want`; anything else is parsed again."""
    data = cache.read("parsed", key)
    if data is None:
        return None
    try:
        result = _Unpickler(io.BytesIO(data), source).load()
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - damaged or from other code: parse again
        return None
    return result if isinstance(result, want) else None


def _write_parsed(key: str, source: SourceFile, result) -> None:
    out = io.BytesIO()
    try:
        _Pickler(out, source).dump(result)
    except (RecursionError, pickle.PicklingError):
        return          # a very deeply nested expression: parse it every time
    cache.write("parsed", key, out.getvalue())


def _describe(name: str) -> str:
    from lark.lexer import PatternStr
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for term in _parser().terminals:
        if term.name == name:
            pattern = term.pattern
            if isinstance(pattern, PatternStr):
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


def _diagnostic(source: SourceFile, exc) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
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
    if str(tok) in keywords() and "a name" in expected_words:
        return f"'{tok}' is a keyword and cannot be used as a name: choose another name"
    return None
