"""Telegram public channel or group:
``GET https://api.telegram.org/bot{TELEGRAM_BOT_TOKEN}/getChatMemberCount?chat_id=@{name}``.

Docs: https://core.telegram.org/bots/api#getchatmembercount and
https://core.telegram.org/bots/api#making-requests . Traps:
- the bot token sits in the URL **path**: the URL carries a ``{token}`` placeholder that the
  HTTP layer fills at send time and redacts from every message, log line and recording; the
  endpoint kept in the snapshot names the variable instead;
- every answer is ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": …,
  "description": …}``; an unknown chat is a 400 "Bad Request: chat not found";
- a bot can count the members of any public channel or group without joining it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.http import Auth
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import (
    api_base,
    count,
    expect_object,
    put,
    secret_hint,
)
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["telegram"].default_api
HOW_TO_GET = (
    "talk to @BotFather in Telegram (/newbot), copy the bot token it gives and store it as "
    "${env} (a repository secret for the nightly workflow)"
)


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    env = source.token_env or PLATFORMS["telegram"].default_token_env
    chat = source.id if source.id.startswith("@") else f"@{source.id}"
    base = api_base(source, DEFAULT_API)
    url = f"{base}/bot{{token}}/getChatMemberCount"
    shown = f"{base}/bot{{{env}}}/getChatMemberCount"
    with secret_hint(HOW_TO_GET.format(env=env)):
        answer = http.get(url, params={"chat_id": chat}, auth=Auth(env, in_path=True))
    payload = expect_object(answer.json(), "a Bot API answer", shown)
    if payload.get("ok") is not True:
        said = payload.get("description") or "no description"
        raise SourceError(f"{shown}: Telegram answered ok=false for {chat} ({said})")
    result = SourceResult(endpoint=f"{shown}?chat_id={chat}")
    put(result.metrics, "members", count(payload, "result", shown))
    if not result.metrics:
        raise SourceError(f"{shown}: no 'result' count in the answer")
    return result
