"""Discourse forum: ``GET https://{host}/about.json``.

Docs: https://docs.discourse.org/ (site about) and the ``About`` serializer in
https://github.com/discourse/discourse (app/serializers/about_serializer.rb). Traps:
- stats keys moved from singular (``topic_count``) to plural (``topics_count``) around 2023;
  old servers still answer with the singular names, so both are read.
- older servers have only the ``*_7_days`` windows, or no windows at all: absent stays absent.
- some forums require login (403) or hide stats (``stats`` missing): that is an error, not zeros.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.blocking import explains_blocks
from community_metrics.collect.sources.common import api_base, count, expect_object, put, when

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig


#: metric -> stats keys, newest name first
STATS_KEYS: dict[str, tuple[str, ...]] = {
    "members": ("users_count", "user_count"),
    "topics": ("topics_count", "topic_count"),
    "posts": ("posts_count", "post_count"),
    "active_1d": ("active_users_last_day",),
    "active_7d": ("active_users_7_days",),
    "active_30d": ("active_users_30_days",),
    "posts_7d": ("posts_7_days",),
    "posts_30d": ("posts_30_days",),
}
EXTRA_KEYS: dict[str, tuple[str, ...]] = {"likes": ("likes_count", "like_count")}


def _first(stats: dict, keys: tuple[str, ...], endpoint: str) -> int | float | None:
    for key in keys:
        value = count(stats, key, endpoint)
        if value is not None:
            return value
    return None


@explains_blocks(
    "the Discourse forum",
    "Ask the forum's administrators to let /about.json through for this User-Agent "
    "(COMMUNITY_METRICS_CONTACT names you), or collect this source from another network.",
)
def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, f'https://{source.id}')}/about.json"
    payload = expect_object(http.get(endpoint).json(), "the about document", endpoint)
    about = payload.get("about")
    if not isinstance(about, dict):
        raise SourceError(f"{endpoint}: no 'about' object; is {source.id} a Discourse forum?")
    stats = about.get("stats")
    if not isinstance(stats, dict):
        raise SourceError(f"{endpoint}: the forum publishes no 'about.stats' (hidden statistics)")
    result = SourceResult(endpoint=endpoint)
    for metric, keys in STATS_KEYS.items():
        put(result.metrics, metric, _first(stats, keys, endpoint))
    for name, keys in EXTRA_KEYS.items():
        put(result.extra, name, _first(stats, keys, endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: 'about.stats' holds none of the known counts")
    result.created_at = when(about.get("site_creation_date"), "site_creation_date", endpoint)
    return result
