"""In headless Chromium: the freshness note is re-checked against the reader's clock (a site
built once and left alone does not look fresh for ever), and /compare/ names the communities
of its address that it does not know, escaped, while still drawing the default comparison.
Screenshots at 390 and 1280 px go to test-artifacts/."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from dashboard_helpers import build  # noqa: E402

pytestmark = pytest.mark.browser

NOTE = ".pulse-freshness-note"
DRAWN = "() => document.getElementById('compare-chart').dataset.drawn === 'true'"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built at 2026-11-02 03:00 UTC; the newest value was observed 2026-11-01 03:00 UTC
    return build(tmp_path_factory.mktemp("reader-clock-site"))


@pytest.fixture
def open_page(chromium, serve, built: Path) -> Iterator[object]:
    base = serve(built)
    contexts = []

    def opener(path: str, *, width: int = 1280, javascript: bool = True, now=None):
        context = chromium.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        if now is not None:
            page.clock.set_fixed_time(now)  # the reader's clock, before any script runs
        page.goto(f"{base}/{path}", wait_until="load")
        return page

    yield opener
    for context in contexts:
        context.close()


def _note_shown(page) -> bool:
    return page.locator(NOTE).first.is_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_freshness_note_appears_when_the_readers_clock_is_far_ahead(
    open_page, artifacts: Path, width: int
) -> None:
    page = open_page("dashboard/", width=width, now=datetime(2026, 12, 1, 12, tzinfo=UTC))
    page.wait_for_function(
        "() => !document.querySelector('.pulse-freshness-note').hidden", timeout=10_000
    )
    note = page.locator(NOTE).first
    assert note.is_visible()
    assert "30 days ago" in note.inner_text()  # 2026-11-01 03:00 -> 2026-12-01 12:00
    assert page.errors == []
    page.screenshot(path=str(artifacts / f"freshness-reader-clock-{width}.png"), full_page=True)
    community = open_page(
        "communities/python/", width=width, now=datetime(2026, 12, 1, 12, tzinfo=UTC)
    )
    community.wait_for_function(
        "() => !document.querySelector('.pulse-freshness-note').hidden", timeout=10_000
    )
    assert _note_shown(community)


def test_freshness_note_stays_hidden_while_the_readers_clock_says_fresh(open_page) -> None:
    page = open_page("dashboard/", now=datetime(2026, 11, 2, 9, tzinfo=UTC))
    page.wait_for_function("() => document.readyState === 'complete'")
    page.wait_for_timeout(200)  # pulse.js is deferred: give it its turn
    assert page.evaluate("() => window.communityPulse === true")  # the script did run
    assert not _note_shown(page)
    assert page.errors == []


def test_without_javascript_the_build_time_note_stays_as_built(open_page) -> None:
    # the build said fresh: without JavaScript nothing can re-check it, and nothing breaks
    page = open_page("dashboard/", javascript=False)
    assert page.locator(NOTE).count() == 1 and not _note_shown(page)
    assert "more than two days ago" in page.locator(NOTE).first.text_content()


@pytest.mark.parametrize("width", [390, 1280])
def test_compare_names_unknown_slugs_and_shows_the_default(
    open_page, artifacts: Path, width: int
) -> None:
    page = open_page("compare/?c=nosuch,other", width=width)
    unknown = page.locator("#compare-unknown")
    unknown.wait_for(state="visible", timeout=10_000)
    text = unknown.inner_text()
    assert text.startswith("No tracked community is called 'nosuch' or 'other'.")
    assert "default comparison" in text
    assert "Tick at least one community" not in page.locator("#compare-status").inner_text()
    page.locator("#compare-result-title").scroll_into_view_if_needed()
    page.wait_for_function(DRAWN, timeout=20_000)
    default = page.locator("#compare-form").get_attribute("data-default").split(",")
    assert sorted(
        page.locator('input[name="c"]:checked').evaluate_all("boxes => boxes.map(b => b.value)")
    ) == sorted(default)
    assert page.evaluate("() => document.getElementById('compare-chart').data.length") == len(
        default
    )
    assert page.errors == []
    page.screenshot(path=str(artifacts / f"compare-unknown-{width}.png"), full_page=True)


def test_compare_names_an_unknown_slug_beside_known_ones_escaped(open_page) -> None:
    hostile = "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
    page = open_page(f"compare/?c=rust,{hostile}")
    unknown = page.locator("#compare-unknown")
    unknown.wait_for(state="visible", timeout=10_000)
    assert unknown.inner_text() == "No tracked community is called '<img src=x onerror=alert(1)>'."
    assert unknown.locator("img").count() == 0  # set as text, never parsed as HTML
    page.locator("#compare-result-title").scroll_into_view_if_needed()
    page.wait_for_function(DRAWN, timeout=20_000)
    names = page.evaluate("() => document.getElementById('compare-chart').data.map(t => t.name)")
    assert names == ["Rust"]  # the known one is drawn; the unknown one is named, not drawn
    # choosing anew clears the note
    page.locator('input[name="c"][value="python"]').check()
    page.wait_for_function("() => document.getElementById('compare-unknown').hidden")
    assert page.errors == []
