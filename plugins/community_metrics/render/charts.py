"""Plotly figures from ``Series`` -- plain dicts, no I/O, deterministic.

Each builder returns a ``Chart``: a stable ``id`` (for the div), a one-sentence ``summary``
written from the data, an accessible ``table`` (caption, headers, rows of strings) and the
plotly ``figure`` as a dict. ``Chart.json`` (or ``figure_json``) serialises the figure with
sorted keys and no whitespace, so the same data gives byte-identical output, and escapes
``<``, ``>`` and ``&`` so the text is safe inside ``<script type="application/json">``.

Choices the page code relies on:

- Figures are built as dicts (not ``go.Figure``): building 1000s of figures through plotly's
  validators is too slow for the scale budget. Tests validate what we emit with ``go.Figure``.
  Arrays are plain JSON lists (never ``bdata``), so any plotly.js >= 2 draws them.
- Only ``scatter`` and ``bar`` traces (the plotly.js "basic" partial bundle draws them).
- One slim template, ``TEMPLATE``, in ``layout.template``: transparent backgrounds and a
  neutral font colour, so light and dark pages both work; the page's JS may restyle
  ``layout.font.color`` / grid colours from its CSS variables with ``Plotly.relayout``.
- Linear/log on the members overview is left to the page: the figure starts linear and a
  real HTML button (keyboard accessible, unlike plotly's SVG menus) calls
  ``Plotly.relayout(div, {"yaxis.type": "log"})``. ``toggle_log=True`` adds plotly's own
  menu instead, for pages without such a button.
- Gaps: None breaks the line (``connectgaps: false``). Stale stretches (values carried after
  a failed run) are drawn as a separate dotted trace with open markers, legend-grouped with
  their series.
- Overview charts downsample to weekly beyond a year (newest value of each 7-day window that
  ends on the last day); detail charts keep daily points.
- Text that plotly renders (names, titles, annotations, hover text) is HTML-escaped, because
  plotly.js interprets a subset of HTML in those strings.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from community_metrics.analyse.metrics import (
    format_number,
    format_percent,
    metric_label,
    summarize_growth,
    summarize_ratio,
)
from community_metrics.store.history import Series

#: Okabe & Ito (2008), colour-blind safe; black is replaced by grey so it shows on dark pages,
#: yellow comes last because it is faint on white.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#999999",  # grey (for black)
    "#F0E442",  # yellow
)
#: After the palette runs out, series repeat colours with another dash so they stay apart.
DASHES = ("solid", "dash", "dashdot", "longdash")

_GRID = "rgba(128,128,128,0.25)"
_AXIS = {"gridcolor": _GRID, "linecolor": _GRID, "zeroline": False, "automargin": True}

#: The one template of our own (plotly's default adds ~6.5 KB to each figure).
TEMPLATE: dict[str, Any] = {
    "layout": {
        "colorway": list(PALETTE),
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', sans-serif",
            "size": 13,
            "color": "#5f6368",
        },
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 56, "r": 16, "t": 40, "b": 48},
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "hovermode": "closest",
        "title": {"x": 0, "xanchor": "left", "font": {"size": 15}},
    }
}

#: How many communities the overview line charts draw (largest first); the table has all.
OVERVIEW_LIMIT = 10
#: Beyond this many days an overview chart is sampled weekly.
DAILY_LIMIT = 366
#: An accessible table longer than this is sampled monthly (the CSV has every day).
TABLE_ROWS_LIMIT = 60


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    id: str
    kind: str
    title: str
    summary: str
    figure: dict[str, Any]
    table: Table
    notes: list[str] = field(default_factory=list)

    @property
    def json(self) -> str:
        return figure_json(self.figure)


@dataclass(frozen=True)
class Annotation:
    """A post on a community's chart: its date, title and link."""

    date: str
    title: str
    url: str


@dataclass(frozen=True)
class BubblePoint:
    label: str
    age_years: float
    members: float
    engagement: float | None = None
    url: str | None = None


# --- helpers ---------------------------------------------------------------------------------

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def chart_id(*parts: str) -> str:
    """A stable DOM id: ``chart_id("python", "members")`` -> "chart-python-members"."""
    slug = "-".join(_SLUG_RE.sub("-", p.lower()).strip("-") for p in parts if p)
    return f"chart-{slug}" if slug else "chart"


def plotly_text(text: str) -> str:
    """Escape text plotly.js would otherwise read as HTML (it renders <b>, <a>, entities)."""
    return html.escape(str(text), quote=True)


_SCRIPT_SAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_SAFE_RE = re.compile("[<>&\u2028\u2029]")


def _link(url: str, text: str) -> str:
    """Plotly link markup for a post; a URL with another scheme (javascript:, data:) is
    dropped and the text stays plain."""
    scheme = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return plotly_text(text)
    return f'<a href="{plotly_text(url)}">{plotly_text(text)}</a>'


def figure_json(figure: Mapping[str, Any]) -> str:
    """Deterministic, compact JSON, safe to place inside a ``<script>`` element."""
    text = json.dumps(
        figure, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return _SCRIPT_SAFE_RE.sub(lambda m: _SCRIPT_SAFE[m.group()], text)


def _round(value: float | None) -> float | int | None:
    """Whole numbers as ints, others to 6 significant digits: smaller, stable JSON."""
    if value is None:
        return None
    if float(value).is_integer():
        return int(value)
    return float(f"{value:.6g}")


def weekly(series: Series) -> Series:
    """Newest value of each 7-day window ending on the last day (never averaged or filled);
    a window with no value at all stays a gap. Windows are calendar days, not entries: a
    history's dates are sparse (``store.history.sparse_dates``), and a stretch without data
    gives no windows at all (its one gap marker breaks the line)."""
    size = len(series.dates)
    if size == 0:
        return series
    dates: list[str] = []
    values: list[float | None] = []
    stale: list[bool] = []
    end = size - 1
    while end >= 0:
        cutoff = (date.fromisoformat(series.dates[end]) - timedelta(days=7)).isoformat()
        chosen: tuple[float, bool] | None = None
        index = end
        while index >= 0 and series.dates[index] > cutoff:
            if chosen is None and series.values[index] is not None:
                chosen = (series.values[index], series.stale[index])
            index -= 1
        dates.append(series.dates[end])
        values.append(chosen[0] if chosen else None)
        stale.append(chosen[1] if chosen else False)
        end = index
    dates.reverse()
    values.reverse()
    stale.reverse()
    return Series(dates, values, stale)


def _overview(series: Series) -> Series:
    return weekly(series) if len(series.dates) > DAILY_LIMIT else series


def monthly(series: Series) -> Series:
    """Newest value of each calendar month (for accessible tables of long series)."""
    by_month: dict[str, int] = {}
    for index, day in enumerate(series.dates):
        if series.values[index] is not None or day[:7] not in by_month:
            by_month[day[:7]] = index
    picks = sorted(by_month.values())
    return Series(
        [series.dates[i] for i in picks],
        [series.values[i] for i in picks],
        [series.stale[i] for i in picks],
    )


def _style(index: int) -> tuple[str, str]:
    return PALETTE[index % len(PALETTE)], DASHES[(index // len(PALETTE)) % len(DASHES)]


def _line_traces(
    label: str, series: Series, index: int, *, percent: bool = False, show_legend: bool = True
) -> list[dict[str, Any]]:
    """A solid trace of good values plus, where any, a dotted trace over the stale stretches."""
    colour, dash = _style(index)
    name = plotly_text(label)
    size = len(series.values)
    good = [None if series.stale[i] else _round(series.values[i]) for i in range(size)]
    hover = "%{y:.1%}" if percent else "%{y:,}"
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "legendgroup": name,
        "showlegend": show_legend,
        "x": series.dates,  # shared, not copied: many traces, one dates list
        "y": good,
        "connectgaps": False,
        "line": {"color": colour, "width": 2, "dash": dash},
        "hovertemplate": f"%{{x}}: {hover}<extra>{name}</extra>",
    }
    traces = [trace]
    if any(series.stale):
        near_stale = [
            series.stale[i]
            or (i > 0 and series.stale[i - 1])
            or (i + 1 < size and series.stale[i + 1])
            for i in range(size)
        ]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{name} (stale)",
                "legendgroup": name,
                "showlegend": False,
                "x": series.dates,  # shared, not copied: many traces, one dates list
                "y": [_round(series.values[i]) if near_stale[i] else None for i in range(size)],
                "connectgaps": False,
                "line": {"color": colour, "width": 2, "dash": "dot"},
                "marker": {"symbol": "circle-open", "size": 5, "color": colour},
                "hovertemplate": f"%{{x}}: {hover} (stale: last good value carried)"
                f"<extra>{name}</extra>",
            }
        )
    return traces


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {"template": TEMPLATE, "title": {"text": plotly_text(title)}}
    layout.update(extra)
    return layout


def _value_text(value: float | None, stale: bool, percent: bool) -> str:
    text = format_percent(value, 1) if percent else format_number(value)
    return f"{text} (stale)" if stale and value is not None else text


def _series_table(
    caption: str, items: Sequence[tuple[str, Series]], *, percent: bool = False
) -> Table:
    """Rows of date + one column per series; sampled monthly when long."""
    if not items:
        return Table(caption, ["Date"], [])
    dates = items[0][1].dates
    if len(dates) > TABLE_ROWS_LIMIT:
        items = [(label, monthly(series)) for label, series in items]
        dates = items[0][1].dates
        caption = f"{caption} (newest value of each month)"
    rows = [
        [day] + [_value_text(s.values[i], s.stale[i], percent) for _label, s in items]
        for i, day in enumerate(dates)
    ]
    return Table(caption, ["Date", *[label for label, _s in items]], rows)


def _largest(items: Sequence[tuple[str, Series]], limit: int) -> list[tuple[str, Series]]:
    def newest(item: tuple[str, Series]) -> float:
        last = item[1].last()
        return last[1] if last else -1.0

    ranked = sorted(items, key=lambda item: (-newest(item), item[0]))
    return [item for item in ranked[:limit] if item[1].has_values()]


# --- figures ---------------------------------------------------------------------------------


def members_overview(
    items: Sequence[tuple[str, Series]],
    *,
    limit: int = OVERVIEW_LIMIT,
    toggle_log: bool = False,
    chart: str = "members-overview",
) -> Chart:
    """Members over time, one line per community (the ``limit`` largest), weekly beyond a year."""
    shown = _largest(items, limit)
    sampled = [(label, _overview(series)) for label, series in shown]
    data = [t for i, (label, s) in enumerate(sampled) for t in _line_traces(label, s, i)]
    title = "Members over time"
    layout = _layout(title, yaxis={"title": {"text": "members"}, "type": "linear"})
    if toggle_log:
        layout["updatemenus"] = [
            {
                "type": "buttons",
                "direction": "right",
                "x": 1,
                "xanchor": "right",
                "y": 1.12,
                "buttons": [
                    {"label": "Linear", "method": "relayout", "args": [{"yaxis.type": "linear"}]},
                    {"label": "Log", "method": "relayout", "args": [{"yaxis.type": "log"}]},
                ],
            }
        ]
    if shown:
        largest_label, largest = shown[0]
        summary = f"{largest_label}: {summarize_growth(largest, 'members', 30)}"
        if len(items) > len(shown):
            summary += f" Showing the {len(shown)} largest of {len(items)} communities."
    else:
        summary = "No members data yet."
    table = _series_table("Members over time", sampled)
    return Chart(
        chart_id(chart), "members_overview", title, summary, {"data": data, "layout": layout}, table
    )


def engagement_overview(
    items: Sequence[tuple[str, Series]],
    *,
    limit: int = OVERVIEW_LIMIT,
    sizes: Mapping[str, float] | None = None,
    chart: str = "engagement-overview",
) -> Chart:
    """Engagement rate (active_30d / members) over time, one line per community.

    ``sizes`` (label -> members) chooses which ``limit`` communities to draw: the largest; by
    default those with the highest newest rate."""
    with_values = [(label, s) for label, s in items if s.has_values()]
    if sizes is not None:
        ranked = sorted(with_values, key=lambda item: (-sizes.get(item[0], -1), item[0]))
        shown = ranked[:limit]
    else:
        shown = _largest(with_values, limit)
    sampled = [(label, _overview(series)) for label, series in shown]
    data = [
        t for i, (label, s) in enumerate(sampled) for t in _line_traces(label, s, i, percent=True)
    ]
    title = "Engagement: monthly active people per member"
    layout = _layout(
        title,
        yaxis={
            "title": {"text": "active in 30 days / members"},
            "tickformat": ".0%",
            "rangemode": "tozero",
        },
    )
    summary = (
        f"{shown[0][0]}: {summarize_ratio(shown[0][1])}"
        if shown
        else "No community reports both active people and members yet."
    )
    table = _series_table("Engagement over time", sampled, percent=True)
    return Chart(
        chart_id(chart),
        "engagement_overview",
        title,
        summary,
        {"data": data, "layout": layout},
        table,
    )


def age_size_bubble(points: Sequence[BubblePoint], *, chart: str = "age-size") -> Chart:
    """Age (years) against members (log axis); bubble area grows with engagement."""
    ordered = sorted(
        (p for p in points if p.members is not None and p.members > 0), key=lambda p: p.label
    )
    sizes = [
        _round(8 + 40 * min(p.engagement, 1.0) ** 0.5) if p.engagement is not None else 8
        for p in ordered
    ]
    hover = [
        f"{plotly_text(p.label)}<br>{format_number(p.members)} members, "
        f"{p.age_years:.1f} years, engagement {format_percent(p.engagement, 1)}"
        for p in ordered
    ]
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "communities",
            "x": [_round(p.age_years) for p in ordered],
            "y": [_round(p.members) for p in ordered],
            "text": hover,
            "customdata": [p.url or "" for p in ordered],
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {
                "size": sizes,
                "color": PALETTE[0],
                "opacity": 0.7,
                "line": {"width": 1, "color": PALETTE[0]},
            },
        }
    ]
    title = "Age and size"
    layout = _layout(
        title,
        showlegend=False,
        xaxis={"title": {"text": "age (years)"}, "rangemode": "tozero"},
        yaxis={
            "title": {"text": "members (log scale)"},
            "type": "log",
            "dtick": 1,
            "tickformat": ",d",
        },
    )
    if ordered:
        oldest = max(ordered, key=lambda p: (p.age_years, p.label))
        largest = max(ordered, key=lambda p: (p.members, p.label))
        summary = (
            f"{len(ordered)} communities: the oldest is {oldest.label} "
            f"({oldest.age_years:.1f} years), the largest {largest.label} "
            f"({format_number(largest.members)} members)."
        )
    else:
        summary = "No community has both an age and a member count yet."
    rows = [
        [p.label, f"{p.age_years:.1f}", format_number(p.members), format_percent(p.engagement, 1)]
        for p in ordered
    ]
    table = Table(
        "Age and size of each community",
        ["Community", "Age (years)", "Members", "Engagement"],
        rows,
    )
    return Chart(
        chart_id(chart), "age_size_bubble", title, summary, {"data": data, "layout": layout}, table
    )


def band_distribution(
    bands: Sequence[str],
    tracked: Mapping[str, int],
    published: Sequence[tuple[str, Mapping[str, float | None]]],
    *,
    title: str,
    chart: str,
) -> Chart:
    """Share of tracked communities per band, as bars beside published shares (in %).

    ``tracked`` counts communities per band; ``published`` is (label, band -> percent or None)
    for each reference study. A band a study does not report has no bar (not 0)."""
    total = sum(tracked.get(b, 0) for b in bands)
    tracked_shares = [_round(100 * tracked.get(b, 0) / total) if total else None for b in bands]
    data = [
        {
            "type": "bar",
            "name": plotly_text(f"Tracked communities (n = {total})"),
            "x": list(bands),
            "y": tracked_shares,
            "marker": {"color": PALETTE[0]},
            "hovertemplate": "%{x}: %{y:.0f}%<extra></extra>",
        }
    ]
    for index, (label, shares) in enumerate(published, start=1):
        data.append(
            {
                "type": "bar",
                "name": plotly_text(label),
                "x": list(bands),
                "y": [_round(shares.get(b)) for b in bands],
                "marker": {"color": PALETTE[index % len(PALETTE)]},
                "hovertemplate": "%{x}: %{y:.0f}%<extra>" + plotly_text(label) + "</extra>",
            }
        )
    layout = _layout(
        title,
        barmode="group",
        yaxis={"title": {"text": "share of communities (%)"}, "rangemode": "tozero"},
    )
    if total:
        top = max(bands, key=lambda b: (tracked.get(b, 0), -bands.index(b)))
        summary = (
            f"Of {total} tracked communities, {tracked.get(top, 0)} "
            f"({100 * tracked.get(top, 0) / total:.0f}%) fall in the {top} band."
        )
    else:
        summary = "No tracked community can be placed in a band yet."
    headers = ["Band", f"Tracked (n = {total})", *[label for label, _ in published]]
    rows = [
        [b, f"{tracked.get(b, 0)} ({format_percent(tracked.get(b, 0) / total) if total else '—'})"]
        + [f"{format_number(s.get(b))}%" if s.get(b) is not None else "—" for _, s in published]
        for b in bands
    ]
    return Chart(
        chart_id(chart),
        "band_distribution",
        title,
        summary,
        {"data": data, "layout": layout},
        Table(title, headers, rows),
    )


def community_metric_chart(
    community: str,
    metric: str,
    items: Sequence[tuple[str, Series]],
    *,
    annotations: Sequence[Annotation] = (),
    community_label: str | None = None,
    total: Series | None = None,
) -> Chart:
    """One metric of one community over time, daily: a line per item (per source, or the
    total), with its posts as dated vertical markers linking to them. ``total`` (from
    ``History.community_series``) feeds the summary sentence when given."""
    label = metric_label(metric)
    name = community_label or community
    shown = [(source, s) for source, s in items if s.has_values()]
    data = [t for i, (source, s) in enumerate(shown) for t in _line_traces(source, s, i)]
    dates = items[0][1].dates if items else []
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    visible = [
        a
        for a in sorted(annotations, key=lambda a: (a.date, a.title))
        if dates and dates[0] <= a.date <= dates[-1]
    ]
    for post in visible:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": post.date,
                "x1": post.date,
                "y0": 0,
                "y1": 1,
                "line": {"color": _GRID, "width": 1, "dash": "dot"},
            }
        )
        short = post.title if len(post.title) <= 28 else post.title[:27] + "…"
        notes.append(
            {
                "x": post.date,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "textangle": 0,
                "font": {"size": 11},
                "text": _link(post.url, short),
                "hovertext": plotly_text(f"{post.date}: {post.title}"),
            }
        )
    title = f"{label} of {name}"
    layout = _layout(
        title,
        yaxis={"title": {"text": label.lower()}, "rangemode": "tozero"},
        shapes=shapes,
        annotations=notes,
    )
    summary_series = total if total is not None and total.has_values() else _sum_for_summary(shown)
    summary = (
        summarize_growth(summary_series, metric, 30)
        if summary_series
        else (f"No {label.lower()} data yet.")
    )
    table = _series_table(title, shown)
    chart_notes = [f"{a.date}: {a.title}" for a in visible]
    return Chart(
        chart_id(community, metric),
        "community_metric",
        title,
        summary,
        {"data": data, "layout": layout},
        table,
        chart_notes,
    )


def _sum_for_summary(items: Sequence[tuple[str, Series]]) -> Series | None:
    if not items:
        return None
    if len(items) == 1:
        return items[0][1]
    dates = items[0][1].dates
    values: list[float | None] = []
    stale: list[bool] = []
    for i in range(len(dates)):
        parts = [s.values[i] for _, s in items]
        values.append(None if any(v is None for v in parts) else sum(parts))
        stale.append(any(s.stale[i] for _, s in items))
    return Series(list(dates), values, stale)


def date_span(dates: Sequence[str]) -> int:
    """Days between the first and last date (0 for fewer than two)."""
    if len(dates) < 2:
        return 0
    return (date.fromisoformat(dates[-1]) - date.fromisoformat(dates[0])).days


def recent(series: Series, days: int) -> Series:
    """The last ``days`` days of a series (for ``{chart python members 90d}``)."""
    if not series.dates:
        return series
    first = (date.fromisoformat(series.dates[-1]) - timedelta(days=days - 1)).isoformat()
    start = next((i for i, d in enumerate(series.dates) if d >= first), len(series.dates))
    return Series(series.dates[start:], series.values[start:], series.stale[start:])
