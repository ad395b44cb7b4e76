"""Say what a server returned when it blocked us instead of answering.

From a GitHub-hosted runner (shared cloud IP ranges) some servers answer an HTML page instead of
their JSON: Reddit's network-policy block page ("whoa there, pardner!", "You've been blocked by
network security"; see UmbrellaDocs/linkspector#76, asadm/markdowndown#5), a Cloudflare bot
challenge ("Just a moment...", header ``cf-mitigated: challenge``), an Anubis proof-of-work page
("Making sure you're not a bot!"), or another firewall's page. ``describe_block`` names it (by
whom, when recognisable; the page's title otherwise) and ``explains_blocks`` turns such a
failure into a message that says it was blocked, by whom, and what fixes it.
"""

from __future__ import annotations

import functools
import html
import re
from typing import TYPE_CHECKING

from community_metrics.collect.http import FetchError

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.collect.sources.base import Fetch
    from community_metrics.registry.config import SourceConfig

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)

#: (needle in the lower-cased body, who) -- the first that matches names the page
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"whoa there, pardner", "Reddit's network-policy block page"),
    (b"blocked by network security", "Reddit's network-security block page"),
    (b"blocked due to a network policy", "Reddit's network-policy block page"),
    (b"just a moment...", "a Cloudflare bot challenge"),
    (b"challenges.cloudflare.com", "a Cloudflare bot challenge"),
    (b"cf-chl", "a Cloudflare bot challenge"),
    (b"attention required! | cloudflare", "a Cloudflare block page"),
    (b"anubis", "an Anubis proof-of-work bot challenge"),
    (b"making sure you&#39;re not a bot", "an Anubis proof-of-work bot challenge"),
    (b"making sure you're not a bot", "an Anubis proof-of-work bot challenge"),
    (b"ddos-guard", "a DDoS-Guard challenge"),
    (b"sucuri website firewall", "a Sucuri firewall page"),
)

#: statuses a block page comes with (200: a challenge served as a page, seen as "not JSON")
BLOCK_STATUSES = (200, 403, 429, 503)


def page_title(body: bytes) -> str | None:
    """The ``<title>`` of an HTML body, unescaped, on one line, at most 80 characters."""
    found = _TITLE.search(body[:16384])
    if not found:
        return None
    text = " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split())
    return text[:80] or None


def is_html(body: bytes) -> bool:
    start = body.lstrip()[:15].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<!--"))


def describe_block(status: int | None, body: bytes, headers: dict[str, str] | None = None) -> str:
    """What came back, for a message: 'a Cloudflare bot challenge ("Just a moment...")'."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    lowered = body[:16384].lower()
    who = None
    if headers.get("cf-mitigated", "").lower() == "challenge":
        who = "a Cloudflare bot challenge"
    for needle, name in _SIGNATURES:
        if who is None and needle in lowered:
            who = name
    title = page_title(body)
    if who is None:
        who = "an HTML page" if is_html(body) or title else "an answer that is not JSON"
    return f'{who} ("{title}")' if title else who


def blocked(exc: FetchError) -> bool:
    """True when the failure looks like a block or challenge page rather than an API error."""
    if exc.status not in BLOCK_STATUSES and exc.kind != "bad_json":
        return False
    body = exc.body or b""
    return bool(body) and (is_html(body) or page_title(body) is not None)


def recognised(body: bytes, headers: dict[str, str] | None = None) -> bool:
    """True when the page is a known block or challenge page (not merely some HTML)."""
    return not describe_block(None, body, headers).startswith(("an HTML page", "an answer"))


def block_message(exc: FetchError, platform: str, fix: str, http: HttpClient | None = None) -> str:
    status = f"{exc.status}" if exc.status else "an answer"
    what = describe_block(exc.status, exc.body)
    if recognised(exc.body):
        why = (
            f"{platform} blocked the request (GitHub-hosted runners share cloud IP ranges "
            "that many servers refuse)"
        )
    else:
        why = (
            "a block page for cloud IP ranges such as GitHub's runners, a login wall, or "
            f"{platform} has no API at this address"
        )
    text = f"{exc.url} answered {status} with {what} instead of JSON: {why}. {fix}"
    return http.redact(text) if http is not None else text


def explains_blocks(platform: str, fix: str):
    """Decorate a ``fetch``: a block or challenge page fails the source with a message naming
    what was returned and ``fix``; every other failure passes through unchanged."""

    def decorate(fetch: Fetch) -> Fetch:
        @functools.wraps(fetch)
        def guarded(source: SourceConfig, http: HttpClient):
            try:
                return fetch(source, http)
            except FetchError as exc:
                if not blocked(exc):
                    raise
                raise FetchError(
                    "blocked" if exc.kind != "rate_limited" else exc.kind,
                    exc.url,
                    block_message(exc, platform, fix, http),
                    status=exc.status,
                    retry_at=exc.retry_at,
                    body=exc.body,
                ) from None

        return guarded

    return decorate
