"""A Report as the terminal shows it: verdict, statistics, properties, coverage, traces.

Input: `api.Report`. Output: text with rich markup (colour on a terminal, plain text
elsewhere: the CLI prints it through rich). Spec-supplied text is escaped.
"""
from __future__ import annotations

from rich.markup import escape

from checker import codes
from checker.analysis.analyse import analyse
from checker.diagnostics import where

from checker.engine.result import Status, Verdict
from checker.render.text import origin_text, trace_lines
from checker.report.figures import search_figures


def render(report, verbose: bool = False, traces: bool | None = None,
           hide: frozenset = frozenset()) -> str:
    """traces: print every counterexample (True), none (False), or (None) only those of
    variants whose outcome is not the expected one; each explained (checker/analysis:
    decisions, paused handlers, the cause), less what `hide` names (render/text.py HIDE)."""
    out: list[str] = []
    for r in report.results:
        show = traces if traces is not None else not r.expectation_met
        out.extend(_variant(r, verbose, show, hide))
        out.append("")
    out.append(summary(report))
    return "\n".join(out)


def _variant(r, verbose: bool, traces: bool = True, hide: frozenset = frozenset()) -> list[str]:
    res, st = r.result, r.result.stats
    lines = [f"[bold]{escape(r.model.spec.name)}[/] variant [bold]{escape(r.variant.name)}[/]: "
             + _verdict(res)]
    lines.append(f"  {st.distinct:,} distinct states, {st.generated:,} generated, depth {st.depth}, "
                 f"{st.seconds:.2f} s (parse {st.parse_seconds:.2f}, compile {st.compile_seconds:.2f}, "
                 f"search {st.search_seconds:.2f} s: {st.states_per_second:,.0f} states/s), "
                 f"peak memory {st.peak_rss_bytes / 2**20:,.0f} MiB")
    for key, value in search_figures(r):
        if key == "stopped":
            why = ("every property was decided" if value == "all-decided"
                   else "it stopped at the first violation (--stop-at-first)")
            lines.append(f"  (the search ended early: {why}; the counts cover the part explored)")
        else:
            lines.append(f"  {escape(key)}: {escape(str(value))}")
    if res.properties:
        lines.append("  properties:")
        width = max(len(p.name) for p in res.properties)
        undecided = res.undecided if res.limit is None else None
        for p in res.properties:
            lines.append(f"    {escape(p.name):<{width}}  {p.kind:<9}  {_status(p, undecided)}")
    lines.extend(_coverage(res, verbose))
    lines.extend(_warnings(r))
    if res.failure is not None:
        f = res.failure
        lines.append(f"  [red]error[/]: {escape(f.message)} {escape(where(f.origin, col=True))}")
        if f.trace is not None:
            lines.append("  trace to the state where it failed:")
            lines.extend(escape(x) for x in trace_lines(r.model, f.trace, "  "))
    for line in r.preferred:
        lines.append(f"  --prefer: {escape(line)}")
    for p in res.properties if traces else ():
        if p.status is Status.VIOLATED and p.trace is not None and p.kind != "reachable":
            lines.append(f"  counterexample for [bold]{escape(p.name)}[/]"
                         + (f" with {escape(p.instance)}" if p.instance else "")
                         + f" ({_states(len(p.trace))}"
                         + (f", loop from state {p.trace.loop_start + 1}" if p.trace.loop_start is not None else "")
                         + "):")
            found = analyse(r.model, p.trace, p)
            lines.extend(escape(x) for x in trace_lines(r.model, p.trace, "  ", analysis=found, hide=hide))
    lines.append("  expectation: " + _expectation(r))
    return lines


def _states(n: int) -> str:
    return f"{n} state" if n == 1 else f"{n} states"


def _verdict(res) -> str:
    if res.verdict is Verdict.OK:
        return ("[green]OK[/] (every property decided before the search was complete)"
                if res.stopped else "[green]OK[/] (exhaustive: every property holds)")
    if res.verdict is Verdict.VIOLATED:
        names = ", ".join(p.name for p in res.properties if p.status is Status.VIOLATED)
        extra = f" (search stopped at {res.limit})" if res.limit else ""
        return f"[red]VIOLATED[/] {escape(names)}{escape(extra)}"
    if res.verdict is Verdict.INCOMPLETE and res.limit is None and res.undecided is not None:
        return (f"[yellow]INCOMPLETE[/] ({escape(res.undecided)}: those are unknown; "
                "every other property is decided)")
    if res.verdict is Verdict.INCOMPLETE:
        return f"[yellow]INCOMPLETE[/] (stopped at {escape(res.limit or 'a limit')}; nothing is proven)"
    return "[red]ERROR[/] (the model could not be evaluated)"


def _status(p, undecided: str | None = None) -> str:
    """How one property ended; `undecided`: why a complete search left UNKNOWN ones."""
    where = origin_text(p.origin)
    if p.status is Status.HOLDS:
        text = "[green]holds[/]" if p.kind != "reachable" else "[green]reached[/]"
        if p.kind == "reachable" and p.trace is not None:
            text += f" (witness in {_states(len(p.trace))})"
    elif p.status is Status.VIOLATED:
        text = "[red]violated[/]" if p.kind != "reachable" else "[red]never reached[/]"
        if p.trace is not None and p.kind != "reachable":
            text += f" ({_states(len(p.trace))})"
    elif undecided is not None:
        text = f"[yellow]unknown[/] ({escape(undecided)})"
    else:
        text = "[yellow]unknown[/]"
    return f"{text}  {escape(where)}".rstrip()


def _coverage(res, verbose: bool) -> list[str]:
    cov = res.stats.coverage
    if not cov:
        return []
    lines = []
    if verbose:
        lines.append("  coverage (transitions generated / new states found):")
        width = max(len(c.name) for c in cov)
        for c in cov:
            lines.append(f"    {escape(c.name):<{width}}  {c.generated:>12,}  {c.distinct:>12,}")
    return lines


def _warnings(r) -> list[str]:
    """The variant's warnings (checker/quality.py), one line each; the actions never enabled
    on one line; the acknowledged ones named on one more."""
    never = [w.subjects[0] for w in r.warnings if w.code == codes.UNUSED_ACTION]
    lines = []
    if never:
        lines.append(f"  [yellow]warning\\[{codes.UNUSED_ACTION}][/]: never enabled: {escape(', '.join(never))}")
    for w in r.warnings:
        if w.code != codes.UNUSED_ACTION:
            where = f"  {w.span.path}:{w.span.line}" if w.span is not None else ""
            lines.append(f"  [yellow]warning\\[{w.code}][/]: {escape(w.message)}{escape(where)}")
    if r.acknowledged:
        names = ", ".join(f"{codes.WARNING_NAMES.get(w.code, w.code)} {w.subjects[0] if w.subjects else '?'}"
                          for w in r.acknowledged)
        lines.append(f"  acknowledged: {escape(names)}")
    return lines


def _expectation(r) -> str:
    want = ("violated " + ", ".join(r.variant.expect_violated)) if r.variant.expect_violated else "holds"
    if r.expectation_met:
        return f"{escape(want)} [green]met[/]"
    reasons = "; ".join(r.mismatches)
    return f"{escape(want)} [red]NOT met[/]: {escape(reasons)}"


def summary(report) -> str:
    n = len(report.results)
    met = sum(1 for r in report.results if r.expectation_met)
    if met == n:
        return f"[green]{met} of {n} variant{'s' if n != 1 else ''} met their expectations[/]"
    return f"[red]{n - met} of {n} variant{'s' if n != 1 else ''} did not meet their expectations[/]"
