"""Slack channel: ``GET https://slack.com/api/conversations.info?channel={id}&include_num_members=true``
with ``Authorization: Bearer {SLACK_BOT_TOKEN}``.

Docs: https://docs.slack.dev/reference/methods/conversations.info and
https://docs.slack.dev/apis/web-api/rate-limits . Traps:
- errors come as **200** with ``{"ok": false, "error": "channel_not_found"}``; the token
  errors (``not_authed``, ``invalid_auth``, ``token_revoked``, ``missing_scope`` …) are
  reported as authentication failures naming the variable;
- ``num_members`` appears only with ``include_num_members=true``;
- ``created`` is epoch seconds; rate limits are 429 with ``Retry-After`` (the HTTP layer).
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

DEFAULT_API = PLATFORMS["slack"].default_api
HOW_TO_GET = (
    "create a Slack app at api.slack.com/apps with the channels:read scope, install it in "
    "the workspace and store its Bot User OAuth Token (xoxb-…) as ${env} "
    "(a repository secret for the nightly workflow)"
)
#: ``error`` values that mean the token, not the channel, is the problem
TOKEN_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
    }
)


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    env = source.token_env or PLATFORMS["slack"].default_token_env
    endpoint = f"{api_base(source, DEFAULT_API)}/conversations.info"
    shown = f"{endpoint}?channel={source.id}&include_num_members=true"
    with secret_hint(HOW_TO_GET.format(env=env)):
        answer = http.get(
            endpoint,
            params={"channel": source.id, "include_num_members": "true"},
            auth=Auth(env, required=True),
        )
        payload = expect_object(answer.json(), "a Web API answer", endpoint)
        if payload.get("ok") is not True:
            error = str(payload.get("error") or "no error code")
            if error in TOKEN_ERRORS:
                raise FetchError("auth", shown, f"{shown} refused the token in ${env} ({error})")
            raise SourceError(f"{shown}: Slack answered ok=false ({error})")
    channel = payload.get("channel")
    if not isinstance(channel, dict):
        raise SourceError(f"{endpoint}: no 'channel' object in the answer")
    result = SourceResult(endpoint=shown)
    put(result.metrics, "members", count(channel, "num_members", endpoint))
    result.created_at = when(channel.get("created"), "created", endpoint)
    if not result.metrics:
        raise SourceError(f"{endpoint}: no 'num_members' in the channel")
    return result
