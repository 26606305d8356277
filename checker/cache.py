"""Derived files kept between runs, in the user's cache directory.

Input: a kind ("parser" for the LALR tables, "parsed" for parsed spec files), a key that
names everything the data is derived from, and bytes. Output: the same bytes on a later run
with the same key, or None. Nothing here decides what a key covers: the callers do, and a
key that covers every input makes a stale entry impossible (it is simply never asked for).

Where: $KOVN_CACHE_DIR, else $XDG_CACHE_HOME/kovn, else ~/.cache/kovn. KOVN_CACHE=0 turns
caching off. Writes are atomic (a temporary file renamed), so concurrent runs at worst both
write the same entry; a kind holds at most MAX_ENTRIES files, the oldest removed first. Any
error (a read-only or missing directory, a damaged file) means no cache, never a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

MAX_ENTRIES = 512


def enabled() -> bool:
    return os.environ.get("KOVN_CACHE", "1") != "0"


def directory() -> Path:
    explicit = os.environ.get("KOVN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kovn"


def read(kind: str, key: str) -> bytes | None:
    if not enabled():
        return None
    try:
        return (directory() / kind / key).read_bytes()
    except OSError:
        return None


def write(kind: str, key: str, data: bytes) -> None:
    if not enabled():
        return
    folder = directory() / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / key)
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    """Remove the oldest quarter when the kind holds more than MAX_ENTRIES files (random
    specs written by tests must not fill the disk)."""
    entries = [e for e in os.scandir(folder) if e.is_file() and not e.name.startswith(".")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for e in entries[:len(entries) - MAX_ENTRIES * 3 // 4]:
        try:
            os.unlink(e.path)
        except OSError:
            pass
