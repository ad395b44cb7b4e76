"""Reddit subreddit: ``GET https://www.reddit.com/r/{name}/about.json``.

Docs: https://www.reddit.com/dev/api/#GET_r_{subreddit}_about and
https://github.com/reddit-archive/reddit/wiki/API (unique descriptive User-Agent). Traps:
- the payload is wrapped: ``{"kind": "t5", "data": {...}}``;
- ``created`` is offset from UTC: use ``created_utc`` (float epoch seconds);
- users online is ``active_user_count``; older payloads only have ``accounts_active``
  (both may be fuzzed by Reddit);
- private or banned subreddits answer 403/404 with a JSON ``reason`` (the HTTP layer reports it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put, when
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["reddit"].default_api


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    name = source.id.removeprefix("r/")
    endpoint = f"{api_base(source, DEFAULT_API)}/r/{name}/about.json"
    payload = expect_object(http.get(endpoint).json(), "a subreddit listing", endpoint)
    data = payload.get("data")
    if payload.get("kind") != "t5" or not isinstance(data, dict):
        raise SourceError(
            f"{endpoint}: not a subreddit (expected kind t5 with data); "
            "was it renamed, banned or made private?"
        )
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(data, "subscribers", endpoint))
    online = count(data, "active_user_count", endpoint)
    if online is None:
        online = count(data, "accounts_active", endpoint)
    put(result.metrics, "online", online)
    result.created_at = when(data.get("created_utc"), "created_utc", endpoint)
    if not result.metrics:
        raise SourceError(f"{endpoint}: the subreddit publishes no subscriber count")
    return result
