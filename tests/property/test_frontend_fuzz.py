"""Front-end robustness: mutants of the valid specs never crash the checker.

Input: the valid specs in models/ and spec/, mutated
at random: tokens or characters deleted, duplicated or swapped, keywords and operators
inserted, names replaced by undefined ones or by other names of the file, operators swapped,
numbers made huge or negative, lines dropped or repeated. Each mutant goes through
`check MUTANT --max-states 2000 --no-progress` in-process.
Output: whatever the mutant means, the exit code is never 255 (internal error) and nothing
prints a Python traceback: bad input must end in a diagnostic.

Deterministic (derandomize=True, no example database), so CI sees the same examples on every
run. When it fails, the mutant's text is in the assertion message.
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(list((ROOT / "models").glob("*.kovn")) + list((ROOT / "spec").glob("*.kovn")))
# The flagship spec is large (seconds per run): its mutants get few examples.
SMALL = [p for p in SEEDS if p.stat().st_size < 4000]
LARGE = [p for p in SEEDS if p not in SMALL]

TOKEN = re.compile(r"\s+|//[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\d+|:=|==|!=|<=|>=|=>|<=>|\.\.|\+\+|->|\S")
INSERTS = ["spec", "const", "type", "var", "def", "init", "action", "process", "invariant",
           "reachable", "constraint", "variant", "expect", "violated", "holds", "allow", "check",
           "deadlock", "properties", "none", "require", "choose", "let", "for", "in", "goto",
           "skip", "if", "then", "else", "match", "with", "forall", "exists", "not", "and",
           "or", "set", "map", "seq", "option", "int", "bool", "true", "false", "some", "get",
           "len", "min", "max", "keys", "append", "head", "tail", "last", "self", "import",
           "macro", ":=", "=", "==", "!=", "<", "<=", "..", "+", "-", "*", "/", "%", "|", "&",
           "=>", "<=>", "->", "'", ".", ",", ":", ";", "(", ")", "[", "]", "{", "}", "_", "\"",
           "0", "1", "-1", "x'", "{}", "[]", "@", "\n", "\"./x.kovn\""]
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "|", "&", "..", "in", "and",
             "or", "=>", "<=>", "++", ":=", "->", "with", "not"]
NUMBERS = ["0", "-1", "-7", "99999", "4097", "65536", "1000000", "10000000000", str(2 ** 64),
           str(10 ** 40)]


@st.composite
def mutants(draw, seeds: list[Path]) -> str:
    text = draw(st.sampled_from(seeds)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        text = mutate(text, draw)
    return text


def mutate(text: str, draw) -> str:
    tokens = TOKEN.findall(text)
    if not tokens:
        return text + draw(st.sampled_from(INSERTS))
    words = [i for i, t in enumerate(tokens) if not t.isspace() and not t.startswith("//")]
    i = draw(st.sampled_from(words)) if words else 0
    op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "rename", "alias", "operator",
                               "number", "char", "line"]))
    if op == "delete":
        del tokens[i]
    elif op == "duplicate":
        tokens.insert(i, tokens[i])
    elif op == "swap":
        j = words[min(words.index(i) + 1, len(words) - 1)]
        tokens[i], tokens[j] = tokens[j], tokens[i]
    elif op == "insert":
        tokens.insert(i, " " + draw(st.sampled_from(INSERTS)) + " ")
    elif op == "rename":
        names = [k for k in words if re.fullmatch(r"[A-Za-z_]\w*", tokens[k])]
        if names:
            tokens[draw(st.sampled_from(names))] = draw(st.sampled_from(["undefined_x", "Nope", "q9", "done"]))
    elif op == "alias":      # another name of the same file: well-formed, often ill-typed
        names = [k for k in words if re.fullmatch(r"[A-Za-z_]\w*", tokens[k])]
        if names:
            tokens[draw(st.sampled_from(names))] = tokens[draw(st.sampled_from(names))]
    elif op == "operator":
        ops = [k for k in words if tokens[k] in OPERATORS]
        if ops:
            tokens[draw(st.sampled_from(ops))] = draw(st.sampled_from(OPERATORS))
    elif op == "number":
        nums = [k for k in words if tokens[k].isdigit()]
        if nums:
            tokens[draw(st.sampled_from(nums))] = draw(st.sampled_from(NUMBERS))
    elif op == "char":
        out = "".join(tokens)
        if out:
            k = draw(st.integers(0, len(out) - 1))
            kind = draw(st.sampled_from(["drop", "double", "swap"]))
            if kind == "drop":
                return out[:k] + out[k + 1:]
            if kind == "double":
                return out[:k] + out[k] + out[k:]
            return out[:k] + out[k + 1:k + 2] + out[k:k + 1] + out[k + 2:]
        return out
    else:
        lines = text.splitlines(keepends=True)
        k = draw(st.integers(0, len(lines) - 1))
        return "".join(lines[:k] + (lines[k:k + 1] * 2 if draw(st.booleans()) else []) + lines[k + 1:])
    return "".join(tokens)


def run_mutant(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(path), "--max-states", "2000", "--no-progress"])
    shown = f"exit {code}\n--- mutant:\n{text}\n--- stderr:\n{err.getvalue()[-3000:]}"
    assert code != 255, shown
    assert "Traceback" not in err.getvalue(), shown
    assert code in (0, 1, 75, 150, 151, 152), shown


FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(FUZZ, max_examples=300)
@given(text=mutants(SMALL))
def test_mutants_of_small_specs_never_crash(workdir, text):
    run_mutant(workdir / "mutant.kovn", text)


@settings(FUZZ, max_examples=8)      # each well-formed mutant compiles twelve variants
@given(text=mutants(LARGE or SMALL))
@pytest.mark.slow   # the flagship's mutants
def test_mutants_of_the_flagship_spec_never_crash(workdir, text):
    run_mutant(workdir / "mutant.kovn", text)


def test_the_seeds_themselves_are_accepted(tmp_path):
    # The fuzzer's seeds are valid: an unmutated spec ends in a verdict, not a diagnostic.
    # (The flagship spec is checked in full by its own tests.)
    for seed in SMALL:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(seed), "--max-states", "2000", "--no-progress"])
        assert code in (0, 1, 152), (seed, err.getvalue())
