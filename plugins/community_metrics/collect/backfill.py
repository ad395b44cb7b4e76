"""Give a new source a past, where its platform keeps one (PLATFORMS.md, "Back-fill sources").

- Mastodon instance: ``GET https://{host}/api/v1/instance/activity`` -> 12 weekly buckets,
  newest first, every value a **string**, ``week`` the week's start as epoch seconds; the first
  (newest) week is still running, so it is skipped. Each complete week gives ``posts_7d`` (its
  statuses), dated on the week's last day: the same figure the live source reports as
  ``posts_7d`` (https://docs.joinmastodon.org/methods/instance/#activity).
- Stack Exchange site or tag: ``GET /2.3/questions?site=…&fromdate=…&todate=…&filter=total``
  (``&tagged=`` for a tag) -> ``{"total": n}``, the questions created in the range
  (https://api.stackexchange.com/docs/questions , https://api.stackexchange.com/docs/filters ).
  The cumulative ``topics`` at the end of an earlier day D is the observed count minus the
  questions created after D: deleted questions are in neither count, so the figure is what the
  site holds today about that day (a question deleted since D is not counted).

Taken once per source, on its first good collection (``store/backfill.py`` writes the file and
never overwrites it); an answer of an unexpected shape skips that source's back-fill with a
warning, and nothing observed is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from community_metrics.collect.http import Auth, FetchError
from community_metrics.collect.sources.common import api_base
from community_metrics.collect.sources.stackexchange import DEFAULT_API as SE_API
from community_metrics.collect.sources.stackexchange import key_env
from community_metrics.contract.model import format_timestamp, parse_timestamp, utc_now
from community_metrics.contract.values import parse_count
from community_metrics.store.backfill import Backfill, BackfillValue, has_backfill, write_backfill

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.contract.model import Observation
    from community_metrics.registry.config import SourceConfig

#: days before the first snapshot at which Stack Exchange's cumulative count is back-filled:
#: weekly for a month, then monthly for a year (one request each; 12 of the 300 a day anonymous)
STACKEXCHANGE_DAYS_AGO = (7, 14, 21, 30, 60, 90, 120, 150, 180, 240, 300, 365)


class BackfillShapeError(ValueError):
    """The platform's answer is not the documented shape: this back-fill is skipped."""


def _mastodon(source: SourceConfig, http: HttpClient, observation: Observation) -> Backfill:
    base = api_base(source, f"https://{source.id}")
    url = f"{base}/api/v1/instance/activity"
    weeks = http.get(url).json()
    if not isinstance(weeks, list) or len(weeks) < 2:
        raise BackfillShapeError(f"{url}: expected a list of weekly buckets, newest first")
    values = []
    seen: set[str] = set()
    for position, bucket in enumerate(weeks[1:], start=1):  # weeks[0] is the running week
        if not isinstance(bucket, dict):
            raise BackfillShapeError(f"{url}: bucket {position} is not an object")
        try:
            start = int(parse_count(bucket.get("week"), "week"))
            statuses = parse_count(bucket.get("statuses"), "statuses")
        except ValueError as exc:
            raise BackfillShapeError(f"{url}: bucket {position}: {exc}") from None
        last_day = (datetime.fromtimestamp(start, UTC).date() + timedelta(days=6)).isoformat()
        if last_day in seen:
            raise BackfillShapeError(f"{url}: week {last_day} appears twice")
        seen.add(last_day)
        if last_day >= observation.observed_at[:10]:
            raise BackfillShapeError(
                f"{url}: bucket {position} ends {last_day}, not before today: "
                "the buckets are not newest first"
            )
        values.append(BackfillValue(last_day, "posts_7d", statuses))
    return Backfill(
        community=source.community,
        source=source.label,
        platform=source.platform,
        endpoint=url,
        fetched_at=format_timestamp(utc_now()),
        method=(
            "Mastodon's weekly activity (statuses per complete week, dated on the week's last "
            "day; the running week skipped)"
        ),
        values=values,
    )


def _stackexchange(source: SourceConfig, http: HttpClient, observation: Observation) -> Backfill:
    observed = observation.metrics.get("topics")
    if observed is None or observation.observed_at is None:
        raise BackfillShapeError(f"{source.label}: no observed question count to count back from")
    if source.key == "site":
        site, tag = source.id, None
    else:
        site_part, _, tag = source.id.rpartition("/")
        site = site_part or "stackoverflow"
    url = f"{api_base(source, SE_API)}/2.3/questions"
    observed_at = parse_timestamp(observation.observed_at)
    until = int(observed_at.timestamp())
    first_day = observed_at.date()
    values = []
    for days_ago in STACKEXCHANGE_DAYS_AGO:
        day = first_day - timedelta(days=days_ago)
        after = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        params: dict[str, Any] = {
            "site": site,
            "fromdate": int(after.timestamp()),
            "todate": until,
            "filter": "total",
        }
        if tag:
            params["tagged"] = tag
        answer = http.get(url, params=params, auth=Auth(key_env(source), param="key")).json()
        total = answer.get("total") if isinstance(answer, dict) else None
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise BackfillShapeError(
                f'{url}: expected {{"total": <count>}} with filter=total, got '
                f"{type(answer).__name__}"
            )
        if total > observed:
            continue  # the tag count lags the question index: no honest value for that day
        values.append(BackfillValue(day.isoformat(), "topics", observed - total))
        backoff = answer.get("backoff")
        if isinstance(backoff, int) and backoff > 0:
            http.defer(url, backoff)
    what = f"tag '{tag}' on {site}" if tag else site
    return Backfill(
        community=source.community,
        source=source.label,
        platform=source.platform,
        endpoint=f"{url}?site={site}" + (f"&tagged={tag}" if tag else ""),
        fetched_at=format_timestamp(utc_now()),
        method=(
            f"questions of {what} observed on {first_day} minus those created after each "
            "earlier day (Stack Exchange /questions, filter=total)"
        ),
        values=values,
    )


Backfiller = Callable[["SourceConfig", "HttpClient", "Observation"], Backfill]


def backfiller_for(source: SourceConfig) -> Backfiller | None:
    if source.platform == "mastodon" and source.key == "instance":
        return _mastodon
    if source.platform == "stackexchange":
        return _stackexchange
    return None


def take_backfills(
    data_dir: Path,
    sources: list[SourceConfig],
    observations: list[Observation],
    http: HttpClient,
) -> tuple[list[Path], list[str]]:
    """Back-fill every source that can have one, answered well in this run, and has no
    back-fill file yet. Returns (files written, warnings); never raises for a platform's
    answer."""
    by_key = {o.key: o for o in observations}
    written: list[Path] = []
    warnings: list[str] = []
    for source in sources:
        backfiller = backfiller_for(source)
        observation = by_key.get((source.community, source.label))
        if backfiller is None or observation is None or observation.status not in ("ok", "partial"):
            continue
        if has_backfill(data_dir, source.community, source.label):
            continue
        try:
            backfill = backfiller(source, http, observation)
        except (BackfillShapeError, FetchError) as exc:
            warnings.append(
                f"back-fill of {source.community} / {source.label} skipped: {http.redact(str(exc))}"
            )
            continue
        except Exception as exc:  # a bug here must not hide the snapshot just written
            warnings.append(
                f"back-fill of {source.community} / {source.label} skipped: unexpected "
                f"{exc.__class__.__name__} in the back-fill code"
            )
            continue
        if not backfill.values:
            warnings.append(f"back-fill of {source.community} / {source.label}: no earlier values")
            continue
        path = write_backfill(data_dir, backfill)
        if path is not None:
            written.append(path)
    return written, warnings
