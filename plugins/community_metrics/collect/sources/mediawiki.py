"""MediaWiki wiki: ``GET https://{site}{path}/api.php?action=query&meta=siteinfo
&siprop=statistics&format=json&formatversion=2`` (``path`` defaults to ``/w``).

Docs: https://www.mediawiki.org/wiki/API:Siteinfo (``siprop=statistics``: pages, articles,
edits, images, users, activeusers, admins, jobs) and
https://www.mediawiki.org/wiki/Manual:$wgActiveUserDays (active = an action in the last 30
days by default; the wiki's own definition). Traps:
- an API error is a 200 answer with ``{"error": {"code", "info"}}``;
- Wikimedia asks for a User-Agent with contact information (the client sends the site URL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_PATH = "/w"
PARAMS = {
    "action": "query",
    "meta": "siteinfo",
    "siprop": "statistics",
    "format": "json",
    "formatversion": "2",
}


def script_path(source: SourceConfig) -> str:
    path = str(source.options.get("path", DEFAULT_PATH)).strip()
    return path.rstrip("/")  # "/" (api.php at the root) becomes ""


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    base = api_base(source, f"https://{source.id}")
    endpoint = f"{base}{script_path(source)}/api.php"
    payload = expect_object(http.get(endpoint, params=PARAMS).json(), "an API answer", endpoint)
    error = payload.get("error")
    if isinstance(error, dict):
        said = error.get("info") or error.get("code") or "no reason given"
        raise SourceError(f"{endpoint}: the wiki refused the query: {str(said)[:200]}")
    query = payload.get("query")
    stats = query.get("statistics") if isinstance(query, dict) else None
    if not isinstance(stats, dict):
        raise SourceError(f"{endpoint}: no 'query.statistics'; is {source.id} a MediaWiki wiki?")
    result = SourceResult(endpoint=f"{endpoint}?{urlencode(PARAMS)}")
    put(result.metrics, "members", count(stats, "users", endpoint))
    put(result.metrics, "active_30d", count(stats, "activeusers", endpoint))
    put(result.metrics, "posts", count(stats, "edits", endpoint))
    put(result.metrics, "topics", count(stats, "articles", endpoint))
    put(result.extra, "pages", count(stats, "pages", endpoint))
    put(result.extra, "images", count(stats, "images", endpoint))
    put(result.extra, "admins", count(stats, "admins", endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: 'query.statistics' holds none of the known counts")
    return result
