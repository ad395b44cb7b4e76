"""The one HTTP session of the collectors (skeleton: the collectors issue completes it).

Interface used by every source::

    response = http.get(url, params={...}, headers={...}, auth=Auth("GITHUB_TOKEN"))
    payload = response.json()

Non-2xx answers, timeouts, connection errors, oversize bodies and non-JSON bodies raise
``FetchError`` with a ``kind`` and a message a maintainer can act on. Tokens are read from the
environment at request time and never appear in messages, logs or recordings.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

USER_AGENT = "CommunityPulse/0.1 (+https://github.com/community-pulse/community-pulse)"


@dataclass(frozen=True)
class Auth:
    """A token read from ``env`` and sent as ``header: scheme token`` (scheme may be empty)."""

    env: str
    header: str = "Authorization"
    scheme: str = "Bearer"


class FetchError(Exception):
    """kind: one of connection, timeout, http, not_found, auth, rate_limited, bad_json,
    too_large, redirect, replay_missing."""

    def __init__(
        self,
        kind: str,
        url: str,
        message: str,
        *,
        status: int | None = None,
        retry_at: datetime | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.message = message
        self.status = status
        self.retry_at = retry_at


@dataclass
class HttpResponse:
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            kind = self.headers.get("Content-Type", self.headers.get("content-type", ""))
            what = "an HTML page" if "html" in kind.lower() or self.body.lstrip()[:1] == b"<" else "invalid JSON"
            raise FetchError("bad_json", self.url, f"{self.url} returned {what}, not JSON") from None


class HttpClient:
    def __init__(self, *, user_agent: str = USER_AGENT, timeout: tuple[float, float] = (5.0, 20.0)):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.timeout = timeout

    def get(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: Auth | None = None,
    ) -> HttpResponse:
        send = dict(headers or {})
        if auth and os.environ.get(auth.env):
            token = os.environ[auth.env]
            send[auth.header] = f"{auth.scheme} {token}".strip()
        try:
            answer = self.session.get(url, params=params, headers=send, timeout=self.timeout)
        except requests.Timeout:
            raise FetchError("timeout", url, f"{url} did not answer in time") from None
        except requests.ConnectionError as exc:
            raise FetchError("connection", url, f"cannot connect to {url}: {exc.__class__.__name__}") from None
        response = HttpResponse(answer.url, answer.status_code, dict(answer.headers), answer.content)
        if answer.status_code == 404:
            raise FetchError("not_found", url, f"{answer.url} answered 404: renamed or deleted?", status=404)
        if answer.status_code in (401, 403) and auth:
            raise FetchError("auth", url, f"{answer.url} refused the token in ${auth.env} ({answer.status_code})", status=answer.status_code)
        if not 200 <= answer.status_code < 300:
            raise FetchError("http", url, f"{answer.url} answered {answer.status_code}", status=answer.status_code)
        return response

    def close(self) -> None:
        self.session.close()
