"""TLC side by side in the benchmark (bench/tlc.py), without TLC: its report is read from
output captured from real TLC runs (tests/bench/data), the .cfg and module of definitions
are written from a case's constants, and a run goes end to end with a stand-in for `java`
that prints the captured report. Timings are only printed, never asserted."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module      # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tlc = _load("kovn_bench_tlc", ROOT / "bench" / "tlc.py")


def test_the_counts_and_version_are_read_from_a_real_tlc_report():
    figures = tlc.parse_tlc((DATA / "tlc_paxos.out").read_text())
    assert figures == {"distinct": 3_921, "generated": 23_563, "depth": 17,
                       "version": "2026.04.29.164809", "error": ""}


def test_a_violated_invariant_is_an_error_not_figures():
    figures = tlc.parse_tlc((DATA / "tlc_violation.out").read_text())
    assert figures["error"].startswith("Error: Invariant NotSolved is violated.")


def test_a_report_cut_short_is_an_error():
    text = (DATA / "tlc_paxos.out").read_text()
    cut = text[:text.index("Model checking completed")]
    assert tlc.parse_tlc(cut)["error"]
    assert tlc.parse_tlc("")["error"]


def test_counts_with_thousands_separators_are_read():
    text = ("Model checking completed. No error has been found.\n"
            "2,744,706 states generated, 296,448 distinct states found, 0 states left on queue.\n"
            "The depth of the complete state graph search is 23.\n")
    figures = tlc.parse_tlc(text)
    assert (figures["distinct"], figures["generated"], figures["depth"]) == (296_448, 2_744_706, 23)


def test_the_cfg_is_written_from_the_cases_constants():
    sym = tlc.tla_spec("models/twophase.kovn", ("symmetric",))
    assert tlc.write_cfg(sym, ("N=4",)) == (
        "CONSTANTS\n  RM = {r1, r2, r3, r4}\nSPECIFICATION TPSpec\n"
        "INVARIANTS\n  TCConsistent\nSYMMETRY RMPermutations\n")
    module = tlc.write_module(sym, ("N=4",))
    assert module.startswith("---- MODULE KovnBench ----\n") and module.endswith("====\n")
    assert "EXTENDS TwoPhase, TLC" in module and "RMPermutations == Permutations(RM)" in module
    fifo = tlc.tla_spec("models/tla/fifo.kovn", ("default",))
    assert "  Message = {m1, m2, m3}\n  qLen = 3\n" in tlc.write_cfg(fifo, ())
    assert "CONSTRAINT qConstraint\n" in tlc.write_cfg(fifo, ())


def test_a_function_valued_constant_is_defined_in_the_module():
    jugs = tlc.tla_spec("models/diehard.kovn", ("space",))
    module = tlc.write_module(jugs, ("Cap=[20, 31, 47, 61]",))
    assert "KovnJug == 0..3" in module
    assert "KovnCapacity == [j \\in KovnJug |-> <<20, 31, 47, 61>>[j + 1]]" in module
    assert "Capacity <- KovnCapacity" in tlc.write_cfg(jugs, ())
    assert "INVARIANTS" not in tlc.write_cfg(jugs, ())     # the whole space, as the kovn variant


def test_defaults_are_the_kovn_specs_and_consts_override_them():
    rw = tlc.tla_spec("models/tla/readerswriters.kovn", ("default",))
    assert "NumActors = 3" in tlc.write_cfg(rw, ())
    assert "NumActors = 4" in tlc.write_cfg(rw, ("NumActors=4",))
    for (spec, _), tla in tlc.TLA_SPECS.items():
        text = (ROOT / spec).read_text()
        for name, value in tla.defaults.items():
            declared = re.search(rf"^const {name}: [^=]+= (.+)$", text, re.M)
            assert declared and declared.group(1).strip() == value, (spec, name)


def test_every_tla_counterpart_names_a_kovn_variant_and_only_one_variant_cases_have_one():
    for spec, variant in tlc.TLA_SPECS:
        assert re.search(rf"^variant {variant} \{{", (ROOT / spec).read_text(), re.M), (spec, variant)
    assert tlc.tla_spec("models/twophase.kovn", ("plain", "symmetric")) is None
    assert tlc.tla_spec("models/peterson.kovn", ("default",)) is None


def test_the_command_runs_one_worker_without_deadlock_checks_and_the_library_only_where_needed():
    paxos = tlc.tla_spec("models/tla/paxos.kovn", ("default",))
    cmd = tlc.command(paxos, "tla2tools.jar", "/lib", "/tmp/m")
    assert cmd[:3] == ["java", "-XX:+UseParallelGC", "-DTLA-Library=/lib"]
    assert cmd[cmd.index("-workers") + 1] == "1" and cmd[cmd.index("-metadir") + 1] == "/tmp/m"
    assert "-deadlock" in cmd and cmd[-3:] == ["-config", "KovnBench.cfg", "KovnBench.tla"]
    ring = tlc.tla_spec("models/tla/tokenring.kovn", ("default",))
    assert not any(a.startswith("-DTLA-Library") for a in tlc.command(ring, "j", "/lib", "/tmp/m"))
    assert "error" in tlc.run_tlc(paxos, (), jar="j", examples="/nowhere", library=None, repeat=1)


def _fake_java(tmp_path: Path, report: Path) -> Path:
    """A stand-in for `java`: checks it is called as TLC would be, in a directory holding
    the example's module and ours, and prints a captured TLC report."""
    script = tmp_path / "java"
    script.write_text(f"""#!{sys.executable}
import sys
from pathlib import Path
args = sys.argv[1:]
assert args[args.index("-workers") + 1] == "1", args
assert Path("KovnBench.cfg").is_file() and Path("ReadersWriters.tla").is_file()
assert "EXTENDS ReadersWriters" in Path("KovnBench.tla").read_text()
print(Path({str(report)!r}).read_text(), end="")
""")
    script.chmod(0o755)
    return script


def test_a_run_copies_the_example_writes_ours_and_reads_the_report(tmp_path):
    examples = tmp_path / "Examples"
    (examples / "specifications" / "ReadersWriters").mkdir(parents=True)
    (examples / "specifications" / "ReadersWriters" / "ReadersWriters.tla").write_text("---- MODULE x ----\n====\n")
    rw = tlc.tla_spec("models/tla/readerswriters.kovn", ("default",))
    java = _fake_java(tmp_path, DATA / "tlc_paxos.out")
    figures = tlc.run_tlc(rw, ("NumActors=3",), jar="tla2tools.jar", examples=str(examples), library=None,
                          repeat=2, java=str(java))
    assert figures["error"] == "" and (figures["distinct"], figures["depth"]) == (3_921, 17)
    assert figures["wall_s"] > 0 and figures["peak_rss_mib"] > 0
    failing = tlc.run_tlc(rw, (), jar="j", examples=str(examples), library=None, repeat=1,
                          java=str(_fake_java(tmp_path, DATA / "tlc_violation.out")))
    assert failing["error"].startswith("Error: Invariant NotSolved is violated.")


def test_the_benchmark_table_puts_tlc_beside_kovn():
    bench = _load("kovn_bench_for_tlc", ROOT / "bench" / "bench.py")
    same = bench.Run("rw3", distinct=10, generated=20, depth=3, wall_s=1.0, cpu_s=0.9,
                     tlc_run={"distinct": 10, "generated": 20, "depth": 3, "wall_s": 4.0, "cpu_s": 6.0,
                              "peak_rss_mib": 200.0, "version": "2026.04.29.164809", "error": ""})
    differ = bench.Run("fifo3", distinct=10, generated=20, depth=3, wall_s=3.0, cpu_s=3.0,
                       tlc_run={"distinct": 10, "generated": 25, "depth": 3, "wall_s": 2.0, "cpu_s": 2.0,
                                "peak_rss_mib": 100.0, "version": "2026.04.29.164809", "error": ""})
    text = bench.table([same, differ, bench.Run("peterson5", distinct=1, wall_s=1.0)])
    assert "TLC 2026.04.29.164809 (one worker; the whole java process)" in text
    rows = {line.split()[0]: line.split() for line in text.split("TLC 2026")[1].splitlines()[3:]}
    assert rows["rw3"][4:] == ["4.00", "6.00", "200", "0.25x", "0.15x", "yes"]
    assert rows["fifo3"][4:] == ["2.00", "2.00", "100", "1.50x", "1.50x", "NO:", "generated"]
    assert "peterson5" not in rows
    assert "TLC 2026" not in bench.table([bench.Run("peterson5", distinct=1, wall_s=1.0)])
