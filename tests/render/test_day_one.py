"""A site built from one real-looking snapshot with ok, error and stale sources (issue 10 item 4)
and the readers' fixes of issue 11: nothing empty, nothing raw, one colour per community."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dashboard_helpers import soup
from pelican.log import LimitFilter

from tests.conftest import build_site

DAY_ONE = Path(__file__).resolve().parent / "fixtures_day_one"
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def build_day_one(output: Path) -> Path:
    LimitFilter._raised_messages.clear()
    content = output.parent / "content"
    content.mkdir(exist_ok=True)
    return build_site(
        output,
        PATH=str(content),
        COMMUNITY_METRICS_CONFIG=str(DAY_ONE / "communities.yml"),
        COMMUNITY_METRICS_DATA=str(DAY_ONE / "data"),
        COMMUNITY_METRICS_NOW=NOW,
        TEMPLATE_PAGES={},
        STATIC_PATHS=[],
    )


@pytest.fixture(scope="module")
def day_one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_day_one(tmp_path_factory.mktemp("day-one") / "out")


PAGES = [
    "dashboard/index.html",
    "communities/python/index.html",
    "communities/rust/index.html",
    "communities/golang/index.html",
    "communities/kotlin/index.html",
    "benchmarks/index.html",
    "status/index.html",
]


def figures(page) -> list[dict]:
    found = []
    for div in page.select(".pulse-chart[data-figure]"):
        found.append(json.loads(page.find("script", id=div["data-figure"]).string))
    return found


def text(page) -> str:
    for script in page.select("script"):
        script.decompose()
    return page.main.get_text(" ", strip=True)


def test_no_time_chart_is_drawn_from_a_single_day(day_one: Path) -> None:
    for name in PAGES:
        page = soup(day_one / name)
        for figure in figures(page):
            xs = {
                x
                for trace in figure["data"]
                for x, y in zip(trace.get("x") or [], trace.get("y") or [], strict=False)
                if y is not None and isinstance(x, str)
            }
            # a dated figure carries at least two dates; undated ones (bubble, bands) have data
            assert len(xs) != 1, f"{name}: a one-day line chart was drawn"
            assert any(trace.get("y") for trace in figure["data"]), name
        for empty in page.select("figure.pulse-figure-empty"):
            assert "History starts on 2026-12-01" in empty.get_text()
            assert empty.select_one("details[open] table tbody tr") is not None
            assert empty.select_one(".pulse-chart") is None
    dashboard = soup(day_one / "dashboard/index.html")
    assert dashboard.select_one("#chart-members-overview-figure.pulse-figure-empty")
    python = soup(day_one / "communities/python/index.html")
    starts = python.select_one(".pulse-history-starts").get_text(" ", strip=True)
    assert "History starts on 2026-12-01; its charts are drawn from 2026-12-02" in starts
    assert python.select("figure.pulse-figure") == []  # one sentence, not six empty figures


def test_growth_says_when_it_appears(day_one: Path) -> None:
    page = soup(day_one / "communities/python/index.html")
    growth = [
        [c.get_text(" ", strip=True) for c in row("td")]
        for row in page.select("#growth-title ~ div tbody tr")
    ]
    assert growth[0][0] == "from 2026-12-08"  # 7 days
    assert growth[1][0] == "from 2026-12-31"  # 30 days
    dashboard = text(soup(day_one / "dashboard/index.html"))
    assert "from 2026-12-31" in dashboard


def test_numbers_and_bands_from_day_one(day_one: Path) -> None:
    page = soup(day_one / "communities/python/index.html")
    main = text(page)
    assert "41,234" in main and ">1,000" in main
    rows = [r.th.get_text(strip=True) for r in page.select("#platforms-title ~ div tbody tr")]
    assert rows == ["Discourse · discuss.python.org", "GitHub · python/cpython"]
    assert "rate limit exceeded" in main


def test_a_community_whose_sources_all_failed_says_why_and_is_not_counted(
    day_one: Path,
) -> None:
    page = soup(day_one / "communities/golang/index.html")
    failures = page.select_one(".pulse-no-data").get_text(" ", strip=True)
    assert "connection timed out" in failures and "REDDIT_CLIENT_ID" in failures
    assert "Reddit · r/golang" in failures and "Discourse · forum.golangbridge.org" in failures
    dashboard = soup(day_one / "dashboard/index.html")
    headline = {
        item.dt.get_text(strip=True): item.dd.get_text(" ", strip=True)
        for item in dashboard.select(".pulse-headline-item")
    }
    assert headline["Communities tracked"].startswith("2 ")  # python and rust have data
    assert "2 more with no data yet" in headline["Communities tracked"]


def test_no_raw_state_strings_or_authoring_hints(day_one: Path) -> None:
    for name in PAGES:
        main = text(soup(day_one / name))
        assert "never not collected" not in main, name
        assert "never never" not in main, name
        assert "front matter" not in main, name
        assert " ago ago" not in main, name


def test_authoring_hint_goes_to_the_build_log(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.INFO):
        build_day_one(tmp_path / "out")
    assert any("no post names community 'python'" in r.getMessage() for r in caplog.records)


def test_times_for_people_with_machine_readable_datetime(day_one: Path) -> None:
    page = soup(day_one / "communities/python/index.html")
    observed = page.select_one("#platforms-title ~ div tbody tr time")
    assert observed["datetime"] == "2026-12-01T03:00:00Z"
    assert observed.get_text() == "1 Dec 2026, 03:00 UTC"
    assert "3 hours ago" in page.select_one("#platforms-title ~ div tbody tr").get_text()


def test_old_freshness_is_marked(day_one: Path) -> None:
    dashboard = soup(day_one / "dashboard/index.html")
    rows = {r.th.get_text(strip=True): r for r in dashboard.select("table[data-sortable] tbody tr")}
    assert rows["Rust"].select_one(".pulse-freshness.pulse-old").get_text() == "3 days ago"
    assert rows["Python"].select_one(".pulse-old") is None


def test_founding_is_labelled_apart_from_the_oldest_source(day_one: Path) -> None:
    page = soup(day_one / "communities/python/index.html")
    founded = page.select_one(".pulse-founded")
    assert "stated founding" in founded.get_text()
    assert founded.time["datetime"] == "1991-02-20"
    oldest = page.select_one(".pulse-age-note").get_text(" ", strip=True)
    assert "oldest source began 1 Mar 2017" in oldest and "Discourse" in oldest


def test_status_leads_with_what_is_broken_now(day_one: Path) -> None:
    page = soup(day_one / "status/index.html")
    first = page.main.find("section")
    assert first["class"] == ["pulse-broken-now"]
    broken = first.get_text(" ", strip=True)
    assert "4 sources failed" in broken and "reddit:golang" in broken
    assert "from 3 days ago" in broken  # the stale value's age, not "never"
    assert "discuss.python.org" not in broken  # ok sources are not alarms


def test_benchmarks_link_sources_and_compare_participation(day_one: Path) -> None:
    page = soup(day_one / "benchmarks/index.html")
    rows = {row.th.get_text(" ", strip=True): row for row in page.select("section table tbody tr")}
    share = rows["share of the addressable community that participates"]
    assert "median engagement 18.2%" in share("td")[-1].get_text()
    nielsen = rows["lurkers / occasional contributors / heavy contributors"]
    assert nielsen.select_one("a")["href"].startswith("https://www.nngroup.com/")
    under_100 = rows["communities with fewer than 100 active members (sources disagree)"]
    # the source cell's link (the value cell now links the conflicting value's source first)
    assert (
        under_100("td")[2].select_one("a")["href"].startswith("https://econsultancy.com/blog/2640-")
    )
    # the demo notice of this page (when shown) speaks only of the tracked numbers
    notice = soup(day_one / "benchmarks/index.html").select(".notice-demo")
    assert notice == []  # real data: no notice at all


def test_benchmark_url_must_be_http(tmp_path: Path) -> None:
    from community_metrics.analyse.benchmarks import parse_study

    text = (
        "study: S\nshort: S\nyear: 2020\npopulation: p\nfigures:\n"
        "  - {id: a, figure: f, value: 5, value_text: 5%, source: s, source_type: primary, "
        "url: 'javascript:alert(1)', compare: nonsense}\n"
    )
    _study, problems = parse_study(text, "bad.yml")
    assert any("'url' must start with https://" in p for p in problems)
    assert any("'compare' must be one of participation" in p for p in problems)


def test_same_community_same_colour_in_every_figure(tmp_path: Path) -> None:
    """On the multi-day fixture (every chart drawn): a community's traces have one colour."""
    from dashboard_helpers import build

    out = build(tmp_path / "multi")
    colours: dict[str, set[str]] = {}
    pages = ["dashboard/index.html", "communities/python/index.html"]
    pages.append("communities/rust/index.html")
    for name in pages:
        for figure in figures(soup(out / name)):
            for trace in figure["data"]:
                label = str(trace.get("legendgroup") or trace.get("name") or "")
                label = label.removesuffix(" total")
                if label in ("Python", "Rust") and "line" in trace:
                    colours.setdefault(label, set()).add(trace["line"]["color"])
                marker = trace.get("marker") or {}
                if isinstance(marker.get("color"), list):
                    for text, colour in zip(trace["text"], marker["color"], strict=True):
                        colours.setdefault(text.split("<br>")[0], set()).add(colour)
    assert colours["Python"] and colours["Rust"]
    assert all(len(found) == 1 for found in colours.values()), colours
    assert colours["Python"] != colours["Rust"]
    key = soup(out / "dashboard/index.html").select_one("#chart-members-overview-figure .pulse-key")
    assert "stale" in key.get_text() and "missing, never zero" in key.get_text()


def test_a_recovered_source_is_history_not_an_alarm(tmp_path: Path) -> None:
    """Day two: GitHub answers again; its error of day one is shown as resolved history."""
    data = tmp_path / "data" / "snapshots" / "2026"
    data.mkdir(parents=True)
    first = DAY_ONE / "data" / "snapshots" / "2026" / "2026-12-01.json"
    (data / first.name).write_text(first.read_text(), encoding="utf-8")
    snapshot = json.loads(first.read_text())
    snapshot["date"] = "2026-12-02"
    snapshot["generated_at"] = "2026-12-02T03:05:00Z"
    github = next(o for o in snapshot["observations"] if o["platform"] == "github")
    github.update(
        status="ok",
        metrics={"members": 65000},
        observed_at="2026-12-02T03:00:00Z",
        error=None,
        created_at="2017-02-10T00:00:00Z",
    )
    (data / "2026-12-02.json").write_text(json.dumps(snapshot), encoding="utf-8")
    LimitFilter._raised_messages.clear()
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "day-two.md").write_text(
        "Title: Day two\nDate: 2026-12-02 09:00\nCategory: Measurement\nSlug: day-two\n"
        "Communities: python\nSummary: Two days.\n\n{chart python members latest}\n",
        encoding="utf-8",
    )
    out = build_site(
        tmp_path / "out",
        PATH=str(tmp_path / "content"),
        COMMUNITY_METRICS_CONFIG=str(DAY_ONE / "communities.yml"),
        COMMUNITY_METRICS_DATA=str(tmp_path / "data"),
        COMMUNITY_METRICS_NOW=datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
        TEMPLATE_PAGES={},
        STATIC_PATHS=[],
    )
    page = soup(out / "status/index.html")
    broken = page.select_one(".pulse-broken-now").get_text(" ", strip=True)
    assert "github:python/cpython" not in broken
    row = next(r for r in page.select("tbody tr") if "github:python/cpython" in r.get_text())
    assert row.select_one(".pulse-error") is None
    assert "Resolved" in row.select_one(".pulse-resolved").get_text()
    # two days: the python charts are drawn now, a total line joins the two sources
    python = soup(out / "communities/python/index.html")
    members = next(f for f in figures(python) if any("total" in t["name"] for t in f["data"]))
    github_line = next(t for t in members["data"] if t["name"].startswith("GitHub"))
    assert github_line["marker"]["size"] == [0, 6]  # a lone first value is drawn as a point
    # Python is second in this registry: its colour is the second, in the post's chart too
    total = next(t for t in members["data"] if t["name"] == "Python total")
    assert total["line"]["color"] == "#C98500"
    # the one rollup rule: Python's total exists from the first day both sources report, so the
    # post's chart of it waits for a second such day, and says so instead of an empty plot
    post = soup(out / "posts/day-two/index.html")
    assert not figures(post)
    assert "the chart is drawn from 2026-12-03" in post.get_text(" ", strip=True)


def test_dashboard_table_starts_largest_first_and_says_so(day_one: Path) -> None:
    page = soup(day_one / "dashboard/index.html")
    table = page.select_one("table[data-sortable]")
    order = [row.th.get_text(strip=True) for row in table.tbody.select("tr")]
    assert order == ["Python", "Rust", "Go", "Kotlin"]  # registry order is Rust, Python, ...
    members = table.thead.find("th", string="Members")
    assert members["aria-sort"] == "descending"
    assert "largest first" in page.select_one("#communities-help").get_text()


def test_benchmarks_demo_notice_speaks_only_of_the_tracked_numbers() -> None:
    from types import SimpleNamespace

    from jinja2 import Environment, FileSystemLoader

    templates = Path(__file__).resolve().parents[2] / "plugins/community_metrics/templates"
    macros = Environment(loader=FileSystemLoader(str(templates))).get_template("pulse/macros.html")
    notice = str(macros.module.demo_notice_tracked(SimpleNamespace(synthetic=True, origin="demo")))
    assert "Demo data" in notice and "tracked-community numbers" in notice
    assert "published figures are real citations" in notice
    assert "describe no real community" not in notice
    page = (templates / "pulse/benchmarks.html").read_text(encoding="utf-8")
    assert "demo_notice_tracked(pulse)" in page
