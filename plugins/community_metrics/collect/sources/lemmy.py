"""Lemmy community: ``GET https://{host}/api/v3/community?name={name}``.

Docs: https://join-lemmy.org/api/ (``GetCommunityResponse`` -> ``CommunityView``,
``CommunityAggregates``). Traps:
- v3 (0.18/0.19) nests the counts in ``community_view.counts``; Lemmy 1.0 (``/api/v4``)
  flattens them onto ``community_view.community`` and renames ``published`` -> ``published_at``;
- PieFed (Lemmy-compatible, ``/api/alpha``) names them ``subscriptions_count``,
  ``post_count``, ``post_reply_count``, ``active_daily``/``weekly``/``monthly``;
- ``published`` carries microseconds and a ``Z``. The parser accepts every shape whatever
  the ``version`` option says, because servers are upgraded under us.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.blocking import explains_blocks
from community_metrics.collect.sources.common import api_base, count, expect_object, put, when

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

PATHS = {"v3": "/api/v3/community", "v4": "/api/v4/community", "piefed": "/api/alpha/community"}
#: our name -> the names used by Lemmy v3/v4 and PieFed
KEYS: dict[str, tuple[str, ...]] = {
    "members": ("subscribers", "subscriptions_count"),
    "active_1d": ("users_active_day", "active_daily"),
    "active_7d": ("users_active_week", "active_weekly"),
    "active_30d": ("users_active_month", "active_monthly"),
    "threads": ("posts", "post_count"),
    "comments": ("comments", "post_reply_count"),
    "active_half_year": ("users_active_half_year", "active_6monthly"),
}


def _split(ident: str) -> tuple[str, str]:
    name, _, host = ident.lstrip("!").partition("@")
    return name, host


def _first(
    places: list[dict[str, Any]], keys: tuple[str, ...], endpoint: str
) -> int | float | None:
    for place in places:
        for key in keys:
            value = count(place, key, endpoint)
            if value is not None:
                return value
    return None


@explains_blocks(
    "the Lemmy instance",
    "Ask the instance's administrators to let /api/ through for this User-Agent "
    "(COMMUNITY_METRICS_CONTACT names you), or track the community on another instance.",
)
def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    name, host = _split(source.id)
    path = PATHS[source.options.get("version", "v3")]
    endpoint = f"{api_base(source, f'https://{host}')}{path}"
    payload = expect_object(
        http.get(endpoint, params={"name": name}).json(), "a community", endpoint
    )
    view = payload.get("community_view")
    community = view.get("community") if isinstance(view, dict) else None
    if not isinstance(community, dict):
        raise SourceError(f"{endpoint}: no 'community_view.community' in the answer")
    counts = view.get("counts")
    places = [counts, community] if isinstance(counts, dict) else [community]
    found = {key: _first(places, names, endpoint) for key, names in KEYS.items()}
    result = SourceResult(endpoint=f"{endpoint}?name={name}")
    for metric in ("members", "active_1d", "active_7d", "active_30d"):
        put(result.metrics, metric, found[metric])
    put(result.metrics, "topics", found["threads"])
    if found["threads"] is not None and found["comments"] is not None:
        result.metrics["posts"] = found["threads"] + found["comments"]
    put(result.extra, "comments", found["comments"])
    put(result.metrics, "active_180d", found["active_half_year"])
    if "members" not in result.metrics:
        raise SourceError(f"{endpoint}: no subscriber count in the answer")
    published = next(
        (
            c.get(k)
            for c in (community, counts or {})
            for k in ("published", "published_at")
            if c.get(k) is not None
        ),
        None,
    )
    result.created_at = when(published, "published", endpoint)
    return result
