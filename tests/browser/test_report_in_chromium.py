"""The HTML report in a real browser: Debian's headless Chromium driven by Playwright.

Opens the report of ipam v1_12's NoOrphanIP counterexample, steps through the whole trace
with the keyboard, the buttons, the step list and the picture, and checks that the page
shows the right state each time, loads nothing from the network and logs no error. Then
the same for the report of a run-time error's trace (tests/render/specs/failing.kovn): its
last state says evaluation failed there, and the box of the failed step leads to it.

Skipped (with the reason) only when Playwright or a Chromium binary is missing;
scripts/setup.sh installs both on a fresh Debian machine, so CI runs it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from checker import api
from checker.engine import CheckOptions
from checker.render import RenderOptions, failed_evaluation, graphviz, render_violation

# CI sets KOVN_REQUIRE_BROWSER (.ci/run): there a missing browser is a failure, not a skip.
REQUIRED = bool(os.environ.get("KOVN_REQUIRE_BROWSER"))


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason}, and KOVN_REQUIRE_BROWSER is set", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright import sync_api
except ImportError:
    _missing("the playwright package (pyproject's test extra) is not installed")


def _chromium() -> str | None:
    candidates = [os.environ.get("KOVN_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  shutil.which("google-chrome")]
    return next((c for c in candidates if c and Path(c).exists()), None)


CHROMIUM = _chromium()
if CHROMIUM is None:
    _missing("no Chromium binary (scripts/setup.sh installs Debian's chromium)")
if not graphviz.available():
    _missing("the graphviz `dot` program is not installed (scripts/setup.sh installs it)")


def _ipam_report(tmp_path_factory, name: str, depth: int) -> tuple[Path, int, Path]:
    """The HTML report of ipam v1_12's counterexample to `name`, searched to `depth`:
    (the page, its number of states, its folder)."""
    root = Path(__file__).resolve().parents[2]
    (r,) = api.check(str(root / "spec" / "ipam.kovn"), None, ["v1_12"], CheckOptions(max_depth=depth)).results
    (prop,) = [p for p in r.result.properties if p.name == name and p.trace is not None]
    out = tmp_path_factory.mktemp(name)
    rendered = render_violation(r.model, r.model.spec.name, r.variant.name, r.result, prop,
                                RenderOptions(out, frozenset({"html"})))
    (page,) = rendered.files
    return page, len(prop.trace.steps), out


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    # NoOrphanIP's counterexample is 10 states long: breadth first, a search to depth 12
    # finds the same one as the whole variant's
    page, n, _ = _ipam_report(tmp_path_factory, "NoOrphanIP", 12)
    return page, n


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


class Page:
    """A page with everything it logged and asked for recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1500, "height": 950})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector('body[data-ready="1"]')

    def current(self) -> int:
        return int(self.page.get_attribute("body", "data-current"))

    def visible_articles(self) -> list[str]:
        return self.page.eval_on_selector_all("article.state", "els => els.filter(e => !e.hidden).map(e => e.id)")

    def marked(self) -> list[str]:
        return self.page.eval_on_selector_all("#picture svg g.current", "els => els.map(e => e.id)")


def test_keyboard_steps_through_the_whole_trace(browser, report):
    path, n = report
    p = Page(browser, path)
    assert p.current() == 1 and p.visible_articles() == ["state-1"]
    assert p.page.inner_text("#position") == f"state 1 of {n}"
    for k in range(2, n + 1):
        p.page.keyboard.press("ArrowRight")
        assert p.current() == k
        assert p.visible_articles() == [f"state-{k}"]
        assert f"t{k}" in p.marked()                       # the row of the picture is marked
        assert p.page.inner_text(f"#state-{k} h2").startswith(f"State {k} of {n}")
    p.page.keyboard.press("ArrowRight")
    assert p.current() == n                                # stays at the last state
    p.page.keyboard.press("Home")
    assert p.current() == 1
    p.page.keyboard.press("End")
    assert p.current() == n
    p.page.keyboard.press("k")
    assert p.current() == n - 1
    p.page.keyboard.press("ArrowLeft")
    assert p.current() == n - 2
    assert p.errors == []
    assert all(u.startswith("file:") for u in p.requests), p.requests


def test_mouse_chooses_steps_in_the_list_the_buttons_and_the_picture(browser, report):
    path, n = report
    p = Page(browser, path)
    p.page.click('#step-list li[data-step="5"]')
    assert p.current() == 5
    p.page.click("#next")
    assert p.current() == 6
    p.page.click("#prev")
    p.page.click("#prev")
    assert p.current() == 4
    box = p.page.locator('#picture svg g.node[id^="r3_"][id$="_s"]')
    assert box.count() == 1
    box.click()
    assert p.current() == 3 and p.visible_articles() == ["state-3"]
    assert any(i.startswith("r3_") for i in p.marked())
    p.page.click("#fit")
    assert "fit" in p.page.get_attribute("#svg-box", "class")
    assert p.page.get_attribute("#fit", "aria-pressed") == "true"
    # fitted, the picture keeps at least 70% of its size (its text stays readable)
    natural = p.page.evaluate("document.querySelector('#picture svg').width.baseVal.value")
    shown = p.page.evaluate("document.querySelector('#picture svg').getBoundingClientRect().width")
    assert shown >= 0.7 * natural - 1
    p.page.click("#fit")
    assert p.page.evaluate("document.querySelector('#picture svg').style.minWidth") == ""
    assert p.errors == []


def test_changed_fields_are_highlighted(browser, report):
    path, n = report
    p = Page(browser, path)
    p.page.keyboard.press("End")
    changed = p.page.eval_on_selector_all(f"#state-{n} tr.changed th", "els => els.map(e => e.textContent)")
    assert changed                                          # the last step changed something
    color = p.page.eval_on_selector(f"#state-{n} tr.changed", "e => getComputedStyle(e).backgroundColor")
    plain = p.page.eval_on_selector(f"#state-{n} tr:not(.changed)", "e => getComputedStyle(e).backgroundColor")
    assert color != plain
    assert p.errors == []


@pytest.fixture(scope="module")
def error_report(tmp_path_factory):
    root = Path(__file__).resolve().parents[2]
    (r,) = api.check(str(root / "tests" / "render" / "specs" / "failing.kovn"), None, None).results
    failed = failed_evaluation(r.result)
    assert failed is not None, r.result.verdict
    out = tmp_path_factory.mktemp("error-report")
    rendered = render_violation(r.model, r.model.spec.name, r.variant.name, r.result, failed,
                                RenderOptions(out, frozenset({"html"})))
    (page,) = rendered.files
    assert page.name == "default-error.html"
    return page, len(failed.trace.steps)


def test_error_report_shows_where_evaluation_failed(browser, error_report):
    path, n = error_report
    p = Page(browser, path)
    assert "division by zero" in p.page.inner_text("header h1")
    assert p.current() == 1 and not p.page.is_visible("#failure")     # said on the last state only
    p.page.keyboard.press("End")
    assert p.current() == n and p.visible_articles() == [f"state-{n}"]
    assert p.page.is_visible("#failure")
    note = p.page.inner_text("#failure")
    assert "Evaluation failed in this state" in note and "budget / jobs" in note
    assert "evaluation failed here" in p.page.inner_text(f'#step-list li[data-step="{n}"]')
    assert f"t{n}" in p.marked()
    # the failed step's box (it reached no state) is in the last row: a click shows that state
    p.page.keyboard.press("Home")
    failed = p.page.locator(f'#picture svg g.node[id^="r{n}_"][id$="_s"]', has_text="evaluation failed")
    assert failed.count() == 1
    failed.click()
    assert p.current() == n and p.page.is_visible("#failure")
    for k in range(n - 1, 0, -1):
        p.page.keyboard.press("ArrowLeft")
        assert p.current() == k and not p.page.is_visible("#failure")
    assert p.errors == []
    assert all(u.startswith("file:") for u in p.requests), p.requests


@pytest.fixture(scope="module")
def race_report(tmp_path_factory):
    """ipam v1_12's NoSubnetFinalizedInUse: a race (its two steps highlighted) and the
    subnet's box as the violation, in a picture wider than a laptop's pane."""
    return _ipam_report(tmp_path_factory, "NoSubnetFinalizedInUse", 10)


def _inside_pane(p: Page, selector: str) -> bool:
    """Is the element wholly inside the picture pane as it is shown (no sideways scroll)?"""
    return p.page.evaluate("""sel => {
        const e = document.querySelector(sel), pane = document.getElementById("picture");
        if (!e) { return false; }
        const r = e.getBoundingClientRect(), b = pane.getBoundingClientRect();
        return r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
    }""", selector)


def test_on_a_laptop_the_violation_the_race_and_the_lane_headers_are_in_view(browser, race_report):
    """At 1400 px the page never scrolls sideways; going to a row brings its violation box
    or its race step into the picture pane; scrolled down, the lane names stay on top."""
    path, n, out = race_report
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_selector('body[data-ready="1"]')
    p = Page.__new__(Page)
    p.page, p.errors, p.requests = page, [], []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400       # the page itself fits
    page.keyboard.press("End")
    assert p.current() == n
    assert _inside_pane(p, f'#picture g[id^="r{n}_"].offending'), "the violation's box is out of view"
    page.screenshot(path=str(out / "laptop-last-row.png"))
    race_rows = page.eval_on_selector_all("#picture g.node.step-race", "els => els.map(e => e.id)")
    assert len(race_rows) == 2 and page.query_selector("#picture g.edge.race") is not None
    for node in race_rows:
        row = int(node[1:].split("_", 1)[0])
        page.keyboard.press("Home")
        for _ in range(row - 1):
            page.keyboard.press("ArrowRight")
        assert p.current() == row
        assert _inside_pane(p, f'#picture g[id="{node}"]'), f"the race's step {node} is out of view"
    page.screenshot(path=str(out / "laptop-race-row.png"))
    page.evaluate("document.getElementById('picture').scrollTop = 10000")
    page.wait_for_timeout(50)
    heads = page.eval_on_selector_all("#lane-heads div", "els => els.map(e => [e.textContent, "
                                      "getComputedStyle(e.parentNode).visibility, e.getBoundingClientRect().top])")
    pane_top = page.evaluate("document.getElementById('picture').getBoundingClientRect().top")
    names = [h[0] for h in heads]
    assert "Subnet" in names and "PodAdd" in names
    assert all(vis == "visible" and pane_top - 1 <= top <= pane_top + 40 for _, vis, top in heads)
    page.screenshot(path=str(out / "laptop-scrolled.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    page.close()
