"""The IR printer (checker/ir/printer.py): golden dumps, determinism, every node kind.

tests/golden/ir/NAME.ir is the dump of every variant of a spec (models/twophase.kovn, and
tests/golden/ir/nodes.kovn, which holds every kind of IR node). They are rewritten only
with `pytest --update-golden`; review the diff: it is how a change to the front end's
lowering shows.
"""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker import api
from checker.ir import nodes as ir
from checker.ir.printer import print_expr, print_spec
from checker.ir.walk import walk
from checker.semantics import types as T

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "ir"
CASES = {
    "twophase": ROOT / "models" / "twophase.kovn",
    "nodes": GOLDEN / "nodes.kovn",
}


def dump(path: Path) -> str:
    """Every variant's IR, in the spec's variant order."""
    compiled, _warnings = api.compile_spec(str(path))
    return "\n".join(print_spec(model.spec) for _variant, model in compiled)


@pytest.mark.parametrize("name", sorted(CASES))
def test_dump_matches_golden(name, update_golden):
    text = dump(CASES[name])
    golden = GOLDEN / f"{name}.ir"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
        return
    assert golden.is_file(), f"{golden} is missing: run pytest --update-golden"
    assert text == golden.read_text(encoding="utf-8"), \
        f"the IR of {CASES[name].name} changed; if on purpose, run pytest --update-golden and review the diff"


def test_dump_is_one_line_per_statement():
    text = dump(CASES["twophase"])
    lines = text.splitlines()
    # RMPrepare: the require and the two assignments, each on its own line, indented once
    start = next(i for i, line in enumerate(lines) if line.startswith("action RMPrepare(r_2: "))
    assert lines[start + 1:start + 5] == [
        "  require (rmState[r_2] == working)",
        "  rmState := (rmState with {r_2: prepared})",
        "  msgs := (msgs | {Prepared(r_2)})",
        "}",
    ]


def test_dump_is_the_same_under_another_hash_seed():
    """Sets print sorted, names come from counters: nothing depends on hash order."""
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
            "from tests.ir.test_ir_printer import dump; print(dump(Path(sys.argv[2])), end='')")
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-c", code, str(ROOT), str(CASES["nodes"])],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        outs.append(run.stdout)
    assert outs[0] == outs[1] == dump(CASES["nodes"])


def test_nodes_spec_holds_every_kind_of_node():
    """The nodes golden really covers the printer: every E and S class of ir/nodes.py."""
    compiled, _ = api.compile_spec(str(CASES["nodes"]))
    spec = compiled[0][1].spec
    roots = [*spec.init, *(s for a in spec.actions for s in a.body),
             *(p.domain for a in spec.actions for p in a.params),
             *(p.expr for p in spec.properties), *(d.body for d in spec.defs)]
    seen = {type(n) for r in roots for n in walk(r)}
    kinds = {c for c in vars(ir).values() if isinstance(c, type) and issubclass(c, (ir.E, ir.S))
             and c not in (ir.E, ir.S)}
    assert kinds - seen == set()


def test_expressions_show_their_nesting():
    i3 = T.IntT(0, 3)
    x = ir.Local(i3, "x")
    spec = ir.SpecIR("s", "v", (), (ir.VarIR("n", i3),), (), (), (), (), False)
    n = ir.VarRef(i3, 0)
    add = ir.Op(T.IntT(), "add", (n, ir.Lit(T.IntT(), 1)))
    assert print_expr(spec, ir.Coerce(i3, add)) == "((n + 1) as 0..3)"
    assert print_expr(spec, ir.Op(T.IntT(), "mul", (add, x))) == "((n + 1) * x)"
    assert print_expr(spec, ir.Op(i3, "prime", (n,))) == "(n)'"
    assert print_expr(spec, ir.Op(T.IntT(), "min2", (n, x, ir.Lit(T.IntT(), 2)))) == "min(n, x, 2)"
    s = ir.Lit(T.SetT(i3), 0b1010)
    assert print_expr(spec, s) == "{1, 3}"
    quant = ir.Quant(T.BoolT(), "forall", (ir.Binder("x", s),), ir.Op(T.BoolT(), "lt", (x, n)))
    assert print_expr(spec, quant) == "(forall x in {1, 3}: (x < n))"


def test_printer_knows_every_node_field():
    """A field added to an IR node must be printed or deliberately left out: this lists
    the fields the printer was written against, so a new one fails here first."""
    known = {
        "Lit": {"t", "value"}, "VarRef": {"t", "index", "primed"}, "Local": {"t", "name"},
        "Op": {"t", "op", "args"}, "Quant": {"t", "kind", "binders", "body"},
        "Comp": {"t", "binders", "cond", "key", "elem"}, "Ite": {"t", "cond", "then", "else_"},
        "LetE": {"t", "name", "value", "body"}, "CallDef": {"t", "index", "args"},
        "Index": {"t", "base", "key"}, "FieldGet": {"t", "base", "name"},
        "Update": {"t", "base", "entries"}, "Collection": {"t", "items"},
        "Construct": {"t", "tag", "payload"}, "TypeSet": {"t"}, "Coerce": {"t", "e"},
        "MatchE": {"t", "subject", "arms"}, "Solve": {"t", "name", "cond", "least"},
        "Require": {"cond"}, "Assign": {"var", "value", "goto"}, "IfS": {"cond", "then", "else_"},
        "ChooseS": {"name", "domain"}, "LetS": {"name", "value"}, "ForS": {"name", "domain", "body"},
    }
    for cls in vars(ir).values():
        if isinstance(cls, type) and issubclass(cls, (ir.E, ir.S)) and cls not in (ir.E, ir.S):
            fields = {f.name for f in dataclasses.fields(cls)} - {"origin"}
            assert fields == known.get(cls.__name__), cls.__name__
