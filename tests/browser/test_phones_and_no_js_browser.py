"""Readers on every screen (issue 11 items 1-4, issue 10 item 4), in Debian's Chromium: the
multi-day fixture site and the day-one site, at 390 and 1280 px, light and dark, JavaScript on
and off. No page scrolls sideways; every chart is drawn, or replaced by its open table; on a
phone the legend never sits on the axis labels; the toolbar offers only "download PNG" and a
double-click undoes a zoom. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from dashboard_helpers import build  # noqa: E402
from test_day_one import build_day_one  # noqa: E402

pytestmark = pytest.mark.browser

PAGES = {
    "multi": ["dashboard/", "communities/python/", "communities/rust/", "status/", "benchmarks/"],
    "day-one": ["dashboard/", "communities/python/", "communities/golang/", "status/"],
}

CHECK_FIGURES = """() => [...document.querySelectorAll('figure.pulse-figure')].map(f => {
  const chart = f.querySelector('.pulse-chart');
  const table = f.querySelector('details.pulse-data table');
  const box = el => el ? el.getBoundingClientRect() : null;
  const shown = el => !!el && el.getClientRects().length > 0 && box(el).height > 0;
  return {id: f.id, chart: !!chart, chartShown: shown(chart),
          drawn: chart ? chart.dataset.drawn === 'true' : false,
          tableShown: shown(table), key: shown(f.querySelector('.pulse-key')),
          note: shown(f.querySelector('.pulse-chart-note'))};
})"""

OVERLAPS = """() => {
  const hit = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const problems = [];
  for (const chart of document.querySelectorAll('.pulse-chart[data-drawn="true"]')) {
    const id = chart.dataset.figure;
    const legend = chart.querySelector('.legend');
    const svg = chart.querySelector('svg.main-svg').getBoundingClientRect();
    const labels = [...chart.querySelectorAll(
      '.xtick text, .ytick text, .g-xtitle text, .g-ytitle text')];
    for (const label of labels) {
      const r = label.getBoundingClientRect();
      if (!r.width) continue;
      const text = label.textContent;
      if (r.left < svg.left - 1 || r.right > svg.right + 1) problems.push(id + ' clips ' + text);
      if (legend && hit(r, legend.getBoundingClientRect())) {
        problems.push(id + ' legend covers ' + text);
      }
    }
    if (legend) {
      const l = legend.getBoundingClientRect();
      if (l.right > svg.right + 1 || l.bottom > svg.bottom + 1) {
        problems.push(id + ' legend clipped');
      }
    }
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "multi": build(tmp_path_factory.mktemp("readers-multi")),
        "day-one": build_day_one(tmp_path_factory.mktemp("readers-day-one") / "out"),
    }


def _draw_all(page) -> None:
    for chart in page.query_selector_all(".pulse-chart[data-figure]"):
        chart.scroll_into_view_if_needed()
        page.wait_for_function("c => c.dataset.drawn === 'true'", arg=chart, timeout=20_000)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("site_name", ["multi", "day-one"])
def test_every_page_fits_and_every_chart_is_drawn_or_its_table_shown(
    chromium, serve, artifacts: Path, sites, site_name: str, width: int, scheme: str, javascript
) -> None:
    base = serve(sites[site_name])
    context = chromium.new_context(
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
        java_script_enabled=javascript,
        reduced_motion="reduce",
    )
    try:
        for path in PAGES[site_name]:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(f"{base}/{path}", wait_until="load")
            heights = "cs => cs.map(c => Math.round(c.getBoundingClientRect().height))"
            reserved = page.eval_on_selector_all(".pulse-chart[data-figure]", heights)
            if javascript:
                _draw_all(page)
                # the page reserved each chart's height, legend included: nothing jumps
                drawn = page.eval_on_selector_all(".pulse-chart[data-figure]", heights)
                assert drawn == reserved, (path, reserved, drawn)
            name = f"{site_name}-{path.strip('/').replace('/', '-')}-{width}-{scheme}"
            name += "-js" if javascript else "-nojs"
            page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
            for figure in page.evaluate(CHECK_FIGURES):
                if figure["chart"] and javascript:
                    assert figure["drawn"] and figure["chartShown"], (name, figure)
                else:  # no box: the table is open in its place, with a one-line note
                    assert not figure["chartShown"] and not figure["key"], (name, figure)
                    assert figure["tableShown"] and figure["note"], (name, figure)
            if javascript:
                assert page.evaluate(OVERLAPS) == [], name
            assert errors == [], name
            page.close()
    finally:
        context.close()


def test_toolbar_is_download_only_and_double_click_resets_a_zoom(chromium, serve, sites) -> None:
    base = serve(sites["multi"])
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{base}/dashboard/", wait_until="load")
        chart = page.locator("#chart-members-overview-figure .pulse-chart")
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => document.querySelector('#chart-members-overview-figure .pulse-chart')"
            ".dataset.drawn === 'true'"
        )
        buttons = chart.locator(".modebar-btn")
        assert buttons.count() == 1
        assert "png" in (buttons.first.get_attribute("data-title") or "").lower()
        plot = chart.locator(".nsewdrag").first.bounding_box()
        y = plot["y"] + plot["height"] / 2
        page.mouse.move(plot["x"] + plot["width"] * 0.3, y)
        page.mouse.down()
        page.mouse.move(plot["x"] + plot["width"] * 0.5, y, steps=5)
        page.mouse.up()
        page.wait_for_function(
            "c => c.layout.xaxis.autorange === false", arg=chart.element_handle()
        )
        page.mouse.dblclick(plot["x"] + plot["width"] * 0.4, y)
        page.wait_for_function("c => c.layout.xaxis.autorange === true", arg=chart.element_handle())
    finally:
        context.close()


def test_log_toggle_uses_ticks_at_powers_of_ten(chromium, serve, sites) -> None:
    base = serve(sites["multi"])
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{base}/dashboard/", wait_until="load")
        chart = page.locator("#chart-members-overview-figure .pulse-chart")
        chart.scroll_into_view_if_needed()
        page.wait_for_function("c => c.dataset.drawn === 'true'", arg=chart.element_handle())
        page.get_by_role("button", name="Log scale").first.click()
        ticks = chart.evaluate("c => c.layout.yaxis.ticktext")
        assert ticks[:3] == ["10", "100", "1k"]  # the fixture's values run from 50 to 1,500
        labels = chart.locator(".ytick text").all_text_contents()
        assert "1k" in labels
    finally:
        context.close()
