"""The layers of the package, enforced: every import of every module of checker/ (at the top
or inside a function) goes down the pipeline, never up, and the engine imports nothing
outside itself. docs/architecture.md draws the same layers.

    base (diagnostics, codes, cache) < syntax (and loader) < semantics < ir
        < compile / solver < analysis < render / report (and quality) < distributed < api < cli

A layer may import its own and every lower layer. The engine (checker/engine) is the
explorer behind a Model protocol: it imports only itself and the standard library, and the
layers from compile / solver up may import it. Each third-party library stays behind its
one place (design.md, habit 9).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "checker"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("checker.diagnostics", "checker.codes", "checker.cache")),
    ("syntax", ("checker.syntax", "checker.loader")),
    ("semantics", ("checker.semantics",)),
    ("ir", ("checker.ir",)),
    ("compile/solver", ("checker.compile", "checker.solver")),
    ("analysis", ("checker.analysis",)),
    ("render/report", ("checker.render", "checker.report", "checker.quality")),
    # the partitioned search's workers on a cluster: they rebuild the model from the IR
    # (checker/compile), which the engine may not import (ADR 0060)
    ("distributed", ("checker.distributed",)),
    ("api", ("checker.api", "checker.variants")),
    ("cli", ("checker.cli", "checker.__main__", "checker.pytest_plugin", "checker.precommit")),
]
ENGINE = "checker.engine"
ENGINE_USERS_FROM = "compile/solver"      # the lowest layer that may import the engine

# third-party libraries and the only modules that may import them
CONFINED = {
    "lark": ("checker.syntax.parser", "checker.syntax.build_ast"),
    "z3": ("checker.solver",),
    "graphviz": ("checker.render.graphviz",),
    "networkx": ("checker.render.state_graph",),
    "junitparser": ("checker.report.junit",),
    "ray": ("checker.distributed.ray",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module `path` imports (absolute names), with the line: module-level imports and
    those inside functions alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base == "checker" or (node.level and not node.module):
                # `from checker import api`: each name may be a module
                out += [(f"{base}.{a.name}", node.lineno) for a in node.names]
            else:
                out.append((base, node.lineno))
    return out


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer_of(name: str) -> int | None:
    """The index of the layer of a module of checker (None: the engine)."""
    if within(name, (ENGINE,)):
        return None
    if name == "checker":           # the package itself: the top
        return len(LAYERS) - 1
    if name == "checker.__version__":   # a constant of the package, not a module
        return 0
    for i, (_, prefixes) in enumerate(LAYERS):
        if within(name, prefixes):
            return i
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in {__file__}")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def violations(path: Path) -> list[str]:
    me = module_name(path)
    mine = layer_of(me)
    floor = next(i for i, (name, _) in enumerate(LAYERS) if name == ENGINE_USERS_FROM)
    out = []
    for target, line in imports(path):
        where = f"{path.relative_to(PACKAGE.parent)}:{line}: {me} imports {target}"
        top = target.split(".")[0]
        if top in CONFINED and not within(me, CONFINED[top]):
            out.append(f"{where} ({top} belongs to {', '.join(CONFINED[top])} only)")
        if top != "checker":
            continue
        theirs = layer_of(target)
        if mine is None:            # the engine: itself only
            if theirs is not None:
                out.append(f"{where} (the engine imports nothing outside checker.engine)")
        elif theirs is None:
            if mine < floor:
                out.append(f"{where} (the engine is for {ENGINE_USERS_FROM} and above)")
        elif theirs > mine:
            out.append(f"{where} ({LAYERS[mine][0]} may not import {LAYERS[theirs][0]}, a higher layer)")
    return out


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_go_down_the_layers(path):
    assert violations(path) == []


def test_every_module_is_in_a_layer():
    for path in modules():
        layer_of(module_name(path))


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The contract can fail: an import of the API from the engine, or of the renderer from
    the solver, or of z3 from the IR, is reported at its line."""
    engine = tmp_path / "checker" / "engine"
    solver = tmp_path / "checker" / "solver"
    ir = tmp_path / "checker" / "ir"
    for d in (engine, solver, ir):
        d.mkdir(parents=True)
    (engine / "bad.py").write_text("import os\n\ndef f():\n    from checker import api\n")
    (solver / "bad.py").write_text("from checker.render.lanes import build\n")
    (ir / "bad.py").write_text("from ..engine import model\nimport z3\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "checker")
    assert violations(engine / "bad.py") == [
        "checker/engine/bad.py:4: checker.engine.bad imports checker.api "
        "(the engine imports nothing outside checker.engine)"]
    assert violations(solver / "bad.py") == [
        "checker/solver/bad.py:1: checker.solver.bad imports checker.render.lanes "
        "(compile/solver may not import render/report, a higher layer)"]
    assert violations(ir / "bad.py") == [
        "checker/ir/bad.py:1: checker.ir.bad imports checker.engine "
        "(the engine is for compile/solver and above)",
        "checker/ir/bad.py:2: checker.ir.bad imports z3 (z3 belongs to checker.solver only)"]
