"""The /compare/ page: per-community data files, the default comparison, closest peers.

``/compare/data/<slug>.json`` holds one community's daily series (from its first value on),
so the page fetches only the communities a reader ticks. The static page (no JavaScript) shows
``default_selection`` as a table of monthly values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from community_metrics.analyse import metrics as m
from community_metrics.analyse import rollup
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
    # each value rounded once (whole numbers as ints, others to 4 decimals), inline: a large
    # build writes millions of them; the daily lists below are plain lookups
    by_day = {
        metric: {
            d: int(v) if float(v).is_integer() else round(v, 4)
            for d, v in zip(s.dates, s.values, strict=True)
            if v is not None
        }
        for metric, s in series.items()
    }
    known = [d for values in by_day.values() for d in values if d >= EARLIEST_DAY]
    # the community's one colour (and dash) of every chart on the site, from the registry order
    colour = {"colour": style[0], "dash": style[1]} if style else {}
    if not known:
        return {"slug": view.slug, "name": view.name, "founded": _founded(view), "start": None,
                "metrics": {metric: [] for metric in series}, **colour}  # fmt: skip
    start = min(known)
    first, last = date.fromisoformat(start), date.fromisoformat(max(known))
    days = [(first + timedelta(days=k)).isoformat() for k in range((last - first).days + 1)]
    return {
        "slug": view.slug,
        "name": view.name,
        "founded": _founded(view),
        "start": start,
        "metrics": {metric: [values.get(d) for d in days] for metric, values in by_day.items()},
        **colour,
    }


def _founded(view: CommunityView) -> str | None:
    return (view.rollup.start or "")[:10] or None


#: The oldest day a comparison file starts on (the first possible snapshot day).
EARLIEST_DAY = "2000-01-01"


def community_json(
    history: History, view: CommunityView, style: tuple[str, str] | None = None
) -> str:
    text = json.dumps(community_data(history, view, style), separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/")


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
