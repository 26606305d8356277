"""The parser tables are cached in the user's cache directory; a damaged or missing cache
only costs time, and a directory that cannot be written means no cache, not an error."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARSE = ("from checker.syntax.parser import parse; from checker.diagnostics import SourceFile; "
         "print(type(parse(SourceFile('x.kovn', 'var x: 0..1 = 0\\naction A { x := 1 }\\n'))).__name__)")


def run(cache: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", PARSE], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def test_tables_are_written_once_and_a_damaged_file_is_rebuilt(tmp_path):
    assert run(tmp_path) == "Spec"
    (table,) = (tmp_path / "kovn").glob("parser-*.lark")
    first = table.stat().st_mtime_ns
    assert run(tmp_path) == "Spec"
    assert table.stat().st_mtime_ns == first          # read, not rebuilt
    table.write_bytes(b"not a pickle")
    assert run(tmp_path) == "Spec"
    assert table.read_bytes() != b"not a pickle"      # rebuilt and written again


def test_an_unwritable_cache_directory_is_no_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would be")
    assert run(blocked) == "Spec"
