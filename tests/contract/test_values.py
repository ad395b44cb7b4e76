"""The shared parsers of platform numbers and dates."""

from datetime import UTC, datetime

import pytest

from community_metrics.contract.values import parse_count, parse_when

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0, 0), (41234, 41234), ("41234", 41234), (" 7 ", 7), (12.0, 12), ("12.0", 12), ("+3", 3)],
)
def test_parse_count_accepts_plain_numbers(raw, expected):
    value = parse_count(raw, "users_count")
    assert value == expected
    assert isinstance(value, int)


def test_parse_count_keeps_floats_when_asked():
    assert parse_count("0.25", "questions_per_minute", allow_float=True) == 0.25


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1,234", "not a plain number"),
        ("12k", "not a plain number"),
        (-5, "negative"),
        ("-5", "not a plain number"),
        (True, "not a number"),
        (None, "not a number"),
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (12.5, "not a whole number"),
        (10**12 + 1, "implausibly large"),
        ("9" * 5000, "implausibly large"),  # refused before Python converts 5,000 digits
        ("١٢٣", "not a plain number"),  # Arabic-Indic digits are not a count's digits
        ([1], "not a number"),
    ],
)
def test_parse_count_refuses_with_reason(raw, reason):  # the bound: MAX_COUNT = 10**12
    with pytest.raises(ValueError, match=reason) as info:
        parse_count(raw, "users_count")
    assert "users_count" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-03-01T00:00:00Z", "2017-03-01T00:00:00Z"),
        ("2017-03-01T00:00:00.123456Z", "2017-03-01T00:00:00Z"),
        ("2017-03-01T02:00:00+02:00", "2017-03-01T00:00:00Z"),
        ("2017-03-01", "2017-03-01T00:00:00Z"),
        (1201233600, "2008-01-25T04:00:00Z"),
        (1201233600.0, "2008-01-25T04:00:00Z"),
        ("1201233600", "2008-01-25T04:00:00Z"),
        ("2023-06-13T21:50:13.497538Z", "2023-06-13T21:50:13Z"),
    ],
)
def test_parse_when_normalises_to_utc(raw, expected):
    assert parse_when(raw, "created_at", now=NOW) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2030-01-01T00:00:00Z", "future"),
        ("yesterday", "not an ISO 8601 date"),
        (None, "not a date"),
        (True, "not a date"),
        ("1970-01-01", "before 1990"),
        (1e20, "out of range"),
    ],
)
def test_parse_when_refuses_with_reason(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_when(raw, "created_at", now=NOW)
