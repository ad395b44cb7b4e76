"""Discord server by invite: ``GET https://discord.com/api/v10/invites/{code}?with_counts=true``.

Docs: https://discord.com/developers/docs/resources/invite#get-invite and
https://discord.com/developers/docs/reference#snowflakes . Traps:
- the counts appear only with ``with_counts=true``;
- IDs are strings; the guild's creation time is in its snowflake:
  ``(id >> 22) + 1420070400000`` milliseconds since the Unix epoch;
- an expired invite answers 404 (JSON ``code`` 10006); Discord rate-limits per route with
  ``Retry-After`` on 429 (the HTTP layer honours it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put, when
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["discord"].default_api
DISCORD_EPOCH_MS = 1420070400000


def snowflake_time(snowflake: str | int) -> datetime:
    """The creation moment encoded in a Discord snowflake ID."""
    millis = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/invites/{source.id}"
    invite = expect_object(
        http.get(endpoint, params={"with_counts": "true"}).json(), "an invite", endpoint
    )
    guild = invite.get("guild")
    if not isinstance(guild, dict):
        raise SourceError(
            f"{endpoint}: the invite is not for a server (no 'guild'); use a server invite code"
        )
    result = SourceResult(endpoint=f"{endpoint}?with_counts=true")
    put(result.metrics, "members", count(invite, "approximate_member_count", endpoint))
    put(result.metrics, "online", count(invite, "approximate_presence_count", endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: no approximate counts in the answer")
    guild_id = guild.get("id")
    if guild_id is not None:
        if not str(guild_id).isdigit():
            raise SourceError(f"{endpoint}: guild.id {guild_id!r} is not a snowflake")
        result.created_at = when(snowflake_time(guild_id), "guild.id", endpoint)
    return result
