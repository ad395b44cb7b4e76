"""Chart encodings readers rely on: stable colours that read on light and dark pages, log axes
ticked at powers of ten over the data's range, an absent engagement that is not a small bubble,
a total line, and no plot drawn from a single day."""

from __future__ import annotations

import json
from datetime import date, timedelta

import plotly.graph_objects as go

from community_metrics.render import charts
from community_metrics.store.history import Series

LIGHT_BG = "#ffffff"
DARK_BG = "#101418"  # --bg of site.css in dark mode


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def series(values, start: date = date(2026, 1, 1), stale=None) -> Series:
    dates = [(start + timedelta(days=i)).isoformat() for i in range(len(values))]
    return Series(dates, list(values), list(stale or [False] * len(values)))


def test_palette_reads_on_light_and_dark_pages() -> None:
    for colour in charts.PALETTE:
        assert contrast(colour, LIGHT_BG) >= 3.0, colour
        assert contrast(colour, DARK_BG) >= 3.0, colour
    assert len(set(charts.PALETTE)) == len(charts.PALETTE)


def test_colours_follow_the_registry_order_not_the_draw_order() -> None:
    styles = charts.community_styles(["small", "big"])
    items = [("small", series([5, 6])), ("big", series([500, 600]))]
    chart = charts.members_overview(items, styles=styles)
    drawn = {t["name"]: t["line"]["color"] for t in chart.figure["data"]}
    # "big" is drawn first (largest first) but keeps its registry colour
    assert [t["name"] for t in chart.figure["data"]] == ["big", "small"]
    assert drawn == {"small": charts.PALETTE[0], "big": charts.PALETTE[1]}
    alone = charts.engagement_overview([("big", series([0.1, 0.2]))], styles=styles)
    assert alone.figure["data"][0]["line"]["color"] == charts.PALETTE[1]


def test_log_axis_ticks_at_powers_of_ten_over_the_whole_range() -> None:
    axis = charts.log_axis([3, None, 250, 48_000])
    assert axis["tickvals"] == [1, 10, 100, 1000, 10_000, 100_000]
    assert axis["ticktext"] == ["1", "10", "100", "1k", "10k", "100k"]
    low, high = axis["range"]  # in log10 units: holds 3 and 48,000
    assert low <= 0.477 and high >= 4.68
    assert charts.log_axis([0, None]) is None
    assert charts.log_axis([2_000_000])["ticktext"] == ["1M", "10M"]


def test_members_overview_carries_its_log_axis_and_every_community() -> None:
    items = [(f"c{i}", series([10**i, 10**i + 1])) for i in range(12)]
    chart = charts.members_overview(items, limit=10)
    assert chart.scale_toggle
    assert chart.figure["layout"]["meta"]["log"]["tickvals"][0] == 1
    hidden = [t["name"] for t in chart.figure["data"] if t.get("visible") == "legendonly"]
    assert hidden == ["c1", "c0"]  # in the legend, one click brings them in
    go.Figure(json.loads(chart.json))


def test_absent_engagement_is_an_open_ring_not_a_small_bubble() -> None:
    chart = charts.age_size_bubble(
        [
            charts.BubblePoint("Low", 2.0, 1000, 0.01),
            charts.BubblePoint("Unknown", 3.0, 2000, None),
        ]
    )
    known, unknown = chart.figure["data"]
    assert "engagement" in known["name"] and known["text"][0].startswith("Low")
    assert unknown["marker"]["symbol"] == "circle-open"
    assert "no engagement figure" in unknown["name"]
    assert unknown["marker"]["size"] > known["marker"]["size"][0]
    assert chart.figure["layout"]["showlegend"] is True
    go.Figure(json.loads(chart.json))


def test_stale_stretch_states_its_encoding_in_the_legend() -> None:
    chart = charts.members_overview(
        [("A", series([1, 2, 3], stale=[False, True, False]))], styles=None
    )
    dotted = [t for t in chart.figure["data"] if t["line"]["dash"] == "dot"]
    assert dotted and dotted[0]["showlegend"] is True
    assert "stale" in dotted[0]["name"]


def test_community_chart_adds_a_total_and_starts_log_when_sizes_differ() -> None:
    total = series([10_050, 10_100])
    chart = charts.community_metric_chart(
        "a",
        "members",
        [("Big · x", series([10_000, 10_050])), ("Small · y", series([50, 50]))],
        community_label="A",
        total=total,
        style=("#123456", "solid"),
    )
    names = [t["name"] for t in chart.figure["data"]]
    assert "A total" in names
    total_trace = chart.figure["data"][names.index("A total")]
    assert total_trace["line"]["color"] == "#123456"
    assert chart.figure["layout"]["yaxis"]["type"] == "log"
    assert chart.scale_toggle
    same = charts.community_metric_chart(
        "a", "members", [("x", series([10, 12])), ("y", series([11, 13]))]
    )
    assert same.figure["layout"]["yaxis"].get("type") != "log"


def test_a_single_day_is_a_sentence_not_a_plot() -> None:
    chart = charts.members_overview([("A", series([41_234]))])
    assert not chart.drawable
    assert "History starts on 2026-01-01" in chart.empty_note
    assert "2026-01-02" in chart.empty_note
    two = charts.members_overview([("A", series([1, 2]))])
    assert two.drawable


def test_key_states_stale_gaps_and_bubble_size() -> None:
    line = charts.members_overview(
        [("A", series([1, None, 3, 4], stale=[False, False, False, True]))]
    )
    assert charts.KEY_STALE in line.key and charts.KEY_GAP in line.key
    plain = charts.members_overview([("A", series([1, 2, 3]))])
    assert plain.key == []
    bubble = charts.age_size_bubble([charts.BubblePoint("A", 1.0, 10, None)])
    assert bubble.key == [charts.KEY_BUBBLE]


def test_every_platform_has_the_name_people_use() -> None:
    """A platform added to the registry needs its name for people ("PeerTube", not "Peertube")."""
    from community_metrics.registry.platforms import PLATFORMS
    from community_metrics.render.dashboard import PLATFORM_NAMES, source_name

    assert set(PLATFORMS) <= set(PLATFORM_NAMES)
    assert source_name("peertube:video.blender.org") == "PeerTube · video.blender.org"
