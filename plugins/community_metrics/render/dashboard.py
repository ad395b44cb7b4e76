"""The dashboard's view model: History + registry -> plain objects the pulse templates render.

No I/O, no clock (``now`` is passed in), no Pelican: the generator feeds it and writes pages.
Every displayed number is pre-formatted here next to a sortable raw value, so templates never
compute and a missing value shows as "—", never 0.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from community_metrics.analyse import metrics as m
from community_metrics.analyse import rollup as r
from community_metrics.contract.model import METRICS, Observation, parse_timestamp
from community_metrics.render import site_change
from community_metrics.render.charts import Chart, presence_of
from community_metrics.render.sparkline import sparkline_svg
from community_metrics.store.history import History

#: Metrics drawn on a community page, in order.
COMMUNITY_CHART_METRICS = ("members", "active_30d", "active_7d", "posts", "topics", "posts_30d")


#: Names people use for the platforms (a source id is "platform:identifier").
PLATFORM_NAMES = {
    "github": "GitHub",
    "discourse": "Discourse",
    "stackexchange": "Stack Exchange",
    "mastodon": "Mastodon",
    "reddit": "Reddit",
    "discord": "Discord",
    "bluesky": "Bluesky",
    "lemmy": "Lemmy",
    "matrix": "Matrix",
    "manual": "Entered by hand",
    "huggingface": "Hugging Face",
    "opencollective": "Open Collective",
    "nodeinfo": "NodeInfo",
    "peertube": "PeerTube",
    "gitlab": "GitLab",
    "forgejo": "Forgejo",
    "mediawiki": "MediaWiki",
    "steam": "Steam",
    "youtube": "YouTube",
    "telegram": "Telegram",
    "slack": "Slack",
    "zulip": "Zulip",
}

#: Older than this, a value's freshness is shown as a warning.
OLD_AFTER_SECONDS = 2 * 86400


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.replace("_", " ").title())


def source_name(source: str, platform: str | None = None) -> str:
    """ "discourse:discuss.python.org" -> "Discourse · discuss.python.org"."""
    head, sep, rest = source.partition(":")
    if not sep:
        return source
    if (platform or head) == "reddit" and not rest.startswith("r/"):
        rest = f"r/{rest}"  # how people write a subreddit
    return f"{platform_name(platform or head)} · {rest}"


def human_time(stamp: str | None) -> str:
    """ "2026-11-01T03:00:00Z" -> "1 Nov 2026, 03:00 UTC"; a date alone -> "1 Nov 2026"."""
    if not stamp:
        return "—"
    try:
        if len(stamp) == 10:
            day = date.fromisoformat(stamp)
            return f"{day.day} {day:%b %Y}"
        moment = parse_timestamp(stamp)
    except ValueError:
        return stamp
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def ago(seconds: float | None) -> str:
    """Freshness in words: "5 hours ago", "3 days ago", "not observed yet"."""
    if seconds is None:
        return "not observed yet"
    if seconds < 60:
        return "just now"
    return f"{m.format_duration(seconds)} ago"


@dataclass
class PlatformRow:
    source: str
    platform: str
    status: str
    values: dict[str, str]
    observed_at: str
    freshness: str
    endpoint: str | None
    error: str | None
    name: str = ""
    observed_text: str = "—"
    old: bool = False


@dataclass
class PostLink:
    title: str
    url: str
    date: str


@dataclass
class CommunityView:
    slug: str
    name: str
    description: str
    homepage: str | None
    tags: tuple[str, ...]
    page_url: str
    rollup: m.Rollup
    members_text: str
    growth_30d: m.Growth | None
    growth_30d_text: str
    growth_30d_sort: str
    engagement_text: str
    engagement_sort: str
    age_text: str
    freshness_text: str
    freshness_sort: str
    status: str
    platform_rows: list[PlatformRow] = field(default_factory=list)
    growth_rows: list[list[str]] = field(default_factory=list)
    milestones: list[tuple[str, str]] = field(default_factory=list)
    posts: list[PostLink] = field(default_factory=list)
    #: Makes the community's charts the first time a page asks (``charts``): they are the
    #: largest part of a build, made where the page is rendered (glue/forked.py).
    chart_maker: Callable[[], list[Chart]] | None = None
    summary: str = ""
    stale_text: str = ""  # "(stale since 2026-01-03)" when the members total is stale
    # What changed (issue 11 item 6): 7-day change, a members sparkline, freshness warning.
    growth_7d_text: str = "—"
    growth_7d_sort: str = ""
    sparkline: str = ""
    newest_observed_at: str | None = None
    is_old: bool = False  # the newest value is older than OLD_AFTER_SECONDS at build time
    #: Any source reported a value (a community whose sources all failed has none).
    has_data: bool = True
    freshness_old: bool = False
    founded: str | None = None  # the registry's stated founding (YYYY-MM-DD)
    founded_text: str = ""
    oldest_source_start: str | None = None  # created_at of the oldest source
    oldest_source_start_text: str = ""
    oldest_source_name: str = ""
    platform_names: tuple[str, ...] = ()

    @functools.cached_property
    def charts(self) -> list[Chart]:
        return self.chart_maker() if self.chart_maker else []


@dataclass
class StatusRow:
    community: str
    source: str
    platform: str
    status: str
    last_ok: str
    last_ok_age: str
    last_error: str
    last_error_date: str
    endpoint: str | None
    broken: bool = False  # failing in the newest snapshot
    resolved: bool = False  # an earlier error, since recovered


@dataclass
class Headline:
    label: str
    value: str
    note: str = ""
    change: tuple[str, ...] = ()  # the change over 7 and 30 days, a line each (site_change.py)
    sparkline: str = ""


def _sort_value(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):  # exact at any size (float() of a huge int overflows)
        return str(value)
    return repr(round(float(value), 6))


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the site; anything else (``javascript:``...) is dropped."""
    if not url:
        return None
    lowered = url.strip().lower()
    return url.strip() if lowered.startswith(("https://", "http://")) else None


#: A community's numbers are called old (the freshness note shows) past two days.
OLD_AFTER_SECONDS = 2 * 86400

#: Status of a registry source (or community) that no snapshot mentions yet.
NOT_COLLECTED = "not collected yet"
#: Status of a source in the snapshots that the registry no longer lists (never in a total).
NO_LONGER_TRACKED = "no longer tracked"


def overall_status(observations: list[Observation]) -> str:
    statuses = {o.status for o in observations}
    for status in ("error", "stale", "partial"):
        if status in statuses:
            return status
    return "ok" if statuses else NOT_COLLECTED


def growth_from(series: m.Series | None, days: int) -> str | None:
    """The first date a ``days`` growth can be computed: the first value's date + ``days``."""
    if series is None:
        return None
    if len(series.values) != len(series.dates):
        raise ValueError("a series needs as many values as dates")
    index = presence_of(series.values).find(1)  # found in C, once per series
    if index < 0:
        return None
    return (date.fromisoformat(series.dates[index]) + timedelta(days=days)).isoformat()


def growth_text(change: m.Growth | None, available_from: str | None = None) -> str:
    if change is None:
        return f"from {available_from}" if available_from else "—"
    sign = "+" if change.absolute > 0 else ("−" if change.absolute < 0 else "±")
    absolute = m.format_number(abs(change.absolute))
    if change.relative is None:
        return f"{sign}{absolute}"
    return f"{sign}{absolute} ({sign}{abs(change.relative) * 100:.1f}%)"


def community_name(history: History, slug: str) -> str:
    entry = history.community(slug)
    return entry.name if entry and entry.name else slug


def freshness(observation: Observation | None, now: datetime) -> tuple[str, float | None]:
    seconds = m.freshness_seconds(observation.observed_at if observation else None, now)
    return m.format_duration(seconds), seconds


def _oldest_source(latest: list[Observation]) -> Observation | None:
    return min((o for o in latest if o.created_at), key=lambda o: o.created_at or "", default=None)


def build_community_view(
    history: History, slug: str, as_of: str, now: datetime, page_url: str
) -> CommunityView:
    entry = history.community(slug)
    retired = set(r.retired_sources(history, slug))
    latest = [o for o in history.latest(slug) if o.source not in retired]
    roll = r.community_rollup(history, slug, as_of)
    members = r.community_series(history, slug, "members")
    newest = r.newest(members)
    change = m.growth(members, 30)
    engagement_text = m.format_percent(roll.engagement, 1)
    newest_observed = max(
        (o for o in latest if o.observed_at), key=lambda o: o.observed_at, default=None
    )
    fresh_text, fresh_seconds = freshness(newest_observed, now)
    rows = []
    for observation in history.latest(slug):
        _text, seconds = freshness(observation, now)
        rows.append(
            PlatformRow(
                source=observation.source,
                platform=observation.platform,
                status=NO_LONGER_TRACKED if observation.source in retired else observation.status,
                values={
                    metric: m.format_number(observation.metrics.get(metric)) for metric in METRICS
                },
                observed_at=observation.observed_at or "",
                freshness=ago(seconds),
                endpoint=safe_url(observation.endpoint),
                error=observation.error,
                name=source_name(observation.source, observation.platform),
                observed_text=human_time(observation.observed_at),
                old=seconds is not None and seconds > OLD_AFTER_SECONDS,
            )
        )
    observed = {row.source for row in rows}
    for source in entry.sources if entry else ():
        if source.label not in observed:
            rows.append(
                PlatformRow(
                    source=source.label,
                    platform=source.platform,
                    status=NOT_COLLECTED,
                    values=dict.fromkeys(METRICS, "—"),
                    observed_at="",
                    freshness="not observed yet",
                    endpoint=None,
                    error=None,
                    name=source_name(source.label, source.platform),
                )
            )
    growth_rows = []
    for days, found in m.growth_all(members).items():
        start = growth_from(members, days)
        growth_rows.append(
            [
                f"{days} days",
                growth_text(found, start),
                found.base_date if found else (f"needs {days} days of history" if start else "—"),
            ]
        )
    has_data = any(o.status != "error" and o.metrics for o in latest)
    founded = str(entry.founded) if entry and entry.founded else None
    oldest = _oldest_source(latest)
    if newest_observed:
        fresh_words = ago(fresh_seconds)
    elif latest:
        fresh_words = "no source has answered yet"
    else:
        fresh_words = NOT_COLLECTED
    return CommunityView(
        slug=slug,
        name=community_name(history, slug),
        description=entry.description if entry else "",
        homepage=safe_url(entry.url if entry else None),
        tags=entry.tags if entry else (),
        page_url=page_url,
        rollup=roll,
        members_text=m.format_number(roll.members),
        growth_30d=change,
        growth_30d_text=growth_text(change, growth_from(members, 30)),
        growth_30d_sort=_sort_value(change.relative if change else None),
        engagement_text=engagement_text,
        engagement_sort=_sort_value(roll.engagement),
        age_text=m.format_age(roll.age_days),
        freshness_text=fresh_words,
        freshness_sort=_sort_value(fresh_seconds),
        status=overall_status(latest),
        platform_rows=rows,
        growth_rows=growth_rows,
        milestones=[
            (
                m.format_number(found.threshold),
                f"before {found.date} (already reached when tracking began)"
                if found.before_history
                else f"crossed on {found.date}",
            )
            for found in m.milestones(members)
        ],
        summary=m.summarize_growth(members),
        stale_text=stale_text(newest[2]) if newest and newest[2] is not None else "",
        growth_7d_text=growth_text(change_7d := m.growth(members, 7)),
        growth_7d_sort=_sort_value(change_7d.relative if change_7d else None),
        sparkline=sparkline_svg(members, f"{community_name(history, slug)} members"),
        newest_observed_at=newest_observed.observed_at if newest_observed else None,
        is_old=fresh_seconds is not None and fresh_seconds > OLD_AFTER_SECONDS,
        has_data=has_data,
        freshness_old=fresh_seconds is not None and fresh_seconds > OLD_AFTER_SECONDS,
        founded=founded,
        founded_text=human_time(founded[:10]) if founded else "",
        oldest_source_start=oldest.created_at if oldest else None,
        oldest_source_start_text=human_time(oldest.created_at[:10])
        if oldest and oldest.created_at
        else "",
        oldest_source_name=source_name(oldest.source, oldest.platform) if oldest else "",
        platform_names=tuple(
            platform_name(p)
            for p in sorted(
                {o.platform for o in latest}
                | {s.platform for s in (entry.sources if entry else ())}
            )
        ),
    )


def stale_text(since: str | None) -> str:
    """ "(stale since 2026-01-03)" for a carried value; "" for a fresh one."""
    if since is None:
        return ""
    return f"(stale since {since})" if since else "(stale)"


def build_status_rows(history: History, now: datetime) -> list[StatusRow]:
    rows = []
    for slug in history.communities():
        for source in history.sources(slug):
            entry = history.source_history(slug, source)
            last_ok = entry.last_good
            status = entry.latest.status if entry.latest else "error"
            if source in r.retired_sources(history, slug):
                status = NO_LONGER_TRACKED
            if last_ok is None and status == "stale" and entry.latest.observed_at:
                last_ok = entry.latest  # a stale value carries when it was observed
            age_text, _ = freshness(last_ok, now)
            rows.append(
                StatusRow(
                    community=slug,
                    source=source,
                    platform=entry.platform,
                    status=status,
                    last_ok=(last_ok.observed_at or entry.last_good_date or "—")
                    if last_ok
                    else "none yet",
                    last_ok_age=age_text if last_ok else "—",
                    last_error=(entry.last_error.error or "") if entry.last_error else "",
                    last_error_date=entry.last_error_date or "",
                    endpoint=safe_url(entry.latest.endpoint if entry.latest else None),
                    broken=status in ("error", "stale", "partial"),
                    resolved=status == "ok" and entry.last_error is not None,
                )
            )
        registered = history.community(slug)
        observed = set(history.sources(slug))
        for source in registered.sources if registered else ():
            if source.label not in observed:
                rows.append(
                    StatusRow(
                        community=slug,
                        source=source.label,
                        platform=source.platform,
                        status=NOT_COLLECTED,
                        last_ok="none yet",
                        last_ok_age="—",
                        last_error="",
                        last_error_date="",
                        endpoint=None,
                    )
                )
    return rows


def headlines(communities: list[CommunityView], history: History) -> list[Headline]:
    total = [c.rollup.members for c in communities if c.rollup.members is not None]
    engaged = sorted(c.rollup.engagement for c in communities if c.rollup.engagement is not None)
    median = statistics.median(engaged) if engaged else None
    sources = [
        o
        for c in communities
        for o in history.latest(c.slug)
        if o.source in r.tracked_sources(history, c.slug)
    ]
    ok = sum(1 for o in sources if o.is_good)
    stale = sorted(c.stale_text for c in communities if c.stale_text and c.rollup.members)
    audience_note = m.COMBINED_AUDIENCE_NOTE
    if stale:
        audience_note += f"; includes values {stale[0]}"
    with_data = [c for c in communities if c.has_data]
    tracked_note = (
        f"{len(communities) - len(with_data)} more with no data yet"
        if len(with_data) < len(communities)
        else ""
    )
    return [
        Headline("Communities tracked", m.format_number(len(with_data)), tracked_note),
        Headline(
            "Combined audience",
            m.format_number(m.exact_total(total) if total else None),
            audience_note,
            change=(
                audience := site_change.audience_change(
                    [c.slug for c in communities if c.rollup.members is not None],
                    history,
                    growth_text,
                )
            ).lines,
            sparkline=audience.sparkline,
        ),
        Headline(
            "Median engagement",
            m.format_percent(median, 1),
            "people active in 30 days / members",
        ),
        Headline("Sources reporting", f"{ok:,} of {len(sources):,}", "ok or partial"),
        Headline("Last snapshot", history.last_snapshot_date or "none yet"),
    ]
