"""Stack Exchange site (``GET {api}/2.3/info?site={site}``) and tag
(``GET {api}/2.3/tags/{tag}/info?site={site}``).

Docs: https://api.stackexchange.com/docs/info , https://api.stackexchange.com/docs/tags-by-name
and https://api.stackexchange.com/docs/throttle . Traps:
- every answer is the wrapper ``{items, has_more, quota_max, quota_remaining, backoff?}``;
- ``backoff`` (seconds) must pass before the *same method* is called again: ``BackoffGate``
  waits when the wait is short and refuses (the source fails, stays stale) when it is long;
- ``quota_remaining`` 0 means no further request today (the quota resets at UTC midnight);
- ``new_active_users`` is not a 7/30-day active count, so it stays out of the vocabulary;
- responses are always gzip-compressed (requests decodes them).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from .base import Platform, SourceError, SourceResult
from .common import api_base, count, expect_object, put

if TYPE_CHECKING:
    from ..config import SourceConfig
    from ..http import HttpClient

DEFAULT_API = "https://api.stackexchange.com"
SITE_PATTERN = r"[a-z0-9.-]{2,80}"
TAG_PATTERN = rf"(?:{SITE_PATTERN}/)?[a-z0-9+#.-]{{1,35}}"
#: waits up to this long for a ``backoff``; longer ones fail the source (kept stale).
MAX_BACKOFF_WAIT = 30.0


class BackoffGate:
    """Remembers, per API method, when the next request may be made (``backoff``), and
    whether the daily quota is spent. Shared by every Stack Exchange source of one process."""

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self._lock = threading.Lock()
        self._not_before: dict[str, float] = {}
        self._quota_spent = False
        self._clock = clock
        self._sleep = sleep

    def wait(self, method: str) -> None:
        with self._lock:
            if self._quota_spent:
                raise SourceError(
                    "the Stack Exchange daily quota is spent (quota_remaining 0); "
                    "it resets at midnight UTC"
                )
            wait = self._not_before.get(method, 0.0) - self._clock()
        if wait > MAX_BACKOFF_WAIT:
            raise SourceError(f"Stack Exchange asked to back off {method} for {wait:.0f} s more")
        if wait > 0:
            self._sleep(wait)

    def record(self, method: str, wrapper: dict[str, Any], endpoint: str) -> None:
        backoff = count(wrapper, "backoff", endpoint)
        remaining = count(wrapper, "quota_remaining", endpoint)
        with self._lock:
            if backoff:
                self._not_before[method] = self._clock() + backoff
            if remaining == 0:
                self._quota_spent = True


GATE = BackoffGate()


def _site_and_tag(source: SourceConfig) -> tuple[str, str | None]:
    if source.key == "site":
        return source.id, None
    site, _, tag = source.id.rpartition("/")
    return site or "stackoverflow", tag


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    site, tag = _site_and_tag(source)
    method = "/2.3/info" if tag is None else "/2.3/tags/{tags}/info"
    path = "/2.3/info" if tag is None else f"/2.3/tags/{tag}/info"
    endpoint = f"{api_base(source, DEFAULT_API)}{path}"
    GATE.wait(method)
    wrapper = expect_object(http.get(endpoint, params={"site": site}).json(), "a wrapper", endpoint)
    GATE.record(method, wrapper, endpoint)
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
        put(result.extra, "unanswered", count(item, "total_unanswered", endpoint))
    else:
        put(result.metrics, "topics", count(item, "count", endpoint))
    put(result.extra, "quota_remaining", count(wrapper, "quota_remaining", endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: the item holds none of the expected counts")
    return result


PLATFORM = Platform(
    name="stackexchange",
    title="Stack Exchange site or tag",
    identifiers={
        "site": "a site's API name, e.g. stackoverflow or unix",
        "tag": "a tag on Stack Overflow, e.g. python, or site/tag, e.g. unix/bash",
    },
    fetch=fetch,
    default_api=DEFAULT_API,
    identifier_patterns={"site": SITE_PATTERN, "tag": TAG_PATTERN},
)
