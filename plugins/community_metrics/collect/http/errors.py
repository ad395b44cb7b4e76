"""What a failed exchange raises: ``FetchError`` with a ``kind`` and a message a maintainer can
act on (already redacted when it leaves the client)."""

from __future__ import annotations

from datetime import datetime

FETCH_ERROR_KINDS = (
    "connection",
    "timeout",
    "http",
    "not_found",
    "auth",
    "rate_limited",
    "bad_json",
    "too_large",
    "redirect",
    "replay_missing",
    "blocked",  # a block or bot-challenge page (set by the sources, collect/sources/blocking.py)
)
BODY_KEPT = 16384  # bytes of an error answer kept on the FetchError (block pages, error JSON)


class FetchError(Exception):
    """kind: one of connection, timeout, http, not_found, auth, rate_limited, bad_json,
    too_large, redirect, replay_missing, blocked."""

    def __init__(
        self,
        kind: str,
        url: str,
        message: str,
        *,
        status: int | None = None,
        retry_at: datetime | None = None,
        body: bytes = b"",
    ):
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.message = message
        self.status = status
        self.retry_at = retry_at
        #: the start of the answer's body (redacted), so a source can tell a block page apart
        self.body = body[:BODY_KEPT]


class Transient(Exception):
    """A failure worth retrying (connection, timeout); becomes a FetchError when retries end."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def connection_reason(exc: Exception) -> str:
    """A short cause for a connection failure, without the library's long repr chain."""
    text = str(exc)
    for needle, reason in (
        ("Connection refused", "connection refused"),
        ("Name or service not known", "host name not found (DNS)"),
        ("nodename nor servname", "host name not found (DNS)"),
        ("Temporary failure in name resolution", "host name not found (DNS)"),
        ("Connection reset", "connection reset by the server"),
        ("RemoteDisconnected", "the server closed the connection without answering"),
        ("IncompleteRead", "the connection dropped while reading the body"),
        ("Connection broken", "the connection dropped while reading the body"),
    ):
        if needle in text:
            return reason
    return exc.__class__.__name__
