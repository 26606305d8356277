"""The HTML report: one self-contained file, escaped, with a table per step."""
from __future__ import annotations

import dataclasses
import re
import shutil

from checker.render import trace_diagram
from checker.render.html import report_html
from render_helpers import SPECS, violation

_SVG = '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- c --><svg id="pic"><g id="r1_l0" class="node"></g></svg>'


def _page(v, svg=_SVG, note="", title=None):
    d = trace_diagram(v.model, v.spec_name, v.variant, v.prop)
    if title is not None:
        d = dataclasses.replace(d, title=title)
    return report_html(v.model, v.prop.trace, v.prop, d, v.result, svg, note)


def test_report_is_self_contained():
    page = _page(violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting"))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    assert "<!DOCTYPE svg>" not in page and "<?xml" not in page      # the prolog is dropped inline
    assert '<svg id="pic">' in page


def test_one_article_per_state_with_changes_highlighted():
    v = violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting")
    page = _page(v)
    n = len(v.prop.trace.steps)
    assert len(re.findall(r'<article class="state"', page)) == n
    assert len(re.findall(r'<li data-step="\d+"', page)) == n
    state2 = page.split('id="state-2"', 1)[1].split("</article>", 1)[0]
    changed = re.findall(r'<td class="changed" data-place="([^"]*)"', state2)
    assert changed == ["api[A]"]                                        # UserDelete set deletionTimestamp
    assert '<div class="was">deleting: false → true</div>' in state2
    # the object's API and cache copies side by side, a field a line, the lag marked
    row = state2.split("<tr><th>A", 1)[1].split("</tr>", 1)[0]
    assert "cache behind" in row
    assert row.count("<code>deleting: ") == 2 and "<code>deleting: true</code>" in row
    assert "<title>" not in page.split("<body>", 1)[1]        # no graphviz node names as hover titles
    assert "verdict" in page and "distinct states" in page


def test_everything_from_the_spec_is_escaped():
    v = violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting")
    page = _page(v, title=("<script>alert(1)</script> & co", '"quoted" <b>'))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "&quot;quoted&quot; &lt;b&gt;" in page
    assert page.count("<script>") == 1                                  # ours, at the end


def test_a_spec_file_name_with_markup_is_escaped(tmp_path):
    path = tmp_path / "x&<y>.kovn"
    shutil.copy(SPECS / "stale.kovn", path)
    page = _page(violation(path, "NoFinalizerWhileDeleting"))
    assert "x&<y>" not in page and "x&amp;&lt;y&gt;.kovn" in page


def test_without_a_picture_the_note_is_shown():
    page = _page(violation(SPECS / "stale.kovn", "NoFinalizerWhileDeleting"), svg=None,
                 note="No picture: install graphviz")
    assert "<svg" not in page and 'id="no-picture"' in page and "install graphviz" in page
