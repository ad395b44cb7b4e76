"""Stack Exchange site (``GET {api}/2.3/info?site={site}``) and tag
(``GET {api}/2.3/tags/{tag}/info?site={site}``).

Docs: https://api.stackexchange.com/docs/info , https://api.stackexchange.com/docs/tags-by-name
and https://api.stackexchange.com/docs/throttle . Traps:
- every answer is the wrapper ``{items, has_more, quota_max, quota_remaining, backoff?}``;
- ``backoff`` (seconds) must pass before the method is called again: we ``defer`` the whole
  host (stricter than per method, simpler), and the HTTP layer waits or reports the time;
- ``quota_remaining`` 0 means no further request today (the quota resets at UTC midnight);
- an app key (not secret in their model, but treated as one; raises the quota to 10,000/day) is
  sent as ``key=`` from ``STACKEXCHANGE_KEY`` (or the variable named by ``token_env``);
- the anonymous quota (300/day) is counted per IP, and GitHub-hosted runners share IPs: a spent
  quota answers 400 ``{"error_id": 502, "error_name": "throttle_violation", "error_message":
  "too many requests from this IP, more requests available in N seconds"}``; the message then
  gives the numbers (quota_remaining, quota_max, backoff, the wait) and names the key;
- ``total_unanswered`` (questions with no upvoted answer, the site's own definition) is
  the ``unanswered`` metric;
- ``new_active_users`` is not a 7/30-day active count, so it stays out of the vocabulary;
- responses are always gzip-compressed (requests decodes them).
"""

from __future__ import annotations

import json
import os
import re
import threading
import weakref
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from community_metrics.collect.http import Auth, FetchError
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["stackexchange"].default_api
KEY_ENV = "STACKEXCHANGE_KEY"
REGISTER_APP = "https://stackapps.com/apps/oauth/register"
_WAIT_RE = re.compile(r"available in (\d+) seconds")

# The last quota figures each client saw (one client per run), for the messages.
_QUOTAS: weakref.WeakKeyDictionary[Any, dict[str, int]] = weakref.WeakKeyDictionary()
_QUOTAS_LOCK = threading.Lock()


def key_env(source: SourceConfig) -> str:
    return source.token_env or KEY_ENV


def _remember_quota(http: HttpClient, wrapper: dict[str, Any]) -> None:
    seen = {
        k: v
        for k in ("quota_remaining", "quota_max", "backoff")
        if isinstance(v := wrapper.get(k), int) and not isinstance(v, bool)
    }
    with _QUOTAS_LOCK:
        _QUOTAS[http] = seen


def _key_advice(env: str) -> str:
    if os.environ.get(env):
        return f"${env} is set (10,000 requests a day): the key's own quota is spent too"
    return (
        f"the anonymous quota is 300 requests a day per IP, shared with every job on the same "
        f"runner IP: set ${env} (an app key from {REGISTER_APP}, 10,000 a day)"
    )


def explain_failure(exc: FetchError, http: HttpClient, env: str) -> FetchError | None:
    """A throttle, a spent quota or a refused key, said with its numbers; None otherwise."""
    with _QUOTAS_LOCK:
        seen = dict(_QUOTAS.get(http, {}))
    if exc.kind == "rate_limited" and seen.get("quota_remaining") == 0:
        until = f" until {exc.retry_at:%Y-%m-%d %H:%M} UTC" if exc.retry_at else ""
        return FetchError(
            "rate_limited",
            exc.url,
            f"{exc.url}: Stack Exchange quota used up (quota_remaining 0 of quota_max "
            f"{seen.get('quota_max', '?')}){until}; {_key_advice(env)}",
            status=exc.status,
            retry_at=exc.retry_at,
        )
    if exc.kind == "rate_limited" and seen.get("backoff"):
        return FetchError(
            "rate_limited",
            exc.url,
            f"{exc.message} (Stack Exchange asked for backoff {seen['backoff']} s; "
            f"quota_remaining {seen.get('quota_remaining', '?')})",
            status=exc.status,
            retry_at=exc.retry_at,
        )
    try:
        error = json.loads(exc.body) if exc.body else None
    except (UnicodeDecodeError, ValueError):
        error = None
    if not isinstance(error, dict) or not isinstance(error.get("error_id"), int):
        return None
    error_id, name = error["error_id"], str(error.get("error_name", ""))[:40]
    said = str(error.get("error_message", ""))[:200]
    if error_id == 502 or name == "throttle_violation":
        wait = _WAIT_RE.search(said)
        retry_at = (
            datetime.now(UTC) + timedelta(seconds=int(wait.group(1))) if wait else exc.retry_at
        )
        when = f"; more requests in {int(wait.group(1))} s" if wait else ""
        return FetchError(
            "rate_limited",
            exc.url,
            http.redact(
                f"{exc.url}: Stack Exchange refuses further requests: error_id {error_id} "
                f"{name} ({said}){when}; {_key_advice(env)}"
            ),
            status=exc.status,
            retry_at=retry_at,
        )
    if os.environ.get(env) and (error_id in (401, 402, 403) or "key" in said.lower()):
        return FetchError(
            "auth",
            exc.url,
            http.redact(
                f"{exc.url}: Stack Exchange refused the key in ${env}: error_id {error_id} "
                f"{name} ({said}); check ${env} (the app's 'Key' at "
                "https://stackapps.com/apps/oauth, not its secret)"
            ),
            status=exc.status,
        )
    return None


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
    env = key_env(source)
    try:
        answer = http.get(endpoint, params={"site": site}, auth=Auth(env, param="key")).json()
    except FetchError as exc:
        better = explain_failure(exc, http, env)
        if better is None:
            raise
        raise better from None
    wrapper = expect_object(answer, "a wrapper", endpoint)
    _remember_quota(http, wrapper)
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
