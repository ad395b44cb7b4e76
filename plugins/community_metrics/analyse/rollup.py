"""The one rule for rolling a community's sources up into a community series.

Every output that shows a community's number (headline cards, the dashboard table, chart
traces and their summary sentences, ``{metric}``/``{chart}`` in posts, the rollup metrics,
the downloads) takes it from here, so the same history gives the same total everywhere.

The rule, for one community and one metric:

1. **Which sources count.** The sources the registry lists for the community today
   (``communities.yml``) and that reported the metric at least once. A source that is in the
   snapshots but no longer in the registry (a forum that moved host, a repository renamed) is
   *no longer tracked*: it is never added into the total, and its own history stays visible
   under its own name (``retired_sources``). Without a registry entry every source counts.
2. **Which days have a total.** A day has a total only when every counted source has a value
   that day. A source that joins later therefore starts the total on its first day (before it,
   the total is a gap, not a smaller sum that would read as growth); a day where a counted
   source has no value (a missing file, an error, a source that stopped) is a gap, never a
   partial sum that would read as a dip. Gaps stay gaps: nothing is interpolated.
3. **Stale values.** A value carried forward after a failed run (status ``stale``) counts
   and makes that day's total stale; ``stale_since`` says from which day the carried value
   dates (the last day the source was observed fresh).
4. **Exact numbers.** Whole numbers are summed as Python integers (exact at any size);
   a sum that is not finite is a gap, never infinity.

Growth, milestones and summaries are computed from this total series, so "grew 62% in 30
days" can only be said when the same sources were counted 30 days ago.
"""

from __future__ import annotations

import math
import operator
from array import array
from collections.abc import Sequence
from dataclasses import replace
from functools import reduce

from community_metrics.analyse import metrics as m
from community_metrics.store.history import STATUS_CODES, History, Series, SourceHistory


def _registered_labels(history: History, slug: str) -> set[str] | None:
    entry = history.community(slug)
    if entry is None:
        return None
    return {source.label for source in entry.sources}


def tracked_sources(history: History, slug: str) -> list[str]:
    """Sources of ``slug`` that count toward its totals (rule 1)."""
    registered = _registered_labels(history, slug)
    return [s for s in history.sources(slug) if registered is None or s in registered]


def retired_sources(history: History, slug: str) -> list[str]:
    """Sources in the history that the registry no longer lists: shown as no longer tracked."""
    registered = _registered_labels(history, slug)
    if registered is None:
        return []
    return [s for s in history.sources(slug) if s not in registered]


def sum_series(parts: Sequence[Series]) -> Series | None:
    """Day-by-day total of aligned series under rules 2–4 (None when there is no part)."""
    if not parts:
        return None
    dates = parts[0].dates
    values: list[float | int | None] = []
    # one pass over the days with the columns zipped (a build sums millions of days): a day
    # of whole numbers is summed here as Python ints, anything else goes through exact_total
    for day in zip(*[part.values for part in parts], strict=True):
        if None in day:
            values.append(None)
            continue
        total = 0
        for value in day:
            if value.__class__ is float and value.is_integer():  # False for inf and NaN
                total += int(value)
            elif value.__class__ is int:
                total += value
            else:
                total = m.exact_total(day)
                break
        values.append(total)
    stale = [
        total is not None and any(flags)
        for total, flags in zip(
            values, zip(*[part.stale for part in parts], strict=True), strict=True
        )
    ]
    marks = None
    if any(part.backfilled for part in parts):  # a total is back-filled when any term is
        marks = [
            values[i] is not None and any(part.is_backfilled(i) for part in parts)
            for i in range(len(dates))
        ]
    return Series(dates, values, stale, marks)


def counted(history: History, slug: str, metric: str) -> list[str]:
    """Tracked sources of ``slug`` that reported ``metric`` at least once."""
    tracked = tracked_sources(history, slug)
    return [s for s in tracked if metric in history.source_history(slug, s).values]


def community_series(history: History, slug: str, metric: str) -> Series:
    """The community total of ``metric`` (an all-gap series when no source counts).

    Kept in the history's memo: every page, chart and download of a build asks for the same
    totals (read-only series, so sharing one is safe)."""
    key = ("community_series", slug, metric)
    found = history.memo.get(key)
    if found is None:
        found = history.memo[key] = _community_series(history, slug, metric)
    return found


def _community_series(history: History, slug: str, metric: str) -> Series:
    sources = [history.source_history(slug, s) for s in counted(history, slug, metric)]
    total = _total(history, sources, metric)
    if total is None:
        size = len(history.dates)
        return Series(history.dates, [None] * size, [False] * size)
    return total


def _total(history: History, entries: Sequence[SourceHistory], metric: str) -> Series | None:
    """``sum_series`` of the sources' ``metric`` (None without sources), in C when every
    column holds whole numbers."""
    if not entries:
        return None
    columns = [entry.values[metric] for entry in entries]
    if all(_whole(entry, metric) for entry in entries) and _exact_in_doubles(columns):
        return _sum_whole_columns(history.dates, entries, metric)
    return sum_series([history.series(e.community, e.source, metric) for e in entries])


#: Below this, a sum of whole doubles is exact (every partial sum is a representable integer).
_EXACT_BELOW = float(2**53)


def _whole(entry: SourceHistory, metric: str) -> bool:
    """Every value of the column is a whole number (and none is back-filled)."""
    if entry.backfill.get(metric) is not None:
        return False
    return all(map(float.is_integer, filter(math.isfinite, entry.values[metric])))  # NaN: gap


def _exact_in_doubles(columns: Sequence[array]) -> bool:
    """Whole-number columns whose sums stay below 2**53, where every partial sum of whole
    doubles is representable: summing them in floating point is exact (rule 4)."""
    return sum(max(filter(math.isfinite, column), default=0.0) for column in columns) < _EXACT_BELOW


_STALE_BYTE = bytes(int(code == STATUS_CODES["stale"]) for code in range(256))


def _sum_whole_columns(dates: list[str], entries: Sequence[SourceHistory], metric: str) -> Series:
    """``sum_series`` of whole-number columns whose sums are exact in doubles, computed in C
    over the raw columns: NaN (no value) in any term leaves the day without a total (rule 2),
    a stale term makes it stale (rule 3)."""
    columns = [entry.values[metric] for entry in entries]
    sums = reduce(lambda a, b: list(map(operator.add, a, b)), columns[1:], columns[0])
    values = [None if total != total else int(total) for total in sums]
    if not any(STATUS_CODES["stale"] in entry.status for entry in entries):
        return Series(dates, values, [False] * len(values))  # no term ever stale: searched in C
    # the days any term is stale, as bits or-ed in C, then each such day (few) looked at
    flags = (int.from_bytes(entry.status.translate(_STALE_BYTE)) for entry in entries)
    stale_any = reduce(operator.or_, flags).to_bytes(len(values))
    stale = [False] * len(values)
    day = stale_any.find(1)
    while day >= 0:
        stale[day] = values[day] is not None
        day = stale_any.find(1, day + 1)
    return Series(dates, values, stale)


def engagement_series(history: History, slug: str) -> Series | None:
    """active_30d / members summed over the tracked sources that report both (memoised like
    ``community_series``)."""
    key = ("engagement_series", slug)
    if key not in history.memo:
        history.memo[key] = _engagement_series(history, slug)
    return history.memo[key]


def _engagement_series(history: History, slug: str) -> Series | None:
    both = [
        s
        for s in tracked_sources(history, slug)
        if {"members", "active_30d"} <= set(history.source_history(slug, s).values)
    ]
    if not both:
        return None
    entries = [history.source_history(slug, s) for s in both]
    active = _total(history, entries, "active_30d")
    members = _total(history, entries, "members")
    return m.engagement_series(active, members)


def stale_since(series: Series, index: int) -> str | None:
    """For a stale value at ``index``: the day of the last fresh value before it (the day the
    carried value was observed), or the series' first day when none is known. None if fresh."""
    if not series.stale[index] or series.values[index] is None:
        return None
    for back in range(index - 1, -1, -1):
        if series.values[back] is not None and not series.stale[back]:
            return series.dates[back]
    return None


def stale_since_all(series: Series) -> list[str | None]:
    """``stale_since`` for every day in one pass: the since-day where stale ("" when unknown),
    None where fresh or a gap."""
    dates, values, stale = series.dates, series.values, series.stale
    size = len(dates)
    if len(values) != size or len(stale) != size:
        raise ValueError("a series needs as many values and stale flags as dates")
    found: list[str | None] = [None] * size
    last_fresh = ""
    start = 0
    # jump from one stale run to the next (list.index runs in C): between runs, the newest
    # day with a value is the last fresh day; stale days are few in most series
    while start < size:
        try:
            run = stale.index(True, start)
        except ValueError:
            break
        for back in range(run - 1, start - 1, -1):
            if values[back] is not None:
                last_fresh = dates[back]
                break
        while run < size and stale[run]:
            if values[run] is not None:
                found[run] = last_fresh
            run += 1
        start = run
    return found


def newest(series: Series) -> tuple[str, float | int, str | None] | None:
    """(date, value, stale_since) of the newest value; stale_since is None when fresh and the
    empty string when stale since before the history began."""
    for index in range(len(series.values) - 1, -1, -1):
        value = series.values[index]
        if value is not None:
            since = stale_since(series, index) if series.stale[index] else None
            if series.stale[index] and since is None:
                since = ""
            return series.dates[index], value, since
    return None


def community_rollup(history: History, slug: str, as_of: str) -> m.Rollup:
    """``metrics.rollup`` over the tracked sources, with the members total taken from the
    community series (rule 2: a counted source without a value today gives no total today,
    the newest complete day is used instead)."""
    entry = history.community(slug)
    keep = set(tracked_sources(history, slug))
    latest = [o for o in history.latest(slug) if o.source in keep]
    roll = m.rollup(latest, as_of, entry.founded if entry else None)
    members = community_series(history, slug, "members")
    last = members.last()
    value = last[1] if last else None
    engagement = engagement_series(history, slug)
    rate = engagement.last() if engagement is not None else None
    return replace(
        roll,
        members=value,
        size_band=m.size_band(value),
        members_sources=len(counted(history, slug, "members")) if value is not None else 0,
        engagement=rate[1] if rate else None,
        stale=bool(last and last[2]) or roll.stale,
    )
