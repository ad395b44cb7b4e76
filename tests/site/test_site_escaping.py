"""What a post's author types is escaped where the theme puts it: attributes, tag and category
names, titles. (Pelican's Jinja has no autoescape, so the templates escape explicitly.)"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import ROOT, build_site

POST = """Title: Quotes " and <ampersands> & more
Date: 2026-11-01
Category: Measurement
Tags: <img src=x onerror=alert(1)>, plain
Slug: tricky
Summary: A summary with "quotes" & <em>emphasis</em>, a &quot;raw&quot; quote and a </title> in it.

Body with a [link](https://example.org/?a=1&b=2 "title").
"""


def test_author_text_is_escaped_everywhere(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "tricky.md").write_text(POST, encoding="utf-8")
    output = build_site(
        tmp_path / "out",
        PATH=str(content),
        PLUGINS=["pulse_site"],
        PLUGIN_PATHS=[str(ROOT / "plugins")],
        TEMPLATE_PAGES={},
        STATIC_PATHS=[],
        EXTRA_PATH_METADATA={},
    )
    for page in [
        "posts/tricky/index.html",
        "index.html",
        "archives/index.html",
        "tags/index.html",
        "categories/measurement/index.html",
    ]:
        html = (output / page).read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert not soup.find("img", src="x"), f"{page}: a tag name became markup"
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), page
        # one page title; any other <title> names an inline SVG (a sparkline)
        titles = [t for t in soup.find_all("title") if t.find_parent("svg") is None]
        assert len(titles) == 1, f"{page}: a </title> escaped its element"
    post = BeautifulSoup(
        (output / "posts/tricky/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    description = post.find("meta", attrs={"name": "description"})["content"]
    assert "quotes" in description and "emphasis" in description
    assert 'a "raw" quote' in description
    assert "<" not in description  # markup stripped; the attribute itself was escaped
    og_title = post.find("meta", attrs={"property": "og:title"})["content"]
    assert og_title.startswith('Quotes " and')
    tag_links = [a.get_text() for a in post.select(".post-meta a.tag")]
    assert "#<img src=x onerror=alert(1)>" in tag_links
    link = post.select_one(".prose a[href^='https://example.org']")
    assert set(link["rel"]) >= {"noopener", "noreferrer"}
    assert link["href"] == "https://example.org/?a=1&b=2"
