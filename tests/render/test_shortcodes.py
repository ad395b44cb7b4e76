"""{metric ...} and {chart ...} in posts: parsing, frozen vs latest, errors with file:line."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import date
from pathlib import Path

import pytest
from dashboard_helpers import FIXTURES, build, soup
from markdown import Markdown

from community_metrics.glue.generator import PulseBuildError
from community_metrics.glue.markdown_ext import PulseExtension
from community_metrics.glue.shortcodes import parse_shortcode, replace_shortcodes
from community_metrics.render.shortcode import Shortcode


@pytest.mark.parametrize(
    ("kind", "words", "expected"),
    [
        ("metric", "python members", Shortcode("metric", "python", "members")),
        ("metric", "python members latest", Shortcode("metric", "python", "members", True)),
        ("chart", "rust active_30d 90d", Shortcode("chart", "rust", "active_30d", False, 90)),
        ("chart", "rust posts 2y latest", Shortcode("chart", "rust", "posts", True, 730)),
        ("chart", "rust posts all", Shortcode("chart", "rust", "posts")),
    ],
)
def test_parse_valid(kind: str, words: str, expected: Shortcode) -> None:
    assert parse_shortcode(kind, words) == expected


@pytest.mark.parametrize(
    ("kind", "words", "message"),
    [
        ("metric", "python", "needs a community and a metric"),
        ("metric", "python memberz", "unknown metric 'memberz'"),
        ("metric", "python members 90d", "unknown option '90d'"),
        ("chart", "python members 0d", "at least 1 day"),
        ("chart", "Py<thon members", "not a community slug"),
    ],
)
def test_parse_errors_say_what_is_wrong(kind: str, words: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_shortcode(kind, words)


def test_replace_reports_file_and_line_and_leaves_code_alone() -> None:
    source = (
        "Title: x\n\nfine {metric python members}\n\n`{metric nope members}`\n\n"
        "bad {metric nope members}\n"
    )
    # the post's HTML as Python-Markdown writes it with our extension (slots, not braces)
    html = Markdown(extensions=["extra", "meta", PulseExtension()]).convert(source)
    out, problems = replace_shortcodes(
        html,
        source_text=source,
        source_path="content/posts/x.md",
        post_date=date(2026, 1, 1),
        known_communities=["python"],
        render=lambda shortcode, day: f"[{shortcode.community}:{day}]",
    )
    assert "<p>fine [python:2026-01-01]</p>" in out
    assert "<code>{metric nope members}</code>" in out  # documentation stays literal
    assert [str(p) for p in problems] == [
        "content/posts/x.md:7: {metric nope members}: unknown community 'nope': "
        "add it to the registry or fix the slug"
    ]
    assert 'class="pulse-placeholder"' in out


def test_post_quotes_frozen_and_latest_values(site: Path) -> None:
    page = soup(site / "posts" / "python-at-1500" / "index.html")
    values = page.select("data.pulse-metric")
    # frozen: the newest value on or before the post's date 2026-10-16 is 2026-10-15's 1,350
    assert values[0]["value"] == "1350" and values[0].get_text() == "1,350"
    assert "2026-10-15" in values[0]["title"]
    # latest: the newest snapshot, 2026-11-01
    assert values[1]["value"] == "1500" and values[1].get_text() == "1,500"
    assert page.find("code").get_text() == "{metric python members}"


def test_post_chart_is_frozen_at_the_post_date(site: Path) -> None:
    page = soup(site / "posts" / "python-at-1500" / "index.html")
    chart = page.select_one(".pulse-chart[data-figure]")
    figure = json.loads(page.find("script", id=chart["data-figure"]).string)
    xs = figure["data"][0]["x"]
    assert xs[-1] == "2026-10-16"  # nothing after the post's date
    assert xs[0] == "2026-10-01"
    assert page.select_one(".pulse-figure details table")  # readable without JavaScript


def _content_with(tmp_path: Path, body: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", content)
    (content / "posts" / "broken.md").write_text(
        "Title: Broken numbers\nDate: 2026-10-20 09:00\nCategory: Measurement\n"
        "Summary: A post with mistakes.\n\n" + body,
        encoding="utf-8",
    )
    return content


BROKEN = (
    "Fine: {metric python members}.\n\nUnknown: {metric pyhton members}.\n\n{chart rust lurkers}\n"
)


def test_unknown_community_or_metric_warns_with_file_and_line(tmp_path: Path, caplog) -> None:
    content = _content_with(tmp_path, BROKEN)
    with caplog.at_level(logging.WARNING):
        out = build(tmp_path / "out", PATH=str(content))
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    broken = str(content / "posts" / "broken.md")
    assert any(f"{broken}:8: {{metric pyhton members}}: unknown community" in m for m in messages)
    assert any(f"{broken}:10: {{chart rust lurkers}}: unknown metric" in m for m in messages)
    page = soup(out / "posts" / "broken-numbers" / "index.html")
    placeholders = [p.get_text() for p in page.select(".pulse-placeholder")]
    assert len(placeholders) == 2 and "pyhton" in placeholders[0]
    assert page.select_one("data.pulse-metric")["value"] == "1350"
    status = soup(out / "status" / "index.html").get_text()
    assert "broken.md:8: {metric pyhton members}" in status  # build warnings on /status/


def test_unknown_shortcode_fails_a_strict_build(tmp_path: Path) -> None:
    content = _content_with(tmp_path, BROKEN)
    # the fixture history holds a contract-breaking file too; strict fails on it first, so
    # point strict mode at a copy without it
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    (data / "snapshots" / "2026" / "2026-10-20.json").unlink()
    with pytest.raises(PulseBuildError, match=r"broken\.md:8: \{metric pyhton members\}"):
        build(
            tmp_path / "out",
            PATH=str(content),
            COMMUNITY_METRICS_DATA=str(data),
            COMMUNITY_METRICS_STRICT=True,
        )


def test_post_with_a_chart_loads_pulse_js_once(site: Path) -> None:
    page = soup(site / "posts" / "python-at-1500" / "index.html")
    scripts = [s for s in page.find_all("script", src=True) if s["src"].endswith("pulse.js")]
    assert len(scripts) == 1 and scripts[0].has_attr("defer")
    assert scripts[0]["data-plotly"] == "../../theme/vendor/plotly/plotly-basic.min.js"
    home = soup(site / "index.html")  # the summary holds no chart: no script needed there
    assert not [s for s in home.find_all("script", src=True) if s["src"].endswith("pulse.js")]
