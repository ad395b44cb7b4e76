"""The one HTTP session of the collectors.

Interface used by every source::

    response = http.get(url, params={...}, headers={...}, auth=Auth("GITHUB_TOKEN"))
    payload = response.json()

What it does for every request, so that no source has to:

- connect and read timeouts, and a total deadline per exchange that holds while the body is
  read (a server sending a ``Content-Length`` and then dripping bytes is cut off at the deadline);
  retries with exponential backoff and jitter on connection errors, timeouts and 5xx answers
  (``retry``);
- rate limits (``ratelimit``): a short wait (<= ``max_wait``) is waited, a long one raises
  ``FetchError("rate_limited", retry_at=...)`` so the source goes stale with the reset time.
  ``defer(host, seconds)`` is the one waiting mechanism (Stack Exchange's ``backoff`` uses it);
- at most ``per_host`` requests in flight to one host: requests' ``HTTPAdapter`` keeps one
  connection pool per host of ``per_host`` connections and blocks (``pool_block``) until one is
  free; a streamed body holds its connection until it is read;
- bodies are streamed and bounded (``too_large``); redirects are followed only within the same
  host (otherwise ``redirect``), and a redirect from https to http drops every credential;
  a User-Agent naming the site;
- record (``record=path``) and replay (``replay=path``) of every exchange as a VCR.py cassette
  (``cassette``).

Tokens are read from the environment at request time; every message, log line of urllib3 and
recorded byte passes the client's ``Redactor`` (``redact``), so no token leaves in any spelling.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from community_metrics.collect.http import ratelimit, retry, transport
from community_metrics.collect.http.auth import (
    Auth,
    attach,
    hidden_headers,
    leaves_https,
    redirect_headers,
)
from community_metrics.collect.http.cassette import Cassette
from community_metrics.collect.http.errors import FetchError, Transient
from community_metrics.collect.http.redact import RedactingFilter, Redactor, has_userinfo
from community_metrics.collect.http.response import HttpResponse, host_of
from community_metrics.collect.http.status import check_status

logger = logging.getLogger(__name__)

USER_AGENT = "CommunityPulse/0.1 (+https://github.com/community-pulse/community-pulse)"

DEFAULT_TIMEOUT = (5.0, 20.0)  # (connect, read) seconds
DEFAULT_RETRIES = retry.DEFAULT_RETRIES
DEFAULT_BACKOFF = retry.DEFAULT_BACKOFF
DEFAULT_MAX_WAIT = 30.0  # longest rate-limit wait worth sitting through, seconds
DEFAULT_PER_HOST = 4
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TOTAL_TIMEOUT = 60.0  # one exchange, body included: a server dripping bytes is cut off
MAX_REDIRECTS = 5
MAX_RATE_LIMIT_WAITS = retry.MAX_RATE_LIMIT_WAITS
# Connection pools kept (one per host). An evicted pool would forget how many connections its
# host has in flight, so the bound is set above any registry's number of distinct hosts.
MAX_POOLS = 100_000

_REDIRECTS = (301, 302, 303, 307, 308)

_URLLIB3_LOGGER = logging.getLogger("urllib3.connectionpool")


class HttpClient:
    """The one session. Thread-safe: collectors call ``get`` from many threads at once."""

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_wait: float = DEFAULT_MAX_WAIT,
        per_host: int = DEFAULT_PER_HOST,
        max_bytes: int = DEFAULT_MAX_BYTES,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        record: str | Path | None = None,
        replay: str | Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ):
        if record and replay:
            raise ValueError("record and replay cannot be used together")
        self.session = requests.Session()
        # one pool per host, per_host connections, blocking when all are busy: the per-host limit
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=MAX_POOLS,
            pool_maxsize=max(per_host, 1),
            pool_block=True,
            max_retries=0,
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.per_host = per_host
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self.sleep = sleep
        self.clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._not_before: dict[str, float] = {}
        self.redactor = Redactor()
        self._log_filter = RedactingFilter(self.redactor)
        _URLLIB3_LOGGER.addFilter(self._log_filter)
        self.cassette: Cassette | None = None
        if record:
            self.cassette = Cassette(Path(record), mode="record", redactor=self.redactor)
        elif replay:
            self.cassette = Cassette(Path(replay), mode="replay", redactor=self.redactor)

    @property
    def replaying(self) -> bool:
        return self.cassette is not None and self.cassette.mode == "replay"

    # --- public interface ----------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: Auth | None = None,
    ) -> HttpResponse:
        return self.request("GET", url, params=params, headers=headers, auth=auth)

    def post(
        self,
        url: str,
        *,
        data: dict[str, str] | None = None,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: Auth | None = None,
    ) -> HttpResponse:
        """A form (``data``) or JSON (``json_body``) POST: token exchanges, GraphQL queries.
        Never retried on a server error after the body was sent; redirects are not followed."""
        return self.request(
            "POST", url, params=params, headers=headers, auth=auth, data=data, json_body=json_body
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: Auth | None = None,
        data: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> HttpResponse:
        try:
            response = self._request(method, url, params, headers, auth, data, json_body)
            response.url = self.redact(response.url)  # a token sent as a query parameter
            return response
        except FetchError as exc:
            # the one place messages leave this module: scrub any token that slipped in
            exc.message = self.redact(exc.message)
            exc.url = self.redact(exc.url)
            exc.body = self.redactor.bytes(exc.body)
            exc.args = (exc.message,)
            raise

    def defer(self, host_or_url: str, seconds: float) -> None:
        """No request to this host before ``seconds`` from now (platform ``backoff`` fields)."""
        host = host_of(host_or_url) if "//" in host_or_url else host_or_url.lower()
        try:
            wait = float(seconds)
        except OverflowError:  # an integer of hundreds of digits from a JSON body
            wait = math.inf
        until = self.clock() + (ratelimit.bounded(wait) or 0.0)
        with self._lock:
            self._not_before[host] = max(self._not_before.get(host, 0.0), until)

    def add_secret(self, secret: str) -> None:
        """A secret that did not come from an ``Auth`` (an OAuth access token obtained during the
        run): scrubbed from messages, logs and recordings like the others."""
        self.redactor.add(secret)

    def redact(self, text: str) -> str:
        return self.redactor.text(text)

    def close(self) -> None:
        """Save the recording (if any) and close the session."""
        try:
            if self.cassette is not None:
                self.cassette.save()
        finally:
            self.session.close()
            _URLLIB3_LOGGER.removeFilter(self._log_filter)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- one request: credentials, then redirects -----------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        headers: dict[str, str] | None,
        auth: Auth | None,
        data: dict[str, str] | None,
        json_body: Any,
    ) -> HttpResponse:
        if has_userinfo(url):
            raise FetchError(
                "auth",
                url,
                f"{self.redact(url)} carries credentials in the URL: put the token in an "
                "environment variable (token_env) instead",
            )
        send = dict(headers or {})
        params = dict(params or {})
        token = os.environ.get(auth.env) if auth else None
        if auth and not token and (auth.required or auth.in_path or auth.basic_user):
            raise FetchError("auth", url, f"${auth.env} is not set: this source needs it")
        if auth and token:
            url = attach(auth, token, url, params, send, self.redactor)
        try:
            prepared = self.session.prepare_request(
                requests.Request(
                    method, url, params=params or None, headers=send, data=data, json=json_body
                )
            )
        except (requests.RequestException, ValueError) as exc:
            raise FetchError(
                "connection", url, f"cannot send a request to {url}: {exc.__class__.__name__}"
            ) from None
        target = prepared.url or url
        body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body
        if body is not None and prepared.headers.get("Content-Type"):
            send["Content-Type"] = prepared.headers["Content-Type"]
        return self._follow(method, target, send, auth, bool(token), body)

    def _follow(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        auth: Auth | None,
        has_token: bool,
        body: bytes | None = None,
    ) -> HttpResponse:
        first = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._fetch(method, url, headers, body, auth)
            if response.status not in _REDIRECTS or method != "GET":
                return check_status(response, auth, has_token, self.retries + 1)
            location = response.headers.get("Location")
            if not location:
                raise FetchError(
                    "redirect",
                    url,
                    f"{url} answered {response.status} without a Location",
                    status=response.status,
                )
            target = urljoin(url, location)
            if host_of(target) != host_of(first) or urlsplit(target).scheme not in (
                "http",
                "https",
            ):
                raise FetchError(
                    "redirect",
                    url,
                    f"{url} redirects to another host ({target}); "
                    "not followed: point the source at the new address",
                    status=response.status,
                )
            if leaves_https(url, target) and self.redact(target) != target:
                raise FetchError(
                    "redirect",
                    url,
                    f"{url} redirects to plain http with the token in the address ({target}); "
                    "not followed",
                    status=response.status,
                )
            headers = redirect_headers(headers, url, target, auth)
            url = target
        raise FetchError("redirect", first, f"{first} redirected more than {MAX_REDIRECTS} times")

    # --- one URL, with retries and rate limits --------------------------------------------

    def _fetch(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None = None,
        auth: Auth | None = None,
    ) -> HttpResponse:
        host = host_of(url)
        attempt = 0
        rate_waits = 0
        while True:
            self._wait_for_host(host, url)
            try:
                response = self._send(method, url, headers, body, auth)
            except Transient as exc:
                if attempt >= self.retries:
                    raise FetchError(
                        exc.kind, url, f"{exc.message} (after {attempt + 1} attempts)"
                    ) from None
                self._pause(retry.backoff_delay(self.backoff, attempt, self._rng))
                attempt += 1
                continue
            now = self.clock()
            wait = ratelimit.rate_limit_wait(
                response.status, response.headers, now, fallback=self.backoff * 4
            )
            if wait is not None:
                if wait > self.max_wait or rate_waits >= MAX_RATE_LIMIT_WAITS:
                    raise self._rate_limited(url, response.status, now, wait, rate_waits)
                logger.info(
                    "community_metrics: %s rate limited (%s), waiting %.1f s",
                    host,
                    response.status,
                    wait,
                )
                self.defer(host, wait)
                rate_waits += 1
                continue
            if response.status >= 500:
                if not retry.retry_server_error(method, response.status, attempt, self.retries):
                    return response  # _check_status reports it
                self._pause(retry.backoff_delay(self.backoff, attempt, self._rng))
                attempt += 1
                continue
            spent = ratelimit.quota_spent_wait(response.headers, now)
            if spent:
                self.defer(host, spent)
            return response

    def _rate_limited(
        self, url: str, status: int, now: float, wait: float, waits: int
    ) -> FetchError:
        retry_at = ratelimit.retry_moment(now, wait)
        until = f"until {retry_at:%Y-%m-%d %H:%M:%S} UTC"
        if wait > self.max_wait:
            why = f"not waiting {wait:.0f} s (more than {self.max_wait:.0f} s)"
        else:
            why = f"rate limited {waits + 1} times in a row; not waiting again"
        return FetchError(
            "rate_limited",
            url,
            f"{url} is rate limited ({status}) {until}; {why}",
            status=status,
            retry_at=retry_at,
        )

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None = None,
        auth: Auth | None = None,
    ) -> HttpResponse:
        """One exchange; replayed or recorded when asked (recorded without credentials)."""
        hidden = hidden_headers(auth)
        recorded_headers = {
            name: value
            for name, value in {**self.session.headers, **headers}.items()
            if name.lower() not in hidden
        }
        if self.replaying:
            assert self.cassette is not None
            played = self.cassette.play(self.redact(url), recorded_headers, method)
            if played is None:
                raise FetchError(
                    "replay_missing",
                    url,
                    f"{method} {url} is not in the cassette {self.cassette.path}: "
                    "record it again with --record",
                )
            played.url = url
            return played
        response = transport.exchange(
            self.session,
            method,
            url,
            headers,
            body,
            timeout=self.timeout,
            total_timeout=self.total_timeout,
            max_bytes=self.max_bytes,
        )
        if self.cassette is not None:
            self.cassette.add(url, recorded_headers, response, method)
        return response

    # --- waiting ----------------------------------------------------------------------------

    def _wait_for_host(self, host: str, url: str) -> None:
        with self._lock:
            until = self._not_before.get(host, 0.0)
        now = self.clock()
        wait = until - now
        if wait <= 0:
            return
        if wait > self.max_wait:
            retry_at = ratelimit.retry_moment(now, wait)
            raise FetchError(
                "rate_limited",
                url,
                f"{host} asked to wait until {retry_at:%Y-%m-%d %H:%M:%S} UTC; "
                f"not waiting {wait:.0f} s (more than {self.max_wait:.0f} s)",
                retry_at=retry_at,
            )
        self._pause(wait)

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and not self.replaying:
            self.sleep(seconds)
