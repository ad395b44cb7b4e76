"""Reddit subreddit: ``GET https://oauth.reddit.com/r/{name}/about`` with an application-only
OAuth token when ``REDDIT_CLIENT_ID`` and ``REDDIT_CLIENT_SECRET`` are set, else the anonymous
``GET https://www.reddit.com/r/{name}/about.json``.

Docs: https://www.reddit.com/dev/api/#GET_r_{subreddit}_about ,
https://github.com/reddit-archive/reddit/wiki/OAuth2#application-only-oauth and
https://github.com/reddit-archive/reddit/wiki/API (unique descriptive User-Agent). Traps:
- Reddit refuses anonymous JSON requests from cloud IP ranges, GitHub Actions included: 403 with
  an HTML "blocked" page (UmbrellaDocs/linkspector#76). The fix is application-only OAuth:
  ``POST https://www.reddit.com/api/v1/access_token`` with HTTP basic auth (client id, secret)
  and ``grant_type=client_credentials`` -> ``{"access_token", "token_type": "bearer",
  "expires_in", "scope"}``; one exchange per run serves every subreddit (the token lives about
  an hour). Wrong credentials answer 401 ``{"message": "Unauthorized", "error": 401}``;
- the payload is wrapped: ``{"kind": "t5", "data": {...}}``;
- ``created`` is offset from UTC: use ``created_utc`` (float epoch seconds);
- users online is ``active_user_count``; older payloads only have ``accounts_active``
  (both may be fuzzed by Reddit);
- private or banned subreddits answer 403/404 with a JSON ``reason`` (the HTTP layer reports it).
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from community_metrics.collect.http import Auth, FetchError
from community_metrics.collect.sources.agent import reddit_user_agent
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.blocking import block_message, blocked
from community_metrics.collect.sources.common import count, expect_object, put, when
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["reddit"].default_api
OAUTH_API = "https://oauth.reddit.com"
CLIENT_ID_ENV = "REDDIT_CLIENT_ID"
CLIENT_SECRET_ENV = "REDDIT_CLIENT_SECRET"  # noqa: S105 -- a variable name
APPS_PAGE = "https://www.reddit.com/prefs/apps"
ADD_SECRETS = (
    f"Add the repository secrets {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}: create an app of type "
    f"'script' at {APPS_PAGE} (README, 'Secrets')"
)
#: a token is renewed this many seconds before Reddit says it expires
EXPIRY_MARGIN = 60.0


@dataclass
class _TokenState:
    """One run's token: fetched once, shared by every subreddit (and every thread)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    token: str | None = None
    expires: float = 0.0
    failure: tuple[str, str, str, int | None] | None = None  # kind, url, message, status


# One state per HttpClient (one client per run), dropped with the client.
_STATES: weakref.WeakKeyDictionary[Any, _TokenState] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def credentials() -> tuple[str, str] | None:
    """(client id, secret) when both variables are set; None when neither is; SourceError
    naming the missing one when only one is."""
    client_id = os.environ.get(CLIENT_ID_ENV, "").strip()
    secret = os.environ.get(CLIENT_SECRET_ENV, "").strip()
    if client_id and secret:
        return client_id, secret
    if client_id or secret:
        given, missing = (
            (CLIENT_ID_ENV, CLIENT_SECRET_ENV) if client_id else (CLIENT_SECRET_ENV, CLIENT_ID_ENV)
        )
        raise SourceError(
            f"${given} is set but ${missing} is not: Reddit's application-only OAuth needs both"
        )
    return None


def _exchange(http: HttpClient, token_url: str, client_id: str) -> tuple[str, float]:
    """POST the client-credentials grant; (access token, lifetime in seconds)."""
    http.add_secret(client_id)
    try:
        response = http.post(
            token_url,
            data={"grant_type": "client_credentials"},
            auth=Auth(CLIENT_SECRET_ENV, basic_user=client_id),
            headers={"User-Agent": reddit_user_agent()},
        )
    except FetchError as exc:
        if exc.status == 401 or exc.kind == "auth":
            raise FetchError(
                "auth",
                exc.url,
                f"{exc.url}: Reddit refused the app credentials in ${CLIENT_ID_ENV} / "
                f"${CLIENT_SECRET_ENV} ({exc.status or 'refused'}): check both secrets (the id "
                f"is the string under the app's name at {APPS_PAGE}, the secret is 'secret')",
                status=exc.status,
            ) from None
        raise
    answer = expect_object(response.json(), "a token answer", token_url)
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        reason = answer.get("error")
        said = f" ({reason})" if isinstance(reason, str) else ""
        raise SourceError(
            f"{token_url}: Reddit gave no access token{said}; check ${CLIENT_ID_ENV} and "
            f"${CLIENT_SECRET_ENV} (an app of type 'script' at {APPS_PAGE})"
        )
    http.add_secret(token)  # never written: scrubbed from messages, logs and recordings
    lifetime = answer.get("expires_in")
    seconds = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 3600.0
    return token, seconds


def bearer_token(http: HttpClient, token_url: str, client_id: str) -> str:
    """The run's token: one exchange for all subreddits, thread-safe; a failed exchange is not
    repeated for every subreddit (each fails with the same message)."""
    with _STATES_LOCK:
        state = _STATES.get(http)
        if state is None:
            state = _STATES[http] = _TokenState()
    with state.lock:
        if state.failure is not None:
            kind, url, message, status = state.failure
            raise FetchError(kind, url, message, status=status)
        if state.token is not None and http.clock() < state.expires:
            return state.token
        try:
            token, lifetime = _exchange(http, token_url, client_id)
        except FetchError as exc:
            state.failure = (exc.kind, exc.url, exc.message, exc.status)
            raise
        except SourceError as exc:
            state.failure = ("auth", token_url, str(exc), None)
            raise
        state.token = token
        state.expires = http.clock() + max(lifetime - EXPIRY_MARGIN, 1.0)
        return token


def parse_about(payload: Any, endpoint: str) -> SourceResult:
    payload = expect_object(payload, "a subreddit listing", endpoint)
    data = payload.get("data")
    if payload.get("kind") != "t5" or not isinstance(data, dict):
        raise SourceError(
            f"{endpoint}: not a subreddit (expected kind t5 with data); "
            "was it renamed, banned or made private?"
        )
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(data, "subscribers", endpoint))
    online = count(data, "active_user_count", endpoint)
    if online is None:
        online = count(data, "accounts_active", endpoint)
    put(result.metrics, "online", online)
    result.created_at = when(data.get("created_utc"), "created_utc", endpoint)
    if not result.metrics:
        raise SourceError(f"{endpoint}: the subreddit publishes no subscriber count")
    return result


def _subreddit_reason(exc: FetchError) -> FetchError | None:
    """403/404 with a JSON ``reason`` (private, banned, quarantined): the subreddit's state."""
    try:
        answer = json.loads(exc.body) if exc.body else None
    except (UnicodeDecodeError, ValueError):
        return None
    reason = answer.get("reason") if isinstance(answer, dict) else None
    if exc.status not in (403, 404) or not isinstance(reason, str) or not reason:
        return None
    return FetchError(
        "not_found" if exc.status == 404 else "http",
        exc.url,
        f"{exc.url} answered {exc.status}: the subreddit is {reason[:40]} "
        "(Reddit's reason); it cannot be read by an app",
        status=exc.status,
    )


def _anonymous_refusal(exc: FetchError, http: HttpClient) -> FetchError | None:
    """A refusal of the anonymous request that means 'blocked', with the two secrets to add."""
    if (state := _subreddit_reason(exc)) is not None:
        return state
    if blocked(exc):
        message = block_message(exc, "Reddit", ADD_SECRETS + ".", http)
    elif exc.status == 403 and b'"reason"' not in (exc.body or b""):
        # a JSON 403 without a subreddit reason (private, banned, quarantined) is the block too
        message = (
            f"{exc.url} answered 403 without a reason: Reddit blocks anonymous requests from "
            f"cloud IP ranges such as GitHub's runners. {ADD_SECRETS}."
        )
    elif exc.kind == "rate_limited" or exc.status == 429:
        message = f"{exc.message}. Anonymous requests are tightly limited: {ADD_SECRETS}."
    else:
        return None
    return FetchError(
        "blocked" if exc.status == 403 else exc.kind,
        exc.url,
        message,
        status=exc.status,
        retry_at=exc.retry_at,
        body=exc.body,
    )


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    name = source.id.removeprefix("r/")
    pair = credentials()
    agent = {"User-Agent": reddit_user_agent()}
    if pair is None:
        endpoint = f"{(source.api or DEFAULT_API).rstrip('/')}/r/{name}/about.json"
        try:
            return parse_about(http.get(endpoint, headers=agent).json(), endpoint)
        except FetchError as exc:
            better = _anonymous_refusal(exc, http)
            if better is None:
                raise
            raise better from None
    # source.api (tests, a proxy) serves both the token exchange and the OAuth API
    token_url = f"{(source.api or DEFAULT_API).rstrip('/')}/api/v1/access_token"
    endpoint = f"{(source.api or OAUTH_API).rstrip('/')}/r/{name}/about"
    token = bearer_token(http, token_url, pair[0])
    try:
        response = http.get(endpoint, headers={**agent, "Authorization": f"bearer {token}"})
    except FetchError as exc:
        if blocked(exc):
            raise FetchError(
                "blocked",
                exc.url,
                block_message(
                    exc,
                    "Reddit",
                    "The request carried an OAuth token: check the app at "
                    f"{APPS_PAGE} and the User-Agent ({reddit_user_agent()}).",
                    http,
                ),
                status=exc.status,
            ) from None
        if (state := _subreddit_reason(exc)) is not None:
            raise state from None
        if exc.status == 401:
            raise FetchError(
                "auth",
                exc.url,
                f"{exc.url}: Reddit refused the OAuth token obtained with ${CLIENT_ID_ENV} / "
                f"${CLIENT_SECRET_ENV} (401): check the app at {APPS_PAGE}",
                status=401,
            ) from None
        raise
    return parse_about(response.json(), endpoint)
