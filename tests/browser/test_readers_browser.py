"""/compare/ and the paginated communities table in headless Chromium: a query draws the named
communities, the form works by keyboard and rewrites the address, only the chosen communities'
data is fetched, without JavaScript the default table shows; the rest of the table loads on
demand and sorts. Screenshots at 390 and 1280 px go to test-artifacts/."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from dashboard_helpers import build  # noqa: E402

pytestmark = pytest.mark.browser

DRAWN = "() => document.getElementById('compare-chart').dataset.drawn === 'true'"
QUERY = "compare/?c=rust,python&m=members&norm=index&align=age&from=2026-10-01"


def wait_drawn(page) -> None:
    """The comparison is drawn once its result comes near the screen (plotly.js is loaded
    only then): scroll to it, as a reader does, and wait for the drawing."""
    page.locator("#compare-result-title").scroll_into_view_if_needed()
    page.wait_for_function(DRAWN, timeout=20_000)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # one row per table page, so that the fixture's two communities make two pages
    return build(tmp_path_factory.mktemp("readers-site"), COMMUNITY_METRICS_TABLE_ROWS=1)


@pytest.fixture
def open_page(chromium, serve, built: Path) -> Iterator[object]:
    base = serve(built)
    contexts = []

    def opener(path: str, *, width: int = 1280, javascript: bool = True):
        context = chromium.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.errors = []  # type: ignore[attr-defined]
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.goto(f"{base}/{path}", wait_until="load")
        return page

    yield opener
    for context in contexts:
        context.close()


def _trace_names(page: object) -> list[str]:
    return page.evaluate("() => document.getElementById('compare-chart').data.map(t => t.name)")


def _no_overflow(page: object) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_compare_query_draws_the_named_communities(open_page, artifacts: Path, width: int) -> None:
    page = open_page(QUERY, width=width)
    wait_drawn(page)
    assert _trace_names(page) == ["Rust", "Python"]
    # indexed: every line starts at 100; aligned by age: x is months since founding
    first_y = page.evaluate("() => document.getElementById('compare-chart').data.map(t => t.y[0])")
    assert first_y == [100, 100]
    first_x = page.evaluate("() => document.getElementById('compare-chart').data[1].x[0]")
    assert first_x > 400  # Python, founded 1991: more than 400 months old in 2026
    assert page.locator('input[name="norm"][value="index"]').is_checked()
    assert page.locator('input[name="align"][value="age"]').is_checked()
    assert page.locator("#compare-from").input_value() == "2026-10-01"
    fetched = sorted(urlsplit(u).path for u in page.requests if "/compare/data/" in u)
    assert fetched == ["/compare/data/python.json", "/compare/data/rust.json"]
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in page.requests)
    assert page.errors == []
    assert _no_overflow(page)
    page.screenshot(path=str(artifacts / f"compare-query-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_compare_is_operable_by_keyboard(open_page, artifacts: Path, width: int) -> None:
    page = open_page("compare/?c=python&m=members", width=width)
    wait_drawn(page)
    assert _trace_names(page) == ["Python"]
    page.locator("#compare-search").focus()
    page.keyboard.type("rus")
    assert page.locator("#compare-list li:not([hidden])").count() == 2  # Rust, and ticked Python
    page.keyboard.press("Enter")  # to the first community shown
    focused = page.evaluate("() => document.activeElement.value")
    assert focused == "python"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.value") == "rust"
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.getElementById('compare-chart').data.length === 2", timeout=20_000
    )
    assert "c=python,rust" in page.url
    # to the "indexed" radio by keyboard, then the arrow key moves the choice
    page.locator('input[name="norm"][value="abs"]').focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('norm=index')", timeout=20_000)
    assert page.locator("#compare-link").get_attribute("href").startswith("?c=python,rust")
    assert page.errors == []
    page.screenshot(path=str(artifacts / f"compare-keyboard-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_compare_without_javascript_shows_the_default_table(
    open_page, artifacts: Path, width: int
) -> None:
    page = open_page(QUERY, width=width, javascript=False)
    headers = page.eval_on_selector_all("#compare-table thead th", "c => c.map(x => x.textContent)")
    assert headers == ["Date", "Python", "Rust"]
    assert page.locator("#compare-table tbody tr").count() >= 2
    assert page.locator("#compare-table").is_visible()
    assert not page.locator("#compare-chart").is_visible()
    assert not any("/compare/data/" in u for u in page.requests)
    assert _no_overflow(page)
    page.screenshot(path=str(artifacts / f"compare-nojs-{width}.png"), full_page=True)


def test_table_loads_the_rest_on_demand_and_sorts(open_page, artifacts: Path) -> None:
    page = open_page("dashboard/", width=390)
    rows = "#communities-table tbody tr"
    assert page.locator(rows).count() == 1
    page.get_by_role("button", name="Show all 2 communities in this table").click()
    page.wait_for_function(
        "() => document.getElementById('communities-table').dataset.loaded === 'true'"
    )
    assert page.locator(rows).count() == 2
    assert not page.locator(".pulse-pages").is_visible()
    header = page.locator("#communities-table thead th", has_text="Members")
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    names = page.eval_on_selector_all(f"{rows} th", "c => c.map(x => x.textContent.trim())")
    assert names == ["Rust", "Python"]
    assert page.errors == []
    page.screenshot(path=str(artifacts / "dashboard-all-rows-390.png"), full_page=True)


def test_sorting_first_loads_every_row(open_page) -> None:
    page = open_page("dashboard/")
    header = page.locator("#communities-table thead th", has_text="Members")
    header.get_by_role("button").click()
    page.wait_for_function(
        "() => document.querySelector('#communities-table thead th[aria-sort=ascending]')"
    )
    names = page.eval_on_selector_all(
        "#communities-table tbody tr th", "c => c.map(x => x.textContent.trim())"
    )
    assert names == ["Rust", "Python"]


def test_table_pages_without_javascript(open_page, artifacts: Path) -> None:
    page = open_page("dashboard/", width=390, javascript=False)
    assert not page.get_by_role("button", name="Show all 2 communities in this table").is_visible()
    page.get_by_role("link", name="2", exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard/page/2/")
    names = page.eval_on_selector_all(
        "#communities-table tbody tr th", "c => c.map(x => x.textContent.trim())"
    )
    assert names == ["Rust"]
    assert _no_overflow(page)
    page.screenshot(path=str(artifacts / "dashboard-page2-nojs-390.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_community_page_shows_badges_sparkline_and_peer_link(
    open_page, artifacts: Path, width: int
) -> None:
    page = open_page("communities/python/", width=width)
    widths = page.eval_on_selector_all(".pulse-badges img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 2 and all(w > 0 for w in widths)  # the SVG files load as images
    assert page.locator(".pulse-headline svg.pulse-spark").is_visible()
    page.get_by_role("link", name="Compare Python with other communities").click()
    wait_drawn(page)
    assert _trace_names(page) == ["Python"]
    page.go_back()
    assert _no_overflow(page)
    page.screenshot(path=str(artifacts / f"community-readers-{width}.png"), full_page=True)
    page.locator(".pulse-headline").screenshot(path=str(artifacts / f"headline-{width}.png"))
    page.locator("section[aria-labelledby=badges-title]").screenshot(
        path=str(artifacts / f"badges-{width}.png")
    )


@pytest.fixture(scope="module")
def short_list_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build whose /compare/ lists only the largest community (the others: by search)."""
    from community_metrics.render import compare, readers

    saved = readers.COMPARE_CHOICES, compare.DEFAULT_COUNT
    readers.COMPARE_CHOICES = compare.DEFAULT_COUNT = 1
    try:
        return build(tmp_path_factory.mktemp("short-list-site"))
    finally:
        readers.COMPARE_CHOICES, compare.DEFAULT_COUNT = saved


def test_compare_finds_unlisted_communities_by_search_and_query(
    chromium, serve, short_list_site: Path
) -> None:
    base = serve(short_list_site)
    context = chromium.new_context(viewport={"width": 390, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{base}/compare/?c=python", wait_until="load")
        wait_drawn(page)
        assert page.locator('input[name="c"]').count() == 1  # only the leader is listed
        page.locator("#compare-search").fill("rus")
        page.wait_for_function("() => document.querySelector('input[name=c][value=rust]')")
        assert page.locator('input[value="rust"]').is_visible()
        page.goto(f"{base}/compare/?c=rust", wait_until="load")
        wait_drawn(page)
        assert _trace_names(page) == ["Rust"]
        assert page.locator('input[value="rust"]').is_checked()
        assert page.locator('input[value="rust"]').is_visible()
    finally:
        context.close()
