"""The dashboard in headless Chromium: every chart drawn, sorting by mouse and keyboard, no
console errors, nothing requested outside 127.0.0.1, tables without JavaScript, screenshots."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from dashboard_helpers import build  # noqa: E402

pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('.pulse-chart[data-figure]')];
  return charts.length > 0 && charts.every(c => c.getAttribute('data-drawn') === 'true');
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("browser-site"))


class Watched:
    """A page that records console errors and every URL it requests."""

    def __init__(self, page: object):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def offsite(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname not in ("127.0.0.1", None)]


@pytest.fixture
def open_page(chromium, serve, built: Path) -> Iterator[object]:
    base = serve(built)
    contexts = []

    def opener(path: str, *, width: int = 1280, height: int = 900, javascript: bool = True):
        context = chromium.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript
        )
        contexts.append(context)
        watched = Watched(context.new_page())
        watched.page.goto(f"{base}/{path}", wait_until="load")
        return watched

    yield opener
    for context in contexts:
        context.close()


def draw_all(page: object) -> None:
    """Scroll every chart into view (they draw lazily), then wait until all are drawn."""
    for chart in page.query_selector_all(".pulse-chart[data-figure]"):
        chart.scroll_into_view_if_needed()
    page.wait_for_function(CHARTS_DRAWN, timeout=20_000)


def test_dashboard_draws_every_chart_type(open_page) -> None:
    watched = open_page("dashboard/")
    page = watched.page
    draw_all(page)
    charts = page.query_selector_all(".pulse-chart[data-figure]")
    assert len(charts) == 5
    # lines (scatter), markers (bubble) and bars: every trace type we emit, drawn non-empty
    non_empty = "ps => ps.filter(p => (p.getAttribute('d') || '').length > 4).length"
    line_paths = page.eval_on_selector_all(".scatterlayer .trace path.js-line", non_empty)
    bubbles = page.eval_on_selector_all(".scatterlayer .trace path.point", "ps => ps.length")
    bars = page.eval_on_selector_all(".barlayer .point path", non_empty)
    assert line_paths >= 3  # members + engagement lines of two communities
    assert bubbles >= 2  # one bubble per community with an age and a size
    assert bars >= 2  # size and age bands
    assert watched.errors == []
    assert watched.offsite() == []
    assert sum(u.endswith("plotly-basic.min.js") for u in watched.requests) == 1


def test_plotly_loads_only_when_a_chart_comes_into_view(open_page) -> None:
    watched = open_page("dashboard/", width=390, height=400)
    page = watched.page
    page.wait_for_timeout(0)
    assert not any(u.endswith("plotly-basic.min.js") for u in watched.requests)
    page.query_selector(".pulse-chart[data-figure]").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('.pulse-chart[data-figure]').dataset.drawn === 'true'"
    )
    assert sum(u.endswith("plotly-basic.min.js") for u in watched.requests) == 1


def _order(page: object) -> list[str]:
    return page.eval_on_selector_all(
        "table[data-sortable] tbody tr th", "cells => cells.map(c => c.textContent.trim())"
    )


def test_sorting_by_mouse(open_page) -> None:
    page = open_page("dashboard/").page
    header = page.locator("table[data-sortable] thead th", has_text="Members")
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _order(page) == ["Rust", "Python"]
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert _order(page) == ["Python", "Rust"]


def test_sorting_by_keyboard(open_page) -> None:
    page = open_page("dashboard/").page
    header = page.locator("table[data-sortable] thead th", has_text="Engagement")
    button = header.get_by_role("button")
    button.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    assert _order(page) == ["Python", "Rust"]  # 20.0% < 24.0%
    page.keyboard.press("Space")
    assert header.get_attribute("aria-sort") == "descending"
    assert _order(page) == ["Rust", "Python"]
    # the other columns say they are not sorted
    members = page.locator("table[data-sortable] thead th", has_text="Members")
    assert members.get_attribute("aria-sort") == "none"


def test_without_javascript_the_tables_show(open_page) -> None:
    page = open_page("dashboard/", javascript=False).page
    assert _order(page) == ["Python", "Rust"]
    assert page.locator("table[data-sortable] button").count() == 0
    assert page.locator("figure.pulse-figure details table").count() == 5
    assert "1,500" in page.locator("table[data-sortable]").inner_text()
    community = open_page("communities/python/", javascript=False).page
    assert "1,200" in community.locator("main").inner_text()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["", "dashboard/", "communities/python/", "status/"])
def test_screenshots(open_page, artifacts: Path, width: int, path: str) -> None:
    watched = open_page(path, width=width)
    if watched.page.query_selector(".pulse-chart[data-figure]"):
        draw_all(watched.page)
    name = (path.strip("/").replace("/", "-") or "home") + f"-{width}.png"
    watched.page.screenshot(path=str(artifacts / name), full_page=True)
    overflow = watched.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways at {width}px"
    assert watched.errors == []
    assert watched.offsite() == []


def test_members_chart_switches_to_a_log_scale(open_page) -> None:
    page = open_page("dashboard/").page
    chart = page.locator("#chart-members-overview-figure .pulse-chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('#chart-members-overview-figure .pulse-chart')"
        ".dataset.drawn === 'true'"
    )
    toggle = page.get_by_role("button", name="Log scale")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    axis = chart.evaluate("c => c.layout.yaxis.type")
    assert axis == "log"


def test_chart_in_a_post_draws_lazily(open_page) -> None:
    watched = open_page("posts/python-at-1500/")
    draw_all(watched.page)
    lines = watched.page.eval_on_selector_all(
        ".scatterlayer .trace path.js-line", "ps => ps.filter(p => p.getAttribute('d')).length"
    )
    assert lines >= 1
    assert watched.errors == [] and watched.offsite() == []
    assert sum(u.endswith("/pulse.js") for u in watched.requests) == 1
