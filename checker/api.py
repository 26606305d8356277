"""The pipeline, end to end: a spec path and options in, a `Report` out.

Input: a .kovn path, constants from the command line (as text), the variants to check and
the engine's options. Output: `Report` (one `VariantResult` per variant, with its model, its
`CheckResult` and whether it met the spec's expectation), or DiagnosticError for a spec
with errors. The only place that decides when the front end stops; nothing here prints.
"""
from __future__ import annotations

import ctypes
import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from checker import __version__, codes, quality
from checker.compile.model import SpecModel, TooComplex, check_closed_value
from checker.diagnostics import Diagnostic, DiagnosticError, SourceFile, Severity, Span, dedupe, printable
from checker.engine import CheckOptions, explore
from checker.engine import checkpoint
from checker.engine.checkpoint import Image
from checker.engine.options import Checkpointing
from checker.engine.budget import LimitReached, clear_interrupt, guard, interrupted, memory_limit
from checker.distributed import explore_on_ray
from checker.engine.prefer import MAX_RECORDS, CostFn, cheapest_trace, term_cost, trace_cost
from checker.engine.prefer_lasso import LassoSearch
from checker.engine.simulate import Simulation, simulate
from checker.engine.result import CheckResult, PropertyResult, Status, Verdict
from checker.ir import nodes as ir
from checker.ir.walk import walk
from checker.loader import load
from checker.ir.elaborate import Elaborator
from checker.semantics.names import collect
from checker.ir.symmetry import check_symmetry
from checker.semantics.variants import Variant, variants
from checker.syntax import ast
from checker.solver.runtime import SolverStats
from checker.syntax.parser import parse_expr
from checker.variants import explore_variants


@dataclass(frozen=True)
class VariantResult:
    variant: Variant
    model: SpecModel
    result: CheckResult
    expectation_met: bool
    mismatches: tuple[str, ...]
    # model-quality warnings (checker/quality.py): those the variant does not acknowledge
    # (--strict fails on them) and those it does
    warnings: tuple[Diagnostic, ...] = ()
    acknowledged: tuple[Diagnostic, ...] = ()
    # the solver's work for `choose ... where` (None: the variant hands it nothing)
    solver: SolverStats | None = None
    # `--prefer`: the counterexamples replaced by cheaper ones, one line each
    preferred: tuple[str, ...] = ()


# `--prefer faults`: the environment faults of the Kubernetes library (checker/stdlib/
# k8s.kovn, k8s_restart.kovn), the budgets restarts and injected API errors spend; fewest
# restarts first, then fewest errors
PRESETS = {"faults": ("restartsLeft", "faultsLeft")}


@dataclass(frozen=True)
class Preference:
    """`--prefer TERMS --prefer-slack K`: among the counterexamples of at most the shortest
    length plus `slack` steps, the one with the least cost (engine/prefer.py), its terms
    compared in order."""

    terms: tuple[str, ...]
    slack: int = 0


@dataclass(frozen=True)
class Searched:
    """One variant's search: its result and its solver's statistics, read in the process
    that searched (a forked one, with --jobs)."""

    result: CheckResult
    solver: SolverStats | None


class RunLimit(Exception):
    """A limit (--timeout, --max-memory) was reached before any variant could be
    searched: while parsing, checking or compiling the spec (`phase`)."""

    def __init__(self, limit: str, phase: str):
        super().__init__(f"{limit} reached while {phase}")
        self.limit, self.phase = limit, phase


@dataclass(frozen=True)
class Report:
    spec: str
    results: tuple[VariantResult, ...]
    # what the terminal shows before the report: the front end's warnings, then every
    # variant's unacknowledged ones once each (shown_warnings)
    warnings: tuple[Diagnostic, ...] = ()
    spec_warnings: tuple[Diagnostic, ...] = ()      # the front end's own (no variant's)


def parse_consts(items: list[str]) -> dict[str, ast.Expr]:
    """`NAME=VALUE` strings (VALUE in the spec's own syntax) -> expressions."""
    out: dict[str, ast.Expr] = {}
    errors: list[Diagnostic] = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or not value.strip():
            errors.append(Diagnostic(codes.BAD_CONST_VALUE, f"--const expects NAME=VALUE, got '{item}'",
                                     hint="for example --const N=5 or --const 'Cap=[3, 5]'"))
            continue
        try:
            out[name] = parse_expr(SourceFile(f"--const {name}", value))
        except DiagnosticError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise DiagnosticError(errors)
    return out


def compile_spec(path: str, consts: dict[str, ast.Expr] | None = None,
                 only: list[str] | None = None,
                 solver=None, lint: bool = True,
                 symmetry: tuple[str, ...] = ()) -> tuple[list[tuple[Variant, SpecModel]], list[Diagnostic]]:
    """Parse, check and compile every (or each named) variant. Raises DiagnosticError.
    `solver`: checker.solver.options.SolverOptions for `choose ... where` (default bounds).
    `lint`: include the dead-guard warnings (`dead_guards`, each once, saying which variants
    have it); `check` leaves them for after the search, which shows most actions alive
    without a solver.

    Each model's `front_seconds` is the time before its search: (parsing and checking the
    spec, shared by its variants; elaborating and compiling this variant); the reports add
    it to the search's (`timed`)."""
    start = perf_counter()
    specs = load(path)
    name = specs[-1].name or _stem(path)
    decls, diags = collect(specs, name)
    vs, vdiags = variants(decls, consts or {})
    diags += vdiags
    if symmetry:        # --symmetry T: every variant reduces by T besides its own `symmetry`
        diags += _symmetric_types(decls, symmetry)
        vs = [dataclasses.replace(v, symmetry=tuple(dict.fromkeys(v.symmetry + symmetry))) for v in vs]
    if only:
        known = {v.name for v in vs}
        for n in only:
            if n not in known:
                diags.append(Diagnostic(codes.UNKNOWN_VARIANT, f"the spec has no variant '{n}'",
                                        hint="variants: " + ", ".join(sorted(known))))
        vs = [v for v in vs if v.name in only]
    _stop_on_errors(diags)
    parsed = perf_counter() - start
    compiled = []
    for v in vs:
        begun = perf_counter()
        check_deadlock = decls.deadlock is None or not decls.deadlock.allow
        if v.deadlock is not None:
            check_deadlock = v.deadlock
        el = Elaborator(decls, v.overrides, v.name, check_closed_value, check_deadlock,
                        fairness=v.fairness)
        spec_ir = el.run()
        diags.extend(el.diags)
        if any(d.is_error for d in el.diags):
            continue
        if v.properties is not None:
            keep = set(v.properties)
            spec_ir = dataclasses.replace(spec_ir, properties=tuple(
                p for p in spec_ir.properties if p.kind == "constraint" or p.name in keep),
                temporals=tuple(t for t in spec_ir.temporals if t.name in keep))
            if "deadlock" not in keep and v.deadlock is None:
                spec_ir = dataclasses.replace(spec_ir, check_deadlock=False)
        spec_ir, sym_diags = _with_symmetry(v, spec_ir)
        diags.extend(sym_diags)
        if any(d.is_error for d in sym_diags):
            continue
        try:
            model = SpecModel(spec_ir, solver)
        except TooComplex as exc:
            diags.append(Diagnostic(codes.NESTED_TOO_DEEP, f"variant '{v.name}': the spec is {exc}",
                                    exc.origin if isinstance(exc.origin, Span) else None,
                                    hint="split the action (or definition) into smaller ones"))
            continue
        model.front_seconds = (parsed, perf_counter() - begun)
        compiled.append((v, model))
    _stop_on_errors(diags)
    if lint:
        diags.extend(merged(dead_guards(compiled), [v.name for v, _ in compiled]))
    return compiled, [d for d in dedupe(diags) if not d.is_error]


@dataclass(frozen=True)
class Persist:
    """--checkpoint DIR [--checkpoint-every MINUTES] and --resume DIR (engine/checkpoint.py):
    where the checkpoints go, seconds between two, and whether to go on from those there."""

    directory: str
    every: float
    resume: bool = False


def check(path: str, consts: dict[str, ast.Expr] | None = None, only: list[str] | None = None,
          options: CheckOptions = CheckOptions(), reporter=None, solver=None, workers: int = 1,
          jobs: int = 1, persist: Persist | None = None, simulation: Simulation | None = None,
          itf: str | None = None, ray: str | None = None, prefer: Preference | None = None,
          symmetry: tuple[str, ...] = ()) -> Report:
    """`workers` > 1: search each variant with that many processes (engine/parallel.py).
    `ray`: search each variant on the Ray cluster at that address ("auto": the one this
    machine belongs to) with `workers` actors (1: one per CPU of the cluster), one variant
    after another (checker/distributed; ClusterError when it cannot be used).
    `jobs` > 1: search up to that many variants at once, one process each (variants.py);
    the report is the same as one process's, in the spec's order of variants. `persist`:
    write checkpoints, and go on from them (CheckpointError for a checkpoint of another
    run). `simulation`: random walks instead of the exhaustive search (engine/simulate.py),
    each written as an ITF trace to the directory `itf` when one is given. `symmetry`:
    every variant reduces by these symmetric types too (`--symmetry`).

    `options.timeout` and `options.max_memory` hold for the whole run, every phase: a
    limit reached before the search raises RunLimit; during a variant's search, that
    variant (and every later one) ends INCOMPLETE with what it explored. Variants searched
    side by side share the memory limit evenly."""
    deadline = perf_counter() + options.timeout if options.timeout is not None else None
    clear_interrupt()
    with guard(deadline, options.max_memory, options.timeout) as limits:
        try:
            compiled, warnings = compile_spec(path, consts, only, solver, lint=False, symmetry=symmetry)
            limits.disarm()
        except (LimitReached, MemoryError) as e:
            limits.disarm()
            raise RunLimit(memory_limit(e, options.max_memory), "parsing and compiling the spec") from None

    def left(share: int = 1) -> CheckOptions:
        """The options for a search starting now: what is left of the run's time, and
        `1/share` of its memory."""
        opts = options
        if deadline is not None:
            opts = dataclasses.replace(opts, timeout=max(deadline - perf_counter(), 1e-3))
        if share > 1 and opts.max_memory is not None:
            opts = dataclasses.replace(opts, max_memory=opts.max_memory // share)
        return opts

    saved = _checkpoints(path, consts, compiled, options, persist)

    def run(model: SpecModel, opts: CheckOptions, reporter=None) -> Searched:
        config, image = saved.get(id(model), (None, None))
        opts = dataclasses.replace(opts, checkpoint=config)
        if simulation is not None:
            res = simulate(model, opts, _walks_of(simulation, model, workers, itf))
            if opts.por:
                res = dataclasses.replace(res, partial_order_off="random walks are not reduced")
            if opts.fingerprints:
                res = dataclasses.replace(res, fingerprints="off (random walks store no states)")
            return _searched(model, res)
        if ray is not None or workers > 1:
            # the partitioned search does not reduce by partial order (ADR 0034): it says so
            off = "the partitioned search (--workers, --ray) does not reduce" if opts.por else None
            opts = dataclasses.replace(opts, por=False)
            if ray is not None:
                res = explore_on_ray(model, opts, ray, workers if workers > 1 else None, reporter, image)
            else:
                # imported here: the workers' modules (their messages, multiprocessing) cost a
                # one-process run start-up time for nothing (ADR 0031)
                from checker.engine.parallel import explore_parallel
                res = explore_parallel(model, opts, workers, reporter, image)
            fp = "off (the partitioned search keeps its states whole)" if opts.fingerprints else None
            return _searched(model, dataclasses.replace(res, partial_order_off=off, fingerprints=fp))
        return _searched(model, explore(model, opts, reporter, image))

    if jobs > 1 and len(compiled) > 1 and workers <= 1 and ray is None:
        share = min(jobs, len(compiled))
        found = explore_variants([model for _, model in compiled], left(share), jobs, run)
    else:
        found = [run(model, left(), reporter) for _, model in compiled]
    results = []
    for (variant, model), searched in zip(compiled, found):
        res = timed(model, searched.result)
        if res.limit is not None and res.limit.startswith("timeout ") and options.timeout is not None:
            res = dataclasses.replace(res, limit=f"timeout {options.timeout:g}s")
        met, why = expectation(variant, res)
        notes: tuple[str, ...] = ()
        if prefer is not None:
            res, notes = preferred(model, res, prefer)
        results.append(VariantResult(variant, model, res, met, why, solver=searched.solver, preferred=notes))
    fired = [_fired(r.model, r.result) for r in results]
    results = with_warnings(results, _lint_within(deadline, options, compiled, fired))
    # the spec's name as reports show it: a name may hold control characters
    return Report(printable(path), tuple(results), tuple(dedupe([*warnings, *shown_warnings(results)])),
                  tuple(warnings))


def preferred(model: SpecModel, res: CheckResult, prefer: Preference) -> tuple[CheckResult, tuple[str, ...]]:
    """`res` with each counterexample replaced by the cheapest one when that costs less, and
    a line per replacement: a safety counterexample by the cheapest of at most its length
    plus `prefer.slack` steps (engine/prefer.py), a liveness lasso by the cheapest violating
    lasso of its property (engine/prefer_lasso.py). A preset's terms that the variant lacks
    are left out; a term of the user's that names nothing raises PreferError."""
    terms = [t for p in prefer.terms for t in PRESETS.get(p, (p,))]
    known = set(model.describe(next(iter(model.init_states()))))
    preset = {t for p in prefer.terms if p in PRESETS for t in PRESETS[p]}
    terms = [t for t in terms if t not in preset or t in known]
    if not terms:
        return res, ()
    try:
        cost = term_cost(model, terms)
    except ValueError as e:
        raise PreferError(str(e)) from None
    index = {p.name: i for i, p in enumerate(model.properties)}
    lassos = _Lassos(model, cost, len(terms))
    props, notes = [], []
    for p in res.properties:
        if p.status is Status.VIOLATED and p.trace is not None and p.kind in ("invariant", "action"):
            shortest = len(p.trace)
            before = trace_cost(p.trace, cost, len(terms))
            found = cheapest_trace(model, index[p.name], cost, len(terms), shortest - 1 + prefer.slack)
            if found is not None and (found.cost, len(found.trace)) < (before, shortest):
                notes.append(f"{p.name}: {_costs(terms, found.cost)} in {len(found.trace)} states "
                             f"(the shortest trace: {_costs(terms, before)} in {shortest})")
                p = dataclasses.replace(p, trace=found.trace)
            elif found is None:
                notes.append(f"{p.name}: no cheaper trace searched (the search gave up); the shortest is shown")
            elif any(before):
                notes.append(f"{p.name}: the shortest trace is the cheapest of at most {shortest + prefer.slack} "
                             f"states: {_costs(terms, before)}")
        elif p.status is Status.VIOLATED and p.trace is not None and p.kind == "liveness":
            p, note = lassos.cheapest(p, terms)
            notes += note
        props.append(p)
    return dataclasses.replace(res, properties=tuple(props)), tuple(notes)


class _Lassos:
    """The cheapest lassos of one variant's temporal properties; the graph they are searched
    on is built on first use, by a second search (the main one keeps none once done)."""

    def __init__(self, model: SpecModel, cost: CostFn, width: int):
        self.model, self.cost, self.width = model, cost, width
        self.search: LassoSearch | None = None
        self.built = False

    def cheapest(self, p: PropertyResult, terms: list[str]) -> tuple[PropertyResult, list[str]]:
        """`p` (a violated temporal property) with the cheapest lasso when it costs less (or
        is as cheap and shorter), and the note that says so."""
        if not self.built:
            self.built = True
            self.search = LassoSearch.of(self.model, self.cost, self.width, MAX_RECORDS)
        if self.search is None:
            return p, [f"{p.name}: no cheaper lasso searched (the graph has more than {MAX_RECORDS:,} "
                       f"states); the shortest is shown"]
        (t,) = [t for t in self.model.temporal if t.name == p.name]
        found = self.search.cheapest(t)
        assert found is not None and p.trace is not None, "a violated property has a violating lasso"
        before = trace_cost(p.trace, self.cost, self.width)
        unsure = ("" if found.bound is None else
                  f"; not shown to be the least: every violating lasso costs at least "
                  f"({', '.join(map(str, found.bound))})")
        new = found.result.trace
        assert new is not None
        if (found.cost, len(new)) < (before, len(p.trace)):
            return found.result, [f"{p.name}: {_costs(terms, found.cost)} in {len(new)} states "
                                  f"(the shortest lasso: {_costs(terms, before)} in {len(p.trace)}){unsure}"]
        if unsure:
            return p, [f"{p.name}: the shortest lasso is kept: {_costs(terms, before)}{unsure}"]
        return p, [f"{p.name}: the shortest lasso is the cheapest: {_costs(terms, before)}"] if any(before) else []


def _costs(terms: list[str], cost: tuple[int, ...]) -> str:
    return f"cost ({', '.join(terms)}) = ({', '.join(map(str, cost))})"


class PreferError(Exception):
    """A `--prefer` term that names no action or variable of a variant."""


def _lint_within(deadline: float | None, options: CheckOptions, compiled, fired) -> list[list[Diagnostic]]:
    """The dead-guard warnings of each variant, if the run's limits leave room for them:
    they are advice, so a limit reached here drops them rather than the report."""
    nothing: list[list[Diagnostic]] = [[] for _ in compiled]
    if interrupted() or (deadline is not None and perf_counter() >= deadline):
        return nothing
    with guard(deadline, options.max_memory, options.timeout) as limits:
        try:
            found = dead_guards(compiled, fired)
            limits.disarm()
        except (LimitReached, MemoryError):
            limits.disarm()
            return nothing
        except ctypes.ArgumentError:
            # a limit raised while Z3's binding converts an argument comes out as ctypes'
            # own error, the LimitReached in its message only
            if not limits.fired:
                raise
            return nothing
    return found


def with_warnings(results: list[VariantResult], before: list[list[Diagnostic]]) -> list[VariantResult]:
    """Each result with its model-quality warnings (checker/quality.py), split by what its
    variant acknowledges. `before`, per result: the warnings found outside the search (the
    dead guards, KOV602)."""
    split = []
    for r, pre in zip(results, before):
        found = quality.variant_warnings(r.model, r.result, pre)
        split.append(quality.acknowledge(found, r.variant.acknowledge, r.result))
    unused = quality.unused_acknowledgements(split, [r.variant.acknowledge for r in results],
                                             [r.variant.name for r in results])
    return [dataclasses.replace(r, warnings=vw.warnings + tuple(u), acknowledged=vw.acknowledged)
            for r, vw, u in zip(results, split, unused)]


def shown_warnings(results: list[VariantResult]) -> list[Diagnostic]:
    """The unacknowledged warnings of every variant, each once, for the terminal (KOV601 is
    a line in each variant's report instead); one that only some variants have says which."""
    return merged([[w for w in r.warnings if w.code != codes.UNUSED_ACTION] for r in results],
                  [r.variant.name for r in results])


def merged(per_variant: list[list[Diagnostic]], names: list[str]) -> list[Diagnostic]:
    """Each variant's warnings once; one that only some variants have says which."""
    by_key: dict = {}
    for ws, name in zip(per_variant, names):
        for w in ws:
            by_key.setdefault(_key(w), (w, []))[1].append(name)
    out = []
    for w, names_with in by_key.values():
        if len(names_with) < len(names):
            w = dataclasses.replace(w, notes=w.notes + (f"in variant{'s' if len(names_with) > 1 else ''} "
                                                        + ", ".join(names_with),))
        out.append(w)
    return out


def _key(d: Diagnostic) -> tuple:
    return (d.code, d.message, d.span.path if d.span else None, d.span.start if d.span else None)


def _checkpoints(path: str, consts, compiled, options: CheckOptions,
                 persist: Persist | None) -> dict[int, tuple[Checkpointing, Image | None]]:
    """Per model (by id): its checkpoint configuration and, with --resume, the image to go
    on from (None: the directory holds none for the variant). CheckpointError for an image
    of another run."""
    if persist is None:
        return {}
    texts = _spec_digest(path)
    out = {}
    for variant, model in compiled:
        ident = identity(texts, consts, variant.name, options)
        config = Checkpointing(persist.directory, persist.every, variant.name, ident)
        image = checkpoint.load(persist.directory, variant.name, ident) if persist.resume else None
        out[id(model)] = (config, image)
    if persist.resume and all(image is None for _, image in out.values()):
        raise checkpoint.CheckpointError(f"{persist.directory} holds no checkpoint of "
                                         f"{'this variant' if len(compiled) == 1 else 'these variants'}")
    return out


def identity(spec_digest: str, consts, variant: str, options: CheckOptions) -> tuple[tuple[str, str], ...]:
    """What a checkpoint must match to be resumed (engine/checkpoint.py): the text of the
    spec and of every file it imports, the constants set on the command line, the variant,
    kovn's version, and the options that change the answer (not the limits: a run stopped
    by --timeout may be resumed with a longer one)."""
    const_text = repr(sorted((k, repr(v)) for k, v in (consts or {}).items()))
    semantic = (f"deadlock={options.check_deadlock} stop-at-first={options.stop_on_violation} "
                f"vacuity={options.premises} strict={options.complete}")
    return (("spec text", spec_digest), ("constants", _sha(const_text)), ("variant", variant),
            ("kovn version", __version__), ("options", semantic))


def _spec_digest(path: str) -> str:
    """A digest of the spec's text and of every file it imports, in load order."""
    h = hashlib.sha256()
    for spec in load(path):
        h.update(spec.span.source.text.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _walks_of(simulation: Simulation, model: SpecModel, workers: int, itf: str | None) -> Simulation:
    """The simulation of one variant: its processes, and its walks written as ITF to `itf`."""
    return dataclasses.replace(simulation, workers=workers,
                               record=_ItfWriter(itf, model) if itf is not None else None)


class _ItfWriter:
    """--itf DIR: each walk as DIR/<variant>-walk-<index>.itf.json (render/itf.py)."""

    def __init__(self, directory: str, model: SpecModel):
        self.directory, self.model = Path(directory), model

    def __call__(self, index: int, trace) -> None:
        from checker.render.itf import write_itf
        name = self.model.spec.variant
        text = write_itf(self.model, trace, source=self.model.spec.name, variant=name)
        (self.directory / f"{name}-walk-{index:05d}.itf.json").write_text(text, encoding="utf-8")


def timed(model: SpecModel, res: CheckResult) -> CheckResult:
    """The result with the time before its search added (compile_spec's `front_seconds`):
    `seconds` is then the time the user waited for this variant."""
    return dataclasses.replace(res, stats=res.stats.with_phases(*model.front_seconds))


def expectation(variant: Variant, res: CheckResult) -> tuple[bool, tuple[str, ...]]:
    """Did the run show what the variant expects? (and if not, why not)."""
    why = []
    if res.verdict is Verdict.ERROR:
        return False, ("the model failed to evaluate an expression",)
    checked = {p.name: p for p in res.properties}
    for name in variant.expect_violated:
        if name not in checked:
            why.append(f"expected {name} to be violated, but it was not checked")
    for p in res.properties:
        want = Status.VIOLATED if p.name in variant.expect_violated else Status.HOLDS
        if p.status is Status.UNKNOWN and res.limit is None and res.undecided is not None:
            why.append(f"{p.name}: unknown ({res.undecided})")
        elif p.status is Status.UNKNOWN:
            where = res.limit or ("the first violation (--stop-at-first)"
                                  if res.stopped == "violation" else "an early stop")
            why.append(f"{p.name}: unknown (the search stopped at {where})")
        elif p.status is not want:
            why.append(f"{p.name}: expected to {'be violated' if want is Status.VIOLATED else 'hold'}, "
                       f"but it {'holds' if p.status is Status.HOLDS else 'is violated'}")
    if res.limit is not None and not why:
        # nothing left undecided (no property at all), yet unexplored states remain
        why.append(f"the search stopped at {res.limit} before it was complete")
    return not why, tuple(why)


def runtime_diagnostics(report: Report) -> list[Diagnostic]:
    """A KOV501 diagnostic for every variant whose exploration failed to evaluate an
    expression (verdict ERROR), pointing at that expression (checker/report/outcome.py)."""
    from checker.report.outcome import runtime_errors
    return [d for _, d in runtime_errors(report)]


def _symmetric_types(decls, names: tuple[str, ...]) -> list[Diagnostic]:
    """KOV406 (a bad command line: no span) for each `--symmetry` name that is not a type
    declared `symmetric`."""
    out = []
    for n in names:
        decl = decls.types.get(n)
        if decl is None or not isinstance(decl.rhs, ast.SymmetricType):
            what = "is not a type" if decl is None else "is not declared symmetric"
            out.append(Diagnostic(codes.BAD_SYMMETRY, f"--symmetry {n}: '{n}' {what} of the spec",
                                  hint=f"declare it as `type {n} = symmetric lo..hi`"))
    return out


def _with_symmetry(variant: Variant, spec_ir: ir.SpecIR) -> tuple[ir.SpecIR, list[Diagnostic]]:
    """KOV212 for uses that break a symmetric type (ir/symmetry.py: every variant
    is checked, so a spec is symmetric-safe or not whatever its variants ask); then the
    variant's `symmetry` types on the IR, which make the search reduce by them."""
    diags = check_symmetry(spec_ir)
    if not variant.symmetry:
        return spec_ir, diags
    # temporal properties are left undecided by the reduced search (engine/bfs.py
    # UNDER_SYMMETRY, docs/adr/0035-symmetric-object-names.md)
    return dataclasses.replace(spec_ir, symmetry=variant.symmetry), diags


def dead_guards(compiled: list[tuple[Variant, SpecModel]],
                fired: list[frozenset[int]] | None = None) -> list[list[Diagnostic]]:
    """KOV602 warnings per variant: guards and `choose ... where` constraints that can never
    hold with its constants (checker/solver/deadguard.py). An action a variant switches off
    on purpose (a fix, a fault budget of 0) says so with `acknowledge never_enabled A`, which
    covers this warning too (checker/quality.py).

    `fired`, per variant: the actions a search saw enabled. Such an action's guard holds in
    some state, so the analysis could not call it dead; only its `choose ... where`
    constraints (which another branch may skip) are still worth a look. When every action
    fired and none has one, the solver is not even loaded."""
    fired = fired or [frozenset()] * len(compiled)
    todo = [frozenset(i for i, a in enumerate(m.spec.actions) if i not in f or _solves(a))
            for (_, m), f in zip(compiled, fired)]
    if not any(todo):
        return [[] for _ in compiled]
    from checker.solver.deadguard import dead_guards as analyse
    return [analyse(m.spec, only=t) if t else [] for (_, m), t in zip(compiled, todo)]


def _fired(model: SpecModel, res: CheckResult) -> frozenset[int]:
    """The actions with at least one transition in the search (its coverage)."""
    cov = res.stats.coverage
    if len(cov) != len(model.spec.actions):
        return frozenset()      # no coverage (an early failure, parallel workers): judge all
    return frozenset(i for i, c in enumerate(cov) if c.generated > 0)


def _solves(action: ir.ActionIR) -> bool:
    return any(isinstance(n, ir.Solve) for n in walk(action))


def _searched(model: SpecModel, res: CheckResult) -> Searched:
    """The result with the solver's calls, cache hits and time (the report and --json show
    them), for models with constraints handed to the solver."""
    if not model.solver.queries:
        return Searched(res, None)
    # with worker processes each has its own solver and cache; their counts stay there
    return Searched(res, model.solver.stats(counted=res.workers == 1))


def _stop_on_errors(diags: list[Diagnostic]) -> None:
    errors = [d for d in dedupe(diags) if d.severity is Severity.ERROR]
    if errors:
        raise DiagnosticError(errors)


def _stem(path: str) -> str:
    return printable(Path(path).stem)


def ir_of(model: SpecModel) -> ir.SpecIR:
    return model.spec
