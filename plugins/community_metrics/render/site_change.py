"""The site-wide headline cards' change over 7 and 30 days (issue 11 item 6).

The combined audience's series is the day-by-day sum of the counted communities' member series
under the one rollup rule (``rollup.sum_series``: a day has a total only when every counted
community has a value that day), and its change is ``metrics.growth`` of that series, written
as the community cards write theirs (``dashboard.growth_text``). Missing is not zero: when
either end of a window has no total, the card says there is no change figure yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from community_metrics.analyse import metrics as m
from community_metrics.analyse import rollup as r
from community_metrics.render.sparkline import sparkline_svg
from community_metrics.store.history import History, Series

#: What a card says when a window has no change under the rollup rule.
NO_CHANGE = "no change figure yet"
WINDOWS = (7, 30)


@dataclass(frozen=True)
class CardChange:
    lines: tuple[str, ...]  # ("7 days: +1,234 (+0.5%)", "30 days: no change figure yet")
    sparkline: Markup
    changes: dict[int, m.Growth | None]

    @property
    def text(self) -> str:
        return " · ".join(self.lines)


def audience_series(slugs: Sequence[str], history: History) -> Series | None:
    """Members summed over ``slugs`` (the communities the combined audience counts: those
    with a member count), day by day under the rollup rule; memoised in the history."""
    slugs = tuple(slugs)
    key = ("audience_series", slugs)
    if key not in history.memo:
        parts = [r.community_series(history, slug, "members") for slug in slugs]
        history.memo[key] = r.sum_series(parts)
    return history.memo[key]


def audience_change(
    slugs: Sequence[str], history: History, describe: Callable[[m.Growth], str]
) -> CardChange:
    """``describe`` writes one change as the community cards do (``dashboard.growth_text``)."""
    series = audience_series(slugs, history)
    changes = {days: m.growth(series, days) if series else None for days in WINDOWS}
    lines = [
        f"{days} days: {describe(found) if found else NO_CHANGE}" for days, found in changes.items()
    ]
    newest = next((g.date for g in changes.values() if g), None)
    if newest and newest != history.last_snapshot_date:
        lines.append(f"to {newest}, the newest day every counted community has a value")
    if series is None:
        spark = Markup('<span class="pulse-spark-none">{}</span>').format(
            "Combined audience: not enough history for a trend"
        )
    else:
        spark = sparkline_svg(series, "Combined audience")
    return CardChange(lines=tuple(lines), sparkline=spark, changes=changes)
