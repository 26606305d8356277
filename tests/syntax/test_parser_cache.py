"""The cache of parser tables and parsed files (checker/cache.py, checker/syntax/parser.py):
a file parsed before is read back without Lark, equal to a fresh parse and pointing into the
caller's source; any change of the text is a miss; a damaged or missing cache only costs
time; a directory that cannot be written means no cache, not an error."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from checker import cache
from checker.diagnostics import SourceFile
from checker.syntax import parser

ROOT = Path(__file__).resolve().parents[2]
TEXT = "var x: 0..1 = 0\naction A { x := 1 }\n"
PARSE = ("import sys; from checker.syntax.parser import parse; from checker.diagnostics import SourceFile; "
         f"spec = parse(SourceFile('x.kovn', {TEXT!r})); "
         "print(type(spec).__name__, 'lark' in sys.modules)")


def run(env_extra: dict) -> str:
    env = {**os.environ, **env_extra}
    env.pop("KOVN_CACHE", None)
    env.pop("KOVN_CACHE_DIR", None)
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", PARSE], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def test_tables_and_files_are_written_once_then_read_without_lark(tmp_path):
    assert run({"XDG_CACHE_HOME": str(tmp_path)}) == "Spec True"
    (table,) = (tmp_path / "kovn" / "parser").iterdir()
    (parsed,) = (tmp_path / "kovn" / "parsed").iterdir()
    assert run({"XDG_CACHE_HOME": str(tmp_path)}) == "Spec False"     # no Lark at all
    table.write_bytes(b"not a pickle")
    parsed.write_bytes(b"not a pickle either")
    assert run({"XDG_CACHE_HOME": str(tmp_path)}) == "Spec True"      # parsed again...
    assert parsed.read_bytes() != b"not a pickle either"              # ...and written again
    assert run({"XDG_CACHE_HOME": str(tmp_path)}) == "Spec False"


def test_an_unwritable_or_disabled_cache_is_no_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would be")
    assert run({"KOVN_CACHE_DIR": str(blocked)}) == "Spec True"
    assert run({"KOVN_CACHE_DIR": str(tmp_path / "off"), "KOVN_CACHE": "0"}) == "Spec True"
    assert not (tmp_path / "off").exists()


def test_a_cached_parse_equals_a_fresh_one_and_points_into_the_callers_source(tmp_path, monkeypatch):
    monkeypatch.setenv("KOVN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("KOVN_CACHE", raising=False)
    first = parser.parse(SourceFile("a.kovn", TEXT))
    again_source = SourceFile("a.kovn", TEXT)
    monkeypatch.setattr(parser, "_parser", lambda: 1 / 0)      # a parse now would fail
    again = parser.parse(again_source)            # from the cache
    monkeypatch.undo()
    monkeypatch.setenv("KOVN_CACHE_DIR", str(tmp_path))
    assert again == first
    assert again.decls[1].span.source is again_source
    assert again.decls[1].span.text() == "action A { x := 1 }"
    # any change of the text or of the path is another entry
    parser.parse(SourceFile("a.kovn", TEXT + "// a comment\n"))
    parser.parse(SourceFile("b.kovn", TEXT))
    assert len(list((tmp_path / "parsed").iterdir())) == 3


def test_the_cache_keeps_a_bounded_number_of_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("KOVN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("KOVN_CACHE", raising=False)
    monkeypatch.setattr(cache, "MAX_ENTRIES", 8)
    for i in range(30):
        cache.write("parsed", f"k{i:02}", b"x")
    left = sorted(p.name for p in (tmp_path / "parsed").iterdir())
    assert 6 <= len(left) <= 8
    assert "k29" in left and "k00" not in left
    assert cache.read("parsed", "k29") == b"x"
