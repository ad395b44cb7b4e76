"""Rate-limit headers as pure functions of the headers and a clock (no server, no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from community_metrics.collect.http.ratelimit import (
    MAX_DELAY,
    parse_reset,
    parse_retry_after,
    quota_spent_wait,
    rate_limit_wait,
    retry_moment,
)

NOW = 1_790_000_000.0  # 2026-09-21 14:13:20 UTC, a fixed clock
HOSTILE = ["inf", "-inf", "nan", "1e308", "-1e308", "9" * 400, "1" + "0" * 5000, "", "soon"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 21 Sep 2026 15:13:20 GMT", 3600.0),  # an HTTP date, an hour after NOW
        ("Mon, 21 Sep 2026 13:13:20 GMT", 0.0),  # in the past: no wait
        (None, None),
        ("-5", None),
        ("1.5", None),  # delay-seconds is digits only
        ("9" * 400, MAX_DELAY),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_DELAY),
        ("inf", None),
        ("nan", None),
        ("1e308", None),
        ("٣", None),  # a non-ASCII digit is not a delay
    ],
)
def test_retry_after(value, expected) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (str(int(NOW) + 600), 600.0),  # GitHub: epoch seconds
        ("600", 600.0),  # IETF draft: seconds from now
        ("2026-09-21T15:13:20Z", 3600.0),  # Mastodon: ISO 8601
        ("2026-09-21T15:13:20.000000Z", 3600.0),
        ("2026-09-21T15:13:20", 3600.0),  # no zone: UTC
        (str(int(NOW) - 600), 0.0),  # already reset
        ("1e308", MAX_DELAY),
        ("inf", MAX_DELAY),
        ("-inf", 0.0),
        ("nan", None),
        ("9" * 400, MAX_DELAY),
        ("9999-12-31T23:59:59Z", MAX_DELAY),
        ("0001-01-01T00:00:00Z", 0.0),
        ("tomorrow", None),
        (None, None),
    ],
)
def test_reset(value, expected) -> None:
    assert parse_reset(value, NOW) == expected


def test_rate_limit_wait_reads_each_family() -> None:
    wait = rate_limit_wait
    assert wait(200, {"Retry-After": "5"}, NOW, fallback=2.0) is None  # not a rate-limit status
    assert wait(429, {"Retry-After": "5"}, NOW, fallback=2.0) == 5.0
    assert wait(503, {"Retry-After": "5"}, NOW, fallback=2.0) == 5.0
    assert wait(503, {}, NOW, fallback=2.0) is None  # a plain server error
    assert wait(429, {}, NOW, fallback=2.0) == 2.0  # a bare 429
    github = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 60)}
    assert wait(403, github, NOW, fallback=2.0) == 60.0
    assert wait(403, {**github, "X-RateLimit-Remaining": "12"}, NOW, fallback=2.0) is None
    bluesky = {"RateLimit-Remaining": "0", "RateLimit-Reset": "30"}
    assert wait(429, bluesky, NOW, fallback=2.0) == 30.0


def test_quota_spent_on_a_good_answer() -> None:
    assert quota_spent_wait({"RateLimit-Remaining": "0", "RateLimit-Reset": "5"}, NOW) == 5.0
    assert quota_spent_wait({"RateLimit-Remaining": "3", "RateLimit-Reset": "5"}, NOW) is None
    assert quota_spent_wait({"RateLimit-Remaining": "0"}, NOW) is None


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "headers",
    [
        lambda v: {"Retry-After": v},
        lambda v: {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": v},
        lambda v: {"RateLimit-Remaining": "0", "RateLimit-Reset": v},
        lambda v: {"x-ratelimit-remaining": "0", "x-ratelimit-reset": v},
    ],
    ids=["retry-after", "x-ratelimit", "ratelimit", "mastodon"],
)
def test_hostile_values_never_raise_and_stay_bounded(value, headers) -> None:
    for status in (403, 429, 503):
        wait = rate_limit_wait(status, headers(value), NOW, fallback=2.0)
        assert wait is None or 0.0 <= wait <= MAX_DELAY
        if wait is not None:
            assert retry_moment(NOW, wait) <= datetime.fromtimestamp(NOW + MAX_DELAY, tz=UTC)
    spent = quota_spent_wait(headers(value), NOW)
    assert spent is None or 0.0 < spent <= MAX_DELAY


def test_retry_moment_is_bounded() -> None:
    assert retry_moment(NOW, float("inf")) == datetime.fromtimestamp(NOW + MAX_DELAY, tz=UTC)
    assert retry_moment(NOW, float("nan")) == datetime.fromtimestamp(NOW, tz=UTC)
