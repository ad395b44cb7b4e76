"""Twelve posts: the index, category and author lists paginate at pretty URLs and every link
between the pages resolves (relative, so the site also works under a sub-path)."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import ROOT, build_site
from tests.site.sitecheck import broken_references

# Pages that other parts of the project generate; this build leaves their plugin out.
# favicon.ico is left out with the static files.
NOT_BUILT_HERE = (
    "dashboard/",
    "benchmarks/",
    "status/",
    "data/",
    "methodology/",
    "about/",
    "favicon.ico",
)


def test_lists_paginate_and_link_to_each_other(tmp_path: Path) -> None:
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for number in range(1, 13):
        (posts / f"p{number}.md").write_text(
            f"Title: Post {number}\nDate: 2026-10-{number:02d}\nCategory: Measurement\n"
            f"Slug: p{number}\nSummary: Post number {number}.\n\nBody.\n",
            encoding="utf-8",
        )
    output = build_site(
        tmp_path / "out",
        PATH=str(tmp_path / "content"),
        PLUGINS=["pulse_site"],
        PLUGIN_PATHS=[str(ROOT / "plugins")],
        STATIC_PATHS=[],
        EXTRA_PATH_METADATA={},
        TEMPLATE_PAGES={},
    )
    for page in ["page/2", "categories/measurement/page/2", "authors/community-pulse/page/2"]:
        assert (output / page / "index.html").is_file(), page
    first = BeautifulSoup((output / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(first.select(".post-card")) == 10
    assert first.select_one("a[rel=next]")["href"] == "./page/2/"
    second = BeautifulSoup(
        (output / "page/2/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert [a.get_text() for a in second.select(".post-card-title a")] == ["Post 2", "Post 1"]
    assert second.select_one("a[rel=prev]") is not None
    assert "page 2" in second.title.get_text()
    problems = [
        problem
        for problem in broken_references(output)
        if not any(f"{name}'>" in problem for name in NOT_BUILT_HERE)
    ]
    assert not problems, "\n".join(problems)
