"""TLC side by side: the TLA+ counterpart of a benchmark case, written out and run by TLC.

Input: a case's spec and constants, a tlaplus/Examples checkout (its `specifications/`
folder), a tla2tools.jar and, for specs whose modules import the proof library, a folder
of TLAPS modules (tlaplus/tlapm's `library/`). Output: TLC's figures for the case (distinct,
generated, depth, wall seconds of the whole `java` process, its peak RSS), read from TLC's
report.

None of the TLA+ is kept in this repository: the spec's modules are copied from the
Examples checkout into a temporary directory, next to a small module of ours
(`KovnBench.tla`: EXTENDS the example's module and defines what a `.cfg` cannot state, such
as the invariant the kovn model checks, written in TLA+ from the kovn model, a function-valued
constant or a symmetry set) and a `.cfg` of ours written from the case's constants. TLC runs
there with one worker (`-workers 1`), its metadata directory inside it (`-metadir`),
`-deadlock` where the kovn model allows deadlock (every model here does), so that it checks
what kovn checks: the same initial states, actions, invariants, constraint and symmetry.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Callable

WRAPPER = "KovnBench"          # the module (and .cfg) the benchmark writes


@dataclass(frozen=True)
class TlaSpec:
    """How to check a kovn spec's TLA+ original with TLC.

    `constants`, `definitions` and the rest are templates: `{NAME}` is replaced by the
    case's value of the kovn constant NAME (its `--const`, else `defaults`), and by the
    entries `derive` computes from those (e.g. a set of model values of size N)."""

    directory: str                       # under the Examples checkout
    extends: str                         # the module KovnBench EXTENDS
    constants: tuple[str, ...]           # CONSTANTS lines of the cfg
    invariants: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()    # TLA+ definitions of KovnBench
    specification: str = "Spec"
    constraint: str | None = None
    symmetry: str | None = None          # a definition of KovnBench: SYMMETRY
    deadlock: bool = False               # the kovn model allows deadlock: TLC's -deadlock
    library: bool = False                # its modules import TLAPS (tlapm's library needed)
    defaults: dict = field(default_factory=dict)
    derive: Callable[[dict], dict] | None = None


def model_values(prefix: str, n: int) -> str:
    """`{r1, r2, ..., rn}`: a set of n model values (declared by the cfg)."""
    return "{" + ", ".join(f"{prefix}{i}" for i in range(1, n + 1)) + "}"


def _twophase(c: dict) -> dict:
    return {"RMs": model_values("r", int(c["N"]))}


def _diehard(c: dict) -> dict:
    caps = [int(x) for x in re.findall(r"\d+", c["Cap"])]
    return {"Jugs": f"0..{len(caps) - 1}", "Caps": "<<" + ", ".join(map(str, caps)) + ">>"}


# The kovn specs with a TLA+ original in tlaplus/Examples, keyed by spec and variant.
# The invariants are those the kovn variant checks; where the example defines the same
# predicate it is named, else KovnBench states it.
TLA_SPECS: dict[tuple[str, str], TlaSpec] = {
    ("models/tla/paxos.kovn", "default"): TlaSpec(
        "specifications/PaxosHowToWinATuringAward", "MCPaxos",
        # as MCPaxosTiny.cfg, with MaxBallot from the case
        ("MaxBallot = {MaxBallot}", "a1 = a1", "a2 = a2", "a3 = a3", "v1 = v1", "v2 = v2", "None = None",
         "Acceptor <- const_1560336937634605000", "Value <- const_1560336937634606000",
         "Quorum <- const_1560336937634607000", "Ballot <- def_ov_1560336937634609000",
         "Ballot <- [Voting]def_ov_1560336937634610000"),
        invariants=("MaxBalAbove", "VotedValue", "OneValuePerBallot"),
        definitions=(
            "MaxBalAbove == \\A a \\in Acceptor : maxBal[a] >= maxVBal[a]",
            "VotedValue == \\A a \\in Acceptor : IF maxVBal[a] = -1 THEN maxVal[a] = None\n"
            "                ELSE <<maxVBal[a], maxVal[a]>> \\in votes[a]",
            "OneValuePerBallot == \\A m1, m2 \\in msgs :\n"
            "    (m1.type = \"2a\" /\\ m2.type = \"2a\" /\\ m1.bal = m2.bal) => m1.val = m2.val"),
        deadlock=True, library=True, defaults={"MaxBallot": "1"}),
    ("models/tla/readerswriters.kovn", "default"): TlaSpec(
        "specifications/ReadersWriters", "ReadersWriters", ("NumActors = {NumActors}",),
        invariants=("Safety",), deadlock=True, defaults={"NumActors": "3"}),
    ("models/tla/fifo.kovn", "default"): TlaSpec(
        "specifications/SpecifyingSystems/FIFO", "MCInnerFIFO",
        ("Message = {{m1, m2, m3}}", "qLen = {QLen}"),
        # TLC checks the invariants of the states its constraint then drops (a fourth message
        # in q), which kovn never generates: the model's bound is its constraint, and the
        # invariant TLC checks is the example's type invariant, as its manifest's run does
        invariants=("TypeInvariant",), constraint="qConstraint", deadlock=True, defaults={"QLen": "3"}),
    ("models/tla/tokenring.kovn", "default"): TlaSpec(
        "specifications/ewd426", "TokenRing", ("N = {N}", "M = {M}"),
        invariants=("TypeOK",), deadlock=True, defaults={"N": "6", "M": "6"}),
    ("models/tla/ewd840.kovn", "default"): TlaSpec(
        "specifications/ewd840", "EWD840", ("N = {N}",),
        invariants=("TerminationDetection", "Inv"), deadlock=True, defaults={"N": "3"}),
    ("models/twophase.kovn", "plain"): TlaSpec(
        "specifications/transaction_commit", "TwoPhase", ("RM = {RMs}",), specification="TPSpec",
        invariants=("TCConsistent",), definitions=("TCConsistent == TC!TCConsistent",),
        deadlock=True, defaults={"N": "3"}, derive=_twophase),
    ("models/twophase.kovn", "symmetric"): TlaSpec(
        "specifications/transaction_commit", "TwoPhase", ("RM = {RMs}",), specification="TPSpec",
        invariants=("TCConsistent",),
        definitions=("TCConsistent == TC!TCConsistent", "RMPermutations == Permutations(RM)"),
        symmetry="RMPermutations", deadlock=True, defaults={"N": "3"}, derive=_twophase),
    ("models/diehard.kovn", "space"): TlaSpec(
        "specifications/DieHard", "DieHarder", ("Goal = {Goal}", "Jug <- KovnJug", "Capacity <- KovnCapacity"),
        definitions=("KovnJug == {Jugs}", "KovnCapacity == [j \\in KovnJug |-> {Caps}[j + 1]]"),
        deadlock=True, defaults={"Cap": "[3, 5]", "Goal": "4"}, derive=_diehard),
}


def tla_spec(spec: str, variants: tuple[str, ...]) -> TlaSpec | None:
    """The TLA+ counterpart of a one-variant case, if there is one."""
    return TLA_SPECS.get((spec, variants[0])) if len(variants) == 1 else None


def _values(tla: TlaSpec, consts: tuple[str, ...]) -> dict:
    values = dict(tla.defaults)
    for c in consts:
        name, _, value = c.partition("=")
        values[name.strip()] = value.strip()
    if tla.derive is not None:
        values.update(tla.derive(values))
    return values


def write_module(tla: TlaSpec, consts: tuple[str, ...]) -> str:
    """KovnBench.tla: the example's module extended with our definitions."""
    values = _values(tla, consts)
    body = "\n\n".join(d.format(**values) for d in tla.definitions)
    return (f"---- MODULE {WRAPPER} ----\n"
            f"\\* Written by kovn's bench/bench.py for TLC side by side: not part of tlaplus/Examples.\n"
            f"EXTENDS {tla.extends}, TLC\n\n{body}\n====\n")


def write_cfg(tla: TlaSpec, consts: tuple[str, ...]) -> str:
    """KovnBench.cfg: constants, the specification, constraint, invariants, symmetry."""
    values = _values(tla, consts)
    lines = ["CONSTANTS", *(f"  {c.format(**values)}" for c in tla.constants),
             f"SPECIFICATION {tla.specification}"]
    if tla.constraint:
        lines.append(f"CONSTRAINT {tla.constraint}")
    if tla.invariants:
        lines += ["INVARIANTS", *(f"  {i}" for i in tla.invariants)]
    if tla.symmetry:
        lines.append(f"SYMMETRY {tla.symmetry}")
    return "\n".join(lines) + "\n"


def command(tla: TlaSpec, jar: str, library: str | None, metadir: str, java: str = "java") -> list[str]:
    """The java command line (ParallelGC, as TLC's own scripts and the Toolbox run it)."""
    cmd = [java, "-XX:+UseParallelGC"]
    if tla.library and library:
        cmd.append(f"-DTLA-Library={library}")
    cmd += ["-cp", jar, "tlc2.TLC", "-workers", "1", "-metadir", metadir]
    if tla.deadlock:
        cmd.append("-deadlock")
    return cmd + ["-config", f"{WRAPPER}.cfg", f"{WRAPPER}.tla"]


def parse_tlc(out: str) -> dict:
    """TLC's counts, verdict and version in its report. `error` is set unless TLC said
    "Model checking completed. No error has been found." and printed its counts."""
    def number(pattern: str) -> int | None:
        m = re.search(pattern, out)
        return int(m.group(1).replace(",", "")) if m else None
    counts = re.search(r"([\d,]+) states generated, ([\d,]+) distinct states found, ([\d,]+) states left on queue",
                       out)
    depth = number(r"The depth of the complete state graph search is ([\d,]+)")
    version = re.search(r"TLC2 Version (\S+)", out)
    figures = {"distinct": int(counts.group(2).replace(",", "")) if counts else 0,
               "generated": int(counts.group(1).replace(",", "")) if counts else 0,
               "depth": depth or 0, "version": version.group(1) if version else "", "error": ""}
    if "Model checking completed. No error has been found." not in out or not counts:
        errors = [line for line in out.splitlines() if line.startswith("Error:")]
        figures["error"] = (" ".join(errors) or out.strip()[-300:] or "no report from TLC")[:300]
    return figures


def prepare(tla: TlaSpec, consts: tuple[str, ...], examples: str, directory: Path) -> None:
    """The example's modules and ours, in `directory`."""
    source = Path(examples) / tla.directory
    if not source.is_dir():
        raise FileNotFoundError(f"{source}: not in the tlaplus/Examples checkout")
    for module in source.glob("*.tla"):
        shutil.copy(module, directory / module.name)
    (directory / f"{WRAPPER}.tla").write_text(write_module(tla, consts), encoding="utf-8")
    (directory / f"{WRAPPER}.cfg").write_text(write_cfg(tla, consts), encoding="utf-8")


def run_tlc(tla: TlaSpec, consts: tuple[str, ...], *, jar: str, examples: str, library: str | None,
            repeat: int, java: str = "java") -> dict:
    """TLC's figures for the case, the fastest of `repeat` runs (each a fresh `java`
    process, timed whole: JVM start, parsing, search)."""
    if tla.library and not library:
        return {"error": "its modules import TLAPS: give --tla-library (tlaplus/tlapm's library/)"}
    best: dict = {}
    with tempfile.TemporaryDirectory(prefix="kovn-tlc-") as tmp:
        try:
            prepare(tla, consts, examples, Path(tmp))
        except FileNotFoundError as e:
            return {"error": str(e)}
        for k in range(repeat):
            metadir = Path(tmp) / f"states{k}"
            figures = _run_once(command(tla, jar, library, str(metadir), java), tmp)
            shutil.rmtree(metadir, ignore_errors=True)
            if not best or (not figures["error"] and (best["error"] or figures["wall_s"] < best["wall_s"])):
                best = figures
    return best


def _run_once(cmd: list[str], cwd: str) -> dict:
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        start = perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True)
        # wait4: this process's own peak RSS (RUSAGE_CHILDREN would be the largest child so far)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    figures = parse_tlc(text)
    if proc.returncode != 0 and not figures["error"]:
        figures["error"] = f"exit {proc.returncode}: {text.strip()[-300:]}"
    figures.update(wall_s=round(wall, 3), peak_rss_mib=round(usage.ru_maxrss / 1024, 1), load=round(load, 2),
                   cpu_s=round(usage.ru_utime + usage.ru_stime, 3))
    return figures
