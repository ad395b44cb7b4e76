"""Mastodon instance (``GET https://{host}/api/v1/instance``) and account
(``GET https://{host}/api/v1/accounts/lookup?acct={user}``).

Docs: https://docs.joinmastodon.org/methods/instance/ (v1 instance, v2 instance, activity) and
https://docs.joinmastodon.org/methods/accounts/#lookup . Traps:
- v1 is deprecated since 4.0 but still served, and only v1 has the total ``stats.user_count``;
  v2 has ``usage.users.active_month`` (which can legitimately be 0) and no total.
- ``/api/v1/instance/activity`` gives 12 weeks, newest first, with **string** values and
  ``week`` as epoch seconds in a string; the newest week is partial, so ``posts_7d`` is the
  second entry (the last complete week).
- account ``created_at`` is truncated to midnight; IDs are strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.blocking import explains_blocks
from community_metrics.collect.sources.common import (
    api_base,
    count,
    expect_object,
    further,
    put,
    when,
)

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig


def _split_account(ident: str) -> tuple[str, str]:
    user, _, host = ident.lstrip("@").partition("@")
    return user, host


def _activity(base: str, http: HttpClient, result: SourceResult) -> None:
    url = f"{base}/api/v1/instance/activity"
    weeks = http.get(url).json()
    if not isinstance(weeks, list) or not all(isinstance(w, dict) for w in weeks):
        raise SourceError(f"{url}: expected a list of weekly buckets")
    if len(weeks) < 2:
        raise SourceError(f"{url}: fewer than two weeks, no complete week to read")
    complete = weeks[1]  # weeks[0] is the current, partial week
    put(result.metrics, "posts_7d", count(complete, "statuses", url))
    put(result.extra, "logins_7d", count(complete, "logins", url))
    put(result.extra, "registrations_7d", count(complete, "registrations", url))
    week = when(complete.get("week"), "week", url)
    if week:
        result.extra["activity_week"] = week


def _active_month(base: str, http: HttpClient, result: SourceResult) -> None:
    url = f"{base}/api/v2/instance"
    payload = expect_object(http.get(url).json(), "an instance", url)
    usage = payload.get("usage")
    users = usage.get("users") if isinstance(usage, dict) else None
    if not isinstance(users, dict):
        raise SourceError(f"{url}: no 'usage.users' object")
    put(result.metrics, "active_30d", count(users, "active_month", url))


def fetch_instance(source: SourceConfig, http: HttpClient) -> SourceResult:
    base = api_base(source, f"https://{source.id}")
    endpoint = f"{base}/api/v1/instance"
    payload = expect_object(http.get(endpoint).json(), "an instance", endpoint)
    stats = payload.get("stats")
    if not isinstance(stats, dict):
        raise SourceError(f"{endpoint}: no 'stats' object; is {source.id} a Mastodon server?")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(stats, "user_count", endpoint))
    put(result.metrics, "posts", count(stats, "status_count", endpoint))
    put(result.extra, "domains", count(stats, "domain_count", endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: 'stats' holds neither user_count nor status_count")
    further(result, "monthly active users (v2 instance)", lambda: _active_month(base, http, result))
    further(result, "weekly activity", lambda: _activity(base, http, result))
    return result


def fetch_account(source: SourceConfig, http: HttpClient) -> SourceResult:
    user, host = _split_account(source.id)
    endpoint = f"{api_base(source, f'https://{host}')}/api/v1/accounts/lookup"
    account = expect_object(
        http.get(endpoint, params={"acct": user}).json(), "an account", endpoint
    )
    if "followers_count" not in account and "id" not in account:
        raise SourceError(f"{endpoint}: the answer is not an account")
    result = SourceResult(endpoint=f"{endpoint}?acct={user}")
    put(result.metrics, "members", count(account, "followers_count", endpoint))
    put(result.metrics, "posts", count(account, "statuses_count", endpoint))
    put(result.extra, "following", count(account, "following_count", endpoint))
    result.created_at = when(account.get("created_at"), "created_at", endpoint)
    return result


@explains_blocks(
    "the Mastodon server",
    "Ask the server's administrators to let /api/ through for this User-Agent "
    "(COMMUNITY_METRICS_CONTACT names you), or track the community on another server.",
)
def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    return fetch_account(source, http) if source.key == "account" else fetch_instance(source, http)
