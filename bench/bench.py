"""The benchmark: a fixed suite of models, each run as `check` would be run, timed.

    python bench/bench.py                 # the whole suite (several minutes)
    python bench/bench.py --cases twophase7,twophase7-sym --repeat 3
    python bench/bench.py --quick         # small sizes, a smoke test of the script
    python bench/bench.py --json out.json --no-spin
    python bench/bench.py --vacuity --repeat 3   # the cost of observing premises (ipam cases)
    python bench/bench.py --por --timeout 600    # partial-order reduction: states and time saved
    python bench/bench.py --tlc-jar tla2tools.jar --tla-examples Examples --tla-library tlapm/library

Input: the command line. Output: a table on stdout (per case: distinct, generated, depth,
wall seconds of the whole process, start-up included, the search's own seconds,
generated states per second, peak RSS), then the same as JSON (also to --json FILE).
When SPIN is installed (`spin` and a C compiler on PATH), the cases that have a Promela
version (bench/promela/*.pml, written from shared/conformance.md so that the state counts
agree) are also run by SPIN (breadth-first, no partial-order reduction; compilation not
timed) and the table shows SPIN's counts, wall seconds and memory and kovn's time as a
multiple of SPIN's. docs/performance.md has the figures and how they were measured.

TLC side by side: given a tla2tools.jar (`--tlc-jar PATH` or KOVN_TLC_JAR) and a
tlaplus/Examples checkout (`--tla-examples DIR` or KOVN_TLA_EXAMPLES), the one-worker cases
whose spec has a TLA+ original there (bench/tlc.py: models/tla/, twophase, diehard) are also
checked by TLC, one worker, with a .cfg (and a small module of definitions) the benchmark
writes from the case's constants, in a temporary directory; the table shows TLC's counts
(and whether they are kovn's), its wall seconds (the whole `java` process, as for kovn) and
peak RSS, and kovn's wall time as a multiple of TLC's. Paxos's modules import TLAPS:
`--tla-library DIR` (KOVN_TLA_LIBRARY) is tlaplus/tlapm's library/ folder. No TLA+ is kept
in this repository.

Each case is a separate `python -m checker ... --json` process, so imports, parsing and
code generation count, as they do for a user (with Python's bytecode cache on, as it is
for an installed package). Each repetition runs the case twice, with a cache directory of
the benchmark's own (checker/cache.py): first with no parsed files in it, as after an edit
of the spec ("first s"), then again, as any later run of the same files ("wall s"); the
parser's tables are in it for both. The load average is recorded with each case: other
jobs on the machine make every figure slower.

`--vacuity` runs each case (by default the spec/ipam.kovn ones) with and without
`--no-vacuity`, alternately, keeping the run of each kind with the least CPU time (the
process's user + system time: less disturbed by other jobs than wall time), and shows what
observing the properties' premises during the search costs (docs/performance.md, ADR 0041).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tlc as tlc_side  # noqa: E402  (bench/tlc.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
PROMELA = ROOT / "bench" / "promela"
FOUR_JUGS = "Cap=[20, 31, 47, 61]"


@dataclass(frozen=True)
class Case:
    name: str
    spec: str
    variants: tuple[str, ...]            # () : every variant (a full `check`)
    consts: tuple[str, ...] = ()
    workers: int = 1
    promela: str | None = None           # bench/promela file
    defines: tuple[str, ...] = ()        # -D for spin
    note: str = ""
    flags: tuple[str, ...] = ()          # more options of `check`
    tlc: tuple[int, int, int] | None = None   # TLC's recorded (distinct, generated, depth)


SUITE = (
    Case("twophase7", "models/twophase.kovn", ("plain",), ("N=7",), promela="twophase.pml", defines=("N=7",),
         note="TLC 8.4 s, SPIN 0.65 s (conformance.md)"),
    Case("twophase8", "models/twophase.kovn", ("plain",), ("N=8",), promela="twophase.pml", defines=("N=8",),
         note="TLC 55 s / 3.1 GB, SPIN 4.3 s / 364 MB"),
    Case("twophase8-novector", "models/twophase.kovn", ("plain",), ("N=8",), flags=("--no-vector",),
         note="the generated expander alone (ADR 0061): what the arrays save"),
    Case("twophase9", "models/twophase.kovn", ("plain",), ("N=9",),
         note="10,340,352 states: the compact store's memory (docs/adr/0033-compact-store.md)"),
    Case("twophase8-w2", "models/twophase.kovn", ("plain",), ("N=8",), workers=2,
         note="two worker processes"),
    Case("twophase5-sym", "models/twophase.kovn", ("symmetric",), ("N=5",), note="TLC: 314 / 2,048"),
    Case("twophase7-sym", "models/twophase.kovn", ("symmetric",), ("N=7",), note="TLC 18.7 s: 920 / 8,410"),
    Case("peterson5", "models/peterson.kovn", ("default",), ("N=5",), promela="peterson.pml", defines=("N=5",)),
    Case("peterson6", "models/peterson.kovn", ("default",), ("N=6",), promela="peterson.pml", defines=("N=6",)),
    Case("peterson6-novector", "models/peterson.kovn", ("default",), ("N=6",), flags=("--no-vector",)),
    Case("diehard4", "models/diehard.kovn", ("space",), (FOUR_JUGS,), promela="diehard.pml",
         note="TLC 14.2 s, SPIN 2.4 s"),
    # the data shapes (issue 15): models/tla/, written from tlaplus/Examples; `tlc` is the
    # count TLC recorded in that repository's manifest.json (with --tlc-jar, TLC runs too)
    Case("paxos", "models/tla/paxos.kovn", ("default",), tlc=(3_921, 23_563, 17),
         note="3 acceptors, 2 values, ballots 0..1 (MCPaxosTiny)"),
    Case("rw3", "models/tla/readerswriters.kovn", ("default",), ("NumActors=3",), tlc=(21_527, 59_674, 13)),
    Case("rw4", "models/tla/readerswriters.kovn", ("default",), ("NumActors=4",), note="no TLC count recorded"),
    Case("fifo3", "models/tla/fifo.kovn", ("default",), tlc=(3_864, 9_660, 11),
         note="TLC's generated count includes the successors its constraint drops"),
    Case("tokenring6", "models/tla/tokenring.kovn", ("default",), ("N=6", "M=6"), tlc=(46_656, 248_832, 1),
         note="a function-valued variable, every function initial"),
    Case("tokenring7", "models/tla/tokenring.kovn", ("default",), ("N=7", "M=7"), note="no TLC count recorded"),
    Case("ewd840-4", "models/tla/ewd840.kovn", ("default",), ("N=4",), tlc=(1_566, 15_986, 12)),
    Case("ewd840-6", "models/tla/ewd840.kovn", ("default",), ("N=6",), note="no TLC count recorded"),
    Case("ipam-fixed", "spec/ipam.kovn", ("fixed",), note="with liveness"),
    Case("ipam-v1_12", "spec/ipam.kovn", ("v1_12",), note="violations: their premises are dropped"),
    Case("ipam-nics2", "spec/ipam.kovn", ("fixed",), ("NICS=2",), note="with liveness"),
    Case("ipam-all", "spec/ipam.kovn", (), note="`check spec/ipam.kovn`: every variant, side by side"),
    Case("ipam-restart", "spec/ipam.kovn", ("master_restart",), note="lassos that restart the controller"),
    Case("ipam-restart-prefer", "spec/ipam.kovn", ("master_restart",), flags=("--prefer", "faults"),
         note="the same, and the cheapest lassos (engine/prefer_lasso.py)"),
    # symmetry over object names (issue 15, ADR 0035): two pods, reduced by PodId. The
    # safety properties are decided; the temporal ones are unknown under symmetry (exit 152).
    Case("ipam-pods2-d20", "spec/ipam.kovn", ("fixed",), ("PODS=2",), flags=("--max-depth", "20"),
         note="two pods, 20 levels, full: the reduction factor's reference"),
    Case("ipam-pods2-d20-sym", "spec/ipam.kovn", ("fixed",), ("PODS=2",),
         flags=("--max-depth", "20", "--symmetry", "PodId"), note="the same levels, reduced by PodId"),
    Case("ipam-pods2-sym", "spec/ipam.kovn", ("fixed",), ("PODS=2",), flags=("--symmetry", "PodId"),
         note="two pods, exhaustive, reduced (long: see docs/performance.md)"),
    Case("ipam-pods2-nics2-sym", "spec/ipam.kovn", ("fixed",), ("PODS=2", "NICS=2"),
         flags=("--symmetry", "PodId", "--timeout", "600"), note="two pods, two NICs: how far in 10 minutes"),
    Case("ipam-pods2-nics2-sym-w2", "spec/ipam.kovn", ("fixed",), ("PODS=2", "NICS=2"),
         flags=("--symmetry", "PodId", "--workers", "2", "--timeout", "600"),
         note="the same on both cores (temporal properties unknown under symmetry: no graph needed)"),
    Case("ipam-pods2-nics2-sym-fp", "spec/ipam.kovn", ("fixed",), ("PODS=2", "NICS=2"),
         flags=("--symmetry", "PodId", "--fingerprints", "--timeout", "600"),
         note="the same in one process, older levels as 64-bit fingerprints"),
)

# (full, reduced) pairs of cases: the table shows the reduction factor of their distinct states
REDUCTIONS = (("ipam-pods2-d20", "ipam-pods2-d20-sym"),)

QUICK = (
    Case("twophase5", "models/twophase.kovn", ("plain",), ("N=5",), promela="twophase.pml", defines=("N=5",)),
    Case("twophase5-w2", "models/twophase.kovn", ("plain",), ("N=5",), workers=2),
    Case("twophase5-sym", "models/twophase.kovn", ("symmetric",), ("N=5",)),
    Case("peterson3", "models/peterson.kovn", ("default",), ("N=3",), promela="peterson.pml", defines=("N=3",)),
    Case("diehard2", "models/diehard.kovn", ("space",)),
)


@dataclass
class Run:
    """One case's figures (kovn, and SPIN when it ran)."""

    case: str
    distinct: int = 0
    generated: int = 0
    depth: int = 0
    wall_s: float = 0.0                  # the whole process, start-up included
    first_s: float = 0.0                 # the same, no parsed file in the cache (a spec just edited)
    search_s: float = 0.0                # the searches, as the checker reports them (search_seconds)
    reported_s: float = 0.0              # what the checker reports the user waited (seconds: parse,
                                         # compile and search of every variant)
    states_per_s: float = 0.0            # generated / wall
    peak_rss_mib: float = 0.0
    cpu_s: float = 0.0                   # user + system CPU time of the process
    variants: int = 0
    load: float = 0.0                    # 1-minute load average before the run
    workers: int = 1
    note: str = ""
    tlc_counts: str = ""                 # "same", "differ: ..." or "" (no TLC count recorded)
    spin: dict = field(default_factory=dict)
    tlc_run: dict = field(default_factory=dict)   # TLC's figures, when it ran (bench/tlc.py)
    error: str = ""


def run_case(case: Case, repeat: int, cache_dir: str, once: bool = False) -> Run:
    """The fastest of `repeat` runs of the case (each a fresh process), and the fastest
    first run (no parsed file cached; `once`: not run, first_s is 0)."""
    best, first = None, None
    for _ in range(repeat):
        shutil.rmtree(Path(cache_dir) / "parsed", ignore_errors=True)
        if once:
            first = first or Run(case.name)
        else:
            cold = _run_kovn(case, cache_dir)
            if first is None or (not cold.error and cold.wall_s < first.wall_s):
                first = cold
        run = _run_kovn(case, cache_dir)
        if best is None or (not run.error and run.wall_s < best.wall_s):
            best = run
    assert best is not None and first is not None
    best.first_s = first.wall_s
    return best


def _environment(cache_dir: str) -> dict:
    # as a user runs it: with Python's bytecode cache (a sandbox may turn it off)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "KOVN_CACHE")}
    env["PYTHONPATH"] = str(ROOT)
    env["KOVN_CACHE_DIR"] = cache_dir
    return env


def prime(cache_dir: str) -> None:
    """Build the parser's tables into the benchmark's cache (once, not timed)."""
    subprocess.run([sys.executable, "-c", "from checker.syntax.parser import _parser; _parser()"],
                   cwd=ROOT, env=_environment(cache_dir), check=True)


def _run_kovn(case: Case, cache_dir: str) -> Run:
    cmd = [sys.executable, "-m", "checker", case.spec, "--json", "--no-progress"]
    for v in case.variants:
        cmd += ["--variant", v]
    for c in case.consts:
        cmd += ["--const", c]
    if case.workers > 1:
        cmd += ["--workers", str(case.workers)]
    cmd += list(case.flags)
    load = os.getloadavg()[0]
    env = _environment(cache_dir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run = Run(case.name, wall_s=round(wall, 3), load=round(load, 2), workers=case.workers, note=case.note,
              cpu_s=round(cpu, 3))
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        run.error = f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        return run
    results = report["results"]
    run.variants = len(results)
    run.distinct = sum(r["distinct_states"] for r in results)
    run.generated = sum(r["states_generated"] for r in results)
    run.depth = max((r["depth"] for r in results), default=0)
    run.search_s = round(sum(r["search_seconds"] for r in results), 3)
    # the spec is parsed once for all its variants: count its parse once
    run.reported_s = round(sum(r["search_seconds"] + r["compile_seconds"] for r in results)
                           + max((r["parse_seconds"] for r in results), default=0.0), 3)
    run.states_per_s = round(run.generated / wall) if wall > 0 else 0
    run.peak_rss_mib = round(max((r["peak_rss_bytes"] for r in results), default=0) / 2 ** 20, 1)
    if case.tlc is not None:
        mine = (run.distinct, run.generated, run.depth)
        run.tlc_counts = "same" if mine == case.tlc else f"differ: TLC {case.tlc}"
    return run


# ---------------------------------------------------------------- the cost of vacuity

VACUITY_CASES = ("ipam-fixed", "ipam-v1_12", "ipam-all")


def vacuity_cost(case: Case, repeat: int, cache_dir: str) -> dict:
    """The case with premise observation (as `check` runs by default) and without
    (`--no-vacuity`), alternately, `repeat` times each; the fastest run of each kind."""
    off = Case(case.name, case.spec, case.variants, case.consts, case.workers, flags=("--no-vacuity",))
    best: dict[str, Run] = {}
    for k in range(repeat):
        for name, c in ((("with", case), ("without", off)) if k % 2 == 0 else (("without", off), ("with", case))):
            run = _run_kovn(c, cache_dir)
            if name not in best or (not run.error and run.cpu_s < best[name].cpu_s):
                best[name] = run
    on, no = best["with"], best["without"]

    def pct(a: float, b: float) -> float | None:
        return round(100 * (a / b - 1), 1) if b else None
    return {"case": case.name, "distinct": on.distinct, "error": on.error or no.error,
            "search_with_s": on.search_s, "search_without_s": no.search_s,
            "cpu_with_s": on.cpu_s, "cpu_without_s": no.cpu_s,
            "wall_with_s": on.wall_s, "wall_without_s": no.wall_s,
            "overhead_search_pct": pct(on.search_s, no.search_s), "overhead_cpu_pct": pct(on.cpu_s, no.cpu_s),
            "overhead_wall_pct": pct(on.wall_s, no.wall_s), "load": on.load}


def vacuity_table(rows: list[dict]) -> str:
    out = [("case", "distinct", "CPU s with", "without", "overhead", "search s with", "without", "overhead",
            "wall s with", "without", "load")]
    for r in rows:
        if r["error"]:
            out.append((r["case"], "error", r["error"][:60], "", "", "", "", "", "", "", ""))
            continue
        out.append((r["case"], f"{r['distinct']:,}", f"{r['cpu_with_s']:.3f}", f"{r['cpu_without_s']:.3f}",
                    f"{r['overhead_cpu_pct']:+.1f}%", f"{r['search_with_s']:.3f}", f"{r['search_without_s']:.3f}",
                    f"{r['overhead_search_pct']:+.1f}%", f"{r['wall_with_s']:.3f}", f"{r['wall_without_s']:.3f}",
                    f"{r['load']:.1f}"))
    return _aligned(out)


# ---------------------------------------------------------------- partial-order reduction

POR_CASES = (
    Case("workers4", "models/workers.kovn", ("default",), note="(STEPS+1)^N states against N*STEPS+1"),
    Case("workers6", "models/workers.kovn", ("default",), ("N=6", "STEPS=4")),
    Case("twophase7", "models/twophase.kovn", ("plain",), ("N=7",)),
    Case("peterson5", "models/peterson.kovn", ("default",), ("N=5",)),
    Case("k8s-aigw", "models/k8s/aigw_finalizer_conflict.kovn", ()),
    Case("k8s-fluid", "models/k8s/fluid_restart.kovn", ()),
    Case("k8s-kubefed", "models/k8s/kubefed_orphan.kovn", ()),
    Case("ipam-fixed", "spec/ipam.kovn", ("fixed",)),
    Case("ipam-nics2", "spec/ipam.kovn", ("fixed",), ("NICS=2",)),
    Case("ipam-pods2", "spec/ipam.kovn", ("fixed",), ("PODS=2",)),
    Case("ipam-pods2-nics2", "spec/ipam.kovn", ("fixed",), ("PODS=2", "NICS=2")),
)


def por_reduction(case: Case, timeout: float | None) -> list[dict]:
    """Each variant of the case searched in full and with partial-order reduction (`--por`),
    in this process (the front end is the same for both, and not timed). A variant with
    temporal properties (or symmetry) is never reduced (ADR 0034): its safety properties
    are measured, the variant with its temporal properties (and symmetry) dropped, as
    `dropped` says."""
    import dataclasses

    from checker import api
    from checker.compile.model import SpecModel
    from checker.engine import CheckOptions, explore
    consts = api.parse_consts(list(case.consts)) if case.consts else None
    compiled, _ = api.compile_spec(str(ROOT / case.spec), consts, list(case.variants) or None, lint=False)
    rows = []
    for variant, model in compiled:
        spec = model.spec
        dropped = [what for what, there in (("temporal properties", spec.temporals), ("symmetry", spec.symmetry))
                   if there]
        if dropped:
            model = SpecModel(dataclasses.replace(spec, temporals=(), fairness=(), symmetry=()))
        full = explore(model, CheckOptions(timeout=timeout))
        red = explore(model, CheckOptions(timeout=timeout, por=True))
        po = red.partial_order
        complete = full.limit is None and red.limit is None and full.stopped is None and red.stopped is None
        rows.append({
            "case": case.name, "variant": variant.name, "dropped": dropped,
            "verdict": full.verdict.value, "verdict_por": red.verdict.value,
            "distinct": full.stats.distinct, "distinct_por": red.stats.distinct,
            "generated": full.stats.generated, "generated_por": red.stats.generated,
            "search_s": round(full.stats.seconds, 3), "search_por_s": round(red.stats.seconds, 3),
            "limit": full.limit or red.limit,
            "reduced_states": po.reduced if po else 0, "full_states": po.full if po else 0,
            "proviso_states": po.proviso if po else 0, "por_off": red.partial_order_off,
            "factor_states": round(full.stats.distinct / red.stats.distinct, 2)
            if complete and red.stats.distinct else None,
            "factor_time": round(full.stats.seconds / red.stats.seconds, 2)
            if complete and red.stats.seconds else None})
    return rows


def porgen_totals(seeds: range, timeout: float | None) -> dict:
    """tests/engine/porgen.py's random specs of loosely coupled processes, each searched in
    full and reduced: how many were reduced, the states in all, whether every verdict agreed."""
    import tempfile as _tempfile

    from checker import api
    from checker.engine import CheckOptions, explore
    sys.path.insert(0, str(ROOT / "tests" / "engine"))
    from porgen import spec_from_seed
    out = {"case": f"porgen{len(seeds)}", "specs": 0, "reduced": 0, "distinct": 0, "distinct_por": 0,
           "search_s": 0.0, "search_por_s": 0.0, "agree": True}
    with _tempfile.TemporaryDirectory(prefix="kovn-porgen-") as tmp:
        for seed in seeds:
            path = Path(tmp) / f"p{seed}.kovn"
            path.write_text(spec_from_seed(seed), encoding="utf-8")
            for _, model in api.compile_spec(str(path), lint=False)[0]:
                full = explore(model, CheckOptions(timeout=timeout))
                red = explore(model, CheckOptions(timeout=timeout, por=True))
                out["specs"] += 1
                out["reduced"] += bool(red.partial_order and red.partial_order.reduced)
                out["distinct"] += full.stats.distinct
                out["distinct_por"] += red.stats.distinct
                out["search_s"] += full.stats.seconds
                out["search_por_s"] += red.stats.seconds
                out["agree"] &= full.verdict is red.verdict
    out["search_s"], out["search_por_s"] = round(out["search_s"], 2), round(out["search_por_s"], 2)
    return out


def por_table(rows: list[dict]) -> str:
    out = [("case", "variant", "distinct", "with POR", "factor", "search s", "with POR", "factor",
            "ample / full (proviso)", "note")]
    for r in rows:
        note = "; ".join(filter(None, [f"{', '.join(r['dropped'])} dropped" if r["dropped"] else "",
                                       f"limit {r['limit']}" if r["limit"] else "",
                                       f"off: {r['por_off']}" if r["por_off"] else ""]))
        out.append((r["case"], r["variant"], f"{r['distinct']:,}", f"{r['distinct_por']:,}",
                    r["factor_states"] if r["factor_states"] is not None else "-", f"{r['search_s']:.2f}",
                    f"{r['search_por_s']:.2f}", r["factor_time"] if r["factor_time"] is not None else "-",
                    f"{r['reduced_states']:,} / {r['full_states']:,} ({r['proviso_states']:,})", note))
    return _aligned(out)


def _por_main(args, suite) -> int:
    rows = []
    totals = porgen_totals(range(300), args.timeout) if not args.cases else None
    if totals is not None:
        print(f"  {totals['case']}: {totals['reduced']} of {totals['specs']} reduced, "
              f"{totals['distinct']:,} -> {totals['distinct_por']:,} states", file=sys.stderr, flush=True)
    for case in suite:
        found = por_reduction(case, args.timeout)
        rows += found
        for r in found:
            print(f"  {case.name} {r['variant']}: {r['distinct']:,} -> {r['distinct_por']:,}",
                  file=sys.stderr, flush=True)
    print(por_table(rows))
    if totals is not None:
        print(f"{totals['case']}: {totals['reduced']} of {totals['specs']} specs reduced; "
              f"{totals['distinct']:,} states in full, {totals['distinct_por']:,} reduced; search "
              f"{totals['search_s']} s in full, {totals['search_por_s']} s reduced; verdicts agree: {totals['agree']}")
    text = json.dumps({"python": sys.version.split()[0], "cpus": os.cpu_count(), "por": rows, "porgen": totals},
                      indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    bad = any(r["verdict"] != r["verdict_por"] for r in rows) or (totals is not None and not totals["agree"])
    return 1 if bad else 0


# ---------------------------------------------------------------- SPIN

def spin_available() -> bool:
    return shutil.which("spin") is not None and (shutil.which("gcc") or shutil.which("cc")) is not None


def run_spin(case: Case, repeat: int) -> dict:
    """SPIN's figures for the case's Promela model: compiled once, run `repeat` times."""
    with tempfile.TemporaryDirectory(prefix="kovn-spin-") as tmp:
        src = Path(tmp) / case.promela
        shutil.copy(PROMELA / case.promela, src)
        defines = [f"-D{d}" for d in case.defines]
        cc = shutil.which("gcc") or shutil.which("cc")
        steps = [["spin", "-a", *defines, src.name],
                 [cc, "-O2", "-DBFS", "-DNOREDUCE", "-DSAFETY", "-o", "pan", "pan.c"]]
        for step in steps:
            done = subprocess.run(step, cwd=tmp, capture_output=True, text=True)
            if done.returncode != 0:
                return {"error": f"{step[0]}: {(done.stdout + done.stderr).strip()[-300:]}"}
        best: dict = {}
        for _ in range(repeat):
            start = perf_counter()
            done = subprocess.run(["./pan", "-E"], cwd=tmp, capture_output=True, text=True)
            wall = perf_counter() - start
            figures = parse_pan(done.stdout)
            figures["wall_s"] = round(wall, 3)
            if not best or wall < best["wall_s"]:
                best = figures
        return best


def parse_pan(out: str) -> dict:
    """The counts in pan's report: stored states, transitions (TLC's generated), depth
    (pan counts from 0; TLC and kovn count levels from 1), memory."""
    def number(pattern: str) -> float | None:
        m = re.search(pattern, out)
        return float(m.group(1)) if m else None
    stored = number(r"(\d+) states, stored")
    transitions = number(r"(\d+) transitions \(= stored\+matched\)")
    depth = number(r"depth reached (\d+)")
    memory = number(r"([\d.]+)\s+total actual memory usage")
    errors = number(r"errors: (\d+)")
    return {"distinct": int(stored or 0), "generated": int(transitions or 0),
            "depth": int(depth + 1) if depth is not None else 0,
            "memory_mib": memory or 0.0, "errors": int(errors or 0)}


# ---------------------------------------------------------------- output

COLUMNS = ("case", "distinct", "generated", "depth", "wall s", "first s", "reported s", "search s", "gen/s",
           "RSS MiB", "load", "TLC counts")


def table(runs: list[Run]) -> str:
    rows = [COLUMNS]
    spin_rows = []
    for r in runs:
        if r.error:
            rows.append((r.case, "error", r.error[:60], "", "", "", "", "", "", "", "", ""))
            continue
        rows.append((r.case, f"{r.distinct:,}", f"{r.generated:,}", str(r.depth), f"{r.wall_s:.3f}",
                     f"{r.first_s:.3f}", f"{r.reported_s:.3f}", f"{r.search_s:.3f}", f"{r.states_per_s:,.0f}",
                     f"{r.peak_rss_mib:.0f}",
                     f"{r.load:.1f}", r.tlc_counts or "-"))
        if r.spin and not r.spin.get("error"):
            s = r.spin
            same = (s["distinct"], s["generated"], s["depth"]) == (r.distinct, r.generated, r.depth)
            spin_rows.append((r.case, f"{s['distinct']:,}", f"{s['generated']:,}", str(s["depth"]),
                              f"{s['wall_s']:.2f}", f"{s['memory_mib']:.0f}",
                              f"{r.wall_s / s['wall_s']:.1f}x" if s["wall_s"] else "-",
                              "yes" if same else "NO"))
        elif r.spin:
            spin_rows.append((r.case, "error", r.spin["error"][:60], "", "", "", "", ""))
    out = _aligned(rows)
    out += _reductions(runs)
    out += tlc_table(runs)
    if spin_rows:
        out += "\n\nSPIN (breadth-first, -DNOREDUCE; compile not timed)\n"
        out += _aligned([("case", "distinct", "generated", "depth", "wall s", "memory MiB",
                          "kovn / SPIN", "same counts")] + spin_rows)
    return out


def tlc_table(runs: list[Run]) -> str:
    """TLC's figures beside kovn's, for the cases TLC ran: its counts (and which of them
    differ from kovn's), wall seconds, CPU seconds (user + system, all its threads: JIT and
    garbage collector included) and peak RSS of the `java` process, and kovn / TLC of wall
    and of CPU time (the CPU ratio is less disturbed by other jobs on the machine)."""
    rows = []
    for r in runs:
        t = r.tlc_run
        if not t or r.error:
            continue
        if t.get("error"):
            rows.append((r.case, "error", t["error"][:60], "", "", "", "", "", "", ""))
            continue
        differ = [name for name in ("distinct", "generated", "depth") if t[name] != getattr(r, name)]
        rows.append((r.case, f"{t['distinct']:,}", f"{t['generated']:,}", str(t["depth"]), f"{t['wall_s']:.2f}",
                     f"{t['cpu_s']:.2f}", f"{t['peak_rss_mib']:.0f}",
                     f"{r.wall_s / t['wall_s']:.2f}x" if t["wall_s"] else "-",
                     f"{r.cpu_s / t['cpu_s']:.2f}x" if t["cpu_s"] else "-",
                     "yes" if not differ else "NO: " + ", ".join(differ)))
    if not rows:
        return ""
    version = next((r.tlc_run["version"] for r in runs if r.tlc_run.get("version")), "")
    return (f"\n\nTLC {version} (one worker; the whole java process)\n"
            + _aligned([("case", "distinct", "generated", "depth", "wall s", "CPU s", "RSS MiB", "kovn / TLC",
                         "CPU kovn / TLC", "same counts")] + rows))


def _reductions(runs: list[Run]) -> str:
    """The reduction factor (full distinct / reduced distinct) of each pair in REDUCTIONS
    that ran in this benchmark."""
    by = {r.case: r for r in runs if not r.error}
    lines = [f"  {full} / {red}: {by[full].distinct / by[red].distinct:.3f}x fewer states, "
             f"time full / reduced {by[full].wall_s / by[red].wall_s:.2f}"
             for full, red in REDUCTIONS if full in by and red in by and by[red].distinct]
    return ("\n\nreduction factors\n" + "\n".join(lines)) if lines else ""


def _aligned(rows: list[tuple]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python bench/bench.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", help="comma-separated case names (default: the whole suite)")
    p.add_argument("--quick", action="store_true", help="the small suite (a smoke test)")
    p.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is kept")
    p.add_argument("--once", action="store_true",
                   help="no first run without the parsed-file cache (first s is 0): for the long cases")
    p.add_argument("--no-spin", action="store_true", help="do not run SPIN even if installed")
    p.add_argument("--json", metavar="FILE", help="also write the JSON to FILE")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--vacuity", action="store_true",
                   help="each case with and without premise observation (--no-vacuity): its cost "
                        "(default cases: " + ", ".join(VACUITY_CASES) + ")")
    p.add_argument("--por", action="store_true",
                   help="each case searched in full and with partial-order reduction: states and time saved "
                        "(default cases: " + ", ".join(c.name for c in POR_CASES) + ")")
    p.add_argument("--timeout", type=float, default=None, help="with --por: seconds per search")
    p.add_argument("--tlc-jar", metavar="PATH", default=os.environ.get("KOVN_TLC_JAR"),
                   help="tla2tools.jar: run TLC side by side on the cases with a TLA+ original (KOVN_TLC_JAR)")
    p.add_argument("--tla-examples", metavar="DIR", default=os.environ.get("KOVN_TLA_EXAMPLES"),
                   help="a tlaplus/Examples checkout, where the TLA+ originals are (KOVN_TLA_EXAMPLES)")
    p.add_argument("--tla-library", metavar="DIR", default=os.environ.get("KOVN_TLA_LIBRARY"),
                   help="tlaplus/tlapm's library/ (TLAPS), for the specs that import it (KOVN_TLA_LIBRARY)")
    p.add_argument("--no-tlc", action="store_true", help="do not run TLC even if --tlc-jar is given")
    args = p.parse_args(argv)
    suite = QUICK if args.quick else SUITE
    if args.list:
        for c in SUITE + QUICK + POR_CASES:
            print(f"{c.name:16} {c.spec} {' '.join(c.variants) or '(all variants)'} {' '.join(c.consts)}"
                  f"{' --workers ' + str(c.workers) if c.workers > 1 else ''}")
        return 0
    if args.cases:
        known = {c.name: c for c in (POR_CASES if args.por else ()) + SUITE + QUICK}
        unknown = [n for n in args.cases.split(",") if n not in known]
        if unknown:
            p.error(f"unknown case(s): {', '.join(unknown)} (see --list)")
        suite = tuple(known[n] for n in args.cases.split(","))
    if args.por:
        return _por_main(args, suite if args.cases else POR_CASES)
    if args.vacuity:
        return _vacuity_main(args, suite if args.cases else tuple(c for c in SUITE if c.name in VACUITY_CASES))
    spin = spin_available() and not args.no_spin
    tlc = bool(args.tlc_jar and args.tla_examples) and not args.no_tlc
    runs = []
    with tempfile.TemporaryDirectory(prefix="kovn-bench-cache-") as cache_dir:
        prime(cache_dir)
        for case in suite:
            run = run_case(case, max(1, args.repeat), cache_dir, args.once)
            if spin and case.promela:
                run.spin = run_spin(case, max(1, args.repeat))
            tla = tlc_side.tla_spec(case.spec, case.variants) if tlc and case.workers == 1 and not case.flags \
                else None
            if tla is not None:
                run.tlc_run = tlc_side.run_tlc(tla, case.consts, jar=args.tlc_jar, examples=args.tla_examples,
                                               library=args.tla_library, repeat=max(1, args.repeat))
            runs.append(run)
            print(f"  {case.name}: {run.wall_s:.2f} s"
                  + (f", SPIN {run.spin.get('wall_s', 0):.2f} s" if run.spin else "")
                  + (f", TLC {run.tlc_run.get('wall_s', 0):.2f} s" if run.tlc_run else ""),
                  file=sys.stderr, flush=True)
    print(table(runs))
    document = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "spin": spin, "tlc": tlc,
                "runs": [asdict(r) for r in runs]}
    text = json.dumps(document, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 1 if any(r.error or r.tlc_run.get("error") for r in runs) else 0


def _vacuity_main(args, suite) -> int:
    rows = []
    with tempfile.TemporaryDirectory(prefix="kovn-bench-cache-") as cache_dir:
        prime(cache_dir)
        for case in suite:
            rows.append(vacuity_cost(case, max(1, args.repeat), cache_dir))
            print(f"  {case.name}: CPU {rows[-1]['overhead_cpu_pct']}%, search {rows[-1]['overhead_search_pct']}%",
                  file=sys.stderr, flush=True)
    print(vacuity_table(rows))
    text = json.dumps({"python": sys.version.split()[0], "cpus": os.cpu_count(), "vacuity": rows}, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 1 if any(r["error"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
