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
- Overview charts downsample to weekly beyond half a year (newest value of each 7-day window that
  ends on the last day); detail charts keep daily points.
- Text that plotly renders (names, titles, annotations, hover text) is HTML-escaped, because
  plotly.js interprets a subset of HTML in those strings.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain, compress, islice, repeat
from operator import is_not, le
from typing import Any, TypeVar

import msgspec
from markupsafe import Markup, escape
from pelican.utils import slugify

from community_metrics.analyse.metrics import (
    format_number,
    format_percent,
    metric_label,
    summarize_growth,
    summarize_ratio,
)
from community_metrics.analyse.rollup import stale_since_all, sum_series
from community_metrics.contract.model import SLUGIFY_SUBSTITUTIONS
from community_metrics.store.history import Series

#: After Okabe & Ito (2008), colour-blind safe, in mid tones that read on white and on the
#: dark page (#101418) alike: each colour has a contrast of at least 3:1 (WCAG's rule for
#: graphics) against both backgrounds (tests/render/test_chart_colours.py). Okabe-Ito's dark
#: blue is lightened (it vanished on dark pages), orange, sky blue and yellow are darkened
#: (they were faint on white; sky blue becomes cyan to stay apart from blue), black is grey.
PALETTE = (
    "#3A86D1",  # blue
    "#C98500",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#1A9BAE",  # cyan (for sky blue)
    "#8C8C8C",  # grey (for black)
    "#A88C00",  # gold (for yellow)
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
#: communities after the drawn ones that the members overview lists in its legend only (a
#: click brings one in); bounded, so a site of 10,000 communities keeps a light dashboard
LEGEND_ONLY = 30
#: A community chart whose sources differ this much (largest / smallest) starts on a log axis.
FLATTEN_RATIO = 20
#: Beyond this many days an overview chart is sampled weekly (its 40 lines of a year of days
#: would weigh more than the rest of the dashboard; a community's own page keeps every day).
DAILY_LIMIT = 183
#: An accessible table longer than this is sampled monthly (the CSV has every day).
TABLE_ROWS_LIMIT = 60


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]

    def rows_html(self) -> list[str]:
        """Each row's cells as HTML, the first as the row header, every cell escaped as the
        template's ``|e`` would: built here, not cell by cell in Jinja, because a large build
        writes about a million table cells."""
        return [_row_html(row) for row in self.rows]

    def body_html(self) -> Markup:
        """The table's body: each of ``rows_html`` in its ``<tr>``, as one piece of HTML
        (one template expression per table, not two per row)."""
        rows = "".join([f"    <tr>{cells}</tr>" for cells in self.rows_html()])
        return Markup(rows)  # noqa: S704 (every cell escaped by _row_html)


_HTML_SPECIAL_RE = re.compile("[&<>\"']")


def _row_html(row: Sequence[Any]) -> str:
    if all(type(cell) is str for cell in row) and not _HTML_SPECIAL_RE.search("".join(row)):
        cells = row  # nothing to escape (numbers and dates): escape() would return each as is
    else:
        cells = [str(escape(cell)) for cell in row]
    if not cells:
        return ""
    return f'<th scope="row">{cells[0]}</th>' + "".join(f"<td>{cell}</td>" for cell in cells[1:])


@dataclass
class Chart:
    id: str
    kind: str
    title: str
    summary: str
    figure: dict[str, Any]
    table: Table
    notes: list[str] = field(default_factory=list)
    #: False when there is nothing meaningful to draw (fewer than two dated points): the page
    #: shows ``empty_note`` and the open table instead of an empty plot.
    drawable: bool = True
    empty_note: str = ""
    #: The page offers a linear/log button (the log axis is in ``layout.meta.log``).
    scale_toggle: bool = False
    #: Sentences that explain the encodings this figure uses beyond colour (shown under it).
    key: list[str] = field(default_factory=list)

    @property
    def json(self) -> str:
        return figure_json(self.figure)

    @property
    def legend_entries(self) -> int:
        """Entries the legend will show (pulse.js puts them below the plot; the page reserves
        their height before plotly.js draws, so nothing below jumps)."""
        if self.figure.get("layout", {}).get("showlegend") is False:
            return 0
        return sum(
            1
            for trace in self.figure.get("data", [])
            if trace.get("showlegend", True) is not False and trace.get("name")
        )


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


def chart_id(*parts: str) -> str:
    """A stable DOM id: ``chart_id("python", "members")`` -> "chart-python-members"."""
    slug = "-".join(_id_part(p) for p in parts if p)
    return f"chart-{slug}" if slug else "chart"


@functools.lru_cache(maxsize=4096)
def _id_part(text: str) -> str:
    # a community page makes a chart id per metric from the same slug: slugify (tags
    # stripped, Unicode normalised and transliterated, several substitutions) runs once
    return slugify(text, regex_subs=SLUGIFY_SUBSTITUTIONS)


def plotly_text(text: str) -> str:
    """Escape text plotly.js would otherwise read as HTML (it renders <b>, <a>, entities)."""
    return str(escape(str(text)))


_SCRIPT_SAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _link(url: str, text: str) -> str:
    """Plotly link markup for a post; a URL with another scheme (javascript:, data:) is
    dropped and the text stays plain."""
    scheme = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return plotly_text(text)
    return f'<a href="{plotly_text(url)}">{plotly_text(text)}</a>'


#: One day in milliseconds (a step on a date axis is given in ms).
DAY_MS = 86_400_000
_JSON = msgspec.json.Encoder(order="sorted")
T = TypeVar("T")
#: (function, id of a list) -> (the list, kept alive so its id is never reused; result)
_BY_LIST: dict[tuple[Any, int], tuple[list[Any], Any]] = {}


def _once_per_list(function: Callable[[list[Any]], T], items: list[Any]) -> T:
    """``function(items)``, computed once per list: thousands of series and traces of a build
    share one history's dates list, and a trace's values are searched more than once (lists
    are not changed once made). Bounded; cleared when full."""
    key = (function, id(items))
    found = _BY_LIST.get(key)
    if found is not None and found[0] is items:
        return found[1]
    if len(_BY_LIST) > 1024:
        _BY_LIST.clear()
    result = function(items)
    _BY_LIST[key] = (items, result)
    return result


def _even_steps(xs: list[Any]) -> tuple[str, int] | None:
    """(first day, step in days) when ``xs`` are ISO days an equal step apart (every day, or
    the weekly samples of an overview), so ``x0`` and ``dx`` can say them; else None."""
    if len(xs) < 3 or not all(isinstance(x, str) and len(x) == 10 for x in xs):
        return None
    try:
        days = [date.fromisoformat(x).toordinal() for x in xs]
    except ValueError:
        return None
    step = days[1] - days[0]
    if step > 0 and all(b - a == step for a, b in zip(days, days[1:], strict=False)):
        return xs[0], step
    return None


def _compact(figure: Mapping[str, Any]) -> Mapping[str, Any]:
    """The figure as published: a trace over evenly spaced days gives its first day and its
    step (``x0``, ``dx``) instead of every date (a third of a daily chart's bytes);
    the axis is then declared a date axis. The figure itself is left as built."""
    data = figure.get("data")
    if not data:
        return figure
    traces = []
    compacted = False
    for trace in data:
        xs = trace.get("x")
        even = _once_per_list(_even_steps, xs) if isinstance(xs, list) else None
        if even is None:
            traces.append(trace)
            continue
        compacted = True
        short = {key: value for key, value in trace.items() if key != "x"}
        short["x0"], short["dx"] = even[0], even[1] * DAY_MS
        traces.append(short)
    if not compacted:
        return figure
    layout = dict(figure.get("layout") or {})
    layout["xaxis"] = {"type": "date", **(layout.get("xaxis") or {})}
    return {**figure, "data": traces, "layout": layout}


def figure_json(figure: Mapping[str, Any]) -> str:
    """Deterministic, compact JSON, safe to place inside a ``<script>`` element."""
    # values are finite by the contract (bounded counts, ratios of non-zero members): msgspec
    # would write a NaN as null, a gap
    text = _JSON.encode(_compact(figure)).decode("utf-8")
    # str.replace per character, not a regex: the same text, several times faster on the
    # megabytes of chart JSON a large build writes
    for char, escaped in _SCRIPT_SAFE.items():
        if char in text:
            text = text.replace(char, escaped)
    return text


def _six_digits(value: float) -> float:
    return float(f"{value:.6g}")


def _round(
    value: float | None, fraction: Callable[[float], float] = _six_digits
) -> float | int | None:
    """Whole numbers as ints, others through ``fraction`` (6 significant digits for charts):
    smaller, stable JSON."""
    if value is None:
        return None
    if isinstance(value, int):  # exact, at any size (no float round trip)
        return value
    if value.is_integer():
        return int(value)
    return fraction(value)


_WHOLE_OR_NONE = list[int | None]


def whole_numbers(values: Sequence[float | None]) -> list[int | None] | None:
    """``values`` as ints when every one is a whole number of at most 2**53 (or None), else
    None: the common case (counts), converted in C by msgspec, several times faster than a
    Python loop over a chart's thousands of points."""
    try:
        return msgspec.convert(values, _WHOLE_OR_NONE, strict=False)
    except msgspec.ValidationError:
        return None


def round_all(
    values: Sequence[float | None], fraction: Callable[[float], float] = _six_digits
) -> list[float | int | None]:
    """``_round`` of every value (a large build rounds millions of chart and comparison
    points): whole numbers in C when they all are, else one pass."""
    whole = whole_numbers(values)
    if whole is not None:
        return whole  # type: ignore[return-value]
    try:  # int(v) == v: a whole number, float or int (one call instead of two)
        return [v if v is None else i if (i := int(v)) == v else fraction(v) for v in values]
    except (OverflowError, ValueError):  # an infinity or NaN, never from the contract
        return [_round(v, fraction) for v in values]


def presence_of(values: list[Any]) -> bytes:
    """``presence(values)``, made once per list (``_once_per_list``): lists are not changed once
    made."""
    return _once_per_list(presence, values)


def presence(values: Sequence[Any]) -> bytes:
    """One byte per entry, 1 where ``values`` hold a value, 0 at a gap (None); made in C, and
    searched in C (``bytes.find``, regular expressions) for gaps and lone points."""
    return bytes(map(is_not, values, repeat(None)))


#: A lone value: a gap (or the edge) on both sides.
_LONE = re.compile(rb"(?<!\x01)\x01(?!\x01)")


def true_indices(flags: list[bool]) -> list[int]:
    """Indices of the True flags, found by ``list.index`` (in C): stale days are few."""
    found: list[int] = []
    start = 0
    try:
        while True:
            start = flags.index(True, start)
            found.append(start)
            start += 1
    except ValueError:
        return found


def _week_spans(dates: list[str]) -> list[tuple[int, int]]:
    """(first index, last index + 1) of each 7-day window of ``dates`` ending on the last day,
    oldest first. Windows are calendar days, not entries: a history's dates are sparse
    (``store.history.sparse_dates``), and a stretch without data gives no window at all."""
    spans: list[tuple[int, int]] = []
    end = len(dates) - 1
    while end >= 0:
        cutoff = (date.fromisoformat(dates[end]) - timedelta(days=7)).isoformat()
        index = end
        while index >= 0 and dates[index] > cutoff:
            index -= 1
        spans.append((index + 1, end + 1))
        end = index
    spans.reverse()
    return spans


def _newest_in(series: Series, spans: list[tuple[int, int]]) -> list[int]:
    """The index of the newest value in each span, -1 where a span has none (found in C, in
    the series' presence bytes: a history's series are mostly values or mostly gaps)."""
    present = presence_of(series.values)
    return [present.rfind(1, first, stop) for first, stop in spans]


def weekly(series: Series) -> Series:
    """Newest value of each 7-day window ending on the last day (``_week_spans``; never
    averaged or filled); a window with no value at all stays a gap."""
    if not series.dates:
        return series
    spans = _once_per_list(_week_spans, series.dates)
    picks = _newest_in(series, spans)
    return Series(
        [series.dates[stop - 1] for _first, stop in spans],
        [series.values[i] if i >= 0 else None for i in picks],
        [series.stale[i] if i >= 0 else False for i in picks],
    )


def _overview(series: Series) -> Series:
    return weekly(series) if len(series.dates) > DAILY_LIMIT else series


def _month_spans(dates: list[str]) -> list[tuple[int, int]]:
    """(first index, last index + 1) of each calendar month in ``dates``, oldest first."""
    spans: list[tuple[int, int]] = []
    month = None
    for index, day in enumerate(dates):
        if day[:7] != month:
            month = day[:7]
            spans.append((index, index + 1))
        else:
            spans[-1] = (spans[-1][0], index + 1)
    return spans


def monthly(series: Series) -> Series:
    """Newest value of each calendar month (for accessible tables of long series); a month
    without any value keeps its first day, as a gap."""
    picks = _monthly_picks(series)
    return Series(
        [series.dates[i] for i in picks],
        [series.values[i] for i in picks],
        [series.stale[i] for i in picks],
    )


def _monthly_picks(series: Series) -> list[int]:
    """The index ``monthly`` takes from each month."""
    spans = _once_per_list(_month_spans, series.dates)
    newest = _newest_in(series, spans)
    return [i if i >= 0 else first for i, (first, _stop) in zip(newest, spans, strict=True)]


Style = tuple[str, str]  # (colour, dash)


def _style(index: int) -> Style:
    return PALETTE[index % len(PALETTE)], DASHES[(index // len(PALETTE)) % len(DASHES)]


def _day_positions(dates: list[str]) -> dict[str, int]:
    return {day: index for index, day in enumerate(dates)}


def _since_by_day(series: Series) -> Callable[[str], str | None] | None:
    """``since(day)``: ``stale_since_all`` of ``series`` on ``day`` (None where fresh, at a
    gap, or on a day the series does not have); tables and weekly samples ask about few days.
    None when no day of ``series`` is stale: no "since" on any day."""
    if True not in series.stale:
        return None
    since = stale_since_all(series)
    where = _once_per_list(_day_positions, series.dates)
    return lambda day: since[where[day]] if day in where else None


def community_styles(labels: Sequence[str]) -> dict[str, Style]:
    """One colour (and dash, after the palette runs out) per community, from its position in
    the registry order: the same community has the same colour in every chart on every page,
    whatever else a chart draws or leaves out."""
    return {label: _style(index) for index, label in enumerate(labels)}


def _pick(styles: Mapping[str, Style] | None, label: str, index: int) -> Style:
    if styles and label in styles:
        return styles[label]
    return _style(index)


# --- log axes --------------------------------------------------------------------------------


def _tick_text(power: int) -> str:
    value = 10**power
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if value >= size:
            return f"{value // size:,}{suffix}"
    return str(value)


def log_axis(values: Sequence[float | None]) -> dict[str, Any] | None:
    """A log axis ticked at 1, 10, 100, 1k, 10k, … whose range holds every positive value
    (computed from the data, so the early part of a line never falls off the bottom).
    None when no value is positive."""
    positive = list(filter(None, values))  # in C: neither None nor 0
    smallest = min(positive, default=None)
    if smallest is not None and smallest < 0:  # never from the contract: counts are positive
        positive = [v for v in positive if v > 0]
        smallest = min(positive, default=None)
    if smallest is None:
        return None
    low = math.floor(math.log10(smallest))
    high = math.ceil(math.log10(max(positive)))
    if high == low:
        high += 1
    powers = range(low, high + 1)
    return {
        "type": "log",
        "range": [low - 0.1, high + 0.1],
        "tickmode": "array",
        "tickvals": [10**k for k in powers],
        "ticktext": [_tick_text(k) for k in powers],
    }


def _values_of(data: Sequence[Mapping[str, Any]]) -> Iterable[float | None]:
    return chain.from_iterable(trace.get("y") or () for trace in data)


def _ascending(xs: list[Any]) -> bool:
    """Whether ``xs`` are dates that never go down (a history's, and every trace made from
    them)."""
    if None in xs:
        return False
    try:
        return all(map(le, xs, islice(xs, 1, None)))
    except TypeError:  # a None or a number among the dates
        return False


def _value_range(data: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The first and the last date that carry a value in any trace (None: no value at all).
    A chart has two dated points to join exactly when they differ. Found in C: on ascending
    dates the first and last value's own (``bytes.find``), else ``compress``, ``min`` and
    ``max``; no set of every date is built."""
    lows: list[str] = []
    highs: list[str] = []
    for trace in data:
        xs, ys = trace.get("x") or [], trace.get("y") or []
        present = presence_of(ys) if ys else b""
        if len(xs) == len(present) and _once_per_list(_ascending, xs):
            first = present.find(1)
            if first >= 0:
                lows.append(xs[first])
                highs.append(xs[present.rfind(1)])
            continue
        valued = list(compress(xs, present))
        if None in valued:
            valued = [x for x in valued if x is not None]
        if valued:
            lows.append(min(valued))
            highs.append(max(valued))
    return (min(lows), max(highs)) if lows else None


def _single_day_note(span: tuple[str, str] | None) -> str:
    if span is None:
        return "Nothing to draw yet: no value has been observed. The table below says why."
    start = span[0]
    second = (date.fromisoformat(start) + timedelta(days=1)).isoformat()
    return (
        f"History starts on {start}; the chart is drawn from {second}, when there are two "
        "days to join. The numbers so far:"
    )


#: The legend entry of a dotted stale stretch says what the dots mean.
STALE_SUFFIX = " (stale: dotted)"


def _with_encodings(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first dotted stale stretch of a chart gets a legend entry that states the encoding
    ("<name> (stale: dotted)"); one entry says it for every line, so a phone's legend stays
    short."""
    for trace in data:
        if trace.get("meta") == "stale" and trace.get("visible") != "legendonly":
            trace["showlegend"] = True
            trace["name"] = trace["legendgroup"] + STALE_SUFFIX
            break
    return data


def _line_traces(
    label: str,
    series: Series,
    index: int,
    *,
    percent: bool = False,
    show_legend: bool = True,
    daily: Series | None = None,
    style: Style | None = None,
) -> list[dict[str, Any]]:
    """A solid trace of good values plus, where any, a dotted trace over the stale stretches."""
    colour, dash = style or _style(index)
    name = plotly_text(label)
    size = len(series.values)
    rounded = round_all(series.values)
    stale_at = true_indices(series.stale)
    good = rounded
    if stale_at:
        good = rounded.copy()
        for i in stale_at:
            good[i] = None
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
    # a value with a gap on both sides is a point, not a line: mark it or it is invisible
    # (a line without gaps has none: checked in C, most lines have no gap)
    lone = (
        [m.start() for m in _LONE.finditer(presence_of(good))] if None in good or size == 1 else []
    )
    if lone:
        sizes = [0] * size
        for i in lone:
            sizes[i] = 6
        trace["mode"] = "lines+markers"
        trace["marker"] = {"color": colour, "size": sizes}
    traces = [trace]
    if stale_at:
        # "stale since" from the daily series when this one is a weekly sample of it
        if daily is None:
            since = stale_since_all(series)
        else:
            by_day = _since_by_day(daily)
            since = [None] * size if by_day is None else list(map(by_day, series.dates))
        # only the stale stretches are listed: each stale day and its neighbours, each stretch
        # closed by one day without a value (the line breaks there)
        near = sorted({j for i in stale_at for j in (i - 1, i, i + 1) if 0 <= j < size})
        listed = set(near)
        days, ys, texts = [], [], []
        for i in near:
            days.append(series.dates[i])
            ys.append(rounded[i])
            texts.append(_since_text(since[i]))
            if i + 1 < size and i + 1 not in listed:
                days.append(series.dates[i + 1])
                ys.append(None)
                texts.append(None)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{name} (stale)",
                "legendgroup": name,
                "showlegend": False,
                "meta": "stale",
                "x": days,
                "y": ys,
                "customdata": texts,
                "connectgaps": False,
                "line": {"color": colour, "width": 2, "dash": "dot"},
                "marker": {"symbol": "circle-open", "size": 5, "color": colour},
                "hovertemplate": f"%{{x}}: {hover} %{{customdata}}<extra>{name}</extra>",
            }
        )
    return traces


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {"template": TEMPLATE, "title": {"text": plotly_text(title)}}
    layout.update(extra)
    return layout


def _since_text(since: str | None) -> str:
    """ "(stale since 2026-01-03)" for a carried value (``stale_since_all``), "" for fresh."""
    if since is None:
        return ""
    return f"(stale since {since})" if since else "(stale)"


def _value_text(value: float | None, since: str | None, percent: bool) -> str:
    text = format_percent(value, 1) if percent else format_number(value)
    return f"{text} {_since_text(since)}" if since is not None else text


def _value_texts(
    values: Sequence[float | None], sinces: Sequence[str | None] | None, percent: bool
) -> list[str]:
    """``_value_text`` of a column (``sinces`` None: nothing stale): whole counts, the
    common case, in one comprehension."""
    if sinces is None and not percent:
        whole = whole_numbers(values)
        if whole is not None:  # format_number of a whole number
            return ["—" if v is None else f"{v:,}" for v in whole]
    return list(map(_value_text, values, sinces or repeat(None), repeat(percent)))


def _series_table(
    caption: str,
    items: Sequence[tuple[str, Series]],
    *,
    percent: bool = False,
    daily: Sequence[tuple[str, Series]] | None = None,
) -> Table:
    """Rows of date + one column per series; sampled monthly when long."""
    if not items:
        return Table(caption, ["Date"], [])
    dates = items[0][1].dates
    # "stale since" from the daily series, before any sampling (a sample would move the day)
    since_maps = [_since_by_day(s) for _label, s in (daily if daily is not None else items)]
    columns = [series.values for _label, series in items]
    if len(dates) > TABLE_ROWS_LIMIT:
        # each column the newest value of each month, on the first column's sampled days
        picks = [_monthly_picks(series) for _label, series in items]
        dates = list(map(dates.__getitem__, picks[0]))
        columns = [list(map(c.__getitem__, p)) for c, p in zip(columns, picks, strict=True)]
        caption = f"{caption} (newest value of each month)"
    texts = [
        _value_texts(column, None if since is None else list(map(since, dates)), percent)
        for column, since in zip(columns, since_maps, strict=True)
    ]
    # a row for each day where any column has a value (presence bytes or-ed as integers)
    present = functools.reduce(operator.or_, (int.from_bytes(presence(c)) for c in columns))
    keep = present.to_bytes(len(dates))
    rows = list(map(list, compress(zip(dates, *texts, strict=True), keep)))
    if len(rows) < len(dates) and not caption.endswith("month)"):
        caption = f"{caption}; days without any value left out"
    return Table(caption, ["Date", *[label for label, _s in items]], rows)


def _largest(items: Sequence[tuple[str, Series]], limit: int) -> list[tuple[str, Series]]:
    def newest(item: tuple[str, Series]) -> float:
        last = item[1].last()
        return last[1] if last else -1.0

    ranked = sorted(items, key=lambda item: (-newest(item), item[0]))
    return [item for item in ranked[:limit] if item[1].has_values()]


# --- figures ---------------------------------------------------------------------------------


KEY_STALE = "Dotted with open circles: stale, the last good value carried after a failed run."
KEY_GAP = "A break in a line: no value that day (missing, never zero)."
KEY_BUBBLE = (
    "Bubble area: engagement (people active in 30 days / members); an open ring: no "
    "engagement figure, drawn at a fixed size that says nothing about engagement."
)


def _has_gap(trace: Mapping[str, Any]) -> bool:
    """A None between two values of a drawn (not stale) line."""
    ys = trace.get("y") or []
    drawn = (presence_of(ys) if ys else b"").strip(b"\x00")
    return b"\x00" in drawn


def _finish_time_chart(chart: Chart, span: tuple[str, str] | None) -> Chart:
    """Mark a time chart undrawable below two dated points (``span``: its ``_value_range``),
    with the sentence that says when its history starts; state the encodings it uses in
    ``key``."""
    data = chart.figure["data"]
    if any(t.get("meta") == "stale" for t in data):
        chart.key.append(KEY_STALE)
    if any(_has_gap(t) for t in data if t.get("meta") != "stale"):
        chart.key.append(KEY_GAP)
    if span is None or span[0] == span[1]:  # fewer than two dated points
        chart.drawable = False
        chart.empty_note = _single_day_note(span)
    return chart


def _add_log_meta(layout: dict[str, Any], data: Sequence[Mapping[str, Any]]) -> None:
    axis = log_axis(_values_of(data))
    if axis is not None:
        layout["meta"] = {"log": axis}


def members_overview(
    items: Sequence[tuple[str, Series]],
    *,
    limit: int = OVERVIEW_LIMIT,
    toggle_log: bool = False,
    chart: str = "members-overview",
    styles: Mapping[str, Style] | None = None,
) -> Chart:
    """Members over time, one line per community, weekly beyond half a year. The ``limit`` largest
    are drawn; the next ``LEGEND_ONLY`` are in the legend (a click brings one in); every
    community is in the table of the page."""
    ranked = _largest(items, limit + LEGEND_ONLY)
    sampled = [(label, _overview(series)) for label, series in ranked]
    data = []
    for i, ((label, s), (_label, full)) in enumerate(zip(sampled, ranked, strict=True)):
        traces = _line_traces(label, s, i, daily=full, style=_pick(styles, label, i))
        if i >= limit:
            for trace in traces:
                trace["visible"] = "legendonly"
        data.extend(traces)
    _with_encodings(data)
    title = "Members over time"
    layout = _layout(title, yaxis={"title": {"text": "members"}, "type": "linear"})
    _add_log_meta(layout, data)
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
    if ranked:
        largest_label, largest = ranked[0]
        summary = f"{largest_label}: {summarize_growth(largest, 'members', 30)}"
        if len(ranked) > limit:
            summary += (
                f" Showing the {limit} largest of {len(ranked)} communities. Select a name in "
                "the legend to add or remove its line."
            )
    else:
        summary = "No members data yet."
    table = _series_table("Members over time", sampled, daily=ranked)
    result = Chart(
        chart_id(chart), "members_overview", title, summary, {"data": data, "layout": layout}, table
    )
    result.scale_toggle = True
    return _finish_time_chart(result, _value_range(data))


def engagement_overview(
    items: Sequence[tuple[str, Series]],
    *,
    limit: int = OVERVIEW_LIMIT,
    sizes: Mapping[str, float] | None = None,
    chart: str = "engagement-overview",
    styles: Mapping[str, Style] | None = None,
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
        t
        for i, ((label, s), (_label, full)) in enumerate(zip(sampled, shown, strict=True))
        for t in _line_traces(label, s, i, percent=True, daily=full, style=_pick(styles, label, i))
    ]
    _with_encodings(data)
    title = "Engagement: monthly active people per member"
    layout = _layout(
        title,
        yaxis={
            "title": {"text": "active 30 d / members"},
            "tickformat": ".0%",
            "rangemode": "tozero",
        },
    )
    summary = (
        f"{shown[0][0]}: {summarize_ratio(shown[0][1])}"
        if shown
        else "No community reports both active people and members yet."
    )
    table = _series_table("Engagement over time", sampled, percent=True, daily=shown)
    result = Chart(
        chart_id(chart),
        "engagement_overview",
        title,
        summary,
        {"data": data, "layout": layout},
        table,
    )
    return _finish_time_chart(result, _value_range(data))


def age_size_bubble(
    points: Sequence[BubblePoint],
    *,
    chart: str = "age-size",
    styles: Mapping[str, Style] | None = None,
) -> Chart:
    """Age (years) against members (log axis); bubble area grows with engagement. A community
    with no engagement figure is an open ring of a fixed middle size, in its own legend entry:
    never a small bubble, which would read as low engagement."""
    ordered = sorted(
        (p for p in points if p.members is not None and p.members > 0), key=lambda p: p.label
    )
    known = [p for p in ordered if p.engagement is not None]
    unknown = [p for p in ordered if p.engagement is None]

    position: dict[BubblePoint, int] = {}
    for index, point in enumerate(ordered):
        position.setdefault(point, index)  # ``ordered.index``, without a scan per point

    def colour(p: BubblePoint) -> str:
        return _pick(styles, p.label, position[p])[0]

    def hover(p: BubblePoint) -> str:
        engagement = (
            f"engagement {format_percent(p.engagement, 1)}"
            if p.engagement is not None
            else "no engagement figure (the platforms do not report active people)"
        )
        return (
            f"{plotly_text(p.label)}<br>{format_number(p.members)} members, "
            f"{p.age_years:.1f} years, {engagement}"
        )

    def trace(group: list[BubblePoint], name: str, marker: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "scatter",
            "mode": "markers",
            "name": plotly_text(name),
            "x": [_round(p.age_years) for p in group],
            "y": [_round(p.members) for p in group],
            "text": [hover(p) for p in group],
            "customdata": [p.url or "" for p in group],
            "hovertemplate": "%{text}<extra></extra>",
            "marker": marker,
        }

    data = []
    if known:
        data.append(
            trace(
                known,
                "bubble area: engagement (active 30 d / members)",
                {
                    "size": [_round(8 + 40 * min(p.engagement or 0, 1.0) ** 0.5) for p in known],
                    "color": [colour(p) for p in known],
                    "opacity": 0.75,
                    "line": {"width": 1, "color": [colour(p) for p in known]},
                },
            )
        )
    if unknown:
        data.append(
            trace(
                unknown,
                "open ring: no engagement figure (size not meaningful)",
                {
                    "size": 18,
                    "symbol": "circle-open",
                    "color": [colour(p) for p in unknown],
                    "line": {"width": 2},
                },
            )
        )
    title = "Age and size"
    yaxis: dict[str, Any] = {"title": {"text": "members (log scale)"}, "type": "log"}
    yaxis.update(log_axis([p.members for p in ordered]) or {})
    # the range leaves room for the largest bubble at either end (a young community sits at 0)
    oldest_age = max((p.age_years for p in ordered), default=1.0)
    pad = max(0.6, 0.08 * oldest_age)
    layout = _layout(
        title,
        showlegend=True,
        xaxis={"title": {"text": "age (years)"}, "range": [_round(-pad), _round(oldest_age + pad)]},
        yaxis=yaxis,
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
    result = Chart(
        chart_id(chart), "age_size_bubble", title, summary, {"data": data, "layout": layout}, table
    )
    if ordered:
        result.key.append(KEY_BUBBLE)
    return result


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
    style: Style | None = None,
) -> Chart:
    """One metric of one community over time, daily: a line per item (per source, or the
    total), with its posts as dated vertical markers linking to them. ``total`` (from
    ``analyse.rollup.community_series``) feeds the summary sentence (without it the items are
    rolled up by that same rule); with more than one
    source it is also drawn, in the community's own colour (``style``), as "<name> total".

    Sources of very different sizes (largest / smallest newest value >= ``FLATTEN_RATIO``)
    start on a log axis, so a small platform is not flattened against a big one; the page's
    button switches to linear."""
    label = metric_label(metric)
    name = community_label or community
    shown = [(source, s) for source, s in items if s.has_values()]
    own = style or _style(0)
    others = [c for c in PALETTE if c != own[0]]
    data = [
        t
        for i, (source, s) in enumerate(shown)
        for t in _line_traces(
            source,
            s,
            i,
            style=(own if len(shown) == 1 else (others[i % len(others)], DASHES[1 + i % 3])),
        )
    ]
    drawn_total = total if total is not None and total.has_values() and len(shown) > 1 else None
    if drawn_total is not None:
        data.extend(_line_traces(f"{name} total", drawn_total, 0, style=(own[0], "solid")))
        for trace in data[-2:]:
            if trace.get("name", "").startswith(plotly_text(f"{name} total")):
                trace["line"]["width"] = 3
    _with_encodings(data)
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
    _add_log_meta(layout, data)
    span = _value_range(data)
    if span is not None and span[0] != span[1]:
        # the community's own span (no empty months before its first value), with a margin
        # so the first and last points are not cut in half by the axes
        first, last = date.fromisoformat(span[0]), date.fromisoformat(span[1])
        pad = timedelta(days=max(1, round((last - first).days * 0.02)))
        layout["xaxis"] = {"range": [(first - pad).isoformat(), (last + pad).isoformat()]}
    newest = [last[1] for _source, s in shown if (last := s.last()) and last[1] > 0]
    if "meta" in layout and len(newest) > 1 and max(newest) >= FLATTEN_RATIO * min(newest):
        layout["yaxis"] = {**layout["yaxis"], **layout["meta"]["log"]}
        layout["yaxis"].pop("rangemode", None)
    if total is None:  # the items are the community's counted sources: the one rollup rule
        total = sum_series([s for _source, s in items])
    summary_series = total if total is not None and total.has_values() else None
    summary = (
        summarize_growth(summary_series, metric, 30)
        if summary_series
        else (f"No {label.lower()} data yet.")
    )
    table = _series_table(
        title, shown + ([(f"{name} total", drawn_total)] if drawn_total is not None else [])
    )
    chart_notes = [f"{a.date}: {a.title}" for a in visible]
    result = Chart(
        chart_id(community, metric),
        "community_metric",
        title,
        summary,
        {"data": data, "layout": layout},
        table,
        chart_notes,
    )
    result.scale_toggle = "meta" in layout
    return _finish_time_chart(result, span)


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
