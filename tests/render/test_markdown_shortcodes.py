"""{metric} and {chart} are Markdown syntax (glue/markdown_ext.py): where the parser sees
text they render, where it sees code, attributes or comments they stay as written."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import date
from pathlib import Path

import pytest
from dashboard_helpers import FIXTURES, build, soup
from markdown import Markdown

from community_metrics.glue.markdown_ext import PulseExtension
from community_metrics.glue.shortcodes import replace_shortcodes


def render(source: str) -> tuple[str, list[str]]:
    """Markdown as Pelican configures it (extra includes attr_list), then the slots filled."""
    html = Markdown(
        extensions=["extra", "meta", "codehilite", PulseExtension()], output_format="html5"
    ).convert(source)
    out, problems = replace_shortcodes(
        html,
        source_text=source,
        source_path="post.md",
        post_date=date(2026, 1, 1),
        known_communities=["python", "rust"],
        render=lambda shortcode, day: f"<b>{shortcode.community}-{shortcode.metric}</b>",
    )
    return out, [str(p) for p in problems]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Members are {metric python members}", "<p>Members are <b>python-members</b></p>"),
        ("## Now {metric python members}", "Now <b>python-members</b></h2>"),
        ("See [it](https://x.org){metric python members}", "</a><b>python-members</b>"),
        ("# {metric rust posts}", "<h1><b>rust-posts</b></h1>"),
    ],
)
def test_a_shortcode_where_attr_list_would_take_it_renders(source: str, expected: str) -> None:
    out, problems = render(source)
    assert expected in out and problems == []
    assert "{metric" not in out


@pytest.mark.parametrize(
    ("source", "literal"),
    [
        ("Write `{metric python members}` in a post.", "<code>{metric python members}</code>"),
        ("```\n{metric python members}\n```", "{metric python members}\n</code>"),
        ("    {metric python members}", "<code>{metric python members}\n</code>"),
        ('[a](https://x.org "t {metric python members}")', 'title="t {metric python members}"'),
        ("![alt {metric python members}](x.png)", 'alt="alt {metric python members}"'),
        ("<!-- {metric python members} -->", "<!-- {metric python members} -->"),
        ("Text <!-- {metric python members} --> more", "<!-- {metric python members} -->"),
        ('<a title="{metric python members}">x</a>', 'title="{metric python members}"'),
        ("A set {1, 2} and {a: 1} stay.", "{1, 2} and {a: 1}"),
    ],
)
def test_code_attributes_and_comments_stay_literal(source: str, literal: str) -> None:
    out, problems = render(source)
    assert literal in out and "<b>" not in out and problems == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "a\n\nx {metrics python members}",
            "post.md:3: {metrics python members}: unknown shortcode 'metrics' "
            "(did you mean {metric python members}?)",
        ),
        (
            "x { metric python members}",
            "post.md:1: { metric python members}: no space may follow '{' "
            "(did you mean {metric python members}?)",
        ),
        ("x {chrat rust posts}", "post.md:1: {chrat rust posts}: unknown shortcode 'chrat'"),
        ("x {metric pyhton members}", "unknown community 'pyhton' (did you mean 'python'?)"),
        ("x {metric python memberz}", "unknown metric 'memberz' (did you mean 'members'?)"),
        ("{chart rust posts 9999y}", "post.md:1: {chart rust posts 9999y}: a chart window"),
    ],
)
def test_mistakes_are_named_with_file_line_and_did_you_mean(source: str, message: str) -> None:
    out, problems = render(source)
    assert len(problems) == 1 and message in problems[0], problems
    assert 'class="pulse-placeholder"' in out


def test_a_chart_alone_in_a_paragraph_is_a_block() -> None:
    out, _ = render("Before.\n\n{chart rust posts}\n\nAfter.")
    assert "<p><b>rust-posts</b></p>" not in out and "\n<b>rust-posts</b>\n" in out


POST = """\
Title: Charts twice
Date: 2026-10-20 09:00
Category: Measurement

{chart python members 30d}

Members today {metric python members}: more words follow here.

## Heading {metric python members}

{chart python members 30d}
"""


def test_post_without_summary_two_charts_and_scripts(tmp_path: Path, caplog) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", content)
    (content / "posts" / "twice.md").write_text(POST, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        out = build(tmp_path / "out", PATH=str(content))
    page = soup(out / "posts" / "charts-twice" / "index.html")
    figures = page.select("figure.pulse-figure")
    ids = [f["id"] for f in figures]
    assert len(ids) == 2 and len(set(ids)) == 2  # identical charts, distinct ids
    for chart in page.select(".pulse-chart[data-figure]"):
        json.loads(page.find("script", id=chart["data-figure"]).string)
    assert page.select_one("h2 data.pulse-metric") is not None  # not eaten by attr_list
    description = page.find("meta", attrs={"name": "description"})["content"]
    og = page.find("meta", attrs={"property": "og:description"})["content"]
    for text in (description, og):
        assert "Members today 1,350" in text
        assert "{" not in text and "data" not in text and "pulse" not in text
    home = (out / "index.html").read_text(encoding="utf-8")
    assert (
        "Members today" in home and "application/json" not in home.split("Members today")[0][-300:]
    )
    scripts = [s for s in page.find_all("script", src=True) if s["src"].endswith("pulse.js")]
    assert len(scripts) == 1  # from article.html's scripts block, not an edit of the file
