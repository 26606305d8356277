"""The documentation is checked against the checker: every example in it must do what it says.

- docs/language.md: a ```kovn spec block is a complete spec: `check` must exit 0 on it (every
  variant meets its expectation), or the code written in the fence (```kovn spec exit=12
  --variant buggy runs `check example.kovn --variant buggy` and expects exit 12). A plain
  ```kovn block is a fragment: it must parse as declarations, as statements (inside an
  action), as an expression, as a type, or as one expression per line.
- docs/errors.md: one `### KOVnnn` section per code in checker/codes.py. Each example is one
  or more ```kovn blocks (written to example.kovn, or to the file named in the fence:
  ```kovn file=lib.kovn) followed by a ```console transcript; running the transcript's
  command must report exactly that section's code, with exactly the text shown (and the
  codes listed in the fence, ```console also=KOV601, when a second one comes with it).
  A section that says "Not produced by this version" has no example, and the code must
  really be unused in checker/.
- docs/cli.md (and the transcripts of language.md): every ```console transcript is rerun
  and must print what it shows, apart from the timings and memory figures.
- docs/examples/*.kovn: each must pass `check` (exit 0).
- Cross-checks: the codes of errors.md are exactly those of checker/codes.py; every option
  of `check --help` appears in docs/cli.md; the exit-code table of cli.md matches
  checker/report/exitcodes.py.

Commands run in-process (checker.cli.main), with stdout and stderr captured together in the
order a terminal would show them.
"""
from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker import codes
from checker.cli import build_parser, main as cli_main
from checker.diagnostics import DiagnosticError, SourceFile
from checker.report import exitcodes
from checker.syntax.parser import parse, parse_expr

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LANGUAGE = DOCS / "language.md"
ERRORS = DOCS / "errors.md"
CLI = DOCS / "cli.md"
EXAMPLES = sorted((DOCS / "examples").glob("*.kovn"))

NOT_PRODUCED = "Not produced by this version"


# ---------------------------------------------------------------- reading markdown

@dataclass(frozen=True)
class Block:
    info: str           # the fence's info string: "kovn spec exit=1", "console", ...
    body: str
    line: int           # 1-based line of the opening fence
    doc: str

    @property
    def lang(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def words(self) -> list[str]:
        return shlex.split(self.info)[1:]

    def where(self) -> str:
        return f"{self.doc}:{self.line}"


_FENCE = re.compile(r"^```(.*)$")


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a markdown file, in order."""
    out: list[Block] = []
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i] != "```":
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"{path.name}:{start + 1}: unclosed code fence"
        out.append(Block(m.group(1).strip(), "\n".join(body) + "\n", start + 1, path.name))
        i += 1
    return out


def sections(path: Path, level: str = "###") -> dict[str, str]:
    """Heading text -> the markdown below it, up to the next heading of that level or above."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(rf"^({level} .*)$", text, flags=re.M)
    out = {}
    for head, body in zip(parts[1::2], parts[2::2]):
        body = re.split(r"^#{1,%d} " % len(level), body, flags=re.M)[0]
        out[head[len(level) + 1:].strip()] = body
    return out


# ---------------------------------------------------------------- running the checker

@dataclass(frozen=True)
class Run:
    code: int
    output: str


def run_check(argv: list[str], cwd: Path, monkeypatch) -> Run:
    """`check ARGV` in-process from `cwd`; stdout and stderr interleaved as on a terminal."""
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("COLUMNS", "80")          # argparse wraps --help to the terminal width
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            code = cli_main(argv)
        except SystemExit as exc:                # --help and --version exit through argparse
            code = exc.code if isinstance(exc.code, int) else 0
    return Run(code, buf.getvalue())


_STATS = re.compile(r"\d[\d,]*\.\d+ s \(parse [\d.]+, compile [\d.]+, search [\d,.]+ s: [\d,]+ states/s\), "
                    r"peak memory [\d,]+ MiB")
_JSON_FIGURES = re.compile(r'("(?:seconds|parse_seconds|compile_seconds|search_seconds|states_per_second|'
                           r'peak_rss_bytes|liveness_seconds)": )[\d.e+-]+')
_LIVENESS_TIME = re.compile(r"(liveness_seconds: )[\d.e+-]+")


def normalise(text: str) -> str:
    """Blank out what changes from run to run (time, speed, memory) and trailing spaces."""
    text = _STATS.sub("<time>", text)
    text = _JSON_FIGURES.sub(r"\1<n>", text)
    text = _LIVENESS_TIME.sub(r"\1<n>", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


@dataclass(frozen=True)
class Transcript:
    argv: list[str]
    expected: str
    exit_code: int


def transcript(block: Block) -> Transcript:
    lines = block.body.rstrip("\n").split("\n")
    assert lines[0].startswith("$ check"), f"{block.where()}: a transcript starts with `$ check ...`"
    m = re.fullmatch(r"\[exit (\d+)\]", lines[-1])
    assert m, f"{block.where()}: a transcript ends with `[exit N]`"
    return Transcript(shlex.split(lines[0][len("$ check"):]), "\n".join(lines[1:-1]), int(m.group(1)))


def write_files(kovn_blocks: list[Block], directory: Path) -> None:
    for b in kovn_blocks:
        name = next((w[len("file="):] for w in b.words if w.startswith("file=")), "example.kovn")
        (directory / name).write_text(b.body, encoding="utf-8")


def examples(path: Path) -> list[tuple[list[Block], Block]]:
    """(the ```kovn blocks just before it, the ```console block) for every transcript."""
    out, pending = [], []
    for b in blocks(path):
        if b.lang == "kovn":
            pending.append(b)
        elif b.lang == "console":
            out.append((pending, b))
            pending = []
        else:
            pending = []
    return out


def replay(files: list[Block], console: Block, tmp_path: Path, monkeypatch) -> Run:
    """Run a transcript: in a scratch directory holding its files, or at the repository root
    (for commands on models/ and spec/)."""
    t = transcript(console)
    cwd = ROOT
    if files:
        write_files(files, tmp_path)
        cwd = tmp_path
    run = run_check(t.argv, cwd, monkeypatch)
    shown = f"{console.where()}: $ check {' '.join(t.argv)}\n--- actual output:\n{run.output}"
    assert normalise(run.output) == normalise(t.expected), shown
    assert run.code == t.exit_code, shown
    return run


def _id(b: Block) -> str:
    return b.where()


# ---------------------------------------------------------------- language.md

def _language_blocks() -> list[Block]:
    return [b for b in blocks(LANGUAGE) if b.lang == "kovn"] if LANGUAGE.exists() else []


SPECS = [b for b in _language_blocks() if "spec" in b.words]
FRAGMENTS = [b for b in _language_blocks() if "spec" not in b.words]


def test_language_md_has_examples():
    assert LANGUAGE.exists()
    assert len(SPECS) >= 10 and len(FRAGMENTS) >= 10


@pytest.mark.parametrize("block", SPECS, ids=_id)
def test_language_spec_example_checks(block: Block, tmp_path, monkeypatch):
    """A complete spec of language.md meets its expectation under `check`. The blocks that
    name a file (```kovn file=lib.kovn) are written beside it, for its imports."""
    write_files([b for b in _language_blocks() if any(w.startswith("file=") for w in b.words)], tmp_path)
    write_files([block], tmp_path)
    want, args = 0, []
    for w in block.words[1:]:
        if w.startswith("exit="):
            want = int(w[len("exit="):])
        elif not w.startswith("file="):
            args.append(w)
    run = run_check(["example.kovn", "--no-progress", *args], tmp_path, monkeypatch)
    assert run.code == want, f"{block.where()}: exit {run.code}, expected {want}\n{run.output}"


def _parses(text: str) -> bool:
    wrappings = [
        (parse, "{}"),                           # declarations
        (parse, "action Doc_ {{\n{}\n}}"),       # statements
        (parse_expr, "{}"),                      # an expression
        (parse, "type Doc_ = {}"),               # a type
    ]
    for fn, template in wrappings:
        try:
            fn(SourceFile("doc", template.format(text)))
            return True
        except DiagnosticError:
            continue
    lines = [line for line in text.split("\n") if line.strip()]
    try:                                         # several expressions, one per line
        for line in lines:
            parse_expr(SourceFile("doc", line))
        return bool(lines)
    except DiagnosticError:
        return False


@pytest.mark.parametrize("block", FRAGMENTS, ids=_id)
def test_language_fragment_parses(block: Block):
    assert _parses(block.body), f"{block.where()}: the fragment parses neither as declarations, " \
                                f"statements, an expression nor a type:\n{block.body}"


@pytest.mark.parametrize("files,console", examples(LANGUAGE) if LANGUAGE.exists() else [],
                         ids=lambda x: x.where() if isinstance(x, Block) else "")
def test_language_transcripts(files, console, tmp_path, monkeypatch):
    replay(files, console, tmp_path, monkeypatch)


# ---------------------------------------------------------------- errors.md

def _error_sections() -> dict[str, str]:
    if not ERRORS.exists():
        return {}
    out = {}
    for head, body in sections(ERRORS).items():
        m = re.match(r"(KOV\d{3})\b", head)
        if m:
            out[m.group(1)] = body
    return out


ERROR_SECTIONS = _error_sections()


def test_every_code_is_documented_and_every_documented_code_exists():
    documented = set(ERROR_SECTIONS)
    declared = set(codes.DOCS)
    assert declared - documented == set(), "codes.py has codes that docs/errors.md lacks"
    assert documented - declared == set(), "docs/errors.md documents codes codes.py does not have"
    mentioned = set(re.findall(r"KOV\d{3}", ERRORS.read_text(encoding="utf-8")))
    assert mentioned <= declared, f"errors.md mentions unknown codes: {sorted(mentioned - declared)}"


def _section_examples(code: str, tmp: Path) -> list[tuple[list[Block], Block]]:
    md = tmp / f"{code}.md"
    md.write_text(ERROR_SECTIONS[code], encoding="utf-8")
    return examples(md)


@pytest.mark.parametrize("code", sorted(ERROR_SECTIONS))
def test_error_example_produces_its_code(code: str, tmp_path, monkeypatch):
    body = ERROR_SECTIONS[code]
    found = _section_examples(code, tmp_path)
    if NOT_PRODUCED in body:
        assert not found, f"{code}: a section without an example has none"
        return
    assert found, f"{code}: errors.md has no example (a ```kovn block and a ```console transcript)"
    assert "**Fix**" in body, f"{code}: errors.md does not say how to fix it"
    for i, (files, console) in enumerate(found):
        work = tmp_path / f"example{i}"
        work.mkdir()
        run = replay(files, console, work, monkeypatch)
        shown = set(re.findall(r"(?:error|warning)\[(KOV\d{3})\]", run.output))
        also = {w[len("also="):] for w in console.words if w.startswith("also=")}
        assert shown == {code} | also, f"{code}: example {i + 1} reports {sorted(shown)}"


@pytest.mark.parametrize("code", sorted(c for c, body in ERROR_SECTIONS.items() if NOT_PRODUCED in body))
def test_codes_said_unproduced_are_unused(code: str):
    """A section may say a code is not produced only while no checker module uses it."""
    name = next(n for n, v in vars(codes).items() if v == code and n.isupper() and n != "DOCS")
    users = [p for p in (ROOT / "checker").rglob("*.py")
             if p.name != "codes.py" and re.search(rf"\bcodes\.{name}\b|{code}", p.read_text(encoding="utf-8"))]
    assert not users, f"{code} ({name}) is used by {[str(p.relative_to(ROOT)) for p in users]}: document it"


# ---------------------------------------------------------------- cli.md

@pytest.mark.parametrize("files,console", examples(CLI) if CLI.exists() else [],
                         ids=lambda x: x.where() if isinstance(x, Block) else "")
def test_cli_transcripts(files, console, tmp_path, monkeypatch):
    replay(files, console, tmp_path, monkeypatch)


def test_every_option_of_check_is_documented():
    text = CLI.read_text(encoding="utf-8")
    options = [o for a in build_parser()._actions for o in a.option_strings]
    assert options
    missing = [o for o in options if not re.search(rf"`{re.escape(o)}\b", text)]
    assert not missing, f"docs/cli.md does not document {missing}"


def test_exit_code_table_matches_exitcodes():
    text = CLI.read_text(encoding="utf-8")
    table = {int(m) for m in re.findall(r"^\| (\d+) \|", text, flags=re.M)}
    declared = {v for n, v in vars(exitcodes).items() if n.isupper() and isinstance(v, int)}
    literal = {int(m) for m in re.findall(r"return (\d+)\b", (ROOT / "checker" / "cli.py").read_text())}
    assert declared <= table, f"cli.md's table lacks {sorted(declared - table)}"
    assert table <= declared | literal, f"cli.md's table has codes the CLI never returns: " \
                                        f"{sorted(table - declared - literal)}"


# ---------------------------------------------------------------- docs/examples and ADRs

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_file_checks(path: Path, monkeypatch):
    run = run_check([str(path), "--no-progress"], ROOT, monkeypatch)
    assert run.code == 0, run.output


def test_there_are_example_files():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("number", [f"{i:04d}" for i in range(1, 7)])
def test_adr_exists_with_its_parts(number: str):
    found = sorted((DOCS / "adr").glob(f"{number}-*.md"))
    assert len(found) == 1, f"expected one docs/adr/{number}-*.md"
    text = found[0].read_text(encoding="utf-8")
    for part in ("## Context", "## Decision", "## Consequences"):
        assert part in text, f"{found[0].name} lacks {part}"
