"""What changed, day by day: milestones crossed, notable growth or decline, sources that broke
or recovered. Feeds ``/feeds/changes.atom.xml`` (thresholds documented in methodology.md).

Pure: History in, ``ChangeDay`` list out; ``changes_atom`` turns them into Atom text through
feedgenerator (the library Pelican's own feeds use).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from feedgenerator import Atom1Feed
from markupsafe import escape

from community_metrics.analyse import metrics as m
from community_metrics.analyse import rollup
from community_metrics.store.history import STATUS_CODES, History, Series

#: Days of history the feed covers (the newest ones).
FEED_DAYS = 60
#: Notable growth: members up by at least this share over 7 days...
GROWTH_SHARE = 0.10
#: ...notable decline: down by at least this share over 7 days...
DECLINE_SHARE = 0.05
#: ...and only for a community with at least this many members 7 days before (a change of
#: 3 people in a community of 20 is noise, not news).
MIN_BASE_MEMBERS = 100
WINDOW = 7

_BROKEN = {STATUS_CODES["stale"], STATUS_CODES["error"]}
_GOOD = {STATUS_CODES["ok"], STATUS_CODES["partial"]}


@dataclass(frozen=True)
class Change:
    kind: str  # "milestone", "growth", "decline", "broke", "recovered"
    community: str  # slug
    text: str


@dataclass
class ChangeDay:
    date: str
    changes: list[Change] = field(default_factory=list)

    @property
    def title(self) -> str:
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        words = {
            "milestone": "milestone",
            "growth": "notable growth",
            "decline": "notable decline",
            "broke": "source broke",
            "recovered": "source recovered",
        }
        parts = [
            f"{n} {words[k]}{'s' if n > 1 and k in ('milestone', 'broke', 'recovered') else ''}"
            for k, n in counts.items()
        ]
        return f"{self.date}: " + ", ".join(parts)


def _filled(values: list[float | None]) -> list[float | None]:
    """Each day's newest value at or before it (for "7 days ago" without interpolation)."""
    out: list[float | None] = []
    last = None
    for value in values:
        if value is not None:
            last = value
        out.append(last)
    return out


def _member_changes(slug: str, name: str, series: Series, first: int) -> list[tuple[int, Change]]:
    found: list[tuple[int, Change]] = []
    index_of = {day: i for i, day in enumerate(series.dates)}
    for milestone in m.milestones(series):
        at = index_of[milestone.date]
        if not milestone.before_history and at >= first:
            text = f"{name} reached {m.format_number(milestone.threshold)} members"
            found.append((at, Change("milestone", slug, text)))
    filled = _filled(series.values)
    state = None
    for index in range(max(first, WINDOW), len(series.values)):
        now, base = series.values[index], filled[index - WINDOW]
        kind = None
        if now is not None and base and base >= MIN_BASE_MEMBERS:
            share = (now - base) / base
            if share >= GROWTH_SHARE:
                kind = "growth"
            elif share <= -DECLINE_SHARE:
                kind = "decline"
            if kind and kind != state:  # report entering the state, not every day in it
                sign = "+" if share > 0 else "−"
                text = (
                    f"{name}: members {sign}{abs(share) * 100:.0f}% in {WINDOW} days "
                    f"({m.format_number(base)} → {m.format_number(now)})"
                )
                found.append((index, Change(kind, slug, text)))
        if now is not None:
            state = kind
    return found


def _source_changes(history: History, slug: str, name: str, first: int) -> list[tuple[int, Change]]:
    found: list[tuple[int, Change]] = []
    for source in history.sources(slug):
        entry = history.source_history(slug, source)
        previous = 0
        for index, code in enumerate(entry.status):
            if code == 0:
                continue  # not observed that day: keep the previous state
            if index >= first and previous in _GOOD and code in _BROKEN:
                found.append((index, Change("broke", slug, f"{name}: {source} stopped answering")))
            elif index >= first and previous in _BROKEN and code in _GOOD:
                found.append((index, Change("recovered", slug, f"{name}: {source} answers again")))
            previous = code
    return found


def change_days(history: History, names: dict[str, str], days: int = FEED_DAYS) -> list[ChangeDay]:
    """Days with at least one change among the newest ``days``, newest first."""
    first = max(0, len(history.dates) - days)
    by_index: dict[int, list[Change]] = {}
    for slug, name in names.items():
        found = _member_changes(
            slug, name, rollup.community_series(history, slug, "members"), first
        )
        found += _source_changes(history, slug, name, first)
        for index, change in found:
            by_index.setdefault(index, []).append(change)
    return [ChangeDay(history.dates[i], by_index[i]) for i in sorted(by_index, reverse=True)]


def changes_atom(
    days: list[ChangeDay], *, site_url: str, site_name: str, updated: datetime, synthetic: bool
) -> str:
    """Atom 1.0 text of the changes feed; ``site_url`` absolute, or "" for a local build."""
    base = site_url.rstrip("/")
    root = base or ".."  # local builds: relative to /feeds/, where the feed lives
    feed = Atom1Feed(
        title=f"{site_name}: what changed",
        link=f"{root}/dashboard/",
        description="Milestones crossed, notable growth or decline, sources broken or recovered.",
        feed_url=f"{root}/feeds/changes.atom.xml",
        feed_guid="tag:community-pulse,2026:changes",
        language="en",
        author_name=site_name,
    )
    prefix = "Demo data (synthetic, no real community). " if synthetic else ""
    for day in days:
        items = "".join(
            f'<li>{escape(c.text)} (<a href="{escape(root)}/communities/{escape(c.community)}/">'
            f"{escape(c.community)}</a>)</li>"
            for c in day.changes
        )
        stamp = datetime.fromisoformat(day.date + "T00:00:00+00:00")
        feed.add_item(
            title=day.title,
            link=f"{root}/dashboard/",
            description=f"<p>{escape(prefix)}</p><ul>{items}</ul>"
            if prefix
            else f"<ul>{items}</ul>",
            unique_id=f"tag:community-pulse,2026:changes/{day.date}",
            pubdate=stamp,
            updateddate=stamp,
        )
    feed.latest_post_date = lambda: updated  # type: ignore[method-assign]
    return feed.writeString("utf-8")
