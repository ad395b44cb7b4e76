"""What a non-2xx answer means for the maintainer: one ``FetchError`` per case."""

from __future__ import annotations

from community_metrics.collect.http.auth import Auth
from community_metrics.collect.http.errors import FetchError
from community_metrics.collect.http.response import HttpResponse, describe_body, platform_reason


def check_status(
    response: HttpResponse, auth: Auth | None, has_token: bool, attempts: int
) -> HttpResponse:
    """The response when it is a success; else the ``FetchError`` that says what to do."""
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
            body=response.body,
        )
    if status in (401, 403) and auth and has_token:
        raise FetchError(
            "auth",
            url,
            f"{url} refused the token in ${auth.env} ({status}){said}: check or renew ${auth.env}",
            status=status,
            body=response.body,
        )
    if status == 401:
        hint = f": set ${auth.env}" if auth else ""
        raise FetchError(
            "auth",
            url,
            f"{url} requires authentication (401){said}{hint}",
            status=401,
            body=response.body,
        )
    if status >= 500:
        what = describe_body(response)
        body = f" with {what}" if what != "invalid JSON (truncated or malformed)" else ""
        raise FetchError(
            "http",
            url,
            f"{url} answered {status}{body}{said} (server error, after {attempts} attempts)",
            status=status,
            body=response.body,
        )
    raise FetchError(
        "http", url, f"{url} answered {status}{said}", status=status, body=response.body
    )
