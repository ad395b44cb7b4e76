"""Charts: valid plotly figures, deterministic bytes, gaps, stale marks, escaping, sampling."""

from __future__ import annotations

import json
from datetime import date, timedelta

import plotly.graph_objects as go
import pytest

from community_metrics.render import charts
from community_metrics.store.history import Series


def days(n: int, start: date = date(2024, 1, 1)) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range(n)]


def series(values, stale=None, start: date = date(2024, 1, 1)) -> Series:
    return Series(days(len(values), start), list(values), list(stale or [False] * len(values)))


def validate(chart: charts.Chart) -> go.Figure:
    """plotly's own validators accept what we emit (this fails on a wrong property name)."""
    return go.Figure(json.loads(chart.json))


def all_chart_kinds() -> list[charts.Chart]:
    growing = series([100 + i for i in range(40)])
    return [
        charts.members_overview([("A", growing), ("B", series([None] * 40))], toggle_log=True),
        charts.engagement_overview([("A", series([0.1] * 40))]),
        charts.age_size_bubble([charts.BubblePoint("A", 2.5, 1200, 0.2, "/communities/a/")]),
        charts.band_distribution(
            ["≤100", ">1,000"],
            {"≤100": 1, ">1,000": 3},
            [("Deloitte 2008", {"≤100": 34, ">1,000": 25})],
            title="Size",
            chart="size-bands",
        ),
        charts.community_metric_chart(
            "a",
            "members",
            [("discourse:x", growing)],
            annotations=[charts.Annotation("2024-01-05", "Post", "/posts/p/")],
        ),
    ]


@pytest.mark.parametrize("chart", all_chart_kinds(), ids=lambda c: c.kind)
def test_every_chart_is_valid_plotly_with_only_scatter_and_bar(chart: charts.Chart) -> None:
    figure = validate(chart)
    assert {trace.type for trace in figure.data} <= {"scatter", "bar"}
    assert "bdata" not in chart.json  # plain lists: drawn by any plotly.js
    assert chart.id.startswith("chart-")
    assert chart.summary.endswith(".")
    assert chart.table.headers and chart.table.caption
    # our slim template, not plotly's default (which is ~6.5 KB by itself)
    assert chart.figure["layout"]["template"] is charts.TEMPLATE
    assert len(json.dumps(charts.TEMPLATE)) < 1000


def test_same_data_gives_identical_bytes_and_ids() -> None:
    first = [c.json for c in all_chart_kinds()]
    second = [c.json for c in all_chart_kinds()]
    assert first == second
    assert charts.chart_id("Python Org", "members") == "chart-python-org-members"


def test_gaps_break_lines() -> None:
    chart = charts.community_metric_chart("a", "members", [("s", series([1, None, 3]))])
    trace = chart.figure["data"][0]
    assert trace["y"] == [1, None, 3]
    assert trace["connectgaps"] is False
    assert '"y":[1,null,3]' in chart.json


def test_stale_stretch_is_a_separate_dotted_trace() -> None:
    chart = charts.community_metric_chart(
        "a", "members", [("s", series([1, 2, 3, 4, 5], [False, False, True, True, False]))]
    )
    solid, dotted = chart.figure["data"]
    assert solid["y"] == [1, 2, None, None, 5]
    # only the stale stretch is listed, joining the solid line on both sides
    assert list(zip(dotted["x"], dotted["y"], strict=True)) == [
        ("2024-01-02", 2),
        ("2024-01-03", 3),
        ("2024-01-04", 4),
        ("2024-01-05", 5),
    ]
    assert dotted["line"]["dash"] == "dot"
    assert dotted["marker"]["symbol"] == "circle-open"
    assert dotted["legendgroup"] == solid["legendgroup"]
    assert chart.table.rows[2] == ["2024-01-03", "3 (stale since 2024-01-02)"]


def test_script_and_html_are_escaped() -> None:
    evil = "</script><script>alert(1)</script>"
    chart = charts.community_metric_chart(
        "a",
        "members",
        [(evil, series([1, 2]))],
        annotations=[charts.Annotation("2024-01-02", evil, 'javascript:"x"')],
    )
    text = chart.json
    assert "</script" not in text and "<script" not in text
    assert "\\u003c" in text
    parsed = json.loads(text)
    # plotly renders a subset of HTML in names and annotations: ours arrive as entities
    assert parsed["data"][0]["name"].startswith("&lt;/script&gt;")
    note = parsed["layout"]["annotations"][0]["text"]
    assert "<script>" not in note
    assert "<a " not in note and "javascript" not in note  # no link for another scheme
    relative = charts.community_metric_chart(
        "a",
        "members",
        [("s", series([1, 2]))],
        annotations=[charts.Annotation("2024-01-02", 'A "post"', "../posts/p/")],
    )
    assert relative.figure["layout"]["annotations"][0]["text"] == (
        '<a href="../posts/p/">A &#34;post&#34;</a>'
    )


def test_overview_downsamples_weekly_beyond_a_year_detail_keeps_days() -> None:
    long = series(list(range(800)))
    overview = charts.members_overview([("A", long)])
    x = overview.figure["data"][0]["x"]
    assert x[-1] == long.dates[-1]  # the newest day is always a point
    assert len(x) == 800 // 7 + 1
    assert overview.figure["data"][0]["y"][-2] == 792  # newest value of each 7-day window
    detail = charts.community_metric_chart("a", "members", [("A", long)])
    assert len(detail.figure["data"][0]["x"]) == 800
    assert len(detail.table.rows) <= 30  # accessible table sampled monthly
    assert "month" in detail.table.caption


def test_weekly_keeps_gaps_for_empty_weeks_and_never_averages() -> None:
    values = [1] * 7 + [None] * 7 + [None, None, 5, None, None, None, None]
    sampled = charts.weekly(series(values))
    assert sampled.values == [1, None, 5]


def test_overview_draws_the_largest_and_says_so() -> None:
    items = [(f"c{i}", series([i * 10, i * 10 + 1])) for i in range(15)]
    chart = charts.members_overview(items, limit=3)
    names = [t["name"] for t in chart.figure["data"] if t.get("visible") != "legendonly"]
    assert names == ["c14", "c13", "c12"]
    assert "Showing the 3 largest of 15 communities." in chart.summary


def test_band_distribution_shares_and_missing_published_values() -> None:
    chart = charts.band_distribution(
        ["≤100", "101–500"],
        {"≤100": 3, "101–500": 1},
        [("Study", {"≤100": 34})],
        title="Size bands",
        chart="size",
    )
    tracked, study = chart.figure["data"]
    assert tracked["y"] == [75, 25]
    assert study["y"] == [34, None]  # not reported is no bar, not 0
    assert chart.table.rows[1] == ["101–500", "1 (25%)", "—"]
    assert chart.summary == "Of 4 tracked communities, 3 (75%) fall in the ≤100 band."


def test_bubble_skips_communities_without_members() -> None:
    chart = charts.age_size_bubble(
        [
            charts.BubblePoint("b", 1.0, 0),
            charts.BubblePoint("a", 3.0, 5000, None, "/communities/a/"),
        ]
    )
    trace = chart.figure["data"][0]
    assert trace["x"] == [3] and trace["y"] == [5000] and trace["customdata"] == ["/communities/a/"]
    assert chart.figure["layout"]["yaxis"]["type"] == "log"


def test_recent_window() -> None:
    assert charts.recent(series(list(range(100))), 90).dates[0] == days(100)[10]


def test_a_daily_trace_is_published_as_a_start_and_a_step() -> None:
    """Evenly spaced days go out as ``x0`` + ``dx`` (the step, in ms on a date axis); the
    figure as built keeps its dates, and a trace with uneven steps keeps its list."""
    daily = charts.community_metric_chart("a", "members", [("s", series([1, 2, 3, 4]))])
    published = json.loads(daily.json)
    trace = published["data"][0]
    assert "x" not in trace and trace["x0"] == "2024-01-01" and trace["dx"] == 86_400_000
    assert published["layout"]["xaxis"]["type"] == "date"
    assert daily.figure["data"][0]["x"] == days(4)  # the built figure is unchanged
    validate(daily)
    weekly = Series(["2024-01-01", "2024-01-08", "2024-01-15"], [1, 2, 3], [False] * 3)
    trace = json.loads(charts.community_metric_chart("a", "members", [("s", weekly)]).json)
    assert trace["data"][0]["x0"] == "2024-01-01" and trace["data"][0]["dx"] == 7 * 86_400_000
    sparse = Series(["2024-01-01", "2024-01-02", "2024-01-05"], [1, 2, 3], [False] * 3)
    kept = json.loads(charts.community_metric_chart("a", "members", [("s", sparse)]).json)
    assert kept["data"][0]["x"] == ["2024-01-01", "2024-01-02", "2024-01-05"]
