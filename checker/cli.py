"""The `check` command: argv in, exit code out (docs/cli.md). Thin: parsing options,
calling api.check, printing the report; no checking logic lives here.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import traceback

from checker import api, codes
from checker.diagnostics import DiagnosticError, printable, render_all
from checker.engine import CheckOptions, budget
from checker.engine.options import VECTOR_FROM
from checker.engine.budget import INTERRUPT, TERMINATED, LimitReached, default_max_memory, memory_limit
from checker.engine.checkpoint import CheckpointError
from checker.distributed import ClusterError
from checker.engine.progress import Progress
from checker.report import exitcodes

from checker import __version__  # noqa: F401 - `check --version`, and the ones importing it here


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit(2); we report and exit 151
        raise UsageError(message + _did_you_mean(self, message))


def _did_you_mean(parser: argparse.ArgumentParser, message: str) -> str:
    """`--varient`: the option meant, when one is close to what was given."""
    import difflib
    import re
    given = re.findall(r"(?<![\w-])(--?[\w-]+)", message.partition(":")[2])
    options = [o for a in parser._actions for o in a.option_strings]
    for word in given:
        close = difflib.get_close_matches(word.partition("=")[0], options, n=1, cutoff=0.6)
        if close and word not in options:
            return f" (did you mean {close[0]}?)"
    return ""


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="check", description="Model-check a kovn spec: every variant against its expectation.")
    p.add_argument("spec", help="the .kovn file to check")
    p.add_argument("--variant", action="append", metavar="NAME",
                   help="check only this variant and exit with its verdict (repeatable)")
    p.add_argument("--const", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant in every variant (value in the spec's syntax)")
    p.add_argument("--symmetry", action="append", default=[], metavar="TYPE",
                   help="reduce by this symmetric type in every variant checked (temporal properties "
                        "are then left unknown); repeatable")
    p.add_argument("--json", action="store_true", help="print one JSON summary instead of the report")
    _add_ci_flags(p)
    _add_render_flags(p)
    p.add_argument("--max-states", type=positive_int, metavar="N", help="stop after N distinct states (INCOMPLETE)")
    p.add_argument("--max-depth", type=positive_int, metavar="N",
                   help="do not explore beyond BFS level N (INCOMPLETE if level N has new successors)")
    p.add_argument("--timeout", type=positive_float, metavar="SECONDS",
                   help="stop after this long, in any phase (INCOMPLETE)")
    p.add_argument("--max-memory", type=memory_size, metavar="SIZE",
                   help="stop when kovn's processes use more memory than this, e.g. 512M or 4G (INCOMPLETE; "
                        "default: half of the machine's memory)")
    p.add_argument("--max-solutions", type=positive_int, metavar="N", default=1024,
                   help="most solutions a `choose x: T where C` may have in a state (default 1024)")
    dl = p.add_mutually_exclusive_group()
    dl.add_argument("--no-deadlock", dest="deadlock", action="store_false", default=None,
                    help="do not report deadlocks")
    dl.add_argument("--deadlock", dest="deadlock", action="store_true",
                    help="report deadlocks even if the spec allows them")
    p.add_argument("--stop-at-first", action="store_true",
                   help="stop at the first violation instead of deciding every property")
    p.add_argument("--strict", action="store_true",
                   help="fail (exit 1) when a variant has a warning it does not acknowledge: never-enabled "
                        "actions, dead guards, vacuous or constant properties, read-after-write hazards, "
                        "liveness artefacts (docs/errors.md, KOV6xx); the search then runs to the end even "
                        "once every property is decided")
    po = p.add_mutually_exclusive_group()
    po.add_argument("--por", dest="por", action="store_true", default=False,
                    help="partial-order reduction: leave out interleavings of independent steps where that "
                         "cannot change a verdict (invariants, action and reachable properties, deadlocks; not "
                         "with temporal properties, symmetry, --strict, --workers); the counts are then those of "
                         "the reduced state space (docs/performance.md, ADR 0034)")
    po.add_argument("--no-por", dest="por", action="store_false",
                    help="no partial-order reduction (the default): the full state space, TLC's counts")
    p.add_argument("--fingerprints", action="store_true",
                   help="keep the states of older levels as 64-bit fingerprints, as TLC does, when they are wider "
                        "than 64 bits: about 24 bytes a state instead of its width, but not exact (a collision "
                        "would leave a state out; the report gives its probability). Not with temporal properties "
                        "unless under --symmetry, nor --workers (docs/performance.md)")
    p.add_argument("--no-vector", dest="vector", action="store_false",
                   help="expand every state with the generated code alone, never a chunk of states at once with "
                        "arrays (the same counts, states and traces either way; ADR 0061)")
    p.add_argument("--no-vacuity", dest="premises", action="store_false",
                   help="do not observe the properties' premises during the search (no KOV603 for a premise "
                        "never true; docs/performance.md gives the cost)")
    p.add_argument("--workers", type=positive_int, metavar="N", default=None,
                   help="search with N processes (default 1; docs/performance.md); with --ray, N Ray actors "
                        "(default: one per CPU of the cluster)")
    p.add_argument("--jobs", type=positive_int, metavar="N", default=None,
                   help="check up to N variants at once, one process each (default: one per CPU; "
                        "1 with --workers; progress lines are shown only with --jobs 1)")
    _add_scale_flags(p)
    p.add_argument("-v", "--verbose", action="store_true", help="show per-action coverage")
    p.add_argument("--traces", nargs="?", const=True, default=None, type=positive_int, metavar="N",
                   help="print every counterexample (by default `check FILE` prints only those of variants "
                        "that do not meet their expectation; --variant prints them all); with --simulate, "
                        "--traces N takes N random walks (default 1000)")
    p.add_argument("--prefer", metavar="LIST", type=_prefer_list, default=(),
                   help="show the counterexample with the least cost: among those of at most the shortest "
                        "length (plus --prefer-slack), or among all violating lassos of a temporal property; "
                        "costs: `faults` (restarts, then injected API errors), or action names (steps taken) and "
                        "variable names (how much a step lowers them), in order")
    p.add_argument("--prefer-slack", metavar="N", type=_natural, default=0,
                   help="with --prefer: allow safety counterexamples up to N steps longer than the shortest "
                        "(default 0)")
    p.add_argument("--hide", metavar="LIST", type=_hide_list, default=frozenset(),
                   help="leave out of the printed traces: variable names (events, queue) and pc, locals, initial, "
                        "decisions, paused, cause, unrelated (steps outside the causal slice), comma-separated")
    p.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    p.add_argument("--show-code", action="store_true", help="print the Python code compiled from the spec and exit")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks of internal errors")
    p.add_argument("--version", action="version", version=f"kovn {__version__}")
    return p


def _add_scale_flags(p: argparse.ArgumentParser) -> None:
    """Beyond one process and one run (docs/scale.md): checkpoints, simulation."""
    p.add_argument("--simulate", action="store_true",
                   help="random walks instead of the exhaustive search: invariants and action properties checked "
                        "on every state and step walked (never OK: what no walk violated stays unknown)")
    p.add_argument("--depth", type=positive_int, metavar="D", default=None,
                   help="with --simulate: steps per walk at most (default 100)")
    p.add_argument("--seed", type=int, metavar="S", default=None,
                   help="with --simulate: the walks' seed (default 0; the same seed gives the same walks)")
    p.add_argument("--itf", metavar="DIR",
                   help="with --simulate: write every walk to DIR as an ITF trace (docs/model-based-testing.md)")
    p.add_argument("--ray", metavar="ADDRESS",
                   help="search on a Ray cluster: its address (host:port, ray://host:port) or `auto` for the "
                        "one this machine belongs to; needs `pip install 'kovn[ray]'` on every node "
                        f"(exit {exitcodes.NO_CLUSTER} without a usable cluster; docs/scale.md)")
    p.add_argument("--checkpoint", metavar="DIR",
                   help="write a checkpoint of each variant's search to DIR at level boundaries (and a final "
                        "one when the run stops: a limit, Ctrl-C, SIGTERM)")
    p.add_argument("--checkpoint-every", type=non_negative_float, metavar="MINUTES", default=None,
                   help="with --checkpoint: minutes between two checkpoints (default 10; 0: every level)")
    p.add_argument("--resume", metavar="DIR",
                   help="go on from the checkpoints in DIR (and keep writing them there unless --checkpoint "
                        "names another directory); refused for another spec text, constants or kovn version "
                        f"(exit {exitcodes.BAD_CHECKPOINT})")


def _persist(args):
    """api.Persist for --checkpoint / --resume (None without them)."""
    if args.checkpoint_every is not None and args.checkpoint is None and args.resume is None:
        raise UsageError("--checkpoint-every needs --checkpoint DIR (where to write them)")
    directory = args.checkpoint or args.resume
    if directory is None:
        return None
    if not directory.strip():
        raise UsageError("--checkpoint needs a directory name")
    minutes = args.checkpoint_every if args.checkpoint_every is not None else DEFAULT_CHECKPOINT_MINUTES
    return api.Persist(directory, minutes * 60, resume=args.resume is not None)


def _simulation(args):
    """engine Simulation for --simulate (None without it); its flags need it."""
    walks = args.traces if isinstance(args.traces, int) and args.traces is not True else None
    if not args.simulate:
        given = [f for f, v in (("--traces N", walks), ("--depth", args.depth), ("--seed", args.seed),
                                ("--itf", args.itf)) if v is not None]
        if given:
            raise UsageError(f"{given[0]} needs --simulate")
        return None
    if args.checkpoint or args.resume:
        raise UsageError("--simulate keeps no state to checkpoint: leave out --checkpoint and --resume")
    if args.ray is not None:
        raise UsageError("--simulate runs on this machine (--workers N): leave out --ray")
    if args.itf is not None:
        if not args.itf.strip():
            raise UsageError("--itf needs a directory name")
        os.makedirs(args.itf, exist_ok=True)
    from checker.engine.simulate import Simulation
    return Simulation(traces=walks or 1000, depth=args.depth or 100,
                      seed=args.seed if args.seed is not None else 0)


def _add_ci_flags(p: argparse.ArgumentParser) -> None:
    """Outputs for CI (docs/ci.md): annotations, JUnit, SARIF, the state-space baseline."""
    p.add_argument("--format", choices=["text", "json", "github"], default=None,
                   help="text: the report (default); json: same as --json; github: the report, then a GitHub "
                        "Actions ::error annotation at each property not as expected and at the step that broke it")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML: one testcase per variant x property")
    p.add_argument("--sarif", metavar="FILE", help="also write a SARIF 2.1.0 log of the properties not as expected")
    p.add_argument("--baseline", metavar="FILE",
                   help="compare verdicts and distinct-state counts with a saved --json output; "
                        "exit 2 if they changed (and nothing worse happened)")


def _add_render_flags(p: argparse.ArgumentParser) -> None:
    """Rendered counterexamples (docs/traces.md): one set of files per violation."""
    p.add_argument("--render", metavar="DIR",
                   help="write each counterexample as a picture (DOT, SVG, PNG), an HTML report and an ITF "
                        "trace to DIR, named <variant>-<property>.<ext>")
    p.add_argument("--render-format", metavar="LIST", type=_render_formats, default=None,
                   help="with --render: which of dot,svg,png,html,itf to write (comma-separated; default all)")
    p.add_argument("--state-graph", action="store_true",
                   help="with --render: also draw the whole reachable state graph, the counterexample in red "
                        "(small specs only; see --max-graph-states)")
    p.add_argument("--max-graph-states", type=positive_int, metavar="N", default=None,
                   help="with --state-graph: refuse to draw more than N states (default 200)")


def _render_formats(text: str):
    from checker.render import parse_formats
    try:
        return parse_formats(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _prefer_list(text: str) -> tuple[str, ...]:
    """`faults` or `Restart,faultsLeft`: the cost terms of --prefer, in order."""
    names = tuple(t.strip() for t in text.split(",") if t.strip())
    if not names or not all(part.isidentifier() for n in names for part in n.split(".")):
        raise argparse.ArgumentTypeError(f"expected faults, or action and variable names, comma-separated; "
                                         f"got {text!r}")
    return names


def _natural(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {text}")
    return n


def _hide_list(text: str) -> frozenset:
    """`events,pc` -> {"events", "pc"}: variable names (as the trace shows them) and the
    categories of checker/render/text.py HIDE."""
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if not all(part.isidentifier() for part in n.split("."))]
    if not names or bad:
        from checker.render.text import HIDE
        raise argparse.ArgumentTypeError(
            f"expected variable names or {', '.join(HIDE)}, comma-separated; got {text!r}")
    return frozenset(names)


def _warn_unknown_hidden(hide: frozenset, report) -> None:
    """A `--hide` name that is no category and no variable of any variant checked hides
    nothing: say so on stderr (the report itself stands), with the closest name."""
    import difflib
    from checker.analysis.source import spec_of
    from checker.render.text import HIDE
    known = set(HIDE)
    for r in report.results:
        spec = spec_of(r.model)
        if spec is None:        # a model written in Python: its variables are not known here
            return
        known |= {v.name for v in spec.vars}
    for name in sorted(hide - known):
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        sys.stderr.write(f"check: --hide: {name!r} is neither a variable of this spec nor one of "
                         f"{', '.join(HIDE)}; it hides nothing{hint}\n")


def _render_options(args):
    """RenderOptions for --render (None without it); the other render flags need it."""
    if args.render is None:
        given = [f for f, v in (("--render-format", args.render_format), ("--state-graph", args.state_graph),
                                ("--max-graph-states", args.max_graph_states)) if v]
        if given:
            raise UsageError(f"{given[0]} needs --render DIR (where to write the files)")
        return None
    from pathlib import Path
    from checker.render import FORMATS, RenderOptions
    if not args.render.strip():
        raise UsageError("--render needs a directory name (an empty one would mean the current directory)")
    return RenderOptions(Path(args.render), args.render_format or frozenset(FORMATS), args.state_graph,
                         args.max_graph_states or 200)


def _render_outputs(options, report):
    """Write the rendered counterexamples; say where they went (stderr: stdout may be JSON).
    Returns the files written, or USAGE_ERROR when the directory cannot be written."""
    if options is None:
        return ()
    from checker.render import render_report
    try:
        rendered = render_report(report, options)
    except OSError as exc:
        sys.stderr.write(f"check: error: cannot write {printable(str(exc.filename or options.out_dir))}: "
                         f"{exc.strerror or exc}\n")
        return exitcodes.USAGE_ERROR
    for note in rendered.notes:
        sys.stderr.write(f"check: note: {note}\n")
    if rendered.files:
        sys.stderr.write(f"rendered {len(rendered.files)} files:\n")
        sys.stderr.write("".join(f"  {f}\n" for f in rendered.files))
    else:
        failed_first = any(r.result.failure is not None and r.result.failure.trace is None
                           for r in report.results)
        why = ("the model failed while computing its initial states: no trace to draw"
               if failed_first else "no counterexample")
        sys.stderr.write(f"nothing rendered to {options.out_dir}: {why}\n")
    return rendered.files


def _output_format(args) -> str:
    if args.json and args.format not in (None, "json"):
        raise UsageError(f"--json and --format {args.format} ask for two different outputs")
    return "json" if args.json else (args.format or "text")


def _load_baseline(args):
    """The baseline's results by variant (None without --baseline); a bad file is a usage error."""
    if args.baseline is None:
        return None
    from checker.report.baseline import BaselineError, load_baseline
    try:
        return load_baseline(args.baseline)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _ci_outputs(args, outcome) -> int:
    """Print the github annotations and write --junit and --sarif, for every outcome of the
    run (a report, a spec with errors, a run stopped before the search); the exit code,
    USAGE_ERROR when a file cannot be written."""
    if args.format == "github":
        from checker.report.github import github_commands
        for line in github_commands(outcome):
            print(line)
    target = None
    try:
        if args.junit:
            from checker.report.junit import write_junit
            target = args.junit
            write_junit(outcome, args.junit)
        if args.sarif:
            from checker.report.sarif import sarif_log
            target = args.sarif
            with open(args.sarif, "w", encoding="utf-8") as out:
                json.dump(sarif_log(outcome), out, indent=2)
                out.write("\n")
    except OSError as exc:
        # a full disk shows at the close, where the error names no file: name the output
        sys.stderr.write(f"check: error: cannot write {printable(str(exc.filename or target))}: "
                         f"{exc.strerror or exc}\n")
        return exitcodes.USAGE_ERROR
    return outcome.code


def _baseline_code(args, report, baseline, code: int) -> int:
    """Print the baseline comparison; the exit code, BASELINE_CHANGED when the baseline
    differs and all else is OK."""
    if baseline is None:
        return code
    from checker.report.baseline import compare, render_changes
    changes = compare(baseline, report)
    sys.stderr.write(render_changes(changes, args.baseline, len(report.results)) + "\n")
    return exitcodes.with_baseline(code, bool(changes))


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not 0 < value < float("inf"):       # nan and inf too
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {text}")
    return value


DEFAULT_CHECKPOINT_MINUTES = 10.0

_UNITS = {"": 1 << 20, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def memory_size(text: str) -> int:
    """`512M`, `4G`, `1.5GiB`, `2048` (MiB): bytes."""
    import re
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if m is None:
        raise argparse.ArgumentTypeError(f"expected a size such as 512M or 4G, got '{text}'")
    value = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if value < 1 << 20:
        raise argparse.ArgumentTypeError(f"expected at least 1M, got {text}")
    return value


class ProgressLine:
    """Prints a progress line to stderr on long runs (the engine calls it every few seconds)."""

    def on_progress(self, p: Progress) -> None:
        shards = f" (per worker: {', '.join(f'{n:,}' for n in p.shards)})" if p.shards else ""
        sys.stderr.write(f"  ... {p.distinct:,} distinct states{shards}, {p.generated:,} generated, "
                         f"depth {p.depth}, frontier {p.queue:,}, {p.seconds:.0f} s\n")
        sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:       # no output file is known yet
        return _usage(exc)
    outcome = _outcome(args, "--debug" in argv)
    if outcome is None:             # the reader went away (`check ... | head`)
        return exitcodes.OK
    if outcome.report is None and (args.json or args.format == "json") and outcome.code != exitcodes.OK:
        from checker.report.json import stopped_dict
        print(json.dumps(stopped_dict(outcome), indent=2))
    return _ci_outputs(args, outcome)


def _usage(exc: UsageError) -> int:
    sys.stderr.write(f"check: error: {exc}\n(see check --help)\n")
    return exitcodes.USAGE_ERROR


def _outcome(args, debug: bool):
    """Run the check and say how it ended, whatever happens: every ending is an Outcome,
    so the CI outputs are written for a spec with errors or an interrupted run as for a
    report (checker/report/outcome.py)."""
    from checker.report import outcome as oc
    try:
        return _run(args)
    except UsageError as exc:
        return oc.of_stop(args.spec, f"bad command line: {exc}", _usage(exc))
    except DiagnosticError as exc:
        sys.stderr.write(render_all(exc.diagnostics) + "\n")
        return oc.of_errors(args.spec, exc.diagnostics, _diagnostics_code(exc.diagnostics))
    except BrokenPipeError:
        return None
    except CheckpointError as exc:
        sys.stderr.write(f"check: error: cannot resume: {printable(str(exc))}\n")
        return oc.of_stop(args.spec, f"cannot resume: {exc}", exitcodes.BAD_CHECKPOINT)
    except ClusterError as exc:
        sys.stderr.write(f"check: error: {printable(str(exc))}\n")
        return oc.of_stop(args.spec, str(exc), exitcodes.NO_CLUSTER)
    except api.RunLimit as exc:
        sys.stderr.write(f"check: INCOMPLETE: {exc}; nothing was explored\n")
        code = exitcodes.INTERRUPTED if exc.limit == INTERRUPT else \
            exitcodes.TERMINATED if exc.limit == TERMINATED else exitcodes.INCOMPLETE
        return oc.of_stop(args.spec, f"INCOMPLETE: {exc}; nothing was explored", code)
    except (LimitReached, MemoryError) as exc:      # after the search (rendering, reporting)
        why = f"INCOMPLETE: {memory_limit(exc, None)} reached after the search; the report is incomplete"
        sys.stderr.write(f"check: {why}\n")
        return oc.of_stop(args.spec, why, exitcodes.INCOMPLETE)
    except KeyboardInterrupt:
        sys.stderr.write("check: interrupted\n")
        return oc.of_stop(args.spec, "interrupted (Ctrl-C) before any variant was searched", exitcodes.INTERRUPTED)
    except Exception:  # a bug in kovn, not in the spec
        if debug:
            traceback.print_exc()
        else:
            sys.stderr.write("check: internal error (this is a bug in kovn); rerun with --debug for the traceback\n")
        return oc.of_stop(args.spec, "internal error (a bug in kovn)", exitcodes.INTERNAL_ERROR)


# the diagnostics that are about the command line, not the spec: with no other error, the
# exit code is USAGE_ERROR (151), not SPEC_ERROR (150)
_COMMAND_LINE = {codes.UNKNOWN_VARIANT, codes.BAD_CONST_VALUE, codes.UNKNOWN_CONSTANT, codes.BAD_SYMMETRY}


def _diagnostics_code(diagnostics) -> int:
    errors = [d for d in diagnostics if d.is_error]
    if errors and all(d.code in _COMMAND_LINE and d.span is None for d in errors):
        return exitcodes.USAGE_ERROR
    return exitcodes.SPEC_ERROR


def _run(args):
    from checker.report import outcome as oc
    try:
        consts = api.parse_consts(args.const)
    except DiagnosticError as exc:   # a malformed --const is a bad command line, whatever the spec
        sys.stderr.write(render_all(exc.diagnostics) + "\n(see check --help)\n")
        return oc.of_errors(args.spec, exc.diagnostics, exitcodes.USAGE_ERROR)
    if args.show_code:
        compiled, _ = api.compile_spec(args.spec, consts, args.variant, symmetry=tuple(args.symmetry))
        for variant, model in compiled:
            print(f"# ---- variant {variant.name}\n{model.source}")
        return oc.of_stop(args.spec, "printed the compiled code", exitcodes.OK)
    fmt, baseline = _output_format(args), _load_baseline(args)
    render_options = _render_options(args)
    max_memory = args.max_memory if args.max_memory is not None else default_max_memory()
    options = CheckOptions(max_states=args.max_states, max_depth=args.max_depth, timeout=args.timeout,
                           max_memory=max_memory, check_deadlock=args.deadlock,
                           stop_on_violation=args.stop_at_first, premises=args.premises,
                           complete=args.strict, por=args.por, fingerprints=args.fingerprints,
                           vector_from=VECTOR_FROM if args.vector else None)
    from checker.variants import cpus
    workers = args.workers or 1
    if args.ray is not None and not args.ray.strip():
        raise UsageError("--ray needs an address (host:port) or auto")
    jobs = args.jobs or (1 if workers > 1 or args.ray is not None else cpus())
    reporter = None if args.no_progress else ProgressLine()
    from checker.solver.options import SolverOptions
    prefer = api.Preference(args.prefer, args.prefer_slack) if args.prefer else None
    if args.prefer_slack and not args.prefer:
        raise UsageError("--prefer-slack needs --prefer")
    persist, simulation = _persist(args), _simulation(args)
    try:
        with budget.terminate_as_interrupt(persist is not None):
            report = api.check(args.spec, consts, args.variant, options, reporter,
                               solver=SolverOptions(max_solutions=args.max_solutions), workers=workers,
                               jobs=jobs, persist=persist, simulation=simulation, itf=args.itf, ray=args.ray,
                               prefer=prefer, symmetry=tuple(args.symmetry))
    except api.PreferError as exc:
        raise UsageError(f"--prefer: {exc}") from None
    if report.warnings:
        sys.stderr.write(render_all(report.warnings) + "\n")
    _warn_unknown_hidden(args.hide, report)
    if fmt == "json":
        from checker.report.json import report_dict
        print(json.dumps(report_dict(report), indent=2))
    else:
        from rich.console import Console
        from checker.report.terminal import render
        traces = True if args.variant or args.traces is True else None
        Console(highlight=False, soft_wrap=True).print(render(report, args.verbose, traces, args.hide))
    failures = api.runtime_diagnostics(report)
    if failures:
        sys.stderr.write(render_all(failures) + "\n")
    code = exitcodes.for_verdicts(report) if args.variant else exitcodes.for_expectations(report)
    if args.strict:
        code = _strict(report, code)
    rendered = _render_outputs(render_options, report)
    if isinstance(rendered, int):
        return oc.of_report(report, rendered, args.strict)
    code = _baseline_code(args, report, baseline, code)
    return oc.of_report(report, code, args.strict, oc.artefact_index(rendered))


def _strict(report, code: int) -> int:
    """--strict: name every unacknowledged warning (stderr), and fail an otherwise OK run."""
    found = exitcodes.unacknowledged(report)
    if found:
        lines = [f"check: --strict: {len(found)} warning{'s' if len(found) != 1 else ''} not acknowledged:"]
        for variant, w in found:
            where = f" ({w.span.location()})" if w.span is not None else ""
            lines.append(f"  {'variant ' + variant + ': ' if variant else ''}{w.code} {w.message}{where}")
        lines.append("  (a variant expects one with `acknowledge NAME SUBJECT`: docs/errors.md, KOV6xx)")
        sys.stderr.write("\n".join(lines) + "\n")
    return exitcodes.with_strict(code, report)


def run() -> None:
    """The `check` program: main(), then exit without tearing the interpreter down.

    Freeing every object of a finished run (parser tables, compiled code, the seen set)
    takes tens of milliseconds, a tenth of a small check; nothing is left to do by then:
    the streams are flushed here, files are closed when written, worker processes joined.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:     # the reader went away; nothing left to say
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
