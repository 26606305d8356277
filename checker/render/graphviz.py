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
    import shutil
    import subprocess
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing(INSTALL_HINT)
    try:
        # dot's warnings (stderr) about spline routing are about looks, not errors; a
        # layout that takes longer than DOT_TIMEOUT is abandoned (the DOT file is kept)
        run = subprocess.run([dot, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True,
                             timeout=DOT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise LayoutFailed(f"dot took longer than {DOT_TIMEOUT:g} s and was stopped") from None
    except OSError as exc:
        raise GraphvizMissing(f"{INSTALL_HINT} ({exc.strerror})") from None
    if run.returncode != 0:
        detail = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LayoutFailed(f"dot failed: {detail[-1] if detail else f'exit code {run.returncode}'}")
    return run.stdout


DOT_TIMEOUT = 60.0      # seconds one `dot` layout may take
