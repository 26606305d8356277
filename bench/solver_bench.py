"""Benchmarks behind the solver's two tuning choices (not a test: timings vary by machine).

    python bench/solver_bench.py breakeven   # enumeration in Python versus Z3, by domain size
    python bench/solver_bench.py least       # least solution: z3.Optimize versus binary search

Input: nothing (the specs are built here). Output: markdown tables on stdout, the figures
docs/solver.md quotes. `breakeven` compiles one `choose x: 0..N-1 where C` spec twice, once
forcing enumeration and once forcing the solver, and times one successor computation (the
solver's cache emptied before each call, so every call is a real query); the break-even is
the domain size where the two cost the same. The constraint's solutions lie at the top of
the domain, so enumeration must test every candidate: the worst case for Python, and the
case of the every-solution form.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from time import perf_counter

SPEC = """
const N: int = {n}
var used: set[0..N-1, 8] = {{1, 2, 3, 5, 8, 13, 21, 34}}
var picked: 0..N-1 = 0
action Pick {{
  choose {least}x: 0..N-1 where x not in used and x % 7 == 3 and x > N - 60
  picked := x
}}
"""


def _model(n: int, least: bool, enumerate_up_to: int):
    from checker import api
    from checker.ir import solve_plan as plan
    saved = plan.ENUMERATE_UP_TO
    plan.ENUMERATE_UP_TO = enumerate_up_to
    try:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "bench.kovn"
            path.write_text(SPEC.format(n=n, least="least " if least else ""))
            (variant, model), = api.compile_spec(str(path))[0]
            return model
    finally:
        plan.ENUMERATE_UP_TO = saved


def _time(model, uncached: bool, budget: float = 0.3) -> float:
    init = list(model.init_states())[0]
    runs, start = 0, perf_counter()
    while True:
        if uncached:
            model.solver.cache.clear()
        model.successors(init)
        runs += 1
        elapsed = perf_counter() - start
        if elapsed > budget and runs >= 3:
            return elapsed / runs


def breakeven(sizes=(64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)) -> None:
    print("| N | form | Python (ms) | Z3, uncached (ms) | faster |")
    print("|---:|---|---:|---:|---|")
    for least in (False, True):
        previous = None
        for n in sizes:
            py = _time(_model(n, least, 10 ** 12), False)
            z = _time(_model(n, least, 0), True)
            form = "least" if least else "every"
            print(f"| {n:,} | {form} | {py * 1000:.3f} | {z * 1000:.3f} | {'Python' if py < z else 'Z3'} |")
            if previous is not None and previous[1] < previous[2] and py >= z:
                print(f"| | {form}: break-even between {previous[0]:,} and {n:,} | | | |")
            previous = (n, py, z)


def least() -> None:
    from checker.ir import nodes as ir
    from checker.semantics import types as T
    from checker.solver import enumerate as en
    from checker.solver.options import SolverOptions
    from checker.ir.solve_plan import Query
    ip, b = T.IpT(), T.BoolT()
    x = ir.Local(ip, "a")
    used, block, gw = ir.Local(T.SetT(ip), "_in0"), ir.Local(T.CidrT(), "_in1"), ir.Local(ip, "_in2")
    cond = ir.Op(b, "and", (ir.Op(b, "and", (ir.Op(b, "in_cidr", (x, block)), ir.Op(b, "ne", (x, gw)))),
                            ir.Op(b, "not", (ir.Op(b, "in", (x, used)),))))
    q = Query(0, "a", ip, cond, (), (T.SetT(ip), T.CidrT(), ip), True)
    print("| block | addresses in use | Optimize (ms) | bisect (ms) |")
    print("|---|---:|---:|---:|")
    for prefix, n_used in ((8, 0), (8, 10), (8, 100), (16, 50), (24, 200), (29, 1)):
        net = 10 << 24
        inputs = (frozenset(range(net, net + n_used)), net | (prefix << 32), net + 1)
        row = []
        for method in ("optimize", "bisect"):
            runs, start = 0, perf_counter()
            while perf_counter() - start < 0.5 or runs < 3:
                en.solve(q, inputs, SolverOptions(least=method))
                runs += 1
            row.append((perf_counter() - start) / runs * 1000)
        print(f"| 10.0.0.0/{prefix} | {n_used} | {row[0]:.2f} | {row[1]:.2f} |")


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "breakeven"
    if what == "breakeven":
        breakeven()
    elif what == "least":
        least()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
