"""Laying out DOT text with graphviz: the only module that imports the `graphviz` package
or runs the `dot` program.

Input: DOT text (from checker/render/dot.py) and an output format ("svg" or "png").
Output: the bytes `dot` writes. When the program is missing, `GraphvizMissing` carries a
message that says how to install it; the callers then write what needs no layout (DOT,
HTML without the picture, ITF).
"""
from __future__ import annotations

import graphviz as _graphviz

INSTALL_HINT = ("the 'dot' program of graphviz is not installed, so no SVG or PNG was drawn; "
                "install it (Debian/Ubuntu: sudo apt-get install graphviz; Fedora: sudo dnf install "
                "graphviz; macOS: brew install graphviz) and run again")


class GraphvizMissing(Exception):
    """The `dot` program cannot be found on PATH."""


class LayoutFailed(Exception):
    """`dot` ran and failed (its message is kept)."""


def available() -> bool:
    """Is the `dot` program installed?"""
    try:
        _graphviz.version()
    except _graphviz.ExecutableNotFound:
        return False
    except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
        raise
    except Exception:  # noqa: BLE001 - a broken install is as good as none
        return False
    return True


def layout(dot_text: str, fmt: str) -> bytes:
    """Run `dot -T<fmt>` on the text. Raises GraphvizMissing or LayoutFailed."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"unsupported layout format {fmt!r}")
    try:
        # quiet: dot's warnings about spline routing are about looks, not errors
        return _graphviz.pipe("dot", fmt, dot_text.encode("utf-8"), quiet=True)
    except _graphviz.ExecutableNotFound:
        raise GraphvizMissing(INSTALL_HINT) from None
    except _graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise LayoutFailed(f"dot failed: {detail[-1] if detail else exc}") from None
