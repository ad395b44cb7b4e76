"""The HTTP layer of the collectors, in parts:

- ``client``: ``HttpClient``, the one session: retries, rate limits, redirects, the per-host
  limit, record and replay;
- ``auth``: ``Auth`` (where a token goes) and which headers never follow a redirect off https;
- ``transport``: one exchange over the wire, its body bounded in size and by a deadline;
- ``status``: what a non-2xx answer means, as a ``FetchError``;
- ``ratelimit``: rate-limit headers as pure functions of the headers and a clock;
- ``retry``: the backoff policy;
- ``cassette``: the VCR.py adapter (record and replay);
- ``redact``: the one place every message and every recorded byte passes;
- ``errors``: ``FetchError`` and its kinds; ``response``: ``HttpResponse``.
"""

from community_metrics.collect.http.auth import Auth
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
