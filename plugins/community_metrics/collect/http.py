"""The one HTTP session of the collectors.

Interface used by every source::

    response = http.get(url, params={...}, headers={...}, auth=Auth("GITHUB_TOKEN"))
    payload = response.json()

What it does for every request, so that no source has to:

- connect and read timeouts; retries with exponential backoff and jitter on connection errors,
  timeouts and 5xx answers;
- rate limits: ``Retry-After``, ``X-RateLimit-Remaining/Reset`` (GitHub, Mastodon's lower-case
  ``x-ratelimit-*`` with ISO dates), ``RateLimit-*`` (IETF draft, Bluesky). A short wait
  (<= ``max_wait``) is waited; a long one raises ``FetchError("rate_limited", retry_at=...)``
  so the source goes stale with the reset time. ``defer(host, seconds)`` is the one waiting
  mechanism (Stack Exchange's ``backoff`` field uses it too);
- at most ``per_host`` requests in flight to one host (a semaphore per host);
- bodies are streamed and bounded (``too_large``); redirects are followed only within the same
  host (otherwise ``redirect``); a User-Agent naming the site;
- record (``record=path``) and replay (``replay=path``) of every exchange as a VCR.py cassette.

Non-2xx answers, timeouts, connection errors, oversize bodies and non-JSON bodies raise
``FetchError`` with a ``kind`` and a message a maintainer can act on. Tokens are read from the
environment at request time and never appear in messages, logs or recordings.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

logger = logging.getLogger(__name__)

USER_AGENT = "CommunityPulse/0.1 (+https://github.com/community-pulse/community-pulse)"

DEFAULT_TIMEOUT = (5.0, 20.0)  # (connect, read) seconds
DEFAULT_RETRIES = 2  # retries after the first attempt, for connection errors, timeouts, 5xx
DEFAULT_BACKOFF = 0.5  # seconds; doubled per retry, with jitter
DEFAULT_MAX_WAIT = 30.0  # longest rate-limit wait worth sitting through, seconds
DEFAULT_PER_HOST = 4
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TOTAL_TIMEOUT = 60.0  # one exchange, body included: a server dripping bytes is cut off
MAX_REDIRECTS = 5
MAX_RATE_LIMIT_WAITS = 3

_REDIRECTS = (301, 302, 303, 307, 308)
# Reset values above this are epoch seconds; below it, seconds from now (IETF draft style).
_EPOCH_THRESHOLD = 10**9

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
)


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
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""

    def __post_init__(self) -> None:
        # HTTP header names are case-insensitive: every reader can ask for "Link" or "link"
        if not isinstance(self.headers, CaseInsensitiveDict):
            self.headers = CaseInsensitiveDict(self.headers)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise FetchError(
                "bad_json", self.url, f"{self.url} returned {describe_body(self)}, not JSON"
            ) from None


def describe_body(response: HttpResponse) -> str:
    """'an HTML page', 'an empty body' or 'invalid JSON': what came instead of JSON."""
    kind = response.headers.get("Content-Type", "") or ""
    start = response.body.lstrip()[:1]
    if "html" in kind.lower() or start == b"<":
        return "an HTML page"
    if not response.body.strip():
        return "an empty body"
    return "invalid JSON (truncated or malformed)"


def _platform_reason(response: HttpResponse) -> str:
    """The short reason a JSON error body gives (``message``, ``reason``, ``error``), if any."""
    try:
        data = json.loads(response.body[:65536])
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    if not isinstance(data, dict):
        return ""
    for key in ("message", "reason", "error", "error_message", "description", "msg"):
        value = data.get(key)
        if isinstance(value, dict):  # Google APIs: {"error": {"code": 400, "message": …}}
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return ""


def host_of(url: str) -> str:
    """The key of the per-host limit and of ``defer``: ``host[:port]``, lower case."""
    return urlsplit(url).netloc.lower()


class _Transient(Exception):
    """A failure worth retrying (connection, timeout); becomes a FetchError when retries end."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class Cassette:
    """Record or replay exchanges in VCR.py's cassette format (YAML), safe across threads.

    VCR.py's ``use_cassette`` patches ``http.client`` process-wide, which is not safe with
    requests running in many threads; instead this keeps one ``vcr.cassette.Cassette`` object
    and calls it under a lock, matching on method + URL with the query order-insensitive.
    """

    def __init__(self, path: Path, *, mode: str):
        from vcr import matchers
        from vcr.cassette import Cassette as VcrCassette
        from vcr.record_mode import RecordMode

        match_on = (
            matchers.method,
            matchers.scheme,
            matchers.host,
            matchers.port,
            matchers.path,
            matchers.query,
        )

        self.path = Path(path)
        self.mode = mode
        self._lock = threading.Lock()
        if mode == "replay":
            if not self.path.is_file():
                raise FileNotFoundError(f"cassette {self.path} does not exist")
            try:
                self._cassette = VcrCassette.load(
                    path=str(self.path), record_mode=RecordMode.NONE, match_on=match_on
                )
            except Exception as exc:  # vcr raises ValueError/YAMLError/KeyError on bad files
                raise ValueError(f"cassette {self.path} cannot be read: {exc}") from None
            if not len(self._cassette.data):
                raise ValueError(f"cassette {self.path} holds no recorded request")
        else:
            self._cassette = VcrCassette(
                str(self.path), record_mode=RecordMode.ALL, match_on=match_on
            )

    @staticmethod
    def _request(url: str, headers: Mapping[str, str], method: str = "GET") -> Any:
        from vcr.request import Request

        # request bodies are not recorded: they may carry a secret (a client-credentials grant)
        return Request(method, url, None, dict(headers))

    def play(
        self, url: str, headers: Mapping[str, str], method: str = "GET"
    ) -> HttpResponse | None:
        """The next recorded answer to ``method url``: recorded answers play once each, in
        order (a 429 then its retry), and the last one repeats once all are played."""
        from vcr.errors import UnhandledHTTPRequestError

        request = self._request(url, headers, method)
        with self._lock:
            try:
                recorded = self._cassette.play_response(request)
            except UnhandledHTTPRequestError:
                try:
                    recorded = self._cassette.responses_of(request)[-1]
                except UnhandledHTTPRequestError:
                    return None
        answer_headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for name, values in (recorded.get("headers") or {}).items():
            answer_headers[name] = ", ".join(values) if isinstance(values, list) else str(values)
        body = (recorded.get("body") or {}).get("string", b"")
        if isinstance(body, str):
            body = body.encode("utf-8")
        return HttpResponse(url, int(recorded["status"]["code"]), answer_headers, body)

    def add(
        self, url: str, headers: Mapping[str, str], response: HttpResponse, method: str = "GET"
    ) -> None:
        try:
            message = HTTPStatus(response.status).phrase
        except ValueError:
            message = ""
        recorded = {
            "status": {"code": response.status, "message": message},
            "headers": {name: [value] for name, value in response.headers.items()},
            "body": {"string": response.body},
        }
        with self._lock:
            self._cassette.append(self._request(url, headers, method), recorded)

    def save(self) -> None:
        """Write the cassette atomically (temporary file + rename)."""
        from vcr.serialize import serialize
        from vcr.serializers import yamlserializer

        if self.mode != "record":
            return
        with self._lock:
            text = serialize(
                {"requests": self._cassette.requests, "responses": self._cassette.responses},
                yamlserializer,
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)
        logger.info("community_metrics: recorded %d exchanges in %s", len(self), self.path)

    def __len__(self) -> int:
        return len(self._cassette.data)


class _RedactingFilter(logging.Filter):
    """Scrubs a client's tokens from urllib3's debug lines (they show URLs, and a token may
    travel as a query parameter)."""

    def __init__(self, client: HttpClient):
        super().__init__()
        self.client = client

    def filter(self, record: logging.LogRecord) -> bool:
        if self.client._secrets:  # cheap test first: most clients carry no token
            message = record.getMessage()
            cleaned = self.client.redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


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
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=128, pool_maxsize=max(per_host, 1) * 2, max_retries=0
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
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._not_before: dict[str, float] = {}
        self._secrets: set[str] = set()
        self._log_filter = _RedactingFilter(self)
        _URLLIB3_LOGGER.addFilter(self._log_filter)
        self.cassette: Cassette | None = None
        if record:
            self.cassette = Cassette(Path(record), mode="record")
        elif replay:
            self.cassette = Cassette(Path(replay), mode="replay")

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
        send = dict(headers or {})
        params = dict(params or {})
        token = os.environ.get(auth.env) if auth else None
        if auth and not token and (auth.required or auth.in_path or auth.basic_user):
            raise FetchError(
                "auth", self.redact(url), f"${auth.env} is not set: this source needs it"
            )
        if auth and token:
            self._remember_secret(token)
            if auth.in_path:
                url = url.replace("{token}", token)
            elif auth.param:
                params[auth.param] = token
            elif auth.basic_user is not None:
                pair = base64.b64encode(f"{auth.basic_user}:{token}".encode()).decode("ascii")
                self._remember_secret(pair)
                send[auth.header] = f"Basic {pair}"
            else:
                send[auth.header] = f"{auth.scheme} {token}".strip()
        prepared = self.session.prepare_request(
            requests.Request(
                method, url, params=params or None, headers=send, data=data, json=json_body
            )
        )
        target = prepared.url or url
        body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body
        if body is not None and prepared.headers.get("Content-Type"):
            send["Content-Type"] = prepared.headers["Content-Type"]
        try:
            response = self._follow(method, target, send, auth, bool(token), body)
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
        until = self.clock() + max(0.0, float(seconds))
        with self._lock:
            self._not_before[host] = max(self._not_before.get(host, 0.0), until)

    def redact(self, text: str) -> str:
        for secret in tuple(self._secrets):  # a copy: other threads may add a token meanwhile
            text = text.replace(secret, "***")
        return text

    def _redact_bytes(self, body: bytes) -> bytes:
        for secret in tuple(self._secrets):
            body = body.replace(secret.encode("utf-8"), b"***")
        return body

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

    # --- redirects ------------------------------------------------------------------------

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
            response = self._fetch(method, url, headers, auth, has_token, body)
            if response.status not in _REDIRECTS or method != "GET":
                return self._check_status(response, auth, has_token)
            location = response.headers.get("Location")
            if not location:
                raise FetchError(
                    "redirect",
                    url,
                    f"{self.redact(url)} answered {response.status} without a Location",
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
                    f"{self.redact(url)} redirects to another host ({self.redact(target)}); "
                    "not followed: point the source at the new address",
                    status=response.status,
                )
            url = target
        raise FetchError(
            "redirect", first, f"{self.redact(first)} redirected more than {MAX_REDIRECTS} times"
        )

    # --- one URL, with retries and rate limits --------------------------------------------

    def _fetch(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        auth: Auth | None,
        has_token: bool,
        body: bytes | None = None,
    ) -> HttpResponse:
        host = host_of(url)
        shown = self.redact(url)
        attempt = 0
        rate_waits = 0
        while True:
            self._wait_for_host(host, url)
            try:
                response = self._send(method, url, headers, auth, body)
            except _Transient as exc:
                if attempt >= self.retries:
                    raise FetchError(
                        exc.kind,
                        url,
                        f"{exc.message} (after {attempt + 1} attempts)",
                    ) from None
                self._pause(self._backoff_delay(attempt))
                attempt += 1
                continue
            wait = self._rate_limit_wait(response)
            if wait is not None:
                if wait > self.max_wait or rate_waits >= MAX_RATE_LIMIT_WAITS:
                    retry_at = datetime.fromtimestamp(self.clock() + wait, tz=UTC)
                    raise FetchError(
                        "rate_limited",
                        url,
                        f"{shown} is rate limited ({response.status}) until "
                        f"{retry_at:%Y-%m-%d %H:%M:%S} UTC; not waiting {wait:.0f} s "
                        f"(more than {self.max_wait:.0f} s)",
                        status=response.status,
                        retry_at=retry_at,
                    )
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
                if attempt >= self.retries or method != "GET":
                    return response  # _check_status reports it
                self._pause(self._backoff_delay(attempt))
                attempt += 1
                continue
            self._note_quota(host, response)
            return response

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        auth: Auth | None,
        body: bytes | None = None,
    ) -> HttpResponse:
        """One exchange, within the per-host limit; replayed or recorded when asked."""
        recorded_headers = {
            name: value
            for name, value in {**self.session.headers, **headers}.items()
            if not (auth and name.lower() == auth.header.lower())
            and name.lower() not in ("authorization", "cookie", "proxy-authorization")
        }
        if self.replaying:
            assert self.cassette is not None
            played = self.cassette.play(self.redact(url), recorded_headers, method)
            if played is None:
                raise FetchError(
                    "replay_missing",
                    url,
                    f"{method} {self.redact(url)} is not in the cassette {self.cassette.path}: "
                    "record it again with --record",
                )
            played.url = url
            return played
        with self._slot(host_of(url)):
            response = self._send_live(method, url, headers, body)
        if self.cassette is not None:
            # a server may echo the token back (error bodies, headers): never record it
            recorded = HttpResponse(
                self.redact(url),
                response.status,
                {name: self.redact(value) for name, value in response.headers.items()},
                self._redact_bytes(response.body),
            )
            self.cassette.add(self.redact(url), recorded_headers, recorded, method)
        return response

    def _send_live(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None = None
    ) -> HttpResponse:
        shown = self.redact(url)
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
                answer_headers = CaseInsensitiveDict(answer.headers)
                declared = answer.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise self._too_large(url, int(declared))
                body = bytearray()
                deadline = time.monotonic() + self.total_timeout
                for chunk in answer.iter_content(chunk_size=65536):
                    body.extend(chunk)
                    if len(body) > self.max_bytes:
                        raise self._too_large(url, None)
                    if time.monotonic() > deadline:
                        raise _Transient(
                            "timeout",
                            f"{shown} was still sending after {self.total_timeout:g} s",
                        )
                return HttpResponse(url, answer.status_code, answer_headers, bytes(body))
        except (FetchError, _Transient):
            raise
        except requests.Timeout:
            raise _Transient(
                "timeout",
                f"{shown} did not answer within {self.timeout[1]:g} s",
            ) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Transient("connection", f"cannot reach {shown}: {_reason(exc)}") from None
        except requests.RequestException as exc:
            raise FetchError(
                "connection", url, f"request to {shown} failed: {exc.__class__.__name__}"
            ) from None

    def _too_large(self, url: str, declared: int | None) -> FetchError:
        size = f"{declared} bytes" if declared is not None else "more than that"
        return FetchError(
            "too_large",
            url,
            f"{self.redact(url)} sent {size}; the limit is {self.max_bytes} bytes: "
            "not read further",
        )

    def _check_status(
        self, response: HttpResponse, auth: Auth | None, has_token: bool
    ) -> HttpResponse:
        status = response.status
        if 200 <= status < 300:
            return response
        url = response.url
        shown = self.redact(url)
        reason = _platform_reason(response)
        said = f" ({reason})" if reason else ""
        if status == 404:
            raise FetchError(
                "not_found",
                url,
                f"{shown} answered 404{said}: the community was renamed or deleted, "
                "or the identifier is wrong",
                status=404,
            )
        if status in (401, 403) and auth and has_token:
            raise FetchError(
                "auth",
                url,
                f"{shown} refused the token in ${auth.env} ({status}){said}: "
                f"check or renew ${auth.env}",
                status=status,
            )
        if status == 401:
            hint = f": set ${auth.env}" if auth else ""
            raise FetchError(
                "auth", url, f"{shown} requires authentication (401){said}{hint}", status=401
            )
        if status >= 500:
            what = describe_body(response)
            body = f" with {what}" if what != "invalid JSON (truncated or malformed)" else ""
            raise FetchError(
                "http",
                url,
                f"{shown} answered {status}{body}{said} (server error, after "
                f"{self.retries + 1} attempts)",
                status=status,
            )
        raise FetchError("http", url, f"{shown} answered {status}{said}", status=status)

    # --- rate limits ------------------------------------------------------------------------

    def _rate_limit_wait(self, response: HttpResponse) -> float | None:
        """Seconds to wait before retrying, when the answer is a rate limit; else None."""
        status = response.status
        if status not in (429, 403, 503):
            return None
        headers = response.headers
        retry_after = _parse_retry_after(headers.get("Retry-After"), self.clock())
        if retry_after is not None:
            return retry_after
        if status == 503:
            return None
        remaining = _first(headers, "X-RateLimit-Remaining", "RateLimit-Remaining")
        reset = _parse_reset(_first(headers, "X-RateLimit-Reset", "RateLimit-Reset"), self.clock())
        if remaining is not None and remaining.strip() == "0" and reset is not None:
            return reset
        if status == 429:
            return reset if reset is not None else self.backoff * 4
        return None

    def _note_quota(self, host: str, response: HttpResponse) -> None:
        """A good answer that says the quota is spent: hold the next request until the reset."""
        remaining = _first(response.headers, "X-RateLimit-Remaining", "RateLimit-Remaining")
        if remaining is None or remaining.strip() != "0":
            return
        reset = _parse_reset(
            _first(response.headers, "X-RateLimit-Reset", "RateLimit-Reset"), self.clock()
        )
        if reset:
            self.defer(host, reset)

    def _wait_for_host(self, host: str, url: str) -> None:
        with self._lock:
            until = self._not_before.get(host, 0.0)
        wait = until - self.clock()
        if wait <= 0:
            return
        if wait > self.max_wait:
            retry_at = datetime.fromtimestamp(until, tz=UTC)
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

    def _backoff_delay(self, attempt: int) -> float:
        return self.backoff * (2**attempt) * (0.5 + self._rng.random())

    # --- bookkeeping ------------------------------------------------------------------------

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._host_slots.get(host)
            if slot is None:
                slot = self._host_slots[host] = threading.BoundedSemaphore(self.per_host)
            return slot

    def _remember_secret(self, token: str) -> None:
        if len(token) >= 4:
            with self._lock:
                self._secrets.add(token)


def _first(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            return value
    return None


def _parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After``: delay seconds or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


def _parse_reset(value: str | None, now: float) -> float | None:
    """A reset as epoch seconds (GitHub, Bluesky), seconds from now (IETF draft) or an ISO
    timestamp (Mastodon); returns seconds from now."""
    if value is None:
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, moment.timestamp() - now)
    if number >= _EPOCH_THRESHOLD:
        return max(0.0, number - now)
    return max(0.0, number)


def _reason(exc: Exception) -> str:
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
