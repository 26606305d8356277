"""Generated code compiled once: Python source text -> code object, kept between runs.

Input: a generated Python source (codegen.py's module, expand.py's search loops and scans,
observe.py's observers, symmetry.py's permutations), the file name its code objects
carry, and compile()'s mode. Output: the code object, as `compile(source, filename, mode)`
returns it (a source Python cannot compile raises exactly as compile() does).

Why: a large spec's search loop is a big function (spec/ipam.kovn's are about half a
megabyte each, three or four per variant), and Python takes about 0.2 s to compile one:
for the flagship that is most of the time spent before the search that is not code
generation itself. The same spec checked again (another run, another variant worker, a
test) generates the same source, so a large source's code object is kept in kovn's cache
(checker/cache.py, kind "code": signed like its other entries) as zlib-compressed marshal
data, keyed by the source, the file name, the mode, the Python build (marshal's format is
Python's own) and its -O level. Reading one back takes about a millisecond. A small source compiles
faster than a cache entry is read and written, so it is not kept (the thousands of small
random specs the tests generate stay out of the cache).
"""
from __future__ import annotations

import hashlib
import importlib.util
import marshal
import sys
import zlib
from types import CodeType

from checker import cache

KIND = "code"
MIN_CHARS = 20_000      # below this, compiling is about as fast as the cache (measured: ~3 ms)


def compiled(source: str, filename: str, mode: str = "exec") -> CodeType:
    """`compile(source, filename, mode)`, read from the cache when a run compiled it before."""
    if len(source) < MIN_CHARS or not cache.enabled():
        return compile(source, filename, mode)
    key = _key(source, filename, mode)
    saved = cache.read(KIND, key)
    if saved is not None:
        try:
            code = marshal.loads(zlib.decompress(saved))
            if isinstance(code, CodeType):
                return code
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - a damaged entry: compile it again
            pass
    code = compile(source, filename, mode)
    cache.write(KIND, key, zlib.compress(marshal.dumps(code), 1))
    return code


def _key(source: str, filename: str, mode: str) -> str:
    # compile() also depends on the interpreter's -O level (asserts) and its bytecode format
    head = f"{importlib.util.MAGIC_NUMBER.hex()}\0{sys.version}\0{sys.flags.optimize}\0{filename}\0{mode}\0"
    digest = hashlib.sha256(head.encode())
    digest.update(source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:40]
