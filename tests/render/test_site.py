"""A site built from the tiny fixture history: pages, table values, chart JSON, status, notices.

Hand-computed expectations (fixture: tests/render/fixtures/data/snapshots/2026/):
python = discourse + github members: 2026-10-01 1000+200=1200, 2026-10-15 1100+250=1350,
2026-10-31 1180+290=1470, 2026-11-01 1200+300=1500. 30-day growth on 2026-11-01 compares with
the newest value on or before 2026-10-02 (1200): +300, +25.0%. Engagement: only discourse
reports active_30d and members: 240/1200 = 20.0%. rust: 75 members (stale, carried from
2026-10-31), 18/75 = 24.0%, 30-day growth against 50: +25 (+50.0%).
2026-10-20.json holds a negative count: it breaks the contract.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from dashboard_helpers import FIXTURES, build, soup

from community_metrics.glue.generator import PulseBuildError


def table_rows(page) -> dict[str, list]:
    table = page.find("table", attrs={"data-sortable": True})
    return {row.th.get_text(strip=True): row.find_all("td") for row in table.tbody.find_all("tr")}


def test_dashboard_table_holds_hand_computed_values(site: Path) -> None:
    rows = table_rows(soup(site / "dashboard" / "index.html"))
    assert list(rows) == ["Python", "Rust"]
    python = [cell.get_text(" ", strip=True) for cell in rows["Python"]]
    assert python[:3] == ["1,500", "+300 (+25.0%)", "20.0%"]
    assert python[4] == "Discourse, GitHub"
    assert rows["Python"][0]["data-sort"] == "1500"
    assert rows["Python"][1]["data-sort"] == "0.25"
    rust = [cell.get_text(" ", strip=True) for cell in rows["Rust"]]
    assert rust[:3] == ["75 (stale since 2026-10-31)", "+25 (+50.0%)", "24.0%"]
    assert "stale" in rust[5]


def test_dashboard_headlines(site: Path) -> None:
    page = soup(site / "dashboard" / "index.html")
    headline = {
        item.dt.get_text(strip=True): item.find(class_="pulse-headline-value").get_text()
        for item in page.select(".pulse-headline-item")
    }
    assert headline["Communities tracked"] == "2"
    assert headline["Combined audience"] == "1,575"
    assert headline["Median engagement"] == "22.0%"  # median of 20% and 24%
    assert headline["Sources reporting"] == "2 of 3"
    assert headline["Last snapshot"] == "2026-11-01"


def chart_figures(page) -> dict[str, dict]:
    figures = {}
    for div in page.select(".pulse-chart[data-figure]"):
        block = page.find("script", id=div["data-figure"])
        assert block is not None and block["type"] == "application/json"
        figures[div["data-figure"]] = json.loads(block.string)
    return figures


def test_dashboard_charts_carry_data_summary_and_table(site: Path) -> None:
    page = soup(site / "dashboard" / "index.html")
    figures = chart_figures(page)
    assert len(figures) == 5
    members = figures["chart-members-overview-json"]
    python = next(t for t in members["data"] if t["name"] == "Python")
    points = dict(zip(python["x"], python["y"], strict=True))
    assert points["2026-10-01"] == 1200 and points["2026-11-01"] == 1500
    assert points["2026-10-20"] is None  # the left-out file is a gap, not a zero
    for figure in page.select("figure.pulse-figure"):
        assert figure.select_one(".pulse-summary").get_text(strip=True)
        assert figure.select_one("details table tbody tr") is not None
    summary = page.select_one("#chart-members-overview-figure .pulse-summary").get_text()
    assert "25%" in summary and "1,500" in summary


def test_chart_json_is_byte_identical_across_builds(site: Path, tmp_path: Path) -> None:
    again = build(tmp_path / "again")
    for name in ("dashboard/index.html", "communities/python/index.html"):
        first = [s.string for s in soup(site / name).select("script[type='application/json']")]
        second = [s.string for s in soup(again / name).select("script[type='application/json']")]
        assert first == second and first


def test_community_page(site: Path) -> None:
    page = soup(site / "communities" / "python" / "index.html")
    text = page.main.get_text(" ", strip=True)
    assert "The Python community." in text
    rows = page.select("#platforms-title ~ div tbody tr")
    sources = [row.th.get_text(strip=True) for row in rows]
    assert sources == ["Discourse · discuss.python.org", "GitHub · python/cpython"]
    milestones = [li.get_text(" ", strip=True) for li in page.select(".pulse-milestones li")]
    assert milestones[1].startswith("1,000 members: before 2026-10-01")
    post_link = page.select_one(".pulse-posts a")
    assert post_link.get_text() == "Python passes 1,500"
    assert post_link["href"].endswith("posts/python-at-1500/")
    members = chart_figures(page)["chart-python-members-json"]
    # the post is a dated annotation on the chart, linking back
    assert members["layout"]["annotations"][0]["x"] == "2026-10-16"
    assert "posts/python-at-1500/" in members["layout"]["annotations"][0]["text"]
    assert page.find("a", href=lambda h: h and h.endswith("data/communities/python.csv"))


def test_status_page_names_the_bad_snapshot_and_the_stale_source(site: Path) -> None:
    page = soup(site / "status" / "index.html")
    problems = page.select(".pulse-problem")
    assert len(problems) == 1
    assert "2026-10-20.json" in problems[0].get_text()
    assert "non-negative" in problems[0].get_text()
    rows = {row.find_all("td")[0].get_text(strip=True): row for row in page.select("tbody tr")}
    rust = rows["discourse:users.rust-lang.org"].get_text(" ", strip=True)
    assert "stale" in rust and "HTML page" in rust and "2026-10-31T03:00:00Z" in rust


def test_local_build_warns_about_the_bad_snapshot(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        build(tmp_path / "out")
    assert any(
        "2026-10-20.json" in record.getMessage() and record.levelno == logging.WARNING
        for record in caplog.records
    )


def test_strict_build_fails_naming_the_bad_snapshot(tmp_path: Path) -> None:
    with pytest.raises(PulseBuildError, match=r"2026-10-20\.json"):
        build(tmp_path / "out", COMMUNITY_METRICS_STRICT=True)


def test_real_data_shows_no_demo_notice(site: Path) -> None:
    for name in ("dashboard/index.html", "communities/python/index.html", "index.html"):
        assert soup(site / name).select(".notice-demo") == []


def test_demo_data_carries_a_notice_on_every_page_with_numbers(tmp_path: Path) -> None:
    out = build(
        tmp_path / "out",
        COMMUNITY_METRICS_DATA=str(tmp_path / "empty"),
        COMMUNITY_METRICS_DEMO=str(Path(__file__).parents[2] / "demo"),
    )
    pages = [
        "index.html",
        "dashboard/index.html",
        "status/index.html",
        "benchmarks/index.html",
        "data/index.html",
    ]
    pages += [str(p.relative_to(out)) for p in (out / "communities").glob("*/index.html")]
    assert len(pages) > 5
    for name in pages:
        notice = soup(out / name).select_one(".notice-demo")
        assert notice is not None, name
        assert "Demo data" in notice.get_text()


def test_registry_error_is_one_message_per_problem(tmp_path: Path, caplog) -> None:
    registry = tmp_path / "communities.yml"
    registry.write_text("communities:\n  - slug: Not A Slug\n    name: x\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR), pytest.raises(PulseBuildError, match="registry"):
        build(tmp_path / "out", COMMUNITY_METRICS_CONFIG=str(registry))
    problems = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert problems and all(f"{registry}:" in p for p in problems)
    assert any(":2:" in p for p in problems)  # file:line:col of the slug


def test_pulse_js_and_plotly_are_referenced_not_inlined(site: Path) -> None:
    page = soup(site / "dashboard" / "index.html")
    scripts = page.find_all("script")
    executable = [s for s in scripts if s.get("type") != "application/json"]
    assert [s["src"] for s in executable] == ["../theme/js/pulse.js"]
    assert executable[0].has_attr("defer")
    assert executable[0]["data-plotly"] == "../theme/vendor/plotly/plotly-basic.min.js"
    assert all(not s.string for s in executable)  # no inline code (CSP)
    assert (site / "theme" / "vendor" / "plotly" / "plotly-basic.min.js").exists()


def test_fixture_is_what_the_docstring_says() -> None:
    bad = json.loads((FIXTURES / "data/snapshots/2026/2026-10-20.json").read_text())
    assert bad["observations"][0]["metrics"]["members"] == -5


def test_downloads(site: Path) -> None:
    import csv
    import io

    import jsonschema

    rows = list(csv.DictReader(io.StringIO((site / "data/observations.csv").read_text())))
    python_members = {
        (r["date"], r["source"]): r["value"]
        for r in rows
        if r["community"] == "python" and r["metric"] == "members"
    }
    assert python_members[("2026-11-01", "discourse:discuss.python.org")] == "1200"
    assert python_members[("2026-10-01", "github:python/cpython")] == "200"
    assert not any(r["date"] == "2026-10-20" for r in rows)  # the left-out file
    rust = next(r for r in rows if r["date"] == "2026-11-01" and r["community"] == "rust")
    assert rust["status"] == "stale"
    community = (site / "data/communities/python.csv").read_text().splitlines()
    assert community[0].startswith("date,platform,source,status,members")
    data = json.loads((site / "data/observations.json").read_text())
    assert data["dates"][0] == "2026-10-01"
    schema = json.loads((site / "data/snapshot.schema.json").read_text())
    good = json.loads((FIXTURES / "data/snapshots/2026/2026-11-01.json").read_text())
    jsonschema.validate(good, schema)
    bad = json.loads((FIXTURES / "data/snapshots/2026/2026-10-20.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    page = soup(site / "data" / "index.html")
    links = {a["href"] for a in page.select("main a[download]")}
    assert {"../data/observations.csv", "../data/observations.json"} <= links
    assert "../data/communities/rust.csv" in links


def test_benchmarks_page_shows_sources_conflicts_and_tracked_bands(site: Path) -> None:
    page = soup(site / "benchmarks" / "index.html")
    rows = {
        row.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in row("td")]
        for row in page.select("section table.pulse-table tbody tr")
    }
    under_100 = rows["communities with fewer than 100 active members (sources disagree)"]
    assert under_100[0].startswith("34%; also published: 35%")
    assert "2008" in under_100[1] and "Econsultancy" in under_100[2]
    assert under_100[3] == "1 of 2 (50%)"  # rust (75 members) is the tracked one in ≤100
    size = chart_figures(page)["chart-size-bands-json"]
    bars = {trace["name"]: trace["y"] for trace in size["data"]}
    assert bars["Tracked communities (n = 2)"] == [50, 0, 0, 50]
    assert bars["Deloitte 2008 (published; one share derived)"] == [34, 27, 14, 25]
    assert "70% of communities fail" in page.get_text()  # named as a prediction, not shown


def test_registry_community_without_snapshots_says_not_collected(tmp_path: Path) -> None:
    registry = tmp_path / "communities.yml"
    registry.write_text(
        (FIXTURES / "communities.yml").read_text()
        + "  - slug: golang\n    name: Go\n    sources:\n"
        "      - platform: discourse\n        host: forum.golangbridge.org\n",
        encoding="utf-8",
    )
    out = build(tmp_path / "out", COMMUNITY_METRICS_CONFIG=str(registry))
    row = table_rows(soup(out / "dashboard" / "index.html"))["Go"]
    assert [cell.get_text(" ", strip=True) for cell in row][:3] == ["—", "—", "—"]
    assert "not collected yet" in row[5].get_text()  # the Freshness column
    page = soup(out / "communities" / "golang" / "index.html")
    source = page.select_one("#platforms-title ~ div tbody tr")
    assert source.th.get_text(strip=True) == "Discourse · forum.golangbridge.org"
    assert "not collected yet" in source.get_text()
    status = soup(out / "status" / "index.html")
    rows = [r.get_text(" ", strip=True) for r in status.select("tbody tr")]
    assert any("forum.golangbridge.org" in r and "not collected yet" in r for r in rows)


def test_yearly_compressed_history_is_published_and_linked(site: Path) -> None:
    import csv
    import gzip
    import io

    packed = site / "data" / "observations-2026.csv.gz"
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(packed.read_bytes()).decode())))
    whole = list(csv.DictReader(io.StringIO((site / "data/observations.csv").read_text())))
    assert sorted(map(tuple, (r.values() for r in rows))) == sorted(
        map(tuple, (r.values() for r in whole))
    )
    links = {a["href"] for a in soup(site / "data" / "index.html").select("main a[download]")}
    assert "../data/observations-2026.csv.gz" in links


def test_published_schema_is_the_one_generated_from_the_contract(site: Path) -> None:
    from community_metrics.contract.schema import snapshot_schema_json

    assert (site / "data" / "snapshot.schema.json").read_text("utf-8") == snapshot_schema_json()
