"""The HTML report of one counterexample: a single self-contained file.

Input: the model (describe, action origins), the `Trace`, the violated `PropertyResult`,
the lane `Diagram` (its title), the `CheckResult` statistics and the SVG drawn by graphviz
(or None, with a note saying why there is no picture). Output: HTML text.

The file loads nothing (a Content-Security-Policy forbids it): the picture is inline SVG,
the style and the script are inline. It shows the verdict and the statistics, the picture,
the list of steps and, for the current step, every variable's value with what changed
highlighted. Steps are chosen with the keyboard (arrow keys, j/k, Home/End), the buttons,
a click in the list, or a click on a box of the picture. Everything that comes from the
spec is escaped; the script is constant text and reads nothing but the page.

For a run-time error's trace (`prop` a FailedEvaluation) the header gives the message,
where the failing expression is and its text; the last step in the list and the last
state's panel say that evaluation failed there, and what was being evaluated.
"""
from __future__ import annotations

import re
from html import escape
from typing import Any

from checker.diagnostics import Location, where
from checker.render.diagram import Diagram
from checker.render.text import changes
from checker.semantics.display import show

_MISSING = object()


def report_html(model, trace, prop, diagram: Diagram, result, svg: str | None,
                note: str = "") -> str:
    """The whole report as one HTML document."""
    title = diagram.title[0]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        _header(diagram, prop, result),
        '<main><section id="picture" aria-label="trace diagram">',
        _svg_block(svg, note),
        "</section>",
        '<section id="steps" aria-label="steps">',
        _navigation(model, trace, prop.kind == "error"),
        '<div id="states">',
        "".join(_state_article(model, trace, i, _failure_note(prop, diagram, i, len(trace.steps)))
                for i in range(len(trace.steps))),
        "</div></section></main>",
        f"<script>{_JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


# ---------------------------------------------------------------- header: verdict and statistics

def _header(d: Diagram, prop, result) -> str:
    stats = result.stats if result is not None else None     # None: a model drawn without a search
    rows = [("verdict", result.verdict.value if result is not None else "")]
    if prop.kind == "error":
        rows += [("run-time error", prop.message), ("where", prop.location(full=True)),
                 ("expression", prop.expression(120))]
    else:
        rows += [("property", f"{prop.name} ({prop.kind})"), ("where", _origin(prop.origin))]
    if stats is not None:
        rows += [("distinct states", f"{stats.distinct:,}"), ("states generated", f"{stats.generated:,}"),
                 ("depth", str(stats.depth)), ("time", f"{stats.seconds:.2f} s"),
                 ("parse, compile, search", f"{stats.parse_seconds:.2f} s, {stats.compile_seconds:.2f} s, "
                                            f"{stats.search_seconds:.2f} s"),
                 ("states/s", f"{stats.states_per_second:,.0f}"),
                 ("peak memory", f"{stats.peak_rss_bytes / 2**20:.0f} MiB")]
    if result is not None and result.limit:
        rows.append(("stopped at", result.limit))
    cells = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in rows if v)
    subtitle = "".join(f'<p class="sub">{_e(t)}</p>' for t in d.title[1:])
    cls = ' class="error"' if prop.kind == "error" else ""
    return f'<header{cls}><h1>{_e(d.title[0])}</h1>{subtitle}<dl class="stats">{cells}</dl></header>'


def _origin(origin) -> str:
    """`ipam.kovn:793`: the file's name, as the picture and the step list write it (the
    spec's folder is the one the report was made from; a library file says so)."""
    loc = Location.of(origin)
    if loc is None:
        return ""
    text = loc.text(file_only=True)
    library = getattr(getattr(origin, "source", None), "library", None)
    return f"{text} (library {library})" if library else text


# ---------------------------------------------------------------- the picture

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_TITLES = re.compile(r"<title>[^<]*</title>")


def _svg_block(svg: str | None, note: str) -> str:
    if svg is None:
        return f'<p class="note" id="no-picture">{_e(note or "No picture was drawn.")}</p>'
    body = _PROLOG.sub("", svg, count=1)      # drop the XML prolog and DOCTYPE graphviz writes
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    # graphviz names each node and edge in a <title> (`r3_l2`, `r1_l2->r2_l0`), which a
    # browser shows on hover: the boxes' own tooltips (xlink:title) stay
    body = _TITLES.sub("", body)
    extra = f'<p class="note">{_e(note)}</p>' if note else ""
    tools = '<div class="tools"><button id="fit" type="button" aria-pressed="false">fit to width</button></div>'
    return f'{extra}{tools}<div id="lane-heads" aria-hidden="true"></div><div id="svg-box">{body}</div>'


# ---------------------------------------------------------------- the step list

def _navigation(model, trace, error: bool = False) -> str:
    items = []
    for i, step in enumerate(trace.steps):
        name = step.action if step.action is not None else "initial state"
        loop = ' <span class="loop">loop starts</span>' if trace.loop_start == i else ""
        if error and i == len(trace.steps) - 1:
            loop += ' <span class="failed">✗ evaluation failed here</span>'
        items.append(f'<li data-step="{i + 1}" tabindex="-1"><span class="n">{i + 1}</span> '
                     f'<span class="act">{_e(name)}</span> <span class="where">{_e(_where(model, step))}</span>'
                     f"{loop}</li>")
    if trace.loop_start is not None:
        items.append(f'<li class="back" aria-hidden="true">↺ back to state {trace.loop_start + 1}, forever</li>')
    return ('<nav><div class="buttons"><button id="prev" type="button" title="previous (← or k)">◀</button>'
            '<span id="position" aria-live="polite"></span>'
            '<button id="next" type="button" title="next (→ or j)">▶</button></div>'
            '<p class="hint">← → (or j k) step, Home / End; click a step or a box in the picture</p>'
            f'<ol id="step-list">{"".join(items)}</ol></nav>')


def _where(model, step) -> str:
    if step.label is None:
        return ""
    return where(model.actions[step.label[0]].origin, file_only=True)


# ---------------------------------------------------------------- one state

def _failure_note(prop, d: Diagram, i: int, n: int) -> str:
    """The last state's panel of a run-time error's trace: what failed, where, and why."""
    if prop.kind != "error" or i != n - 1:
        return ""
    lines = [f"<strong>Evaluation failed in this state:</strong> {_e(prop.message)}"]
    if prop.location():
        expr = prop.expression(120)
        lines.append(f"at <code>{_e(prop.location(full=True))}</code>" + (f": <code>{_e(expr)}</code>" if expr else ""))
    context = d.title[1] if len(d.title) > 1 else ""
    count = f" · {n} states" if n != 1 else " · 1 state"
    if context.endswith(count):                      # said in the heading already
        context = context[:-len(count)]
    if context:
        lines.append(_e(context))
    return '<div class="failed" id="failure" role="alert">' + "<br>".join(lines) + "</div>"


def _state_article(model, trace, i: int, note: str = "") -> str:
    step = trace.steps[i]
    state = model.describe(step.state)
    prev = model.describe(trace.steps[i - 1].state) if i else None
    diffs = [d for var in state for d in changes(var, prev[var], state[var])] if prev is not None else []
    name = step.action if step.action is not None else "initial state"
    head = f"State {i + 1} of {len(trace.steps)}: {name}"
    where = _where(model, step)
    changed = "".join(f"<li><code>{_e(p)}</code> {_e(t)}</li>" for p, t in diffs)
    if prev is not None and not diffs:
        changed = "<li>(no change)</li>"
    k8s = isinstance(state.get("api"), dict) and isinstance(state.get("cache"), dict)
    objects = _objects_table(state, prev, diffs) if k8s else ""
    rows = "".join(_rows(var, state[var], prev.get(var, _MISSING) if prev else _MISSING, diffs)
                   for var in state if not (k8s and var in ("api", "cache")))
    return (f'<article class="state" id="state-{i + 1}" data-step="{i + 1}" hidden>'
            f"<h2>{_e(head)}</h2>" + (f'<p class="where">{_e(where)}</p>' if where else "") + note
            + (f'<ul class="changes">{changed}</ul>' if prev is not None else "") + objects
            + f'<table><thead><tr><th>variable</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>'
            "</article>")


def _objects_table(state: dict, prev: dict | None, diffs) -> str:
    """A Kubernetes spec's objects, one row each: the API's copy beside the cache's, every
    object either holds (absent where it is not), their fields one per line."""
    keys = list(dict.fromkeys([*state["api"], *state["cache"], *((prev or {}).get("api") or {}),
                               *((prev or {}).get("cache") or {})]))
    rows = []
    for k in keys:
        cells = []
        for var in ("api", "cache"):
            path = f"{var}[{show(k)}]"
            value = state[var].get(k, _MISSING)
            body = '<span class="absent">absent</span>' if value is _MISSING else _fields(value)
            hit, detail = _was(path, diffs)
            cells.append(f'<td class="{"changed" if hit else ""}" data-place="{_e(path)}">{body}{detail}</td>')
        lag = state["api"].get(k, _MISSING) != state["cache"].get(k, _MISSING)
        mark = ' <span class="lag" title="the cache differs from the API">cache behind</span>' if lag else ""
        rows.append(f"<tr><th>{_e(show(k))}{mark}</th>{''.join(cells)}</tr>")
    return ('<table class="objects"><thead><tr><th>object</th><th>API</th><th>cache</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _fields(value) -> str:
    """A record's fields one per line (`deleting: true`), nested records flattened with
    dots; any other value as it is shown."""
    items = getattr(value, "items", None)
    if not isinstance(items, tuple):
        return f"<code>{_e(show(value))}</code>"
    lines = []
    for name, v in items:
        inner = getattr(v, "items", None)
        if isinstance(inner, tuple):
            lines += [f"<code>{_e(name)}.{_e(n2)}: {_e(show(v2))}</code>" for n2, v2 in inner]
        else:
            lines.append(f"<code>{_e(name)}: {_e(show(v))}</code>")
    return "<br>".join(lines)


def _rows(var: str, value, old, diffs) -> str:
    """One row per variable; a map gets one row per key (and one per key it lost)."""
    if isinstance(value, dict) and value:
        out = []
        keys = list(value) + [k for k in (old if isinstance(old, dict) else {}) if k not in value]
        for k in keys:
            path = f"{var}[{show(k)}]"
            shown = show(value[k]) if k in value else "(removed)"
            out.append(_row(path, shown, diffs))
        return "".join(out)
    return _row(var, show(value), diffs)


def _row(path: str, shown: str, diffs) -> str:
    hit, detail = _was(path, diffs)
    cls = ' class="changed"' if hit else ""
    return f"<tr{cls}><th>{_e(path)}</th><td><code>{_e(shown)}</code>{detail}</td></tr>"


def _was(path: str, diffs) -> tuple[bool, str]:
    """Did the step change `path` (or a part of it), and the old → new lines of each part."""
    hit = [(p[len(path):].lstrip("."), t) for p, t in diffs
           if p == path or p.startswith(path + ".") or p.startswith(path + "[")]
    detail = "".join(f'<div class="was">{_e((sub + ": ") if sub else "")}{_e(t.replace(" -> ", " → "))}</div>'
                     for sub, t in hit if t != "(removed)")
    return bool(hit), detail


# ---------------------------------------------------------------- style and script (constant)

_CSS = """
:root{--fg:#202124;--muted:#5f6368;--line:#dadce0;--hit:#fef7e0;--hitline:#f9ab00;--accent:#1a73e8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg)}
header{padding:12px 18px;border-bottom:1px solid var(--line)}
h1{font-size:18px;margin:0 0 4px}
.sub{margin:0;color:var(--muted);font-size:13px}
.stats{display:flex;flex-wrap:wrap;gap:4px 22px;margin:8px 0 0}
.stats div{display:flex;gap:6px}.stats dt{color:var(--muted)}.stats dd{margin:0;font-weight:600}
main{display:flex;align-items:flex-start;gap:0;height:calc(100vh - 110px)}
#picture{flex:3 1 0;min-width:0;height:100%;overflow:auto;border-right:1px solid var(--line)}
#svg-box svg{display:block}
#svg-box.fit svg{width:100%;height:auto}
.tools{position:sticky;top:0;left:0;z-index:1;padding:6px 10px;background:rgba(255,255,255,.9)}
#steps{flex:2 1 0;min-width:320px;height:100%;display:flex;flex-direction:column}
nav{border-bottom:1px solid var(--line);padding:8px 12px;max-height:45%;display:flex;flex-direction:column}
.buttons{display:flex;align-items:center;gap:10px}
button{font-size:14px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
button:hover{border-color:var(--accent)}
#position{font-weight:600}
.hint{margin:4px 0;color:var(--muted);font-size:12px}
#step-list{list-style:none;margin:0;padding:0;overflow:auto}
#step-list li{padding:2px 6px;border-radius:4px;cursor:pointer;white-space:nowrap}
#step-list li:hover{background:#f1f3f4}
#step-list li.current{background:#e8f0fe;outline:1px solid var(--accent)}
#step-list li.back{cursor:default;color:#8430ce}
.n{display:inline-block;min-width:2.2em;color:var(--muted);text-align:right}
.where{color:var(--muted);font-size:12px}
.loop{color:#8430ce;font-size:12px}
span.failed{color:#c5221f;font-size:12px;font-weight:600}
div.failed{margin:6px 0 8px;padding:8px 10px;background:#fce8e6;border:1px solid #d93025;border-radius:6px}
header.error h1{color:#a50e0e}
#states{overflow:auto;padding:8px 12px;flex:1}
h2{font-size:15px;margin:4px 0}
.changes{margin:4px 0 8px;padding-left:18px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:2px 6px;border-bottom:1px solid #f1f3f4}
tbody th{font-weight:500;white-space:nowrap;color:var(--muted)}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-word}
tr.changed{background:var(--hit)}
table.objects{margin-bottom:10px}
table.objects td{width:40%}
table.objects code{white-space:nowrap;font-size:11px}
table.objects td.changed{background:var(--hit);box-shadow:inset 3px 0 var(--hitline)}
.absent{color:var(--muted);font-style:italic}
.lag{display:inline-block;margin-left:4px;padding:0 4px;border-radius:3px;background:#fef7e0;color:#b06000;
 font-size:11px}
#lane-heads{position:sticky;top:36px;z-index:2;height:0;overflow:visible}
#lane-heads div{position:absolute;top:0;transform:translateX(-50%);padding:2px 6px;background:rgba(255,255,255,.95);
 border:1px solid var(--line);border-radius:4px;font-size:12px;font-weight:600;white-space:nowrap}
tr.changed th{color:var(--fg);border-left:3px solid var(--hitline)}
.was{color:#b06000;font-size:12px}
.note{margin:12px;padding:8px 12px;background:#fef7e0;border:1px solid #f9ab00;border-radius:6px}
svg g.node.current polygon,svg g.node.current path,svg g.node.current ellipse{stroke:#f9ab00;stroke-width:4px}
svg g.node.current text{font-weight:bold}
svg g.node{cursor:pointer}
@media (max-width:1600px){#steps{flex:0 0 420px}}
@media (max-width:900px){main{display:block;height:auto}#picture,#steps{height:auto;max-height:none}}
"""

_JS = """
(function () {
  "use strict";
  var states = Array.prototype.slice.call(document.querySelectorAll("article.state"));
  var items = Array.prototype.slice.call(document.querySelectorAll("#step-list li[data-step]"));
  var position = document.getElementById("position");
  var svg = document.querySelector("#picture svg");
  var current = 0;

  function mark(step) {
    if (!svg) { return null; }
    Array.prototype.forEach.call(svg.querySelectorAll(".current"), function (e) {
      e.classList.remove("current");
    });
    var found = svg.querySelectorAll('g[id^="r' + step + '_"], g[id="t' + step + '"]');
    Array.prototype.forEach.call(found, function (e) { e.classList.add("current"); });
    return svg.querySelector('g[id="t' + step + '"]');
  }

  function show(i) {
    if (!states.length) { return; }
    current = Math.max(0, Math.min(states.length - 1, i));
    states.forEach(function (s, k) { s.hidden = k !== current; });
    items.forEach(function (li, k) { li.classList.toggle("current", k === current); });
    var step = current + 1;
    position.textContent = "state " + step + " of " + states.length;
    document.body.setAttribute("data-current", String(step));
    if (items[current]) { items[current].scrollIntoView({block: "nearest"}); }
    var row = mark(step);
    var box = document.getElementById("picture");
    if (row && box) {
      var r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
      box.scrollTop += (r.top - b.top) - b.height / 3;
      // sideways, what matters most in the row: the violation's box, a step of the race,
      // else the step's own box
      var rowNodes = 'g[id^="r' + step + '_"]';
      var actor = svg.querySelector(rowNodes + '.offending') || svg.querySelector(rowNodes + '.step-race') ||
        svg.querySelector(rowNodes + '[id$="_s"]');
      if (actor) {
        var a = actor.getBoundingClientRect();
        if (a.left < b.left || a.right > b.right) {
          box.scrollLeft += (a.left - b.left) - Math.max(b.width - a.width, 0) / 2;
        }
      }
    }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var k = ev.key;
    if (k === "ArrowRight" || k === "ArrowDown" || k === "j" || k === "n") { show(current + 1); }
    else if (k === "ArrowLeft" || k === "ArrowUp" || k === "k" || k === "p") { show(current - 1); }
    else if (k === "Home") { show(0); }
    else if (k === "End") { show(states.length - 1); }
    else { return; }
    ev.preventDefault();
  });
  document.getElementById("prev").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  var fit = document.getElementById("fit");
  var MIN_SCALE = 0.7;
  if (fit) {
    fit.addEventListener("click", function () {
      var on = document.getElementById("svg-box").classList.toggle("fit");
      fit.setAttribute("aria-pressed", on ? "true" : "false");
      // fitted, the picture shrinks at most to MIN_SCALE of its size: its smallest text (9 pt
      // edge labels) stays about 8 px high; a wider picture scrolls sideways instead
      if (svg && svg.width && svg.width.baseVal) {
        svg.style.minWidth = on ? Math.round(svg.width.baseVal.value * MIN_SCALE) + "px" : "";
      }
      show(current);
      placeHeads();
    });
  }
  items.forEach(function (li, k) { li.addEventListener("click", function () { show(k); }); });
  if (svg) {
    svg.addEventListener("click", function (ev) {
      var g = ev.target.closest ? ev.target.closest("g.node") : null;
      var m = g && /^(?:r(\\d+)_l\\d+(?:_s)?|t(\\d+))$/.exec(g.id);
      if (m) { show(parseInt(m[1] || m[2], 10) - 1); }
    });
  }
  // sticky lane headers: the picture's header row (nodes h0, h1, ...) repeated in a bar
  // that stays at the top of the pane while the rows scroll under it
  var heads = document.getElementById("lane-heads");
  function placeHeads() {
    if (!svg || !heads) { return; }
    var box = document.getElementById("picture").getBoundingClientRect();
    var bar = heads.getBoundingClientRect();
    var top = svg.querySelector('g[id="h0"]');
    var showIt = top && top.getBoundingClientRect().bottom < box.top + 30;
    heads.style.visibility = showIt ? "visible" : "hidden";
    Array.prototype.forEach.call(heads.children, function (d) {
      var g = svg.querySelector('g[id="' + d.getAttribute("data-lane") + '"]');
      if (!g) { return; }
      var r = g.getBoundingClientRect();
      d.style.left = (r.left + r.width / 2 - bar.left) + "px";
    });
  }
  if (svg && heads) {
    Array.prototype.forEach.call(svg.querySelectorAll('g.node[id^="h"]'), function (g) {
      if (!/^h\\d+$/.test(g.id)) { return; }
      var b = g.querySelector("text");
      var d = document.createElement("div");
      d.setAttribute("data-lane", g.id);
      d.textContent = b ? b.textContent : g.id;
      heads.appendChild(d);
    });
    document.getElementById("picture").addEventListener("scroll", placeHeads);
    window.addEventListener("resize", placeHeads);
  }
  show(0);
  placeHeads();
  document.body.setAttribute("data-ready", "1");
}());
"""
