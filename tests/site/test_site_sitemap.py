"""pulse_site's sitemap.xml: absolute URLs when published, fresh state on every build."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from pulse_site import sitemap
from pulse_site.sitemap import page_url, render_sitemap

from tests.conftest import build_site
from tests.site.conftest import blog_only_settings

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_page_url() -> None:
    assert page_url("https://x.org/site/", "posts/a/index.html") == "https://x.org/site/posts/a/"
    assert page_url("https://x.org", "index.html") == "https://x.org/"
    assert page_url("", "404.html") == "/404.html"
    assert page_url("../..", "about/index.html") == "/about/"  # relative SITEURL: root-relative


def test_render_sitemap_escapes_and_dates() -> None:
    built = datetime(2026, 11, 22, tzinfo=UTC)
    text = render_sitemap(
        "https://x.org",
        {"tags/a&b/index.html": None, "posts/p/index.html": datetime(2026, 1, 2, 3, 4)},
        built,
    )
    root = ET.fromstring(text)
    entries = {u.findtext(f"{NS}loc"): u.findtext(f"{NS}lastmod") for u in root}
    assert entries == {
        "https://x.org/posts/p/": "2026-01-02",
        "https://x.org/tags/a&b/": "2026-11-22",
    }


def _content(tmp_path: Path, slug: str) -> Path:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / f"{slug}.md").write_text(
        f"Title: {slug}\nDate: 2026-11-01\nCategory: Measurement\nSlug: {slug}\n\nBody.\n",
        encoding="utf-8",
    )
    return content


def test_each_build_lists_only_its_own_pages_even_after_a_broken_one(tmp_path: Path) -> None:
    sitemap.queue_page(str(tmp_path / "x/stale/index.html"), {"OUTPUT_PATH": str(tmp_path / "x")})
    assert sitemap._queue.pages  # as if a build had failed half-way
    first = build_site(
        tmp_path / "one", **blog_only_settings(_content(tmp_path / "a", "first-post"))
    )
    second = build_site(
        tmp_path / "two", **blog_only_settings(_content(tmp_path / "b", "second-post"))
    )
    one = (first / "sitemap.xml").read_text(encoding="utf-8")
    two = (second / "sitemap.xml").read_text(encoding="utf-8")
    assert "/posts/first-post/" in one and "stale" not in one
    assert "/posts/second-post/" in two and "first-post" not in two
    assert "404.html" not in two
