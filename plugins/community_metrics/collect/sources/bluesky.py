"""Bluesky account: ``GET https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor={handle}``.

Docs: https://docs.bsky.app/docs/api/app-bsky-actor-get-profile and
https://docs.bsky.app/docs/advanced-guides/rate-limits . Traps:
- ``createdAt`` may be absent on older accounts: the age then stays unknown;
- ``indexedAt`` is when the AppView indexed the profile, **not** the creation date;
- the batch endpoint ``getProfiles`` wraps results as ``{"profiles": [...]}`` (not used here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put, when
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["bluesky"].default_api


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    handle = source.id.lstrip("@")
    endpoint = f"{api_base(source, DEFAULT_API)}/xrpc/app.bsky.actor.getProfile"
    profile = expect_object(
        http.get(endpoint, params={"actor": handle}).json(), "a profile", endpoint
    )
    if "did" not in profile:
        raise SourceError(f"{endpoint}: the answer is not a profile (no 'did')")
    result = SourceResult(endpoint=f"{endpoint}?actor={handle}")
    put(result.metrics, "members", count(profile, "followersCount", endpoint))
    put(result.metrics, "posts", count(profile, "postsCount", endpoint))
    put(result.extra, "follows", count(profile, "followsCount", endpoint))
    result.created_at = when(profile.get("createdAt"), "createdAt", endpoint)
    return result
