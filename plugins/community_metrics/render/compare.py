"""The /compare/ page: per-community data files, the default comparison, closest peers.

``/compare/data/<slug>.json`` holds one community's daily series (from its first value on),
so the page fetches only the communities a reader ticks. The static page (no JavaScript) shows
``default_selection`` as a table of monthly values.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import msgspec

from community_metrics.analyse import metrics as m
from community_metrics.analyse import rollup
from community_metrics.render.charts import presence, round_all
from community_metrics.store.history import History

if TYPE_CHECKING:
    from community_metrics.render.dashboard import CommunityView

#: Metrics a reader can compare, in menu order (only those some community reports are offered).
COMPARE_METRICS = ("members", "active_30d", "active_7d", "posts", "topics", "posts_30d")
#: Communities in the default comparison and in a community page's peer link.
DEFAULT_COUNT = 5
PEER_COUNT = 4


def community_data(
    history: History, view: CommunityView, style: tuple[str, str] | None = None
) -> dict[str, object]:
    """The JSON object of ``/compare/data/<slug>.json``: values run daily from ``start`` to the
    newest day (``None`` where there is no value). The history keeps only days with data, so
    the days between are filled in here, from the community's first value (and never before
    2000-01-01, where no snapshot can be: an old typed value does not make the file long)."""
    series = {
        metric: rollup.community_series(history, view.slug, metric)
        for metric in COMPARE_METRICS
        if metric in history.metrics(view.slug)
    }
    dates = history.dates
    # the first and the newest day with a value, from 2000-01-01 on
    after = bisect_left(dates, EARLIEST_DAY)
    spans = [
        (present.find(1, after), present.rfind(1, after))
        for present in (presence(s.values) for s in series.values())
    ]
    spans = [span for span in spans if span[0] >= 0]
    # the community's one colour (and dash) of every chart on the site, from the registry order
    colour = {"colour": style[0], "dash": style[1]} if style else {}
    if not spans:
        return {"slug": view.slug, "name": view.name, "founded": _founded(view), "start": None,
                "metrics": {metric: [] for metric in series}, **colour}  # fmt: skip
    low, high = min(a for a, _ in spans), max(b for _, b in spans)
    first, last = date.fromisoformat(dates[low]), date.fromisoformat(dates[high])
    if high - low == (last - first).days:  # every day between has an entry: slices
        values = {metric: _rounded(s.values[low : high + 1]) for metric, s in series.items()}
    else:  # days without an entry in the history come out as None
        days = [(first + timedelta(days=k)).isoformat() for k in range((last - first).days + 1)]
        values = {}
        for metric, s in series.items():
            by_day = dict(
                zip(s.dates[low : high + 1], _rounded(s.values[low : high + 1]), strict=True)
            )
            values[metric] = [by_day.get(d) for d in days]
    return {
        "slug": view.slug,
        "name": view.name,
        "founded": _founded(view),
        "start": dates[low],
        "metrics": values,
        **colour,
    }


def _rounded(values: list[float | None]) -> list[float | int | None]:
    """Whole numbers as ints, others to 4 decimals (the charts' rounding rule)."""
    return round_all(values, _four_decimals)


def _four_decimals(value: float) -> float:
    return round(value, 4)


def _founded(view: CommunityView) -> str | None:
    return (view.rollup.start or "")[:10] or None


#: The oldest day a comparison file starts on (the first possible snapshot day).
EARLIEST_DAY = "2000-01-01"


def community_json(
    history: History, view: CommunityView, style: tuple[str, str] | None = None
) -> str:
    text = _JSON.encode(community_data(history, view, style)).decode("utf-8")
    return text.replace("</", "<\\/")


_JSON = msgspec.json.Encoder()


def default_selection(views: list[CommunityView], count: int | None = None) -> list[str]:
    """The largest communities by members (the leaders), a sensible first comparison."""
    count = DEFAULT_COUNT if count is None else count
    ranked = sorted(
        (v for v in views if v.rollup.members is not None),
        key=lambda v: (-v.rollup.members, v.slug),
    )
    return [v.slug for v in ranked[:count]] or [v.slug for v in views[:count]]


def closest_peers(
    view: CommunityView, views: list[CommunityView], count: int = PEER_COUNT
) -> list[str]:
    """Communities of the same Tribalization size band, nearest in members first."""
    return all_closest_peers(views, count).get(view.slug, [])


def all_closest_peers(views: list[CommunityView], count: int = PEER_COUNT) -> dict[str, list[str]]:
    """``closest_peers`` of every community at once: each band sorted by members, then the
    nearest are among the ``count`` neighbours on either side (n log n, not n²)."""
    bands: dict[str, list[CommunityView]] = {}
    for view in views:
        if view.rollup.size_band is not None and view.rollup.members is not None:
            bands.setdefault(view.rollup.size_band, []).append(view)
    peers: dict[str, list[str]] = {}
    for members in bands.values():
        members.sort(key=lambda v: (v.rollup.members, v.slug))
        for index, view in enumerate(members):
            near = members[max(0, index - count) : index] + members[index + 1 : index + 1 + count]
            near.sort(key=lambda v: (abs(v.rollup.members - view.rollup.members), v.slug))
            peers[view.slug] = [v.slug for v in near[:count]]
    return peers


def compare_query(slugs: list[str], metric: str = "members") -> str:
    return f"?c={','.join(slugs)}&m={metric}"


@dataclass
class StaticComparison:
    """The default comparison as a table: one row per month (first of month), one column per
    community; "—" where there is no value."""

    slugs: list[str]
    names: list[str]
    metric: str
    rows: list[list[str]]


def static_comparison(
    history: History, views: list[CommunityView], slugs: list[str], metric: str = "members"
) -> StaticComparison:
    by_slug = {v.slug: v for v in views}
    series = [rollup.community_series(history, slug, metric) for slug in slugs]
    months = [i for i, day in enumerate(history.dates) if day.endswith("-01")]
    if history.dates and (not months or months[-1] != len(history.dates) - 1):
        months.append(len(history.dates) - 1)  # and the newest day
    rows = [
        [history.dates[i], *(m.format_number(s.values[i]) for s in series)] for i in months[-24:]
    ]
    return StaticComparison(slugs, [by_slug[s].name for s in slugs], metric, rows)
