"""Where a token goes (``Auth``), and where it must not follow: credential headers are never
recorded, and a redirect that leaves https drops them."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from community_metrics.collect.http.redact import Redactor

CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")
# characters a token may keep in a URL path segment (RFC 3986 pchar); the rest is %-encoded
PATH_SAFE = "-._~!$&'()*+,;=:@"


@dataclass(frozen=True)
class Auth:
    """A secret read from ``env`` at request time, sent where the platform wants it:

    - as ``header: scheme token`` (the default; scheme may be empty);
    - as the query parameter ``param`` (Stack Exchange ``key``, YouTube ``key``);
    - in the URL path, in place of ``{token}`` (``in_path``: Telegram's ``/bot{token}/``);
    - as HTTP basic authentication with ``basic_user`` as the user name (Zulip: bot e-mail).

    With ``required``, a request whose variable is unset is not sent: it fails with a message
    naming the variable (a path or basic secret cannot be left out).
    """

    env: str
    header: str = "Authorization"
    scheme: str = "Bearer"
    param: str | None = None
    in_path: bool = False
    basic_user: str | None = None
    required: bool = False


def attach(
    auth: Auth,
    token: str,
    url: str,
    params: dict[str, Any],
    headers: dict[str, str],
    redactor: Redactor,
) -> str:
    """Put ``token`` where ``auth`` says (editing ``params``/``headers``); returns the URL. Every
    form the secret is sent in is registered with ``redactor`` first."""
    redactor.add(token)
    if auth.in_path:
        return url.replace("{token}", quote(token, safe=PATH_SAFE))
    if auth.param:
        params[auth.param] = token
    elif auth.basic_user is not None:
        pair = base64.b64encode(f"{auth.basic_user}:{token}".encode()).decode("ascii")
        redactor.add(pair)
        headers[auth.header] = f"Basic {pair}"
    else:
        headers[auth.header] = f"{auth.scheme} {token}".strip()
    return url


def hidden_headers(auth: Auth | None) -> set[str]:
    """Header names (lower case) that carry a credential: never recorded, dropped off https."""
    return {*CREDENTIAL_HEADERS, *([auth.header.lower()] if auth else [])}


def leaves_https(source: str, target: str) -> bool:
    return urlsplit(source).scheme == "https" and urlsplit(target).scheme != "https"


def redirect_headers(
    headers: Mapping[str, str], source: str, target: str, auth: Auth | None
) -> dict[str, str]:
    """The headers to send to a redirect ``target``: all of them, except that a redirect that
    leaves https (to http) drops the auth header and every credential header."""
    if leaves_https(source, target):
        dropped = hidden_headers(auth)
        return {name: value for name, value in headers.items() if name.lower() not in dropped}
    return dict(headers)
