"""The blog in headless Chromium (Debian's): home, a post and the archives at phone and desktop
widths. No console errors, no request leaves 127.0.0.1, the keyboard reaches the skip link and
every main navigation link; screenshots are saved for a person to look at."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import build_site

pytestmark = pytest.mark.browser

PAGES = {"home": "/", "post": "/posts/counting-members/", "archives": "/archives/"}
WIDTHS = [390, 1280]
NAV_LABELS = [
    "Home",
    "Dashboard",
    "Compare",
    "Benchmarks",
    "Status",
    "Data",
    "Posts",
    "Methodology",
    "About",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("browser-site"))


def _open(chromium, url: str, width: int, scheme: str = "light"):
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, reduced_motion="reduce"
    )
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "requestfailed",
        lambda request: problems.append(f"request failed: {request.url} {request.failure}"),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"HTTP {response.status}: {response.url}")
        ),
    )
    page.goto(url, wait_until="networkidle")
    return context, page, problems, requests


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_cleanly_and_stays_local(
    chromium, serve, artifacts: Path, site: Path, name: str, width: int
) -> None:
    base = serve(site)
    for scheme in ("light", "dark"):
        context, page, problems, requests = _open(chromium, base + PAGES[name], width, scheme)
        try:
            page.screenshot(path=str(artifacts / f"{name}-{width}-{scheme}.png"), full_page=True)
            assert not problems, f"{name} at {width}px ({scheme}): {problems}"
            hosts = {urlsplit(url).hostname for url in requests if not url.startswith("data:")}
            assert hosts == {"127.0.0.1"}, f"requests left 127.0.0.1: {sorted(hosts)}"
            # Nothing wider than the viewport: no sideways scrolling on a phone.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
            assert page.locator("h1").first.is_visible()
            stylesheet_applied = page.evaluate(
                "getComputedStyle(document.body).getPropertyValue('--accent').trim()"
            )
            assert stylesheet_applied, "site.css custom properties are not applied"
        finally:
            context.close()


def test_dark_scheme_changes_the_palette(chromium, serve, site: Path) -> None:
    base = serve(site)
    colours = {}
    for scheme in ("light", "dark"):
        context, page, _, _ = _open(chromium, base + "/", 1280, scheme)
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert colours["light"] != colours["dark"]


@pytest.mark.parametrize("width", WIDTHS)
def test_keyboard_reaches_skip_link_and_every_main_link(
    chromium, serve, site: Path, width: int
) -> None:
    base = serve(site)
    context, page, _, _ = _open(chromium, base + PAGES["post"], width)
    try:
        page.keyboard.press("Tab")
        first = page.evaluate("document.activeElement.textContent.trim()")
        assert first == "Skip to content"
        assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")
        reached = []
        for _ in range(30):
            page.keyboard.press("Tab")
            inside_nav = page.evaluate(
                "document.activeElement.closest('nav[aria-label=Main]') !== null"
            )
            if inside_nav:
                reached.append(page.evaluate("document.activeElement.textContent.trim()"))
            elif reached:
                break
        assert reached == NAV_LABELS
        # Focus is visible: the focused link draws an outline.
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
    finally:
        context.close()


def test_skip_link_moves_focus_to_main(chromium, serve, site: Path) -> None:
    base = serve(site)
    context, page, _, _ = _open(chromium, base + PAGES["archives"], 390)
    try:
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        inside_main = page.evaluate("document.activeElement.closest('main') !== null")
        assert inside_main, "after the skip link, Tab should stay inside <main>"
    finally:
        context.close()


def test_narrowest_supported_width_has_no_sideways_scroll(chromium, serve, site: Path) -> None:
    base = serve(site)
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        for path in [
            *PAGES.values(),
            "/about/",
            "/tags/",
            "/categories/measurement/",
            "/404.html",
            "/posts/measuring-engagement/",
        ]:
            page.goto(base + path, wait_until="networkidle")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    finally:
        context.close()
