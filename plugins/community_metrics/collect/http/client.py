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

import base64
import contextlib
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from community_metrics.collect.http import ratelimit, retry
from community_metrics.collect.http.cassette import Cassette
from community_metrics.collect.http.errors import FetchError, Transient, connection_reason
from community_metrics.collect.http.redact import RedactingFilter, Redactor, has_userinfo
from community_metrics.collect.http.response import (
    HttpResponse,
    describe_body,
    host_of,
    platform_reason,
)

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
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")
# characters a token may keep in a URL path segment (RFC 3986 pchar); the rest is %-encoded
_PATH_SAFE = "-._~!$&'()*+,;=:@"

_URLLIB3_LOGGER = logging.getLogger("urllib3.connectionpool")


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


def leaves_https(source: str, target: str) -> bool:
    return urlsplit(source).scheme == "https" and urlsplit(target).scheme != "https"


def redirect_headers(
    headers: Mapping[str, str], source: str, target: str, auth: Auth | None
) -> dict[str, str]:
    """The headers to send to a redirect ``target``: all of them, except that a redirect that
    leaves https (to http) drops the auth header and every credential header."""
    if leaves_https(source, target):
        dropped = {*_CREDENTIAL_HEADERS, *([auth.header.lower()] if auth else [])}
        return {name: value for name, value in headers.items() if name.lower() not in dropped}
    return dict(headers)


def _socket_of(answer: requests.Response) -> socket.socket | None:
    """The socket a streamed answer is read from: the connection's, or, once http.client
    handed the connection over to the response (``Connection: close``), the one under the
    response's file object."""
    sock = getattr(getattr(answer.raw, "connection", None), "sock", None)
    if sock is None:
        file = getattr(getattr(answer.raw, "_fp", None), "fp", None)  # http.client's reader
        sock = getattr(getattr(file, "raw", None), "_sock", None)  # socket.SocketIO
    return sock if isinstance(sock, socket.socket) else None


class _Deadline:
    """The deadline of one exchange from its headers on (the time spent waiting for a free
    connection to a busy host does not count). Reading the body, a blocked ``recv`` returns at the
    deadline at the latest: a timer shuts the socket down (a socket timeout alone restarts with
    every dripped byte)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = threading.Event()

    def passed(self) -> bool:
        return self.expired.is_set() or time.monotonic() > self.ends

    @contextlib.contextmanager
    def guard(self, answer: requests.Response) -> Iterator[None]:
        sock = _socket_of(answer)

        def cut() -> None:
            self.expired.set()
            if sock is not None:
                with contextlib.suppress(OSError):
                    # the plain socket's shutdown, also under TLS: the reader sees end of file
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

        timer = threading.Timer(max(0.0, self.ends - time.monotonic()), cut)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()


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
            exc.args = (exc.message,)
            raise

    def defer(self, host_or_url: str, seconds: float) -> None:
        """No request to this host before ``seconds`` from now (platform ``backoff`` fields)."""
        host = host_of(host_or_url) if "//" in host_or_url else host_or_url.lower()
        until = self.clock() + (ratelimit.bounded(float(seconds)) or 0.0)
        with self._lock:
            self._not_before[host] = max(self._not_before.get(host, 0.0), until)

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
            self.redactor.add(token)
            if auth.in_path:
                url = url.replace("{token}", quote(token, safe=_PATH_SAFE))
            elif auth.param:
                params[auth.param] = token
            elif auth.basic_user is not None:
                pair = base64.b64encode(f"{auth.basic_user}:{token}".encode()).decode("ascii")
                self.redactor.add(pair)
                send[auth.header] = f"Basic {pair}"
            else:
                send[auth.header] = f"{auth.scheme} {token}".strip()
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
                return self._check_status(response, auth, has_token)
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
        recorded_headers = {
            name: value
            for name, value in {**self.session.headers, **headers}.items()
            if name.lower() not in _CREDENTIAL_HEADERS
            and not (auth and name.lower() == auth.header.lower())
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
        response = self._send_live(method, url, headers, body)
        if self.cassette is not None:
            self.cassette.add(url, recorded_headers, response, method)
        return response

    def _send_live(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None = None
    ) -> HttpResponse:
        # started once the headers are in: waiting for a free connection to a busy host does
        # not count; connecting and the wait for the headers are bounded by ``timeout``
        deadline: _Deadline | None = None
        still_sending = Transient(
            "timeout", f"{url} was still sending after {self.total_timeout:g} s"
        )
        try:
            with self.session.request(
                method,
                url,
                headers=headers,
                data=body,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
            ) as answer:
                deadline = _Deadline(self.total_timeout)
                answer_headers = CaseInsensitiveDict(answer.headers)
                declared = answer.headers.get("Content-Length", "")
                if declared.isascii() and declared.isdigit():
                    if len(declared) > 18:  # int() refuses thousands of digits; no body is that big
                        raise self._too_large(url, None)
                    if int(declared) > self.max_bytes:
                        raise self._too_large(url, int(declared))
                received = bytearray()
                with deadline.guard(answer):
                    for chunk in answer.iter_content(chunk_size=65536):
                        received.extend(chunk)
                        if len(received) > self.max_bytes:
                            raise self._too_large(url, None)
                        if deadline.passed():
                            raise still_sending
                if deadline.expired.is_set():  # cut off: what arrived is not the whole body
                    raise still_sending
                return HttpResponse(url, answer.status_code, answer_headers, bytes(received))
        except (FetchError, Transient):
            raise
        except UnicodeError:  # http.client sends headers as Latin-1: a token that is not
            raise FetchError(
                "connection", url, f"request to {url} failed: a header holds non-Latin-1 text"
            ) from None
        except requests.Timeout:
            raise Transient(
                "timeout", f"{url} did not answer within {self.timeout[1]:g} s"
            ) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if deadline is not None and deadline.expired.is_set():
                raise still_sending from None
            reason = connection_reason(exc)
            raise Transient("connection", f"cannot reach {url}: {reason}") from None
        except requests.RequestException as exc:
            raise FetchError(
                "connection", url, f"request to {url} failed: {exc.__class__.__name__}"
            ) from None

    def _too_large(self, url: str, declared: int | None) -> FetchError:
        size = f"{declared} bytes" if declared is not None else "more than that"
        return FetchError(
            "too_large",
            url,
            f"{url} sent {size}; the limit is {self.max_bytes} bytes: not read further",
        )

    def _check_status(
        self, response: HttpResponse, auth: Auth | None, has_token: bool
    ) -> HttpResponse:
        status = response.status
        if 200 <= status < 300:
            return response
        url = response.url
        reason = platform_reason(response)
        said = f" ({reason})" if reason else ""
        if status == 404:
            raise FetchError(
                "not_found",
                url,
                f"{url} answered 404{said}: the community was renamed or deleted, "
                "or the identifier is wrong",
                status=404,
            )
        if status in (401, 403) and auth and has_token:
            raise FetchError(
                "auth",
                url,
                f"{url} refused the token in ${auth.env} ({status}){said}: "
                f"check or renew ${auth.env}",
                status=status,
            )
        if status == 401:
            hint = f": set ${auth.env}" if auth else ""
            raise FetchError(
                "auth", url, f"{url} requires authentication (401){said}{hint}", status=401
            )
        if status >= 500:
            what = describe_body(response)
            body = f" with {what}" if what != "invalid JSON (truncated or malformed)" else ""
            raise FetchError(
                "http",
                url,
                f"{url} answered {status}{body}{said} (server error, after "
                f"{self.retries + 1} attempts)",
                status=status,
            )
        raise FetchError("http", url, f"{url} answered {status}{said}", status=status)

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
