"""Rendered counterexamples: the one entry point the CLI calls (`render_report`).

Input: an api `Report` (or one model, result and violated property) and `RenderOptions`
(output directory, formats, whether to draw the state graph). Output: files in the
directory, one set per violation named `<variant>-<property>.<ext>` (dot, svg, png, html,
itf.json; `.states.dot/svg/png` for the state graph), one more set `<variant>-error.<ext>`
when the search failed to evaluate an expression (a run-time error, KOV501: its trace ends
in the state where evaluation failed), and a `Rendered` value listing them with notes for
the user (graphviz missing and how to install it, a state graph too large).

The modules behind it, each with one job: lanes.py with objects.py and diagram.py (what to
draw), dot.py (DOT text), graphviz.py (running `dot`), html.py, itf.py, state_graph.py;
text.py is the terminal's trace. What a step read and why a property fails come from
checker/analysis (`analyse`), whose results they draw. The terminal report imports
text.py, and with it this package, on every run: the other modules (and graphviz,
networkx, the analysis) are imported when a picture is asked for. docs/traces.md explains
how to read what they produce, docs/adr/0010-rendered-traces.md why they work as they do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from checker.analysis.source import spec_of
from checker.engine.result import Status
from checker.render.diagram import FailedEvaluation

FORMATS = ("dot", "svg", "png", "html", "itf")
_EXT = {"dot": ".dot", "svg": ".svg", "png": ".png", "html": ".html", "itf": ".itf.json"}


@dataclass(frozen=True)
class RenderOptions:
    out_dir: Path
    formats: frozenset = frozenset(FORMATS)
    state_graph: bool = False
    max_graph_states: int = 200


@dataclass(frozen=True)
class Rendered:
    files: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()

    def __add__(self, other: "Rendered") -> "Rendered":
        notes = self.notes + tuple(n for n in other.notes if n not in self.notes)
        return Rendered(self.files + other.files, notes)


def parse_formats(text: str) -> frozenset:
    """`dot,svg` -> {"dot", "svg"}; `all` for every format. Raises ValueError."""
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    if not names:
        raise ValueError("expected a list of formats such as dot,svg,png,html,itf")
    if names == ["all"]:
        return frozenset(FORMATS)
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)} (choose from {', '.join(FORMATS)}, or all)")
    return frozenset(names)


def render_report(report, options: RenderOptions) -> Rendered:
    """Every violation with a trace, and every run-time error with a trace, of every
    variant of an api `Report`; with options.state_graph also a variant's state graph when
    it has neither."""
    out = Rendered()
    for r in report.results:
        spec = spec_of(r.model)
        spec_name = (spec.name if spec is not None else "") or Path(report.spec).stem
        violations = [p for p in r.result.properties if p.status is Status.VIOLATED and p.trace is not None]
        for prop in violations:
            out += render_violation(r.model, spec_name, r.variant.name, r.result, prop, options,
                                    source=report.spec)
        failed = failed_evaluation(r.result, [p.name for p in violations])
        if failed is not None:
            out += render_violation(r.model, spec_name, r.variant.name, r.result, failed, options,
                                    source=report.spec)
        if options.state_graph and not violations and failed is None:
            out += _state_graph(r.model, spec_name, r.variant.name, None, None, options)
    return out


def failed_evaluation(result, taken: Sequence[str] = ()) -> FailedEvaluation | None:
    """A result's run-time error as something to render like a violated property (None
    when the search did not fail, or failed computing the initial states: no trace).
    Named `error`, or `runtime-error` when a violated property is called `error`."""
    failure = result.failure
    if failure is None or failure.trace is None or not failure.trace.steps:
        return None
    name = "error" if "error" not in taken else "runtime-error"
    return FailedEvaluation(failure.message, failure.origin, failure.trace, name)


def render_violation(model, spec_name: str, variant: str, result, prop, options: RenderOptions,
                     source: str = "") -> Rendered:
    """One violated property's files: picture, report, ITF (and state graph if asked).
    `prop` may be a FailedEvaluation (a run-time error's trace, see failed_evaluation)."""
    from checker.render import dot, html, itf

    options.out_dir.mkdir(parents=True, exist_ok=True)
    base = options.out_dir / file_stem(variant, prop.name, prop.instance)
    trace = prop.trace
    diagram = trace_diagram(model, spec_name, variant, prop)
    dot_text = dot.diagram_dot(diagram)
    files: list[Path] = []
    notes: list[str] = []
    if "dot" in options.formats:
        files.append(_write(base, "dot", dot_text))
    svg, note = _layouts(dot_text, options.formats, base, files, notes)
    if "html" in options.formats:
        page = html.report_html(model, trace, prop, diagram, result, svg, note)
        files.append(_write(base, "html", page))
    if "itf" in options.formats:
        error = _itf_error(prop) if prop.kind == "error" else None
        text = itf.write_itf(model, trace, source=source, variant=variant, prop="" if error else prop.name,
                             kind=prop.kind, error=error)
        files.append(_write(base, "itf", text))
    out = Rendered(tuple(files), tuple(notes))
    if options.state_graph:
        out += _state_graph(model, spec_name, variant, prop, trace, options)
    return out


def _itf_error(failed: FailedEvaluation) -> dict[str, Any]:
    """The run-time error, for the ITF file's #meta: message, location, the expression's
    text and `state`, the index of the state in which evaluation failed (the last one)."""
    texts = {"message": failed.message, "location": failed.location(), "expression": failed.expression(200)}
    out: dict[str, Any] = {k: v for k, v in texts.items() if v}
    out["state"] = len(failed.trace.steps) - 1      # the index of the state where it failed
    return out


def trace_diagram(model, spec_name: str, variant: str, prop):
    """The lane diagram (checker/render/lanes.py) of a violated property's trace (or of a
    run-time error's: a FailedEvaluation), with what checker/analysis finds in it."""
    from checker.analysis.analyse import analyse
    from checker.render import lanes

    found = analyse(model, prop.trace, prop)
    return lanes.build(model, prop.trace, prop, spec_name, variant, found)


def trace_dot(model, spec_name: str, variant: str, prop) -> str:
    """The DOT text of a violated property's trace (what the .dot file holds)."""
    from checker.render import dot

    return dot.diagram_dot(trace_diagram(model, spec_name, variant, prop))


def file_stem(variant: str, prop: str, instance: str | None = None) -> str:
    """`v1_12-NoOrphanIP`: safe in any file system (other characters become `_`)."""
    name = "-".join(x for x in (variant, prop, (instance or "").replace(" ", "")) if x)
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name).strip("_") or "trace"


def _layouts(dot_text: str, formats, base: Path, files: list, notes: list) -> tuple[str | None, str]:
    """Run `dot` for the picture formats (and the HTML's inline SVG). Returns the SVG text
    (None when there is none) and the note the HTML report shows instead."""
    from checker.render import graphviz

    wanted = [f for f in ("svg", "png") if f in formats]
    if "html" in formats and "svg" not in wanted:
        wanted.insert(0, "svg")
    svg, note = None, ""
    for fmt in wanted:
        try:
            data = graphviz.layout(dot_text, fmt)
        except graphviz.GraphvizMissing as exc:
            notes.append(str(exc))
            return None, "No picture: " + str(exc) + ". The DOT file beside this report has the drawing."
        except graphviz.LayoutFailed as exc:
            notes.append(str(exc))
            return None, f"No picture: {exc}"
        if fmt == "svg":
            svg = data.decode("utf-8")
        if fmt in formats:
            files.append(_write(base, fmt, data))
    return svg, note


def _state_graph(model, spec_name: str, variant: str, prop, trace, options: RenderOptions) -> Rendered:
    from checker.render import dot, graphviz, state_graph

    name = file_stem(variant, prop.name, prop.instance) if prop is not None else \
        file_stem(variant, "")
    base = options.out_dir / (name + ".states")
    try:
        g = state_graph.reachable_graph(model, options.max_graph_states, trace)
    except state_graph.NotDrawn as exc:
        return Rendered((), (f"no state graph for variant {variant}: {exc}",))
    what = "" if prop is None else ", the trace to the run-time error in red" if prop.kind == "error" else \
        f", counterexample to {prop.name} in red"
    title = f"{spec_name} · variant {variant}: {g.number_of_nodes()} reachable states{what}"
    text = dot.state_graph_dot(g, title)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    files = [_write(base, "dot", text)] if "dot" in options.formats else []
    notes: list[str] = []
    for fmt in ("svg", "png"):
        if fmt not in options.formats:
            continue
        try:
            files.append(_write(base, fmt, graphviz.layout(text, fmt)))
        except (graphviz.GraphvizMissing, graphviz.LayoutFailed) as exc:
            notes.append(str(exc))
            break
    return Rendered(tuple(files), tuple(notes))


def _write(base: Path, fmt: str, data) -> Path:
    """Write one rendered file. Never through a symbolic link: a link planted in the
    output directory (a shared CI workspace) must not redirect kovn's writes elsewhere,
    so the new file replaces whatever had its name (written aside, then renamed)."""
    import os
    path = base.with_name(base.name + _EXT[fmt])
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.replace(tmp, path)       # replaces a link itself, not what it points to
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
