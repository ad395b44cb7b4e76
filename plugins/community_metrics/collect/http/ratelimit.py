"""Rate-limit headers read as pure functions of the headers and a clock (``now``, epoch seconds).

Understood: ``Retry-After`` (delay seconds or an HTTP date), ``X-RateLimit-Remaining/Reset``
(GitHub: epoch seconds; Mastodon: lower-case names and ISO 8601 dates) and ``RateLimit-*``
(IETF draft, Bluesky: seconds from now, or epoch seconds). Every answer is a number of seconds
between 0 and ``MAX_DELAY``: a hostile or broken value (``inf``, ``nan``, ``1e308``, four
hundred digits, year 9999) never raises and never yields a moment ``datetime`` cannot hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# The longest wait ever reported (a week): beyond that a platform's answer is not a plan.
MAX_DELAY = 7 * 86400.0
# Reset values above this are epoch seconds; below it, seconds from now (IETF draft style).
EPOCH_THRESHOLD = 10**9
RATE_LIMIT_STATUSES = (429, 403, 503)


def bounded(seconds: float) -> float | None:
    """``seconds`` clamped to 0 .. MAX_DELAY; None when it is not a number at all (nan)."""
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_DELAY)


def retry_moment(now: float, seconds: float) -> datetime:
    """When a wait of ``seconds`` from ``now`` ends, as an aware UTC datetime."""
    return datetime.fromtimestamp(now + (bounded(seconds) or 0.0), tz=UTC)


def first(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            return value
    return None


def _until(moment: datetime, now: float) -> float | None:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return bounded(moment.timestamp() - now)
    except (OverflowError, ValueError, OSError):
        return None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After``: delay seconds or an HTTP date, as seconds from ``now``."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return bounded(float(text))  # four hundred digits: float() gives inf, bounded caps it
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _until(moment, now)


def parse_reset(value: str | None, now: float) -> float | None:
    """A reset as epoch seconds (GitHub, Bluesky), seconds from now (IETF draft) or an ISO
    timestamp (Mastodon); returns seconds from ``now``."""
    if value is None:
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return _until(moment, now)
    if math.isnan(number):
        return None
    if number >= EPOCH_THRESHOLD:
        return bounded(number - now)
    return bounded(number)


def _exhausted(headers: Mapping[str, str]) -> bool:
    remaining = first(headers, "X-RateLimit-Remaining", "RateLimit-Remaining")
    return remaining is not None and remaining.strip() == "0"


def _reset(headers: Mapping[str, str], now: float) -> float | None:
    return parse_reset(first(headers, "X-RateLimit-Reset", "RateLimit-Reset"), now)


def rate_limit_wait(
    status: int, headers: Mapping[str, str], now: float, *, fallback: float
) -> float | None:
    """Seconds to wait before retrying when the answer is a rate limit; None when it is not.
    ``fallback`` is the wait for a bare 429 that names no time."""
    if status not in RATE_LIMIT_STATUSES:
        return None
    retry_after = parse_retry_after(headers.get("Retry-After"), now)
    if retry_after is not None:
        return retry_after
    if status == 503:
        return None
    reset = _reset(headers, now)
    if _exhausted(headers) and reset is not None:
        return reset
    if status == 429:
        return reset if reset is not None else fallback
    return None


def quota_spent_wait(headers: Mapping[str, str], now: float) -> float | None:
    """A good answer that says the quota is spent: seconds until the reset (None otherwise)."""
    if not _exhausted(headers):
        return None
    return _reset(headers, now) or None
