"""checker/compile/codecache.py: a large generated source is compiled once, then its code
object is read back from kovn's cache (checker/cache.py); small ones are not kept."""
from __future__ import annotations

import pytest

from checker.compile import codecache

# a generated-looking module above the size threshold
LARGE = "def f(x):\n    y = 0\n" + "".join(f"    y += x * {i}\n" for i in range(3000)) + "    return y\n"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KOVN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("KOVN_CACHE", raising=False)
    return tmp_path


def run(code) -> int:
    ns: dict = {}
    exec(code, ns)
    return ns["f"](2)


def entries(cache_dir) -> list:
    folder = cache_dir / codecache.KIND
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_large_source_is_compiled_once_then_read_back(cache_dir, monkeypatch):
    assert len(LARGE) >= codecache.MIN_CHARS
    first = codecache.compiled(LARGE, "<kovn t search>")
    assert len(entries(cache_dir)) == 1
    assert run(first) == 2 * sum(range(3000))

    def no_compile(*args, **kw):
        raise AssertionError("compiled again instead of read from the cache")
    monkeypatch.setattr(codecache, "compile", no_compile, raising=False)
    again = codecache.compiled(LARGE, "<kovn t search>")
    assert again == first and again.co_filename == "<kovn t search>"
    assert run(again) == run(first)
    # another file name (another spec's code) or another source is another entry
    monkeypatch.undo()
    monkeypatch.setenv("KOVN_CACHE_DIR", str(cache_dir))
    assert codecache.compiled(LARGE, "<kovn u search>").co_filename == "<kovn u search>"
    codecache.compiled(LARGE + "\n", "<kovn t search>")
    assert len(entries(cache_dir)) == 3


def test_small_sources_errors_and_a_disabled_cache_keep_nothing(cache_dir, monkeypatch):
    assert run(codecache.compiled("def f(x):\n    return x\n", "<kovn t>")) == 2
    with pytest.raises(SyntaxError):
        codecache.compiled(LARGE + "    return (\n", "<kovn t>")
    assert entries(cache_dir) == []
    monkeypatch.setenv("KOVN_CACHE", "0")
    codecache.compiled(LARGE, "<kovn t>")
    assert entries(cache_dir) == []


def test_a_damaged_entry_is_compiled_again(cache_dir):
    codecache.compiled(LARGE, "<kovn t>")
    (entry,) = entries(cache_dir)
    entry.write_bytes(entry.read_bytes()[:-10])     # the signature no longer matches
    assert run(codecache.compiled(LARGE, "<kovn t>")) == 2 * sum(range(3000))
