"""The pytest plugin: every variant x property of a `.kovn` spec is one test item.

Registered through the `pytest11` entry point (pyproject.toml), so installing kovn is
enough: `pytest spec/ models/` collects every `.kovn` file below those directories.

Input: `.kovn` files that pytest meets while collecting, the `--kovn-*` options and the
`kovn_paths` / `kovn_slow` ini options. Output: test items with ids such as
`spec/ipam.kovn::v1_12::NoOrphanIP` (a variant that checks no property is one item,
`models/diehard.kovn::space`, which passes when its exploration completes). An item passes
when its property is what the variant declares (checker.report.cases); a failure shows the
mismatch, the property's line, the step that broke it and the counterexample as the
terminal report prints it, and where the rendered trace was written (`--kovn-render DIR`).

A spec is compiled once when its file is collected; a variant is explored once, by the
first of its items that runs, and the result is shared with the others (a cache keyed by
file, variant, constants and options). When the first item of a spec runs, every variant of
that spec with a selected item is explored, several at once (one process each, up to one per
CPU: checker.variants), so a spec's variants use every core. A spec with errors is a
collection error showing the diagnostics. With `--kovn-strict`, each variant has one more
item, `VARIANT::(warnings)`, which fails on the model-quality warnings the variant does not
acknowledge, computed as `check --strict` computes them (checker/quality.py). docs/ci.md
documents the options.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from checker import api
from checker.cli import positive_float as _positive_float
from checker.cli import positive_int as _positive_int
from checker.diagnostics import DiagnosticError, Location, render_all
from checker.engine import CheckOptions, explore
from checker.report.cases import Case, ci_path, variant_cases
from checker.report.places import user_span

_CACHE = pytest.StashKey[dict]()
_SETTINGS = pytest.StashKey["_Settings"]()
_PENDING = pytest.StashKey[dict]()   # spec -> {variant name: (variant, model)} still to explore
_CASES = pytest.StashKey[dict]()     # id of a cached VariantResult -> (it, its cases)


# ---------------------------------------------------------------- options

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kovn", "kovn specs (.kovn files: one test item per variant x property)")
    group.addoption("--kovn-const", action="append", default=[], metavar="NAME=VALUE",
                    help="override a constant in every collected spec (repeatable; value in the spec's syntax)")
    group.addoption("--kovn-max-states", type=_positive_int, metavar="N",
                    help="stop each exploration after N distinct states (undecided properties fail)")
    group.addoption("--kovn-max-depth", type=_positive_int, metavar="N",
                    help="do not explore beyond BFS level N (undecided properties fail)")
    group.addoption("--kovn-timeout", type=_positive_float, metavar="SECONDS",
                    help="stop each exploration after this long (undecided properties fail)")
    group.addoption("--kovn-strict", action="store_true",
                    help="one more item per variant, `VARIANT::(warnings)`, that fails when the variant has a "
                         "model-quality warning it does not acknowledge (as `check --strict`)")
    group.addoption("--kovn-render", metavar="DIR",
                    help="render the counterexample of each failing item (DOT, SVG, PNG, HTML report, ITF) "
                         "into DIR/SPEC-STEM/")
    parser.addini("kovn_paths", type="paths", default=[],
                  help="collect .kovn files only below these paths (default: every .kovn file met); "
                       "a .kovn file named on the command line is always collected")
    parser.addini("kovn_slow", type="linelist", default=[],
                  help="node-id patterns (fnmatch) of kovn items or variants to mark slow, "
                       "e.g. spec/ipam.kovn::master_restart")


class _Settings:
    """The options, read once: parsed constants (and their text, for the cache key)."""

    def __init__(self, config: pytest.Config):
        self.const_text = tuple(config.getoption("kovn_const") or ())
        try:
            self.consts = api.parse_consts(list(self.const_text))
        except DiagnosticError as exc:
            raise pytest.UsageError("--kovn-const: " + render_all(exc.diagnostics)) from None
        self.options = CheckOptions(max_states=config.getoption("kovn_max_states"),
                                    max_depth=config.getoption("kovn_max_depth"),
                                    timeout=config.getoption("kovn_timeout"),
                                    complete=bool(config.getoption("kovn_strict")))
        render = config.getoption("kovn_render")
        self.render_dir = Path(render) if render else None
        self.strict = bool(config.getoption("kovn_strict"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kovn: an item collected from a .kovn spec (one variant x property)")
    config.addinivalue_line("markers", "slow: takes seconds (kovn: set through the kovn_slow ini option)")
    config.stash[_SETTINGS] = _Settings(config)
    config.stash[_CACHE] = {}
    config.stash[_CASES] = {}
    config.stash[_PENDING] = {}
    # Ctrl-C stops pytest, as it does any test run, rather than ending an exploration as a limit
    from checker.engine import budget
    budget.set_interrupts(False)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Remember which variants of each spec have selected items (after -k and the like):
    they are explored together."""
    pending = session.config.stash[_PENDING]
    for item in session.items:
        if isinstance(item, (KovnItem, KovnWarnings)):
            pending.setdefault(item.spec, {})[item.variant.name] = (item.variant, item.model)


# ---------------------------------------------------------------- collection

def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".kovn" and _wanted(parent.config, file_path):
        return KovnFile.from_parent(parent, path=file_path)
    return None


def _wanted(config: pytest.Config, file_path: Path) -> bool:
    roots = config.getini("kovn_paths")
    if not roots:
        return True
    path = file_path.resolve()
    if any(path == r.resolve() or r.resolve() in path.parents for r in roots):
        return True
    # A file named on the command line is always wanted (not a directory: `pytest tests`
    # must not pick up the .kovn fixtures below tests/ when kovn_paths leaves them out).
    here = config.invocation_params.dir
    return any((here / arg.split("::")[0]).resolve() == path for arg in config.invocation_params.args
               if not arg.startswith("-"))


class KovnSpecWarning(UserWarning):
    """A warning diagnostic of a collected spec."""


class KovnFile(pytest.File):
    """A .kovn spec: compiled once; yields one node per variant."""

    def collect(self):
        settings = self.config.stash[_SETTINGS]
        spec = ci_path(str(self.path))
        try:
            compiled, warnings = api.compile_spec(spec, settings.consts, lint=False)
        except DiagnosticError as exc:
            raise self.CollectError(render_all(exc.diagnostics)) from None
        # the dead guards, per variant, before any search (check finds them after it)
        self.compiled = compiled
        self.dead = api.dead_guards(compiled)
        warnings = warnings + api.merged(self.dead, [v.name for v, _ in compiled])
        if warnings:
            self.warn(KovnSpecWarning(render_all(warnings)))
        for variant, model in compiled:
            names = property_names(variant, model, settings.options)
            if settings.strict:
                yield KovnVariant.from_parent(self, name=variant.name, spec=spec, variant=variant,
                                              model=model, names=names + [None, WARNINGS])
            elif names:
                yield KovnVariant.from_parent(self, name=variant.name, spec=spec, variant=variant,
                                              model=model, names=names)
            else:
                yield KovnItem.from_parent(self, name=variant.name, spec=spec, variant=variant,
                                           model=model, prop=None)


def property_names(variant, model, options: CheckOptions) -> list[str]:
    """The properties an exploration of `model` decides, in the order the result lists them
    (engine: safety properties, then "deadlock" when checked, then temporal ones), and any
    that the variant expects violated but does not check (their items fail)."""
    names = [p.name for p in model.properties]
    deadlock = options.check_deadlock if options.check_deadlock is not None else model.check_deadlock
    if deadlock:
        names.append("deadlock")
    names += [t.name for t in model.temporal]
    names += [n for n in variant.expect_violated if n not in names]
    return names


class KovnVariant(pytest.Collector):
    """One variant of a spec; its items are its properties."""

    def __init__(self, *, spec: str, variant, model, names: list[str], **kw):
        super().__init__(**kw)
        self.spec, self.variant, self.model, self.names = spec, variant, model, names

    def collect(self):
        for name in self.names:
            if name is None and len(self.names) > 2:
                continue        # --kovn-strict: a variant's exploration is an item only without properties
            cls = KovnWarnings if name == WARNINGS else KovnItem
            yield cls.from_parent(self, name=name or EXPLORATION, spec=self.spec, variant=self.variant,
                                  model=self.model, prop=name)

    def reportinfo(self):
        return self.path, _line0(self.variant.span), self.variant.name


class KovnFailure(Exception):
    """An item whose property is not what its variant declares; carries the text to show."""


class KovnItem(pytest.Item):
    """One variant x property (prop None: a variant that checks no property)."""

    def __init__(self, *, spec: str, variant, model, prop: str | None, **kw):
        super().__init__(**kw)
        self.spec, self.variant, self.model, self.prop = spec, variant, model, prop
        _mark(self)
        if _is_slow(self):
            self.add_marker(pytest.mark.slow)

    def runtest(self) -> None:
        vr = explored(self.config, self.spec, self.variant, self.model)
        if isinstance(self.parent, KovnVariant):
            _check_names(vr, [n for n in self.parent.names if n not in (None, WARNINGS)])
        case = _case(self.config, vr, self.spec, self.prop)
        if not case.passed:
            raise KovnFailure(failure_text(case, self._render(vr, case)))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, KovnFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        # pytest shows the domain as the failure's headline; it turns '.' into '::', so it
        # holds no file name: `fixed::NoOrphanIP` (the summary line gives the node id).
        domain = self.variant.name if self.prop is None else f"{self.variant.name}::{self.prop}"
        return self.path, property_line(self.model, self.variant, self.prop, self.path), domain

    def _render(self, vr, case: Case) -> list[str]:
        from checker.render import failed_evaluation
        settings = self.config.stash[_SETTINGS]
        failed = failed_evaluation(vr.result)
        if (case.prop_result is None or case.prop_result.trace is None) and failed is None:
            return []
        if settings.render_dir is None:
            return ["rendered trace: none written (pass --kovn-render DIR to write it)"]
        try:
            return render_files(vr, case, settings.render_dir / Path(self.spec).stem)
        except MemoryError:     # running out of memory is a limit (engine/budget.py), not a bug
            raise
        except Exception as exc:  # a renderer bug must not hide the counterexample above
            return [f"rendered trace: rendering failed (a bug in kovn): {type(exc).__name__}: {exc}"]


WARNINGS = "(warnings)"          # --kovn-strict: the item of a variant's warnings
EXPLORATION = "(exploration)"   # --kovn-strict: the item of a variant that checks no property


class KovnWarnings(pytest.Item):
    """`VARIANT::(warnings)` (--kovn-strict): fails when the variant has a warning it does not
    acknowledge. Warnings are computed as `check` computes them, over every variant of the
    file (an acknowledgement may be used in one and not another)."""

    def __init__(self, *, spec: str, variant, model, prop, **kw):
        super().__init__(**kw)
        self.spec, self.variant, self.model = spec, variant, model
        _mark(self)

    def runtest(self) -> None:
        file = self.parent.parent if self.parent is not None else None
        assert isinstance(file, KovnFile)       # a variant's item, in its file
        # every variant of the file is needed (an acknowledgement may be used by another):
        # those not explored yet are explored together
        explored(self.config, self.spec, self.variant, self.model, others=file.compiled)
        results = [explored(self.config, self.spec, v, m) for v, m in file.compiled]
        mine = next(r for r in api.with_warnings(results, file.dead) if r.variant.name == self.variant.name)
        if mine.warnings:
            raise KovnFailure(f"variant {self.variant.name} has {len(mine.warnings)} warning"
                              f"{'s' if len(mine.warnings) != 1 else ''} it does not acknowledge:\n"
                              + render_all(mine.warnings)
                              + "\n(a variant expects one with `acknowledge NAME SUBJECT`: docs/errors.md)")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, KovnFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, _line0(self.variant.span), f"{self.variant.name}::{WARNINGS}"


def property_line(model, variant, prop: str | None, path) -> int | None:
    """The 0-based line of `path` (the spec) where an item's property is: its declaration,
    or for a property of the library the spec's line that brings it in
    (checker/report/places.py); the variant's line when the property is declared in
    another file."""
    origin = next((p.origin for p in list(model.properties) + list(model.temporal)
                   if p.name == prop), None)
    at = user_span(origin, variant, prop) if origin is not None else None
    if at is not None and Path(at.source.path).resolve() != Path(path).resolve():
        at = None
    return _line0(at or variant.span)


def _line0(span) -> int | None:
    loc = Location.of(span)
    return loc.line - 1 if loc is not None else None


def _mark(item: KovnItem | KovnWarnings) -> None:
    item.add_marker(pytest.mark.kovn)
    # Under pytest-xdist with --dist loadgroup, every item of a spec runs in one worker: the
    # variants of a spec are explored together on the first item's demand (`explored`),
    # once, not once per worker.
    if item.config.pluginmanager.hasplugin("xdist"):
        item.add_marker(pytest.mark.xdist_group(item.spec))


def _is_slow(item: KovnItem) -> bool:
    patterns = item.config.getini("kovn_slow")
    ids = [n.nodeid for n in item.listchain() if isinstance(n, (KovnFile, KovnVariant, KovnItem))]
    return any(fnmatch.fnmatchcase(i, pat) for pat in patterns for i in ids)


# ---------------------------------------------------------------- running

def explored(config: pytest.Config, spec: str, variant, model, others=()):
    """The variant's `api.VariantResult`, explored on first use and then shared by every
    item of the variant (the key also holds the constants and options it was run with).
    The spec's other variants with selected items, and `others` ((variant, model) pairs),
    are explored at the same time."""
    settings = config.stash[_SETTINGS]
    cache = config.stash[_CACHE]
    key = (spec, variant.name, settings.const_text, settings.options)
    if key not in cache:
        todo = config.stash[_PENDING].pop(spec, {})
        todo.update({v.name: (v, m) for v, m in others})
        todo[variant.name] = (variant, model)
        todo = {name: vm for name, vm in todo.items()
                if (spec, name, settings.const_text, settings.options) not in cache}
        pairs = list(todo.values())
        from checker.variants import cpus, explore_variants
        results = explore_variants([m for _, m in pairs], settings.options, cpus(),
                                   lambda m, o: explore(m, o))
        for (v, m), result in zip(pairs, results):
            result = api.timed(m, result)
            met, why = api.expectation(v, result)
            cache[(spec, v.name, settings.const_text, settings.options)] = \
                api.VariantResult(v, m, result, met, why)
    return cache[key]


def _check_names(vr, names: list[str]) -> None:
    """Every property the exploration decided must have had an item; one without would
    never be reported, so every item of the variant fails instead."""
    missing = [p.name for p in vr.result.properties if p.name not in names]
    if missing:
        raise KovnFailure(f"the exploration of variant {vr.variant.name} decided {', '.join(missing)}, "
                          "which no test item was collected for (a bug in kovn's pytest plugin)")


def _case(config: pytest.Config, vr, spec: str, prop: str | None) -> Case:
    for case in _cases(config, vr, spec):
        if case.prop == prop:
            return case
    # The collected names come from the model; the engine decided a different set. Say so
    # rather than pass silently.
    raise KovnFailure(f"{spec}::{vr.variant.name}: the exploration did not decide {prop!r} "
                      f"(it decided: {', '.join(p.name for p in vr.result.properties) or 'nothing'})")


def _cases(config: pytest.Config, vr, spec: str) -> tuple[Case, ...]:
    """The cases of a variant's result (checker.report.cases), worked out once and shared
    by its items: each case renders its counterexample, about a second for a flagship
    variant, and a variant has an item per property. (Keyed by the result object, which
    the exploration cache keeps alive; the object itself is kept to make sure of that.)"""
    memo = config.stash[_CASES]
    key = (id(vr), spec)
    if key not in memo or memo[key][0] is not vr:
        memo[key] = (vr, variant_cases(vr, spec))
    return memo[key][1]


def failure_text(case: Case, rendered: list[str]) -> str:
    res = case.result.result
    st = res.stats
    want = ("violated " + ", ".join(case.result.variant.expect_violated)
            if case.result.variant.expect_violated else "holds")
    lines = [case.message]
    if case.where is not None:
        lines.append(f"  {'property' if case.prop else 'variant'} declared at {case.where.text()}")
    lines.append(f"  variant {case.variant}: {st.distinct:,} distinct states, {st.generated:,} generated, "
                 f"depth {st.depth}, verdict {res.verdict.value}; it expects: {want}")
    if case.step is not None:
        lines.append(f"  broken by step {case.step_action} at {case.step.text()}")
    lines.extend(case.trace)
    lines.extend(f"  {r}" for r in rendered)
    return "\n".join(lines)


def render_files(vr, case: Case, directory: Path) -> list[str]:
    """Render the failing case's counterexample into `directory` through
    checker.render.render_violation (files `VARIANT-PROPERTY.{dot,svg,png,html,itf.json}`;
    for a run-time error, the trace to the failing state, `VARIANT-error.*`); the lines to
    show, one per file and per note."""
    from checker import render
    spec_name = vr.model.spec.name or Path(case.spec).stem
    # a run-time error fails every item of its variant: its trace is the one to draw
    failed = render.failed_evaluation(vr.result, [p.name for p in vr.result.properties])
    shown = failed if failed is not None else case.prop_result
    done = render.render_violation(vr.model, spec_name, vr.variant.name, vr.result, shown,
              render.RenderOptions(out_dir=directory), source=case.spec)
    return ([f"rendered trace: {ci_path(str(p))}" for p in done.files]
            + [f"rendering: {note}" for note in done.notes])
