"""Zulip organization: ``GET https://{realm}/api/v1/users`` with HTTP basic authentication
(the bot's e-mail address, ``ZULIP_API_KEY``).

Docs: https://zulip.com/api/get-users and https://zulip.com/api/http-headers . Traps:
- the answer lists every account, deactivated ones (``is_active`` false) and bots
  (``is_bot``) included: members are the active humans, counted here; the list itself
  (names, e-mail addresses) is never kept;
- errors are ``{"result": "error", "msg": …, "code": …}`` (401 for a bad key);
- any user's or bot's key can read the list; a bot made in the organization's
  "Personal settings > Bots" is the usual choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.http import Auth, FetchError
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, expect_object, secret_hint
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

HOW_TO_GET = (
    "in the Zulip organization open Personal settings > Bots, add a Generic bot, give its "
    "e-mail as 'bot_email:' of this source and store its API key as ${env} "
    "(a repository secret for the nightly workflow)"
)


def count_active_humans(members: list[object], endpoint: str) -> int:
    """Members that are active and not bots; nothing else of the list is read."""
    total = 0
    for member in members:
        if not isinstance(member, dict):
            raise SourceError(f"{endpoint}: 'members' holds a {type(member).__name__}")
        if member.get("is_active") is True and member.get("is_bot") is not True:
            total += 1
    return total


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    env = source.token_env or PLATFORMS["zulip"].default_token_env
    endpoint = f"{api_base(source, f'https://{source.id}')}/api/v1/users"
    email = source.options.get("bot_email")
    how = HOW_TO_GET.format(env=env)
    if not email:
        raise FetchError(
            "auth",
            endpoint,
            f"{endpoint} needs the e-mail address of a bot ('bot_email:' of this source) "
            f"and its API key in ${env}. To get them: {how}",
        )
    with secret_hint(how):
        answer = http.get(endpoint, auth=Auth(env, basic_user=str(email)))
    payload = expect_object(answer.json(), "a user list", endpoint)
    members = payload.get("members")
    if payload.get("result") not in (None, "success") or not isinstance(members, list):
        said = payload.get("msg") or "no 'members' list"
        raise SourceError(f"{endpoint}: not a user list ({said})")
    result = SourceResult(endpoint=endpoint)
    result.metrics["members"] = count_active_humans(members, endpoint)
    return result
