"""Derived metrics with hand-computed expectations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from community_metrics.analyse import metrics as m
from community_metrics.contract.model import Observation
from community_metrics.store.history import Series


def daily(start_day: int, values, stale=None) -> Series:
    dates = [f"2026-01-{d:02d}" for d in range(start_day, start_day + len(values))]
    return Series(dates, list(values), list(stale or [False] * len(values)))


# --- age -----------------------------------------------------------------------------------


def test_age_days_from_created_at_or_founded() -> None:
    assert m.age_days("2026-01-01T23:59:59Z", "2026-01-31") == 30
    assert m.age_days("2025-01-01", "2026-01-01") == 365
    assert m.age_days(None, "2026-01-01") is None
    assert m.age_days("2026-02-01", "2026-01-01") is None  # future start: unknown, not negative


def test_oldest_start_mixes_dates_and_timestamps() -> None:
    assert m.oldest_start([None, "2019-05-01T00:00:00Z", "2018-12-31", None]) == "2018-12-31"
    assert m.oldest_start([None, None]) is None


@pytest.mark.parametrize(
    ("start", "as_of", "band"),
    [
        ("2026-01-01", "2026-06-30", "<6 months"),
        ("2026-01-01", "2026-07-01", "6–12 months"),  # exactly six months
        ("2025-08-31", "2026-02-27", "<6 months"),  # 31 Aug + 6 months clamps to 28 Feb
        ("2025-08-31", "2026-02-28", "6–12 months"),
        ("2025-01-01", "2025-12-31", "6–12 months"),
        ("2025-01-01", "2026-01-01", "1–3 years"),  # exactly one year
        ("2023-01-01", "2026-01-01", "1–3 years"),  # exactly three years
        ("2023-01-01", "2026-01-02", ">3 years"),
        (None, "2026-01-01", None),
    ],
)
def test_age_band_boundaries(start, as_of, band) -> None:
    assert m.age_band(start, as_of) == band


@pytest.mark.parametrize(
    ("members", "band"),
    [
        (0, "≤100"),
        (100, "≤100"),
        (101, "101–500"),
        (500, "101–500"),
        (501, "501–1,000"),
        (1000, "501–1,000"),
        (1001, ">1,000"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_size_band_boundaries(members, band) -> None:
    assert m.size_band(members) == band


def test_format_age() -> None:
    assert m.format_age(1) == "1 day"
    assert m.format_age(45) == "1 month"
    assert m.format_age(365 * 3 + 61) == "3 years 2 months"
    assert m.format_age(None) == "—"


# --- growth --------------------------------------------------------------------------------


def test_growth_against_value_at_or_before_the_window() -> None:
    # Jan 1..10: 100, 101, ..., with Jan 3 missing
    series = daily(1, [100, 101, None, 103, 104, 105, 106, 107, 108, 110])
    change = m.growth(series, 7)
    # newest: Jan 10 = 110; base: value at or before Jan 3 -> Jan 2 = 101 (not interpolated)
    assert change.date == "2026-01-10"
    assert change.base_date == "2026-01-02"
    assert change.base_value == 101
    assert change.absolute == 9
    assert change.relative == pytest.approx(9 / 101)


def test_growth_is_none_without_enough_history() -> None:
    series = daily(1, [100, 101, 102])
    assert m.growth(series, 7) is None
    assert m.growth(daily(1, [None, None]), 7) is None
    assert set(m.growth_all(series)) == {7, 30, 90, 365}


def test_growth_as_of_and_zero_base() -> None:
    series = daily(1, [0, 5, 10, 20, 40, 80, 160, 320, 640])
    change = m.growth(series, 7, as_of="2026-01-08")
    assert (change.value, change.base_value, change.absolute) == (320, 0, 320)
    assert change.relative is None  # from zero: no percentage
    assert m.growth(series, 1, as_of="2026-01-09").relative == 1.0


# --- engagement ----------------------------------------------------------------------------


def test_engagement_and_posts_per_active_member() -> None:
    assert m.engagement_rate(250, 1000) == 0.25
    assert m.engagement_rate(None, 1000) is None
    assert m.engagement_rate(5, 0) is None
    assert m.posts_per_active_member(600, 200) == 3.0
    assert m.posts_per_active_member(600, None) is None


def test_ratio_series_gaps_where_either_is_missing() -> None:
    active = daily(1, [10, None, 30], [False, False, True])
    members = daily(1, [100, 200, 300])
    rates = m.engagement_series(active, members)
    assert rates.values == [0.1, None, 0.1]
    assert rates.stale == [False, False, True]
    with pytest.raises(ValueError):
        m.ratio_series(active, daily(2, [1, 2, 3]))


# --- rollup --------------------------------------------------------------------------------


def o(source, status="ok", created_at=None, **metrics) -> Observation:
    return Observation(
        "c", source.split(":")[0], source, status, metrics, created_at, "2026-01-01T00:00:00Z"
    )


def test_rollup_sums_audience_and_engages_over_sources_reporting_both() -> None:
    observations = [
        o(
            "discourse:a",
            members=1000,
            active_30d=200,
            posts_30d=900,
            created_at="2020-06-01T00:00:00Z",
        ),
        o("reddit:b", members=3000, created_at="2015-01-01T00:00:00Z"),
        o("github:c", status="stale", members=500, active_30d=50),
        o("matrix:d", status="error"),
    ]
    rollup = m.rollup(observations, as_of="2026-01-01", founded="2016-01-01")
    assert rollup.members == 4500
    assert rollup.members_sources == 3
    assert rollup.members_note == "may count a person twice"
    assert rollup.engagement == pytest.approx(250 / 1500)  # only a and c report both
    assert rollup.engagement_sources == 2
    assert rollup.posts_per_active == pytest.approx(900 / 200)
    assert rollup.start == "2015-01-01T00:00:00Z"  # oldest source beats founded
    assert rollup.age_band == ">3 years"
    assert rollup.size_band == ">1,000"
    assert rollup.stale is True
    assert rollup.platforms == ("discourse", "github", "matrix", "reddit")


def test_rollup_of_nothing_is_missing_not_zero() -> None:
    rollup = m.rollup([o("matrix:d", status="error")], as_of="2026-01-01")
    assert rollup.members is None and rollup.engagement is None and rollup.age_days is None
    assert rollup.members_note == ""
    single = m.rollup([o("github:x", members=10)], as_of="2026-01-01", founded="2025-12-01")
    assert single.members == 10 and single.members_note == "" and single.age_days == 31


# --- milestones, freshness, words ----------------------------------------------------------


def test_milestones_first_crossing_and_before_history() -> None:
    series = daily(1, [150, None, 900, 1000, 999, 12_000])
    found = m.milestones(series)
    assert [(x.threshold, x.date, x.before_history) for x in found] == [
        (100, "2026-01-01", True),
        (1000, "2026-01-04", False),
        (10_000, "2026-01-06", False),
    ]
    assert m.milestones(daily(1, [None, 5])) == []


def test_freshness() -> None:
    now = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
    assert m.freshness_seconds("2026-01-02T02:00:00Z", now) == 3600
    assert m.freshness_seconds(None, now) is None
    assert m.format_duration(3600 * 5) == "5 hours"
    assert m.format_duration(86400 * 3) == "3 days"
    assert m.format_duration(60) == "1 minute"
    assert m.format_duration(None) == "never"


def test_summaries_are_written_from_the_data() -> None:
    grow = Series([f"2026-01-{d:02d}" for d in (1, 31)], [4000, 4512], [False, False])
    # 2026-01-31 minus 30 days = 2026-01-01 -> 4000; +512 = 12.8% -> "13%"
    assert m.summarize_growth(grow) == "Members grew 13% in 30 days to 4,512."
    fall = Series(["2026-01-01", "2026-01-31"], [1000, 980], [False, True])
    assert m.summarize_growth(fall) == ("Members fell 2% in 30 days to 980 (last value is stale).")
    flat = Series(["2026-01-01", "2026-01-31"], [7, 7], [False, False])
    assert m.summarize_growth(flat, "active_30d") == (
        "Monthly active people held steady at 7 over 30 days."
    )
    short = Series(["2026-01-30", "2026-01-31"], [5, 6], [False, False])
    assert m.summarize_growth(short) == (
        "Members reached 6 on 2026-01-31; there is not yet 30 days of history to compare."
    )
    assert m.summarize_growth(Series([], [], [])) == "No members data yet."
    rate = Series(["2026-01-01", "2026-01-31"], [0.1, 0.125], [False, False])
    assert m.summarize_ratio(rate) == "Engagement was 12% on 2026-01-31 (30 days earlier: 10%)."


def test_number_formatting() -> None:
    assert m.format_number(4512) == "4,512"
    assert m.format_number(4512.0) == "4,512"
    assert m.format_number(0.25) == "0.25"
    assert m.format_number(None) == "—"
    assert m.format_percent(0.125, 1) == "12.5%"
    assert m.metric_label("active_30d") == "Monthly active people"


def test_answered_share_is_one_minus_unanswered_over_questions() -> None:
    # Stack Overflow-like figures: 7,123,456 of 24,123,456 questions unanswered
    assert m.answered_share(7_123_456, 24_123_456) == pytest.approx(1 - 7_123_456 / 24_123_456)
    assert m.answered_share(250, 1000) == 0.75
    assert m.answered_share(0, 1000) == 1.0
    assert m.answered_share(1000, 1000) == 0.0


def test_answered_share_missing_or_inconsistent_is_none_not_zero() -> None:
    assert m.answered_share(None, 1000) is None
    assert m.answered_share(10, None) is None
    assert m.answered_share(10, 0) is None  # no questions: nothing to answer
    assert m.answered_share(1200, 1000) is None  # more unanswered than questions
    assert m.answered_share(float("nan"), 1000) is None


def test_labels_of_the_new_metrics() -> None:
    assert m.metric_label("unanswered") == "Unanswered questions"
    assert m.metric_label("active_180d") == "Half-yearly active people"
    assert m.metric_label("answered_share") == "Answered share"


def test_rollup_answered_share_over_sources_reporting_questions_and_unanswered() -> None:
    observations = [
        o("stackexchange:a", members=100, topics=1000, unanswered=250),
        o("stackexchange:b", topics=3000, unanswered=750),
        # GitHub reports unanswered issues but no issue total: left out of the share
        o("github:c", members=500, unanswered=40),
        o("discourse:d", members=80, topics=900),
    ]
    rollup = m.rollup(observations, as_of="2026-01-01")
    assert rollup.answered_share == pytest.approx(1 - 1000 / 4000)
    assert rollup.answered_sources == 2


def test_rollup_without_unanswered_has_no_answered_share() -> None:
    rollup = m.rollup([o("discourse:d", members=80, topics=900)], as_of="2026-01-01")
    assert rollup.answered_share is None and rollup.answered_sources == 0
