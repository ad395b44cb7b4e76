"""Parsing the numbers and dates that platforms send, the same way for every source.

Platforms send counts as ints, floats and strings, and dates as ISO 8601 (with or without
fractional seconds, ``Z`` or an offset), epoch seconds (int, float or string) or a bare date.
Every parser here either returns a clean value or raises ``ValueError`` with a sentence that a
maintainer can act on; callers decide whether a bad field fails the source or stays absent.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from community_metrics.contract.model import format_timestamp

#: The largest count a platform may report (documented on the Methodology page): far above any
#: real community (the biggest subreddits have ~10^8 subscribers) and above the view counts of
#: the biggest video channels (~10^11), so a value beyond it is a broken answer, not a figure.
MAX_COUNT = 10**12

_INT_STRING = re.compile(r"^[+]?[0-9]+$")  # ASCII digits only: "١٢٣" is not a count here
_FLOAT_STRING = re.compile(r"^[+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?$")
#: More digits than any plausible count has: refused before Python converts them.
_MAX_DIGITS = 40


def parse_count(value: Any, field: str, *, allow_float: bool = False) -> int | float:
    """A non-negative, finite, plausible count. Strings like ``"1234"`` are accepted;
    ``"1,234"``, ``"12k"``, negatives, booleans and NaN are refused with the reason."""
    original = value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{field} is {original!r}, not a number")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_DIGITS:
            raise ValueError(f"{field} is a number of {len(text)} characters, implausibly large")
        if _INT_STRING.match(text):
            value = int(text)
        elif _FLOAT_STRING.match(text):
            value = float(text)
        else:
            raise ValueError(f"{field} is {original!r}, not a plain number")
    if not isinstance(value, int | float):
        raise ValueError(f"{field} is {type(original).__name__}, not a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{field} is {original!r}, not a finite number")
        if not allow_float:
            if not value.is_integer():
                raise ValueError(f"{field} is {original!r}, not a whole number")
            value = int(value)
    if value < 0:
        raise ValueError(f"{field} is {original!r}, a negative count")
    if value > MAX_COUNT:
        raise ValueError(f"{field} is {original!r}, implausibly large")
    return value


def parse_when(value: Any, field: str, *, now: datetime | None = None) -> str:
    """A moment as UTC ISO 8601 (``2017-03-01T00:00:00Z``). Refuses dates in the future
    (more than a day ahead, to allow for clock skew) and before 1990."""
    moment: datetime
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{field} is {value!r}, not a date")
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, int | float) or (
        isinstance(value, str) and _FLOAT_STRING.match(value.strip())
    ):
        seconds = float(value)
        if not math.isfinite(seconds):
            raise ValueError(f"{field} is {value!r}, not a date")
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"{field} is {value!r}, out of range as epoch seconds") from None
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{field} is {value!r}, not an ISO 8601 date") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # a bare date or naive time: platforms mean UTC
    else:
        raise ValueError(f"{field} is {type(value).__name__}, not a date")
    now = now or datetime.now(UTC)
    if moment > now + timedelta(days=1):
        raise ValueError(f"{field} is {value!r}, a date in the future")
    if moment.year < 1990:
        raise ValueError(f"{field} is {value!r}, before 1990")
    return format_timestamp(moment)
