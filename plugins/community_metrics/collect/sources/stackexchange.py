"""Stack Exchange site (``GET {api}/2.3/info?site={site}``) and tag
(``GET {api}/2.3/tags/{tag}/info?site={site}``).

Docs: https://api.stackexchange.com/docs/info , https://api.stackexchange.com/docs/tags-by-name
and https://api.stackexchange.com/docs/throttle . Traps:
- every answer is the wrapper ``{items, has_more, quota_max, quota_remaining, backoff?}``;
- ``backoff`` (seconds) must pass before the method is called again: we ``defer`` the whole
  host (stricter than per method, simpler), and the HTTP layer waits or reports the time;
- ``quota_remaining`` 0 means no further request today (the quota resets at UTC midnight);
- an app key (not secret, raises the quota to 10,000/day) is sent as ``key=`` from the
  variable named by ``token_env``;
- ``total_unanswered`` (questions with no upvoted answer, the site's own definition) is
  the ``unanswered`` metric;
- ``new_active_users`` is not a 7/30-day active count, so it stays out of the vocabulary;
- responses are always gzip-compressed (requests decodes them).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from community_metrics.collect.http import Auth
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["stackexchange"].default_api


def _honour_throttle(http: HttpClient, wrapper: dict[str, Any], endpoint: str) -> None:
    """Tell the HTTP layer to hold further requests: ``backoff`` seconds, or until the quota
    resets at midnight UTC when ``quota_remaining`` is 0. It waits when the wait is short and
    fails the next source as rate limited (kept stale, with the time) when it is long."""
    backoff = count(wrapper, "backoff", endpoint)
    remaining = count(wrapper, "quota_remaining", endpoint)
    if backoff:
        http.defer(endpoint, backoff)
    if remaining == 0:
        now = datetime.now(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        http.defer(endpoint, (midnight - now).total_seconds())


def _site_and_tag(source: SourceConfig) -> tuple[str, str | None]:
    if source.key == "site":
        return source.id, None
    site, _, tag = source.id.rpartition("/")
    return site or "stackoverflow", tag


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    site, tag = _site_and_tag(source)
    path = "/2.3/info" if tag is None else f"/2.3/tags/{quote(tag, safe='')}/info"
    endpoint = f"{api_base(source, DEFAULT_API)}{path}"
    auth = Auth(source.token_env, param="key") if source.token_env else None
    answer = http.get(endpoint, params={"site": site}, auth=auth).json()
    wrapper = expect_object(answer, "a wrapper", endpoint)
    _honour_throttle(http, wrapper, endpoint)
    items = wrapper.get("items")
    if not isinstance(items, list):
        raise SourceError(f"{endpoint}: no 'items' list in the answer")
    if not items or not isinstance(items[0], dict):
        what = f"tag '{tag}' on {site}" if tag else f"site '{site}'"
        raise SourceError(f"{endpoint}: no such {what} (empty 'items')")
    item = items[0]
    result = SourceResult(endpoint=f"{endpoint}?site={site}")
    if tag is None:
        put(result.metrics, "members", count(item, "total_users", endpoint))
        put(result.metrics, "topics", count(item, "total_questions", endpoint))
        put(result.metrics, "posts", count(item, "total_answers", endpoint))
        for key in ("questions_per_minute", "answers_per_minute"):
            put(result.extra, key, count(item, key, endpoint, allow_float=True))
        put(result.metrics, "unanswered", count(item, "total_unanswered", endpoint))
    else:
        put(result.metrics, "topics", count(item, "count", endpoint))
    put(result.extra, "quota_remaining", count(wrapper, "quota_remaining", endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: the item holds none of the expected counts")
    return result
