"""Derived files kept between runs, in the user's cache directory.

Input: a kind ("parser" for the LALR tables, "parsed" for parsed spec files), a key that
names everything the data is derived from, and bytes. Output: the same bytes on a later run
with the same key, or None. Nothing here decides what a key covers: the callers do, and a
key that covers every input makes a stale entry impossible (it is simply never asked for).

Where: $KOVN_CACHE_DIR, else $XDG_CACHE_HOME/kovn, else ~/.cache/kovn. KOVN_CACHE=0 turns
caching off. Writes are atomic (a temporary file renamed), so concurrent runs at worst both
write the same entry; a kind holds at most MAX_ENTRIES files, the oldest removed first. Any
error (a read-only or missing directory, a damaged file) means no cache, never a failure.

Trust: the entries are pickles (Lark saves its tables so, and the parsed files are ASTs),
and loading a pickle can run code. So every entry carries an HMAC-SHA256 of its kind, key
and data under a secret key of this user's (`<cache>/secret`, 32 random bytes, mode 0600),
and an entry whose tag does not match is ignored: whoever can write the cache directory
but not read the secret cannot make kovn load anything. The secret is used only if this
user owns it and nobody else may read or write it; otherwise there is no cache (ADR 0032).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

MAX_ENTRIES = 512
_SECRET = "secret"
_TAG = 32       # bytes of HMAC-SHA256 before the data


def enabled() -> bool:
    return os.environ.get("KOVN_CACHE", "1") != "0"


def directory() -> Path:
    explicit = os.environ.get("KOVN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kovn"


def read(kind: str, key: str) -> bytes | None:
    """The data written under (kind, key) by this user's kovn, or None (no entry, a
    damaged one, or one this user's secret did not sign)."""
    if not enabled():
        return None
    try:
        secret = _secret(create=False)
        if secret is None:
            return None
        blob = (directory() / kind / key).read_bytes()
    except OSError:
        return None
    tag, data = blob[:_TAG], blob[_TAG:]
    if len(tag) != _TAG or not hmac.compare_digest(tag, _sign(secret, kind, key, data)):
        return None
    return data


def write(kind: str, key: str, data: bytes) -> None:
    if not enabled():
        return
    folder = directory() / kind
    try:
        secret = _secret(create=True)
        if secret is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(_sign(secret, kind, key, data) + data)
        os.replace(tmp, folder / key)
        _prune(folder)
    except OSError:
        pass


def _sign(secret: bytes, kind: str, key: str, data: bytes) -> bytes:
    return hmac.new(secret, f"{kind}\0{key}\0".encode() + data, hashlib.sha256).digest()


def _secret(create: bool) -> bytes | None:
    """This user's signing key, made on first use; None if it is missing (and not to be
    made) or not private: owned by someone else, or readable or writable by others (a
    key another user could read, or could have put there, proves nothing)."""
    path = directory() / _SECRET
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        if not create:
            return None
        return _new_secret(path)
    try:
        st = os.fstat(fd)
        if not _private(st):
            return None
        secret = os.read(fd, 64)
    finally:
        os.close(fd)
    return secret if len(secret) == 32 else None


def _private(st: os.stat_result) -> bool:
    owner = getattr(os, "getuid", lambda: st.st_uid)()
    return stat.S_ISREG(st.st_mode) and st.st_uid == owner and not st.st_mode & 0o077


def _new_secret(path: Path) -> bytes | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = os.urandom(32)
    tmp = path.with_name(f".{_SECRET}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, secret)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)      # the first run to get there wins; the others read its key
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return _secret(create=False)


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
