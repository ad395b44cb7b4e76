"""Everything the pulse pages show, computed once per build: the ``Pulse`` object.

``build_pulse`` turns History (+ registry, + the posts that name communities) into community
views, dashboard charts, status rows and headlines. ``ShortcodeRenderer`` renders
``{metric ...}``/``{chart ...}`` for posts from the same history. No I/O here except
``write_year_files``, which writes the yearly gzip files into the output folder.
"""

from __future__ import annotations

import functools
import logging
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from community_metrics.analyse import benchmarks
from community_metrics.analyse import metrics as m
from community_metrics.analyse import rollup as r
from community_metrics.contract.model import SLUG_RE, format_timestamp
from community_metrics.render import charts
from community_metrics.render.dashboard import (
    COMMUNITY_CHART_METRICS,
    CommunityView,
    Headline,
    PostLink,
    StatusRow,
    build_community_view,
    build_status_rows,
    headlines,
    source_name,
)
from community_metrics.render.shortcode import Shortcode
from community_metrics.store.history import History, Series

if TYPE_CHECKING:
    from community_metrics.registry.config import Registry

logger = logging.getLogger(__name__)

#: The dashboard's age-and-size chart (and its table) shows at most this many communities, the
#: largest: with 10,000 communities all of them would weigh 340 KB gzip, over the page budget.
BUBBLE_LEADERS = 500


@dataclass
class Pulse:
    """The ``pulse`` object of the templates."""

    synthetic: bool
    origin: str  # the folder the numbers come from ("data" or "demo")
    as_of: str | None  # date of the newest snapshot
    last_generated_at: str | None
    built_at: str
    plotly_js: str
    communities: list[CommunityView]
    headlines: list[Headline]
    dashboard_charts: list[charts.Chart]
    status_rows: list[StatusRow]
    snapshot_errors: list[Any]  # SnapshotError
    warnings: list[str] = field(default_factory=list)
    band_charts: list[charts.Chart] = field(default_factory=list)
    benchmark_groups: list[Any] = field(default_factory=list)
    history: History | None = None
    #: slug -> (colour, dash): one colour per community on every chart, posts and /compare/ included
    styles: dict[str, charts.Style] = field(default_factory=dict)

    def community(self, slug: str) -> CommunityView | None:
        return next((c for c in self.communities if c.slug == slug), None)

    @property
    def newest_observed_at(self) -> str | None:
        """The newest observation of any community (for the site-wide freshness note)."""
        found = [c.newest_observed_at for c in self.communities if c.newest_observed_at]
        return max(found) if found else None

    @property
    def is_old(self) -> bool:
        """Every community's newest value is older than two days (a stalled collection)."""
        return (
            bool(self.communities)
            and all(c.is_old or not c.newest_observed_at for c in self.communities)
            and any(c.newest_observed_at for c in self.communities)
        )

    @property
    def communities_by_size(self) -> list[CommunityView]:
        """The dashboard table's default order: largest first, communities without a member
        count last (in registry order)."""
        return sorted(
            self.communities,
            key=lambda c: (c.rollup.members is None, -(c.rollup.members or 0)),
        )

    @property
    def status_counts(self) -> dict[str, int]:
        return dict(Counter(row.status for row in self.status_rows))

    @functools.cached_property
    def download_files(self) -> list[tuple[str, str, str]]:
        """(name, first day, last day) of each yearly gzip file (a large year comes in parts)."""
        from community_metrics.render import downloads

        return downloads.download_files(self.history) if self.history else []

    @functools.cached_property
    def full_downloads(self) -> bool:
        """Whether observations.csv / .json (the whole history in one file) are published."""
        from community_metrics.render import downloads

        return bool(self.history) and downloads.full_files_fit(self.history)


def _tracked_bands(views: list[CommunityView], attribute: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for view in views:
        band = getattr(view.rollup, attribute)
        if band:
            counts[band] += 1
    return dict(counts)


def load_studies(folder: Path | None, warnings: list[str]) -> list[Any]:
    """The published reference figures; a broken file is a warning (the page says so)."""
    from community_metrics.analyse.benchmarks import BenchmarkError, load_benchmarks

    try:
        return load_benchmarks(folder)
    except BenchmarkError as exc:
        for problem in exc.problems:
            warnings.append(f"benchmarks: {problem}")
            logger.warning("community_metrics: benchmarks: %s", problem)
        return []


def comparable_figures(views: list[CommunityView]) -> dict[str, str]:
    """What the site measures that is comparable to a published figure, by figure kind:
    "participation" is the median engagement (people active in 30 days / members) of the
    tracked communities that report both numbers."""
    rates = sorted(v.rollup.engagement for v in views if v.rollup.engagement is not None)
    if not rates:
        return {}
    median = statistics.median(rates)
    return {
        "participation": (
            f"median engagement {m.format_percent(median, 1)} "
            f"(active in 30 days / members, {len(rates)} communities)"
        )
    }


def community_charts(
    history: History,
    slug: str,
    name: str,
    annotations: list[charts.Annotation],
    style: charts.Style,
) -> list[charts.Chart]:
    """The charts of a community page: one per metric its sources report, daily, plus its
    engagement; made when the page is rendered (``CommunityView.charts``)."""
    found: list[charts.Chart] = []
    for metric in COMMUNITY_CHART_METRICS:
        if metric not in history.metrics(slug):
            continue
        retired = set(r.retired_sources(history, slug))
        items = [
            (
                source_name(s, history.source_history(slug, s).platform)
                + (" (no longer tracked)" if s in retired else ""),
                series,
            )
            for s in history.sources(slug)
            if (series := history.series(slug, s, metric))
        ]
        found.append(
            charts.community_metric_chart(
                slug,
                metric,
                items,
                annotations=annotations,
                community_label=name,
                total=r.community_series(history, slug, metric),
                style=style,
            )
        )
    engagement = r.engagement_series(history, slug)
    if engagement is not None and engagement.has_values():
        chart = charts.engagement_overview(
            [(name, engagement)], chart=f"{slug}-engagement", styles={name: style}
        )
        found.append(chart)
    return found


def build_pulse(
    history: History,
    registry: Registry | None,
    *,
    now: datetime,
    origin: str,
    is_demo: bool,
    plotly_js: str,
    posts: dict[str, list[PostLink]] | None = None,
    link_prefix: str = "",
    benchmark_folder: Path | None = None,
) -> Pulse:
    """Compute every view. ``link_prefix`` turns a site-relative URL ("posts/x/") into one
    that works from a community page (e.g. "../../" with relative URLs)."""
    posts = posts or {}
    as_of = history.last_snapshot_date or now.date().isoformat()
    views = []
    warnings = []
    engagement_by_slug: dict[str, Series | None] = {}
    # one colour per community, from the registry order (history.communities()), so the same
    # community has the same colour on every chart of every page
    styles_by_slug = charts.community_styles(history.communities())
    styles: dict[str, charts.Style] = {}
    for slug in history.communities():
        if not SLUG_RE.match(slug):
            # a snapshot may name any community; only a slug can become a URL path
            warnings.append(
                f"community {slug!r} in the snapshots is not a slug (lowercase letters, digits, "
                "dashes): left off the pages; fix the snapshot or the registry"
            )
            logger.warning("community_metrics: %s", warnings[-1])
            continue
        view = build_community_view(history, slug, as_of, now, f"communities/{slug}/")
        style = styles[view.name] = styles_by_slug[slug]
        view.posts = sorted(posts.get(slug, []), key=lambda p: (p.date, p.title), reverse=True)
        if not view.posts:
            # an authoring hint is for the build log, not for readers
            logger.info(
                "community_metrics: no post names community %r yet (front matter "
                "'Communities: %s' links a post to its page)",
                slug,
                slug,
            )
        annotations = [charts.Annotation(p.date, p.title, link_prefix + p.url) for p in view.posts]
        view.chart_maker = functools.partial(
            community_charts, history, slug, view.name, annotations, style
        )
        engagement_by_slug[slug] = r.engagement_series(history, slug)
        views.append(view)

    members = [(v.name, r.community_series(history, v.slug, "members")) for v in views]
    engagement_items = [
        (v.name, series) for v in views if (series := engagement_by_slug[v.slug]) is not None
    ]
    sizes = {v.name: v.rollup.members for v in views if v.rollup.members is not None}
    points = [
        charts.BubblePoint(
            v.name,
            v.rollup.age_days / 365.25,
            v.rollup.members,
            v.rollup.engagement,
            v.page_url,
        )
        for v in views
        if v.rollup.age_days is not None and v.rollup.members
    ]
    bubble_total = len(points)
    if bubble_total > BUBBLE_LEADERS:  # the dashboard's first screen: the leaders
        points = sorted(points, key=lambda p: (-p.members, p.label))[:BUBBLE_LEADERS]
    studies = load_studies(benchmark_folder, warnings)
    tracked = {"size": _tracked_bands(views, "size_band"), "age": _tracked_bands(views, "age_band")}
    band_charts = [
        charts.band_distribution(
            m.SIZE_BANDS,
            tracked["size"],
            benchmarks.band_shares(studies, "size"),
            title="Size: tracked communities against the 2008 Tribalization bands",
            chart="size-bands",
        ),
        charts.band_distribution(
            m.AGE_BANDS,
            tracked["age"],
            benchmarks.band_shares(studies, "age"),
            title="Age: tracked communities against the 2008 Tribalization bands",
            chart="age-bands",
        ),
    ]
    bubble = charts.age_size_bubble(points, styles=styles)
    if bubble_total > len(points):
        bubble.notes.append(
            f"The {len(points):,} largest of {bubble_total:,} communities with an age and a "
            "member count; every community is in the table above and in the data downloads."
        )
    dashboard_charts = [
        charts.members_overview(members, styles=styles),
        charts.engagement_overview(engagement_items, sizes=sizes, styles=styles),
        bubble,
        *band_charts,
    ]
    return Pulse(
        synthetic=is_demo or history.synthetic,
        origin=Path(origin).name or origin,
        as_of=history.last_snapshot_date,
        last_generated_at=history.last_generated_at,
        built_at=format_timestamp(now),
        plotly_js=plotly_js,
        communities=views,
        headlines=headlines(views, history),
        dashboard_charts=dashboard_charts,
        status_rows=build_status_rows(history, now),
        snapshot_errors=list(history.errors),
        band_charts=band_charts,
        benchmark_groups=benchmarks.benchmark_groups(
            studies, tracked, comparable=comparable_figures(views)
        ),
        history=history,
        warnings=warnings,
        styles=styles_by_slug,
    )


class ShortcodeRenderer:
    """Renders one post's shortcodes; counts charts so the page knows to load pulse.js."""

    def __init__(self, pulse: Pulse, history: History, env: Any):
        self.pulse = pulse
        self.history = history
        self.macros = env.get_template("pulse/macros.html").module
        self.charts = 0
        self.rendered = 0
        self._ids: Counter[str] = Counter()

    def render(self, shortcode: Shortcode, post_date: str | date | None) -> str:
        self.rendered += 1
        series = r.community_series(self.history, shortcode.community, shortcode.metric)
        as_of = None if shortcode.latest or post_date is None else str(post_date)
        if shortcode.kind == "metric":
            return self._metric(shortcode, series, as_of)
        return self._chart(shortcode, series, as_of)

    def render_text(self, shortcode: Shortcode, post_date: str | date | None) -> str:
        """For a summary: values as text, charts left out (no figure, no JSON)."""
        if shortcode.kind == "chart":
            return ""
        return self.render(shortcode, post_date)

    def _metric(self, shortcode: Shortcode, series: Series, as_of: str | None) -> str:
        label = m.metric_label(shortcode.metric).lower()
        cut = len(series.dates)
        if as_of:
            cut = next((i for i, d in enumerate(series.dates) if d > as_of), len(series.dates))
        found = r.newest(Series(series.dates[:cut], series.values[:cut], series.stale[:cut]))
        if found is None:
            when = f"on or before {as_of}" if as_of else "yet"
            return str(
                Markup('<span class="pulse-missing">no {} data for {} {}</span>').format(
                    label, shortcode.community, when
                )
            )
        day, value, since = found
        title = f"{shortcode.community} {label} on {day}" + (
            " (latest)" if shortcode.latest else f" (as of the post's date {as_of})"
        )
        text = m.format_number(value)
        if since is not None:  # a carried value: say so, and since when, in text and title
            stale = f"stale since {since}" if since else "stale"
            title += f"; {stale}: the last good value, carried forward"
            text += f" ({stale})"
            return str(
                Markup(
                    '<data class="pulse-metric pulse-stale" value="{}" title="{}">{}</data>'
                ).format(charts._round(value), title, text)
            )
        return str(
            Markup('<data class="pulse-metric" value="{}" title="{}">{}</data>').format(
                charts._round(value), title, text
            )
        )

    def _chart(self, shortcode: Shortcode, series: Series, as_of: str | None) -> str:
        if as_of:
            cut = next((i for i, d in enumerate(series.dates) if d > as_of), len(series.dates))
            series = Series(series.dates[:cut], series.values[:cut], series.stale[:cut])
        if shortcode.window_days:
            series = charts.recent(series, shortcode.window_days)
        view = self.pulse.community(shortcode.community)
        name = view.name if view else shortcode.community
        chart = charts.community_metric_chart(
            shortcode.community,
            shortcode.metric,
            [(name, series)],
            community_label=name,
            style=self.pulse.styles.get(shortcode.community),
        )
        window = f"{shortcode.window_days}d" if shortcode.window_days else "all"
        chart.id = charts.chart_id(
            "post", shortcode.community, shortcode.metric, window, as_of or "latest"
        )
        self._ids[chart.id] += 1
        if self._ids[chart.id] > 1:  # the same chart twice in one post: distinct ids
            chart.id = f"{chart.id}-{self._ids[chart.id]}"
        self.charts += 1
        return str(self.macros.chart(chart))


def pulse_escape(value: object) -> str:
    return str(escape(value))


def write_year_files(history: History, synthetic: bool, output: Path) -> None:
    """/data/observations-YYYY.csv.gz: binary files, which Pelican's writer (text only)
    cannot write; every other download goes through it (glue/generator.py)."""
    import gzip

    from isal import igzip

    from community_metrics.render import downloads

    folder = output / "data"
    folder.mkdir(parents=True, exist_ok=True)
    note = downloads.csv_note(synthetic)
    library, level = downloads.year_file_gzip(history)
    gzip_file = igzip.GzipFile if library == "isal" else gzip.GzipFile
    for name, first_day, last_day in downloads.download_files(history):
        path = folder / name
        # mtime=0: the same history gives byte-identical files (no needless redeploys)
        with (
            path.open("wb") as raw,
            gzip_file(
                filename="", mode="wb", fileobj=raw, mtime=0,
                compresslevel=level,
            ) as packed,
        ):  # fmt: skip
            packed.write(note.encode("utf-8"))
            for chunk in downloads.iter_period_csv(history, first_day, last_day):
                packed.write(chunk.encode("utf-8"))
