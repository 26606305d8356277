"""The parsed-file cache (checker/cache.py) loads pickles, so it must load only what this
user's kovn wrote: entries are signed with a private per-user key (issue 20)."""
from __future__ import annotations

import os
import pickle
import stat

import pytest

from checker import cache
from checker.diagnostics import SourceFile
from checker.syntax import parser


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KOVN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KOVN_CACHE", "1")
    return tmp_path / "cache"


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_an_entry_round_trips_and_the_key_is_private(cache_dir):
    cache.write("parsed", "k", b"data")
    assert cache.read("parsed", "k") == b"data"
    st = os.stat(cache_dir / "secret")
    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == os.getuid()


def test_an_entry_planted_without_the_key_is_never_loaded(cache_dir, tmp_path, monkeypatch):
    """Whoever can write the cache directory, but not read the key, wrote a pickle that
    runs a command when loaded: it is ignored (the file is parsed again)."""
    monkeypatch.chdir(tmp_path)
    source = SourceFile(str(tmp_path / "s.kovn"), "var x: 0..1 = 0\n")
    key = parser._parsed_key(source, "start")
    cache.write("parsed", "other", b"x")       # the key exists, as on any machine that ran kovn
    evil = pickle.dumps(_Boom())
    (cache_dir / "parsed" / key).write_bytes(b"\0" * 32 + evil)
    spec = parser.parse(source)
    assert spec.decls and not (tmp_path / "pwned").exists()


def test_a_signed_entry_of_the_wrong_type_is_harmless(cache_dir, tmp_path):
    source = SourceFile(str(tmp_path / "s.kovn"), "var x: 0..1 = 0\n")
    key = parser._parsed_key(source, "start")
    cache.write("parsed", key, pickle.dumps({"not": "a spec"}))
    spec = parser.parse(source)
    assert type(spec).__name__ == "Spec"


def test_a_key_others_can_read_or_write_is_not_used(cache_dir):
    cache.write("parsed", "k", b"data")
    os.chmod(cache_dir / "secret", 0o644)
    assert cache.read("parsed", "k") is None
    cache.write("parsed", "k2", b"more")        # nor is anything written with it
    assert not (cache_dir / "parsed" / "k2").exists()


def test_a_tampered_entry_is_ignored(cache_dir):
    cache.write("parsed", "k", b"data")
    path = cache_dir / "parsed" / "k"
    blob = path.read_bytes()
    path.write_bytes(blob[:-1] + b"X")
    assert cache.read("parsed", "k") is None
