"""Derived metrics: pure functions of numbers, dates and ``Series`` (no I/O, no clock).

Every function that depends on "now" takes it as an argument (``as_of``), so a page built
twice from the same data says the same thing. Missing is never 0: a function that lacks an
input returns None, and callers show "—".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import msgspec

from community_metrics.contract.model import Observation, parse_timestamp
from community_metrics.store.history import Series

GROWTH_WINDOWS = (7, 30, 90, 365)

#: Deloitte, Tribalization of Business 2008: bands of self-reported "active members".
SIZE_BANDS = ("≤100", "101–500", "501–1,000", ">1,000")
AGE_BANDS = ("<6 months", "6–12 months", "1–3 years", ">3 years")

COMBINED_AUDIENCE_NOTE = "may count a person twice"

#: Member counts whose first crossing is a milestone: 100, 1,000, 10,000, ... 1,000,000,000.
MILESTONES = tuple(10**k for k in range(2, 10))

_METRIC_LABELS = {
    "members": "Members",
    "active_1d": "Daily active people",
    "active_7d": "Weekly active people",
    "active_30d": "Monthly active people",
    "online": "People online",
    "posts": "Posts",
    "topics": "Topics",
    "posts_7d": "Posts in 7 days",
    "posts_30d": "Posts in 30 days",
    "contributors": "Contributors",
    "active_180d": "Half-yearly active people",
    "unanswered": "Unanswered questions",
    "answered_share": "Answered share",
    "engagement": "Engagement",
}


def metric_label(metric: str) -> str:
    """A capitalised label for sentences and axes ("active_30d" -> "Monthly active people")."""
    return _METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize())


# --- dates and age -----------------------------------------------------------------------------


def to_date(value: str | date | datetime) -> date:
    """An ISO date or timestamp (or date/datetime) as a UTC calendar date."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if len(value) == 10:
        return date.fromisoformat(value)
    return parse_timestamp(value).date()


def oldest_start(starts: Iterable[str | None]) -> str | None:
    """The earliest of several ``created_at``/``founded`` values (None when none is known)."""
    known = [(to_date(s), s) for s in starts if s]
    return min(known)[1] if known else None


def age_days(start: str | None, as_of: str | date) -> int | None:
    """Whole days from ``start`` (created_at or founded) to ``as_of``; None when unknown.
    A start after ``as_of`` (a clock or data mistake) gives None rather than a negative age."""
    if not start:
        return None
    days = (to_date(as_of) - to_date(start)).days
    return days if days >= 0 else None


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    # clamp the day for short months (31 Aug + 6 months -> 28/29 Feb)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")


def age_band(start: str | None, as_of: str | date) -> str | None:
    """Tribalization age band by calendar: <6 months, 6–12 months, 1–3 years, >3 years.
    Exactly 6 months is "6–12 months", exactly 1 year "1–3 years", exactly 3 years "1–3 years"."""
    if not start:
        return None
    begin, end = to_date(start), to_date(as_of)
    if end < begin:
        return None
    if end < _add_months(begin, 6):
        return AGE_BANDS[0]
    if end < _add_months(begin, 12):
        return AGE_BANDS[1]
    if end <= _add_months(begin, 36):
        return AGE_BANDS[2]
    return AGE_BANDS[3]


def size_band(members: float | None) -> str | None:
    """Tribalization size band: ≤100, 101–500, 501–1,000, >1,000 (None when unknown)."""
    if members is None or (isinstance(members, float) and math.isnan(members)):
        return None
    if members <= 100:
        return SIZE_BANDS[0]
    if members <= 500:
        return SIZE_BANDS[1]
    if members <= 1000:
        return SIZE_BANDS[2]
    return SIZE_BANDS[3]


def format_age(days: int | None) -> str:
    """ "3 years 2 months", "5 months", "12 days"; "—" when unknown."""
    if days is None:
        return "—"
    if days < 31:
        return f"{days} day{'s' if days != 1 else ''}"
    years, rest = divmod(days, 365)
    months = round(rest / 30.44)
    if months == 12:
        years, months = years + 1, 0
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts) or "0 days"


# --- growth ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Growth:
    days: int
    date: str  # date of the newest value
    value: float
    base_date: str  # date of the value compared against (at or before date - days)
    base_value: float
    absolute: float
    relative: float | None  # None when the base is 0


def growth(series: Series, days: int, as_of: str | None = None) -> Growth | None:
    """Change of the newest value (at or before ``as_of``) against the value at or before
    that date minus ``days``. None when there is no such earlier value: never interpolated."""
    if as_of is None:
        newest = series.last()
        if newest is None:
            return None
        current_date, current = newest[0], newest[1]
    else:
        found = series.value_at_or_before(as_of)
        if found is None:
            return None
        current_date, current = found
    base_day = (to_date(current_date) - timedelta(days=days)).isoformat()
    base = series.value_at_or_before(base_day)
    if base is None:
        return None
    base_date, base_value = base
    absolute = current - base_value
    relative = ratio(absolute, base_value)
    return Growth(days, current_date, current, base_date, base_value, absolute, relative)


def growth_all(series: Series, as_of: str | None = None) -> dict[int, Growth | None]:
    """Growth over 7, 30, 90 and 365 days."""
    return {days: growth(series, days, as_of) for days in GROWTH_WINDOWS}


# --- engagement --------------------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or not denominator:
        return None
    if numerator != numerator or denominator != denominator:  # NaN (no float() of big ints)
        return None
    try:
        result = numerator / denominator
    except OverflowError:  # two huge integers: no finite ratio
        return None
    return result if math.isfinite(result) else None


def engagement_rate(active_30d: float | None, members: float | None) -> float | None:
    """``active_30d / members``; None when either is missing or members is 0."""
    return ratio(active_30d, members)


def posts_per_active_member(posts_30d: float | None, active_30d: float | None) -> float | None:
    """New posts in 30 days per person active in 30 days; None when either is missing."""
    return ratio(posts_30d, active_30d)


def answered_share(unanswered: float | None, questions: float | None) -> float | None:
    """1 − ``unanswered / questions``: the share of questions (``topics``) that got an answer.
    None when either is missing or there are no questions; None too when the counts disagree
    (more unanswered than questions: two windows or definitions mixed), never a negative share.
    """
    share = ratio(unanswered, questions)
    if share is None or share > 1:
        return None
    return 1 - share


def ratio_series(numerator: Series, denominator: Series) -> Series:
    """Day-by-day ratio of two series on the same dates (gap where either is a gap)."""
    if numerator.dates != denominator.dates:
        raise ValueError("ratio_series needs two series on the same dates")
    tops, bottoms = numerator.values, denominator.values
    if len(tops) != len(bottoms):
        raise ValueError("ratio_series needs two series of the same length")
    if _ints_or_gaps(tops) and _ints_or_gaps(bottoms):
        # ``ratio`` of whole counts below 2**53 (community totals): no NaN, no overflow
        pairs = zip(tops, bottoms, strict=True)
        values = [a / b if a is not None and b else None for a, b in pairs]
    else:
        values = list(map(ratio, tops, bottoms))
    if True not in numerator.stale and True not in denominator.stale:
        return Series(numerator.dates, values, [False] * len(values))
    stale = [
        (s1 or s2) and v is not None
        for s1, s2, v in zip(numerator.stale, denominator.stale, values, strict=True)
    ]
    return Series(numerator.dates, values, stale)


_INTS_OR_GAPS = list[Annotated[int, msgspec.Meta(ge=-(2**53), le=2**53)] | None]


def _ints_or_gaps(values: list[Any]) -> bool:
    """Whether every value is an int of at most 2**53 or None (checked in C, strictly: a float
    or a bool is not an int here)."""
    try:
        msgspec.convert(values, _INTS_OR_GAPS)
    except msgspec.ValidationError:
        return False
    return True


def engagement_series(active_30d: Series, members: Series) -> Series:
    return ratio_series(active_30d, members)


def exact_total(values: Sequence[float | int]) -> int | float | None:
    """The sum of values: exact integers when all are whole; None when not finite."""
    if all(isinstance(v, int) or (math.isfinite(v) and float(v).is_integer()) for v in values):
        return sum(int(v) for v in values)
    if not all(math.isfinite(v) for v in values):
        return None
    try:
        total = math.fsum(values)
    except OverflowError:  # past the largest double: no number to show, a gap
        return None
    return total if math.isfinite(total) else None


# --- a community over its platforms ------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """A community summed over its platforms, from each source's newest observation."""

    members: float | None  # combined audience: a sum that may count a person twice
    members_sources: int  # how many sources contributed to ``members``
    members_note: str
    start: str | None  # oldest created_at / founded
    age_days: int | None
    age_band: str | None
    size_band: str | None
    engagement: float | None  # sum(active_30d) / sum(members) over sources reporting both
    engagement_sources: int
    posts_per_active: float | None  # sum(posts_30d) / sum(active_30d) over sources with both
    stale: bool  # any contributing value is stale
    platforms: tuple[str, ...]
    #: 1 - sum(unanswered) / sum(topics) over the sources reporting both; shown beside engagement
    answered_share: float | None = None
    answered_sources: int = 0


def _with_values(observations: Iterable[Observation]) -> list[Observation]:
    return [o for o in observations if o.status != "error" and o.metrics]


def _reporting(observations: Sequence[Observation], *metrics: str) -> list[Observation]:
    return [o for o in observations if all(m in o.metrics for m in metrics)]


def _of_sums(
    both: Sequence[Observation],
    top: str,
    bottom: str,
    combine: Callable[[float | None, float | None], float | None],
) -> float | None:
    """``combine(sum of top, sum of bottom)`` over observations that report both metrics (never
    over sources that report only one); None when there is none."""
    if not both:
        return None
    return combine(
        exact_total([o.metrics[top] for o in both]), exact_total([o.metrics[bottom] for o in both])
    )


def rollup(
    observations: Sequence[Observation], as_of: str | date, founded: str | None = None
) -> Rollup:
    """Combine a community's newest observations (one per source)."""
    usable = _with_values(observations)
    with_members = _reporting(usable, "members")
    members = exact_total([o.metrics["members"] for o in with_members]) if with_members else None
    both = _reporting(usable, "active_30d", "members")
    asked = _reporting(usable, "unanswered", "topics")
    engagement = _of_sums(both, "active_30d", "members", ratio)
    posts_per_active = _of_sums(
        _reporting(usable, "posts_30d", "active_30d"), "posts_30d", "active_30d", ratio
    )
    answered = _of_sums(asked, "unanswered", "topics", answered_share)
    start = oldest_start([founded, *(o.created_at for o in observations)])
    return Rollup(
        members=members,
        members_sources=len(with_members),
        members_note=COMBINED_AUDIENCE_NOTE if len(with_members) > 1 else "",
        start=start,
        age_days=age_days(start, as_of),
        age_band=age_band(start, as_of),
        size_band=size_band(members),
        engagement=engagement,
        engagement_sources=len(both),
        posts_per_active=posts_per_active,
        stale=any(o.status == "stale" for o in usable),
        platforms=tuple(sorted({o.platform for o in observations})),
        answered_share=answered,
        answered_sources=len(asked),
    )


# --- milestones and freshness ------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    threshold: int
    date: str  # first date the value was at or above the threshold
    before_history: bool  # already above it on the first observed day: crossed earlier


def milestones(series: Series, thresholds: Sequence[int] = MILESTONES) -> list[Milestone]:
    """First date the series reached each threshold (100, 1,000, 10,000, ...).

    A threshold already reached on the first observed day is reported with
    ``before_history=True``: we know it was crossed, not when."""
    found: list[Milestone] = []
    pending = sorted(thresholds)
    first_seen = True
    for day, value in zip(series.dates, series.values, strict=True):
        if value is None:
            continue
        while pending and value >= pending[0]:
            found.append(Milestone(pending.pop(0), day, first_seen))
        first_seen = False
        if not pending:
            break
    return found


def freshness_seconds(observed_at: str | None, now: datetime) -> float | None:
    """Age of an observation in seconds (None when it was never observed)."""
    if not observed_at:
        return None
    return max(0.0, (now - parse_timestamp(observed_at)).total_seconds())


def format_duration(seconds: float | None) -> str:
    """ "45 minutes", "5 hours", "3 days"; "never" when unknown."""
    if seconds is None:
        return "never"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    return f"{days} day{'s' if days != 1 else ''}"


# --- words -------------------------------------------------------------------------------------


def format_number(value: float | None) -> str:
    """ "4,512", "0.25"; "—" for missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def format_percent(value: float | None, digits: int = 0) -> str:
    """0.1234 -> "12%"; "—" for missing."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def summarize_growth(series: Series, metric: str = "members", days: int = 30) -> str:
    """One sentence from the data, for a chart's accessible description.

    "Members grew 12% in 30 days to 4,512." / "Members fell 3% in 30 days to 980." /
    "Members held steady at 1,200 over 30 days." / "Members reached 512 on 2026-11-22;
    there is not yet 30 days of history to compare." / "No members data yet."
    """
    label = metric_label(metric)
    newest = series.last()
    if newest is None:
        return f"No {label.lower()} data yet."
    change = growth(series, days)
    stale_note = " (last value is stale)" if newest[2] else ""
    value_text = format_number(newest[1])
    if change is None:
        return (
            f"{label} reached {value_text} on {newest[0]}; there is not yet {days} days of "
            f"history to compare{stale_note}."
        )
    if change.absolute == 0:
        return f"{label} held steady at {value_text} over {days} days{stale_note}."
    verb = "grew" if change.absolute > 0 else "fell"
    if change.relative is None:
        amount = f"by {format_number(abs(change.absolute))}"
    else:
        percent = abs(change.relative) * 100
        amount = f"{percent:.0f}%" if percent >= 1 else f"{percent:.1f}%"
    return f"{label} {verb} {amount} in {days} days to {value_text}{stale_note}."


def summarize_ratio(series: Series, label: str = "Engagement") -> str:
    """ "Engagement was 12% on 2026-11-22 (30 days earlier: 10%)." or "No engagement data yet."""
    newest = series.last()
    if newest is None:
        return f"No {label.lower()} data yet."
    earlier = series.value_at_or_before((to_date(newest[0]) - timedelta(days=30)).isoformat())
    tail = f" (30 days earlier: {format_percent(earlier[1])})" if earlier else ""
    return f"{label} was {format_percent(newest[1])} on {newest[0]}{tail}."
