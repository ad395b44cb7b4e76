"""The HTTP layer of the collectors, in parts:

- ``client``: ``HttpClient`` (the one session: timeouts, the total deadline, redirects, the
  per-host limit) and ``Auth`` (where a token goes);
- ``ratelimit``: rate-limit headers as pure functions of the headers and a clock;
- ``retry``: the backoff policy;
- ``cassette``: the VCR.py adapter (record and replay);
- ``redact``: the one place every message and every recorded byte passes;
- ``errors``: ``FetchError`` and its kinds; ``response``: ``HttpResponse``.
"""

from community_metrics.collect.http.cassette import Cassette
from community_metrics.collect.http.client import (
    DEFAULT_BACKOFF,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_WAIT,
    DEFAULT_PER_HOST,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    MAX_RATE_LIMIT_WAITS,
    MAX_REDIRECTS,
    USER_AGENT,
    Auth,
    HttpClient,
)
from community_metrics.collect.http.errors import FETCH_ERROR_KINDS, FetchError
from community_metrics.collect.http.response import HttpResponse, describe_body, host_of

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_WAIT",
    "DEFAULT_PER_HOST",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "FETCH_ERROR_KINDS",
    "MAX_RATE_LIMIT_WAITS",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "Auth",
    "Cassette",
    "FetchError",
    "HttpClient",
    "HttpResponse",
    "describe_body",
    "host_of",
]
