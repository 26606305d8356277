"""DOT text: the only place that writes the graphviz language (pure strings, no graphviz).

Input: a lane `Diagram` (checker/render/lanes.py) or a state graph (any object with
networkx's `nodes(data=True)` / `edges(data=True)`, from checker/render/state_graph.py).
Output: DOT source text, deterministic (the same input gives the same bytes), that
checker/render/graphviz.py lays out with `dot`.

Every text that comes from a spec (names, values, labels) goes through `_html` or `_quote`:
labels are graphviz HTML-like labels, so `<`, `>` and `&` in a value cannot break them.
Nodes get `id` attributes (`r<state>_l<lane>`, `t<state>`) that survive into the SVG, so
the HTML report can find the boxes of a step.
"""
from __future__ import annotations

import html
from typing import Any, Iterable

from checker.render.diagram import Arrow, Cell, Diagram, Line

FONT = "Helvetica,Arial,sans-serif"

# The look of each cell style: fill, border colour, border width, font colour.
CELL = {
    "step": ("#e8f0fe", "#1a73e8", 1.2, "#202124"),
    "step-alert": ("#e8f0fe", "#d93025", 2.6, "#202124"),
    "step-failed": ("#fce8e6", "#d93025", 2.6, "#202124"),
    "waiting": ("#fef7e0", "#f9ab00", 1.2, "#202124"),
    "step-race": ("#f3e8fd", "#a142f4", 3.0, "#202124"),
    "step-aside": ("#f1f3f4", "#bdc1c6", 1.0, "#80868b"),
    "created": ("#fff4d6", "#b06000", 1.2, "#202124"),
    "exists": ("#ffffff", "#5f6368", 1.2, "#202124"),
    "deleting": ("#fde2e1", "#c5221f", 1.4, "#202124"),
    "gone": ("#dadce0", "#80868b", 1.2, "#202124"),
    "value": ("#ffffff", "#9aa0a6", 1.0, "#202124"),
    "changed": ("#fff4d6", "#b06000", 1.2, "#202124"),
    "offending": ("#d93025", "#a50e0e", 3.0, "#ffffff"),
}
# Arrows: colour, style, width.
ARROW = {
    "write": ("#1a73e8", "solid", 1.5),
    "cache-write": ("#188038", "solid", 1.3),
    "read-api": ("#5f6368", "dashed", 1.1),
    "read-cache": ("#188038", "dashed", 1.1),
    "stale-read": ("#d93025", "dashed", 2.4),
    "read": ("#5f6368", "dashed", 1.1),
    "race": ("#a142f4", "bold", 3.2),
}
# Lane segments between two rows: colour, style, width.
SEGMENT = {
    "object": ("#5f6368", "solid", 2.5),
    "lagging": ("#e37400", "dashed", 2.5),
    "busy": ("#aecbfa", "solid", 6.0),
    "variable": ("#9aa0a6", "solid", 1.5),
}
TONE = {"muted": ("#5f6368", 9), "warn": ("#b06000", 10), "bad": ("#c5221f", 10),
        "decision": ("#3c4043", 9), "race": ("#7b1fa2", 10)}
LOOP = "#8430ce"

LEGEND = {
    "write": ("━━▶", "#1a73e8", "the step wrote it (API object or variable)"),
    "cache-write": ("━━▶", "#188038", "the informer updated the controller's cache"),
    "read-api": ("╌╌▶", "#5f6368", "the step read the object from the API"),
    "read-cache": ("╌╌▶", "#188038", "the step read the object from its cache"),
    "stale-read": ("╌╌▶", "#d93025", "stale read: the cache differed from the API"),
    "read": ("╌╌▶", "#5f6368", "the step read the variable"),
    "object": ("┃", "#5f6368", "object exists, cache in sync with the API"),
    "lagging": ("┇", "#e37400", "the cache differs from the API (not yet delivered)"),
    "busy": ("█", "#aecbfa", "worker inside a handler (between two of its steps)"),
    "race": ("━━▶", "#a142f4", "the race: in the other order the property holds (replayed)"),
    "offending": ("■", "#d93025", "what the violated property is about"),
    "step-aside": ("□", "#9aa0a6", "a step outside the causal slice: the violation does not depend on it"),
    "offending-error": ("■", "#d93025", "what the expression that failed to evaluate read"),
    "step-failed": ("□", "#d93025", "the step that failed to evaluate (it reached no state)"),
    "loop": ("◀━", LOOP, "the loop repeats forever"),
}


class Html(str):
    """An attribute value that is already a graphviz HTML-like label body."""


# ---------------------------------------------------------------- the lane diagram

def diagram_dot(d: Diagram) -> str:
    """The DOT text of a lane diagram."""
    out = ["digraph trace {"]
    out += _graph_attrs(d)
    out += _headers(d)
    cells = {(c.row, c.lane): c for c in d.cells}
    segments = {(lane, row): style for lane, row, style in d.segments}
    offending = any(c.style == "offending" for c in d.cells)
    for row in range(len(d.rows)):
        out += _row(d, row, cells, segments, offending)
    out += _lane_lines(d, segments)
    out += _arrows(d.arrows)
    if d.loop_start is not None:
        out += _loop(d)
    if d.legend:
        out += _legend(d)
    out.append("}")
    return "\n".join(out) + "\n"


def _graph_attrs(d: Diagram) -> list[str]:
    title = "".join(f"<B>{_html(t)}</B>" + '<BR ALIGN="LEFT"/>' for t in _wrap(d.title[0])) + "".join(
        f'<FONT POINT-SIZE="11" COLOR="#5f6368">{_html(t)}</FONT><BR ALIGN="LEFT"/>'
        for line in d.title[1:] for t in _wrap(line, 140))      # smaller type: as wide as 110 bold
    return [
        "  " + _attrs({"rankdir": "TB", "newrank": "true", "splines": "true", "outputorder": "edgesfirst",
                       "nodesep": 0.3,
                       "ranksep": 0.22, "fontname": FONT, "fontsize": 15, "labelloc": "t",
                       "labeljust": "l", "label": Html(title), "bgcolor": "white", "pad": 0.3},
                      sep=";\n  ") + ";",
        "  node " + _attrs({"fontname": FONT, "fontsize": 10, "shape": "box", "style": "rounded,filled",
                            "margin": "0.08,0.04"}) + ";",
        "  edge " + _attrs({"fontname": FONT, "fontsize": 9, "arrowsize": 0.7}) + ";",
    ]


def _headers(d: Diagram) -> list[str]:
    out = ["  { rank=same;"]
    out.append("    " + _node("h_t", {"shape": "plaintext", "style": "", "label": Html(
        '<FONT COLOR="#5f6368">state</FONT>')}))
    for i, lane in enumerate(d.lanes):
        label = f"<B>{_html(lane.title)}</B>"
        if lane.subtitle:
            label += f'<BR/><FONT POINT-SIZE="9" COLOR="#5f6368">{_html(lane.subtitle)}</FONT>'
        out.append("    " + _node(f"h{i}", {"shape": "plaintext", "style": "", "fontsize": 12,
                                            "label": Html(label), "id": f"h{i}"}))
    out.append("  }")
    if d.loop_start is not None:   # a column left of the states for the loop's way back
        out.insert(1, "    " + _node("h_k", {"shape": "plaintext", "style": "", "label": ""}))
    chain = (["h_k"] if d.loop_start is not None else []) + ["h_t"] + [f"h{i}" for i in range(len(d.lanes))]
    out.append("  " + " -> ".join(_quote(n) for n in chain) + " [style=invis];")
    return out


def _row(d: Diagram, row: int, cells: dict, segments: dict, offending: bool) -> list[str]:
    last = row == len(d.rows) - 1
    out = [f"  {{ rank=same;  // state {row + 1}" + (f": {_comment(d.rows[row])}" if d.rows[row] else "")]
    tlabel = f'<FONT COLOR="#5f6368">{row + 1}</FONT>'
    if last and (d.error or not offending) and d.verdict:
        tlabel += f'<BR/><FONT COLOR="#c5221f"><B>{_html(d.verdict)}</B></FONT>'
        tlabel += "".join(f'<BR/><FONT COLOR="#5f6368" POINT-SIZE="9">{_html(n)}</FONT>' for n in d.notes)
    out.append("    " + _node(_t(row), {"shape": "plaintext", "style": "", "label": Html(tlabel),
                                        "id": _t(row), "tooltip": d.rows[row] or "initial state"}))
    if d.loop_start is not None:
        inside = d.loop_start <= row
        out.append("    " + _node(f"k{row + 1}", {"shape": "point", "width": 0.01, "height": 0.01,
                                                 "color": LOOP, "label": "", **({} if inside else {"style": "invis"})}))
    for lane in range(len(d.lanes)):
        cell = cells.get((row, lane))
        name = _r(row, lane)
        if cell is None:
            style = segments.get((lane, row)) or segments.get((lane, row + 1))
            color = SEGMENT[style][0] if style else "#ffffff"
            # as wide as the lane's line, so the line runs through without a gap
            size = round(SEGMENT[style][2] / 72, 3) if style else 0.01
            attrs = {"shape": "point", "width": size, "height": size, "color": color, "label": "",
                     "id": name}
            if style is None:
                attrs["style"] = "invis"
            out.append("    " + _node(name, attrs))
        else:   # a step's box: id suffix _s, so the report can find the actor of a row
            out.append("    " + _node(name, _cell_attrs(cell, name + ("_s" if cell.style.startswith("step") else ""))))
    out.append("  }")
    return out


def _cell_attrs(cell: Cell, name: str) -> dict:
    fill, border, width, font = CELL.get(cell.style, CELL["value"])
    return {"label": Html(_lines(cell.lines, light=font != "#202124")), "fillcolor": fill,
            "color": border, "penwidth": width, "fontcolor": font, "id": name, "class": cell.style,
            "tooltip": cell.tooltip or " "}


def _lines(lines: Iterable[Line], light: bool) -> str:
    parts = []
    for line in lines:
        text = _html(line.text)
        if line.tone == "title":
            parts.append(f"<B>{text}</B>")
        elif line.tone in TONE and not light:
            color, size = TONE[line.tone]
            bold = line.tone in ("bad", "race")
            inner = f"<B>{text}</B>" if bold else text
            parts.append(f'<FONT COLOR="{color}" POINT-SIZE="{size}">{inner}</FONT>')
        elif line.tone == "bad":
            parts.append(f"<B>{text}</B>")
        else:
            parts.append(text)
    return "<BR/>".join(parts)


def _lane_lines(d: Diagram, segments: dict) -> list[str]:
    out = []
    for lane in range(len(d.lanes)):
        out.append(_edge(f"h{lane}", _r(0, lane), {"style": "invis", "weight": 100}))
        for row in range(1, len(d.rows)):
            style = segments.get((lane, row))
            attrs: dict[str, Any] = {"arrowhead": "none", "weight": 100}
            if style is None:
                attrs["style"] = "invis"
            else:   # unclipped, under the boxes (outputorder): the lane runs on without gaps
                color, line, width = SEGMENT[style]
                attrs.update({"color": color, "style": line, "penwidth": width, "headclip": "false",
                              "tailclip": "false"})
            out.append(_edge(_r(row - 1, lane), _r(row, lane), attrs))
    for row in range(1, len(d.rows)):
        out.append(_edge(_t(row - 1), _t(row), {"style": "invis", "weight": 100}))
    out.append(_edge("h_t", _t(0), {"style": "invis", "weight": 100}))
    return out


def _arrows(arrows: Iterable[Arrow]) -> list[str]:
    out = []
    for a in arrows:
        color, style, width = ARROW[a.kind]
        attrs: dict[str, Any] = {"color": color, "style": style, "penwidth": width, "constraint": "false"}
        if a.label:
            attrs.update({"label": a.label, "fontcolor": color if a.kind == "stale-read" else "#3c4043"})
        if a.kind in ("stale-read", "race"):
            attrs["fontname"] = "Helvetica-Bold,Arial Bold,sans-serif"
        if a.kind == "race":
            attrs.update({"fontcolor": color, "class": "race"})
        out.append(_edge(_r(*a.src), _r(*a.dst), attrs))
    return out


def _loop(d: Diagram) -> list[str]:
    """The way back of a lasso: from the last state left into the loop column, up to the
    row where the loop starts, and right into that state."""
    last, start = len(d.rows) - 1, d.loop_start
    assert start is not None        # drawn for lassos only
    line = {"color": LOOP, "penwidth": 2.2, "arrowhead": "none"}
    out = [_edge("h_k", "k1", {"style": "invis", "weight": 100})]
    for row in range(1, len(d.rows)):
        attrs = {"weight": 100, **line} if row > start else {"style": "invis", "weight": 100}
        if row == (start + last + 1) // 2:
            attrs.update({"label": f"loop: back to state {start + 1}", "fontcolor": LOOP})
        out.append(_edge(f"k{row}", f"k{row + 1}", attrs))
    out.append(_edge(_t(last), f"k{last + 1}", {**line, "constraint": "false"}))
    out.append(_edge(f"k{start + 1}", _t(start), {"color": LOOP, "penwidth": 2.2, "constraint": "false"}))
    return out


def _legend(d: Diagram) -> list[str]:
    rows = []
    for key in d.legend:
        mark, color, text = LEGEND[key]
        rows.append(f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{color}">{_html(mark)}</FONT></TD>'
                    f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{_html(text)}</FONT></TD></TR>')
    table = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
             '<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#5f6368">legend</FONT></TD></TR>'
             + "".join(rows) + "</TABLE>")
    last = len(d.rows) - 1
    return ["  " + _node("legend", {"shape": "plaintext", "style": "", "label": Html(table), "id": "legend"}),
            _edge(_t(last), "legend", {"style": "invis", "weight": 100})]


def _wrap(text: str, width: int = 110) -> list[str]:
    """A caption line broken at spaces into lines of at most `width` characters (a long
    run-time error message would otherwise widen the whole picture)."""
    out: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return out + [line]


def _t(row: int) -> str:
    return f"t{row + 1}"


def _r(row: int, lane: int) -> str:
    return f"r{row + 1}_l{lane}"


def _comment(text: str) -> str:
    return text.replace("\n", " ")


# ---------------------------------------------------------------- state graphs

_PATH = "#d93025"


def state_graph_dot(graph, title: str = "") -> str:
    """DOT text of a state graph from checker/render/state_graph.py: networkx's
    `nodes(data=True)` / `edges(data=True)` with that module's attributes."""
    out = ["digraph states {"]
    out.append("  " + _attrs({"rankdir": "TB", "fontname": FONT, "fontsize": 14, "labelloc": "t",
                              "label": title, "bgcolor": "white", "pad": 0.3, "nodesep": 0.35,
                              "ranksep": 0.45}, sep=";\n  ") + ";")
    out.append("  node " + _attrs({"fontname": FONT, "fontsize": 9, "shape": "box", "style": "rounded,filled",
                                   "fillcolor": "white", "color": "#5f6368"}) + ";")
    out.append("  edge " + _attrs({"fontname": FONT, "fontsize": 8, "color": "#9aa0a6",
                                   "fontcolor": "#5f6368", "arrowsize": 0.6}) + ";")
    for node, data in graph.nodes(data=True):
        out.append("  " + _node(str(node), _state_attrs(str(node), data)))
    for u, v, data in graph.edges(data=True):
        actions = list(data.get("actions", ()))
        text = ", ".join(actions[:3]) + (" …" if len(actions) > 3 else "")
        attrs: dict[str, Any] = {"label": text, "tooltip": ", ".join(actions) or " "}
        if data.get("on_path"):
            attrs.update({"color": _PATH, "penwidth": 2.4, "fontcolor": _PATH})
        out.append(_edge(str(u), str(v), attrs))
    out.append("}")
    return "\n".join(out) + "\n"


def _state_attrs(name: str, data: dict) -> dict:
    light = bool(data.get("last"))
    step = f" (trace step {data['step']})" if data.get("step") else ""
    font = ' COLOR="#ffffff"' if light else ""
    rows = "".join(f'<TR><TD ALIGN="LEFT"><FONT{font}>{_html(k)}</FONT></TD>'
                   f'<TD ALIGN="LEFT"><FONT{font}>{_html(_clip(v, 60))}</FONT></TD></TR>'
                   for k, v in data.get("values", ()))
    if data.get("failed"):
        red = font if light else ' COLOR="#c5221f"'
        rows += (f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT{red}>'
                 "<B>✗ its next states failed to evaluate</B></FONT></TD></TR>")
    label = (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
             f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT{font}><B>state {data.get("number", "")}</B>{step}</FONT>'
             f'</TD></TR>{rows}</TABLE>')
    attrs: dict[str, Any] = {"label": Html(label), "id": name,
                             "tooltip": "\n".join(f"{k} = {v}" for k, v in data.get("values", ())) or " "}
    if data.get("initial"):
        attrs["peripheries"] = 2
    if data.get("on_path"):
        attrs.update({"color": _PATH, "penwidth": 2.2, "fillcolor": "#fde2e1"})
    if light:
        attrs.update({"fillcolor": _PATH})
    return attrs


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


# ---------------------------------------------------------------- DOT syntax

def _node(name: str, attrs: dict) -> str:
    return f"{_quote(name)} {_attrs(attrs)};"


def _edge(a: str, b: str, attrs: dict) -> str:
    return f"  {_quote(a)} -> {_quote(b)} {_attrs(attrs)};"


def _attrs(attrs: dict, sep: str = ", ") -> str:
    body = sep.join(f"{k}={_value(k, v)}" for k, v in attrs.items())
    return body if sep != ", " else f"[{body}]"


def _value(key: str, v: Any) -> str:
    if isinstance(v, Html):
        return f"<{v}>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return f"{v:g}" if isinstance(v, float) else str(v)
    text = str(v)
    if key == "label" and "\n" in text:     # plain multi-line labels: lines left-aligned
        return _quote(text, newline="\\l") if text.endswith("\n") else _quote(text + "\n", newline="\\l")
    return _quote(text)


def _quote(text: str, newline: str = "\\n") -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as escapes."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + body.replace("\n", newline) + '"'


def _html(text: str) -> str:
    """Text for an HTML-like label: markup characters escaped, control characters dropped."""
    clean = "".join(ch for ch in str(text) if ch >= " " or ch == "\t")
    return html.escape(clean, quote=True)
