"""The laid-out pictures keep their words apart: in the SVG graphviz draws for every
counterexample of the shipped specs (spec/ipam.kovn's v1_12 included), no edge label's box
overlaps another edge's label or a box of the picture.

A label's box is estimated from its text element (position, anchor, font size, and a
character width of 0.52 em, a little over Helvetica's average); a box's from the points of
its outline. The estimate is checked itself: two labels drawn on top of each other are
found.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker import api
from checker.engine import CheckOptions
from checker.engine.result import Status
from checker.render import graphviz, trace_dot

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
SPECS = [("models/k8s/kubefed_orphan.kovn", None, {}), ("models/k8s/fluid_restart.kovn", None, {}),
         ("models/k8s/aigw_finalizer_conflict.kovn", None, {}), ("docs/examples/finalizer.kovn", None, {}),
         ("models/diehard.kovn", None, {}), ("models/twophase.kovn", None, {}), ("models/peterson.kovn", None, {}),
         ("models/fairness.kovn", None, {}), ("tests/render/specs/stale.kovn", None, {}),
         ("tests/render/specs/counter.kovn", None, {}), ("spec/ipam.kovn", "v1_12", {"max_depth": 10})]

pytestmark = pytest.mark.skipif(not graphviz.available(), reason="graphviz `dot` is not installed")


def label_boxes(svg: str) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """(edge id, text, (x0, y0, x1, y1)) of every edge label."""
    out = []
    for g in ET.fromstring(svg).iter(SVG + "g"):
        if "edge" not in (g.get("class") or "").split():
            continue
        for t in g.findall(SVG + "text"):
            size = float(t.get("font-size", "9"))
            text = "".join(t.itertext())
            w = len(text) * size * 0.52
            x, y = float(t.get("x")), float(t.get("y"))
            anchor = t.get("text-anchor", "start")
            x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
            out.append((g.get("id") or "", text, (x0, y - size * 0.8, x0 + w, y + size * 0.2)))
    return out


def node_boxes(svg: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(node id, bounding box) of every drawn box (styled nodes: steps, objects, values)."""
    out = []
    for g in ET.fromstring(svg).iter(SVG + "g"):
        cls = (g.get("class") or "").split()
        if "node" not in cls or len(cls) < 2:
            continue
        nums: list[float] = []
        for el in g.iter():
            text = el.get("d") if el.tag == SVG + "path" else el.get("points") if el.tag == SVG + "polygon" else None
            if text:
                nums += [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]
        if nums:
            xs, ys = nums[0::2], nums[1::2]
            out.append((g.get("id") or "", (min(xs), min(ys), max(xs), max(ys))))
    return out


def _meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def collisions(svg: str) -> list[str]:
    labels, nodes = label_boxes(svg), node_boxes(svg)
    out = [f"{a[1]!r} on {b[1]!r}" for i, a in enumerate(labels) for b in labels[i + 1:]
           if a[0] != b[0] and _meet(a[2], b[2])]
    out += [f"{a[1]!r} on box {n}" for a in labels for n, box in nodes if _meet(a[2], box)]
    return out


def test_the_estimate_finds_labels_drawn_on_each_other():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg">'
           '<g id="e1" class="edge">'
           '<text text-anchor="middle" x="100" y="50" font-size="9">deletionTimestamp</text></g>'
           '<g id="e2" class="edge"><text text-anchor="middle" x="120" y="52" font-size="9">cache: gone</text></g>'
           '<g id="n1" class="node step"><polygon points="300,40 400,40 400,60 300,60"/></g>'
           '<g id="e3" class="edge"><text text-anchor="start" x="290" y="52" font-size="9">write</text></g></svg>')
    assert collisions(svg) == ["'deletionTimestamp' on 'cache: gone'", "'write' on box n1"]


@pytest.mark.parametrize("path,variant,options", SPECS, ids=[s[0] for s in SPECS])
def test_no_edge_label_overlaps_another_or_a_box(path, variant, options):
    report = api.check(str(ROOT / path), None, [variant] if variant else None, CheckOptions(**options))
    drawn = 0
    for r in report.results:
        for p in r.result.properties:
            if p.status is Status.VIOLATED and p.trace is not None:
                svg = graphviz.layout(trace_dot(r.model, r.model.spec.name, r.variant.name, p), "svg").decode()
                assert collisions(svg) == [], f"{r.variant.name} {p.name}"
                drawn += 1
    assert drawn
