"""YouTube channel: ``GET {api}/channels?part=snippet,statistics&id={id}&key={key}`` (or
``forHandle={handle}`` instead of ``id``), api defaulting to
``https://www.googleapis.com/youtube/v3``.

Docs: https://developers.google.com/youtube/v3/docs/channels/list and
https://developers.google.com/youtube/v3/docs/channels#resource . Traps:
- counts are **strings** (``"subscriberCount": "1230000"``);
- subscribers are rounded by YouTube to three significant figures, and ``subscriberCount``
  is absent when ``hiddenSubscriberCount`` is true: then ``members`` stays absent;
- ``snippet.publishedAt`` comes with or without fractional seconds (``.000Z``);
- an unknown id or handle is not a 404: the answer is 200 without ``items``;
- a wrong key is a 400 "API key not valid" (reported as an authentication failure), a spent
  quota a 403 ``quotaExceeded``;
- the API key sits in the query string (``key=``): the HTTP layer redacts it everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.http import Auth, FetchError
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import (
    api_base,
    count,
    expect_object,
    put,
    secret_hint,
    when,
)
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["youtube"].default_api
HOW_TO_GET = (
    "create an API key for the YouTube Data API v3 in the Google Cloud console "
    "(console.cloud.google.com > APIs & Services > Credentials) and store it as ${env} "
    "(a repository secret for the nightly workflow)"
)


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    env = source.token_env or PLATFORMS["youtube"].default_token_env
    endpoint = f"{api_base(source, DEFAULT_API)}/channels"
    if source.key == "handle":
        handle = source.id if source.id.startswith("@") else f"@{source.id}"
        which = {"forHandle": handle}
    else:
        which = {"id": source.id}
    params = {"part": "snippet,statistics", **which}
    with secret_hint(HOW_TO_GET.format(env=env)):
        try:
            answer = http.get(endpoint, params=params, auth=Auth(env, param="key", required=True))
        except FetchError as exc:
            # Google answers a wrong key with 400 "API key not valid", not 401/403
            if exc.status == 400 and "API key" in exc.message:
                raise FetchError("auth", exc.url, exc.message, status=400) from None
            raise
    payload = expect_object(answer.json(), "a channel list", endpoint)
    items = payload.get("items")
    shown = f"{endpoint}?{next(iter(which))}={next(iter(which.values()))}"
    if items is None or items == []:
        raise SourceError(f"{shown}: no channel {source.id} (the answer lists no items)")
    if not isinstance(items, list) or not isinstance(items[0], dict):
        raise SourceError(f"{endpoint}: 'items' is not a list of channels")
    channel = items[0]
    statistics = channel.get("statistics")
    snippet = channel.get("snippet")
    if not isinstance(statistics, dict):
        raise SourceError(f"{endpoint}: the channel has no 'statistics'")
    result = SourceResult(endpoint=shown)
    if statistics.get("hiddenSubscriberCount") is not True:
        put(result.metrics, "members", count(statistics, "subscriberCount", endpoint))
    put(result.metrics, "posts", count(statistics, "videoCount", endpoint))
    put(result.extra, "views", count(statistics, "viewCount", endpoint))
    if statistics.get("hiddenSubscriberCount") is True:
        result.extra["subscribers_hidden"] = True
    if isinstance(snippet, dict):
        result.created_at = when(snippet.get("publishedAt"), "publishedAt", endpoint)
    if not result.metrics:
        raise SourceError(f"{endpoint}: the channel's statistics hold no count")
    return result
