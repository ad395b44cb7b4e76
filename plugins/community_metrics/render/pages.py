"""Everything the pulse pages show, computed once per build: the ``Pulse`` object.

``build_pulse`` turns History (+ registry, + the posts that name communities) into community
views, dashboard charts, status rows and headlines. ``ShortcodeRenderer`` renders
``{metric ...}``/``{chart ...}`` for posts from the same history. No I/O here except
``write_downloads``, which writes the /data/ files into the output folder.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from community_metrics.analyse import benchmarks
from community_metrics.analyse import metrics as m
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
)
from community_metrics.render.shortcode import Shortcode
from community_metrics.store.history import History, Series

if TYPE_CHECKING:
    from community_metrics.registry.config import Registry

logger = logging.getLogger(__name__)


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

    def community(self, slug: str) -> CommunityView | None:
        return next((c for c in self.communities if c.slug == slug), None)

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


def _sum_series(parts: list[Series]) -> Series | None:
    """Day-by-day sum; a gap where any part is a gap (no partial sums)."""
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    values: list[float | None] = [
        None if None in day else float(sum(day))
        for day in zip(*(p.values for p in parts), strict=True)
    ]
    stale = [any(day) for day in zip(*(p.stale for p in parts), strict=True)]
    return Series(list(parts[0].dates), values, stale)


def engagement_series(history: History, slug: str) -> Series | None:
    """active_30d / members over the sources that report both (the rollup's rule)."""
    both = [
        source
        for source in history.sources(slug)
        if {"members", "active_30d"} <= set(history.source_history(slug, source).values)
    ]
    if not both:
        return None
    active = _sum_series([history.series(slug, s, "active_30d") for s in both])
    members = _sum_series([history.series(slug, s, "members") for s in both])
    return m.engagement_series(active, members)


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
        view.posts = sorted(posts.get(slug, []), key=lambda p: (p.date, p.title), reverse=True)
        annotations = [charts.Annotation(p.date, p.title, link_prefix + p.url) for p in view.posts]
        for metric in COMMUNITY_CHART_METRICS:
            if metric not in history.metrics(slug):
                continue
            items = [(s, history.series(slug, s, metric)) for s in history.sources(slug)]
            view.charts.append(
                charts.community_metric_chart(
                    slug, metric, items, annotations=annotations, community_label=view.name
                )
            )
        engagement = engagement_by_slug[slug] = engagement_series(history, slug)
        if engagement is not None and engagement.has_values():
            chart = charts.engagement_overview(
                [(view.name, engagement)], chart=f"{slug}-engagement"
            )
            view.charts.append(chart)
        views.append(view)

    members = [(v.name, history.community_series(v.slug, "members")) for v in views]
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
    dashboard_charts = [
        charts.members_overview(members),
        charts.engagement_overview(engagement_items, sizes=sizes),
        charts.age_size_bubble(points),
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
        benchmark_groups=benchmarks.benchmark_groups(studies, tracked),
        history=history,
        warnings=warnings,
    )


class ShortcodeRenderer:
    """Renders one post's shortcodes; counts charts so the page knows to load pulse.js."""

    def __init__(self, pulse: Pulse, history: History, env: Any):
        self.pulse = pulse
        self.history = history
        self.macros = env.get_template("pulse/macros.html").module
        self.charts = 0
        self.rendered = 0

    def render(self, shortcode: Shortcode, post_date: str | date | None) -> str:
        self.rendered += 1
        series = self.history.community_series(shortcode.community, shortcode.metric)
        as_of = None if shortcode.latest or post_date is None else str(post_date)
        if shortcode.kind == "metric":
            return self._metric(shortcode, series, as_of)
        return self._chart(shortcode, series, as_of)

    def _metric(self, shortcode: Shortcode, series: Series, as_of: str | None) -> str:
        label = m.metric_label(shortcode.metric).lower()
        found = series.value_at_or_before(as_of) if as_of else series.last()
        if found is None:
            when = f"on or before {as_of}" if as_of else "yet"
            return str(
                Markup('<span class="pulse-missing">no {} data for {} {}</span>').format(
                    label, shortcode.community, when
                )
            )
        day, value = found[0], found[1]
        title = f"{shortcode.community} {label} on {day}" + (
            " (latest)" if shortcode.latest else f" (as of the post's date {as_of})"
        )
        return str(
            Markup('<data class="pulse-metric" value="{}" title="{}">{}</data>').format(
                charts._round(value), title, m.format_number(value)
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
            shortcode.community, shortcode.metric, [(name, series)], community_label=name
        )
        window = f"{shortcode.window_days}d" if shortcode.window_days else "all"
        chart.id = charts.chart_id(
            "post", shortcode.community, shortcode.metric, window, as_of or "latest"
        )
        self.charts += 1
        return str(self.macros.chart(chart))


def pulse_escape(value: object) -> str:
    return str(escape(value))


def write_downloads(pulse: Pulse, output: Path) -> None:
    """/data/observations-YYYY.csv.gz, communities/<slug>.csv, snapshot.schema.json, and, while
    the history is small, observations.csv and observations.json."""
    import gzip

    from community_metrics.render import downloads

    folder = output / "data"
    (folder / "communities").mkdir(parents=True, exist_ok=True)
    history = pulse.history
    for name, first_day, last_day in pulse.download_files:
        path = folder / name
        # mtime=0: the same history gives byte-identical files (no needless redeploys)
        with (
            path.open("wb") as raw,
            gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, mtime=0,
                compresslevel=downloads.YEAR_FILE_GZIP_LEVEL,
            ) as packed,
        ):  # fmt: skip
            for chunk in downloads.iter_period_csv(history, first_day, last_day):
                packed.write(chunk.encode("utf-8"))
    if pulse.full_downloads:
        with (folder / "observations.csv").open("w", encoding="utf-8", newline="") as handle:
            for chunk in downloads.iter_observations_csv(history):  # streamed: it grows large
                handle.write(chunk)
        (folder / "observations.json").write_text(downloads.observations_json(history), "utf-8")
    (folder / "snapshot.schema.json").write_text(downloads.snapshot_schema_json(), "utf-8")
    for view in pulse.communities:
        text = downloads.community_csv(history, view.slug)
        (folder / "communities" / f"{view.slug}.csv").write_text(text, "utf-8")
