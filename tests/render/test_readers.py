"""Reader features on the fixture site: /compare/ and its data files, badges, the changes
feed, sparklines and 7-day change, the freshness note, the paginated communities table,
/data/'s sizes, licence and citation, and the generator's finalized signal."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import defusedxml.ElementTree as SafeET
import pytest
from dashboard_helpers import FIXTURES, build, soup

from community_metrics.glue.signals import community_metrics_generator_finalized
from community_metrics.render.badges import badge_svg
from community_metrics.render.compare import closest_peers
from community_metrics.render.sparkline import SPARK_POINTS, sparkline_svg
from community_metrics.store.history import Series

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS_ON = {"FEED_ALL_ATOM": "feeds/all.atom.xml"}  # the changes feed follows the site's feeds
SVG = "{http://www.w3.org/2000/svg}"


def _badge(site: Path, slug: str, metric: str):
    return SafeET.fromstring((site / "badges" / slug / f"{metric}.svg").read_bytes())


@pytest.mark.parametrize(
    ("slug", "metric", "number", "title"),
    [
        ("python", "members", "1,500", "Python members: 1,500"),
        ("rust", "members", "75", "Rust members: 75"),
        ("python", "engagement", "20.0%", "Python engagement (active in 30 days / members): 20.0%"),
    ],
)
def test_badges_are_valid_svg_with_the_right_number(
    site: Path, slug: str, metric: str, number: str, title: str
) -> None:
    svg = _badge(site, slug, metric)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img" and svg.get("aria-label") == title
    assert svg.find(f"{SVG}title").text == title
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == [metric, number]


def test_badge_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script>&'
    svg = SafeET.fromstring(badge_svg("members", hostile, f"{hostile} members"))
    assert svg.find(f"{SVG}title").text == f"{hostile} members"
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["members", hostile]
    assert svg.find(f".//{SVG}script") is None


def test_community_page_embeds_its_badges_and_the_snippet(site: Path) -> None:
    page = soup(site / "communities" / "python" / "index.html")
    sources = [img["src"] for img in page.select(".pulse-badges img")]
    assert sources == ["../../badges/python/members.svg", "../../badges/python/engagement.svg"]
    for img in page.select(".pulse-badges img"):  # sized as drawn: nothing shifts as they load
        svg = _badge(site, "python", img["src"].rsplit("/", 1)[1].removesuffix(".svg"))
        assert (img["width"], img["height"]) == (svg.get("width"), svg.get("height"))
    snippet = page.select_one("pre.pulse-embed code").get_text()
    assert '<img src="/badges/python/members.svg" alt="Python members">' in snippet


def test_community_page_links_to_a_comparison(site: Path) -> None:
    page = soup(site / "communities" / "python" / "index.html")
    link = page.find("a", string=lambda s: s and s.startswith("Compare Python"))
    assert link["href"] == "../../compare/?c=python"


def _view(slug: str, members: float | None, band: str | None):
    return SimpleNamespace(slug=slug, rollup=SimpleNamespace(members=members, size_band=band))


def test_closest_peers_share_the_size_band_nearest_first() -> None:
    views = [
        _view("a", 2000, ">1,000"),
        _view("b", 1900, ">1,000"),
        _view("c", 9000, ">1,000"),
        _view("d", 2100, ">1,000"),
        _view("small", 90, "≤100"),
        _view("unknown", None, None),
    ]
    assert closest_peers(views[0], views, count=2) == ["b", "d"]
    assert "small" not in closest_peers(views[0], views)
    assert closest_peers(views[5], views) == []


def test_compare_page_without_javascript_shows_the_default_table(site: Path) -> None:
    page = soup(site / "compare" / "index.html")
    boxes = {box["value"]: box.has_attr("checked") for box in page.select('input[name="c"]')}
    assert boxes == {"python": True, "rust": True}
    table = page.select_one("#compare-table")
    assert [th.get_text() for th in table.thead.find_all("th")] == ["Date", "Python", "Rust"]
    rows = {tr.th.get_text(): [td.get_text() for td in tr("td")] for tr in table.tbody("tr")}
    assert rows["2026-10-01"] == ["1,200", "50"]  # 1,000 + 200 over Python's two sources
    assert rows["2026-11-01"] == ["1,500", "75"]
    form = page.select_one("#compare-form")
    assert form["data-data"] == "../compare/data/"  # same site, relative
    assert [s["src"] for s in page.find_all("script", src=True)] == ["../theme/js/pulse-compare.js"]


def test_compare_data_file_holds_one_community_from_its_first_value(site: Path) -> None:
    data = json.loads((site / "compare" / "data" / "python.json").read_text())
    assert data["slug"] == "python" and data["name"] == "Python"
    assert data["start"] == "2026-10-01" and data["founded"] == "1991-02-20"
    members = data["metrics"]["members"]
    assert members[0] == 1200 and members[-1] == 1500 and members[1] is None  # gap, not zero
    assert len(members) == 32  # 2026-10-01 .. 2026-11-01, daily


def test_dashboard_rows_show_7_day_change_and_a_sparkline(site: Path) -> None:
    page = soup(site / "dashboard" / "index.html")
    headers = [th.get_text(" ", strip=True) for th in page.select("#communities-table thead th")]
    assert "7-day change" in headers and "Last 90 days" in headers
    row = page.select("#communities-table tbody tr")[0]
    cells = row.find_all("td")
    assert row.th.get_text(strip=True) == "Python"
    assert cells[headers.index("7-day change") - 1].get_text(strip=True) == "+150 (+11.1%)"
    spark = cells[headers.index("Last 90 days") - 1].find("svg")
    assert spark["role"] == "img" and spark.title.get_text().startswith("Python members")
    assert "1,200 on 2026-10-01" in spark["aria-label"]
    assert "1,500 on 2026-11-01" in spark["aria-label"]
    assert page.find("script", src=lambda s: s and "pulse-readers" in s) is None  # one page


def test_community_headline_shows_7_and_30_day_change_and_sparkline(site: Path) -> None:
    page = soup(site / "communities" / "python" / "index.html")
    card = page.select(".pulse-headline-item")[0]
    assert "7 days: +150 (+11.1%) · 30 days: +300 (+25.0%)" in card.get_text(" ", strip=True)
    assert card.select_one("svg.pulse-spark") is not None


def test_freshness_note_is_hidden_while_fresh(site: Path) -> None:
    note = soup(site / "communities" / "python" / "index.html").select_one(".pulse-freshness-note")
    assert note.has_attr("hidden")


def test_freshness_note_shows_when_the_newest_value_is_older_than_two_days(
    tmp_path: Path,
) -> None:
    out = build(tmp_path / "out", COMMUNITY_METRICS_NOW=datetime(2026, 11, 9, tzinfo=UTC))
    for page in ("communities/python/index.html", "dashboard/index.html"):
        note = soup(out / page).select_one(".pulse-freshness-note")
        assert not note.has_attr("hidden"), page
        assert "more than two days ago" in note.get_text()


def test_table_is_paginated_with_static_pages_and_json_chunks(tmp_path: Path) -> None:
    out = build(tmp_path / "out", COMMUNITY_METRICS_TABLE_ROWS=1)
    first = soup(out / "dashboard" / "index.html")
    assert [th.get_text(strip=True) for th in first.select("#communities-table tbody th")] == [
        "Python"  # the leader
    ]
    table = first.select_one("#communities-table")
    assert table["data-chunks"] == "../dashboard/rows/2.json" and table["data-total"] == "2"
    assert first.select_one('.pulse-pages a[href="../dashboard/page/2/"]') is not None
    assert first.find("script", src="../theme/js/pulse-readers.js") is not None
    second = soup(out / "dashboard" / "page" / "2" / "index.html")
    assert [th.get_text(strip=True) for th in second.select("#communities-table tbody th")] == [
        "Rust"
    ]
    assert second.select_one('.pulse-pages a[href="../../../dashboard/"]') is not None
    rows = json.loads((out / "dashboard" / "rows" / "2.json").read_text())["rows"]
    assert len(rows) == 1 and 'href="../communities/rust/"' in rows[0]


def _history_with_a_milestone(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    day = json.loads((data / "snapshots/2026/2026-11-01.json").read_text())
    day["date"] = "2026-11-02"
    day["generated_at"] = "2026-11-02T02:00:00Z"
    for observation in day["observations"]:
        observation["observed_at"] = "2026-11-02T01:59:00Z"
        if observation["community"] == "rust":
            observation.update(status="ok", error=None)
            observation["metrics"]["members"] = 120  # crosses 100
    (data / "snapshots/2026/2026-11-02.json").write_text(json.dumps(day))
    return data


def test_changes_feed_parses_and_lists_a_milestone(tmp_path: Path) -> None:
    out = build(
        tmp_path / "out",
        COMMUNITY_METRICS_DATA=str(_history_with_a_milestone(tmp_path)),
        COMMUNITY_METRICS_NOW=datetime(2026, 11, 2, 3, 0, tzinfo=UTC),
        **FEEDS_ON,
    )
    feed = SafeET.fromstring((out / "feeds" / "changes.atom.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    entries = feed.findall(f"{ATOM}entry")
    newest = entries[0]
    assert newest.find(f"{ATOM}title").text.startswith("2026-11-02: 1 milestone")
    summary = newest.find(f"{ATOM}summary").text
    assert "Rust reached 100 members" in summary
    assert "users.rust-lang.org answers again" in summary  # stale on 11-01, ok on 11-02
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(ids) == len(set(ids)) and all(i.startswith("tag:") for i in ids)
    older = " ".join(entry.find(f"{ATOM}summary").text for entry in entries[1:])
    assert "users.rust-lang.org stopped answering" in older


def test_no_changes_feed_when_the_site_writes_no_feeds(site: Path) -> None:
    assert not (site / "feeds").exists()


def test_data_page_gives_sizes_licence_citation_and_last_snapshot(site: Path) -> None:
    page = soup(site / "data" / "index.html")
    text = page.get_text(" ", strip=True)
    assert "Last snapshot: 2026-11-01" in text
    assert page.select_one('a[rel~="license"]')["href"].startswith(
        "https://creativecommons.org/publicdomain/zero/1.0/"
    )
    assert (
        "Community statistics, snapshot of 2026-11-01"
        in page.select_one(".pulse-citation").get_text()
    )
    size = (site / "data" / "communities" / "python.csv").stat().st_size
    assert f"python.csv — Python ({size} bytes)" in text


def test_files_built_from_demo_data_say_so_inside(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(FIXTURES / "data", demo)
    shutil.copy(FIXTURES / "communities.yml", demo / "communities.yml")
    (tmp_path / "empty").mkdir()
    out = build(
        tmp_path / "out",
        COMMUNITY_METRICS_DATA=str(tmp_path / "empty"),
        COMMUNITY_METRICS_DEMO=str(demo),
        COMMUNITY_METRICS_CONFIG=str(demo / "communities.yml"),
        **FEEDS_ON,
    )
    for name in ("observations.csv", "communities/python.csv"):
        first_line = (out / "data" / name).read_text().splitlines()[0]
        assert first_line.startswith("# DEMO DATA: synthetic"), name
    feed = (out / "feeds" / "changes.atom.xml").read_text()
    assert "Demo data (synthetic" in feed


def test_generator_sends_its_finalized_signal(tmp_path: Path) -> None:
    received = []

    def receiver(generator: object) -> None:
        received.append(generator)

    community_metrics_generator_finalized.connect(receiver)
    try:
        build(tmp_path / "out")
    finally:
        community_metrics_generator_finalized.disconnect(receiver)
    assert len(received) == 1
    assert type(received[0]).__name__ == "CommunityMetricsGenerator"
    assert [c.slug for c in received[0].pulse.communities] == ["python", "rust"]


def test_sparkline_breaks_at_gaps_and_stays_light() -> None:
    dates = [f"2026-{month:02d}-{day:02d}" for month in (8, 9, 10) for day in range(1, 31)]
    values = [float(i) for i in range(90)]
    values[40:50] = [None] * 10  # a gap: the line is broken there, not drawn through
    svg = SafeET.fromstring(str(sparkline_svg(Series(dates, values, [False] * 90), "X members")))
    path = svg.find("path").get("d")  # inline in HTML: no namespace
    assert path.count("M") == 2  # two runs either side of the gap
    assert path.count("M") + path.count("L") <= SPARK_POINTS + 2
    assert svg.find("title").text == ("X members, last 90 days: 0 on 2026-08-01, 89 on 2026-10-30")
    lone = [None] * 90
    lone[10], lone[60], lone[61], lone[62], lone[63] = 5.0, 6.0, 7.0, 8.0, 9.0
    dotted = SafeET.fromstring(str(sparkline_svg(Series(dates, lone, [False] * 90), "Z")))
    assert "l0 0" in dotted.find("path").get("d")  # a point alone is drawn as a dot
    none = sparkline_svg(Series(dates[:1], [5.0], [False]), "Y members")
    assert "not enough history" in str(none) and "<svg" not in str(none)


def test_page_benchmark_counts_what_compare_loads(site: Path) -> None:
    from bench.pages import page_assets

    html = (site / "compare" / "index.html").read_text(encoding="utf-8")
    assets = page_assets(html, "/compare/")
    assert "/theme/vendor/plotly/plotly-basic.min.js" in assets
    assert "/theme/js/pulse-compare.js" in assets
    assert {"/compare/data/python.json", "/compare/data/rust.json"} <= set(assets)


def test_compare_lists_every_community_for_the_search(site: Path) -> None:
    pairs = json.loads((site / "compare" / "communities.json").read_text())
    assert pairs == [["python", "Python"], ["rust", "Rust"]]
    form = soup(site / "compare" / "index.html").select_one("#compare-form")
    assert not form.has_attr("data-index")  # every community is listed: nothing to fetch


def test_dashboard_bubble_chart_keeps_the_leaders(tmp_path: Path, monkeypatch) -> None:
    from community_metrics.render import pages

    monkeypatch.setattr(pages, "BUBBLE_LEADERS", 1)
    out = build(tmp_path / "out")
    figure = soup(out / "dashboard" / "index.html").select_one("#chart-age-size-figure")
    bubble = json.loads(figure.select_one("script[type='application/json']").string)
    assert bubble["data"][0]["y"] == [1500]  # Python, the larger of the two
    assert "The 1 largest of 2 communities" in figure.select_one(".pulse-chart-notes").get_text()


def test_compare_lines_keep_each_communitys_one_colour(site: Path) -> None:
    """/compare/ draws each community in the colour it has in every other chart."""
    page = soup(site / "dashboard" / "index.html")
    overview = next(
        json.loads(page.find("script", id=div["data-figure"]).string)
        for div in page.select(".pulse-chart[data-figure]")
        if "members-overview" in div["data-figure"]
    )
    on_dashboard = {
        t["name"]: t["line"]["color"]
        for t in overview["data"]
        if t.get("name") in ("Python", "Rust")
    }
    assert set(on_dashboard) == {"Python", "Rust"}
    for slug, name in (("python", "Python"), ("rust", "Rust")):
        data = json.loads((site / "compare" / "data" / f"{slug}.json").read_text())
        assert data["colour"] == on_dashboard[name]
        assert data["dash"] in ("solid", "dash", "dashdot", "longdash")
